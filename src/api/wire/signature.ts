// X-Twilio-Signature: base64(HMAC-SHA1(authToken, url + sorted name+value pairs)). Validators try
// the URL with and without the default port, as the official libraries do.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Form } from './form.ts';

/** The signed text after the URL: the sorted name+value pairs. */
function signedParams(params: Form): string {
  let data = '';
  for (const name of Object.keys(params).sort()) {
    const value = params[name]!;
    const values = Array.isArray(value) ? [...new Set(value)].sort() : [value];
    for (const v of values) data += name + v;
  }
  return data;
}

function sign(authToken: string, url: string, data: string): string {
  return createHmac('sha1', authToken).update(Buffer.from(url + data, 'utf8')).digest('base64');
}

export function computeSignature(authToken: string, url: string, params: Form): string {
  return sign(authToken, url, signedParams(params));
}

function urlVariants(url: string): string[] {
  const variants = new Set([url]);
  // Work on the text: WHATWG URL parsing drops default ports, which is exactly what we must vary.
  const match = /^(https?):\/\/([^/?#:]+)(?::(\d+))?(.*)$/i.exec(url);
  if (match) {
    const [, scheme, host, port, rest] = match;
    const defaultPort = scheme!.toLowerCase() === 'https' ? '443' : '80';
    if (port === undefined) variants.add(`${scheme}://${host}:${defaultPort}${rest}`);
    // Any port, not only the default: Twilio drops the port of an HTTPS callback before signing
    // (its security notes), and twilio-node's validateRequest accepts the URL without it likewise.
    else variants.add(`${scheme}://${host}${rest}`);
  }
  return [...variants];
}

export function validateSignature(authToken: string, signature: string | undefined, url: string, params: Form): boolean {
  if (!signature) return false;
  const given = Buffer.from(signature);
  // Sorted once for every URL variant tried (a body's size is capped: MAX_FORM_PARAMETERS in form.ts).
  const data = signedParams(params);
  return urlVariants(url).some((candidate) => {
    const expected = Buffer.from(sign(authToken, candidate, data));
    return expected.length === given.length && timingSafeEqual(expected, given);
  });
}
