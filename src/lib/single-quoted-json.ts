/**
 * Twilio's own API reference gives `Parameters={'name':'Zeke'}` (single-quoted, Python's repr of a dict) as the
 * example for Studio's JSON-in-form Parameters, so users copy it. Whether Twilio accepts it is unconfirmed;
 * we accept that one variant: single-quoted strings are rewritten as JSON strings, nothing else is relaxed.
 * Hand-written rather than json5 on purpose: json5 would also let through comments, unquoted keys, hex
 * numbers and Infinity, which no Twilio document shows and a strict JSON client would never send.
 */

/** `text` with its single-quoted strings rewritten as double-quoted JSON strings; null if it has none. */
export function singleQuotedToJson(text: string): string | null {
  let out = '';
  let changed = false;
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '"') {
      // A JSON string: copied as it is, escapes included.
      const start = i++;
      while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
      out += text.slice(start, ++i);
    } else if (c === "'") {
      changed = true;
      out += '"';
      i++;
      for (; i < text.length && text[i] !== "'"; i++) {
        const d = text[i]!;
        if (d === '\\' && text[i + 1] === "'") {
          out += "'";
          i++;
        } else if (d === '\\') {
          out += d + (text[i + 1] ?? '');
          i++;
        } else out += d === '"' ? '\\"' : d;
      }
      if (i >= text.length) return null; // never closed
      out += '"';
      i++;
    } else {
      out += c;
      i++;
    }
  }
  return changed ? out : null;
}
