// The flow page: canvas, property panel, simulator; save as draft or publish. Findings from the
// server's validator are refreshed as you edit and shown on the widget they belong to.
import { useCallback, useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { flushSync } from 'react-dom';
import { ReactFlowProvider, useReactFlow } from '@xyflow/react';
import { Link } from 'wouter';
import { WIDGET_SPECS } from '../../../src/definition/widget-specs.ts';
import { WIDGET_TYPES } from '../../../src/definition/types.ts';
import { ApiError, errorMessage } from '../api/client.ts';
import type { Execution, Flow, FlowDefinition, Step, ValidationReport, WidgetType } from '../api/types.ts';
import { useApi } from '../auth/session.tsx';
import { ChatPanel } from '../simulator/chat-panel.tsx';
import { PhonePanel } from '../simulator/phone-panel.tsx';
import { downloadJson, slug } from '../ui/format.ts';
import { useAsync } from '../ui/use-async.ts';
import { Dialog } from '../ui/dialog.tsx';
import { holdLeaveGuard } from '../ui/leave-guard.ts';
import { StatusBadge } from '../ui/status.tsx';
import { LoadProblem } from '../ui/problem-page.tsx';
import { Canvas } from './canvas.tsx';
import { addWidget, positionOf, selectionAfter } from './definition-ops.ts';
import { issuesByWidget, pathFromSteps, type PathHighlight } from './graph.ts';
import { PropertyForm } from './property-form.tsx';
import { useHistory } from './use-history.ts';
import { conflictingRevision, postIfMatch } from './save-request.ts';
import { freeSpot } from './placement.ts';
import { ownSteps } from '../executions/step-tree.ts';
import { widgetFamily } from './icons.tsx';

const ADDABLE = WIDGET_TYPES.filter((t) => t !== 'trigger' && WIDGET_SPECS[t].status !== 'legacy');
const FAMILY_NAMES = { flow: 'Flow control', messaging: 'Messaging', voice: 'Voice', tools: 'Tools & integrations', trigger: 'Trigger' } as const;

type Panel = 'properties' | 'chat' | 'phone';

const LEAVE_QUESTION = 'This flow has unsaved changes. Leave without saving them?';

/** Room a widget takes on the canvas before React Flow has measured it: the widest and a tall one. */
const UNMEASURED_WIDGET = { width: 340, height: 220 };

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

export function FlowEditorPage({ flowSid }: { flowSid: string }) {
  return (
    <ReactFlowProvider>
      <FlowEditor flowSid={flowSid} />
    </ReactFlowProvider>
  );
}

function FlowEditor({ flowSid }: { flowSid: string }) {
  const api = useApi();
  const flow = useAsync((signal) => api.get<Flow>(`/v2/Flows/${flowSid}`, signal), [flowSid]);
  const history = useHistory<FlowDefinition>();
  const definition = history.value;
  const setDefinition = history.set;
  /** The saved definition: the object loaded or sent (an unchanged editor holds that very object) and its JSON. */
  const [saved, setSaved] = useState<{ definition: FlowDefinition | null; json: string }>({ definition: null, json: '' });
  /** The revision the edits are based on: the one loaded or last saved here. A save names it in If-Match. */
  const [base, setBase] = useState(0);
  /** A save refused because someone else saved `current` since `base`; `status` is what was being saved. */
  const [conflict, setConflict] = useState<{ current: number; status: 'draft' | 'published' } | null>(null);
  /** A later definition found (after a pause in typing) to say the same as the saved one: typed and deleted again. */
  const [sameAsSaved, setSameAsSaved] = useState<FlowDefinition | null>(null);
  /** The definition object the report is known to belong to. */
  const validated = useRef<FlowDefinition | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  // Undo or redo of a rename: the selection follows the widget instead of naming one that is gone.
  const shownDefinition = useRef<FlowDefinition | null>(null);
  useEffect(() => {
    const previous = shownDefinition.current;
    shownDefinition.current = definition;
    if (definition) setSelected((name) => selectionAfter(previous, definition, name));
  }, [definition]);
  const [panel, setPanel] = useState<Panel>('properties');
  const [report, setReport] = useState<ValidationReport>({ valid: true, errors: [], warnings: [] });
  /** The definition (JSON) the report belongs to. */
  const [reportFor, setReportFor] = useState('');
  const [notice, setNotice] = useState<{ kind: 'info' | 'error'; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const [commitMessage, setCommitMessage] = useState('');
  const [addType, setAddType] = useState<WidgetType>('send-message');
  const [simPath, setSimPath] = useState<PathHighlight | null>(null);
  const [renaming, setRenaming] = useState(false);
  const reactFlow = useReactFlow();
  const canvasBox = useRef<HTMLDivElement>(null);
  /** This render's definition and saved state, for what runs later than the render (a save after its field commits). */
  const latest = useRef({ definition, saved });
  latest.current = { definition, saved };

  /** Starts editing a flow as loaded: a fresh history, and its revision as the base of the edits. */
  const adopt = useCallback(
    (loaded: Flow) => {
      if (!loaded.definition) return;
      history.reset(loaded.definition);
      const json = JSON.stringify(loaded.definition);
      setSaved({ definition: loaded.definition, json });
      setSameAsSaved(null);
      setReportFor(json);
      validated.current = loaded.definition;
      setReport({ valid: loaded.valid ?? true, errors: loaded.errors ?? [], warnings: loaded.warnings ?? [] });
      setBase(loaded.revision);
    },
    [history.reset],
  );

  useEffect(() => {
    if (flow.data) adopt(flow.data);
    // Only a newly loaded flow resets the history; saving keeps it.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [flow.data?.sid]);

  // Ctrl/Cmd+Z undoes, Ctrl/Cmd+Shift+Z or Ctrl+Y redoes — except while typing in a field, where the field's own undo applies.
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const target = event.target as HTMLElement | null;
      if (target && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName))) return;
      if (!(event.ctrlKey || event.metaKey)) return;
      const key = event.key.toLowerCase();
      if (key === 'z' && !event.shiftKey) history.undo();
      else if ((key === 'z' && event.shiftKey) || key === 'y') history.redo();
      else return;
      event.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [history.undo, history.redo]);

  // Cheap on every keystroke: an edit makes a new definition object; comparing contents waits for a
  // pause in typing (the validation timer below), a flow of hundreds of widgets being some 100 kB of JSON.
  const dirty = definition !== null && definition !== saved.definition && definition !== sameAsSaved;

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

  // A moment after the last edit (undoing back to the saved flow included): re-validate, and notice
  // an edit that came back to the saved flow.
  useEffect(() => {
    if (!definition || definition === validated.current) return;
    const timer = setTimeout(() => {
      const json = JSON.stringify(definition);
      if (json === saved.json) setSameAsSaved(definition);
      if (json === reportFor) {
        validated.current = definition;
        return;
      }
      api
        .post<ValidationReport>('/console/api/Validate', { Definition: json })
        .then((next) => {
          validated.current = definition;
          setReport(next);
          setReportFor(json);
        })
        .catch(() => undefined);
    }, 400);
    return () => clearTimeout(timer);
  }, [definition, reportFor, saved.json, api]);

  const issues = useMemo(() => (definition ? issuesByWidget(definition, report.errors, report.warnings) : null), [definition, report]);

  // The "Go to" list changes with names and findings, not with every keystroke in a property.
  const gotoKey = definition && issues ? definition.states.map((s) => `${s.name}${issues.byWidget.get(s.name)?.errors.length ? ' ⚠' : ''}`).join('\n') : '';
  const gotoOptions = useMemo(
    () =>
      gotoKey
        .split('\n')
        .filter(Boolean)
        .map((text) => {
          const name = text.replace(/ ⚠$/, '');
          return (
            <option key={name} value={name}>
              {text}
            </option>
          );
        }),
    [gotoKey],
  );

  const showError = useCallback((text: string) => setNotice({ kind: 'error', text }), []);

  /**
   * Saves the definition as a new revision, on the revision the edits are based on (or, to overwrite
   * after a conflict, on the newer one the user chose to replace). A field still being typed in
   * commits first, so what it holds is saved too.
   */
  const save = async (status: 'draft' | 'published', onRevision = base) => {
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
    setBusy(true);
    setNotice(null);
    setConflict(null);
    try {
      const fields = { Status: status, Definition: JSON.stringify(sent), CommitMessage: commitMessage || undefined };
      const updated = await postIfMatch<Flow>(api, `/v2/Flows/${flowSid}`, fields, onRevision);
      const json = JSON.stringify(updated.definition);
      setSaved({ definition: sent, json });
      setBase(updated.revision);
      setReportFor(json);
      setReport({ valid: updated.valid ?? true, errors: updated.errors ?? [], warnings: updated.warnings ?? [] });
      flow.set(updated);
      setCommitMessage('');
      setNotice({ kind: 'info', text: status === 'published' ? `Published revision ${updated.revision}.` : `Saved draft revision ${updated.revision}.` });
    } catch (caught) {
      const current = conflictingRevision(caught);
      if (current !== null) {
        setConflict({ current, status });
      } else if (caught instanceof ApiError && caught.body.details?.errors) {
        setReport({ valid: false, errors: caught.body.details.errors, warnings: report.warnings });
        setNotice({ kind: 'error', text: `Not saved: the flow has ${caught.body.details.errors.length} validation error(s), shown on their widgets.` });
      } else {
        setNotice({ kind: 'error', text: errorMessage(caught) });
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
      showError(errorMessage(caught));
    }
  };

  const add = () => {
    if (!definition) return;
    const box = canvasBox.current?.getBoundingClientRect();
    // The view above the minimap and zoom buttons in its bottom corners (when it is tall enough to spare them).
    const topLeft = box ? reactFlow.screenToFlowPosition({ x: box.left, y: box.top }) : null;
    const bottomRight = box ? reactFlow.screenToFlowPosition({ x: box.right, y: box.height > 400 ? box.bottom - 170 : box.bottom }) : null;
    const view = topLeft && bottomRight ? { x: topLeft.x, y: topLeft.y, width: bottomRight.x - topLeft.x, height: bottomRight.y - topLeft.y } : null;
    const near = view ? { x: view.x + view.width / 2, y: view.y + view.height / 3 } : { x: 0, y: 0 };
    // Each widget takes the room React Flow measured for it; one not measured yet, the most a widget takes.
    const taken = definition.states.map((state, index) => {
      const measured = reactFlow.getNode(state.name)?.measured;
      const size = measured?.width && measured.height ? { width: measured.width, height: measured.height } : UNMEASURED_WIDGET;
      return { ...positionOf(state, index), ...size };
    });
    const result = addWidget(definition, addType, freeSpot(taken, UNMEASURED_WIDGET, near, view));
    setDefinition(result.definition);
    setSelected(result.name);
    setPanel('properties');
  };

  const onSimSteps = useCallback(
    (steps: Step[], _execution: Execution | null) => {
      // Subflow steps are another flow's widgets: not on this canvas.
      setSimPath(steps.length > 0 && definition ? pathFromSteps(ownSteps(steps), definition.initial_state) : null);
    },
    [definition],
  );

  if (flow.error) return <LoadProblem what="flow" sid={flowSid} error={flow.error} status={flow.errorStatus} />;
  if (!flow.data || !definition || !issues) return <p className="page-pad muted">Loading flow…</p>;

  const selectedIndex = selected ? definition.states.findIndex((s) => s.name === selected) : -1;
  const selectedState = selectedIndex >= 0 ? definition.states[selectedIndex]! : null;
  const errorCount = report.errors.length;

  return (
    <div className="editor">
      <header className="editor-header">
        <div className="editor-title">
          <nav aria-label="Breadcrumb" className="breadcrumb">
            <Link href="/flows">Flows</Link> <span aria-hidden="true">/</span>
          </nav>
          <h1 className="clip" title={flow.data.friendly_name}>
            {flow.data.friendly_name}
          </h1>
          <button type="button" className="small-button" onClick={() => setRenaming(true)} aria-label="Rename flow">
            Rename
          </button>
          <StatusBadge status={flow.data.status} />
          <span className="muted small">rev {flow.data.revision}</span>
          {dirty && <span className="badge badge-warning">unsaved changes</span>}
          {errorCount > 0 && (
            <span className="badge badge-error" role="status">
              {errorCount} error{errorCount > 1 ? 's' : ''}
            </span>
          )}
        </div>
        <div className="editor-actions">
          <label className="visually-hidden" htmlFor="commit-message">
            Commit message
          </label>
          <input id="commit-message" className="commit-input" placeholder="Commit message (optional)" value={commitMessage} onChange={(e) => setCommitMessage(e.target.value)} />
          <button type="button" onClick={() => save('draft')} disabled={busy}>
            Save draft
          </button>
          <button type="button" className="primary" onClick={() => save('published')} disabled={busy}>
            Publish
          </button>
          <Link className="button" href={`/flows/${flowSid}/executions`}>
            Executions
          </Link>
          <Link className="button" href={`/flows/${flowSid}/revisions`}>
            Revisions
          </Link>
          <button type="button" onClick={() => downloadJson(`${slug(flow.data!.friendly_name)}.json`, definition)}>
            Export
          </button>
        </div>
      </header>
      <Dialog title="Rename flow" open={renaming} onClose={() => setRenaming(false)}>
        <RenameForm
          name={flow.data.friendly_name}
          onRename={async (friendlyName) => {
            // A rename is a new revision of the saved definition with the same status; unsaved edits stay unsaved.
            // It starts from the server's newest revision, so it needs no If-Match; the edits here stay
            // based on theirs unless the rename came right after it (then it holds the same definition).
            const updated = await api.post<Flow>(`/v2/Flows/${flowSid}`, { Status: flow.data!.status, FriendlyName: friendlyName, CommitMessage: 'Renamed' });
            flow.set({ ...updated, definition: flow.data!.definition });
            if (updated.revision === base + 1) setBase(updated.revision);
            setRenaming(false);
          }}
        />
      </Dialog>
      {conflict && (
        <div className="notice notice-error conflict" role="alert">
          <p>
            Not saved: someone else saved revision {conflict.current} of this flow since revision {base}, the one your changes are based on.
            Saving now would replace their changes with yours. Your changes are still here, unsaved.
          </p>
          <div className="row wrap">
            <button type="button" onClick={() => save(conflict.status, conflict.current)} disabled={busy}>
              {conflict.status === 'published' ? 'Publish anyway' : 'Save anyway'} (replace revision {conflict.current})
            </button>
            <button type="button" onClick={() => reload(conflict.current)}>
              Load revision {conflict.current} (discard your changes)
            </button>
            <a className="button" href={`/flows/${flowSid}/revisions`} target="_blank" rel="noopener noreferrer">
              Compare revisions (new tab)
            </a>
            <button type="button" onClick={() => downloadJson(`${slug(flow.data!.friendly_name)}-unsaved.json`, definition)}>
              Export your version
            </button>
          </div>
        </div>
      )}
      {notice && (
        <div className={`notice notice-${notice.kind}`} role={notice.kind === 'error' ? 'alert' : 'status'}>
          <span>{notice.text}</span>
          <button type="button" className="icon-button" aria-label="Dismiss" onClick={() => setNotice(null)}>
            ×
          </button>
        </div>
      )}
      {issues.flow.errors.length > 0 && (
        <ul className="notice notice-error issue-list" aria-label="Flow errors">
          {issues.flow.errors.map((issue, i) => (
            <li key={i}>{issue.message}</li>
          ))}
        </ul>
      )}
      <div className="editor-body">
        <div className="editor-toolbar" role="toolbar" aria-label="Canvas tools">
          <label className="field inline">
            <span className="field-label">Widget</span>
            <select aria-label="Widget type to add" value={addType} onChange={(e) => setAddType(e.target.value as WidgetType)}>
              {(['messaging', 'flow', 'tools', 'voice'] as const).map((family) => (
                <optgroup key={family} label={FAMILY_NAMES[family]}>
                  {ADDABLE.filter((t) => widgetFamily(t) === family).map((t) => (
                    <option key={t} value={t}>
                      {WIDGET_SPECS[t].label}
                    </option>
                  ))}
                </optgroup>
              ))}
            </select>
          </label>
          <button type="button" onClick={add}>
            Add widget
          </button>
          <button type="button" onClick={history.undo} disabled={!history.canUndo} aria-keyshortcuts="Control+Z">
            Undo
          </button>
          <button type="button" onClick={history.redo} disabled={!history.canRedo} aria-keyshortcuts="Control+Shift+Z">
            Redo
          </button>
          <label className="field inline">
            <span className="field-label">Go to</span>
            <select
              aria-label="Select a widget"
              value={selected ?? ''}
              onChange={(e) => {
                const name = e.target.value || null;
                // The canvas pans to the widget when it is off screen (canvas.tsx).
                setSelected(name);
                setPanel('properties');
              }}
            >
              <option value="">—</option>
              {gotoOptions}
            </select>
          </label>
        </div>
        <div className="canvas-box" ref={canvasBox}>
          <Canvas
            definition={definition}
            issues={issues.byWidget}
            path={panel !== 'properties' ? simPath : null}
            selected={selected}
            onSelect={(name) => {
              setSelected(name);
              if (name) setPanel('properties');
            }}
            onChange={setDefinition}
            onError={showError}
          />
        </div>
        <aside className="side-panel" aria-label="Side panel">
          <div className="tabs" role="tablist" aria-label="Side panel">
            <button type="button" role="tab" id="tab-properties" aria-selected={panel === 'properties'} aria-controls="panel-properties" onClick={() => setPanel('properties')}>
              Properties
            </button>
            <button type="button" role="tab" id="tab-chat" aria-selected={panel === 'chat'} aria-controls="panel-chat" onClick={() => setPanel('chat')}>
              Chat
            </button>
            <button type="button" role="tab" id="tab-phone" aria-selected={panel === 'phone'} aria-controls="panel-phone" onClick={() => setPanel('phone')}>
              Phone
            </button>
          </div>
          <div role="tabpanel" id="panel-properties" aria-labelledby="tab-properties" hidden={panel !== 'properties'} className="panel-scroll">
            {selectedState ? (
              <PropertyForm
                definition={definition}
                state={selectedState}
                stateIndex={selectedIndex}
                issues={issues.byWidget.get(selectedState.name) ?? { errors: [], warnings: [] }}
                readOnly={false}
                onChange={setDefinition}
                onSelect={setSelected}
                onError={showError}
              />
            ) : (
              <div className="empty-panel muted">
                <p>Select a widget on the canvas (or with “Go to”) to see and edit its properties.</p>
                <p className="small">
                  Drag from an event’s dot to another widget to connect them: the dot is below the event, or on the widget’s right edge
                  where its events are listed one per line, as on the Trigger. Select a widget or connection and press Delete to remove it.
                </p>
              </div>
            )}
          </div>
          <div role="tabpanel" id="panel-chat" aria-labelledby="tab-chat" hidden={panel !== 'chat'} className="panel-scroll">
            {panel === 'chat' && <ChatPanel flowSid={flowSid} onSteps={onSimSteps} onPublish={() => save('published')} flowRevision={flow.data.revision} flowStatus={flow.data.status} />}
          </div>
          <div role="tabpanel" id="panel-phone" aria-labelledby="tab-phone" hidden={panel !== 'phone'} className="panel-scroll">
            {panel === 'phone' && <PhonePanel flowSid={flowSid} onSteps={onSimSteps} onPublish={() => save('published')} flowRevision={flow.data.revision} flowStatus={flow.data.status} />}
          </div>
        </aside>
      </div>
    </div>
  );
}

function RenameForm({ name, onRename }: { name: string; onRename: (name: string) => Promise<void> }) {
  const [value, setValue] = useState(name);
  const [error, setError] = useState<string | null>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    try {
      await onRename(value.trim());
    } catch (caught) {
      setError(errorMessage(caught));
    }
  };
  return (
    <form className="stack" onSubmit={submit}>
      <label className="field">
        <span className="field-label">Name</span>
        <input name="friendlyName" required value={value} onChange={(e) => setValue(e.target.value)} autoFocus />
      </label>
      {error && (
        <p role="alert" className="error-text">
          {error}
        </p>
      )}
      <div className="row end">
        <button type="submit" className="primary">
          Rename
        </button>
      </div>
    </form>
  );
}
