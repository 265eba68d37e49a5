// A page that could not be shown (no such flow, execution or console page; the server unreachable):
// says what happened under a heading and offers a way back, instead of one red line.
import type { ReactNode } from 'react';
import { Link } from 'wouter';
import { usePageTitle } from './page-title.ts';

export function ProblemPage({ title, children, back = { href: '/flows', label: 'Back to the flow list' } }: { title: string; children?: ReactNode; back?: { href: string; label: string } }) {
  usePageTitle([title]);
  return (
    <main className="page problem-page">
      <h1>{title}</h1>
      {children}
      <p>
        <Link href={back.href}>{back.label}</Link>
      </p>
    </main>
  );
}

/** What a failed load of one thing (a flow, an execution) shows: not found, or why it failed. */
export function LoadProblem({
  what,
  sid,
  error,
  status,
  back,
  where = 'in this account',
  notFound,
  retry,
}: {
  what: string;
  sid: string;
  error: string;
  status: number | null;
  back?: { href: string; label: string };
  /** Where it was looked for: an execution is read through its flow, so one of another flow is not "in this flow". */
  where?: ReactNode;
  /** What else the 404 may mean, after "There is no … <where>." */
  notFound?: ReactNode;
  /** Loads it again: a failure other than "not found" (the server unreachable, restarting) may pass. */
  retry?: () => void;
}) {
  if (status === 404) {
    return (
      <ProblemPage title={`${what[0]!.toUpperCase()}${what.slice(1)} not found`} back={back}>
        <p>
          There is no {what} <code className="sid">{sid}</code> {where}. {notFound ?? 'It may have been deleted, or the link is wrong.'}
        </p>
      </ProblemPage>
    );
  }
  return (
    <ProblemPage title={`The ${what} could not be loaded`} back={back}>
      <p role="alert" className="error-text">
        {error}
      </p>
      {retry && (
        <p>
          <button type="button" onClick={retry}>
            Try again
          </button>
        </p>
      )}
    </ProblemPage>
  );
}
