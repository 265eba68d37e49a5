// The flow page: canvas, property panel, simulator; save as draft or publish. Findings from the
// server's validator are refreshed as you edit and shown on the widget they belong to.
import { useCallback, useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
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
import { addWidget, positionOf } from './definition-ops.ts';
import { issuesByWidget, pathFromSteps, type PathHighlight } from './graph.ts';
import { PropertyForm } from './property-form.tsx';
import { useHistory } from './use-history.ts';
import { ownSteps } from '../executions/step-tree.ts';
import { widgetFamily } from './icons.tsx';

const ADDABLE = WIDGET_TYPES.filter((t) => t !== 'trigger' && WIDGET_SPECS[t].status !== 'legacy');
const FAMILY_NAMES = { flow: 'Flow control', messaging: 'Messaging', voice: 'Voice', tools: 'Tools & integrations', trigger: 'Trigger' } as const;

type Panel = 'properties' | 'chat' | 'phone';

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
  /** A later definition found (after a pause in typing) to say the same as the saved one: typed and deleted again. */
  const [sameAsSaved, setSameAsSaved] = useState<FlowDefinition | null>(null);
  /** The definition object the report is known to belong to. */
  const validated = useRef<FlowDefinition | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
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

  useEffect(() => {
    if (!flow.data?.definition) return;
    history.reset(flow.data.definition);
    const json = JSON.stringify(flow.data.definition);
    setSaved({ definition: flow.data.definition, json });
    setReportFor(json);
    validated.current = flow.data.definition;
    setReport({ valid: flow.data.valid ?? true, errors: flow.data.errors ?? [], warnings: flow.data.warnings ?? [] });
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

  // Unsaved edits are not lost silently: closing the tab asks (beforeunload), and so do following a
  // link inside the console (caught before the router sees the click), the browser's Back and
  // Forward and signing out (leave-guard.ts).
  useEffect(() => {
    if (!dirty) return;
    const QUESTION = 'This flow has unsaved changes. Leave without saving them?';
    const warn = (event: BeforeUnloadEvent) => event.preventDefault();
    const onClick = (event: MouseEvent) => {
      const link = (event.target as Element | null)?.closest?.('a[href]');
      if (!link || link.getAttribute('target') === '_blank' || link.getAttribute('href')?.startsWith('#')) return;
      if (window.confirm(QUESTION)) return;
      event.preventDefault();
      event.stopPropagation();
    };
    const release = holdLeaveGuard(QUESTION);
    window.addEventListener('beforeunload', warn);
    document.addEventListener('click', onClick, true);
    return () => {
      release();
      window.removeEventListener('beforeunload', warn);
      document.removeEventListener('click', onClick, true);
    };
  }, [dirty]);

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

  const save = async (status: 'draft' | 'published') => {
    if (!definition) return;
    const sent = definition;
    setBusy(true);
    setNotice(null);
    try {
      const updated = await api.post<Flow>(`/v2/Flows/${flowSid}`, {
        Status: status,
        Definition: JSON.stringify(definition),
        CommitMessage: commitMessage || undefined,
      });
      const json = JSON.stringify(updated.definition);
      setSaved({ definition: sent, json });
      setReportFor(json);
      setReport({ valid: updated.valid ?? true, errors: updated.errors ?? [], warnings: updated.warnings ?? [] });
      flow.set(updated);
      setCommitMessage('');
      setNotice({ kind: 'info', text: status === 'published' ? `Published revision ${updated.revision}.` : `Saved draft revision ${updated.revision}.` });
    } catch (caught) {
      if (caught instanceof ApiError && caught.body.details?.errors) {
        setReport({ valid: false, errors: caught.body.details.errors, warnings: report.warnings });
        setNotice({ kind: 'error', text: `Not saved: the flow has ${caught.body.details.errors.length} validation error(s), shown on their widgets.` });
      } else {
        setNotice({ kind: 'error', text: errorMessage(caught) });
      }
    } finally {
      setBusy(false);
    }
  };

  const add = () => {
    if (!definition) return;
    const box = canvasBox.current?.getBoundingClientRect();
    const center = box ? reactFlow.screenToFlowPosition({ x: box.left + box.width / 2, y: box.top + box.height / 3 }) : { x: 0, y: 0 };
    // The free spot nearest the middle of the view, so the new widget does not sit on another one.
    const taken = definition.states.map((state, index) => positionOf(state, index));
    const free = (p: { x: number; y: number }) => !taken.some((t) => Math.abs(t.x - p.x) < 240 && Math.abs(t.y - p.y) < 150);
    const candidates = [];
    for (let ring = 0; ring <= 4; ring++) {
      for (let dx = -ring; dx <= ring; dx++) {
        for (let dy = -ring; dy <= ring; dy++) {
          if (Math.max(Math.abs(dx), Math.abs(dy)) === ring) candidates.push({ x: center.x + dx * 250, y: center.y + dy * 160 });
        }
      }
    }
    const spot = candidates.find(free) ?? center;
    const result = addWidget(definition, addType, spot);
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
            const updated = await api.post<Flow>(`/v2/Flows/${flowSid}`, { Status: flow.data!.status, FriendlyName: friendlyName, CommitMessage: 'Renamed' });
            flow.set({ ...updated, definition: flow.data!.definition });
            setRenaming(false);
          }}
        />
      </Dialog>
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
                <p className="small">Drag from an event at the bottom of a widget to another widget to connect them. Select a widget or connection and press Delete to remove it.</p>
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
