// JSON kept as TEXT read as jsonb inside a query. jsonb refuses two escapes that JSON.stringify writes
// and TEXT keeps: \u0000 (a NUL in a message, a parameter, an HTTP response; 22P05) and a lone
// surrogate's \udXXX (22P02). Both are read as \ufffd instead: still valid JSON whether or not the
// backslash before them is escaped, and the stored text is left as it was.

/** SQL: `column` with each \u0000 as \ufffd. */
function nulAsFffd(column: string): string {
  return `replace(${column}, '\\u0000', '\\ufffd')`;
}

/**
 * SQL: the JSON text in `column` as jsonb, without failing on a NUL or lone-surrogate escape. The
 * regular expression runs only on the rare value holding `\ud` (JSON.stringify writes its escapes in
 * lower case).
 */
export function jsonbOfText(column: string): string {
  const nul = nulAsFffd(column);
  return `(CASE WHEN strpos(${column}, '\\ud') > 0 THEN regexp_replace(${nul}, '\\\\u[dD][89a-fA-F][0-9a-fA-F]{2}', '\\\\ufffd', 'g') ELSE ${nul} END)::jsonb`;
}
