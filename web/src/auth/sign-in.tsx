// Sign in with the account SID and auth token the server prints at start-up (or TWILIO_ACCOUNT_SID
// / TWILIO_AUTH_TOKEN), or with an API key's SID and secret (`switchboard keys create`), as the API takes
// either pair in Basic auth. The pair is checked against the API before it is kept. The same form signs
// in again over the page when the server refuses the credentials mid-session (sign-in-again.tsx).
import { useEffect, useId, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { useLocation } from 'wouter';
import { ApiClient, ApiError, errorMessage } from '../api/client.ts';
import { useSession } from './session.tsx';
import { usePageTitle } from '../ui/page-title.ts';

export function SignInForm({ accountSid: fixedAccount, children }: { accountSid?: string; children?: ReactNode }) {
  const { signIn, signedOutAccount } = useSession();
  const [, navigate] = useLocation();
  const [accountSid, setAccountSid] = useState(fixedAccount ?? '');
  const [authToken, setAuthToken] = useState('');
  const [error, setError] = useState<string | null>(null);
  /** Whether the server refused the pair (not a failure to reach it): the fields are what is wrong. */
  const [refused, setRefused] = useState(false);
  const [busy, setBusy] = useState(false);
  const errorId = useId();
  const tokenField = useRef<HTMLInputElement>(null);
  const errorText = useRef<HTMLParagraphElement>(null);
  /** Bumped by each failed attempt, so that the same error said again moves focus again. */
  const [failures, setFailures] = useState(0);
  // A failed attempt takes focus where a screen reader reads why: a refused pair to the token field (invalid,
  // described by the error, ready to be typed again), anything else (the server unreachable) to the error itself.
  useEffect(() => {
    if (failures === 0) return;
    if (refused && tokenField.current) {
      tokenField.current.focus();
      tokenField.current.select();
    } else errorText.current?.focus();
  }, [failures]); // eslint-disable-line react-hooks/exhaustive-deps
  // The error is read with the fields, which are marked invalid when the pair was refused (signing in
  // again, only the token: the account is fixed).
  const errorProps = (editable: boolean) => ({ 'aria-describedby': error ? errorId : undefined, 'aria-invalid': (refused && editable) || undefined });

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    setRefused(false);
    const credentials = { accountSid: accountSid.trim(), authToken: authToken.trim() };
    try {
      await new ApiClient(credentials).get('/v2/Flows?PageSize=1');
      // The page left on screen at sign-out was that account's (its flow, its execution): another account
      // starts at its own flow list instead. The same account goes back to where it was, as signing in
      // again over the page (a fixed account) always does.
      if (fixedAccount === undefined && signedOutAccount !== null && signedOutAccount !== credentials.accountSid) navigate('/flows', { replace: true });
      signIn(credentials);
    } catch (caught) {
      const unauthorized = caught instanceof ApiError && caught.status === 401;
      setRefused(unauthorized);
      setError(unauthorized ? (credentials.accountSid.toUpperCase().startsWith('SK') ? 'That API key SID and secret do not match.' : 'That account SID and auth token do not match.') : errorMessage(caught));
      setFailures((n) => n + 1);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="stack sign-in-form" onSubmit={submit} aria-label="Sign in">
      {children}
      <label>
        Account SID or API key SID
        <input
          name="accountSid"
          autoComplete="username"
          required
          pattern="(AC|SK)[0-9a-fA-F]{32}"
          title="AC (an account) or SK (an API key) followed by 32 hexadecimal characters"
          value={accountSid}
          // Signing in again keeps the account: the page on screen belongs to it.
          readOnly={fixedAccount !== undefined}
          onChange={(e) => setAccountSid(e.target.value)}
          placeholder="AC… or SK…"
          autoFocus={fixedAccount === undefined}
          {...errorProps(fixedAccount === undefined)}
        />
      </label>
      <label>
        Auth token or API key secret
        <input
          ref={tokenField}
          name="authToken"
          type="password"
          autoComplete="current-password"
          required
          value={authToken}
          onChange={(e) => setAuthToken(e.target.value)}
          autoFocus={fixedAccount !== undefined}
          // In the sign-in-again dialog, where autoFocus comes too early (dialog.tsx).
          data-autofocus={fixedAccount !== undefined ? true : undefined}
          {...errorProps(true)}
        />
      </label>
      {error && (
        <p id={errorId} ref={errorText} tabIndex={-1} role="alert" className="error-text">
          {error}
        </p>
      )}
      {/* aria-disabled, not disabled: a disabled button would drop focus to <body> while the pair is checked. */}
      <button type="submit" className="primary" aria-disabled={busy}>
        {busy ? 'Signing in…' : 'Sign in'}
      </button>
    </form>
  );
}

export function SignIn() {
  usePageTitle(['Sign in']);
  return (
    <main className="sign-in">
      <div className="card sign-in-card">
        <SignInForm>
          <h1 id="sign-in-title">
            <span className="logo" aria-hidden="true" /> Switchboard
          </h1>
          <p className="muted">Sign in with your account SID and auth token, or an API key SID and its secret.</p>
        </SignInForm>
        <p className="muted small">The server prints the development account's credentials when it starts.</p>
      </div>
    </main>
  );
}
