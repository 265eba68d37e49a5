// How Twilio's Messages API sizes an SMS body: the 1,600-character cap (error 21617) and the number
// of segments it bills (NumSegments). GSM-7 when every character is in the GSM 03.38 alphabet (an
// extension-table character takes two septets, never split across segments), else UCS-2 counted in
// UTF-16 code units (a surrogate pair is not split either). Twilio's optional "smart encoding"
// (curly quotes to straight ones, …) is off by default and not modelled.

/** Twilio refuses a body longer than this (UTF-16 code units): error 21617. */
export const MAX_BODY_LENGTH = 1600;
export const BODY_TOO_LONG_CODE = 21617;
export const BODY_TOO_LONG_MESSAGE = 'The concatenated message body exceeds the 1600 character limit.';

const GSM_BASIC = new Set(
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
);
const GSM_EXTENSION = new Set('\f^{}\\[~]|€');

export type SmsEncoding = 'GSM-7' | 'UCS-2';

/** The body is over Twilio's limit. */
export function bodyTooLong(body: string): boolean {
  return body.length > MAX_BODY_LENGTH;
}

export function smsEncoding(body: string): SmsEncoding {
  for (const c of body) if (!GSM_BASIC.has(c) && !GSM_EXTENSION.has(c)) return 'UCS-2';
  return 'GSM-7';
}

/** Segments Twilio sends the body as; at least 1 (an empty or media-only message is one). */
export function smsSegments(body: string): number {
  if (smsEncoding(body) === 'GSM-7') {
    const units = Array.from(body, (c) => (GSM_EXTENSION.has(c) ? 2 : 1));
    return pack(units, 160, 153);
  }
  // Code points: a character outside the BMP is its two UTF-16 code units, kept together.
  const units = Array.from(body, (c) => c.length);
  return pack(units, 70, 67);
}

/** Fits whole characters (of `units` each) into one message of `single`, else segments of `multi`. */
function pack(units: number[], single: number, multi: number): number {
  const total = units.reduce((a, b) => a + b, 0);
  if (total <= single) return 1;
  let segments = 1;
  let used = 0;
  for (const u of units) {
    if (used + u > multi) {
      segments += 1;
      used = 0;
    }
    used += u;
  }
  return segments;
}
