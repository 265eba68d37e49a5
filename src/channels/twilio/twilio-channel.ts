// The real Twilio carrier: sends a flow's messages through the upstream account's Messages API
// (or, for Conversations executions, the Conversations API, in the conversation's service), with a StatusCallback per step so
// Twilio's delivery reports reach the execution. At most one message per step (and one conversation or
// task creation): see inflight.ts and send-gate.ts.
// A store failure before a request leaves is a StoreUnavailableError (the runtime tries again, and
// nothing was sent); one while recording a known outcome is an UnsavedOutcomeError (the outcome
// stands and the runtime retries the write).
import type { ConversationRequest, ConversationResumeRequest, FlexTaskRequest, Json, JsonObject, OutboundMessage, VirtualAgentRequest, VirtualAgentSession } from '../../engine/types.ts';
import type { ConversationResult, SendContext, SendResult, TaskResult, VirtualAgentResult } from '../../runtime/ports/channel.ts';
import type { Store } from '../../runtime/ports/store.ts';
import { recordOutcome, storeUnavailable } from '../../runtime/ports/store-errors.ts';
import type { TwilioUpstream } from './carrier-config.ts';
import { InflightLedger, inflightKey, type InflightSend } from './inflight.ts';
import { SendGate } from './send-gate.ts';
import { TwilioRestClient, type CreateOutcome, type FormParams, type ReadOutcome, type RestClientOptions } from './rest-client.ts';
import type { OutboundGuard } from './outbound-guard.ts';
import { TaskRouterClient } from './taskrouter-client.ts';
import { asStored, sameAddress, sameBody } from './upstream-match.ts';

export interface TwilioChannelOptions {
  /** The server's public base URL: StatusCallback URLs are built on it (unless the account overrides it). */
  publicBaseUrl?: string | undefined;
  rest?: Partial<RestClientOptions>;
  /** How long to wait before looking a send with an unknown outcome up upstream. */
  reconcileDelayMs?: number;
  /** Clock skew tolerated between us and Twilio when matching a looked-up message by date. */
  clockSkewMs?: number;
  /** The outbound policy applied to the account-configured upstream URLs. */
  guard?: OutboundGuard;
  /** Where retries, refusals and reconciliations are reported (the server's pino logger fits). */
  log?: CarrierLog;
}

export interface CarrierLog {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

const MG_SID = /^MG[0-9a-fA-F]{32}$/;
const CH_SID = /^CH[0-9a-fA-F]{32}$/;

/** Code reported when the outcome of a send cannot be established (Twilio's "unknown error"). */
export const UNKNOWN_OUTCOME_CODE = 30008;

/** A conversation or task creation's ledger record (`carrier-conv:` / `carrier-task:` + effect id). */
interface RequestRecord<T> {
  state: 'requesting' | 'done';
  result?: T;
  at?: number;
  /** Its requests leave only through the step's gate (send-gate.ts); absent on records of older versions. */
  gated?: true;
}

export function statusCallbackUrl(base: string, accountSid: string, executionSid: string, effectId: string): string {
  return `${base.replace(/\/+$/, '')}/v1/Accounts/${accountSid}/Carrier/Executions/${executionSid}/Messages/${effectId}/Status`;
}

/** A widget participant (snake_case keys as exported) → Conversations Participant form fields. */
export function participantParams(participant: JsonObject): FormParams {
  const fields: Record<string, string> = {
    identity: 'Identity',
    messaging_binding_address: 'MessagingBinding.Address',
    messaging_binding_proxy_address: 'MessagingBinding.ProxyAddress',
    messaging_binding_projected_address: 'MessagingBinding.ProjectedAddress',
    attributes: 'Attributes',
  };
  const params: FormParams = [];
  for (const [key, name] of Object.entries(fields)) {
    const value = participant[key];
    if (typeof value === 'string' && value !== '') params.push([name, value]);
    else if (value && typeof value === 'object') params.push([name, JSON.stringify(value)]);
  }
  return params;
}

/** Where a virtual agent's connector reports the end of its session in a conversation (the route names the step). */
export function virtualAgentStatusUrl(base: string, accountSid: string, executionSid: string, effectId: string): string {
  return `${base.replace(/\/+$/, '')}/v1/Accounts/${accountSid}/Carrier/Executions/${executionSid}/VirtualAgent/${effectId}/Status`;
}

/**
 * The connector's webhook URL for one session: the account's VirtualAgentUrl with the session's details in its
 * query (ConnectorName, EndUser, Parameters as a JSON object, StatusCallback: where to report the session's end),
 * which the connector reads from every onMessageAdded Twilio posts it. Query parameters the configured URL has
 * already are kept. Switchboard's own protocol (README): Twilio's is not public.
 */
export function virtualAgentWebhookUrl(connectorUrl: string, request: VirtualAgentRequest, statusCallback: string): string {
  const url = new URL(connectorUrl);
  url.searchParams.set('ConnectorName', request.connectorName);
  url.searchParams.set('EndUser', request.endUser);
  url.searchParams.set('Parameters', JSON.stringify(Object.fromEntries(request.parameters.map(({ key, value }) => [key, value]))));
  url.searchParams.set('StatusCallback', statusCallback);
  return url.toString();
}

/** A conversation's path in its service when that is known, else the default service's (as a message's). */
function conversationPath(conversationSid: string, serviceSid: string | undefined): string {
  const conversation = `/Conversations/${encodeURIComponent(conversationSid)}`;
  return serviceSid ? `/v1/Services/${encodeURIComponent(serviceSid)}${conversation}` : `/v1${conversation}`;
}

/** A conversation-scoped webhook to this flow's webhook URL (Start and Resume Conversation), one Configuration.Filters per filter. */
function flowWebhookParams(base: string, context: SendContext, filters: string[]): FormParams {
  return [
    ['Target', 'webhook'],
    ['Configuration.Url', `${base.replace(/\/+$/, '')}/v1/Accounts/${context.accountSid}/Flows/${context.flowSid}`],
    ['Configuration.Method', 'POST'],
    ...filters.map((filter): [string, string] => ['Configuration.Filters', filter]),
  ];
}

/** Twilio resource JSON (snake_case) → Studio's `outbound` outputs (PascalCase scalars). */
export function outboundFromResource(resource: JsonObject): JsonObject {
  const outputs: JsonObject = {};
  for (const [key, value] of Object.entries(resource)) {
    if (value !== null && typeof value === 'object') continue;
    const pascal = key.replace(/(^|_)([a-z0-9])/g, (_m, _sep, c: string) => c.toUpperCase());
    outputs[pascal] = value as Json;
  }
  return outputs;
}

const IS_SID = /^IS[0-9a-fA-F]{32}$/;

/**
 * The Conversation Service of `conversationSid`, when the execution knows it: the one Start Conversation
 * created it in (flow.channel.details), or the ChatServiceSid of the webhook that started the execution.
 */
export function conversationServiceOf(state: unknown, conversationSid: string): string | undefined {
  const s = state as { channelAddress?: unknown; channel?: { details?: { chat_service_sid?: unknown } }; frames?: { trigger?: { conversation?: { ConversationSid?: unknown; ChatServiceSid?: unknown } } }[] } | undefined;
  const started = s?.channelAddress === conversationSid ? s.channel?.details?.chat_service_sid : undefined;
  if (typeof started === 'string' && IS_SID.test(started)) return started;
  const trigger = s?.frames?.[0]?.trigger?.conversation;
  const service = trigger?.ConversationSid === conversationSid ? trigger.ChatServiceSid : undefined;
  return typeof service === 'string' && IS_SID.test(service) ? service : undefined;
}

/** The Interaction channel type for a conversation, from the trigger's `Source` (SMS, WHATSAPP, SDK…). */
function interactionChannelType(state: unknown): string {
  const trigger = (state as { frames?: { trigger?: { conversation?: { Source?: unknown } } }[] } | undefined)?.frames?.[0]?.trigger;
  const source = String(trigger?.conversation?.Source ?? '').toLowerCase();
  return source === 'sms' || source === 'whatsapp' ? source : 'chat';
}

/** The task an Interaction created (its routing properties), plus the Interaction's SID. */
function taskOfInteraction(interaction: JsonObject, asked: FlexTaskRequest): JsonObject {
  const routing = interaction.routing as { properties?: unknown } | undefined;
  const properties = routing && typeof routing.properties === 'object' && routing.properties !== null ? (routing.properties as JsonObject) : {};
  return { sid: null, attributes: asked.attributes, age: 0, ...properties, interaction_sid: interaction.sid ?? null };
}

function rfc2822ToMillis(value: Json | undefined): number | null {
  if (typeof value !== 'string') return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : ms;
}

export class TwilioChannel {
  readonly #store: Store;
  readonly #ledger: InflightLedger;
  readonly #options: TwilioChannelOptions;
  /** Workspaces found for workflows (upstream AC|WW → WS), so the lookup runs once per workflow. */
  readonly #workspaces = new Map<string, string>();
  readonly #gate: SendGate;

  constructor(store: Store, options: TwilioChannelOptions = {}) {
    this.#store = store;
    this.#ledger = new InflightLedger(store);
    this.#gate = new SendGate(store);
    this.#options = options;
  }

  get #restOptions(): Partial<RestClientOptions> {
    const log = this.#options.log;
    return {
      ...this.#options.rest,
      ...(this.#options.guard ? { guard: this.#options.guard } : {}),
      ...(log ? { onRetry: (info: { url: string; attempt: number; reason: string; delayMs: number }) => log.warn(info, 'Twilio API request retried') } : {}),
    };
  }

  get ledger(): InflightLedger {
    return this.#ledger;
  }

  /** Sends through `upstream`, at most once per effect. */
  async send(upstream: TwilioUpstream, context: SendContext, message: OutboundMessage): Promise<SendResult> {
    const client = new TwilioRestClient(upstream, this.#restOptions);
    const effectId = context.effectId;
    let previous: InflightSend | null = null;
    if (effectId) {
      previous = await this.#ledger.get(effectId).catch(storeUnavailable);
      if (previous?.state === 'done' && previous.result) return previous.result;
      // Written by a version that sent without a gate: its request may have left.
      if (previous && !previous.gated) return this.#reconcile(client, previous);
    }
    const execution = await this.#store.getExecutionBySid(context.executionSid).catch(storeUnavailable);
    const conversationSid = [message.from, execution?.channelAddress ?? ''].find((address) => CH_SID.test(address));
    let record: InflightSend = {
      v: 1,
      effectId: effectId ?? '',
      executionSid: context.executionSid,
      accountSid: context.accountSid,
      target: conversationSid ? 'conversation' : 'message',
      to: message.to,
      from: message.from,
      body: message.body,
      // Wall-clock time, whatever clock the runtime runs on: it is compared with Twilio's dates.
      startedAt: Date.now(),
      gated: true,
      state: 'requesting',
    };
    if (conversationSid) record.conversationSid = conversationSid;
    const conversationService = conversationSid ? conversationServiceOf(execution?.state, conversationSid) : undefined;
    if (conversationService) record.conversationServiceSid = conversationService;
    if (message.contentSid) record.contentSid = message.contentSid;

    let params: FormParams;
    if (conversationSid) {
      if (message.mediaUrl?.length) {
        return { ok: false, code: 81011, message: 'Failed to send message: media URLs cannot be posted into a Conversation (it takes uploaded Media SIDs)' };
      }
      params = this.#conversationParams(message, conversationSid);
    } else {
      const messagingServiceSid = this.#messagingService(message, execution?.channelAddress, execution?.state);
      if (messagingServiceSid) record.messagingServiceSid = messagingServiceSid;
      params = this.#messageParams(upstream, context, message, messagingServiceSid);
    }

    if (effectId) {
      // Every store failure up to the gate leaves nothing sent (StoreUnavailableError: tried again).
      const stored = previous ?? (await this.#ledger.begin(record).catch(storeUnavailable));
      if (stored.state === 'done' && stored.result) return stored.result;
      if (!stored.gated) return this.#reconcile(client, stored);
      if (!(await this.#gate.pass(inflightKey(effectId), stored).catch(storeUnavailable))) {
        // Another runner made the request: its outcome, once recorded, is the step's; else it is looked up.
        const now = await this.#ledger.get(effectId).catch(storeUnavailable);
        return now?.state === 'done' && now.result ? now.result : this.#reconcile(client, stored);
      }
      record = stored;
    }
    const outcome: CreateOutcome = conversationSid
      ? await client.createConversationMessage(conversationSid, params, conversationService)
      : await client.createMessage(params);
    if (outcome.kind === 'rejected') {
      this.#options.log?.warn({ effectId, executionSid: context.executionSid, httpStatus: outcome.httpStatus, code: outcome.code, reason: outcome.message }, 'Twilio refused a message');
    }
    if (outcome.kind === 'unknown') {
      this.#options.log?.warn({ effectId, executionSid: context.executionSid, reason: outcome.reason }, 'message send outcome unknown; reconciling instead of re-sending');
      if (!effectId) return { ok: false, code: UNKNOWN_OUTCOME_CODE, message: `Send outcome unknown: ${outcome.reason}` };
      return this.#reconcile(client, record, outcome.reason);
    }
    const result: SendResult =
      outcome.kind === 'created'
        ? { ok: true, message: outboundFromResource(outcome.resource) }
        : { ok: false, code: outcome.code, message: outcome.message };
    if (!effectId) return result;
    return recordOutcome(result, () => this.#finish(record, result, outcome.kind === 'created' ? String(outcome.resource.sid) : undefined));
  }

  /**
   * Records a known outcome with the message claimed for the step. A message another step's lookup
   * took first is that lookup's mistake: logged, its claim left as it is.
   */
  async #finish(record: InflightSend, result: SendResult, messageSid: string | undefined): Promise<void> {
    if (messageSid && !(await this.#ledger.claimIfFree(messageSid, record))) {
      const holder = await this.#ledger.claimOf(messageSid).catch(() => null);
      this.#options.log?.warn({ effectId: record.effectId, executionSid: record.executionSid, messageSid, claimedBy: holder?.effectId }, 'message sent by this step is claimed by another step; claim left as it is');
    }
    await this.#ledger.finish(record, result);
  }

  /**
   * start-conversation on the real carrier: creates the Conversation in the service, adds each
   * participant, and adds a conversation-scoped webhook (onMessageAdded) pointing at this flow's
   * webhook URL, so the participants' messages come back to Switchboard. Like sends, it is done
   * at most once per step: a restart with the creation in flight reports `failed`.
   */
  async createConversation(upstream: TwilioUpstream, context: SendContext, request: ConversationRequest): Promise<ConversationResult> {
    return this.#conversationOnce(upstream, context, 'Start Conversation', 'Conversation creation', (client, base) => this.#createConversationResources(client, base, context, request));
  }

  /**
   * resume-conversation on the real carrier: fetches the Conversation in the service (a refusal, such as 404
   * for one that is not there, is `failed` with Twilio's code), lists its participants, sets its attributes
   * when the widget has some, and adds a conversation-scoped webhook (the widget's filters, onMessageAdded
   * first) pointing at this flow's webhook URL, as Start Conversation's does. At most once per step too (the
   * webhook is not to be added twice).
   */
  async resumeConversation(upstream: TwilioUpstream, context: SendContext, request: ConversationResumeRequest): Promise<ConversationResult> {
    return this.#conversationOnce(upstream, context, 'Resume Conversation', 'Resuming the conversation', (client, base) => this.#resumeConversationResources(client, base, context, request));
  }

  /**
   * The Conversations API requests of a Start or Resume Conversation step (`widget`; `what` it does, in the
   * refusal of a repeat), made at most once: a restart with them in flight reports `failed`, not repeated.
   */
  async #conversationOnce(upstream: TwilioUpstream, context: SendContext, widget: string, what: string, run: (client: TwilioRestClient, base: string) => Promise<ConversationResult>): Promise<ConversationResult> {
    const key = context.effectId ? `carrier-conv:${context.effectId}` : null;
    const unknown: ConversationResult = { ok: false, code: UNKNOWN_OUTCOME_CODE, message: `${what} was requested by an earlier attempt (before a restart, or on another node) and its outcome is unknown; not repeated to avoid a duplicate` };
    const previous = key ? await this.#requestRecord<ConversationResult>(key) : null;
    if (key && previous) {
      const settled = await this.#settled(key, context, previous, unknown);
      if (settled) return settled;
    }
    const base = upstream.statusCallbackBaseUrl ?? this.#options.publicBaseUrl;
    if (!base) return { ok: false, code: 50000, message: `${widget} on the Twilio carrier needs a public base URL (--public-base-url) for the conversation webhook` };
    if (key) {
      const decided = await this.#beginRequest(key, context, previous !== null, unknown);
      if (decided) return decided;
    }
    const result = await run(new TwilioRestClient(upstream, this.#restOptions), base);
    if (!key) return result;
    return recordOutcome(result, () => this.#ledger.write(key, context, JSON.stringify({ state: 'done', result })));
  }

  /**
   * Connect Virtual Agent in a conversation. Twilio documents no API that attaches its Dialogflow CX connector to a
   * conversation (Studio does it inside Twilio), so this follows the one documented way a conversation hands its
   * messages to a service: a conversation-scoped webhook (`POST …/Conversations/{CH}/Webhooks`, Target=webhook,
   * onMessageAdded) to the account's VirtualAgentUrl, the connector (a bridge to Dialogflow CX that posts the agent's
   * replies into the conversation), with the session in the URL's query (virtualAgentWebhookUrl). The connector
   * reports the session's end to the StatusCallback named there (the route in src/api/routes/carrier.ts); the
   * webhook's SID is the session. At most once per step, as Start Conversation's requests: a restart with the
   * request in flight takes `failed`, not a second webhook. This is the assumption README's compatibility decisions
   * describe; it stays behind the channel port.
   */
  async connectVirtualAgent(upstream: TwilioUpstream, context: SendContext, request: VirtualAgentRequest): Promise<VirtualAgentResult> {
    const connector = upstream.virtualAgentUrl;
    if (!connector) {
      return { ok: false, code: 81003, message: 'Connect Virtual Agent in a conversation on the Twilio carrier needs the account\'s VirtualAgentUrl (the connector the conversation\'s messages go to): Twilio has no public API to attach its own Dialogflow CX connector' };
    }
    const base = upstream.statusCallbackBaseUrl ?? this.#options.publicBaseUrl;
    if (!base) return { ok: false, code: 50000, message: 'Connect Virtual Agent on the Twilio carrier needs a public base URL (--public-base-url) for the connector to report the session\'s end' };
    const key = context.effectId ? `carrier-va:${context.effectId}` : null;
    const unknown: VirtualAgentResult = { ok: false, code: UNKNOWN_OUTCOME_CODE, message: 'Connecting the virtual agent was requested by an earlier attempt (before a restart, or on another node) and its outcome is unknown; not repeated to avoid a second agent in the conversation' };
    const previous = key ? await this.#requestRecord<VirtualAgentResult>(key) : null;
    if (key && previous) {
      const settled = await this.#settled(key, context, previous, unknown);
      if (settled) return settled;
    }
    const execution = await this.#store.getExecutionBySid(context.executionSid).catch(storeUnavailable);
    const service = conversationServiceOf(execution?.state, request.conversationSid);
    if (key) {
      const decided = await this.#beginRequest(key, context, previous !== null, unknown, { conversationSid: request.conversationSid });
      if (decided) return decided;
    }
    const statusCallback = virtualAgentStatusUrl(base, context.accountSid, context.executionSid, context.effectId ?? '');
    const client = new TwilioRestClient(upstream, this.#restOptions);
    const outcome = await client.createConversationsResource(`${conversationPath(request.conversationSid, service)}/Webhooks`, [
      ['Target', 'webhook'],
      ['Configuration.Url', virtualAgentWebhookUrl(connector, request, statusCallback)],
      ['Configuration.Method', 'POST'],
      ['Configuration.Filters', 'onMessageAdded'],
    ]);
    let result: VirtualAgentResult;
    if (outcome.kind === 'created') result = { ok: true, sessionId: String(outcome.resource.sid), outputs: { VirtualAgentProvider: 'DialogflowCX' } };
    else if (outcome.kind === 'rejected') result = { ok: false, code: outcome.code, message: `Connecting the virtual agent: ${outcome.message}` };
    else {
      this.#options.log?.warn({ effectId: context.effectId, executionSid: context.executionSid, reason: outcome.reason }, 'virtual agent connection outcome unknown; reported failed, not repeated');
      result = { ok: false, code: UNKNOWN_OUTCOME_CODE, message: `Connecting the virtual agent: outcome unknown (${outcome.reason}); not repeated to avoid a second agent in the conversation` };
    }
    if (!key) return result;
    return recordOutcome(result, () => this.#ledger.write(key, context, JSON.stringify({ state: 'done', result })));
  }

  /** Takes the conversation back from the agent: deletes the session's webhook (a failure is logged: the agent may answer on). */
  async disconnectVirtualAgent(upstream: TwilioUpstream, context: SendContext, session: VirtualAgentSession): Promise<void> {
    if (!/^WH[0-9a-fA-F]{32}$/.test(session.sessionId)) return;
    const execution = await this.#store.getExecutionBySid(context.executionSid).catch(storeUnavailable);
    const service = conversationServiceOf(execution?.state, session.conversationSid);
    const path = `${conversationPath(session.conversationSid, service)}/Webhooks/${encodeURIComponent(session.sessionId)}`;
    const deleted = await new TwilioRestClient(upstream, this.#restOptions).deleteConversationsResource(path);
    if (!deleted.ok) this.#options.log?.warn({ executionSid: context.executionSid, conversationSid: session.conversationSid, webhookSid: session.sessionId, reason: deleted.reason }, 'virtual agent webhook not removed; the connector may keep answering in the conversation');
  }

  /**
   * send-to-flex outside a call: creates the TaskRouter task in the upstream account's Flex
   * workspace (configured, or the one holding the workflow). At most once per step, like sends: a
   * restart with the request in flight, or an answer that leaves the outcome unknown (500,
   * timeout), is reported as failedToEnqueue and never retried, since a second task would reach
   * a second agent.
   */
  async createFlexTask(upstream: TwilioUpstream, context: SendContext, task: FlexTaskRequest): Promise<TaskResult> {
    const key = context.effectId ? `carrier-task:${context.effectId}` : null;
    const unknown: TaskResult = { ok: false, code: UNKNOWN_OUTCOME_CODE, message: 'Task creation was requested by an earlier attempt (before a restart, or on another node) and its outcome is unknown; not repeated to avoid a duplicate task' };
    const previous = key ? await this.#requestRecord<TaskResult>(key) : null;
    if (key && previous) {
      const settled = await this.#settled(key, context, previous, unknown);
      if (settled) return settled;
    }
    const client = new TaskRouterClient(upstream, this.#restOptions);
    let workspaceSid = upstream.taskrouterWorkspaceSid;
    if (!workspaceSid) {
      const cacheKey = `${upstream.accountSid}|${task.workflowSid}`;
      workspaceSid = this.#workspaces.get(cacheKey);
      if (!workspaceSid) {
        const found = await client.workspaceFor(task.workflowSid);
        if (!found.ok) return { ok: false, code: found.code, message: found.message };
        workspaceSid = found.workspaceSid;
        this.#workspaces.set(cacheKey, workspaceSid);
      }
    }
    // A Conversations execution (flow address CH…) goes to Flex as an Interaction, as Studio does.
    const execution = await this.#store.getExecutionBySid(context.executionSid).catch(storeUnavailable);
    const conversationSid = execution && CH_SID.test(execution.channelAddress) ? execution.channelAddress : undefined;
    if (key) {
      const decided = await this.#beginRequest(key, context, previous !== null, unknown, { workspaceSid, ...(conversationSid ? { conversationSid } : {}) });
      if (decided) return decided;
    }
    const outcome = conversationSid
      ? await client.createInteraction({ conversationSid, channelType: interactionChannelType(execution?.state), workspaceSid, task })
      : await client.createTask(workspaceSid, task);
    let result: TaskResult;
    if (outcome.kind === 'created') result = { ok: true, task: conversationSid ? taskOfInteraction(outcome.resource, task) : outcome.resource };
    else if (outcome.kind === 'rejected') {
      this.#options.log?.warn({ effectId: context.effectId, executionSid: context.executionSid, httpStatus: outcome.httpStatus, code: outcome.code, reason: outcome.message }, 'TaskRouter refused a task');
      result = { ok: false, code: outcome.code, message: outcome.message };
    } else {
      this.#options.log?.warn({ effectId: context.effectId, executionSid: context.executionSid, reason: outcome.reason }, 'task creation outcome unknown; reported failed, not repeated');
      result = { ok: false, code: UNKNOWN_OUTCOME_CODE, message: `Task creation outcome unknown (${outcome.reason}); not repeated to avoid a duplicate task` };
    }
    if (!key) return result;
    return recordOutcome(result, () => this.#ledger.write(key, context, JSON.stringify({ state: 'done', result })));
  }

  async #requestRecord<T>(key: string): Promise<RequestRecord<T> | null> {
    const text = await this.#ledger.read(key).catch(storeUnavailable);
    return text ? (JSON.parse(text) as RequestRecord<T>) : null;
  }

  /**
   * The outcome a conversation or task creation's record settles: its recorded result, or, for a
   * 'requesting' record of a version that made requests without a gate, `unknown` (recorded). Null
   * when the gate decides.
   */
  async #settled<T>(key: string, context: SendContext, record: RequestRecord<T>, unknown: T): Promise<T | null> {
    if (record.state === 'done' && record.result) return record.result;
    if (record.gated) return null;
    return recordOutcome(unknown, () => this.#ledger.write(key, context, JSON.stringify({ state: 'done', result: unknown })));
  }

  /**
   * Writes the 'requesting' record of a conversation or task creation (unless the step has one) and
   * passes its gate. Null when this runner must make the requests now; else the step's outcome:
   * the one recorded by the runner that passed the gate, or `unknown` while it has none.
   */
  async #beginRequest<T>(key: string, context: SendContext, exists: boolean, unknown: T, details: Record<string, string> = {}): Promise<T | null> {
    const record = JSON.stringify({ state: 'requesting', at: Date.now(), gated: true, ...details });
    if (!exists && !(await this.#ledger.insert(key, context, record).catch(storeUnavailable))) {
      const stored = await this.#requestRecord<T>(key);
      const settled = stored ? await this.#settled(key, context, stored, unknown) : null;
      if (settled) return settled;
    }
    if (await this.#gate.pass(key, context).catch(storeUnavailable)) return null;
    const now = await this.#requestRecord<T>(key);
    return now?.state === 'done' && now.result ? now.result : unknown;
  }

  async #createConversationResources(client: TwilioRestClient, base: string, context: SendContext, request: ConversationRequest): Promise<ConversationResult> {
    const failed = (outcome: Exclude<CreateOutcome, { kind: 'created' }>, what: string): ConversationResult =>
      outcome.kind === 'rejected'
        ? { ok: false, code: outcome.code, message: `${what}: ${outcome.message}` }
        : { ok: false, code: UNKNOWN_OUTCOME_CODE, message: `${what}: outcome unknown (${outcome.reason})` };
    const service = `/v1/Services/${encodeURIComponent(request.conversationServiceSid)}/Conversations`;
    const params: FormParams = [];
    if (request.friendlyName) params.push(['FriendlyName', request.friendlyName]);
    if (request.attributes) params.push(['Attributes', request.attributes]);
    if (request.messagingServiceSid) params.push(['MessagingServiceSid', request.messagingServiceSid]);
    if (request.timers?.inactive) params.push(['Timers.Inactive', request.timers.inactive]);
    if (request.timers?.closed) params.push(['Timers.Closed', request.timers.closed]);
    const created = await client.createConversationsResource(service, params);
    if (created.kind !== 'created') return failed(created, 'Creating the conversation');
    const conversation: JsonObject = { ...created.resource };
    const conversationPath = `${service}/${String(created.resource.sid)}`;
    const participants: JsonObject[] = [];
    for (const participant of request.participants) {
      const added = await client.createConversationsResource(`${conversationPath}/Participants`, participantParams(participant));
      if (added.kind !== 'created') return failed(added, 'Adding a participant');
      participants.push(added.resource);
    }
    conversation.participants = participants;
    const webhook = await client.createConversationsResource(`${conversationPath}/Webhooks`, flowWebhookParams(base, context, ['onMessageAdded']));
    if (webhook.kind !== 'created') return failed(webhook, 'Adding the conversation webhook');
    return { ok: true, conversation, webhookSid: String(webhook.resource.sid) };
  }

  async #resumeConversationResources(client: TwilioRestClient, base: string, context: SendContext, request: ConversationResumeRequest): Promise<ConversationResult> {
    const failed = (outcome: Exclude<CreateOutcome | ReadOutcome, { kind: 'created' | 'found' }>, what: string): ConversationResult =>
      outcome.kind === 'rejected'
        ? { ok: false, code: outcome.code, message: `${what}: ${outcome.message}` }
        : { ok: false, code: UNKNOWN_OUTCOME_CODE, message: `${what}: outcome unknown (${outcome.reason})` };
    const conversationPath = `/v1/Services/${encodeURIComponent(request.conversationServiceSid)}/Conversations/${encodeURIComponent(request.conversationSid)}`;
    const fetched = await client.readConversationsResource(conversationPath);
    if (fetched.kind !== 'found') return failed(fetched, 'Fetching the conversation');
    const listed = await client.readConversationsResource(`${conversationPath}/Participants?PageSize=100`);
    if (listed.kind !== 'found') return failed(listed, 'Listing the participants');
    let conversation: JsonObject = { ...fetched.resource };
    if (request.attributes !== undefined) {
      const updated = await client.createConversationsResource(conversationPath, [['Attributes', request.attributes]]);
      if (updated.kind !== 'created') return failed(updated, 'Setting the conversation attributes');
      conversation = { ...updated.resource };
    }
    conversation.participants = Array.isArray(listed.resource.participants) ? listed.resource.participants : [];
    const webhook = await client.createConversationsResource(`${conversationPath}/Webhooks`, flowWebhookParams(base, context, request.webhookFilters));
    if (webhook.kind !== 'created') return failed(webhook, 'Adding the conversation webhook');
    return { ok: true, conversation, webhookSid: String(webhook.resource.sid) };
  }

  /** The Messages API form, in twilio-node's wire order. */
  #messageParams(upstream: TwilioUpstream, context: SendContext, message: OutboundMessage, messagingServiceSid: string | undefined): FormParams {
    const params: FormParams = [['To', message.to]];
    const base = upstream.statusCallbackBaseUrl ?? this.#options.publicBaseUrl;
    if (base && context.effectId) params.push(['StatusCallback', statusCallbackUrl(base, context.accountSid, context.executionSid, context.effectId)]);
    if (MG_SID.test(message.from)) params.push(['MessagingServiceSid', message.from]);
    else {
      params.push(['From', message.from]);
      // Link shortening needs the Messaging Service; Twilio takes From and MessagingServiceSid together.
      if (message.shortenUrls && messagingServiceSid) params.push(['MessagingServiceSid', messagingServiceSid]);
    }
    if (message.body) params.push(['Body', message.body]);
    for (const url of message.mediaUrl ?? []) params.push(['MediaUrl', url]);
    if (message.contentSid) {
      params.push(['ContentSid', message.contentSid]);
      if (message.contentVariables && Object.keys(message.contentVariables).length > 0) {
        params.push(['ContentVariables', JSON.stringify(message.contentVariables)]);
      }
    }
    if (message.shortenUrls && messagingServiceSid) params.push(['ShortenUrls', 'true']);
    return params;
  }

  #conversationParams(message: OutboundMessage, conversationSid: string): FormParams {
    const params: FormParams = [];
    // The default `from` is the conversation itself: Twilio then authors the message as "system".
    if (message.from && message.from !== conversationSid) params.push(['Author', message.from]);
    if (message.body) params.push(['Body', message.body]);
    // The widget's attributes (JSON text the engine checked), as the message's own.
    if (message.attributes !== undefined) params.push(['Attributes', message.attributes]);
    if (message.contentSid) {
      params.push(['ContentSid', message.contentSid]);
      if (message.contentVariables && Object.keys(message.contentVariables).length > 0) {
        params.push(['ContentVariables', JSON.stringify(message.contentVariables)]);
      }
    }
    return params;
  }

  /** Studio looks for a Messaging Service in `from`, then the flow address, then the trigger message. */
  #messagingService(message: OutboundMessage, channelAddress: string | undefined, state: unknown): string | undefined {
    if (MG_SID.test(message.from)) return message.from;
    if (channelAddress && MG_SID.test(channelAddress)) return channelAddress;
    const trigger = (state as { frames?: { trigger?: { message?: { MessagingServiceSid?: unknown } } }[] } | undefined)?.frames?.[0]?.trigger;
    const fromTrigger = trigger?.message?.MessagingServiceSid;
    return typeof fromTrigger === 'string' && MG_SID.test(fromTrigger) ? fromTrigger : undefined;
  }

  /**
   * Establishes what became of a send whose outcome is unknown (a crash or timeout after the
   * request may have left): a status callback for the step, else a matching message upstream,
   * else it is reported as failed. It is never sent again.
   */
  async #reconcile(client: TwilioRestClient, record: InflightSend, reason = 'an earlier attempt made the request, before a restart or on another node'): Promise<SendResult> {
    const delay = this.#options.reconcileDelayMs ?? 2000;
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    // A store failure before the outcome is known leaves the record 'requesting': a retry reconciles again.
    const seen = await this.#ledger.callbackSeen(record.effectId).catch(storeUnavailable);
    let found: JsonObject | null = null;
    if (seen) {
      found = { sid: seen.messageSid, to: record.to, from: record.from, body: record.body, status: seen.status };
    } else {
      const candidates =
        record.target === 'conversation'
          ? await client.listConversationMessages(record.conversationSid!, record.conversationServiceSid)
          : await client.listMessages({ To: asStored(record.to), From: record.messagingServiceSid && MG_SID.test(record.from) ? undefined : asStored(record.from) });
      if (candidates === null) {
        const result: SendResult = { ok: false, code: UNKNOWN_OUTCOME_CODE, message: `Send outcome unknown (${reason}) and the upstream lookup failed; not re-sent to avoid a duplicate` };
        this.#options.log?.warn({ effectId: record.effectId, executionSid: record.executionSid }, 'reconciled send: upstream lookup failed, reported failed');
        return recordOutcome(result, () => this.#ledger.finish(record, result));
      }
      found = await this.#match(record, candidates);
    }
    if (!found) {
      const result: SendResult = { ok: false, code: UNKNOWN_OUTCOME_CODE, message: `Send outcome unknown (${reason}) and no such message exists upstream; not re-sent to avoid a duplicate` };
      this.#options.log?.warn({ effectId: record.effectId, executionSid: record.executionSid }, 'reconciled send: not found upstream, reported failed');
      return recordOutcome(result, () => this.#ledger.finish(record, result));
    }
    this.#options.log?.info({ effectId: record.effectId, executionSid: record.executionSid, messageSid: found.sid, via: seen ? 'status callback' : 'lookup' }, 'reconciled send: found upstream');
    const result: SendResult = { ok: true, message: outboundFromResource(found) };
    const messageSid = String(found.sid);
    return recordOutcome(result, () => this.#finish(record, result, messageSid));
  }

  async #match(record: InflightSend, candidates: JsonObject[]): Promise<JsonObject | null> {
    const earliest = record.startedAt - (this.#options.clockSkewMs ?? 60_000);
    const matches: JsonObject[] = [];
    for (const candidate of candidates) {
      const created = rfc2822ToMillis(candidate.date_created) ?? Date.parse(String(candidate.date_created ?? ''));
      if (!Number.isFinite(created) || created < earliest) continue;
      if (record.target === 'conversation') {
        const author = record.from && record.from !== record.conversationSid ? record.from : 'system';
        if (candidate.author !== author) continue;
      } else {
        if (!sameAddress(record.to, candidate.to)) continue;
        const fromMatches = record.messagingServiceSid && MG_SID.test(record.from)
          ? candidate.messaging_service_sid === record.messagingServiceSid
          : sameAddress(record.from, candidate.from);
        if (!fromMatches) continue;
        if (candidate.direction && !String(candidate.direction).startsWith('outbound')) continue;
      }
      // A content template's body is rendered by Twilio, so only plain bodies are compared.
      if (!record.contentSid && !sameBody(record.body, candidate.body)) continue;
      matches.push(candidate);
    }
    // The oldest match no other step owns is the one this step sent first. Each is claimed as it is
    // taken (insert-if-absent), not checked and claimed later: of two steps whose identical sends
    // both went unconfirmed, each takes a message of its own.
    matches.sort((a, b) => (Date.parse(String(a.date_created)) || 0) - (Date.parse(String(b.date_created)) || 0));
    for (const candidate of matches) {
      if (await this.#ledger.claimIfFree(String(candidate.sid), record).catch(storeUnavailable)) return candidate;
    }
    return null;
  }
}
