// One execution: its step timeline (live while it is active), the path it took highlighted on the
// canvas of the revision it ran, each step's context and the execution context as JSON trees.
import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { Link, useSearch } from 'wouter';
import { ReactFlowProvider } from '@xyflow/react';
import { ApiError, LIST_LIMIT, errorMessage } from '../api/client.ts';
import type { Execution, Flow, Revision, Step, StepContext } from '../api/types.ts';
import { useApi, useSession } from '../auth/session.tsx';
import { Canvas } from '../editor/canvas.tsx';
import { pathFromSteps } from '../editor/graph.ts';
import { useLiveEvents } from '../simulator/use-live.ts';
import { formatDate } from '../ui/format.ts';
import { formatTime, showsDay } from '../ui/dates.ts';
import { JsonTree } from '../ui/json-tree.tsx';
import { ReplayPanel } from './replay-panel.tsx';
import { useAsync } from '../ui/use-async.ts';
import { ErrorNotice, StatusBadge } from '../ui/status.tsx';
import { LoadProblem } from '../ui/problem-page.tsx';
import { usePageTitle } from '../ui/page-title.ts';
import { FlowBreadcrumb } from '../flows/flow-breadcrumb.tsx';
import { alertsUrl, mergeAlerts, readAlerts, rereadSince, type AlertPage, type ExecutionAlerts } from './alerts.ts';
import { ownSteps, stepTree, type StepNode } from './step-tree.ts';
import { failureText, stepFailures, type StepFailure } from './step-failure.ts';
import { useFlowList } from '../flows/use-flow-names.ts';
import { executionsListHref } from './list-link.ts';
import { endedHow, endedSentence, waitingAt, type EndedHow, type EndReasonResponse, type Waiting } from './waiting.ts';

function StepContextView({ flowSid, step }: { flowSid: string; step: Step }) {
  const api = useApi();
  const context = useAsync(
    (signal) => api.get<StepContext>(`/v2/Flows/${flowSid}/Executions/${step.execution_sid}/Steps/${step.sid}/Context`, signal),
    [flowSid, step.sid],
  );
  if (context.error) return <p className="error-text">{context.error}</p>;
  if (!context.data) return <p className="muted small">Loading context…</p>;
  return <JsonTree value={context.data.context} label="context" openDepth={2} />;
}

/** A re-read of an execution's alerts waits this long after the step (or end) that asked for it, and others wait for it. */
const ALERTS_REREAD_MS = 1000;

/**
 * This execution's alerts: read once, then, as `changes` says steps arrived or the status moved, read
 * again (only the recent ones, see alerts.ts) at most once a second: steps come in bursts, and the
 * alerts a sprint raised are written with its steps.
 */
function useExecutionAlerts(executionSid: string, changes: string): { alerts: ExecutionAlerts | undefined; error: string | null } {
  const api = useApi();
  const [result, setResult] = useState<{ alerts: ExecutionAlerts | undefined; error: string | null }>({ alerts: undefined, error: null });
  type Reader = { sid: string; known: ExecutionAlerts | null; busy: boolean; again: boolean; timer: ReturnType<typeof setTimeout> | null; closed: boolean; seen: string };
  const reader = useRef<Reader | null>(null);

  const read = async (r: Reader) => {
    // One read at a time; what arrives meanwhile is read once it is done.
    if (r.busy) {
      r.again = true;
      return;
    }
    r.busy = true;
    try {
      do {
        r.again = false;
        const got = await readAlerts((url) => api.get<AlertPage>(url), alertsUrl(r.sid, rereadSince(r.known)));
        if (r.closed) return;
        r.known = mergeAlerts(r.known, got, r.sid);
        setResult({ alerts: r.known, error: null });
      } while (r.again && !r.closed);
    } catch (caught) {
      if (!r.closed) setResult((current) => ({ alerts: current.alerts, error: errorMessage(caught) }));
    } finally {
      r.busy = false;
    }
  };

  useEffect(() => {
    const r: Reader = { sid: executionSid, known: null, busy: false, again: false, timer: null, closed: false, seen: changes };
    reader.current = r;
    setResult({ alerts: undefined, error: null });
    void read(r);
    return () => {
      r.closed = true;
      if (r.timer) clearTimeout(r.timer);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [api, executionSid]);

  useEffect(() => {
    const r = reader.current;
    if (!r || r.closed || r.seen === changes) return;
    r.seen = changes;
    // A re-read already due will see these steps too.
    if (r.timer) return;
    r.timer = setTimeout(() => {
      r.timer = null;
      void read(r);
    }, ALERTS_REREAD_MS);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [changes]);

  return result;
}

/** Why an execution stopped or what went wrong on the way: its Monitor alerts (step limits, failed requests…). */
function AlertList({ executionSid, alerts, error }: { executionSid: string; alerts: ExecutionAlerts | undefined; error: string | null }) {
  if (error) return <p className="error-text">Alerts could not be read: {error}</p>;
  if (!alerts || alerts.alerts.length === 0) return null;
  return (
    <section className="card alerts" aria-labelledby="alerts-title">
      <h2 id="alerts-title">
        Alerts ({alerts.alerts.length}
        {alerts.truncated ? ', the newest' : ''})
      </h2>
      {alerts.truncated && (
        <p className="muted small">
          Older ones are not shown: <code>/v1/Alerts?ResourceSid={executionSid}</code> lists them all.
        </p>
      )}
      <ul className="alert-list">
        {alerts.alerts.map((alert) => (
          <li key={alert.sid} className={`alert-item alert-${alert.level}`}>
            <span className={`badge ${alert.level === 'error' ? 'badge-error' : 'badge-warning'}`}>{alert.level}</span>{' '}
            <a href={alert.moreInfo} target="_blank" rel="noreferrer" className="alert-code">
              {alert.code}
            </a>{' '}
            <span className="alert-message">{alert.message}</span>
            {alert.widget && (
              <span className="muted small">
                {' '}
                · widget <code>{alert.widget}</code>
              </span>
            )}{' '}
            <time className="muted small" dateTime={alert.date}>
              {formatDate(alert.date)}
            </time>
          </li>
        ))}
      </ul>
    </section>
  );
}

const STEP_SUMMARY = '.timeline-item > details > summary';

/**
 * The step list is one Tab stop (a roving tabindex): Up and Down, Home and End move between its
 * steps, so Tab goes on to the canvas and the rest of the page instead of through every step.
 */
function moveAmongSteps(event: KeyboardEvent<HTMLElement>) {
  const target = event.target as HTMLElement;
  if (!target.matches(STEP_SUMMARY)) return;
  const all = [...event.currentTarget.querySelectorAll<HTMLElement>(STEP_SUMMARY)];
  const at = all.indexOf(target);
  const to = { ArrowDown: at + 1, ArrowUp: at - 1, Home: 0, End: all.length - 1 }[event.key];
  if (to === undefined || at < 0) return;
  event.preventDefault();
  all[Math.max(0, Math.min(all.length - 1, to))]?.focus();
}

function Timeline({
  nodes,
  depth,
  flowSid,
  openStep,
  tabStop,
  selectedWidget,
  subflowName,
  failures,
  withDay,
  onOpen,
  onFocusStep,
}: {
  nodes: StepNode<Step>[];
  /** The steps that failed (step-failure.ts), marked in words and an icon, not by colour alone. */
  failures: Map<string, StepFailure>;
  /** The steps that show their date as well as their time: the first, and each on a new day (showsDay). */
  withDay: Set<string>;
  depth: number;
  flowSid: string;
  openStep: string | null;
  /** The one step summary in the Tab order. */
  tabStop: string | null;
  selectedWidget: string | null;
  subflowName: (step: Step, depth: number) => string;
  onOpen: (step: Step, open: boolean, own: boolean) => void;
  onFocusStep: (sid: string) => void;
}) {
  return (
    <ol className={depth === 0 ? 'timeline-list' : 'timeline-list subflow-steps'}>
      {nodes.map(({ step, number, subflow }) => {
        const failure = failures.get(step.sid);
        return (
          <li
            key={step.sid}
            className={`timeline-item ${depth === 0 && selectedWidget === step.transitioned_from ? 'is-selected' : ''} ${failure ? 'is-failed' : ''}`}
          >
            <details open={openStep === step.sid} onToggle={(e) => onOpen(step, (e.currentTarget as HTMLDetailsElement).open, depth === 0)}>
              <summary tabIndex={step.sid === tabStop ? 0 : -1} aria-describedby={step.sid === tabStop ? 'timeline-keys' : undefined} onFocus={() => onFocusStep(step.sid)}>
                <span className="timeline-index">{number}</span>
                <span className="step-from">{step.transitioned_from}</span>
                <span className="step-event">{step.name}</span>
                <span className="step-to">→ {step.transitioned_to}</span>
                {failure && (
                  <span className="step-failed" title={failure.alerts.map((alert) => `${alert.code}: ${alert.message}`).join('\n') || undefined}>
                    <span aria-hidden="true">⚠ </span>Failed
                    {failureText(failure) && <span className="step-failed-why">: {failureText(failure)}</span>}
                  </span>
                )}
                <time className="muted small" dateTime={step.date_created} title={formatDate(step.date_created)}>
                  {withDay.has(step.sid) ? formatDate(step.date_created) : formatTime(step.date_created)}
                </time>
              </summary>
              {openStep === step.sid && <StepContextView flowSid={flowSid} step={step} />}
            </details>
            {subflow.length > 0 && (
              <section className="subflow" aria-label={`Subflow ${subflowName(step, depth)}`}>
                <div className="subflow-title small">
                  ↳ Subflow <strong>{subflowName(step, depth)}</strong> <span className="muted">run by {step.transitioned_to}</span>
                </div>
                <Timeline
                  nodes={subflow}
                  depth={depth + 1}
                  flowSid={flowSid}
                  openStep={openStep}
                  tabStop={tabStop}
                  selectedWidget={selectedWidget}
                  subflowName={subflowName}
                  failures={failures}
                  withDay={withDay}
                  onOpen={onOpen}
                  onFocusStep={onFocusStep}
                />
              </section>
            )}
          </li>
        );
      })}
    </ol>
  );
}

/** An active execution's widget and what it waits for; an ended one's end, when the steps tell who ended it (the simulators say it too). */
export function WhereItStands({ waiting, ended, endedHere }: { waiting: Waiting | null; ended: EndedHow | null; endedHere: boolean }) {
  if (waiting) {
    const why = [waiting.what && `for ${waiting.what}`, waiting.until && `timeout at about ${formatDate(waiting.until.toISOString())}`].filter(Boolean).join('; ');
    return (
      <p className="execution-state" data-testid="execution-state">
        Waiting at <code>{waiting.widget}</code>
        {waiting.subflowPath.length > 0 && (
          <>
            {' '}
            in the subflow run by <code>{waiting.subflowPath.join(' › ')}</code>
          </>
        )}
        {why && ` (${why})`}
      </p>
    );
  }
  if (endedHere) return <p className="execution-state" data-testid="execution-state">Ended manually, with End execution on this page.</p>;
  if (!ended) return null;
  const sentence = endedSentence(ended);
  if (sentence !== null) {
    return (
      <p className={`execution-state ${ended.kind === 'completed' ? 'muted' : ''}`} data-testid="execution-state">
        {sentence}
      </p>
    );
  }
  if (ended.kind === 'call-ended') {
    return (
      <p className="execution-state" data-testid="execution-state">
        Ended with its call, at <code>{ended.widget}</code>.
      </p>
    );
  }
  if (ended.kind !== 'outside') return null;
  // Without the server's end reason (it could not be read), manual and expired ends look alike: this is what the steps tell.
  return (
    <p className="execution-state" data-testid="execution-state">
      Ended while waiting at <code>{ended.widget}</code>, not by the flow: by the End button or the API{ended.call ? ', or the call ended' : ''} (or on reaching its maximum age).
    </p>
  );
}

export function ExecutionPage({ flowSid, executionSid }: { flowSid: string; executionSid: string }) {
  const api = useApi();
  const { credentials } = useSession();
  const base = `/v2/Flows/${flowSid}/Executions/${executionSid}`;
  const flow = useAsync((signal) => api.get<Flow>(`/v2/Flows/${flowSid}`, signal), [flowSid]);
  const execution = useAsync((signal) => api.get<Execution>(base, signal), [base]);
  const steps = useAsync(() => api.allOf<Step>(`${base}/Steps?PageSize=200`, 'steps'), [base]);
  const revision = useAsync(
    (signal) => (execution.data ? api.get<Revision>(`/v2/Flows/${flowSid}/Revisions/${execution.data.flow_version}`, signal) : Promise.resolve(null)),
    [flowSid, execution.data?.flow_version],
  );
  const revisions = useAsync(() => api.all<Revision>(`/v2/Flows/${flowSid}/Revisions?PageSize=200`, 'revisions'), [flowSid]);
  /** Deleted while this page was open (in another tab, over the API): the stream said so, or End found it gone. */
  const [endFoundGone, setEndFoundGone] = useState(false);
  const [streamSaidGone, setStreamSaidGone] = useState(false);
  const gone = endFoundGone || streamSaidGone;
  const live = useLiveEvents(execution.data?.status === 'active' && !gone ? `/console/api/Flows/${flowSid}/Executions/${executionSid}/Events` : null, credentials);
  // Kept here once said: the stream is closed then, and a stream opened later starts without it. A stream
  // that (re)connects to find the execution gone (deleted while the server was away) is refused 404.
  const saidGone = live.deleted.has(executionSid) || live.connection === 'gone';
  useEffect(() => {
    if (saidGone) setStreamSaidGone(true);
  }, [saidGone]);
  const [openStep, setOpenStep] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [selectedWidget, setSelectedWidget] = useState<string | null>(null);
  const [focusStep, setFocusStep] = useState<string | null>(null);
  const [endedHere, setEndedHere] = useState(false);
  const listHref = executionsListHref(flowSid, useSearch());

  // The stream's word is the newer one, unless this page has just ended the execution itself (the
  // stream stops then, its last word may still say active).
  const streamed = live.executions.get(executionSid);
  const current: Execution | undefined = streamed && execution.data?.status !== 'ended' ? streamed : execution.data;
  const allSteps = useMemo(() => {
    const bySid = new Map<string, Step>();
    for (const step of [...(steps.data?.items ?? []), ...live.steps]) bySid.set(step.sid, step);
    return [...bySid.values()].sort((a, b) => Date.parse(a.date_created) - Date.parse(b.date_created));
  }, [steps.data, live.steps]);
  // Read again as steps arrive and when the execution ends while the page is open: the alert saying why comes with the end.
  const alerts = useExecutionAlerts(executionSid, `${current?.status ?? ''}|${allSteps.length}`);
  // Who ended it (the End button or the API, its maximum age, an error): the console asks the server, once it has ended.
  const endReason = useAsync(
    (signal) =>
      current?.status === 'ended' ? api.get<EndReasonResponse>(`/console/api/Flows/${flowSid}/Executions/${executionSid}/EndReason`, signal) : Promise.resolve(null),
    [flowSid, executionSid, current?.status],
  );
  const definition = revision.data?.definition ?? null;
  // The canvas is this flow's: its path leaves out the steps its subflows took.
  const path = useMemo(() => (definition ? pathFromSteps(ownSteps(allSteps), definition.initial_state) : null), [allSteps, definition]);
  const tree = useMemo(() => stepTree(allSteps), [allSteps]);
  const withDay = useMemo(() => {
    const shows = showsDay(allSteps.map((step) => step.date_created));
    return new Set(allSteps.filter((_, i) => shows[i]).map((step) => step.sid));
  }, [allSteps]);
  const failures = useMemo(() => stepFailures(allSteps, alerts.alerts?.alerts ?? []), [allSteps, alerts.alerts]);
  const tabStop = allSteps.some((step) => step.sid === focusStep) ? focusStep : (openStep ?? allSteps[0]?.sid ?? null);
  const waiting = useMemo(() => (current?.status === 'active' && !gone ? waitingAt(allSteps, definition) : null), [current?.status, gone, allSteps, definition]);
  // An active execution opens the canvas on the widget it waits at (a subflow's: on the Run Subflow widget
  // running it), and follows it as steps arrive, until a widget is chosen here (a step opened, a click).
  // Once it waits nowhere (it ended), the widget it waited at is no longer shown as the chosen one.
  const waitingWidget = waiting ? (waiting.subflowPath[0] ?? waiting.widget) : null;
  const followed = useRef<string | null>(null);
  useEffect(() => {
    if (selectedWidget !== followed.current || followed.current === waitingWidget) return;
    followed.current = waitingWidget;
    setSelectedWidget(waitingWidget);
  }, [waitingWidget, selectedWidget]);
  // An ended execution opens the canvas on where it stopped, as an active one opens on where it waits (without
  // choosing that widget): the last widget of this flow's own path.
  const stoppedAt = useMemo(() => {
    if (current?.status === 'active' && !gone) return null;
    const last = ownSteps(allSteps).at(-1);
    if (!last || !definition) return null;
    const names = new Set(definition.states.map((state) => state.name));
    return [last.transitioned_to, last.transitioned_from].find((name) => names.has(name)) ?? null;
  }, [current?.status, gone, allSteps, definition]);
  // Without the server's reason (while it is read, or if it cannot be), only once the alerts are read: an end they explain is not one from outside the flow.
  const alertsRead = alerts.alerts?.alerts ?? (alerts.error ? [] : null);
  const reason = endReason.data?.end_reason ?? null;
  // Its answer from before the end (null) does not count: it is read again once the status says ended.
  const reasonSettled = endReason.data?.status === 'ended' || endReason.error !== null;
  const ended = current?.status === 'ended' && (reason || reasonSettled) ? endedHow(allSteps, alertsRead, current.context, reason) : null;
  const ranSubflow = allSteps.some((step) => step.parent_step_sid);
  const flows = useFlowList(ranSubflow);
  /** What a subflow entered by `step` is called: its flow's name when the Run Subflow widget is this flow's. */
  const subflowName = (step: Step, depth: number): string => {
    const widget = depth === 0 ? definition?.states.find((state) => state.name === step.transitioned_to) : undefined;
    const sid = typeof widget?.properties?.flow_sid === 'string' ? widget.properties.flow_sid : null;
    const flow = sid ? flows?.find((f) => f.sid === sid) : undefined;
    return flow?.friendly_name ?? sid ?? step.transitioned_to;
  };

  const end = async () => {
    // An ended execution cannot be resumed: ask first, as deleting a flow does.
    if (!window.confirm('End this execution? It stops where it is and cannot be resumed.')) return;
    try {
      const ended = await api.post<Execution>(base, { Status: 'ended' });
      setEndedHere(true);
      execution.set(ended);
      // The live stream stops with the execution: the steps that came over it are read again.
      steps.reload();
    } catch (caught) {
      if (caught instanceof ApiError && caught.status === 404) setEndFoundGone(true);
      else setError(errorMessage(caught));
    }
  };

  // A page that could not be loaded shows a ProblemPage, which names itself.
  usePageTitle(flow.errorStatus === 404 || execution.error ? null : [`Execution ${executionSid}`, flow.data?.friendly_name]);

  if (flow.errorStatus === 404) return <LoadProblem what="flow" sid={flowSid} error={flow.error ?? ''} status={404} />;
  if (execution.error) {
    const back = { href: listHref, label: "Back to the flow's executions" };
    // Executions are read through their flow: a 404 from a flow that exists says the execution is not this flow's.
    const where = flow.data ? (
      <>
        in the flow <strong>{flow.data.friendly_name}</strong>
      </>
    ) : (
      'in this flow'
    );
    const notFound = 'It may belong to another flow (the link names the wrong one), have been deleted, or the link is wrong.';
    // Trying again reads what failed (the flow and the steps too, when the server was away for them as well).
    const retry = () => {
      for (const load of [flow, execution, steps, revisions]) if (load.error) load.reload();
    };
    return (
      <LoadProblem what="execution" sid={executionSid} error={execution.error} status={execution.errorStatus} back={back} where={where} notFound={notFound} retry={retry} />
    );
  }
  if (!current) return <p className="page-pad muted">Loading execution…</p>;

  return (
    <main className="page execution-page">
      <header className="page-header">
        <div>
          <FlowBreadcrumb flowSid={flowSid} flowName={flow.data?.friendly_name} trail={[{ href: listHref, label: 'Executions' }]} />
          <h1>
            Execution <code className="sid">{current.sid}</code>
          </h1>
          <dl className="facts">
            <div>
              <dt>Status</dt>
              <dd>
                <StatusBadge status={current.status} />
              </dd>
            </div>
            <div>
              <dt>Contact</dt>
              <dd>{current.contact_channel_address}</dd>
            </div>
            <div>
              <dt>Revision</dt>
              <dd>{current.flow_version}</dd>
            </div>
            <div>
              <dt>Created</dt>
              <dd>{formatDate(current.date_created)}</dd>
            </div>
            <div>
              <dt>Updated</dt>
              <dd>{formatDate(current.date_updated)}</dd>
            </div>
          </dl>
          {gone ? (
            <p className="execution-state error-text" role="alert" data-testid="execution-state">
              This execution no longer exists: it was deleted (in another tab, or over the API) while this page was open. What the page
              shows is what it was when last read. <Link href={listHref}>Back to the flow's executions</Link>
            </p>
          ) : (
            <WhereItStands waiting={waiting} ended={ended} endedHere={endedHere} />
          )}
          {live.connection === 'reconnecting' && current.status === 'active' && !gone && (
            <p className="notice notice-error" role="status" data-testid="live-interrupted">
              Live updates are interrupted: the server does not answer (it may be stopped or restarting) or holds too many open streams
              (other tabs). Trying again; the steps taken meanwhile appear once they are back.
            </p>
          )}
        </div>
        {current.status === 'active' && !gone && (
          <button type="button" className="danger" onClick={() => void end()}>
            End execution
          </button>
        )}
      </header>
      <ErrorNotice error={error} />
      <AlertList executionSid={executionSid} alerts={alerts.alerts} error={alerts.error} />
      <div className="execution-grid">
        <section className="card timeline" aria-labelledby="timeline-title" onKeyDown={moveAmongSteps}>
          <h2 id="timeline-title">Steps ({allSteps.length})</h2>
          {steps.error && (
            <p className="error-text">
              {steps.error}{' '}
              <button type="button" className="small-button" onClick={steps.reload}>
                Try again
              </button>
            </p>
          )}
          {steps.data?.more && (
            <p className="notice" role="status">
              This execution has more than {LIST_LIMIT.toLocaleString('en-US')} steps: the timeline shows the first {LIST_LIMIT.toLocaleString('en-US')} (and any that
              arrive live). The Steps API lists them all.
            </p>
          )}
          <p className="visually-hidden" id="timeline-keys">
            The steps are one stop for Tab: Up and Down arrows, Home and End move between them; Enter opens one.
          </p>
          <Timeline
            nodes={tree}
            depth={0}
            flowSid={flowSid}
            openStep={openStep}
            tabStop={tabStop}
            onFocusStep={setFocusStep}
            selectedWidget={selectedWidget}
            subflowName={subflowName}
            failures={failures}
            withDay={withDay}
            onOpen={(step, isOpen, own) => {
              if (isOpen) {
                setOpenStep(step.sid);
                // A subflow's widgets are not on this flow's canvas.
                if (own) setSelectedWidget(step.transitioned_from);
              } else if (openStep === step.sid) setOpenStep(null);
            }}
          />
        </section>
        <section className="card execution-canvas" aria-label="Path on the canvas">
          {/* Drawn once the steps are read: it opens on where they lead. */}
          {definition && (steps.data || steps.error) ? (
            <ReactFlowProvider>
              <Canvas definition={definition} path={path} readOnly selected={selectedWidget} onSelect={setSelectedWidget} openOn={stoppedAt} />
            </ReactFlowProvider>
          ) : revision.error ? (
            <p className="error-text">The revision this execution ran could not be read, so its path cannot be drawn: {revision.error}</p>
          ) : (
            <p className="muted">Loading canvas…</p>
          )}
        </section>
        <ReplayPanel flowSid={flowSid} executionSid={executionSid} revisions={revisions.data ?? []} revisionsError={revisions.error} />
        <section className="card" aria-labelledby="context-title">
          <h2 id="context-title">Execution context</h2>
          <JsonTree value={current.context} label="context" openDepth={2} />
        </section>
      </div>
    </main>
  );
}
