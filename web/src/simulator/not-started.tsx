// Said in the simulator when a text or a call started no execution. The usual cause is a flow never
// published: live traffic runs the published revision, and only test users run the latest draft
// (the server's rule, src/runtime/sprints.ts Sprints.pickRevision). Both ways out are offered.
// Also said when a text ran but the flow's Trigger takes no messages, so it ended at once (the
// simulator's answer carries a notice saying so).
import { useEffect, useState } from 'react';
import type { Execution, Revision, Step } from '../api/types.ts';
import { useApi } from '../auth/session.tsx';
import { useAsync } from '../ui/use-async.ts';

/** What the Chat and Phone panels take. */
export interface SimulatorPanelProps {
  flowSid: string;
  onSteps?: (steps: Step[], execution: Execution | null) => void;
  /** Publishes the flow as it is in the editor (offered when a text or call starts nothing because it never was). */
  onPublish?: () => Promise<void>;
  /** The flow's latest revision and its status, as the page knows them: a publish from the header shows here. */
  flowRevision?: number;
  flowStatus?: string;
}

/**
 * Takes a "not started" notice away once the flow is published from elsewhere on the page (the
 * editor's Publish button): what it says (never published, publish or run the draft) is no longer so.
 */
export function useClearedOnPublish({ flowRevision, flowStatus }: Pick<SimulatorPanelProps, 'flowRevision' | 'flowStatus'>, clear: () => void): void {
  const published = flowStatus === 'published' ? (flowRevision ?? 0) : null;
  useEffect(() => {
    if (published !== null) clear();
    // Only a new published revision clears; `clear` is a state setter's wrapper.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [published]);
}

interface NotStartedProps {
  flowSid: string;
  contact: string;
  what: 'text' | 'call';
  onPublish?: () => Promise<void> | void;
  onRunDraft: () => Promise<void> | void;
  /** The server's notice that the flow's Trigger does not handle this kind of contact (it ran and ended at once). */
  triggerNotice?: string | undefined;
}

export function NotStartedNotice({ triggerNotice, ...props }: NotStartedProps) {
  // Publishing or running the draft would not help: the Trigger itself needs a connection.
  if (triggerNotice) {
    return (
      <p className="notice notice-error" role="alert">
        {triggerNotice}
      </p>
    );
  }
  return <UnpublishedNotice {...props} />;
}

function UnpublishedNotice({ flowSid, contact, what, onPublish, onRunDraft }: Omit<NotStartedProps, 'triggerNotice'>) {
  const api = useApi();
  const [busy, setBusy] = useState(false);
  const published = useAsync(
    () => api.all<Revision>(`/v2/Flows/${flowSid}/Revisions?PageSize=50`, 'revisions').then((revisions) => revisions.some((r) => r.status === 'published')),
    [flowSid],
  );
  if (published.data === undefined) return null;
  if (published.data) {
    return (
      <p className="notice notice-error" role="alert">
        No execution started for this {what}.
      </p>
    );
  }
  const run = async (action: () => Promise<void> | void) => {
    setBusy(true);
    try {
      await action();
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="notice notice-error not-started" role="alert">
      <p>
        No execution started: this flow has never been published, and {what}s run its published revision. Publish it, or run the latest draft for{' '}
        {contact} by making it a test user.
      </p>
      <div className="row wrap">
        {onPublish && (
          <button type="button" className="primary" disabled={busy} onClick={() => void run(onPublish)}>
            Publish the flow
          </button>
        )}
        <button type="button" disabled={busy} onClick={() => void run(onRunDraft)}>
          Run the draft for {contact}
        </button>
      </div>
    </div>
  );
}
