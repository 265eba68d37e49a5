// Executions: start flows (REST, inbound messages and calls), feed them events (effect results,
// replies, timers, delivery reports), end and delete them. Each engine sprint runs under a per-contact
// or per-execution lock and is persisted in one transaction *before* any of its effects is carried
// out; effects are outbox rows, so a restart finds and finishes whatever was in flight.
//
// ExecutionService is the face the API, the CLI and the app use; the work is done by its parts, which
// share one RuntimeContext (runtime-context.ts):
//   sprints.ts       deliver an event / start an execution: run the engine, write the sprint
//   effect-runner.ts carry out the effects a sprint wrote and feed their results back
//   timer-loop.ts    wake, claim and fire due timers
//   housekeeping.ts  the age cap, the orphaned-effect sweep, pruning (run by the timer loop)
//   inbound.ts       route an inbound message or call to its pair's execution, or start one
import { DEFAULT_MAX_CONTEXT_BYTES, type EngineEvent, type EngineLimits, type JsonObject } from '../engine/types.ts';
import { jsonBytes } from '../engine/context-size.ts';
import { isDeliveryFailure } from '../engine/delivery.ts';
import { DomainError, invalidParameter, notFound } from './errors.ts';
import { newSid } from './ids.ts';
import { RuntimeContext, contactKey, type RuntimeOptions } from './runtime-context.ts';
import { Sprints, type Consumed } from './sprints.ts';
import { EffectRunner } from './effect-runner.ts';
import { Housekeeping } from './housekeeping.ts';
import { TimerLoop } from './timer-loop.ts';
import { InboundRouter, type InboundCallResult, type InboundMessageResult, type LineCheck } from './inbound.ts';
import type { DeliveryStatus, MessageChannel, OutboundHttp } from './ports/channel.ts';
import type { VoiceChannel } from './ports/voice.ts';
import type { ExecutionRecord, FlowRecord, Store, VersionedExecution } from './ports/store.ts';
import { isAbandonedOwner } from './leases.ts';
import type { KeyedMutex } from './keyed-mutex.ts';
import { retryOnConflict } from './conflicts.ts';

export { DEFAULT_RUNTIME_OPTIONS, type RuntimeOptions } from './runtime-context.ts';

export interface CreateExecutionInput {
  to: string;
  from: string;
  parameters?: JsonObject | undefined;
  /** What started it (a request id for REST). */
  initiatedBy?: string | undefined;
}

/**
 * Refuses Parameters an execution's context cannot hold, before anything is stored. The context holds
 * them twice (flow.data, and trigger.request.parameters: ExecutionService.create), so Parameters over
 * half the limit would only start an execution that fails at once.
 */
export function checkParametersFit(parameters: JsonObject, maxContextBytes: number): void {
  const size = jsonBytes(parameters);
  if (2 * size <= maxContextBytes) return;
  throw invalidParameter(
    `Invalid parameter Parameters: is ${size} bytes of JSON; the execution's context holds it twice (flow.data and trigger.request.parameters) and may hold ${maxContextBytes} bytes in all`,
  );
}

export interface ExecutionServiceApi {
  create(
    accountSid: string,
    flowSid: string,
    input: CreateExecutionInput,
    onConflict: 'error' | 'return-existing',
  ): Promise<{ execution: ExecutionRecord; created: boolean }>;
  end(accountSid: string, flowSid: string, executionSid: string): Promise<ExecutionRecord>;
  remove(accountSid: string, flowSid: string, executionSid: string): Promise<boolean>;
  inboundMessage(accountSid: string, flowSid: string, params: Record<string, string>): Promise<InboundMessageResult>;
}

export class ExecutionService implements ExecutionServiceApi {
  readonly #ctx: RuntimeContext;
  readonly #store: Store;
  readonly #channel: MessageChannel;
  readonly #options: RuntimeOptions;
  readonly #locks: KeyedMutex;
  readonly #sprints: Sprints;
  readonly #effects: EffectRunner;
  readonly #housekeeping: Housekeeping;
  readonly #timers: TimerLoop;
  readonly #inbound: InboundRouter;

  /** Studio's runtime rules this node runs executions under (replay re-runs recorded ones under the same). */
  get rules(): { limits: Partial<EngineLimits>; maxExecutionAgeMs: number; httpTimeoutMs: number } {
    return { limits: this.#options.limits ?? {}, maxExecutionAgeMs: this.#options.maxExecutionAgeMs, httpTimeoutMs: this.#options.http.timeoutMs };
  }

  constructor(store: Store, channel: MessageChannel, http: OutboundHttp, options: RuntimeOptions) {
    this.#ctx = new RuntimeContext(store, channel, options);
    this.#store = store;
    this.#channel = channel;
    this.#options = options;
    this.#locks = this.#ctx.locks;
    this.#sprints = new Sprints(this.#ctx, {
      dispatch: (pending, known) => this.#effects.dispatch(pending, known),
      wakeBy: (dueAt) => this.#timers.wakeBy(dueAt),
    });
    this.#effects = new EffectRunner(this.#ctx, http, this.#sprints);
    this.#housekeeping = new Housekeeping(this.#ctx, this.#sprints, this.#effects);
    this.#timers = new TimerLoop(this.#ctx, this.#sprints, this.#housekeeping);
    this.#inbound = new InboundRouter(this.#ctx, this.#sprints);
  }

  /** This node's id in the store's claims (lease_owner). */
  get nodeId(): string {
    return this.#ctx.leases.nodeId;
  }

  /** The voice network outbound calls and call recordings go to (simulator phone or carrier). */
  useVoice(voice: VoiceChannel): void {
    this.#effects.useVoice(voice);
  }

  get voice(): VoiceChannel | null {
    return this.#effects.voice;
  }

  // ---- lifecycle

  /**
   * Resumes work nobody holds (effects left by a previous process, or by a dead node once its
   * lease expired) and starts the timer loop, which also sweeps for such orphans.
   */
  async start(): Promise<void> {
    this.#ctx.stopped = false;
    this.#effects.start();
    this.#ctx.leases.start();
    await this.#store.releaseAbandonedClaims?.((owner) => isAbandonedOwner(owner, this.#ctx.leases.nodeId));
    await this.#housekeeping.sweepOrphanedEffects();
    await this.#timers.start();
  }

  /**
   * Graceful shutdown: drains in-flight sprints and effects, then hands back every claim. Effects that
   * could not start for a store error stop retrying (nothing went out: the next node carries them out);
   * results not yet written are retried for up to stopDrainMs, then given up.
   */
  async stop(): Promise<void> {
    this.#ctx.stopped = true;
    this.#effects.stop();
    this.#timers.stop();
    await this.idle();
    await this.#ctx.leases.stop();
  }

  /** Resolves once no effect or event is being processed (tests and graceful shutdown). */
  async idle(): Promise<void> {
    while (this.#ctx.inFlight.size > 0 || this.#channel.busy?.()) {
      await Promise.allSettled([...this.#ctx.inFlight]);
      await this.#channel.idle?.();
    }
  }

  /**
   * Resolves once one execution has no sprint or effect in flight on this node, the work they chain
   * included (an effect's result sprint, the effects that sprint writes): true; false if that takes
   * longer than `timeoutMs` (its work goes on). Unlike idle(), other executions' work does not hold it up.
   */
  async idleFor(executionSid: string, timeoutMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<false>((resolve) => {
      timer = setTimeout(resolve, timeoutMs, false);
    });
    try {
      for (;;) {
        const work = this.#ctx.inFlightFor(executionSid);
        if (work.length === 0) {
          // A channel reports a send's delivery a turn after it (the simulator's setImmediate), and a
          // failed delivery is one more sprint: one more turn lets it register before calling this settled.
          await new Promise((resolve) => setImmediate(resolve));
          if (this.#ctx.inFlightFor(executionSid).length === 0) return true;
          continue;
        }
        if ((await Promise.race([Promise.allSettled(work).then(() => true as const), expired])) === false) return false;
      }
    } finally {
      clearTimeout(timer);
    }
  }

  // ---- public operations

  /** checkParametersFit under this node's context limit: create checks it first; a caller may check sooner. */
  checkParameters(parameters: JsonObject | undefined): void {
    if (parameters) checkParametersFit(parameters, this.#options.limits?.maxContextBytes ?? DEFAULT_MAX_CONTEXT_BYTES);
  }

  async create(
    accountSid: string,
    flowSid: string,
    input: CreateExecutionInput,
    onConflict: 'error' | 'return-existing',
    /** The flow, when the caller has just read it (saves a second read per request). */
    knownFlow?: FlowRecord,
  ): Promise<{ execution: ExecutionRecord; created: boolean }> {
    this.checkParameters(input.parameters);
    const flow = knownFlow?.sid === flowSid && knownFlow.accountSid === accountSid ? knownFlow : await this.#store.getFlow(accountSid, flowSid);
    if (!flow) throw notFound(`/v2/Flows/${flowSid}`);
    // Studio's rule, one active execution per contact pair, is the store's unique index: the first try
    // just inserts, and only when that conflicts (the pair has one, or a racing node made it first)
    // does the next look for the active execution, to answer as if serial. A deadlock or serialization
    // failure ('version') on the insert is run again the same way (the other writer may have been this pair's).
    let attempt = 0;
    return retryOnConflict(['active-execution', 'version'], () => this.#locks.run(contactKey(flowSid, input.to, input.from), async () => {
      attempt++;
      const active = this.#options.oneActivePerContact && attempt > 1 ? await this.#store.findActiveExecution(flowSid, input.to, input.from) : null;
      if (active) {
        if (onConflict === 'return-existing') return { execution: active, created: false };
        throw new DomainError(
          'execution-conflict',
          `Execution ${active.sid} is already active for this contact. End the active Execution before creating a new one`,
          { conflicting_execution_sid: active.sid },
        );
      }
      const revision = await this.#sprints.pickRevision(flow, input.to);
      if (!revision) throw invalidParameter(`Flow ${flowSid} has no published revision to execute`);
      this.#ctx.takeRate('restPerSecond', accountSid);
      const parameters = input.parameters ?? {};
      const execution = await this.#sprints.startNew({
        accountSid,
        flowSid,
        revision,
        channelAddress: input.from,
        contactAddress: input.to,
        trigger: 'incomingRequest',
        triggerData: { request: { from: input.from, to: input.to, parameters } },
        data: parameters,
        initiatedBy: input.initiatedBy ?? newSid('RQ'),
      });
      return { execution, created: true };
    }));
  }

  async end(accountSid: string, flowSid: string, executionSid: string): Promise<ExecutionRecord> {
    const record = await this.#store.getExecution(accountSid, flowSid, executionSid);
    if (!record) throw notFound(`/v2/Flows/${flowSid}/Executions/${executionSid}`);
    // Ending what has ended changes nothing: no write, no new date_updated, no 81002 alert.
    if (record.status !== 'active') return record;
    const updated = await this.#sprints.deliver(executionSid, { type: 'end', reason: 'manual' });
    return updated ?? record;
  }

  remove(accountSid: string, flowSid: string, executionSid: string): Promise<boolean> {
    return this.#sprints.remove(accountSid, flowSid, executionSid);
  }

  /** Deletes a flow and its executions, their virtual agents' conversations taken back first; whether there was one. */
  removeFlow(accountSid: string, flowSid: string): Promise<boolean> {
    return this.#sprints.removeFlow(accountSid, flowSid);
  }

  /**
   * An inbound message: Messaging (contact From, flow address To) or, for
   * `incomingConversationMessage`, a Conversations message (contact Author, flow address the
   * ConversationSid, so replies go back into the conversation).
   */
  inboundMessage(
    accountSid: string,
    flowSid: string,
    params: Record<string, string>,
    trigger?: 'incomingMessage' | 'incomingConversationMessage',
    delivery?: { idempotencyKey?: string | undefined },
  ): Promise<InboundMessageResult> {
    return this.#inbound.message(accountSid, flowSid, params, trigger, delivery);
  }

  /**
   * An inbound call starts a voice execution (`incomingCall`, initiated by the CallSid); with the
   * flow's `allow_concurrent_calls` off, a caller who already has an active call execution is `blocked` (their message or REST ones do not count,
   * nor a call execution `holdsLine` lets pass: CallService's, for simulator calls lost in a restart).
   * Once per CallSid and flow: a webhook for a call the flow already started an execution for is `duplicate`.
   */
  inboundCall(accountSid: string, flowSid: string, params: Record<string, string>, holdsLine?: LineCheck): Promise<InboundCallResult> {
    return this.#inbound.call(accountSid, flowSid, params, holdsLine);
  }

  /** A channel's delivery report for a message an execution sent. */
  async deliveryStatus(report: DeliveryStatus): Promise<void> {
    if (!isDeliveryFailure(report.status)) return; // the engine would change nothing
    await this.#sprints.deliver(report.executionSid, {
      type: 'delivery-status',
      messageSid: report.messageSid,
      ...(report.effectId ? { effectId: report.effectId } : {}),
      status: report.status,
      ...(report.errorCode ? { errorCode: report.errorCode } : {}),
    });
  }

  /**
   * A virtual agent ended its session in the execution's conversation (Connect Virtual Agent, Conversations
   * channel): the channel reports it with the session it named at the connection and the session's parameters
   * (VirtualAgentStatus…). Returns the updated record (null if the execution is gone); a session the execution no
   * longer waits on changes nothing but an 81002 warning.
   */
  virtualAgentEnded(executionSid: string, sessionId: string, params: JsonObject): Promise<ExecutionRecord | null> {
    return this.#sprints.deliver(executionSid, { type: 'virtual-agent-ended', sessionId, params });
  }

  /**
   * Applies an event to an execution under its lock; returns the updated record (null if gone, or
   * if the consumed timer/effect was taken over by another node). The lock serialises this node;
   * the version check serialises nodes: a sprint that lost the race runs again from a fresh read.
   */
  deliver(executionSid: string, event: EngineEvent, consumed?: Consumed, prefetched?: VersionedExecution | null): Promise<ExecutionRecord | null> {
    return this.#sprints.deliver(executionSid, event, consumed, prefetched);
  }

  /**
   * Drops what is past its retention (inbound receipts, alerts, carrier records, ended executions) and the
   * rows of deleted accounts (the timer loop calls this).
   */
  pruneHistory(): Promise<number> {
    return this.#housekeeping.pruneHistory();
  }

  /** Fires every timer due now (the scheduler calls this; tests call it with a simulated clock). */
  fireDueTimers(): Promise<number> {
    return this.#timers.fireDue();
  }
}
