// Effects: carries out the outbox rows a sprint wrote (send a message, make an HTTP request, load a
// subflow, start a conversation, create a task, place or record a call) and feeds each result back to
// its execution as an event. A store error is not an effect's outcome: the effect is tried again while
// this node holds its claim, and a result the store refuses is written again until it lands.
import type { Effect, EffectResult, EngineEvent } from '../engine/types.ts';
import type { RuntimeContext } from './runtime-context.ts';
import { sendOutcome, type ConversationResult, type KnownExecution, type MessageChannel, type OutboundHttp, type SendContext, type SendResult, type TaskResult, type VirtualAgentResult } from './ports/channel.ts';
import type { VoiceChannel } from './ports/voice.ts';
import type { RuntimeObserver } from './ports/observer.ts';
import type { PendingEffect, RevisionSelector, Store } from './ports/store.ts';
import type { WorkLeases } from './leases.ts';
import { StoreUnavailableError, UnsavedOutcomeError, isTransientStoreError, storeUnavailable } from './ports/store-errors.ts';
import { withTwilioAuth } from './twilio-auth.ts';
import { Backoff } from './backoff.ts';
import { runnable, type Sprints } from './sprints.ts';
import { isTestUser } from '../lib/phone-format.ts';

type EffectPayload = Exclude<Effect, { type: 'set-timer' } | { type: 'cancel-timer' }>;

/** How long stop() keeps retrying effect results the store did not take (see RuntimeOptions.stopDrainMs). */
const STOP_DRAIN_MS = 10_000;
/** Default for RuntimeOptions.maxUnwrittenResults: each holds its result (an HTTP body is up to 64 KB). */
const MAX_UNWRITTEN_RESULTS = 1024;
/** Attempts at a result write that fails for something other than the store being unavailable (as before the unlimited retries). */
const PERMANENT_ERROR_ATTEMPTS = 5;

export class EffectRunner {
  readonly #ctx: RuntimeContext;
  readonly #store: Store;
  readonly #channel: MessageChannel;
  readonly #http: OutboundHttp;
  readonly #observer: RuntimeObserver;
  readonly #leases: WorkLeases;
  /** Where results go: the sprint that applies each to its execution. */
  readonly #sprints: Pick<Sprints, 'deliver'>;
  #voice: VoiceChannel | null = null;
  /** Pauses between tries of store work that failed; stop() cuts the current ones short. */
  readonly #backoff = new Backoff();
  /** Until when (wall clock) a stopped node keeps retrying result writes. */
  #drainUntil = Number.POSITIVE_INFINITY;
  /** Writes being retried by #persistently (effect results waiting for the store). */
  #unwritten = 0;

  constructor(ctx: RuntimeContext, http: OutboundHttp, sprints: Pick<Sprints, 'deliver'>) {
    this.#ctx = ctx;
    this.#store = ctx.store;
    this.#channel = ctx.channel;
    this.#http = http;
    this.#observer = ctx.observer;
    this.#leases = ctx.leases;
    this.#sprints = sprints;
  }

  /** The voice network outbound calls and call recordings go to (simulator phone or carrier). */
  useVoice(voice: VoiceChannel): void {
    this.#voice = voice;
  }

  get voice(): VoiceChannel | null {
    return this.#voice;
  }

  /** The node starts (again): result writes are retried for as long as it runs. */
  start(): void {
    this.#drainUntil = Number.POSITIVE_INFINITY;
  }

  /**
   * The node stops (the context says so already): effects that could not start for a store error stop
   * retrying (nothing went out: the next node carries them out); results not yet written are retried
   * for up to stopDrainMs, then given up.
   */
  stop(): void {
    this.#drainUntil = Date.now() + (this.#ctx.options.stopDrainMs ?? STOP_DRAIN_MS);
    this.#backoff.wakeAll();
  }

  /** Whether as many results as this node may hold are waiting for the store. */
  backlogged(): boolean {
    return this.#unwritten >= (this.#ctx.options.maxUnwrittenResults ?? MAX_UNWRITTEN_RESULTS);
  }

  /** Carries out one outbox effect and feeds its result back as an event (`known`: the execution, when the caller has it). */
  dispatch(pending: PendingEffect, known?: KnownExecution): void {
    if (this.#ctx.stopped) return; // left claimed; stop() hands it back to the other nodes
    // Left in the outbox, unheld: its claim runs out, and a sweep (here, once writes land again, or on
    // another node) carries it out.
    if (this.backlogged()) return;
    this.#leases.hold('effect', pending.id);
    // The claim is renewed until the result is written (or given up at shutdown): dropping it earlier
    // would let the orphan sweep carry the effect out a second time.
    void this.#ctx.track(this.#carryOut(pending, known).finally(() => this.#leases.drop('effect', pending.id)), pending.executionSid);
  }

  async #carryOut(pending: PendingEffect, known: KnownExecution | undefined): Promise<void> {
    const effect = pending.payload as EffectPayload;
    const label = { accountSid: pending.accountSid, executionSid: pending.executionSid, effectId: effect.effectId, type: effect.type, widget: effect.widget, ...(effect.type === 'http-request' ? { purpose: effect.purpose } : {}) };
    let result: EffectResult;
    for (let attempt = 1; ; attempt++) {
      try {
        result = await this.#observer.effect(label, () => this.#perform(pending, effect, known));
        break;
      } catch (error) {
        if (error instanceof StoreUnavailableError) {
          // The store failed before anything went out: no outcome to record. Tried again while this node
          // holds the claim; a stopping node leaves the row to the next one, which finds nothing sent.
          if (this.#ctx.stopped) return;
          await this.#backoff.pause(attempt);
          if (this.#ctx.stopped) return;
          continue;
        }
        result = failureOf(effect, error as Error);
        break;
      }
    }
    const event: EngineEvent = { type: 'effect-result', effectId: effect.effectId, result };
    // Given up at shutdown (see stop()) or after PERMANENT_ERROR_ATTEMPTS errors that are not an outage
    // (see #persistently); the claim then goes back.
    await this.#persistently(() => this.#sprints.deliver(pending.executionSid, event, { effectId: pending.id })).catch(() => undefined);
  }

  /**
   * Runs a store write until it lands, with capped backoff: through an outage of any length while the
   * node runs, and for stopDrainMs once it stops (then the last error is thrown). A write that lost
   * its claim resolves (deliver answers null): another node has the work. An error that is not the
   * store being unavailable (a value it refuses, a missing revision, a bug) would fail forever: it is
   * tried PERMANENT_ERROR_ATTEMPTS times, then thrown, so the claim goes back instead of being held
   * (and counted against maxUnwrittenResults) for good.
   */
  async #persistently(write: () => Promise<unknown>): Promise<void> {
    let waiting = false;
    let permanent = 0;
    try {
      for (let attempt = 1; ; attempt++) {
        try {
          await write();
          return;
        } catch (error) {
          if (!waiting) this.#unwritten++;
          waiting = true;
          if (this.#ctx.stopped && Date.now() >= this.#drainUntil) throw error;
          if (!isTransientStoreError(error) && ++permanent >= PERMANENT_ERROR_ATTEMPTS) throw error;
          await this.#backoff.pause(attempt);
        }
      }
    } finally {
      if (waiting) this.#unwritten--;
    }
  }

  /**
   * A channel answer whose outcome is known but whose ledger write failed (UnsavedOutcomeError): the
   * ledger write is retried until it lands, and the outcome stands. Any other error is rethrown.
   */
  async #unsaved<T>(error: unknown): Promise<T> {
    if (!(error instanceof UnsavedOutcomeError)) throw error;
    // Written before the result's sprint: should this node die in between, the re-run finds it done.
    await this.#persistently(() => error.save()).catch(() => undefined);
    return error.result as T;
  }

  async #perform(pending: PendingEffect, effect: EffectPayload, known?: KnownExecution): Promise<EffectResult> {
    switch (effect.type) {
      case 'send-message': {
        // Loading the whole execution just for its flow SID and address cost a state parse per message sent.
        const execution = known ?? (await this.#store.getExecutionBySid(pending.executionSid).catch(storeUnavailable));
        const context: SendContext = { accountSid: pending.accountSid, flowSid: execution?.flowSid ?? '', executionSid: pending.executionSid, effectId: effect.effectId };
        if (execution) context.channelAddress = execution.channelAddress;
        let sent: SendResult;
        try {
          sent = await this.#channel.sendMessage(context, effect.message);
        } catch (error) {
          sent = await this.#unsaved(error);
        }
        return sendOutcome(sent);
      }
      case 'http-request': {
        // Protected Twilio Functions check X-Twilio-Signature, as they do on Studio's requests.
        const signature = effect.purpose === 'function' ? await this.#channel.signFunctionRequest?.(pending.accountSid, effect.request.url, effect.request.parameters) : null;
        let request = signature ? { ...effect.request, headers: { ...effect.request.headers, 'x-twilio-signature': signature } } : effect.request;
        if (request?.addTwilioAuth) {
          const authed = withTwilioAuth(request, (await this.#channel.twilioCredentials?.(pending.accountSid)) ?? null);
          if (!authed.ok) return authed.result;
          request = authed.request;
        }
        return this.#http.request(request, this.#ctx.options.http);
      }
      case 'load-subflow':
        return this.#loadSubflow(pending, effect);
      case 'start-conversation':
      case 'resume-conversation':
        return this.#conversation(pending, effect);
      case 'create-task':
        return this.#createTask(pending, effect);
      case 'place-call':
      case 'call-recording':
        return this.#voiceEffect(pending, effect);
      case 'connect-virtual-agent':
      case 'disconnect-virtual-agent':
        return this.#virtualAgent(pending, effect);
    }
  }

  /** connect-virtual-agent hands the execution's conversation to a virtual agent; disconnect takes it back. */
  async #virtualAgent(pending: PendingEffect, effect: Extract<Effect, { type: 'connect-virtual-agent' | 'disconnect-virtual-agent' }>): Promise<EffectResult> {
    const record = await this.#store.getExecutionBySid(pending.executionSid).catch(storeUnavailable);
    const context: SendContext = { accountSid: pending.accountSid, flowSid: record?.flowSid ?? '', executionSid: pending.executionSid, effectId: effect.effectId };
    if (record) context.channelAddress = record.channelAddress;
    if (effect.type === 'disconnect-virtual-agent') {
      // Nobody waits for it: a failure is the channel's to log, and the flow has gone on.
      await this.#channel.disconnectVirtualAgent?.(context, effect.session).catch(() => undefined);
      return { kind: 'virtual-agent-disconnected' };
    }
    if (!this.#channel.connectVirtualAgent) return { kind: 'virtual-agent-failed', code: 50000, message: `The ${this.#channel.name} channel cannot connect a virtual agent to a Conversation` };
    const result = await this.#channel.connectVirtualAgent(context, effect.request).catch((error: unknown) => this.#unsaved<VirtualAgentResult>(error));
    return result.ok ? { kind: 'virtual-agent-connected', sessionId: result.sessionId, outputs: result.outputs } : { kind: 'virtual-agent-failed', code: result.code, message: result.message };
  }

  /** start-conversation creates the execution's conversation, resume-conversation joins an existing one. */
  async #conversation(pending: PendingEffect, effect: Extract<Effect, { type: 'start-conversation' | 'resume-conversation' }>): Promise<EffectResult> {
    const starts = effect.type === 'start-conversation';
    if (starts ? !this.#channel.startConversation : !this.#channel.resumeConversation) {
      return { kind: 'conversation-failed', code: 50000, message: `The ${this.#channel.name} channel cannot ${starts ? 'create' : 'resume'} Conversations` };
    }
    const record = await this.#store.getExecutionBySid(pending.executionSid).catch(storeUnavailable);
    const context: SendContext = { accountSid: pending.accountSid, flowSid: record?.flowSid ?? '', executionSid: pending.executionSid, effectId: effect.effectId };
    const asked = effect.type === 'start-conversation' ? this.#channel.startConversation!(context, effect.request) : this.#channel.resumeConversation!(context, effect.request);
    const result = await asked.catch((error: unknown) => this.#unsaved<ConversationResult>(error));
    return result.ok
      ? { kind: 'conversation-started', conversation: result.conversation, webhookSid: result.webhookSid }
      : { kind: 'conversation-failed', code: result.code, message: result.message };
  }

  async #createTask(pending: PendingEffect, effect: Extract<Effect, { type: 'create-task' }>): Promise<EffectResult> {
    if (!this.#channel.createTask) return { kind: 'task-failed', code: 20500, message: `The ${this.#channel.name} channel cannot create TaskRouter tasks` };
    const record = await this.#store.getExecutionBySid(pending.executionSid).catch(storeUnavailable);
    const result = await this.#channel
      .createTask({ accountSid: pending.accountSid, flowSid: record?.flowSid ?? '', executionSid: pending.executionSid, effectId: effect.effectId }, effect.task)
      .catch((error: unknown) => this.#unsaved<TaskResult>(error));
    return result.ok ? { kind: 'task-created', task: result.task } : { kind: 'task-failed', code: result.code, message: result.message };
  }

  async #voiceEffect(pending: PendingEffect, effect: Extract<Effect, { type: 'place-call' | 'call-recording' }>): Promise<EffectResult> {
    if (!this.#voice) return { kind: 'call-failed', code: 20500, message: 'No voice channel is configured' };
    const record = await this.#store.getExecutionBySid(pending.executionSid).catch(storeUnavailable);
    const context = { accountSid: pending.accountSid, flowSid: record?.flowSid ?? '', executionSid: pending.executionSid };
    if (effect.type === 'place-call') {
      const placed = await this.#voice.placeCall({ ...context, callbackId: effect.effectId }, effect.call);
      return placed.ok ? { kind: 'call-placed', call: placed.call } : { kind: 'call-failed', code: placed.code, message: placed.message };
    }
    const recorded = await this.#voice.recordCall(context, effect.callSid, effect.start, effect.options);
    return recorded.ok ? { kind: 'call-recording', recording: recorded.recording } : { kind: 'call-failed', code: recorded.code, message: recorded.message };
  }

  async #loadSubflow(pending: PendingEffect, effect: Extract<Effect, { type: 'load-subflow' }>): Promise<EffectResult> {
    // A store that fails is not a missing subflow: the load is tried again.
    const record = await this.#store.getExecutionBySid(pending.executionSid).catch(storeUnavailable);
    if (!record) return { kind: 'subflow-missing', message: 'execution is gone' };
    let selector: RevisionSelector = 'LatestPublished';
    if (/^\d+$/.test(effect.revision)) selector = Number(effect.revision);
    else if (effect.revision !== 'LatestPublished') {
      // "Latest Draft": the parent's test users get the subflow's draft, everyone else the published revision.
      const testUsers = (await this.#store.getTestUsers(record.accountSid, record.flowSid).catch(storeUnavailable)) ?? [];
      if (isTestUser(testUsers, record.contactChannelAddress)) selector = 'LatestRevision';
    }
    const revision = await this.#store.getRevision(pending.accountSid, effect.flowSid, selector).catch(storeUnavailable);
    if (!revision) return { kind: 'subflow-missing', message: `Subflow ${effect.flowSid} (revision ${effect.revision}) was not found` };
    return { kind: 'subflow-loaded', flowSid: effect.flowSid, revision: revision.revision, definition: runnable(revision.definition) };
  }
}

/** What an effect that threw (a channel or network error, not the store's) reports to its widget. */
function failureOf(effect: EffectPayload, error: Error): EffectResult {
  switch (effect.type) {
    case 'send-message':
      return { kind: 'message-failed', code: 30008, message: error.message };
    case 'load-subflow':
      return { kind: 'subflow-missing', message: error.message };
    case 'start-conversation':
    case 'resume-conversation':
      return { kind: 'conversation-failed', code: 50000, message: error.message };
    case 'create-task':
      return { kind: 'task-failed', code: 20500, message: error.message };
    case 'place-call':
    case 'call-recording':
      return { kind: 'call-failed', code: 20500, message: error.message };
    case 'http-request':
      return { kind: 'http-failed', reason: 'network', message: error.message };
    case 'connect-virtual-agent':
      return { kind: 'virtual-agent-failed', code: 50000, message: error.message };
    case 'disconnect-virtual-agent':
      return { kind: 'virtual-agent-disconnected' };
  }
}
