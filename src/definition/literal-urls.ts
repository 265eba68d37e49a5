// Properties that must hold an absolute URL. A literal that is not one ("<<INSERT YOUR TWILIO FUNCTION URL>>",
// "example.org/report") saves fine and then fails every run at that widget, so say so when validating.
// Liquid and `${...}` placeholders are only known at run / deploy time and are not checked.

import type { WidgetType } from './types.ts';

interface UrlRule {
  /** URL schemes the property takes, without the colon. */
  schemes: readonly string[];
  /** How messages name them ("http(s)") and the prefix to suggest. */
  kind: string;
  prefix: string;
  /** What happens at run time when the value is not such a URL. */
  consequence: string;
}

const HTTP = { schemes: ['http', 'https'], kind: 'http(s)', prefix: 'https://' } as const;
const MEDIA: UrlRule = { ...HTTP, consequence: 'Twilio refuses a relative or malformed media URL, so the message is not sent' };

const URL_PROPERTIES: Partial<Record<WidgetType, Record<string, UrlRule>>> = {
  'make-http-request': { url: { ...HTTP, consequence: 'every run fails with 81014 and leaves by "failed" without sending a request' } },
  'run-function': { url: { ...HTTP, consequence: 'every run fails with 81010 and leaves by "fail" without calling the Function' } },
  'add-twiml-redirect': { url: { ...HTTP, consequence: 'every run leaves by "fail" without redirecting the call' } },
  'send-message': { media_url: MEDIA },
  'send-and-wait-for-reply': { media_url: MEDIA },
  'fork-stream': { stream_url: { schemes: ['ws', 'wss'], kind: 'ws(s)', prefix: 'wss://', consequence: 'Twilio cannot open the stream' } },
};

const TEMPLATED = /\{\{|\{%|\$\{/;

/** A literal URL property that is not a URL: the message text after the property name. */
export interface UrlProblem {
  text: string;
  /** The `<…>` or `<<…>>` marker left to fill in, when the value holds one (templated exports repeat it). */
  marker?: string;
}

const FILL_IN_MARKER = /<<[^<>]*>>|<[^<>]*>/;

/** The problem with a URL property's literal value, or null when it is fine, empty, templated or not a URL property. */
export function literalUrlProblem(type: WidgetType, property: string, value: unknown): UrlProblem | null {
  // Own keys only: a property named "constructor" is no URL property.
  const rules = Object.hasOwn(URL_PROPERTIES, type) ? URL_PROPERTIES[type] : undefined;
  const rule = rules && Object.hasOwn(rules, property) ? rules[property] : undefined;
  if (!rule || typeof value !== 'string' || value.trim() === '' || TEMPLATED.test(value)) return null;
  if (isAbsoluteUrl(value.trim(), rule.schemes)) return null;
  const marker = value.match(FILL_IN_MARKER)?.[0];
  const text = `${JSON.stringify(value)} is not an absolute ${rule.kind} URL; ${rule.consequence}. ` +
    `Write the full address (${rule.prefix}…)${marker ? ` in place of ${marker}` : ''}`;
  return marker ? { text, marker } : { text };
}

function isAbsoluteUrl(value: string, schemes: readonly string[]): boolean {
  try {
    const url = new URL(value);
    return schemes.includes(url.protocol.slice(0, -1)) && url.host !== '';
  } catch {
    return false;
  }
}
