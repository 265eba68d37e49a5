// HTTP Basic credentials, as the REST API (account SID or API key) and flow webhooks (local tools) take them.

/** Basic credentials; the scheme name is case-insensitive (RFC 7235 section 2.1). */
export function parseBasicAuth(header: string | undefined): { username: string; password: string } | null {
  const match = header ? /^basic +(\S*)\s*$/i.exec(header) : null;
  if (!match) return null;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return null;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}
