// Shown over the page when the server refuses the signed-in credentials mid-session (a rotated
// token): says so, and signs in again without leaving the page, so unsaved edits survive. Closing
// it leaves the page as it is (to export a flow, say); the top bar keeps a way back to it.
import { Dialog } from '../ui/dialog.tsx';
import { confirmLeave } from '../ui/leave-guard.ts';
import { SignInForm } from './sign-in.tsx';
import { useSession } from './session.tsx';

export function SignInAgainDialog() {
  const { credentials, refused, askAgain, signOut } = useSession();
  if (!credentials) return null;
  return (
    <Dialog title="Sign in again" open={refused === 'asking'} onClose={() => askAgain(false)}>
      <SignInForm key={credentials.authToken} accountSid={credentials.accountSid}>
        <p role="alert" className="notice notice-error">
          {credentials.accountSid.toUpperCase().startsWith('SK')
            ? 'The server refused this API key (it may have been deleted, or its account). Sign in again to carry on, or sign out and use another key: this page and its unsaved changes stay as they are.'
            : "The server refused this account's credentials (the auth token may have been rotated). Sign in again to carry on: this page and its unsaved changes stay as they are."}
        </p>
      </SignInForm>
      <p className="muted small">
        Another account?{' '}
        <button type="button" className="link-button" onClick={() => confirmLeave() && signOut()}>
          Sign out
        </button>
      </p>
    </Dialog>
  );
}

/** The top bar's reminder once the dialog is closed. */
export function RefusedBadge() {
  const { refused, askAgain } = useSession();
  if (refused !== 'set-aside') return null;
  return (
    <span className="refused" role="status">
      Credentials refused
      <button type="button" className="small-button" onClick={() => askAgain(true)}>
        Sign in again
      </button>
    </span>
  );
}
