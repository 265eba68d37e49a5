// The simulator phone: call the flow as a caller, hear what it says, press keys or speak, say how a
// connected call, a queue, a payment or a virtual agent ends, answer the calls the flow places, hang
// up; the call's own transcript comes from /simulator/calls and the execution's steps stream live.
// The call is remembered per flow for the browser tab (phone-call.ts): the editor keeps this panel
// mounted while other tabs show, and a reload finds the call again. A call the server no longer
// knows (it restarted: simulator calls live in its memory) is said to be lost, and polling stops.
import { useCallback, useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { ApiError } from '../api/client.ts';
import type { Execution, Revision } from '../api/types.ts';
import { useApi, useSession } from '../auth/session.tsx';
import { useLiveEvents } from './use-live.ts';
import { LiveSteps } from './live-steps.tsx';
import { endLine, useExecutionEnd } from './execution-end.tsx';
import { useFollowLatest } from './follow-latest.ts';
import { flowGoneError, usePanelError } from './panel-error.ts';
import { NotStartedNotice, useClearedOnPublish, type SimulatorPanelProps } from './not-started.tsx';
import {
  LOST_CALL_NOTICE,
  UNWIRED_CALL_NOTICE,
  callEnded,
  lostCallStub,
  readStoredCall,
  ringingCall,
  storeCall,
  takesKeys,
  takesSilence,
  takesSpeech,
  timeoutDeadline,
  timeoutText,
  triggerTakesCalls,
  waitIdOf,
  waitingText,
  type SimulatorCall,
} from './phone-call.ts';
import { CallOutcome } from './phone-outcome.tsx';

export type { SimulatorCall } from './phone-call.ts';

const CALLER_KEY = 'switchboard.simulator.caller';
/** Whether the next call's Gathers and Records time out by themselves ("false": they wait for Stay silent). */
const TIMEOUTS_KEY = 'switchboard.simulator.timeouts';
const KEYS = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '0', '#'];
/** How often a call in progress is looked at (timeouts and holds move it on without the caller). */
const POLL_MS = 1500;
/** How often the panel, while shown and idle, looks for a call the flow places. */
const RINGING_POLL_MS = 2000;

/** The server does not know the call (404): it was restarted, or the call is gone. */
function isGone(error: unknown): boolean {
  return error instanceof ApiError && error.status === 404;
}

export function PhonePanel({
  flowSid,
  onSteps,
  onPublish,
  visible = true,
  ...flow
}: SimulatorPanelProps & {
  /** The panel is shown (it stays mounted while hidden): only then does it look for calls the flow places. */
  visible?: boolean;
}) {
  const api = useApi();
  const { credentials } = useSession();
  const [caller, setCaller] = useState(() => sessionStorage.getItem(CALLER_KEY) ?? '+15551230002');
  const [call, setCall] = useState<SimulatorCall | null>(null);
  /** When `call` was answered by the server (the browser's clock): its timeout counts from there. */
  const [callAt, setCallAt] = useState(0);
  const [timeouts, setTimeouts] = useState(() => sessionStorage.getItem(TIMEOUTS_KEY) !== 'false');
  // A switch of the call in progress, shown at once while the server takes it (the box shows the call's own
  // setting otherwise, which changes only with the answer: a click seemed to do nothing meanwhile).
  const [switching, setSwitching] = useState<boolean | null>(null);
  /** The browser's clock, ticking while a Gather or Record counts down. */
  const [clock, setClock] = useState(() => Date.now());
  /** The server answered 404 for the call: it is over for this phone. */
  const [lost, setLost] = useState(false);
  const [digits, setDigits] = useState('');
  const [speech, setSpeech] = useState('');
  const { error, fail, recovered, clear: clearError } = usePanelError();
  const callerField = useRef<HTMLInputElement>(null);
  const [busy, setBusy] = useState(false);
  /** The last call started no execution (see NotStartedNotice). */
  const [notStarted, setNotStarted] = useState(false);
  /** The last call ran a revision whose Trigger takes no calls (derived here: the call API has no notice). */
  const [triggerNotice, setTriggerNotice] = useState<string | undefined>(undefined);
  useClearedOnPublish(flow, () => setNotStarted(false));
  const live = useLiveEvents(call?.execution_sid ? `/console/api/Flows/${flowSid}/Executions/${call.execution_sid}/Events` : null, credentials);
  const steps = useMemo(() => live.steps.filter((s) => s.execution_sid === call?.execution_sid), [live.steps, call?.execution_sid]);
  const execution = call?.execution_sid ? (live.executions.get(call.execution_sid) ?? null) : null;
  const inCall = call !== null && !lost && !callEnded(call);
  const waiting = inCall ? call.waiting_for : null;
  const deadline = timeoutDeadline(waiting, callAt);
  const secondsLeft = deadline === null ? null : Math.max(0, Math.ceil((deadline - clock) / 1000));
  // The call's transcript says the flow hung up; its execution may have ended otherwise (an error).
  const end = useExecutionEnd(flowSid, execution, steps);
  const ending = endLine(end.how);
  const transcriptRef = useRef<HTMLOListElement>(null);
  // Hidden, the list lost its scroll position: shown again, it is back on the latest line.
  useFollowLatest(transcriptRef, `${call?.transcript.length ?? 0}|${ending ?? ''}|${visible}`, call?.sid);

  /** The call shown, for answers that arrive after it may have been replaced. */
  const current = useRef<SimulatorCall | null>(null);
  current.current = call;
  const callButton = useRef<HTMLButtonElement>(null);
  /** What had focus when an action started; after it, focus goes back there or to the call button. */
  const focusFrom = useRef<Element | null>(null);
  const [settled, setSettled] = useState(0);

  useEffect(() => {
    onSteps?.(steps, execution);
  }, [steps, execution, onSteps]);

  // Each answer about the call restarts its countdown from the time left the server gave.
  useEffect(() => {
    const now = Date.now();
    setCallAt(now);
    setClock(now);
  }, [call]);

  // A Gather or Record that times out: the countdown ticks until it does (the poll then shows the call moved on).
  useEffect(() => {
    if (deadline === null) return;
    const timer = setInterval(() => setClock(Date.now()), 250);
    return () => clearInterval(timer);
  }, [deadline]);

  // The call remembered for this flow comes back (after a reload, or another flow's page).
  useEffect(() => {
    setCall(null);
    setLost(false);
    setNotStarted(false);
    setTriggerNotice(undefined);
    clearError();
    const stored = readStoredCall(sessionStorage, flowSid);
    if (!stored) return;
    const controller = new AbortController();
    api
      .get<SimulatorCall>(`/simulator/calls/${stored.sid}`, controller.signal)
      .then((found) => {
        if (!current.current) setCall(found);
      })
      .catch((caught) => {
        if (controller.signal.aborted || current.current || !isGone(caught)) return;
        // Forgotten by the server: news only when the call was still going.
        if (stored.live) {
          setCall(lostCallStub(stored, flowSid));
          setLost(true);
        } else {
          storeCall(sessionStorage, flowSid, null);
        }
      });
    return () => controller.abort();
  }, [api, flowSid, clearError]);

  useEffect(() => {
    // (Right after another flow's page, `call` is still that flow's until the reset above renders.)
    if (call && call.flow_sid === flowSid) storeCall(sessionStorage, flowSid, call, lost);
  }, [call, lost, flowSid]);

  const markLost = useCallback((sid: string) => {
    if (current.current?.sid === sid) setLost(true);
  }, []);

  // Timeouts and holds move a call on without the caller; look at it now and then while it lasts.
  useEffect(() => {
    if (!call || !inCall) return;
    const sid = call.sid;
    let stopped = false;
    const timer = setInterval(() => {
      api
        .get<SimulatorCall>(`/simulator/calls/${sid}`)
        .then((next) => {
          if (stopped) return;
          recovered();
          if (current.current?.sid === sid) setCall(next);
        })
        .catch((caught) => {
          if (!stopped && isGone(caught)) markLost(sid);
        });
    }, POLL_MS);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [api, call?.sid, inCall, markLost, recovered]);

  // A call the flow places (make-outgoing-call) rings here: shown while the panel is, between calls.
  useEffect(() => {
    if (!visible || inCall) return;
    let stopped = false;
    const look = () => {
      api
        .get<{ calls: SimulatorCall[] }>(`/simulator/calls?FlowSid=${encodeURIComponent(flowSid)}`)
        .then(({ calls }) => {
          if (stopped) return;
          recovered();
          const ringing = ringingCall(calls);
          if (!ringing || ringing.sid === current.current?.sid) return;
          setCall(ringing);
          // The flow placed it with timeouts on (the phone's default): as this tab asks for the calls it makes.
          if (sessionStorage.getItem(TIMEOUTS_KEY) === 'false' && ringing.timeouts !== false) {
            api
              .post<SimulatorCall>(`/simulator/calls/${ringing.sid}`, { Timeouts: 'false' })
              .then((next) => {
                if (!stopped && current.current?.sid === next.sid) setCall(next);
              })
              .catch(() => undefined);
          }
          setLost(false);
          setNotStarted(false);
          setTriggerNotice(undefined);
          clearError();
        })
        .catch(() => undefined);
    };
    look();
    const timer = setInterval(look, RINGING_POLL_MS);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [api, flowSid, visible, inCall, recovered, clearError]);

  // After an action the button pressed may be gone (an outcome form, the recording button) or
  // disabled (Press with the keys sent), which leaves focus on the page: it goes back to that button,
  // else to a field of its form (the keys, what to say), else to the call button (Call or Hang up).
  useEffect(() => {
    const from = focusFrom.current;
    focusFrom.current = null;
    if (!(from instanceof HTMLElement)) return;
    const active = document.activeElement;
    if (active && active !== document.body) return;
    const usable = (el: HTMLElement | null | undefined): el is HTMLElement => !!el && el.isConnected && !el.matches(':disabled');
    const field = from.closest('form')?.querySelector<HTMLElement>('input, select');
    if (usable(from)) from.focus();
    else if (usable(field)) field.focus();
    else callButton.current?.focus();
  }, [settled]);

  /** A call that ended at once: when its revision's Trigger takes no calls, say so. */
  const explainEmptyCall = useCallback(
    async (placed: SimulatorCall) => {
      try {
        const ran = await api.get<Execution>(`/v2/Flows/${flowSid}/Executions/${placed.execution_sid}`);
        const revision = await api.get<Revision>(`/v2/Flows/${flowSid}/Revisions/${ran.flow_version}`);
        if (triggerTakesCalls(revision.definition) === false && current.current?.sid === placed.sid) {
          setTriggerNotice(UNWIRED_CALL_NOTICE);
          setNotStarted(true);
        }
      } catch {
        // Only an explanation: without it the transcript still says the flow hung up.
      }
    },
    [api, flowSid],
  );

  const act = useCallback(
    async (run: () => Promise<SimulatorCall>, dialing = false) => {
      focusFrom.current = document.activeElement;
      setBusy(true);
      clearError();
      try {
        const next = await run();
        setCall(next);
        setLost(false);
        if (dialing) {
          setNotStarted(next.execution_sid === null);
          setTriggerNotice(undefined);
          if (next.execution_sid && callEnded(next)) void explainEmptyCall(next);
        }
      } catch (caught) {
        if (!dialing && isGone(caught)) setLost(true);
        // Dialing, the 404 is the flow's: deleted while this page was open.
        else fail(dialing && isGone(caught) ? flowGoneError('Not called') : caught);
      } finally {
        setBusy(false);
        setSettled((n) => n + 1);
      }
    },
    [explainEmptyCall, clearError, fail],
  );

  const dial = () => {
    // Said here, in words, rather than sent for the API's "Missing required parameter From in the post body".
    if (!caller.trim()) {
      fail(new Error('Not called: enter the number to call from in "Call as" (a phone number such as +15551230002, or client:alice).'));
      callerField.current?.focus();
      return;
    }
    sessionStorage.setItem(CALLER_KEY, caller);
    setDigits('');
    setSpeech('');
    void act(() => api.post<SimulatorCall>('/simulator/calls', { FlowSid: flowSid, From: caller.trim(), Timeouts: String(timeouts) }), true);
  };
  /** Timeouts on or off: for the calls to come, and for the call in progress. */
  const switchTimeouts = (on: boolean) => {
    setTimeouts(on);
    sessionStorage.setItem(TIMEOUTS_KEY, String(on));
    if (call && inCall && !busy) {
      setSwitching(on);
      void act(() => api.post<SimulatorCall>(`/simulator/calls/${call.sid}`, { Timeouts: String(on) })).finally(() => setSwitching(null));
    }
  };
  // Test users run the latest revision, drafts included, on calls as on texts.
  const runDraft = async () => {
    try {
      const users = await api.get<{ test_users: string[] }>(`/v2/Flows/${flowSid}/TestUsers`);
      await api.post(`/v2/Flows/${flowSid}/TestUsers`, { TestUsers: [...new Set([...users.test_users, caller.trim()])] });
      setNotStarted(false);
    } catch (caught) {
      fail(caught);
    }
  };
  const action = (name: string, form: Record<string, string> = {}) => {
    if (!call || busy) return;
    // Names the wait it answers: once the call moved on (the Gather timed out), it is refused, not
    // taken by the next wait. A hang-up is for the call, whatever it waits for.
    const waitId = name === 'Hangup' ? null : waitIdOf(call.waiting_for);
    void act(() => api.post<SimulatorCall>(`/simulator/calls/${call.sid}/${name}`, waitId ? { ...form, WaitId: waitId } : form));
  };
  const sendDigits = (event?: FormEvent) => {
    event?.preventDefault();
    if (!digits || !takesKeys(waiting)) return;
    action('Digits', { Digits: digits });
    setDigits('');
  };
  const say = (event: FormEvent) => {
    event.preventDefault();
    if (!speech.trim() || !takesSpeech(waiting)) return;
    action('Speech', { SpeechResult: speech.trim() });
    setSpeech('');
  };
  const endExecution = async () => {
    if (!execution) return;
    try {
      await api.post(`/v2/Flows/${flowSid}/Executions/${execution.sid}`, { Status: 'ended' });
    } catch (caught) {
      fail(caught);
    }
  };

  const keys = takesKeys(waiting);
  const speaks = takesSpeech(waiting);

  return (
    <section className="phone-panel" aria-labelledby="phone-title">
      <header className="panel-header">
        <h2 id="phone-title">Phone</h2>
        {call && (
          <span className={`status ${inCall ? 'status-active' : 'status-ended'}`} role="status">
            {lost ? 'lost' : call.status}
          </span>
        )}
      </header>
      <div className="contact-form">
        <label className="field inline">
          <span className="field-label">Call as</span>
          <input ref={callerField} name="caller" value={caller} onChange={(e) => setCaller(e.target.value)} disabled={inCall} />
        </label>
        {inCall ? (
          <button type="button" className="danger" ref={callButton} onClick={() => action('Hangup')} disabled={busy}>
            Hang up
          </button>
        ) : (
          <button type="button" className="primary" ref={callButton} onClick={dial} disabled={busy}>
            Call
          </button>
        )}
      </div>
      <label className="checkbox small">
        <input type="checkbox" checked={switching ?? (inCall && typeof call.timeouts === 'boolean' ? call.timeouts : timeouts)} onChange={(e) => switchTimeouts(e.target.checked)} disabled={busy} />
        <span>Time out as a phone does (a Gather or Record the caller leaves silent moves on after its timeout)</span>
      </label>
      <p className="muted small">Calls run the flow's published revision (a test user's run the latest draft), as texts do.</p>
      {inCall && call.direction === 'outbound-api' && (
        <p className="small">
          The flow called {call.to} from {call.from}.
        </p>
      )}
      <ol className="transcript call-transcript" ref={transcriptRef} aria-label="Call transcript" aria-live="polite">
        {!call && <li className="muted small empty">Call the flow to hear what it says.</li>}
        {call?.transcript.map((line, i) => (
          <li key={i} className={`call-line call-${line.who}`} data-who={line.who} data-kind={line.kind}>
            <span className="call-kind">{line.who === 'flow' ? `flow · ${line.kind}` : line.who === 'caller' ? `you · ${line.kind}` : line.kind}</span>
            <span className="call-text">{line.text}</span>
          </li>
        ))}
        {ending && (
          <li className="call-line call-network call-execution-end" data-who="network" data-kind="execution-ended">
            <span className="call-kind">execution</span>
            <span className="call-text">{ending}</span>
          </li>
        )}
      </ol>
      {lost && (
        <p className="notice notice-error" role="alert">
          {LOST_CALL_NOTICE}
        </p>
      )}
      {/* Why the call did not start, or what went wrong: under the transcript, where the eye is after Call or a
          key, not below the keypad (out of view in a window 800 px tall). */}
      {notStarted && (
        <NotStartedNotice
          flowSid={flowSid}
          contact={caller.trim()}
          what="call"
          triggerNotice={triggerNotice}
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
      {waiting && (
        <p className="muted small" role="status">
          {waitingText(waiting)}
        </p>
      )}
      {takesSilence(waiting) && (
        <p className="muted small call-timeout" aria-live="off">
          {timeoutText(waiting, secondsLeft)}
        </p>
      )}
      <CallOutcome waiting={waiting} busy={busy} onAction={action} />
      <form className="keypad-form" onSubmit={sendDigits} aria-label="Keypad">
        <div className="keypad" role="group" aria-label="Keys">
          {KEYS.map((key) => (
            <button key={key} type="button" className="key" disabled={!keys} onClick={() => setDigits((d) => d + key)} aria-label={`Key ${key}`}>
              {key}
            </button>
          ))}
        </div>
        <div className="row">
          <label className="visually-hidden" htmlFor="phone-digits">
            Keys to press
          </label>
          <input id="phone-digits" value={digits} inputMode="tel" onChange={(e) => setDigits(e.target.value.replace(/[^0-9*#wW]/g, ''))} disabled={!keys} placeholder="Keys" />
          <button type="submit" disabled={!keys || !digits || busy}>
            Press
          </button>
        </div>
      </form>
      <form className="row" onSubmit={say}>
        <label className="visually-hidden" htmlFor="phone-speech">
          Say
        </label>
        <input id="phone-speech" value={speech} onChange={(e) => setSpeech(e.target.value)} disabled={!speaks} placeholder="Say something…" />
        <button type="submit" disabled={!speaks || !speech.trim() || busy}>
          Speak
        </button>
        <button type="button" disabled={!takesSilence(waiting) || busy} onClick={() => action('Silence')}>
          Stay silent
        </button>
      </form>
      {waiting?.kind === 'record' && (
        <>
          <button type="button" onClick={() => action('Recording', { Duration: '5' })} disabled={busy}>
            Leave a 5 s recording
          </button>
          {/* A caller who leaves a voicemail and hangs up: Twilio posts the recording with Digits=hangup. */}
          <button type="button" onClick={() => action('Hangup', { RecordedSeconds: '5' })} disabled={busy}>
            Leave a 5 s recording and hang up
          </button>
        </>
      )}
      <LiveSteps
        id="call-steps-title"
        flowSid={flowSid}
        execution={execution}
        steps={steps}
        label="Steps of the call's execution"
        end={end}
        onEnd={inCall ? undefined : () => void endExecution()}
      />
    </section>
  );
}
