// Does a message Twilio lists upstream look like the one a step sent? Used when a send's outcome is
// unknown (a 5xx or timeout after the request left): a false "no" reports a delivered message as
// failed, so equality allows for what Twilio does to a message on the way:
//  - addresses: Twilio stores phone numbers in E.164 ("+15550001111") whatever format was sent
//    ("(555) 000-1111" is not accepted, but "+1 555 000 1111" is); channel prefixes such as
//    `whatsapp:` are kept and must agree;
//  - bodies: trial accounts prefix "Sent from your Twilio trial account - "; Smart Encoding swaps
//    Unicode punctuation for GSM-7 look-alikes; line endings may come back as CRLF.
import { createRequire } from 'node:module';

type LibPhoneNumber = typeof import('libphonenumber-js');
let libphonenumber: LibPhoneNumber | undefined;
/**
 * libphonenumber-js, loaded on the first number compared: only the Twilio carrier compares numbers, and loading it
 * is a tenth of a server's start-up. Its CommonJS build, so that the comparisons stay synchronous.
 */
function phoneNumbers(): LibPhoneNumber {
  return (libphonenumber ??= createRequire(import.meta.url)('libphonenumber-js') as LibPhoneNumber);
}

const CHANNEL_PREFIX = /^([a-z]+):(.*)$/i;

/** `+1 555-000-1111` and `+15550001111` are the same address; `whatsapp:` must be on both or neither. */
export function sameAddress(sent: string, upstream: unknown): boolean {
  if (typeof upstream !== 'string') return false;
  if (sent === upstream) return true;
  const a = splitChannel(sent);
  const b = splitChannel(upstream);
  if (a.channel !== b.channel) return false;
  const ea = toE164(a.address);
  return ea !== null && ea === toE164(b.address);
}

/** The address as Twilio stores and filters it: a phone number in E.164, its channel prefix kept. */
export function asStored(address: string): string {
  const { channel, address: rest } = splitChannel(address);
  const e164 = toE164(rest);
  return e164 === null ? address : channel ? `${channel}:${e164}` : e164;
}

function splitChannel(address: string): { channel: string; address: string } {
  const m = CHANNEL_PREFIX.exec(address.trim());
  return m ? { channel: m[1]!.toLowerCase(), address: m[2]! } : { channel: '', address: address.trim() };
}

function toE164(address: string): string | null {
  if (!address.trim().startsWith('+')) return null; // short codes and identities compare exactly
  const parsed = phoneNumbers().parsePhoneNumberFromString(address);
  return parsed ? parsed.number : null;
}

const TRIAL_PREFIX = 'Sent from your Twilio trial account - ';

// Twilio's Smart Encoding table (the common part): Unicode punctuation → GSM-7 characters.
const SMART_ENCODING: Record<string, string> = {
  '\u2018': "'", '\u2019': "'", '\u201A': "'", '\u201B': "'", '\u2032': "'",
  '\u201C': '"', '\u201D': '"', '\u201E': '"', '\u201F': '"', '\u2033': '"', '\u00AB': '"', '\u00BB': '"',
  '\u2010': '-', '\u2011': '-', '\u2012': '-', '\u2013': '-', '\u2014': '-', '\u2015': '-', '\u2212': '-',
  '\u2026': '...', '\u00A0': ' ', '\u2002': ' ', '\u2003': ' ', '\u2009': ' ', '\u200A': ' ', '\u202F': ' ',
  '\u200B': '', '\u2060': '', '\uFEFF': '',
  '\u02C6': '^', '\u02DC': '~', '\u2022': '-', '\u00B7': '-',
};
const SMART_CHARS = new RegExp(`[${Object.keys(SMART_ENCODING).join('')}]`, 'gu');

function normaliseBody(body: string): string {
  return body.replace(/\r\n?/g, '\n').replace(SMART_CHARS, (c) => SMART_ENCODING[c] ?? c);
}

/** The body Twilio lists is the one sent, allowing for a trial prefix, Smart Encoding and CRLF. */
export function sameBody(sent: string, upstream: unknown): boolean {
  const listed = typeof upstream === 'string' ? upstream : '';
  if (listed === sent) return true;
  const stripped = listed.startsWith(TRIAL_PREFIX) ? listed.slice(TRIAL_PREFIX.length) : listed;
  return stripped === sent || normaliseBody(stripped) === normaliseBody(sent);
}
