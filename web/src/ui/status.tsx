// The small pieces every page shows the same way: a status badge and an error notice.
import type { ReactNode } from 'react';

/** An execution's, flow's or revision's status, styled by its value (status-active, status-ended, …). */
export function StatusBadge({ status }: { status: string }) {
  return <span className={`status status-${status}`}>{status}</span>;
}

/**
 * A page-level error, announced to screen readers; nothing when there is none. `retry`: a failed load
 * (the server unreachable, restarting) offers to try again, so the page comes back without a browser reload.
 */
export function ErrorNotice({ error, retry }: { error: ReactNode | null | undefined; retry?: (() => void) | undefined }) {
  if (!error) return null;
  return (
    <p role="alert" className="notice notice-error">
      {error}
      {retry && (
        <>
          {' '}
          <button type="button" className="small-button" onClick={retry}>
            Try again
          </button>
        </>
      )}
    </p>
  );
}
