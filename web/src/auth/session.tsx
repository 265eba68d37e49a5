// The signed-in account, kept in sessionStorage: it lasts for the browser tab and is gone when the
// tab closes, so a token is never left behind on a shared machine.
import { createContext, useContext, useMemo, useState, type ReactNode } from 'react';
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

interface Session {
  credentials: Credentials | null;
  api: ApiClient | null;
  signIn(credentials: Credentials): void;
  signOut(): void;
}

const SessionContext = createContext<Session | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [credentials, setCredentials] = useState<Credentials | null>(load);
  const session = useMemo<Session>(() => {
    const signOut = () => {
      sessionStorage.removeItem(STORAGE_KEY);
      setCredentials(null);
    };
    return {
      credentials,
      api: credentials ? new ApiClient(credentials, signOut) : null,
      signIn(next) {
        sessionStorage.setItem(STORAGE_KEY, JSON.stringify(next));
        setCredentials(next);
      },
      signOut,
    };
  }, [credentials]);
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
