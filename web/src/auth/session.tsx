// The signed-in account, kept in sessionStorage: it lasts for the browser tab and is gone when the
// tab closes, so a token is never left behind on a shared machine.
//
// A 401 in the middle of a session (the token was rotated, the account recreated) does not sign the
// user out: the page and any unsaved edits stay where they are, `refused` says the credentials were
// refused, and the shell asks to sign in again over the page (sign-in-again.tsx).
import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import { ApiClient, type Credentials } from '../api/client.ts';

const STORAGE_KEY = 'switchboard.credentials';

function load(): Credentials | null {
  try {
    const raw = sessionStorage.getItem(STORAGE_KEY);
    if (!raw) return null;
    const parsed = JSON.parse(raw) as Partial<Credentials>;
    return typeof parsed.accountSid === 'string' && typeof parsed.authToken === 'string'
      ? { accountSid: parsed.accountSid, authToken: parsed.authToken }
      : null;
  } catch {
    return null;
  }
}

/** no: all is well; asking: the server refused the credentials and the sign-in dialog is open; set aside: the user closed it. */
export type Refusal = 'no' | 'asking' | 'set-aside';

interface Session {
  credentials: Credentials | null;
  /** The account last signed out of in this tab: the page left on screen was its. */
  signedOutAccount: string | null;
  api: ApiClient | null;
  refused: Refusal;
  signIn(credentials: Credentials): void;
  signOut(): void;
  /** Opens (true) or closes (false) the sign-in-again dialog while the credentials are refused. */
  askAgain(open: boolean): void;
}

const SessionContext = createContext<Session | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<{ credentials: Credentials | null; refused: Refusal; signedOutAccount: string | null }>(() => ({
    credentials: load(),
    refused: 'no',
    signedOutAccount: null,
  }));
  const { credentials, refused, signedOutAccount } = state;
  const signOut = useCallback(() => {
    sessionStorage.removeItem(STORAGE_KEY);
    setState((s) => ({ credentials: null, refused: 'no', signedOutAccount: s.credentials?.accountSid ?? s.signedOutAccount }));
  }, []);
  const signIn = useCallback((next: Credentials) => {
    sessionStorage.setItem(STORAGE_KEY, JSON.stringify(next));
    setState((s) => ({ ...s, credentials: next, refused: 'no' }));
  }, []);
  const askAgain = useCallback(
    (open: boolean) => setState((s) => (s.refused === 'no' ? s : { ...s, refused: open ? 'asking' : 'set-aside' })),
    [],
  );
  // The client, and so every page using it, changes only with the credentials.
  const api = useMemo(() => {
    if (!credentials) return null;
    // Only a refusal of the credentials still in use counts: a late answer to a request sent with
    // the old ones after signing in again must not ask again. A dialog set aside stays aside.
    const onUnauthorized = () => setState((s) => (s.credentials === credentials && s.refused === 'no' ? { ...s, refused: 'asking' } : s));
    return new ApiClient(credentials, onUnauthorized);
  }, [credentials]);
  const session = useMemo<Session>(
    () => ({ credentials, signedOutAccount, api, refused, signIn, signOut, askAgain }),
    [credentials, signedOutAccount, api, refused, signIn, signOut, askAgain],
  );
  return <SessionContext.Provider value={session}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside SessionProvider');
  return session;
}

/** The API client of the signed-in account; only used under the signed-in part of the app. */
export function useApi(): ApiClient {
  const { api } = useSession();
  if (!api) throw new Error('not signed in');
  return api;
}
