// Executions: start flows (REST, inbound messages), feed them events (effect results, replies,
// timers, delivery reports), end and delete them. Each engine sprint runs under a per-contact or
// per-execution lock and is persisted in one transaction *before* any of its effects is carried
// out; effects are outbox rows, so a restart finds and finishes whatever was in flight.
import type { EngineEvent, EngineLimits, JsonObject } from '../engine/types.ts';
import { isDeliveryFailure } from '../engine/delivery.ts';
import { DomainError, invalidParameter, notFound } from './errors.ts';
import { newSid } from './ids.ts';
import { RuntimeContext, contactKey, type RuntimeOptions } from './runtime-context.ts';
import { Sprints, type Consumed } from './sprints.ts';
import { EffectRunner } from './effect-runner.ts';
import { Housekeeping } from './housekeeping.ts';
import { TimerLoop } from './timer-loop.ts';
import type { DeliveryStatus, MessageChannel, OutboundHttp } from './ports/channel.ts';
import type { VoiceChannel } from './ports/voice.ts';
import type { ExecutionRecord, FlowRecord, InboundReceipt, Store, VersionedExecution } from './ports/store.ts';
import { isAbandonedOwner } from './leases.ts';
import type { KeyedMutex } from './keyed-mutex.ts';
import { isConflict, retryOnConflict } from './conflicts.ts';

export { DEFAULT_RUNTIME_OPTIONS, type RuntimeOptions } from './runtime-context.ts';
export { contactSid } from './sprints.ts';

export interface CreateExecutionInput {
  to: string;
  from: string;
  parameters?: JsonObject | undefined;
  /** What started it (a request id for REST). */
  initiatedBy?: string | undefined;
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
  inboundMessage(accountSid: string, flowSid: string, params: Record<string, string>): Promise<{ executionSid: string | null }>;
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
      dispatch: (pending, flowSid) => this.#effects.dispatch(pending, flowSid),
      wakeBy: (dueAt) => this.#timers.wakeBy(dueAt),
    });
    this.#effects = new EffectRunner(this.#ctx, http, this.#sprints);
    this.#housekeeping = new Housekeeping(this.#ctx, this.#sprints, this.#effects);
    this.#timers = new TimerLoop(this.#ctx, this.#sprints, this.#housekeeping);
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

  // ---- public operations

  async create(
    accountSid: string,
    flowSid: string,
    input: CreateExecutionInput,
    onConflict: 'error' | 'return-existing',
    /** The flow, when the caller has just read it (saves a second read per request). */
    knownFlow?: FlowRecord,
  ): Promise<{ execution: ExecutionRecord; created: boolean }> {
    const flow = knownFlow?.sid === flowSid && knownFlow.accountSid === accountSid ? knownFlow : await this.#store.getFlow(accountSid, flowSid);
    if (!flow) throw notFound(`/v2/Flows/${flowSid}`);
    // Studio's rule, one active execution per contact pair, is the store's unique index: the first try
    // just inserts, and only when that conflicts (the pair has one, or a racing node made it first)
    // does the next look for the active execution, to answer as if serial.
    let attempt = 0;
    return retryOnConflict(['active-execution'], () => this.#locks.run(contactKey(flowSid, input.to, input.from), async () => {
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
    const updated = await this.deliver(executionSid, { type: 'end', reason: 'manual' });
    return updated ?? record;
  }

  remove(accountSid: string, flowSid: string, executionSid: string): Promise<boolean> {
    return this.#sprints.remove(accountSid, flowSid, executionSid);
  }

  /**
   * An inbound message: Messaging (contact From, flow address To) or, for
   * `incomingConversationMessage`, a Conversations message (contact Author, flow address the
   * ConversationSid, so replies go back into the conversation).
   */
  async inboundMessage(
    accountSid: string,
    flowSid: string,
    params: Record<string, string>,
    trigger: 'incomingMessage' | 'incomingConversationMessage' = 'incomingMessage',
    delivery: { idempotencyKey?: string | undefined } = {},
  ): Promise<{ executionSid: string | null; duplicate?: boolean }> {
    const conversation = trigger === 'incomingConversationMessage';
    const contact = (conversation ? params.Author || params.From : params.From) ?? '';
    let channel = (conversation ? params.ConversationSid : params.To) ?? '';
    if (!contact || !channel) throw invalidParameter(conversation ? 'A conversation message needs Author and ConversationSid' : 'An inbound message needs From and To');
    const flow = await this.#store.getFlow(accountSid, flowSid);
    if (!flow) throw notFound(`/v1/Accounts/${accountSid}/Flows/${flowSid}`);
    // A Messaging Service webhook names the number in To and the service in MessagingServiceSid: an
    // execution whose flow address is the MG SID (REST From=MG…) is this pair's (studio-flow-language §6.3).
    const service = conversation ? undefined : params.MessagingServiceSid;
    if (service && /^MG[0-9a-fA-F]{32}$/.test(service) && (await this.#store.findActiveExecutionSid(flowSid, contact, service))) channel = service;
    // Twilio retries a webhook with the same MessageSid (unique per inbound message) and usually the same
    // idempotency token, but a retry may carry another token or none: the MessageSid is the key, the token
    // only for a delivery without one.
    const receiptKey = params.MessageSid || delivery.idempotencyKey;
    const receipt: InboundReceipt | undefined = receiptKey ? { accountSid, key: receiptKey, receivedAt: this.#options.now() } : undefined;
    // A racing node may start the pair's execution first: then this message goes to it.
    return retryOnConflict(['active-execution'], () => this.#locks.run(contactKey(flowSid, contact, channel), async () => {
      if (receipt && (await this.#store.hasInboundReceipt(accountSid, receipt.key))) return { executionSid: null, duplicate: true };
      const active = await this.#store.findActiveExecutionSid(flowSid, contact, channel);
      if (active) {
        const delivered = await this.deliver(active, { type: 'inbound-message', message: params }, { ...(receipt ? { receipt } : {}), requireActive: true });
        return delivered === null ? { executionSid: active, duplicate: true } : { executionSid: active };
      }
      const revision = await this.#sprints.pickRevision(flow, contact);
      if (!revision) return { executionSid: null };
      this.#ctx.takeRate('inboundPerSecond', accountSid);
      const execution = await this.#sprints.startNew({
        accountSid,
        flowSid,
        revision,
        channelAddress: channel,
        contactAddress: contact,
        trigger,
        triggerData: conversation ? { conversation: params } : { message: params },
        data: {},
        initiatedBy: params.MessageSid ?? newSid('SM'),
        receipt,
      }).catch((error: unknown) => {
        if (isConflict(error, 'duplicate-inbound')) return null; // a retried webhook another node ran first
        throw error;
      });
      return execution === null ? { executionSid: null, duplicate: true } : { executionSid: execution.sid };
    }));
  }

  /**
   * An inbound call starts a voice execution (`incomingCall`, initiated by the CallSid). With the
   * flow's `allow_concurrent_calls` off, a caller who already has an active execution is refused
   * (`blocked`); on (also when missing, as for new flows in the Console), the new call goes ahead beside
   * the earlier one (README Voice): its execution does not take the pair's one active slot.
   */
  async inboundCall(accountSid: string, flowSid: string, params: Record<string, string>): Promise<{ execution: ExecutionRecord | null; blocked?: ExecutionRecord }> {
    const contact = params.From ?? '';
    const channel = params.To ?? '';
    if (!contact || !channel || !params.CallSid) throw invalidParameter('An inbound call needs CallSid, From and To');
    const flow = await this.#store.getFlow(accountSid, flowSid);
    if (!flow) throw notFound(`/v1/Accounts/${accountSid}/Flows/${flowSid}`);
    // A racing node may start the caller's execution first: look again (blocked, or side by side).
    return retryOnConflict(['active-execution'], () => this.#locks.run(contactKey(flowSid, contact, channel), async () => {
      const revision = await this.#sprints.pickRevision(flow, contact);
      if (!revision) return { execution: null };
      const definition = await this.#sprints.definition(accountSid, flowSid, revision);
      const active = await this.#store.findActiveExecution(flowSid, contact, channel);
      if (active && definition.flags?.allow_concurrent_calls === false) return { execution: null, blocked: active };
      this.#ctx.takeRate('inboundPerSecond', accountSid);
      const execution = await this.#sprints.startNew({
        accountSid,
        flowSid,
        revision,
        channelAddress: channel,
        contactAddress: contact,
        trigger: 'incomingCall',
        triggerData: { call: params },
        data: {},
        initiatedBy: params.CallSid,
        // allow_concurrent_calls: the caller's calls run side by side (each found by its CallSid).
        ...(active ? { exclusive: false } : {}),
      });
      return { execution };
    }));
  }

  /** A channel's delivery report for a message an execution sent. */
  async deliveryStatus(report: DeliveryStatus): Promise<void> {
    if (!isDeliveryFailure(report.status)) return; // the engine would change nothing
    await this.deliver(report.executionSid, {
      type: 'delivery-status',
      messageSid: report.messageSid,
      status: report.status,
      ...(report.errorCode ? { errorCode: report.errorCode } : {}),
    });
  }

  /**
   * Applies an event to an execution under its lock; returns the updated record (null if gone, or
   * if the consumed timer/effect was taken over by another node). The lock serialises this node;
   * the version check serialises nodes: a sprint that lost the race runs again from a fresh read.
   */
  deliver(executionSid: string, event: EngineEvent, consumed?: Consumed, prefetched?: VersionedExecution | null): Promise<ExecutionRecord | null> {
    return this.#sprints.deliver(executionSid, event, consumed, prefetched);
  }

  /** Drops inbound receipts and alerts past their retention (the timer loop calls this hourly). */
  pruneHistory(): Promise<number> {
    return this.#housekeeping.pruneHistory();
  }

  /** Fires every timer due now (the scheduler calls this; tests call it with a simulated clock). */
  fireDueTimers(): Promise<number> {
    return this.#timers.fireDue();
  }
}
