// TwiML as the simulator phone reads it: a real XML parser (a document that is not well-formed, or has
// no <Response> root, fails the call as on Twilio), and the few accessors the verbs are read with,
// an attribute's default being Twilio's when it is absent.
import { DOMParser, type Element } from '@xmldom/xmldom';

/** The element children of `parent` (text and comments between verbs are no verbs). */
export function elements(parent: Element): Element[] {
  const out: Element[] = [];
  for (let node = parent.firstChild; node; node = node.nextSibling) if (node.nodeType === 1) out.push(node as Element);
  return out;
}

export function textOf(element: Element): string {
  return (element.textContent ?? '').trim();
}

/** The attribute's value, or `fallback` (Twilio's default) when the element has none. */
export function attr(element: Element, name: string, fallback = ''): string {
  return element.hasAttribute(name) ? element.getAttribute(name)! : fallback;
}

/** Parses a TwiML document; throws when it is not well-formed XML with a <Response> root. */
export function parseTwiml(xml: string): Element[] {
  const errors: string[] = [];
  const document = new DOMParser({ onError: (level, message) => { if (level !== 'warning') errors.push(message); } }).parseFromString(xml, 'text/xml');
  if (errors.length > 0) throw new Error(`invalid TwiML: ${errors[0]}`);
  const root = document.documentElement;
  if (!root || root.tagName !== 'Response') throw new Error(`invalid TwiML: the root element is <${root?.tagName ?? 'none'}>, not <Response>`);
  return elements(root);
}
