// Loads data for a component and reloads on demand; stale answers of earlier loads are dropped. A
// load that failed is tried again when the credentials change (signing in again after a refusal):
// what the old ones were refused is read with the new ones, not left saying "Authenticate".
import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError, errorMessage } from '../api/client.ts';
import { useSession } from '../auth/session.tsx';

export interface AsyncState<T> {
  data: T | undefined;
  error: string | null;
  /** The HTTP status of the API's refusal (404: no such thing), null when the error was no API answer. */
  errorStatus: number | null;
  loading: boolean;
  reload: () => void;
  set: (data: T) => void;
}

export function useAsync<T>(load: (signal: AbortSignal) => Promise<T>, deps: unknown[]): AsyncState<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<{ message: string; status: number | null } | null>(null);
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  const generation = useRef(0);
  useEffect(() => {
    const controller = new AbortController();
    const mine = ++generation.current;
    setLoading(true);
    load(controller.signal)
      .then((value) => {
        if (mine !== generation.current) return;
        setData(value);
        setError(null);
      })
      .catch((caught: unknown) => {
        if (mine !== generation.current || controller.signal.aborted) return;
        setError({ message: errorMessage(caught), status: caught instanceof ApiError ? caught.status : null });
      })
      .finally(() => {
        if (mine === generation.current) setLoading(false);
      });
    return () => controller.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  const { api } = useSession();
  const signedInWith = useRef(api);
  const failed = error !== null;
  useEffect(() => {
    if (signedInWith.current === api) return;
    signedInWith.current = api;
    if (failed && api) reload();
  }, [api, failed, reload]);
  return { data, error: error?.message ?? null, errorStatus: error?.status ?? null, loading, reload, set: setData };
}
