// `switchboard call <FlowSid|flow.json> --from +1555…`: an interactive phone in the terminal. It calls
// the flow through the simulator phone API (the same signed webhooks Twilio posts), prints what the
// caller hears, the texts the flow sends meanwhile and each step, and reads what the caller does: keys (0-9 * #) or typed speech at a
// menu, an empty line for "no input"; a length in seconds at a recording prompt; /hangup or Ctrl-D
// to hang up. A menu or recording left without a line times out as on a phone (the simulator phone's
// timer), and the call goes on; --no-timeouts makes them wait for a line. A flow file runs on an
// in-memory store; a FlowSid on the data directory's store. Like `simulate`, it runs in dev mode
// (flows may call localhost); --strict-outbound applies the server's policy.
import { createInterface } from 'node:readline';
import { stdin, stdout } from 'node:process';
import { localToolFlags, openSimulation, printNewSteps, triggerLeadsOn } from './flow-file.ts';
import { revisionFor, UNPUBLISHED_NOTICE } from '../channels/simulator/texting.ts';
import type { FlowRecord, Store } from '../runtime/ports/store.ts';
import { RELAY_SESSION_STATUSES } from '../channels/simulator/phone.ts';
import type { TranscriptEntry } from '../channels/simulator/simulator-channel.ts';
import { messageLine } from './simulate-output.ts';

type Flags = Record<string, string | boolean | undefined>;

interface CallJson {
  sid: string;
  status: string;
  execution_sid: string | null;
  waiting_for: { kind: string; input?: string[]; id?: number; timesOutIn?: number | null } | null;
  transcript: { who: string; kind: string; text: string }[];
}

const ENDED = ['completed', 'busy', 'no-answer', 'failed', 'canceled'];

const PROMPTS: Record<string, string> = {
  input: 'keys (0-9 * #) or speech, empty = no input',
  record: 'recording length in seconds, empty = 5, 0 = silence',
  dial: 'the dialled party: completed | busy | no-answer | failed (empty = completed)',
  queue: 'leave the queue: bridged | hangup | queue-full | system-error (empty = bridged)',
  payment: 'payment result: success | too-many-failed-attempts | payment-connector-error | caller-interrupted-with-star | validation-error (empty = success)',
  'virtual-agent': 'virtual agent status: completed | live-agent-handoff | paused | failed (empty = completed)',
  'conversation-relay': 'end the relay session: completed | ended | failed, then any handoff data, e.g. ended {"reason":"billing"} (empty = completed)',
  hold: 'on hold while the flow works; enter = listen again',
};

/** Turns a typed line into the simulator API request for what the call waits for. */
export function callerRequest(kind: string, line: string): { action: string; fields: Record<string, string> } | null {
  const text = line.trim();
  switch (kind) {
    case 'input':
      if (text === '') return { action: 'Silence', fields: {} };
      return /^[0-9*#]+$/.test(text) ? { action: 'Digits', fields: { Digits: text } } : { action: 'Speech', fields: { SpeechResult: text } };
    case 'record': {
      const seconds = text === '' ? 5 : Number(text);
      if (!Number.isFinite(seconds) || seconds < 0) return null;
      return seconds === 0 ? { action: 'Silence', fields: {} } : { action: 'Recording', fields: { Duration: String(Math.round(seconds)) } };
    }
    case 'dial':
      return { action: 'Dial', fields: { Status: text || 'completed' } };
    case 'queue':
      return { action: 'Queue', fields: { QueueResult: text || 'bridged' } };
    case 'payment':
      return { action: 'Payment', fields: { Result: text || 'success' } };
    case 'virtual-agent':
      return { action: 'VirtualAgent', fields: { VirtualAgentStatus: text || 'completed' } };
    case 'conversation-relay': {
      // `[status] [handoff data]`: the session's status (completed when the line starts with the data), then
      // what the app hands off with its end message, as it is typed (JSON, or any text).
      if (text === '') return { action: 'ConversationRelay', fields: { SessionStatus: 'completed' } };
      const [, first = '', rest = ''] = /^(\S*)\s*([\s\S]*)$/.exec(text)!;
      if ((RELAY_SESSION_STATUSES as readonly string[]).includes(first)) return { action: 'ConversationRelay', fields: { SessionStatus: first, ...(rest ? { HandoffData: rest } : {}) } };
      // Handoff data alone (JSON): the session completed; a word that is no status is not understood.
      return /^[{["]/.test(text) ? { action: 'ConversationRelay', fields: { SessionStatus: 'completed', HandoffData: text } } : null;
    }
    default:
      return null;
  }
}

/** Said after a call to a flow whose Trigger takes no calls (as the console's phone and `simulate` for texts say it). */
export const UNWIRED_CALL_NOTICE =
  "The flow's Trigger does not handle incoming calls: Incoming Call leads to no widget, so the execution ended at once and the flow hung up. Connect Incoming Call to start the flow from a call.";

/**
 * Whether the revision a call from `contact` runs leads the Trigger's Incoming Call to a widget; null when
 * that cannot be told (no such revision, or a draft saved invalid, which is left to the runtime).
 */
export async function triggerTakesCalls(store: Store, flow: FlowRecord, contact: string): Promise<boolean | null> {
  return triggerLeadsOn(store, flow, contact, ['incomingCall']);
}

const TIMED_OUT = Symbol('timed out');

/** How long a caller on hold listens before the phone asks the flow again (the hold's <Pause>, 1 s). */
const HOLD_POLL_MS = 1000;

/** Resolves with TIMED_OUT after `ms`, unless cancelled first. */
function timeoutAfter(ms: number): { promise: Promise<typeof TIMED_OUT>; cancel: () => void } {
  let timer: NodeJS.Timeout | undefined;
  const promise = new Promise<typeof TIMED_OUT>((resolve) => (timer = setTimeout(resolve, ms, TIMED_OUT)));
  return { promise, cancel: () => clearTimeout(timer) };
}

export async function callCommand(target: string | undefined, flags: Flags): Promise<number> {
  const { timeouts, ...rest } = flags;
  const opened = await openSimulation('call', target, localToolFlags(rest));
  if (typeof opened === 'number') return opened;
  const { app, account, flowSid, from, to } = opened;
  try {
    const auth = 'Basic ' + Buffer.from(`${account.sid}:${account.authToken}`).toString('base64');
    const request = async (method: 'GET' | 'POST', url: string, fields: Record<string, string> = {}): Promise<CallJson> => {
      const res = await app.server.inject({
        method,
        url,
        headers: { authorization: auth, ...(method === 'POST' ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
        ...(method === 'POST' ? { payload: new URLSearchParams(fields).toString() } : {}),
      });
      if (res.statusCode >= 400) throw new Error(res.json().message ?? res.body);
      return res.json() as CallJson;
    };

    let shownLines = 0;
    const shownSteps = new Set<string>();
    // Texts the flow sends meanwhile (a Send Message to the caller during the call), as `simulate` shows them.
    const texts: TranscriptEntry[] = [];
    const unsubscribe = app.simulator.onMessage((entry) => {
      if (entry.flowSid === flowSid && entry.direction !== 'inbound') texts.push(entry);
    });
    const show = async (call: CallJson, options: { skip?: string } = {}) => {
      // A round's texts first: the flow sent them while it worked out what the caller hears next.
      for (const entry of texts.splice(0)) console.log(messageLine(entry, from, to).replace(/^ {2}←/, '  ← [text]'));
      for (const line of call.transcript.slice(shownLines)) {
        if (line.who === 'caller' || (line.who === 'flow' && line.kind === options.skip)) continue;
        const mark = line.who === 'flow' ? (line.kind === 'say' || line.kind === 'play' || line.kind === 'tones' ? '  ← ' : '  ~ ') : '  · ';
        // A Say of several lines keeps them under its first, clear of the steps and of the next mark.
        console.log(`${mark}${line.kind === 'say' ? '' : `[${line.kind}] `}${line.text.replace(/\n/g, '\n    ')}`);
      }
      shownLines = call.transcript.length;
      if (call.execution_sid) await printNewSteps(app, account.sid, flowSid, call.execution_sid, shownSteps);
    };

    // Nothing would answer but a hang-up: say why instead of calling.
    const flow = await app.store.getFlow(account.sid, flowSid);
    if (flow && (await revisionFor(app.store, flow, from)) === null) {
      console.log(`    ✗ ${UNPUBLISHED_NOTICE}`);
      return 1;
    }
    // The call is made all the same, as on Twilio (the execution ends at once); then it is said why.
    const takesCalls = flow ? await triggerTakesCalls(app.store, flow, from) : null;
    console.log(`Calling flow ${flowSid} from ${from} (flow number ${to}). /hangup or Ctrl-D hangs up.`);
    let call = await request('POST', '/simulator/calls', { FlowSid: flowSid, From: from, To: to, ...(timeouts === false ? { Timeouts: 'false' } : {}) });
    await show(call);
    const rl = createInterface({ input: stdin, output: stdout, terminal: stdin.isTTY });
    // Ctrl-C in a terminal hangs up at once, as /hangup does (end of input waits for the flow's work, below).
    let interrupted = false;
    rl.on('SIGINT', () => {
      interrupted = true;
      rl.close();
    });
    const lines = rl[Symbol.asyncIterator]();
    /** The line being read: kept across a timeout, so what the caller types next answers the call's next wait. */
    let reading: Promise<IteratorResult<string>> | null = null;
    /** What `reading` gave, not used yet (a line typed while on hold waits for what the call asks next). */
    let read: IteratorResult<string> | null = null;
    const nextLine = () => (reading ??= lines.next().then((result) => (read = result)));
    const takeLine = (): IteratorResult<string> => {
      const taken = read!;
      read = null;
      reading = null;
      return taken;
    };
    let onHold = false;
    while (!ENDED.includes(call.status)) {
      const kind = call.waiting_for?.kind ?? 'hold';
      if (kind === 'hold') {
        // The flow is at work (a slow HTTP request): the phone asks it again after the hold's pause, as Twilio
        // follows the hold's Redirect, so the call goes on by itself. /hangup (or Ctrl-C) hangs up at once, an
        // empty line asks at once; any other line, and the end of input, wait for what the call asks next.
        if (!onHold) stdout.write(`  (${PROMPTS.hold})\n`);
        onHold = true;
        /** A line (or Ctrl-C) that hangs up now; other lines and the end of input wait. */
        const hangsUp = () => read !== null && ((read.done === true && interrupted) || (!read.done && read.value.trim() === '/hangup'));
        if (read === null) {
          const timer = timeoutAfter(HOLD_POLL_MS);
          await Promise.race([nextLine(), timer.promise]);
          timer.cancel();
        } else await timeoutAfter(HOLD_POLL_MS).promise;
        const typed = read as IteratorResult<string> | null; // (set by the read the race above may have finished)
        if (typed !== null && !typed.done && typed.value.trim() === '') takeLine();
        // Asking the flow again takes as long as a webhook waits for it (up to 5 s) while it is still at work:
        // a hang-up meanwhile is not kept waiting for the answer.
        const asked = hangsUp() ? null : request('GET', `/simulator/calls/${call.sid}`);
        if (asked) await Promise.race([asked, read === null ? nextLine() : asked]);
        if (hangsUp()) {
          takeLine();
          asked?.catch(() => undefined);
          call = await request('POST', `/simulator/calls/${call.sid}/Hangup`);
          await show(call); // at once: the flow's work in flight (the slow request) is seen out below
          await app.executions.idle();
          await show(call);
          continue;
        }
        call = await asked!;
        // Each ask plays the hold's pause again: heard once, when the hold began.
        await show(call, { skip: 'pause' });
        continue;
      }
      onHold = false;
      const left = call.waiting_for?.timesOutIn;
      const timesOut = typeof left === 'number' ? `; times out in ${Math.ceil(left / 1000)} s` : '';
      stdout.write(`  (${PROMPTS[kind] ?? kind}${timesOut})\n> `);
      nextLine();
      if (typeof left === 'number' && read === null) {
        // A menu or recording the caller leaves silent moves on by itself: show where the call went.
        const timer = timeoutAfter(left + 20);
        const first = await Promise.race([reading!, timer.promise]);
        timer.cancel();
        if (first === TIMED_OUT) {
          await app.phone.settled(call.sid);
          await app.executions.idle();
          call = await request('GET', `/simulator/calls/${call.sid}`);
          stdout.write('\n');
          await show(call);
          continue;
        }
      } else await reading;
      const next = takeLine();
      // A script piped in is not echoed by a terminal: the transcript shows what the caller did.
      if (!stdin.isTTY) stdout.write(`${next.done ? '' : next.value}\n`);
      const line = next.done ? '/hangup' : String(next.value);
      if (line.trim() === '/hangup') {
        call = await request('POST', `/simulator/calls/${call.sid}/Hangup`);
      } else {
        const action = callerRequest(kind, line);
        if (!action) {
          console.log('  (not understood)');
          continue;
        }
        // Named the wait it answers: had the call moved on (timed out) meanwhile, it is refused.
        const waitId = call.waiting_for?.id;
        try {
          call = await request('POST', `/simulator/calls/${call.sid}/${action.action}`, { ...action.fields, ...(typeof waitId === 'number' ? { WaitId: String(waitId) } : {}) });
        } catch (error) {
          console.log(`  (${(error as Error).message})`);
          await app.executions.idle();
          call = await request('GET', `/simulator/calls/${call.sid}`);
          await show(call);
          continue;
        }
      }
      // On hold, the flow is still at work (a slow request): the hold above follows it as it goes.
      if (call.waiting_for?.kind !== 'hold') await app.executions.idle();
      await show(call);
    }
    rl.close();
    unsubscribe();
    if (takesCalls === false) {
      console.log(`    ✗ ${UNWIRED_CALL_NOTICE}`);
      if (flow && (await triggerLeadsOn(app.store, flow, from, ['incomingMessage', 'incomingConversationMessage']))) console.log(`    (it takes texts: switchboard simulate ${target} runs it)`);
    }
    if (call.execution_sid) {
      const execution = await app.store.getExecutionBySid(call.execution_sid);
      console.log(`    (call ${call.status}; execution ${call.execution_sid} ${execution?.status ?? 'gone'})`);
    }
    return 0;
  } finally {
    await app.close();
  }
}
