// The flow page: canvas, property panel, simulator; save as draft or publish (use-flow-draft.ts).
// Findings from the server's validator (use-validation.ts) are refreshed as you edit and shown on
// the widget they belong to; the side panel's tabs are simulator-panels.tsx.
import { useCallback, useEffect, useId, useMemo, useRef, useState, type FormEvent } from 'react';
import { ReactFlowProvider, useReactFlow } from '@xyflow/react';
import { PendingEdits, withPending } from './pending-edits.ts';
import { Link } from 'wouter';
import { NEW_WIDGET_TYPES, WIDGET_SPECS } from '../../../src/definition/widget-specs.ts';
import { ApiError, errorMessage } from '../api/client.ts';
import type { Flow, FlowDefinition, WidgetType } from '../api/types.ts';
import { useApi } from '../auth/session.tsx';
import { downloadJson, slug } from '../ui/format.ts';
import { useAsync } from '../ui/use-async.ts';
import { Dialog } from '../ui/dialog.tsx';
import { StatusBadge } from '../ui/status.tsx';
import { LoadProblem } from '../ui/problem-page.tsx';
import { usePageTitle } from '../ui/page-title.ts';
import { Canvas } from './canvas.tsx';
import { addWidget, positionOf, selectionAfter, widgetStepped } from './definition-ops.ts';
import { gotoOrder } from './goto-order.ts';
import { PanelBelowHint } from './panel-below-hint.tsx';
import { issuesByWidget, pathFromSteps, type PathHighlight } from './graph.ts';
import { PropertyForm } from './property-form.tsx';
import { useHistory } from './use-history.ts';
import { useFlowDraft, type Notice } from './use-flow-draft.ts';
import { NO_STEPS, SimulatorPanels, type Panel, type SimulatorSteps } from './simulator-panels.tsx';
import { freeSpot } from './placement.ts';
import { ownSteps } from '../executions/step-tree.ts';
import { widgetFamily } from './icons.tsx';

const FAMILY_NAMES = { flow: 'Flow control', messaging: 'Messaging', voice: 'Voice', tools: 'Tools & integrations', trigger: 'Trigger' } as const;

/** Room a widget takes on the canvas before React Flow has measured it: the widest and a tall one. */
const UNMEASURED_WIDGET = { width: 340, height: 220 };

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
  const [selected, setSelected] = useState<string | null>(null);
  // Undo or redo selects the widget it changed, which brings it into view (a widget deleted and brought back
  // may be far off screen); one that only took widgets away keeps the selection, following a rename
  // instead of naming a widget that is gone.
  const shownDefinition = useRef<FlowDefinition | null>(null);
  const stepped = useRef(false);
  const { undo: undoStep, redo: redoStep, canUndo, canRedo } = history;
  const undo = useCallback(() => {
    if (!canUndo) return;
    stepped.current = true;
    undoStep();
  }, [undoStep, canUndo]);
  const redo = useCallback(() => {
    if (!canRedo) return;
    stepped.current = true;
    redoStep();
  }, [redoStep, canRedo]);
  useEffect(() => {
    const previous = shownDefinition.current;
    shownDefinition.current = definition;
    const step = stepped.current;
    stepped.current = false;
    if (!definition) return;
    const changed = step && previous ? widgetStepped(previous, definition) : null;
    setSelected((name) => changed ?? selectionAfter(previous, definition, name));
  }, [definition]);
  const [notice, setNotice] = useState<Notice | null>(null);
  // Signed in again (new credentials make a new client): an error about the old ones no longer holds.
  useEffect(() => setNotice((shown) => (shown?.kind === 'error' ? null : shown)), [api]);
  const { base, conflict, dirty, busy, report, commitMessage, setCommitMessage, save, reload, rename } = useFlowDraft(flowSid, flow, history, setNotice);
  const [panel, setPanel] = useState<Panel>('properties');
  const [addType, setAddType] = useState<WidgetType>('send-message');
  /** The steps each simulator shows (the canvas highlights those of the one shown). */
  const [simSteps, setSimSteps] = useState<SimulatorSteps>(NO_STEPS);
  const [renaming, setRenaming] = useState(false);
  /** Fields holding text they apply only when left (pending-edits.ts): something to save the definition does not show yet. */
  const [pending, setPending] = useState<ReadonlySet<string>>(() => new Set());
  const reportPending = useCallback((id: string, isPending: boolean) => setPending((current) => withPending(current, id, isPending)), []);
  const reactFlow = useReactFlow();
  const canvasBox = useRef<HTMLDivElement>(null);
  const editorBody = useRef<HTMLDivElement>(null);
  /** The "Go to" list: where focus goes when the widget whose panel had it is deleted. */
  const gotoList = useRef<HTMLSelectElement>(null);
  // A flow that could not be loaded shows a ProblemPage, which names itself.
  usePageTitle(flow.error ? null : [flow.data?.friendly_name ?? 'Flow']);

  // Ctrl/Cmd+Z undoes, Ctrl/Cmd+Shift+Z or Ctrl+Y redoes — except while typing in a field, where the field's own undo applies.
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const target = event.target as HTMLElement | null;
      if (target && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName))) return;
      if (!(event.ctrlKey || event.metaKey)) return;
      const key = event.key.toLowerCase();
      if (key === 'z' && !event.shiftKey) undo();
      else if ((key === 'z' && event.shiftKey) || key === 'y') redo();
      else return;
      event.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [undo, redo]);

  const issues = useMemo(() => (definition ? issuesByWidget(definition, report.errors, report.warnings) : null), [definition, report]);

  // The "Go to" list changes with names and findings, not with every keystroke in a property.
  const gotoKey = definition && issues ? gotoOrder(definition.states).map((s) => `${s.name}${issues.byWidget.get(s.name)?.errors.length ? ' ⚠' : ''}`).join('\n') : '';
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

  const shownSteps = panel === 'properties' ? null : simSteps[panel];
  // Subflow steps are another flow's widgets: not on this canvas.
  const simPath = useMemo<PathHighlight | null>(
    () => (shownSteps && shownSteps.length > 0 && definition ? pathFromSteps(ownSteps(shownSteps), definition.initial_state) : null),
    [shownSteps, definition],
  );

  if (flow.error) return <LoadProblem what="flow" sid={flowSid} error={flow.error} status={flow.errorStatus} retry={flow.reload} />;
  if (!flow.data || !definition || !issues)
    return (
      <main className="page-pad">
        <p className="muted">Loading flow…</p>
      </main>
    );

  const selectedIndex = selected ? definition.states.findIndex((s) => s.name === selected) : -1;
  const selectedState = selectedIndex >= 0 ? definition.states[selectedIndex]! : null;
  const errorCount = report.errors.length;
  // Nothing to save while the definition here is the latest revision's (saved or loaded here, no edit since):
  // another Save draft would only add an identical revision. Publish still publishes a latest revision that
  // is a draft (never published, or drafts ahead of the published one), and has nothing to do once it is published.
  const upToDate = !dirty && pending.size === 0 && base === flow.data.revision;
  const saveBlocked = upToDate ? `No changes to save: this is revision ${flow.data.revision}, as saved.` : null;
  const publishBlocked = upToDate && flow.data.status === 'published' ? `No changes to publish: revision ${flow.data.revision} is published.` : null;

  // The page's main landmark: its header is the flow's, not a second banner beside the console's top bar.
  return (
    <PendingEdits.Provider value={reportPending}>
      <main className="editor">
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
            {/* Kept in the page, so that a count appearing or changing is announced. */}
            <span role="status">
              {errorCount > 0 && (
                <span className="badge badge-error">
                  {errorCount} error{errorCount > 1 ? 's' : ''}
                </span>
              )}
            </span>
          </div>
          <div className="editor-actions">
            {/* Its label shown beside it: a placeholder alone is gone once one types. */}
            <label className="field-label" htmlFor="commit-message">
              Commit message
            </label>
            <input id="commit-message" className="commit-input" placeholder="optional" value={commitMessage} onChange={(e) => setCommitMessage(e.target.value)} />
            {/* aria-disabled while saving or with nothing to save, not disabled: a disabled button loses focus (to <body>) the moment
                a save succeeds; save ignores clicks while busy, and with nothing to save once the field being typed in is applied
                (a click that leaves focus in it, as Safari's, does not blur it first). The reason is the button's tooltip and description. */}
            <button
              type="button"
              onClick={() => save('draft')}
              aria-disabled={busy || saveBlocked !== null}
              title={saveBlocked ?? undefined}
              aria-describedby={saveBlocked ? 'save-draft-why' : undefined}
            >
              Save draft
            </button>
            <button
              type="button"
              className="primary"
              onClick={() => save('published')}
              aria-disabled={busy || publishBlocked !== null}
              title={publishBlocked ?? undefined}
              aria-describedby={publishBlocked ? 'publish-why' : undefined}
            >
              Publish
            </button>
            <span id="save-draft-why" className="visually-hidden">
              {saveBlocked}
            </span>
            <span id="publish-why" className="visually-hidden">
              {publishBlocked}
            </span>
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
              await rename(friendlyName);
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
              <button type="button" onClick={() => save(conflict.status, conflict.current)} aria-disabled={busy}>
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
        {notice?.kind === 'error' && (
          <div className="notice notice-error" role="alert">
            <span>{notice.text}</span>
            <button type="button" className="icon-button" aria-label="Dismiss" onClick={() => setNotice(null)}>
              ×
            </button>
          </div>
        )}
        {/* A live region announces what changes in it: it stays in the page, its text comes and goes. */}
        <div className="notice-region" role="status">
          {notice?.kind === 'info' && (
            <div className="notice notice-info">
              <span>{notice.text}</span>
              <button type="button" className="icon-button" aria-label="Dismiss" onClick={() => setNotice(null)}>
                ×
              </button>
            </div>
          )}
        </div>
        {issues.flow.errors.length > 0 && (
          <ul className="notice notice-error issue-list" aria-label="Flow errors">
            {issues.flow.errors.map((issue, i) => (
              <li key={i}>{issue.message}</li>
            ))}
          </ul>
        )}
        <div className="editor-body" ref={editorBody}>
          {/* A labelled group, not a toolbar: a toolbar promises arrow keys between its controls, and Tab moves through these. */}
          <div className="editor-toolbar" role="group" aria-label="Canvas tools">
            <label className="field inline">
              <span className="field-label">Widget</span>
              <select className="widget-type-select" aria-label="Widget type to add" value={addType} onChange={(e) => setAddType(e.target.value as WidgetType)}>
                {(['messaging', 'flow', 'tools', 'voice'] as const).map((family) => (
                  <optgroup key={family} label={FAMILY_NAMES[family]}>
                    {NEW_WIDGET_TYPES.filter((t) => widgetFamily(t) === family).map((t) => (
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
            <button type="button" onClick={undo} disabled={!history.canUndo} aria-keyshortcuts="Control+Z">
              Undo
            </button>
            <button type="button" onClick={redo} disabled={!history.canRedo} aria-keyshortcuts="Control+Shift+Z">
              Redo
            </button>
            <label className="field inline">
              <span className="field-label">Go to</span>
              <select
                ref={gotoList}
                aria-label="Go to widget"
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
              path={simPath}
              selected={selected}
              onSelect={(name) => {
                setSelected(name);
                if (name) setPanel('properties');
              }}
              onChange={setDefinition}
              onError={showError}
            />
          </div>
          <SimulatorPanels
            panel={panel}
            onPanel={setPanel}
            onSteps={setSimSteps}
            onPublish={() => save('published')}
            flowSid={flowSid}
            flowRevision={flow.data.revision}
            flowStatus={flow.data.status}
            properties={
              selectedState ? (
                <PropertyForm
                  definition={definition}
                  state={selectedState}
                  stateIndex={selectedIndex}
                  issues={issues.byWidget.get(selectedState.name) ?? { errors: [], warnings: [] }}
                  readOnly={false}
                  onChange={setDefinition}
                  onSelect={setSelected}
                  onError={showError}
                  onDeleted={() => gotoList.current?.focus()}
                />
              ) : (
                <div className="empty-panel muted">
                  <p>Select a widget on the canvas (or with “Go to”) to see and edit its properties.</p>
                  <p className="small">
                    Drag from an event’s dot to another widget to connect them: the dot is below the event, or on the widget’s right edge
                    where its events are listed one per line, as on the Trigger. Select a widget or connection and press Delete to remove it.
                  </p>
                </div>
              )
            }
          />
          <PanelBelowHint body={editorBody} widget={panel === 'properties' && selectedState ? selectedState.name : null} />
        </div>
      </main>
    </PendingEdits.Provider>
  );
}

function RenameForm({ name, onRename }: { name: string; onRename: (name: string) => Promise<void> }) {
  const [value, setValue] = useState(name);
  const [error, setError] = useState<string | null>(null);
  /** Whether the server refused the name (not a failure to reach it). */
  const [refused, setRefused] = useState(false);
  const errorId = useId();
  const field = useRef<HTMLInputElement>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    // A blank name (spaces are trimmed) is said here, in words, rather than sent for the API's 400.
    if (value.trim() === '') {
      setError('Enter a name for the flow: it cannot be blank.');
      setRefused(true);
      field.current?.focus();
      return;
    }
    try {
      await onRename(value.trim());
    } catch (caught) {
      setError(errorMessage(caught));
      setRefused(caught instanceof ApiError && caught.status === 400);
    }
  };
  return (
    // noValidate: the browser's own bubble for an empty field is not read with the field; the form says it instead.
    <form className="stack" onSubmit={submit} noValidate>
      <label className="field">
        <span className="field-label">Name</span>
        <input
          ref={field}
          name="friendlyName"
          required
          value={value}
          onChange={(e) => setValue(e.target.value)}
          aria-invalid={refused || undefined}
          aria-describedby={error ? errorId : undefined}
          data-autofocus
        />
      </label>
      {error && (
        <p id={errorId} role="alert" className="error-text">
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
