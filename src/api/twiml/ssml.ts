// The content of a Say: text that may carry SSML. Studio lets a Say's text hold SSML tags (<break>,
// <say-as>, <prosody>, often wrapped in <speak>), and Twilio reads them as child elements of <Say>.
//
// The text is Liquid output, so a value rendered into it (a caller's name "A<B", an SMS body
// "Tom & Jerry", an HTTP response) lands between the author's tags. Parsing the whole rendered text
// as XML would let such a value break the markup, and the caller would hear the tags read out. So the
// text is not parsed as XML: it is read token by token, and only these are markup:
//   - a well-formed start, end or empty tag of an element Twilio's <Say> takes (SAY_SSML, plus
//     <speak>, whose content goes straight under <Say>), attributes quoted and free of `<`;
//   - XML's character references: the five predefined entities (&amp; &lt; &gt; &quot; &apos;) and
//     numeric ones (&#38; &#x26;) of characters XML can hold;
//   - comments (dropped) and CDATA sections (their text); a `<!--` or `<![CDATA[` with no end after it is
//     text, and what follows it is read as usual.
// Every other character is text, said as written (the builder escapes it): a `<` or `&` that does not
// begin one of the above (`A<B`, `Tom & Jerry`, `&nbsp;`, `<script>`) is a literal character.
// Tags that do not nest are repaired rather than said: an end tag with no open element of its name
// is dropped, one that closes an outer element closes the inner ones with it, and elements still
// open at the end are closed there (`<break time="1s">` is a break); nesting deeper than
// MAX_SSML_DEPTH is not followed.
//
// Entities: a Say's text is TwiML content (it carries markup Twilio reads as XML), so its character
// references are XML's, whether or not the text has tags: `AT&amp;T` is said "AT&T" in
// `<speak>AT&amp;T</speak>` and in a plain Say alike (written back as `AT&amp;T`, never `AT&amp;amp;T`),
// as it would be in a TwiML document. Anything else with a `&` is text (Twilio's TwiML takes no
// HTML entities: `&nbsp;` is said as written).

/** The SSML elements TwiML's <Say> accepts (Twilio's SSML support, the twilio package's Ssml* nouns). */
const SAY_SSML = ['break', 'emphasis', 'lang', 'p', 'phoneme', 'prosody', 's', 'say-as', 'sub', 'w', 'amazon:domain', 'amazon:effect'];

export type SsmlContent = { text: string } | { element: string; attributes: Record<string, string>; children: SsmlContent[] };

const NAME = `(${['speak', ...SAY_SSML].join('|')})`;
const ATTRIBUTE = `\\s+[A-Za-z_:][-A-Za-z0-9_:.]*\\s*=\\s*(?:"[^"<]*"|'[^'<]*')`;
const REFERENCE = '&(?:#[0-9]+|#x[0-9a-fA-F]+|amp|lt|gt|quot|apos);';

/**
 * The next token of markup: an end tag, a start/empty tag (its attributes, and `/` for an empty one), the
 * opener of a comment or of a CDATA section (its end is found by sayContent), a character reference.
 *
 * No alternative reaches past the next `<` (a tag) or `&` (a reference) after its start, so the search does
 * linear work over the text. A comment or CDATA section is not matched whole (`<!--[\s\S]*?-->` scans to the end of the text from
 * every opener that has no end, quadratic in a text of `<!--` repeated): sayContent looks for its end once.
 */
const TOKEN = new RegExp(`<\\/${NAME}\\s*>|<${NAME}((?:${ATTRIBUTE})*)\\s*(\\/?)>|(<!--|<!\\[CDATA\\[)|(${REFERENCE})`, 'g');
const SECTION_END: Record<string, string> = { '<!--': '-->', '<![CDATA[': ']]>' };
const ATTRIBUTES = new RegExp(`\\s+([A-Za-z_:][-A-Za-z0-9_:.]*)\\s*=\\s*(?:"([^"<]*)"|'([^'<]*)')`, 'g');
const REFERENCES = new RegExp(REFERENCE, 'g');

const PREDEFINED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** A character XML 1.0 can hold (a reference to any other is not a reference: it stays text). */
function xmlChar(code: number): boolean {
  return code === 0x9 || code === 0xa || code === 0xd || (code >= 0x20 && code <= 0xd7ff) || (code >= 0xe000 && code <= 0xfffd) || (code >= 0x10000 && code <= 0x10ffff);
}

/** The character a reference stands for, or the reference itself when it names none XML can hold. */
function decodeReference(reference: string): string {
  const body = reference.slice(1, -1);
  if (!body.startsWith('#')) return PREDEFINED[body]!;
  const code = body[1] === 'x' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
  return xmlChar(code) ? String.fromCodePoint(code) : reference;
}

function decodeReferences(text: string): string {
  return text.replace(REFERENCES, decodeReference);
}

function attributesOf(source: string): Record<string, string> {
  const attributes: Record<string, string> = {};
  for (const match of source.matchAll(ATTRIBUTES)) {
    const name = match[1]!;
    if (name === 'xmlns' || name.startsWith('xmlns:')) continue;
    attributes[name] = decodeReferences(match[2] ?? match[3] ?? '');
  }
  return attributes;
}

/**
 * How deep SSML elements may nest; a start tag deeper than this is dropped (its text is kept). Real SSML
 * nests a few levels; a rendered value could open thousands, which the TwiML builder's recursion
 * cannot write.
 */
export const MAX_SSML_DEPTH = 32;

interface Open {
  element: string;
  attributes: Record<string, string>;
  children: SsmlContent[];
}

/**
 * A Say's text as the content of <Say>: text runs and SSML elements (see the header for what is
 * markup). Never fails: any text has a content, with no tag said aloud that Twilio would take as one.
 */
export function sayContent(text: string): SsmlContent[] {
  if (!text.includes('<') && !text.includes('&')) return [{ text }];
  const root: Open = { element: '', attributes: {}, children: [] };
  const stack: Open[] = [root];
  const top = () => stack.at(-1)!;
  const addText = (value: string) => {
    if (value === '') return;
    const children = top().children;
    const last = children.at(-1);
    if (last && 'text' in last) last.text += value;
    else children.push({ text: value });
  };
  // Where each kind of section's end was last found; -1 once there is none after an opener (none after any
  // later one either: its opener is text, as every later one's is, without looking again).
  const sectionEnd: Record<string, number> = { '<!--': 0, '<![CDATA[': 0 };
  const token = new RegExp(TOKEN);
  let at = 0;
  for (let match = token.exec(text); match !== null; match = token.exec(text)) {
    const [, endName, startName, attributes, empty, opener, reference] = match;
    if (opener !== undefined) {
      const from = match.index + opener.length;
      const terminator = SECTION_END[opener]!;
      let end = sectionEnd[opener]!;
      if (end !== -1 && end < from) end = sectionEnd[opener] = text.indexOf(terminator, from);
      // No end: the opener is text (what follows it is read on as usual).
      if (end === -1) continue;
      addText(text.slice(at, match.index));
      if (opener === '<![CDATA[') addText(text.slice(from, end));
      // a comment: dropped
      at = end + terminator.length;
      token.lastIndex = at;
      continue;
    }
    addText(text.slice(at, match.index));
    at = match.index + match[0].length;
    if (reference !== undefined) addText(decodeReference(reference));
    else if (endName !== undefined) {
      // </speak> ends the document: every element still open ends with it.
      if (endName === 'speak') {
        stack.length = 1;
        continue;
      }
      // Closes the innermost open element of that name (and those inside it); a stray one is dropped.
      const index = stack.findLastIndex((open, i) => i > 0 && open.element === endName);
      if (index > 0) stack.length = index;
    } else if (startName !== undefined) {
      if (startName === 'speak') continue; // <speak> wraps an SSML document; <Say> takes what is inside it
      if (stack.length > MAX_SSML_DEPTH) continue;
      const open: Open = { element: startName, attributes: attributesOf(attributes ?? ''), children: [] };
      top().children.push(open);
      if (empty !== '/') stack.push(open);
    }
  }
  addText(text.slice(at));
  return root.children;
}
