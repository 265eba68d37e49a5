// A URL with its secrets masked, for messages and `switchboard config`. A PostgreSQL (libpq) URL may
// carry the password in the query as well as in user:password@ (?password=…, ?sslpassword=…), and
// ?sslkey= names the client's private key: every such value is masked, the rest is shown as given.

export const URL_SECRET_MASK = '********';

/** Query parameters whose value is (or leads to) a secret. */
const SECRET_PARAMETER = /password|secret|token|^sslkey$/i;

function decoded(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

/** `url` with its userinfo password and secret query values masked; null when it is not a URL. */
export function maskUrlSecrets(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.password) parsed.password = URL_SECRET_MASK;
  // Replaced in the query text itself, so the other parameters keep their spelling.
  if (parsed.search) {
    parsed.search = parsed.search.slice(1).replace(/(^|&)([^=&]*)=([^&]*)/g, (whole, separator: string, name: string) =>
      SECRET_PARAMETER.test(decoded(name)) ? `${separator}${name}=${URL_SECRET_MASK}` : whole,
    );
  }
  return parsed.toString();
}
