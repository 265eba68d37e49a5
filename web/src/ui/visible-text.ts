// How the console shows a string out of a context: every character that is there, visibly, and none
// that acts on the page. Invisible characters decide `equal_to` splits and Liquid output as much as
// letters do, so line breaks, tabs, control and format characters, bidi controls (which would reorder
// the text around them, "RTL" shown as "LTR") and spaces at either end are shown as escapes; a long
// string is cut. Pure; json-tree.tsx draws the parts, test/web/visible-text.test.ts.

export type TextPart =
  | { kind: 'text'; text: string }
  /** `escape` is what is shown (\n, \t, \u202E, ·), `title` says what it stands for; `breaks`: a line break follows. */
  | { kind: 'escape'; escape: string; title: string; breaks?: boolean };

const NAMED: Record<string, [string, string]> = {
  '\n': ['\\n', 'line feed'],
  '\r': ['\\r', 'carriage return'],
  '\t': ['\\t', 'tab'],
};

const BIDI_NAMES: Record<number, string> = {
  0x061c: 'arabic letter mark',
  0x200e: 'left-to-right mark',
  0x200f: 'right-to-left mark',
  0x202a: 'left-to-right embedding',
  0x202b: 'right-to-left embedding',
  0x202c: 'pop directional formatting',
  0x202d: 'left-to-right override',
  0x202e: 'right-to-left override',
  0x2066: 'left-to-right isolate',
  0x2067: 'right-to-left isolate',
  0x2068: 'first strong isolate',
  0x2069: 'pop directional isolate',
};

const OTHER_NAMES: Record<number, string> = {
  0x00a0: 'no-break space',
  0x00ad: 'soft hyphen',
  0x200b: 'zero width space',
  0x200c: 'zero width non-joiner',
  0x200d: 'zero width joiner',
  0x2028: 'line separator',
  0x2029: 'paragraph separator',
  0x2060: 'word joiner',
  0x3000: 'ideographic space',
  0xfeff: 'zero width no-break space',
};

/**
 * Shown as an escape wherever it is: C0 and C1 controls, bidi controls, zero-width and format
 * characters, and spaces other than U+0020 (which look like one but do not equal it).
 */
const HIDDEN = /[\u0000-\u001f\u007f-\u009f\u00a0\u00ad\u061c\u1680\u180e\u2000-\u200f\u2028-\u202f\u205f-\u206f\u3000\ufeff\ufff9-\ufffb]/;

/**
 * Zero width (non-)joiner between two letters, marks or pictographs does its job there (an emoji
 * family, Persian or Indic spelling) and is left as it is; anywhere else it is shown.
 */
const JOINERS = new Set(['\u200c', '\u200d']);
const JOINED = /^[\p{L}\p{M}\p{Extended_Pictographic}\u{1f3fb}-\u{1f3ff}\ufe0f]$/u;

function hex(code: number): string {
  return `\\u${code.toString(16).toUpperCase().padStart(4, '0')}`;
}

function escapeOf(char: string): TextPart {
  const named = NAMED[char];
  if (named) return char === '\n' ? { kind: 'escape', escape: named[0], title: named[1], breaks: true } : { kind: 'escape', escape: named[0], title: named[1] };
  const code = char.charCodeAt(0);
  const name = BIDI_NAMES[code] ?? OTHER_NAMES[code] ?? (code <= 0x9f ? 'control character' : 'invisible character');
  return { kind: 'escape', escape: hex(code), title: `U+${hex(code).slice(2)} ${name}` };
}

/** The parts `text` is shown as: runs of plain text, and escapes for what would not show or would act. */
export function visibleParts(text: string): TextPart[] {
  const parts: TextPart[] = [];
  let run = '';
  const flush = () => {
    if (run) parts.push({ kind: 'text', text: run });
    run = '';
  };
  // Spaces at either end are shown (a "yes " that fails an equal_to "yes" should say why).
  const lead = /^ */.exec(text)![0].length;
  const trail = lead === text.length ? 0 : / *$/.exec(text)![0].length;
  const chars = Array.from(text);
  const end = chars.length - trail;
  for (let i = 0; i < chars.length; i++) {
    const char = chars[i]!;
    if (char === ' ' && (i < lead || i >= end)) {
      flush();
      parts.push({ kind: 'escape', escape: '·', title: 'space' });
    } else if (HIDDEN.test(char) && !(JOINERS.has(char) && JOINED.test(chars[i - 1] ?? '') && JOINED.test(chars[i + 1] ?? ''))) {
      flush();
      parts.push(escapeOf(char));
    } else run += char;
  }
  flush();
  return parts;
}

/** The first `limit` UTF-16 units of `text`, not cutting a surrogate pair, or null when it is not longer. */
export function cutText(text: string, limit: number): string | null {
  if (text.length <= limit) return null;
  const end = /[\ud800-\udbff]/.test(text[limit - 1] ?? '') ? limit - 1 : limit;
  return text.slice(0, end);
}

/** How many characters (code points, as a reader counts them) `text` has. */
export function characterCount(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}
