// Executions left waiting on calls that no longer exist. The simulator phone's calls live in the
// memory of the process that made them (src/channels/simulator/call-sids.ts); their executions live
// in the store. A call lost with its process (a restart: SIGTERM or kill -9) never sends the final
// status its execution waits for, so the execution would hold its widget, and its contact's one active
// slot, until the age cap. Here such an execution is told what Twilio would have reported of the call:
//   - a call Make Outgoing Call placed, still ringing: `failed`, Twilio's status for a call cut before
//     it connected. Not `no-answer`: that one says the call rang its whole `timeout`, and the phone
//     sends it itself when the ring time is up; a call still ringing when its process went was cut
//     before then.
//   - the execution's own call (an inbound call, or a placed one once answered): `completed`, as the
//     phone's hang-up ends it (the caller is gone).
// Only the voice network that made a call judges it lost (CallWhereabouts: a call another node may
// still have is `elsewhere`, and left alone). Each lost call's end is delivered once, whoever notices
// it first (this sweep after a restart, or the caller's next call: CallService #holdsLine): its sprint
// consumes a receipt named after the execution and the call.
import type { CallWait, EngineEvent, ExecutionState, JsonObject } from '../engine/types.ts';
import type { CallWhereabouts } from './calls.ts';
import type { Consumed } from './sprints.ts';
import type { ExecutionAge, ExecutionRecord, Store } from './ports/store.ts';
import { isConflict } from './conflicts.ts';

export type Whereabouts = (callSid: string, accountSid: string) => CallWhereabouts | Promise<CallWhereabouts>;

export interface LostCallsOptions {
  store: Pick<Store, 'activeExecutionsOnCalls' | 'getExecutionBySid'>;
  deliver: (executionSid: string, event: EngineEvent, consumed?: Consumed) => Promise<ExecutionRecord | null>;
  whereabouts: Whereabouts;
  now: () => number;
}

/**
 * Active executions the sweep has the database look through at a time (about 10 ms of SQLite's time, with
 * 3 KB states); only those that may wait on a call come back, state and all.
 */
const SWEEP_SCAN = 1000;

/** A call an execution waits on, and the final status that ends it. */
interface CallOfExecution {
  callSid: string;
  status: 'failed' | 'completed';
  /** The call's parameters as the execution knows them (the final status repeats them). */
  params: JsonObject;
}

/**
 * The calls `record` waits on, in the order their ends are delivered: a call Make Outgoing Call placed
 * that still rings (its wait has no TwiML yet and the call's CallSid among its outputs), then the
 * execution's own call unless it has already ended. An inbound call's execution may wait on both.
 */
export function callsOf(record: ExecutionRecord): CallOfExecution[] {
  const state = record.state as ExecutionState;
  const calls: CallOfExecution[] = [];
  const wait = state.frames.at(-1)?.wait;
  const ringing = wait?.kind === 'call' ? ringingCall(wait) : null;
  if (ringing && ringing !== state.callSid) {
    calls.push({ callSid: ringing, status: 'failed', params: stringsOf((wait as CallWait).outputs ?? {}, ['AccountSid', 'ApiVersion', 'Direction', 'From', 'To']) });
  }
  // A voice widget already told of the hang-up (waiting a moment for the action Twilio requests then) needs no second.
  const toldOfHangup = wait?.kind === 'call' && wait.hungUp !== undefined;
  if (state.callSid && !state.callEnded && !toldOfHangup) {
    const trigger = state.frames[0]?.trigger?.call;
    const params = trigger && typeof trigger === 'object' && !Array.isArray(trigger) ? stringsOf(trigger, ['AccountSid', 'ApiVersion', 'Called', 'Caller', 'Direction', 'From', 'To']) : {};
    calls.push({ callSid: state.callSid, status: 'completed', params });
  }
  return calls;
}

function ringingCall(wait: CallWait): string | null {
  const callSid = wait.outputs?.CallSid;
  return wait.twiml.length === 0 && typeof callSid === 'string' ? callSid : null;
}

function stringsOf(from: JsonObject, names: string[]): JsonObject {
  const picked: JsonObject = {};
  for (const name of names) if (typeof from[name] === 'string') picked[name] = from[name];
  return picked;
}

export class LostCalls {
  readonly #options: LostCallsOptions;
  #stopped = false;
  #sweeping: Promise<number> | null = null;

  constructor(options: LostCallsOptions) {
    this.#options = options;
  }

  /**
   * Ends the calls of `record` that are lost, each as its final status would have (see the top of this
   * file); returns the execution as it is then (null: deleted). Calls not lost are left as they are.
   */
  async end(record: ExecutionRecord): Promise<ExecutionRecord | null> {
    let current: ExecutionRecord | null = record;
    const judged = new Set<string>();
    // Read again after each end: the flow has moved on (a hang-up handled, or not yet, by its next widget).
    for (;;) {
      if (current?.status !== 'active') return current;
      const call = callsOf(current).find((c) => !judged.has(c.callSid));
      if (!call) return current;
      judged.add(call.callSid);
      if ((await this.#options.whereabouts(call.callSid, record.accountSid)) === 'lost') current = await this.#endCall(current, call);
    }
  }

  async #endCall(record: ExecutionRecord, call: CallOfExecution): Promise<ExecutionRecord | null> {
    const now = this.#options.now();
    const params: JsonObject = { ...call.params, CallSid: call.callSid, CallStatus: call.status, Timestamp: new Date(now).toUTCString() };
    const receipt = { accountSid: record.accountSid, key: `lost-call:${record.sid}:${call.callSid}`, receivedAt: now };
    try {
      const updated = await this.#options.deliver(record.sid, { type: 'call-ended', params }, { requireActive: true, receipt });
      // Null: its end was delivered already (the receipt), or the execution is gone.
      if (updated) return updated;
    } catch (error) {
      if (!isConflict(error, 'active-execution')) throw error; // ended meanwhile: nothing to tell it
    }
    return this.#options.store.getExecutionBySid(record.sid);
  }

  /**
   * Looks through the executions active when it starts, a batch at a time, and ends the lost calls they
   * wait on (end). Run once a restart has made the earlier process's calls lost; one sweep at a time.
   * How many executions it told of a lost call. An execution that fails to take its end does not stop
   * the sweep: the first failure is thrown once it is done.
   */
  sweep(): Promise<number> {
    this.#stopped = false;
    return (this.#sweeping ??= this.#sweep().finally(() => (this.#sweeping = null)));
  }

  async #sweep(): Promise<number> {
    const { store } = this.#options;
    // Executions started from now on are this process's: their calls are not lost.
    const startedBy = this.#options.now();
    let after: ExecutionAge | undefined;
    let ended = 0;
    let failure: unknown = null;
    while (!this.#stopped) {
      // Only those that may wait on a call, found by the database: the states of the others (most of a
      // million, on a busy messaging store) are neither sent over nor parsed. callsOf has the last word.
      const { executions, scannedTo } = await store.activeExecutionsOnCalls(startedBy, SWEEP_SCAN, after);
      for (const record of executions) {
        if (this.#stopped || callsOf(record).length === 0) continue;
        try {
          const updated = await this.end(record);
          if (updated !== record) ended++;
        } catch (error) {
          failure ??= error;
        }
      }
      if (scannedTo === null) break;
      after = scannedTo;
      // Requests and sprints waiting on this thread (or on SQLite's writer) go in between stretches.
      await new Promise((resolve) => setImmediate(resolve));
    }
    if (failure) throw failure;
    return ended;
  }

  /** Stops a sweep under way after the execution it is at; resolves once it has stopped. */
  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#sweeping?.catch(() => undefined);
  }
}
