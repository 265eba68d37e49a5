// The steps of an execution as they arrive: widget, event, next widget.
import type { Step } from '../api/types.ts';

export function StepList({ steps, label }: { steps: Step[]; label: string }) {
  return (
    <ol className="step-list" aria-label={label}>
      {steps.length === 0 && <li className="muted small empty">No steps yet.</li>}
      {steps.map((step) => (
        <li key={step.sid} className="step-item">
          <span className="step-from">{step.transitioned_from}</span>
          <span className="step-event">{step.name}</span>
          <span className="step-to">→ {step.transitioned_to}</span>
        </li>
      ))}
    </ol>
  );
}
