// Calls: the runtime side of voice. A call webhook runs the execution until it needs the caller
// (a widget parks on a `call` wait), then the API layer answers with that wait's TwiML and callback
// URLs carrying a signed token (call-tokens.ts). Callbacks are applied once: the same callback again (a
// retry) is answered with where the call is now; one for a wait left another way is refused. Final call statuses end the execution
// (widgets with a `hangup` event take it). FlowEvent=return (TwiML Redirect) finds the execution by
// its CallSid, as Studio does, and is accepted only while a TwiML Redirect waits.
import { createHmac } from 'node:crypto';
import type { CallWait, ExecutionState, JsonObject } from '../engine/types.ts';
import type { ExecutionService } from './executions.ts';
import type { LineHold } from './inbound.ts';
import type { ExecutionRecord, InboundReceipt, Store } from './ports/store.ts';
import { signCallback, verifyCallback, type CallbackClaim, type CallbackKind } from './call-tokens.ts';
import { acceptedPairs, mintingPair, type SecretPair } from './callback-secrets.ts';
import { KeyedMutex } from './keyed-mutex.ts';
import { LostCalls } from './lost-calls.ts';
import { LruCache } from '../lib/lru.ts';

export type CallTurn =
  /** Tell the caller `wait.twiml`, with callbacks into `execution`. */
  | { kind: 'twiml'; execution: ExecutionRecord; wait: CallWait }
  /** The execution is still working (HTTP, Function, a reply): hold the line and ask again. */
  | { kind: 'hold'; execution: ExecutionRecord }
  /** The execution ended (or never started): hang up. */
  | { kind: 'ended'; execution: ExecutionRecord | null }
  /** allow_concurrent_calls is off and the caller already has an active execution. */
  | { kind: 'blocked'; execution: ExecutionRecord }
  /** A callback that is forged, for another flow, or replayed. */
  | { kind: 'refused'; reason: string };

/**
 * What the voice network that may have carried a call can say of it, by its CallSid: `null`, not its
 * call (a carrier's: its final status will come); `here`, it has the call (live, or ended with its final
 * status sent); `lost`, its call, certainly gone without a final status to come (the simulator phone's
 * calls live in the memory of the process that made them, and a restart loses them); `elsewhere`, its
 * call, made where this node cannot ask (another node's simulator phone): it may be live.
 */
export type CallWhereabouts = 'here' | 'lost' | 'elsewhere' | null;

export interface CallServiceOptions {
  /** Mixed into every callback key with the account's callback secret. */
  serverSecret: string;
  /** Server secrets being rotated out: still accepted on callbacks, never used for new tokens. */
  previousServerSecrets?: readonly string[];
  /** Where a call of the account's is (the simulator phone's judgement); none: every call is a carrier's. */
  whereabouts?: (callSid: string, accountSid: string) => CallWhereabouts | Promise<CallWhereabouts>;
  /** How long one webhook waits for the execution before holding the line. */
  turnTimeoutMs: number;
  pollMs: number;
  /** The runtime's clock (a lost call's hang-up is stamped with it). */
  now: () => number;
}

/** Calls whose execution a node keeps in memory; past it the least recently heard of goes (the store has them all). */
export const CALLS_REMEMBERED = 10_000;

export const DEFAULT_CALL_OPTIONS: CallServiceOptions = { serverSecret: '', turnTimeoutMs: 5000, pollMs: 10, now: Date.now };

const FINAL_STATUSES = new Set(['completed', 'busy', 'no-answer', 'failed', 'canceled']);

export function isFinalCallStatus(status: string | undefined): boolean {
  return status !== undefined && FINAL_STATUSES.has(status);
}

function topWait(record: ExecutionRecord): ExecutionState['frames'][number]['wait'] {
  return (record.state as ExecutionState).frames.at(-1)?.wait ?? null;
}

const REPLAYED: Extract<CallTurn, { kind: 'refused' }> = { kind: 'refused', reason: 'the callback was already used (replayed) or its widget has moved on' };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class CallService {
  readonly #store: Store;
  readonly #executions: ExecutionService;
  readonly #options: CallServiceOptions;
  /** CallSid → execution, for status callbacks and FlowEvent=return on this node (the store is the fallback). */
  readonly #byCall = new LruCache<string, string>(CALLS_REMEMBERED);
  /** Checking a callback against the waiting widget and delivering it happen as one step per execution. */
  readonly #accepting = new KeyedMutex();
  readonly #lostCalls: LostCalls;

  constructor(store: Store, executions: ExecutionService, options: Partial<CallServiceOptions> = {}) {
    this.#store = store;
    this.#executions = executions;
    this.#options = { ...DEFAULT_CALL_OPTIONS, ...options };
    const whereabouts = this.#options.whereabouts ?? (() => null);
    this.#lostCalls = new LostCalls({ store, deliver: (sid, event, consumed) => executions.deliver(sid, event, consumed), whereabouts, now: this.#options.now });
  }

  /**
   * Ends the calls the executions active now wait on that are lost (lost-calls.ts): run once at start by
   * a node whose earlier process's simulator calls are certainly gone (SQLite, which serve uses alone).
   * How many executions were told; their ends go on in the background like any sprint's work.
   */
  endLostCalls(): Promise<number> {
    return this.#lostCalls.sweep();
  }

  /**
   * The node's simulator phone has closed with these calls live (a graceful shutdown): each call's
   * execution is told of it as the restart sweep would tell it (lost-calls.ts), at once, so that on
   * PostgreSQL too, where no node can judge another's calls after a restart, they do not wait for ever.
   */
  async endDroppedCalls(dropped: readonly { sid: string; accountSid: string; flowSid: string; executionSid: string | null }[]): Promise<void> {
    await Promise.allSettled(
      dropped.map(async (call) => {
        const placedBy = call.executionSid ?? this.executionOf(call.sid);
        const record = placedBy ? await this.#store.getExecutionBySid(placedBy) : await this.findByCall(call.accountSid, call.flowSid, { CallSid: call.sid });
        if (record?.status === 'active') await this.#lostCalls.end(record);
      }),
    );
  }

  /** Stops a sweep of lost calls under way (the node is closing). */
  close(): Promise<void> {
    return this.#lostCalls.stop();
  }

  /** The signed token for a callback URL into `executionSid`: always keyed by the current secrets. */
  async token(accountSid: string, executionSid: string, callbackId: string, kind: CallbackKind): Promise<string> {
    const account = await this.#store.getAccount(accountSid);
    if (!account) throw new Error(`account ${accountSid} is gone`);
    const { callbackSecret, serverSecret } = mintingPair(account, this.#serverSecrets());
    return signCallback({ executionSid, callbackId, kind }, callbackSecret, serverSecret);
  }

  /**
   * A key of the account's for `purpose` (the simulator phone's CallSids: app.ts), derived as callback
   * keys are from its callback secret and the server secret: the same on every node and after a
   * restart, known to nobody outside. Null when there is no such account.
   */
  async accountKey(accountSid: string, purpose: string): Promise<Buffer | null> {
    const account = await this.#store.getAccount(accountSid);
    return account ? purposeKey(mintingPair(account, this.#serverSecrets()), purpose) : null;
  }

  /** accountKey and the keys still accepted beside it (secrets being rotated out), accountKey first. */
  async acceptedAccountKeys(accountSid: string, purpose: string): Promise<Buffer[]> {
    const account = await this.#store.getAccount(accountSid);
    return account ? acceptedPairs(account, this.#serverSecrets(), this.#options.now()).map((pair) => purposeKey(pair, purpose)) : [];
  }

  /** Checks a token against the account's keys (the current one, then any being rotated out); null when forged or malformed. */
  async verify(accountSid: string, token: string): Promise<CallbackClaim | null> {
    const account = await this.#store.getAccount(accountSid);
    if (!account) return null;
    for (const { callbackSecret, serverSecret } of acceptedPairs(account, this.#serverSecrets(), this.#options.now())) {
      const claim = verifyCallback(token, callbackSecret, serverSecret);
      if (claim) return claim;
    }
    return null;
  }

  #serverSecrets() {
    return { current: this.#options.serverSecret, previous: this.#options.previousServerSecrets ?? [] };
  }

  /**
   * A call comes in: start its execution, or continue it for a retried webhook of a live call. The flow
   * runs once per CallSid (the execution's first sprint writes the call's inbound receipt): the webhook
   * again for a call whose execution has ended (a replayed request) hangs up, as a call to a flow whose
   * execution is over does, instead of starting the flow again.
   */
  async incoming(accountSid: string, flowSid: string, params: Record<string, string>): Promise<CallTurn> {
    const existing = await this.findByCall(accountSid, flowSid, params);
    if (existing) return this.turn(existing);
    const started = await this.#executions.inboundCall(accountSid, flowSid, params, (record) => this.#holdsLine(record));
    if (started.duplicate) {
      // A retry that raced the first webhook (its execution is active now), or a replay after the end.
      const again = await this.findByCall(accountSid, flowSid, params);
      return again ? this.turn(again) : { kind: 'ended', execution: null };
    }
    if (started.blocked) return { kind: 'blocked', execution: started.blocked };
    if (!started.execution) return { kind: 'ended', execution: null };
    this.#remember(params.CallSid!, started.execution.sid);
    return this.turn(started.execution);
  }

  /**
   * Whether a caller's active call execution refuses their new call (allow_concurrent_calls off). A
   * carrier's call does, and a simulator call its phone still has. A simulator call that is lost (its
   * phone's process is gone: a restart) cannot send its final status any more: it is ended here as that
   * hang-up would have ended it (CallStatus completed), so the flow takes its `hangup` path or ends,
   * and the new call goes ahead. A simulator call another node made (or a process this one cannot
   * judge) may be live there, so it is left alone, but does not refuse the call either: the simulator's
   * calls are per node (README), and a lost one would otherwise lock its caller out for the execution's
   * 30 days.
   */
  async #holdsLine(record: ExecutionRecord): Promise<LineHold> {
    const state = record.state as ExecutionState;
    const callSid = state.callSid;
    const where = callSid ? ((await this.#options.whereabouts?.(callSid, record.accountSid)) ?? null) : null;
    if (where === null || where === 'here') return 'holds';
    if (where === 'elsewhere' || state.callEnded) return 'passes';
    const updated = await this.#lostCalls.end(record);
    return updated?.status === 'ended' || !updated ? 'ended' : 'passes';
  }

  /** A request on a callback URL we handed out (`sb` token). */
  async callback(accountSid: string, flowSid: string, token: string, params: Record<string, string>): Promise<CallTurn> {
    const claim = await this.verify(accountSid, token);
    if (!claim) return { kind: 'refused', reason: 'the callback token is not valid' };
    let record = await this.#store.getExecutionBySid(claim.executionSid);
    // A signed token whose execution is gone was deleted (with its flow, or through DELETE) while the call
    // was live: the caller is hung up, as when it ended, not refused as a forgery.
    if (!record) return { kind: 'ended', execution: null };
    if (record.accountSid !== accountSid || record.flowSid !== flowSid) return { kind: 'refused', reason: 'the callback is for another flow' };
    if (params.CallSid) this.#remember(params.CallSid, record.sid);
    if (claim.kind === 's') {
      if (isFinalCallStatus(params.CallStatus)) record = (await this.#executions.deliver(record.sid, { type: 'call-ended', params })) ?? record;
      return { kind: 'ended', execution: record };
    }
    if (claim.kind === 'c') return this.turn(record);
    const accepted = await this.#accepting.run(record.sid, () => this.#accept(record!, claim, params));
    return 'kind' in accepted ? accepted : this.turn(accepted);
  }

  /** Delivers an action/fall-through callback if it names the widget waiting now; a replay is refused. */
  async #accept(start: ExecutionRecord, claim: CallbackClaim, params: Record<string, string>): Promise<ExecutionRecord | Extract<CallTurn, { kind: 'refused' | 'ended' }>> {
    let record = (await this.#store.getExecutionBySid(start.sid)) ?? start;
    // Ended meanwhile (the REST API, the age cap): the caller is hung up, not played Twilio's error message.
    if (record.status === 'ended') return { kind: 'ended', execution: record };
    // An outbound call may be answered before the placing effect's result is written: wait for it.
    const deadline = Date.now() + this.#options.turnTimeoutMs;
    while (topWait(record)?.kind === 'effect' && (topWait(record) as { effectId: string }).effectId === claim.callbackId && Date.now() < deadline) {
      await sleep(this.#options.pollMs);
      record = (await this.#store.getExecutionBySid(record.sid)) ?? record;
    }
    const wait = topWait(record);
    if (wait?.kind !== 'call' || wait.callbackId !== claim.callbackId) return this.#again(record, claim.callbackId);
    const updated = await this.#executions.deliver(
      record.sid,
      { type: 'call-callback', callbackId: claim.callbackId, params, ...(claim.kind === 'f' ? { fallthrough: true } : {}) },
      { receipt: this.#receipt(record, claim.callbackId) },
    );
    return updated ?? this.#lostOrGone(record.sid);
  }

  /**
   * The check above is serialised per node only: the same callback sent to two nodes at once may pass
   * it on both. The wait's callback id is consumed as an inbound receipt in the sprint that applies it
   * (as a retried message's MessageSid is), so the store lets one sprint through and the other fails as
   * a duplicate. Callback ids are new for every wait, so a legitimate callback never meets its own.
   */
  #receipt(record: ExecutionRecord, callbackId: string): InboundReceipt {
    return { accountSid: record.accountSid, key: `call-callback:${record.sid}:${callbackId}`, receivedAt: Date.now() };
  }

  /** deliver gave nothing back: another node applied the callback first, or the execution is gone. */
  async #lostOrGone(executionSid: string): Promise<ExecutionRecord | Extract<CallTurn, { kind: 'refused' | 'ended' }>> {
    const record = await this.#store.getExecutionBySid(executionSid);
    return record ? record : { kind: 'ended', execution: null };
  }

  /**
   * A callback whose wait the execution has left. One it applied (its receipt is written) came again: Twilio
   * retrying after a read timeout, a proxy's retry, a replay. It is not applied twice; it is answered with
   * where the call is now, as a retried incoming-call webhook is, because a 403 would make Twilio play the
   * caller its application-error message. A callback that was never applied (its wait ended another way) is
   * refused.
   */
  async #again(record: ExecutionRecord, callbackId: string): Promise<ExecutionRecord | Extract<CallTurn, { kind: 'refused' }>> {
    return (await this.#store.hasInboundReceipt(record.accountSid, this.#receipt(record, callbackId).key)) ? record : REPLAYED;
  }

  /** `FlowEvent=return` from an app a TwiML Redirect handed the call to; query parameters become outputs. */
  async returned(accountSid: string, flowSid: string, params: Record<string, string>, query: Record<string, string>): Promise<CallTurn> {
    const found = await this.findByCall(accountSid, flowSid, params);
    // A TwiML Redirect inside a subflow runs in the parent's execution (§2.20), so the call goes back to the
    // parent's webhook; in the subflow, {{flow.flow_sid}} is the subflow's own SID, whose webhook has no execution.
    if (!found) {
      return { kind: 'refused', reason: `no active execution of this flow has this call (a TwiML Redirect inside a subflow hands the call back to the parent flow's webhook: {{trigger.parent.flow_sid}}, not {{flow.flow_sid}})` };
    }
    const accepted = await this.#accepting.run(found.sid, async (): Promise<ExecutionRecord | Extract<CallTurn, { kind: 'refused' | 'ended' }>> => {
      const record = await this.#store.getExecutionBySid(found.sid);
      const wait = record && record.status === 'active' ? topWait(record) : null;
      if (wait?.kind !== 'call' || !wait.returnable) return { kind: 'refused', reason: 'no TwiML Redirect is waiting for this call to return' };
      const updated = await this.#executions.deliver(
        found.sid,
        { type: 'call-callback', callbackId: wait.callbackId, params: { ...params, query } as JsonObject },
        { receipt: this.#receipt(record!, wait.callbackId) },
      );
      return updated ?? this.#lostOrGone(found.sid);
    });
    return 'kind' in accepted ? accepted : this.turn(accepted);
  }

  /** A status callback on the plain flow URL (the number's "call status changes"). */
  async status(accountSid: string, flowSid: string, params: Record<string, string>): Promise<ExecutionRecord | null> {
    if (!isFinalCallStatus(params.CallStatus)) return null;
    const record = await this.findByCall(accountSid, flowSid, params);
    if (!record) return null;
    return this.#executions.deliver(record.sid, { type: 'call-ended', params });
  }

  /** Waits until the execution needs the caller, ends, or is busy past the turn timeout. */
  async turn(start: ExecutionRecord): Promise<CallTurn> {
    let record: ExecutionRecord | null = start;
    const deadline = Date.now() + this.#options.turnTimeoutMs;
    for (;;) {
      if (!record || record.status === 'ended') return { kind: 'ended', execution: record };
      const wait = topWait(record);
      if (wait?.kind === 'call' && wait.twiml.length > 0) return { kind: 'twiml', execution: record, wait };
      // Waiting on the contact's text, a virtual agent or a ringing second call: nothing will change soon.
      if (wait?.kind === 'reply' || wait?.kind === 'call' || wait?.kind === 'virtual-agent' || Date.now() >= deadline) return { kind: 'hold', execution: record };
      await sleep(this.#options.pollMs);
      record = await this.#store.getExecutionBySid(record.sid);
    }
  }

  /**
   * The active execution driving this CallSid: on this node's cache, else off the store's index of the
   * active executions' calls (findActiveExecutionByCall). Its contact pair does not matter: Start
   * Conversation moves an execution (a call's too) to the conversation's addresses, and Make Outgoing
   * Call may place its call (which becomes the execution's) to and from other addresses than the
   * contact's and the flow's. One indexed read, however many executions the flow has active: every new
   * inbound call asks first, and finds none.
   */
  async findByCall(accountSid: string, flowSid: string, params: Record<string, string>): Promise<ExecutionRecord | null> {
    const callSid = params.CallSid;
    if (!callSid) return null;
    const owns = (r: ExecutionRecord | null): r is ExecutionRecord =>
      !!r && r.accountSid === accountSid && r.flowSid === flowSid && r.status === 'active' && (r.state as ExecutionState).callSid === callSid;
    const cached = this.#byCall.get(callSid);
    if (cached) {
      const record = await this.#store.getExecutionBySid(cached);
      if (owns(record)) return record;
    }
    const found = await this.#store.findActiveExecutionByCall(flowSid, callSid);
    return owns(found) ? found : null;
  }

  /** The execution a call drove on this node, ended or not (the simulator shows it). */
  executionOf(callSid: string): string | null {
    return this.#byCall.get(callSid) ?? null;
  }

  #remember(callSid: string, executionSid: string): void {
    this.#byCall.set(callSid, executionSid);
  }
}

function purposeKey({ callbackSecret, serverSecret }: SecretPair, purpose: string): Buffer {
  return createHmac('sha256', serverSecret).update(`switchboard-${purpose}\0${callbackSecret}`).digest();
}
