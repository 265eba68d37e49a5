// Saving a flow on the revision the editor loaded: the update carries If-Match with that revision,
// and the server refuses it (412, code 20412) when someone else saved the flow since, instead of the
// later save silently replacing the earlier one.
import { ApiError, type ApiClient, type FormFields } from '../api/client.ts';

export function postIfMatch<T>(api: ApiClient, path: string, form: FormFields, revision: number): Promise<T> {
  return api.request<T>('POST', path, form, undefined, { 'if-match': `"${revision}"` });
}

/** The revision someone else saved, when the save was refused for it; null for any other failure. */
export function conflictingRevision(error: unknown): number | null {
  if (!(error instanceof ApiError) || error.status !== 412) return null;
  const current = error.body.details?.current_revision;
  return typeof current === 'number' ? current : null;
}
