// SSML inside a Say widget's text. Studio lets the text carry SSML tags (<break>, <say-as>, <prosody>,
// often wrapped in <speak>), and Twilio reads them as child elements of <Say>. Written as text they
// would be escaped and spoken literally, so the text is parsed as an XML fragment and, when it is
// well-formed and made only of the tags Twilio's <Say> takes, appended as elements instead.
import { DOMParser, type Node as XmlNode } from '@xmldom/xmldom';

/** The SSML elements TwiML's <Say> accepts (Twilio's SSML support, the twilio package's Ssml* nouns). */
const SAY_SSML = new Set([
  'break', 'emphasis', 'lang', 'p', 'phoneme', 'prosody', 's', 'say-as', 'sub', 'w', 'amazon:domain', 'amazon:effect',
]);

export type SsmlContent = { text: string } | { element: string; attributes: Record<string, string>; children: SsmlContent[] };

/** Cheap test first: most Say texts have no tag at all. */
const LOOKS_LIKE_TAG = /<\/?(?:speak|break|emphasis|lang|p|phoneme|prosody|s|say-as|sub|w|amazon:domain|amazon:effect)\b/i;

/** A `&` that does not start an entity: a rendered value such as "Tom & Jerry" inside SSML markup. */
const BARE_AMPERSAND = /&(?!(?:#\d+|#x[0-9a-f]+|[a-z][a-z0-9]*);)/gi;

function contentOf(node: XmlNode): SsmlContent[] | null {
  const out: SsmlContent[] = [];
  for (let child = node.firstChild; child; child = child.nextSibling) {
    if (child.nodeType === 3 || child.nodeType === 4) {
      out.push({ text: child.nodeValue ?? '' });
    } else if (child.nodeType === 1) {
      const element = child as unknown as { tagName: string; attributes: ArrayLike<{ name: string; value: string }> };
      if (element.tagName === 'speak') {
        // <speak> wraps a whole SSML document; TwiML's <Say> takes what is inside it.
        const inner = contentOf(child);
        if (!inner) return null;
        out.push(...inner);
        continue;
      }
      if (!SAY_SSML.has(element.tagName)) return null;
      const attributes: Record<string, string> = {};
      for (let i = 0; i < element.attributes.length; i++) {
        const a = element.attributes[i]!;
        if (!a.name.startsWith('xmlns')) attributes[a.name] = a.value;
      }
      const children = contentOf(child);
      if (!children) return null;
      out.push({ element: element.tagName, attributes, children });
    } else if (child.nodeType !== 8) {
      return null; // processing instructions and the like: not SSML, say it as text
    }
  }
  return out;
}

/**
 * The Say text as SSML content, or null when it holds no SSML (or SSML that is not well-formed or uses
 * a tag Twilio does not take): then it is said as plain text, as before.
 */
export function ssmlContent(text: string): SsmlContent[] | null {
  if (!LOOKS_LIKE_TAG.test(text)) return null;
  let failed = false;
  const fragment = `<Say xmlns:amazon="urn:switchboard:amazon">${text.replace(BARE_AMPERSAND, '&amp;')}</Say>`;
  try {
    const document = new DOMParser({ onError: (level) => { if (level !== 'warning') failed = true; } }).parseFromString(fragment, 'text/xml');
    if (failed || !document.documentElement) return null;
    return contentOf(document.documentElement);
  } catch {
    return null; // a fatal parse error: not well-formed
  }
}
