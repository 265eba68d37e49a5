// Saving a flow on the revision the editor loaded: the update carries If-Match with that revision,
// and the server refuses it (412, code 20412) when someone else saved the flow since, instead of the
// later save silently replacing the earlier one. The API client takes no extra headers, so this
// sends the request the way it does.
import { ApiError, UnreachableError, consoleHeaders, encodeForm, relativeUrl, type ApiClient, type FormFields } from '../api/client.ts';
import type { TwilioErrorBody } from '../api/types.ts';

export async function postIfMatch<T>(api: ApiClient, path: string, form: FormFields, revision: number): Promise<T> {
  const headers = {
    ...consoleHeaders(api.credentials),
    accept: 'application/json',
    'content-type': 'application/x-www-form-urlencoded',
    'if-match': `"${revision}"`,
  };
  let response: Response;
  try {
    response = await fetch(relativeUrl(path), { method: 'POST', headers, body: encodeForm(form) });
  } catch {
    throw new UnreachableError();
  }
  const text = await response.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = { message: text.slice(0, 200) };
  }
  if (!response.ok) {
    // The sign-in was refused: a read through the client lets it react as it does (sign in again).
    if (response.status === 401) await api.get(path).catch(() => undefined);
    throw new ApiError(response.status, (body ?? {}) as TwilioErrorBody);
  }
  return body as T;
}

/** The revision someone else saved, when the save was refused for it; null for any other failure. */
export function conflictingRevision(error: unknown): number | null {
  if (!(error instanceof ApiError) || error.status !== 412) return null;
  const current = error.body.details?.current_revision;
  return typeof current === 'number' ? current : null;
}
