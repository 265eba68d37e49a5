// The error a simulator panel shows, and when it goes away by itself. One about the server rather
// than the request (it could not be reached, refused the credentials, failed) is over once the server
// answers again: the next request that succeeds, or the panel's stream opening again, takes it away.
// One about the request itself (a refused parameter) stays until the next action replaces it.
import { useCallback, useState } from 'react';
import { ApiError, UnreachableError, errorMessage } from '../api/client.ts';

/** What a panel says when its flow was deleted meanwhile (the API's 404), rather than "resource not found". */
export function flowGoneError(outcome: 'Not sent' | 'Not called'): Error {
  return new Error(`${outcome}: this flow no longer exists. It was deleted (in another tab, or over the API) while this page was open.`);
}

export interface PanelError {
  text: string;
  /** Said about the server, not the request: gone once it answers again. */
  passing: boolean;
}

/** Unreachable, credentials refused (signing in again clears it too), or the server's own failure. */
export function aboutTheServer(caught: unknown): boolean {
  return caught instanceof UnreachableError || (caught instanceof ApiError && (caught.status === 401 || caught.status >= 500));
}

export function usePanelError() {
  const [error, setError] = useState<PanelError | null>(null);
  /** Shows why `caught` failed. */
  const fail = useCallback((caught: unknown) => setError({ text: errorMessage(caught), passing: aboutTheServer(caught) }), []);
  /** The server answered: an error about it being away is over. */
  const recovered = useCallback(() => setError((shown) => (shown?.passing ? null : shown)), []);
  const clear = useCallback(() => setError(null), []);
  return { error: error?.text ?? null, fail, recovered, clear, setError };
}
