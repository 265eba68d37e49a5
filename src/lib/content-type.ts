// The parts of a Content-Type header both the API (request bodies) and the outbound HTTP client
// (response bodies) read.

/**
 * The charset parameter of a Content-Type, unquoted and trimmed (`text/plain; charset="iso-8859-1"` →
 * `iso-8859-1`), or undefined when there is none. An empty one (`charset=`, `charset=""`, a lone `"`) is
 * none, and a quoted value runs to its closing quote or the end, as WHATWG's MIME type parsing reads them.
 */
export function charsetOf(contentType: string | undefined): string | undefined {
  for (const parameter of (contentType ?? '').split(';').slice(1)) {
    const eq = parameter.indexOf('=');
    if (eq === -1 || parameter.slice(0, eq).trim().toLowerCase() !== 'charset') continue;
    let value = parameter.slice(eq + 1).trim();
    if (value.startsWith('"')) value = value.slice(1, value.length > 1 && value.endsWith('"') ? -1 : undefined).trim();
    return value === '' ? undefined : value;
  }
  return undefined;
}
