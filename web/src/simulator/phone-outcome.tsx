// The Phone panel's answers to what the caller cannot say or press: how a connected call (Dial), the
// queue (Enqueue, Send to Flex), a payment (Pay), a virtual agent session or a ConversationRelay session
// (with the app's handoff data) ends, and answering or rejecting a call the flow places. Each is a small form posting the simulator's caller action.
import { useId, useState, type FormEvent } from 'react';
import { ANSWERED_BY, OUTCOMES, REJECTED_AS, type Choice, type Waiting } from './phone-call.ts';

export type CallAction = (name: string, form?: Record<string, string>) => void;

function Select({ label, value, choices, onChange }: { label: string; value: string; choices: Choice[]; onChange: (value: string) => void }) {
  return (
    <label className="field inline">
      <span className="field-label">{label}</span>
      <select value={value} onChange={(e) => onChange(e.target.value)}>
        {choices.map((c) => (
          <option key={c.value} value={c.value}>
            {c.label}
          </option>
        ))}
      </select>
    </label>
  );
}

/** The outcome form for what the call waits for; nothing when the caller answers by keys or voice. */
export function CallOutcome({ waiting, busy, onAction }: { waiting: Waiting; busy: boolean; onAction: CallAction }) {
  if (waiting?.kind === 'answer') return <AnswerForm busy={busy} onAction={onAction} />;
  const spec = waiting ? OUTCOMES[waiting.kind] : undefined;
  if (!spec) return null;
  return <OutcomeForm key={waiting!.kind} kind={waiting!.kind} busy={busy} onAction={onAction} />;
}

function OutcomeForm({ kind, busy, onAction }: { kind: string; busy: boolean; onAction: CallAction }) {
  const spec = OUTCOMES[kind]!;
  const [choice, setChoice] = useState(spec.choices[0]!.value);
  const [seconds, setSeconds] = useState(spec.seconds?.initial ?? '');
  const [text, setText] = useState('');
  const secondsApply = spec.seconds !== undefined && (spec.seconds.appliesTo?.includes(choice) ?? true);
  const validSeconds = /^\d+$/.test(seconds);
  // Why End is off, said under the field and read with it (it was only a disabled button).
  const secondsError = secondsApply && !validSeconds ? `${spec.seconds!.what} must be a whole number of seconds, 0 or more.` : null;
  const secondsErrorId = useId();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (busy || (secondsApply && !validSeconds)) return;
    onAction(spec.action, {
      [spec.field]: choice,
      ...(secondsApply && spec.seconds ? { [spec.seconds.field]: seconds } : {}),
      ...(spec.text && text.trim() !== '' ? { [spec.text.field]: text.trim() } : {}),
    });
  };
  return (
    <form className="call-outcome stack" aria-label={spec.title} onSubmit={submit}>
      <Select label={spec.fieldLabel} value={choice} choices={spec.choices} onChange={setChoice} />
      {spec.seconds && (
        <div className={`field${secondsError ? ' is-invalid' : ''}`}>
          <label className="field inline">
            <span className="field-label">{spec.seconds.label}</span>
            <input
              type="number"
              min={0}
              step={1}
              inputMode="numeric"
              value={seconds}
              onChange={(e) => setSeconds(e.target.value)}
              disabled={!secondsApply}
              aria-invalid={secondsError !== null || undefined}
              aria-describedby={secondsError ? secondsErrorId : undefined}
            />
          </label>
          {secondsError && (
            <span className="field-error" id={secondsErrorId}>
              {secondsError}
            </span>
          )}
        </div>
      )}
      {spec.text && (
        <label className="field inline">
          <span className="field-label">{spec.text.label}</span>
          <input type="text" value={text} placeholder={spec.text.placeholder} spellCheck={false} onChange={(e) => setText(e.target.value)} />
        </label>
      )}
      <div className="row">
        <button type="submit" className="primary" disabled={busy || (secondsApply && !validSeconds)}>
          {spec.submit}
        </button>
      </div>
    </form>
  );
}

function AnswerForm({ busy, onAction }: { busy: boolean; onAction: CallAction }) {
  const [answeredBy, setAnsweredBy] = useState('human');
  const [rejectedAs, setRejectedAs] = useState('busy');
  return (
    <div className="call-outcome stack" role="group" aria-label="Ringing call">
      <form
        className="row wrap"
        aria-label="Answer the call"
        onSubmit={(e) => {
          e.preventDefault();
          if (!busy) onAction('Answer', { AnsweredBy: answeredBy });
        }}
      >
        <Select label="Picked up by" value={answeredBy} choices={ANSWERED_BY} onChange={setAnsweredBy} />
        <button type="submit" className="primary" disabled={busy}>
          Answer
        </button>
      </form>
      <form
        className="row wrap"
        aria-label="Reject the call"
        onSubmit={(e) => {
          e.preventDefault();
          if (!busy) onAction('Reject', { Status: rejectedAs });
        }}
      >
        <Select label="Not picked up, as" value={rejectedAs} choices={REJECTED_AS} onChange={setRejectedAs} />
        <button type="submit" disabled={busy}>
          Reject
        </button>
      </form>
    </div>
  );
}
