// One execution: its step timeline (live while it is active), the path it took highlighted on the
// canvas of the revision it ran, each step's context and the execution context as JSON trees.
import { useMemo, useState } from 'react';
import { ReactFlowProvider } from '@xyflow/react';
import { errorMessage } from '../api/client.ts';
import type { Alert, Execution, Flow, Revision, Step, StepContext } from '../api/types.ts';
import { useApi, useSession } from '../auth/session.tsx';
import { Canvas } from '../editor/canvas.tsx';
import { pathFromSteps } from '../editor/graph.ts';
import { useLiveEvents } from '../simulator/use-live.ts';
import { formatDate } from '../ui/format.ts';
import { JsonTree } from '../ui/json-tree.tsx';
import { ReplayPanel } from './replay-panel.tsx';
import { useAsync } from '../ui/use-async.ts';
import { ErrorNotice, StatusBadge } from '../ui/status.tsx';
import { LoadProblem } from '../ui/problem-page.tsx';
import { FlowBreadcrumb } from '../flows/flow-breadcrumb.tsx';
import { alertsOf, alertsUrl, type ExecutionAlert } from './alerts.ts';
import { ownSteps, stepTree, type StepNode } from './step-tree.ts';
import { useFlowList } from '../flows/use-flow-names.ts';

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

/** Why an execution stopped or what went wrong on the way: its Monitor alerts (step limits, failed requests…). */
function AlertList({ alerts, error }: { alerts: ExecutionAlert[] | undefined; error: string | null }) {
  if (error) return <p className="error-text">Alerts could not be read: {error}</p>;
  if (!alerts || alerts.length === 0) return null;
  return (
    <section className="card alerts" aria-labelledby="alerts-title">
      <h2 id="alerts-title">Alerts ({alerts.length})</h2>
      <ul className="alert-list">
        {alerts.map((alert) => (
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

function Timeline({
  nodes,
  depth,
  flowSid,
  openStep,
  selectedWidget,
  subflowName,
  onOpen,
}: {
  nodes: StepNode<Step>[];
  depth: number;
  flowSid: string;
  openStep: string | null;
  selectedWidget: string | null;
  subflowName: (step: Step, depth: number) => string;
  onOpen: (step: Step, open: boolean, own: boolean) => void;
}) {
  return (
    <ol className={depth === 0 ? 'timeline-list' : 'timeline-list subflow-steps'}>
      {nodes.map(({ step, number, subflow }) => (
        <li key={step.sid} className={`timeline-item ${depth === 0 && selectedWidget === step.transitioned_from ? 'is-selected' : ''}`}>
          <details open={openStep === step.sid} onToggle={(e) => onOpen(step, (e.currentTarget as HTMLDetailsElement).open, depth === 0)}>
            <summary>
              <span className="timeline-index">{number}</span>
              <span className="step-from">{step.transitioned_from}</span>
              <span className="step-event">{step.name}</span>
              <span className="step-to">→ {step.transitioned_to}</span>
              <time className="muted small" dateTime={step.date_created}>
                {formatDate(step.date_created)}
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
                selectedWidget={selectedWidget}
                subflowName={subflowName}
                onOpen={onOpen}
              />
            </section>
          )}
        </li>
      ))}
    </ol>
  );
}

export function ExecutionPage({ flowSid, executionSid }: { flowSid: string; executionSid: string }) {
  const api = useApi();
  const { credentials } = useSession();
  const base = `/v2/Flows/${flowSid}/Executions/${executionSid}`;
  const flow = useAsync((signal) => api.get<Flow>(`/v2/Flows/${flowSid}`, signal), [flowSid]);
  const execution = useAsync((signal) => api.get<Execution>(base, signal), [base]);
  const steps = useAsync(() => api.all<Step>(`${base}/Steps?PageSize=200`, 'steps'), [base]);
  const revision = useAsync(
    (signal) => (execution.data ? api.get<Revision>(`/v2/Flows/${flowSid}/Revisions/${execution.data.flow_version}`, signal) : Promise.resolve(null)),
    [flowSid, execution.data?.flow_version],
  );
  const revisions = useAsync(() => api.all<Revision>(`/v2/Flows/${flowSid}/Revisions?PageSize=200`, 'revisions'), [flowSid]);
  const live = useLiveEvents(execution.data?.status === 'active' ? `/console/api/Flows/${flowSid}/Executions/${executionSid}/Events` : null, credentials);
  const [openStep, setOpenStep] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [selectedWidget, setSelectedWidget] = useState<string | null>(null);

  // The stream's word is the newer one, unless this page has just ended the execution itself (the
  // stream stops then, its last word may still say active).
  const streamed = live.executions.get(executionSid);
  const current: Execution | undefined = streamed && execution.data?.status !== 'ended' ? streamed : execution.data;
  const allSteps = useMemo(() => {
    const bySid = new Map<string, Step>();
    for (const step of [...(steps.data ?? []), ...live.steps]) bySid.set(step.sid, step);
    return [...bySid.values()].sort((a, b) => Date.parse(a.date_created) - Date.parse(b.date_created));
  }, [steps.data, live.steps]);
  // Read again as steps arrive and when the execution ends while the page is open: the alert saying why comes with the end.
  const alertQuery = current ? alertsUrl(current) : null;
  const alerts = useAsync(
    () => (alertQuery ? api.all<Alert>(alertQuery, 'alerts', 2000).then((all) => alertsOf(all, executionSid)) : Promise.resolve(undefined)),
    [alertQuery, executionSid, allSteps.length],
  );
  const definition = revision.data?.definition ?? null;
  // The canvas is this flow's: its path leaves out the steps its subflows took.
  const path = useMemo(() => (definition ? pathFromSteps(ownSteps(allSteps), definition.initial_state) : null), [allSteps, definition]);
  const tree = useMemo(() => stepTree(allSteps), [allSteps]);
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
      execution.set(ended);
      // The live stream stops with the execution: the steps that came over it are read again.
      steps.reload();
    } catch (caught) {
      setError(errorMessage(caught));
    }
  };

  if (execution.error) {
    const back = { href: `/flows/${flowSid}/executions`, label: "Back to the flow's executions" };
    return <LoadProblem what="execution" sid={executionSid} error={execution.error} status={execution.errorStatus} back={back} />;
  }
  if (!current) return <p className="page-pad muted">Loading execution…</p>;

  return (
    <main className="page execution-page">
      <header className="page-header">
        <div>
          <FlowBreadcrumb flowSid={flowSid} flowName={flow.data?.friendly_name} trail={[{ href: `/flows/${flowSid}/executions`, label: 'Executions' }]} />
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
        </div>
        {current.status === 'active' && (
          <button type="button" className="danger" onClick={() => void end()}>
            End execution
          </button>
        )}
      </header>
      <ErrorNotice error={error} />
      <AlertList alerts={alerts.data} error={alerts.error} />
      <div className="execution-grid">
        <section className="card timeline" aria-labelledby="timeline-title">
          <h2 id="timeline-title">Steps ({allSteps.length})</h2>
          {steps.error && <p className="error-text">{steps.error}</p>}
          <Timeline
            nodes={tree}
            depth={0}
            flowSid={flowSid}
            openStep={openStep}
            selectedWidget={selectedWidget}
            subflowName={subflowName}
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
          {definition ? (
            <ReactFlowProvider>
              <Canvas definition={definition} path={path} readOnly selected={selectedWidget} onSelect={setSelectedWidget} />
            </ReactFlowProvider>
          ) : (
            <p className="muted">Loading canvas…</p>
          )}
        </section>
        <ReplayPanel flowSid={flowSid} executionSid={executionSid} revisions={revisions.data ?? []} />
        <section className="card" aria-labelledby="context-title">
          <h2 id="context-title">Execution context</h2>
          <JsonTree value={current.context} label="context" openDepth={2} />
        </section>
      </div>
    </main>
  );
}
