// The steps of an execution as they arrive: widget, event, next widget. A subflow's steps are
// indented under the step that started it and marked as the subflow's.
import type { Step } from '../api/types.ts';
import { stepTree, type StepNode } from '../executions/step-tree.ts';

function flatten(nodes: StepNode<Step>[], depth = 0): { step: Step; depth: number }[] {
  return nodes.flatMap((node) => [{ step: node.step, depth }, ...flatten(node.subflow, depth + 1)]);
}

export function StepList({ steps, label }: { steps: Step[]; label: string }) {
  return (
    <ol className="step-list" aria-label={label}>
      {steps.length === 0 && <li className="muted small empty">No steps yet.</li>}
      {flatten(stepTree(steps)).map(({ step, depth }) => (
        <li key={step.sid} className={`step-item ${depth > 0 ? 'is-subflow' : ''}`} style={depth > 1 ? { marginLeft: `${depth}rem` } : undefined}>
          {depth > 0 && <span className="step-subflow">subflow</span>}
          <span className="step-from">{step.transitioned_from}</span>
          <span className="step-event">{step.name}</span>
          <span className="step-to">→ {step.transitioned_to}</span>
        </li>
      ))}
    </ol>
  );
}
