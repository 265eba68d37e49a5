// The edits against the saved flow: the revision they are based on, whether anything is unsaved,
// saving a draft or publishing on that revision (If-Match), a refusal because someone else saved
// since (the conflict, and loading theirs), renaming, and asking before unsaved edits are left. The
// validator's report (use-validation.ts) is part of it: a load or a save brings the server's own.
import { useCallback, useEffect, useRef, useState } from 'react';
import { flushSync } from 'react-dom';
import { ApiError, errorMessage } from '../api/client.ts';
import type { Flow, FlowDefinition, FlowStatus, ValidationReport } from '../api/types.ts';
import { useApi } from '../auth/session.tsx';
import { holdLeaveGuard } from '../ui/leave-guard.ts';
import type { AsyncState } from '../ui/use-async.ts';
import { conflictingRevision, postIfMatch } from './save-request.ts';
import type { History } from './use-history.ts';
import { reportOf, useValidation } from './use-validation.ts';

export interface Notice {
  kind: 'info' | 'error';
  text: string;
}

/** A save refused because someone else saved `current` since the base; `status` is what was being saved. */
export interface Conflict {
  current: number;
  status: FlowStatus;
}

export interface FlowDraft {
  /** The revision the edits are based on: the one loaded or last saved here. A save names it in If-Match. */
  base: number;
  conflict: Conflict | null;
  /** The definition differs from the saved one (as far as known: contents are compared after a pause in typing). */
  dirty: boolean;
  /** A save is under way: Save draft and Publish are aria-disabled, and save ignores them. */
  busy: boolean;
  report: ValidationReport;
  commitMessage: string;
  setCommitMessage: (message: string) => void;
  /** Saves as a new revision on the base (or, to overwrite after a conflict, on the revision named). */
  save: (status: FlowStatus, onRevision?: number) => Promise<void>;
  /** Loads the revision someone else saved, discarding the edits here once the user agrees. */
  reload: (revision: number) => Promise<void>;
  /** Renames the flow; throws what the server refused. */
  rename: (friendlyName: string) => Promise<void>;
}

const LEAVE_QUESTION = 'This flow has unsaved changes. Leave without saving them?';

/**
 * Blurs the field being typed in, so that its own commit (the widget name and JSON fields apply on
 * blur) lands before a save or a departure reads the definition; flushSync renders that commit at
 * once. Focus goes back to the field when it is still there, so typing can go on.
 */
function commitFocusedField(): void {
  const active = document.activeElement;
  if (!(active instanceof HTMLElement)) return;
  if (!(active.tagName === 'INPUT' || active.tagName === 'TEXTAREA' || active.isContentEditable)) return;
  flushSync(() => active.blur());
  if (active.isConnected) active.focus({ preventScroll: true });
}

export function useFlowDraft(flowSid: string, flow: AsyncState<Flow>, history: History<FlowDefinition>, setNotice: (notice: Notice | null) => void): FlowDraft {
  const api = useApi();
  const definition = history.value;
  /** The saved definition: the object loaded or sent (an unchanged editor holds that very object) and its JSON. */
  const [saved, setSaved] = useState<{ definition: FlowDefinition | null; json: string }>({ definition: null, json: '' });
  const [base, setBase] = useState(0);
  const [conflict, setConflict] = useState<Conflict | null>(null);
  /** A later definition found (after a pause in typing) to say the same as the saved one: typed and deleted again. */
  const [sameAsSaved, setSameAsSaved] = useState<FlowDefinition | null>(null);
  const [busy, setBusy] = useState(false);
  const [commitMessage, setCommitMessage] = useState('');
  /** This render's definition and saved state, for what runs later than the render (a save after its field commits). */
  const latest = useRef({ definition, saved });
  latest.current = { definition, saved };

  /** The validator's pause notices an edit that came back to the saved flow. */
  const onPause = useCallback(
    (paused: FlowDefinition, json: string) => {
      if (json === saved.json) setSameAsSaved(paused);
    },
    [saved.json],
  );
  const validation = useValidation(definition, onPause);
  const { show } = validation;

  /** Starts editing a flow as loaded: a fresh history, and its revision as the base of the edits. */
  const adopt = useCallback(
    (loaded: Flow) => {
      if (!loaded.definition) return;
      history.reset(loaded.definition);
      const json = JSON.stringify(loaded.definition);
      setSaved({ definition: loaded.definition, json });
      setSameAsSaved(null);
      show(reportOf(loaded), json, loaded.definition);
      setBase(loaded.revision);
    },
    [history.reset, show],
  );

  useEffect(() => {
    if (flow.data) adopt(flow.data);
    // Only a newly loaded flow resets the history; saving keeps it.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [flow.data?.sid]);

  // Unsaved edits are not lost silently: closing the tab, following a link inside the console, the
  // browser's Back and Forward and signing out ask first (leave-guard.ts). Whether there is anything
  // to lose is decided then, after the field being typed in has committed what it holds.
  useEffect(
    () =>
      holdLeaveGuard(LEAVE_QUESTION, () => {
        commitFocusedField();
        const { definition: now, saved: last } = latest.current;
        return now !== null && now !== last.definition && JSON.stringify(now) !== last.json;
      }),
    [],
  );

  // Cheap on every keystroke: an edit makes a new definition object; comparing contents waits for a
  // pause in typing (the validator's), a flow of hundreds of widgets being some 100 kB of JSON.
  const dirty = definition !== null && definition !== saved.definition && definition !== sameAsSaved;

  /**
   * Saves the definition as a new revision, on the revision the edits are based on (or, to overwrite
   * after a conflict, on the newer one the user chose to replace). A field still being typed in
   * commits first, so what it holds is saved too.
   */
  const save = async (status: FlowStatus, onRevision = base) => {
    if (busy) return;
    commitFocusedField();
    // A field whose text could not be applied (invalid JSON, an unusable widget name) would be left out
    // of the save without a word: stop, and take the user to it.
    const unapplied = document.querySelector<HTMLElement>('[data-not-applied="true"]');
    if (unapplied) {
      const input = unapplied.matches('input, textarea') ? unapplied : unapplied.querySelector<HTMLElement>('input, textarea');
      const label = (input?.id ? document.querySelector(`label[for="${CSS.escape(input.id)}"]`)?.textContent?.trim() : undefined) || 'a field';
      setNotice({ kind: 'error', text: `Not saved: ${label} holds a value that is not applied. Correct it (or press Escape in it) and save again.` });
      input?.focus();
      return;
    }
    const sent = latest.current.definition;
    if (!sent) return;
    // Nothing changed since the latest revision (saved or loaded here): another Save draft would add an identical
    // revision, and a published one has nothing to publish. A draft is still published, and a conflict's overwrite goes on.
    const loaded = flow.data;
    const unchanged = loaded !== undefined && onRevision === base && base === loaded.revision && (sent === latest.current.saved.definition || JSON.stringify(sent) === latest.current.saved.json);
    if (unchanged && (status === 'draft' || loaded.status === 'published')) {
      setNotice({ kind: 'info', text: status === 'draft' ? `No changes to save: this is revision ${base}, as saved.` : `No changes to publish: revision ${base} is published.` });
      return;
    }
    setBusy(true);
    setNotice(null);
    setConflict(null);
    try {
      const fields = { Status: status, Definition: JSON.stringify(sent), CommitMessage: commitMessage || undefined };
      const updated = await postIfMatch<Flow>(api, `/v2/Flows/${flowSid}`, fields, onRevision);
      const json = JSON.stringify(updated.definition);
      setSaved({ definition: sent, json });
      setBase(updated.revision);
      show(reportOf(updated), json);
      flow.set(updated);
      setCommitMessage('');
      setNotice({ kind: 'info', text: status === 'published' ? `Published revision ${updated.revision}.` : `Saved draft revision ${updated.revision}.` });
    } catch (caught) {
      const current = conflictingRevision(caught);
      if (current !== null) {
        setConflict({ current, status });
      } else if (caught instanceof ApiError && caught.status === 404) {
        // The flow is gone: there is nothing left to save to, but the edits here are not lost yet.
        setNotice({
          kind: 'error',
          text: 'Not saved: this flow has been deleted (in another tab, or over the API). Your changes are still here: use Export to keep them, then Import JSON on the flow list makes a new flow of them.',
        });
      } else if (caught instanceof ApiError && caught.body.details?.errors) {
        validation.refuse(caught.body.details.errors);
        setNotice({ kind: 'error', text: `Not saved: the flow has ${caught.body.details.errors.length} validation error(s), shown on their widgets.` });
      } else {
        // Whatever went wrong (the server away, a 429), the notice starts with what it means for the edits.
        const why = errorMessage(caught);
        setNotice({ kind: 'error', text: `Not saved: ${why}${/[.!?]$/.test(why) ? '' : '.'} Your changes are still here.` });
      }
    } finally {
      setBusy(false);
    }
  };

  /** Someone else saved since: their revision replaces the edits here, once the user agrees to lose them. */
  const reload = async (revision: number) => {
    if (!window.confirm(`Load revision ${revision} and discard your unsaved changes?`)) return;
    try {
      const fresh = await api.get<Flow>(`/v2/Flows/${flowSid}`);
      flow.set(fresh);
      adopt(fresh);
      setConflict(null);
      setNotice({ kind: 'info', text: `Loaded revision ${fresh.revision}.` });
    } catch (caught) {
      setNotice({ kind: 'error', text: errorMessage(caught) });
    }
  };

  const rename = async (friendlyName: string) => {
    const loaded = flow.data!;
    // A rename is a new revision of the saved definition with the same status; unsaved edits stay unsaved.
    // It starts from the server's newest revision, so it needs no If-Match; the edits here stay
    // based on theirs unless the rename came right after it (then it holds the same definition).
    const updated = await api.post<Flow>(`/v2/Flows/${flowSid}`, { Status: loaded.status, FriendlyName: friendlyName, CommitMessage: 'Renamed' });
    flow.set({ ...updated, definition: loaded.definition });
    if (updated.revision === base + 1) setBase(updated.revision);
  };

  return { base, conflict, dirty, busy, report: validation.report, commitMessage, setCommitMessage, save, reload, rename };
}
