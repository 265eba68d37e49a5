// The simulator phone: call the flow as a caller, hear what it says, press keys or speak, hang up;
// the call's own transcript comes from /simulator/calls and the execution's steps stream live.
import { useCallback, useEffect, useMemo, useState, type FormEvent } from 'react';
import { errorMessage } from '../api/client.ts';
import { useApi, useSession } from '../auth/session.tsx';
import { useLiveEvents } from './use-live.ts';
import { LiveSteps } from './live-steps.tsx';
import { NotStartedNotice, useClearedOnPublish, type SimulatorPanelProps } from './not-started.tsx';

const CALLER_KEY = 'switchboard.simulator.caller';
const KEYS = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '0', '#'];
const ENDED = new Set(['completed', 'busy', 'no-answer', 'failed', 'canceled']);

export interface SimulatorCall {
  sid: string;
  flow_sid: string;
  execution_sid: string | null;
  from: string;
  to: string;
  status: string;
  waiting_for: ({ kind: string } & Record<string, unknown>) | null;
  transcript: { at: string; who: 'flow' | 'caller' | 'network'; kind: string; text: string }[];
}

function waitingText(waiting: SimulatorCall['waiting_for']): string {
  if (!waiting) return '';
  switch (waiting.kind) {
    case 'input':
      return `The flow is listening for ${(waiting.input as string[] | undefined)?.join(' or ') ?? 'input'}.`;
    case 'record':
      return 'The flow is recording.';
    case 'answer':
      return 'The phone is ringing.';
    case 'hold':
      return 'On hold.';
    default:
      return `Waiting for ${waiting.kind}.`;
  }
}

export function PhonePanel({
  flowSid,
  onSteps,
  onPublish,
  ...flow
}: SimulatorPanelProps) {
  const api = useApi();
  const { credentials } = useSession();
  const [caller, setCaller] = useState(() => sessionStorage.getItem(CALLER_KEY) ?? '+15551230002');
  const [call, setCall] = useState<SimulatorCall | null>(null);
  const [digits, setDigits] = useState('');
  const [speech, setSpeech] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  /** The last call started no execution (see NotStartedNotice). */
  const [notStarted, setNotStarted] = useState(false);
  useClearedOnPublish(flow, () => setNotStarted(false));
  const live = useLiveEvents(call?.execution_sid ? `/console/api/Flows/${flowSid}/Executions/${call.execution_sid}/Events` : null, credentials);
  const steps = useMemo(() => live.steps.filter((s) => s.execution_sid === call?.execution_sid), [live.steps, call?.execution_sid]);
  const execution = call?.execution_sid ? (live.executions.get(call.execution_sid) ?? null) : null;
  const inCall = call !== null && !ENDED.has(call.status);

  useEffect(() => {
    onSteps?.(steps, execution);
  }, [steps, execution, onSteps]);

  // Timeouts and holds move a call on without the caller; look at it now and then while it lasts.
  useEffect(() => {
    if (!call || !inCall) return;
    const timer = setInterval(() => {
      api.get<SimulatorCall>(`/simulator/calls/${call.sid}`).then(setCall).catch(() => undefined);
    }, 1500);
    return () => clearInterval(timer);
  }, [api, call?.sid, inCall]);

  const act = useCallback(
    async (run: () => Promise<SimulatorCall>, dialing = false) => {
      setBusy(true);
      setError(null);
      try {
        const next = await run();
        setCall(next);
        if (dialing) setNotStarted(next.execution_sid === null);
      } catch (caught) {
        setError(errorMessage(caught));
      } finally {
        setBusy(false);
      }
    },
    [],
  );

  const dial = () => {
    sessionStorage.setItem(CALLER_KEY, caller);
    setDigits('');
    void act(() => api.post<SimulatorCall>('/simulator/calls', { FlowSid: flowSid, From: caller.trim() }), true);
  };
  // Test users run the latest revision, drafts included, on calls as on texts.
  const runDraft = async () => {
    try {
      const current = await api.get<{ test_users: string[] }>(`/v2/Flows/${flowSid}/TestUsers`);
      await api.post(`/v2/Flows/${flowSid}/TestUsers`, { TestUsers: [...new Set([...current.test_users, caller.trim()])] });
      setNotStarted(false);
    } catch (caught) {
      setError(errorMessage(caught));
    }
  };
  const action = (name: string, form: Record<string, string> = {}) => {
    if (!call) return;
    void act(() => api.post<SimulatorCall>(`/simulator/calls/${call.sid}/${name}`, form));
  };
  const sendDigits = (event?: FormEvent) => {
    event?.preventDefault();
    if (!digits) return;
    action('Digits', { Digits: digits });
    setDigits('');
  };
  const say = (event: FormEvent) => {
    event.preventDefault();
    if (!speech.trim()) return;
    action('Speech', { SpeechResult: speech.trim() });
    setSpeech('');
  };

  return (
    <section className="phone-panel" aria-labelledby="phone-title">
      <header className="panel-header">
        <h2 id="phone-title">Phone</h2>
        {call && (
          <span className={`status ${inCall ? 'status-active' : 'status-ended'}`} role="status">
            {call.status}
          </span>
        )}
      </header>
      <div className="contact-form">
        <label className="field inline">
          <span className="field-label">Call as</span>
          <input name="caller" value={caller} onChange={(e) => setCaller(e.target.value)} disabled={inCall} />
        </label>
        {inCall ? (
          <button type="button" className="danger" onClick={() => action('Hangup')} disabled={busy}>
            Hang up
          </button>
        ) : (
          <button type="button" className="primary" onClick={dial} disabled={busy}>
            Call
          </button>
        )}
      </div>
      <p className="muted small">Calls run the flow's published revision (a test user's run the latest draft), as texts do.</p>
      <ol className="transcript call-transcript" aria-label="Call transcript" aria-live="polite">
        {!call && <li className="muted small empty">Call the flow to hear what it says.</li>}
        {call?.transcript.map((line, i) => (
          <li key={i} className={`call-line call-${line.who}`} data-who={line.who} data-kind={line.kind}>
            <span className="call-kind">{line.who === 'flow' ? `flow · ${line.kind}` : line.who === 'caller' ? `you · ${line.kind}` : line.kind}</span>
            <span className="call-text">{line.text}</span>
          </li>
        ))}
      </ol>
      {call?.waiting_for && inCall && (
        <p className="muted small" role="status">
          {waitingText(call.waiting_for)}
        </p>
      )}
      <form className="keypad-form" onSubmit={sendDigits} aria-label="Keypad">
        <div className="keypad" role="group" aria-label="Keys">
          {KEYS.map((key) => (
            <button key={key} type="button" className="key" disabled={!inCall} onClick={() => setDigits((d) => d + key)} aria-label={`Key ${key}`}>
              {key}
            </button>
          ))}
        </div>
        <div className="row">
          <label className="visually-hidden" htmlFor="phone-digits">
            Keys to press
          </label>
          <input id="phone-digits" value={digits} inputMode="tel" onChange={(e) => setDigits(e.target.value.replace(/[^0-9*#wW]/g, ''))} disabled={!inCall} placeholder="Keys" />
          <button type="submit" disabled={!inCall || !digits || busy}>
            Press
          </button>
        </div>
      </form>
      <form className="row" onSubmit={say}>
        <label className="visually-hidden" htmlFor="phone-speech">
          Say
        </label>
        <input id="phone-speech" value={speech} onChange={(e) => setSpeech(e.target.value)} disabled={!inCall} placeholder="Say something…" />
        <button type="submit" disabled={!inCall || !speech.trim() || busy}>
          Speak
        </button>
        <button type="button" disabled={!inCall || busy} onClick={() => action('Silence')}>
          Stay silent
        </button>
      </form>
      {call?.waiting_for?.kind === 'record' && inCall && (
        <button type="button" onClick={() => action('Recording', { Duration: '5' })}>
          Leave a 5 s recording
        </button>
      )}
      {notStarted && (
        <NotStartedNotice
          flowSid={flowSid}
          contact={caller.trim()}
          what="call"
          onPublish={
            onPublish &&
            (async () => {
              await onPublish();
              setNotStarted(false);
            })
          }
          onRunDraft={runDraft}
        />
      )}
      {error && (
        <p role="alert" className="error-text">
          {error}
        </p>
      )}
      <LiveSteps id="call-steps-title" flowSid={flowSid} execution={execution} steps={steps} label="Steps of the call's execution" />
    </section>
  );
}
