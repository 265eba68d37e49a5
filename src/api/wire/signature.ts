// X-Twilio-Signature: base64(HMAC-SHA1(authToken, url + sorted name+value pairs)). Validators try
// the URL with and without the default port, as the official libraries do.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Form } from './form.ts';

export function computeSignature(authToken: string, url: string, params: Form): string {
  let data = url;
  for (const name of Object.keys(params).sort()) {
    const value = params[name]!;
    const values = Array.isArray(value) ? [...new Set(value)].sort() : [value];
    for (const v of values) data += name + v;
  }
  return createHmac('sha1', authToken).update(Buffer.from(data, 'utf8')).digest('base64');
}

function urlVariants(url: string): string[] {
  const variants = new Set([url]);
  // Work on the text: WHATWG URL parsing drops default ports, which is exactly what we must vary.
  const match = /^(https?):\/\/([^/?#:]+)(?::(\d+))?(.*)$/i.exec(url);
  if (match) {
    const [, scheme, host, port, rest] = match;
    const defaultPort = scheme!.toLowerCase() === 'https' ? '443' : '80';
    if (port === undefined) variants.add(`${scheme}://${host}:${defaultPort}${rest}`);
    else if (port === defaultPort) variants.add(`${scheme}://${host}${rest}`);
  }
  return [...variants];
}

export function validateSignature(authToken: string, signature: string | undefined, url: string, params: Form): boolean {
  if (!signature) return false;
  const given = Buffer.from(signature);
  return urlVariants(url).some((candidate) => {
    const expected = Buffer.from(computeSignature(authToken, candidate, params));
    return expected.length === given.length && timingSafeEqual(expected, given);
  });
}
