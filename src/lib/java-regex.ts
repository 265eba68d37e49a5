// Studio's split `regex` is a Java pattern. Most Java syntax means the same in JavaScript; this
// rewrites the common constructs that do not, so they match as in Studio instead of never:
//   - inline flags `(?i)`, `(?u)` (anywhere: the operator ignores case already) and a leading `(?s)`;
//   - `\p{L}`, `\p{IsLu}`, `\pN`, `\p{gc=Nd}`, `\p{IsLatin}`, `\p{sc=Greek}`, `\p{IsAlphabetic}` → the
//     JavaScript Unicode property (needs the `u` flag);
//   - POSIX classes `\p{Alpha}` `\p{Digit}` `\p{Alnum}` `\p{Upper}` `\p{Lower}` `\p{Punct}` `\p{Space}`
//     (and Blank, XDigit, Cntrl, ASCII, Graph, Print) → their US-ASCII classes, as Java defines them;
//   - a nested class is a union in Java (`[a-z[0-9]]`): flattened. So `[[:alpha:]]`, which is NOT a
//     POSIX class in Java, means the characters `:alph` as it does there (a note says so);
//   - `\Q…\E` quoting, `\A` at the start, `\z`/`\Z` at the end (the match is anchored anyway), `\e`, `\a`,
//     `\x{h…h}` and octal `\0ooo` (as `\uXXXX`).
// Anything else Java-only (blocks `\p{InGreek}`, `(?m)`, `(?x)`, `(?-i)`, `\G`, `\R`, `\h`, class
// intersection `&&`, a negated nested class, possessive quantifiers `a++`, atomic groups `(?>…)`…) is a problem: the pattern is refused, and the validator says why.

export interface JavaTranslation {
  /** JavaScript pattern source (not yet anchored). */
  source: string;
  /** The source uses `\p{…}`: compile with `u`. */
  unicode: boolean;
  /** A leading `(?s)`: compile with `s`. */
  dotAll: boolean;
  /** Java constructs left untranslated: the pattern cannot match as in Studio. */
  problems: string[];
  /** Translated, but likely not what the author meant (`[[:alpha:]]`). */
  notes: string[];
}

const POSIX: Record<string, string> = {
  Lower: 'a-z',
  Upper: 'A-Z',
  ASCII: '\\x00-\\x7F',
  Alpha: 'a-zA-Z',
  Digit: '0-9',
  Alnum: 'a-zA-Z0-9',
  Punct: '!-\\/:-@\\[-`{-~',
  Graph: '!-~',
  Print: ' -~',
  Blank: ' \\t',
  Cntrl: '\\x00-\\x1F\\x7F',
  XDigit: '0-9a-fA-F',
  Space: ' \\t\\n\\x0B\\f\\r',
};

const GENERAL_CATEGORIES = new Set(
  'L Lu Ll Lt Lm Lo LC M Mn Mc Me N Nd Nl No P Pc Pd Ps Pe Pi Pf Po S Sm Sc Sk So Z Zs Zl Zp C Cc Cf Cs Co Cn'.split(' '),
);
/** Java's `\p{IsX}` binary properties, as JavaScript names them. */
const BINARY: Record<string, string> = {
  alphabetic: 'Alphabetic',
  ideographic: 'Ideographic',
  letter: 'L',
  lowercase: 'Lowercase',
  uppercase: 'Uppercase',
  titlecase: 'Lt',
  punctuation: 'P',
  control: 'Cc',
  white_space: 'White_Space',
  whitespace: 'White_Space',
  digit: 'Nd',
  hex_digit: 'Hex_Digit',
  join_control: 'Join_Control',
  noncharacter_code_point: 'Noncharacter_Code_Point',
  assigned: 'Assigned',
};

/** JavaScript's own syntax characters: the only identity escapes the `u` flag allows (plus `-` in a class). */
const SYNTAX = new Set('^$\\.*+?()[]{}|/');

function compiles(source: string): boolean {
  try {
    new RegExp(source, 'u');
    return true;
  } catch {
    return false;
  }
}

/** A script name as JavaScript spells it (Java's are case-insensitive): `latin` → `Latin`, `OLD_ITALIC` → `Old_Italic`. */
function scriptProperty(name: string): string | null {
  const candidates = [name, name.split('_').map((w) => w.charAt(0).toUpperCase() + w.slice(1).toLowerCase()).join('_')];
  for (const c of candidates) if (/^\w+$/.test(c) && compiles(`\\p{sc=${c}}`)) return `sc=${c}`;
  return null;
}

/** The JavaScript property for a Java `\p{name}`, or null. */
function unicodeProperty(name: string): string | null {
  const eq = name.indexOf('=');
  if (eq > 0) {
    const kind = name.slice(0, eq).toLowerCase();
    const value = name.slice(eq + 1);
    if ((kind === 'gc' || kind === 'general_category') && GENERAL_CATEGORIES.has(value)) return value;
    if (kind === 'sc' || kind === 'script') return scriptProperty(value);
    return null;
  }
  if (GENERAL_CATEGORIES.has(name)) return name;
  if (name.startsWith('Is')) {
    const rest = name.slice(2);
    if (GENERAL_CATEGORIES.has(rest)) return rest;
    const binary = BINARY[rest.toLowerCase()];
    if (binary) return binary;
    return scriptProperty(rest);
  }
  return null;
}

/** A code point as a JavaScript escape: `\uXXXX`, or beyond the BMP `\u{…}`, which needs the `u` flag. */
function codePointEscape(code: number, out: JavaTranslation): string {
  if (code <= 0xffff) return `\\u${code.toString(16).padStart(4, '0')}`;
  out.unicode = true;
  return `\\u{${code.toString(16)}}`;
}

export function translateJavaRegex(pattern: string): JavaTranslation {
  const out: JavaTranslation = { source: '', unicode: false, dotAll: false, problems: [], notes: [] };
  const problem = (what: string) => {
    if (!out.problems.includes(what)) out.problems.push(what);
  };
  let src = '';
  let i = 0;
  const n = pattern.length;
  /** Open classes: for each, whether it was flattened into its parent (its `]` is dropped). */
  const classes: boolean[] = [];
  while (i < n) {
    const c = pattern[i]!;
    const inClass = classes.length > 0;
    if (c === '\\') {
      const e = pattern[i + 1] ?? '';
      if (e === 'p' || e === 'P') {
        let name: string;
        let len: number;
        if (pattern[i + 2] === '{') {
          const close = pattern.indexOf('}', i + 3);
          if (close < 0) {
            src += pattern.slice(i);
            break;
          }
          name = pattern.slice(i + 3, close);
          len = close + 1 - i;
        } else {
          name = pattern[i + 2] ?? '';
          len = 3;
        }
        const posix = POSIX[name];
        if (posix !== undefined) {
          if (e === 'p') src += inClass ? posix : `[${posix}]`;
          else if (!inClass) src += `[^${posix}]`;
          else problem(`\\P{${name}} inside a character class`);
        } else {
          const property = unicodeProperty(name);
          if (property === null) problem(`\\${e}{${name}}${name.startsWith('In') ? ' (Unicode blocks are not supported)' : ''}`);
          else {
            src += `\\${e}{${property}}`;
            out.unicode = true;
          }
        }
        i += len;
        continue;
      }
      if (e === 'Q') {
        const end = pattern.indexOf('\\E', i + 2);
        const quoted = pattern.slice(i + 2, end < 0 ? n : end);
        for (const q of quoted) src += SYNTAX.has(q) || (inClass && q === '-') ? `\\${q}` : q;
        i = end < 0 ? n : end + 2;
        continue;
      }
      if (e === 'A' && i === 0 && !inClass) {
        i += 2;
        continue;
      }
      if ((e === 'z' || e === 'Z') && i + 2 === n && !inClass) {
        i += 2;
        continue;
      }
      // Java's `\x{h…h}` (a code point in hex) and `\0ooo` (octal): JavaScript reads them as something else
      // (`x{…}` literally, a NUL then digits), so they never matched what they name.
      if (e === 'x' && pattern[i + 2] === '{') {
        const close = pattern.indexOf('}', i + 3);
        const hex = close < 0 ? '' : pattern.slice(i + 3, close);
        const code = /^[0-9a-fA-F]{1,6}$/.test(hex) ? parseInt(hex, 16) : NaN;
        if (code <= 0x10ffff) src += codePointEscape(code, out);
        else problem(`\\x{${hex}}`);
        i = close < 0 ? n : close + 1;
        continue;
      }
      if (e === '0') {
        const octal = /^(?:[0-3][0-7]{2}|[0-7]{1,2})/.exec(pattern.slice(i + 2, i + 5));
        if (octal) src += codePointEscape(parseInt(octal[0], 8), out);
        else problem('\\0 without an octal digit');
        i += 2 + (octal ? octal[0].length : 0);
        continue;
      }
      if (e === 'e') src += '\\x1B';
      else if (e === 'a') src += '\\x07';
      else if ('AzZGRXhHVNE'.includes(e) && e !== '') problem(`\\${e}`);
      else if (/[!-\/:-@\[-`{-~ ]/.test(e) && !SYNTAX.has(e) && !(inClass && e === '-')) src += e; // `\:` is just `:`
      else src += c + e;
      i += 2;
      continue;
    }
    if (inClass) {
      if (c === '[') {
        // A nested class is a union in Java: flatten it, unless it is negated.
        if (pattern[i + 1] === '^') problem('a negated class nested in a class');
        if (pattern[i + 1] === ':') {
          out.notes.push(`${pattern.slice(i, pattern.indexOf(']', i) + 1)} in a class is not a POSIX class in Java but the characters in it; for letters use \\p{Alpha}`);
        }
        classes.push(true);
        i += 1;
        continue;
      }
      if (c === '&' && pattern[i + 1] === '&') {
        problem('class intersection &&');
        i += 2;
        continue;
      }
      if (c === ']') {
        const flattened = classes.pop()!;
        if (!flattened) src += ']';
        i += 1;
        continue;
      }
      src += c;
      i += 1;
      continue;
    }
    if (c === '[') {
      classes.push(false);
      src += '[';
      i += 1;
      if (pattern[i] === '^') {
        src += '^';
        i += 1;
      }
      // A `]` first in a class is a literal in Java.
      if (pattern[i] === ']') {
        src += '\\]';
        i += 1;
      }
      continue;
    }
    if (c === '(' && pattern[i + 1] === '?') {
      // Java's atomic group, which JavaScript reads as a syntax error ("Invalid group"): named for what it is.
      if (pattern[i + 2] === '>') problem('atomic group (?>…)');
      const m = /^\(\?([a-zA-Z]*)(?:-([a-zA-Z]*))?\)/.exec(pattern.slice(i, i + 16));
      if (m) {
        const on = m[1] ?? '';
        const off = m[2] ?? '';
        for (const f of on) {
          if (f === 'i' || f === 'u') continue; // the operator ignores case already
          if (f === 's' && i === 0) out.dotAll = true;
          else problem(`inline flag (?${f})`);
        }
        if (off !== '') problem(`inline flag (?-${off})`);
        i += m[0].length;
        continue;
      }
    }
    // A possessive quantifier (`a++`, `a*+`, `a?+`, `a{2}+`): JavaScript reads the second `+` as "Nothing to repeat".
    if (!inClass && pattern[i + 1] === '+' && (c === '*' || c === '+' || c === '}' || (c === '?' && pattern[i - 1] !== '('))) problem(`possessive quantifier ${c}+`);
    src += c;
    i += 1;
  }
  out.source = src;
  return out;
}
