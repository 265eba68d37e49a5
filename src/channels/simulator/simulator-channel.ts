// The built-in simulator: the default channel, no account needed. Outbound messages are
// recorded per conversation (flow address ↔ contact) and "delivered" a moment later; tests and
// the console can make the next message to an address fail on send or on delivery. Conversations
// Start Conversation creates live in memory: the execution's sends are posted into them, and the
// contact's messages there (or texts to the proxy number of their binding) come back as
// onMessageAdded webhooks. As on the carrier, an execution that is in a conversation (a conversation
// message started it, or Start Conversation moved it there) sends into it, whatever `from` and `to` say.
// Outside a conversation, a `to` the Messages API would refuse (not a phone number or channel address, or a
// short code: isMessageAddress) fails with 21211, as on Twilio.
import { randomSid } from '../../runtime/ids.ts';
import type { ConversationRequest, ConversationResumeRequest, FlexTaskRequest, JsonObject, OutboundMessage, VirtualAgentRequest, VirtualAgentSession } from '../../engine/types.ts';
import type { ConversationResult, DeliveryStatus, InlineSend, MessageChannel, SendContext, SendResult, TaskResult, VirtualAgentResult } from '../../runtime/ports/channel.ts';
import { evictOldest } from '../../lib/evict-oldest.ts';
import { withoutPhoneFormatting } from '../../lib/phone-format.ts';
import { BODY_TOO_LONG_CODE, BODY_TOO_LONG_MESSAGE, bodyTooLong, smsSegments } from '../../lib/sms-segments.ts';
import { conversationWebhookParams, messageWebhookParams } from './webhook-params.ts';
import { isoSeconds } from '../../lib/iso-date.ts';
import { storeUnavailable } from '../../runtime/ports/store-errors.ts';

/** The address the flow "owns" in the simulator when none is given (Twilio's magic test number). */
export const SIMULATOR_FLOW_ADDRESS = '+15005550006';

export interface TranscriptEntry {
  sid: string;
  direction: 'inbound' | 'outbound-api';
  from: string;
  to: string;
  body: string;
  mediaUrl: string[];
  status: string;
  flowSid: string;
  executionSid: string | null;
  dateCreated: number;
  /** The content template a flow sent (Send Message's `content_sid`), whose text the simulator does not have. */
  contentSid?: string;
  /** A message posted into a conversation: its Attributes (JSON text), when the widget gave some. */
  attributes?: string;
  /**
   * The order the simulator recorded it in, across every transcript (set when recorded): dates have whole
   * seconds on the wire, so messages of one second are told apart by it.
   */
  sequence?: number;
}

export type FailureKind = 'send' | 'delivery';

/** A send-to-flex hand-off the simulator took instead of TaskRouter (what tests assert on). */
export interface SimulatedTask {
  sid: string;
  accountSid: string;
  flowSid: string;
  executionSid: string;
  workflowSid: string;
  taskChannel: string;
  attributes: string;
  priority: number;
  timeout: number;
  dateCreated: number;
}

const MAX_TASKS = 1000;
/** Failures armed (POST /simulator/Failures) and not yet used, kept at most. */
const MAX_FAILURES = 10_000;
/** Task channels every TaskRouter workspace has, by unique name. */
const DEFAULT_TASK_CHANNELS = new Set(['default', 'voice', 'chat', 'sms', 'video', 'email']);

const MAX_ENTRIES_PER_CONVERSATION = 500;
/** Transcripts kept (least recently active out first): a long-running server meets ever new contacts. */
const MAX_TRANSCRIPTS = 10_000;
/**
 * Characters kept across all transcripts (least recently active out first). The counts above alone
 * allow 10,000 × 500 entries of any size; this bounds what they hold (about 64 MB of strings).
 */
export const DEFAULT_MAX_TRANSCRIPT_CHARS = 32 * 1024 * 1024;
/** An entry's fixed part (SIDs, status, date, the object itself), counted as characters. */
const ENTRY_OVERHEAD_CHARS = 160;

/** One conversation's entries and the characters they count for. */
interface Transcript {
  entries: TranscriptEntry[];
  chars: number;
}

function entryChars(entry: TranscriptEntry): number {
  let chars = ENTRY_OVERHEAD_CHARS + entry.from.length + entry.to.length + entry.body.length + (entry.attributes?.length ?? 0);
  for (const url of entry.mediaUrl) chars += url.length;
  return chars;
}

export interface SimulatorChannelOptions {
  /** Characters kept across all transcripts before the least recently active go (tests shrink it). */
  maxTranscriptChars?: number;
}

/** An execution's flow address as its row holds it now (the store's), or undefined when there is no such execution. */
export type ChannelAddressOf = (executionSid: string) => Promise<string | undefined>;

function messageSid(): string {
  return randomSid('SM');
}

function sid(prefix: string): string {
  return randomSid(prefix);
}

const MAX_CONVERSATIONS = 1000;

/**
 * A virtual agent session (Connect Virtual Agent, Conversations channel) in a conversation. The simulator has no
 * agent: the session lasts until someone ends it (POST /simulator/Flows/{FW}/Executions/{FN}/VirtualAgent), the
 * widget's timeout passes or its execution ends; the contact's messages meanwhile are recorded as usual.
 */
export interface SimulatedAgentSession {
  sessionId: string;
  accountSid: string;
  flowSid: string;
  executionSid: string;
  conversationSid: string;
  connectorName: string;
  endUser: string;
  parameters: { key: string; value: string }[];
  dateCreated: number;
}

/**
 * A conversation Start Conversation created here, which the execution moved into, or one a contact's text
 * opened (openConversation); or one an execution sends into that the simulator never saw (a Conversations
 * webhook posted to the server), taken as it comes, with no participants known.
 */
/** Why a message with media URLs is not posted into a Conversation (81011). */
export const CONVERSATION_MEDIA_MESSAGE = 'Failed to send message: media URLs cannot be posted into a Conversation (it takes uploaded Media SIDs)';

interface LiveConversation {
  sid: string;
  accountSid: string;
  flowSid: string;
  /** The execution that created it; '' for one a contact's text opened or one taken as it comes. */
  executionSid: string;
  serviceSid: string;
  webhookSid: string;
  participants: JsonObject[];
  /** Messages added so far (the next one's Index). */
  messages: number;
}

/** A contact's message that goes into a conversation, and the webhook parameters it makes. */
export interface ConversationInbound {
  conversationSid: string;
  params: Record<string, string>;
}

const CONVERSATION_SID = /^CH[0-9a-fA-F]{32}$/;

/** Twilio's error for a `To` the Messages API cannot send to (not a number, nor a channel address). */
export const INVALID_TO_CODE = 21211;
/** A phone number in E.164, `+` and 7 to 15 digits, maybe written with spaces, dots, dashes or parentheses. */
const E164 = /^\+[\d\s().-]+$/;
/** Channel addresses: `whatsapp:`/`rcs:` take a phone number; `messenger:` and `client:` an identifier. */
const PHONE_CHANNELS = new Set(['whatsapp', 'rcs']);
const ID_CHANNELS = new Set(['messenger', 'client']);

function isPhoneNumber(address: string): boolean {
  if (!E164.test(address)) return false;
  const digits = address.replace(/\D/g, '');
  return digits.length >= 7 && digits.length <= 15 && digits[0] !== '0';
}

/**
 * Whether the Messages API takes `to` as an address (outside a conversation: there `to` plays no part):
 * an E.164 number or a channel address (`whatsapp:+…`, `rcs:+…`, `messenger:<id>`, `client:<identity>`).
 * Anything else Twilio refuses with 21211: `not a number`, a bare name, and a short code ("12345": a short
 * code sends, it is not sent to; Twilio's 21211 page lists it as a cause). Surrounding whitespace is not
 * held against it.
 */
export function isMessageAddress(to: string): boolean {
  const address = to.trim();
  if (isPhoneNumber(address)) return true;
  const colon = address.indexOf(':');
  if (colon < 1) return false;
  const channel = address.slice(0, colon).toLowerCase();
  const rest = address.slice(colon + 1);
  if (PHONE_CHANNELS.has(channel)) return isPhoneNumber(rest);
  return ID_CHANNELS.has(channel) && /^\S+$/.test(rest);
}

/** What a send goes into: a conversation, none (a plain message), or one this account cannot post in. */
type SendTarget = LiveConversation | undefined | { notFound: string };

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** What a send armed to fail (failNext 'send') answers: the widget takes `failed`. */
function sendFailure(message: OutboundMessage): SendResult {
  return { ok: false, code: 21610, message: `Simulated send failure to ${message.to}` };
}

function rfc2822(ms: number): string {
  return new Date(ms).toUTCString().replace('GMT', '+0000');
}

export class SimulatorChannel implements MessageChannel {
  readonly name = 'simulator';
  readonly #conversations = new Map<string, Transcript>();
  /** Characters the transcripts count for, in total (their keys included). */
  #transcriptChars = 0;
  readonly #maxTranscriptChars: number;
  readonly #failNext = new Map<string, FailureKind>();
  readonly #createdConversations: JsonObject[] = [];
  /** Conversations by SID, and the one each execution moved into (where its sends go). */
  readonly #live = new Map<string, LiveConversation>();
  readonly #executionConversation = new Map<string, string>();
  /** Conversations executions sent into that the simulator never saw (kept apart: a text to them is not routed there). */
  readonly #unseen = new Map<string, LiveConversation>();
  #channelAddressOf: ChannelAddressOf | undefined;
  readonly #tasks: SimulatedTask[] = [];
  /** Virtual agent sessions open now, by conversation (one agent has a conversation at a time). */
  readonly #agentSessions = new Map<string, SimulatedAgentSession>();
  readonly #now: () => number;
  #onStatus: (report: DeliveryStatus) => void = () => undefined;
  readonly #messageListeners = new Set<(entry: TranscriptEntry) => void>();
  #pendingReports = 0;
  #sequence = 0;

  constructor(now: () => number, options: SimulatorChannelOptions = {}) {
    this.#now = now;
    this.#maxTranscriptChars = options.maxTranscriptChars ?? DEFAULT_MAX_TRANSCRIPT_CHARS;
  }

  /**
   * Where the simulator reads an execution's flow address, as the carrier does, to post its sends into the
   * conversation it is in. Without it, only conversations Start Conversation made here are known.
   */
  readChannelAddresses(lookup: ChannelAddressOf): void {
    this.#channelAddressOf = lookup;
  }

  /** Where delivery reports go (the runtime). */
  onStatus(listener: (report: DeliveryStatus) => void): void {
    this.#onStatus = listener;
  }

  /**
   * Calls `listener` with each message as it is recorded, both ways, once (a conversation message as
   * the contact sees it: from the proxy number of their binding, else from the conversation), whatever
   * transcript it goes to. `simulate` prints them as they happen. Returns the unsubscribe.
   */
  onMessage(listener: (entry: TranscriptEntry) => void): () => void {
    this.#messageListeners.add(listener);
    return () => void this.#messageListeners.delete(listener);
  }

  #announce(entry: TranscriptEntry): void {
    for (const listener of this.#messageListeners) {
      // A listener's failure (a console stream, `simulate`'s printer) is its own: the message was sent, and the
      // sprint that sent it is written already (an inline send is published after its write).
      try {
        listener(entry);
      } catch {
        // ignored: see above
      }
    }
  }

  busy(): boolean {
    return this.#pendingReports > 0;
  }

  async idle(): Promise<void> {
    while (this.#pendingReports > 0) await new Promise((resolve) => setImmediate(resolve));
  }

  /** Makes the next message to `address` fail: on send (`failed`) or after acceptance (`deliveryFailure`). */
  failNext(address: string, kind: FailureKind, accountSid?: string): void {
    // Scoped to the account that asked (the API), so one tenant cannot fail another's messages.
    const key = accountSid ? `${accountSid}|${address}` : address;
    this.#failNext.delete(key);
    this.#failNext.set(key, kind);
    // Armed failures nobody sends to would otherwise pile up: the oldest go.
    evictOldest(this.#failNext, MAX_FAILURES);
  }

  /** Disarms what failNext armed for `address` (by this account); whether anything was armed. */
  clearFailure(address: string, accountSid?: string): boolean {
    return this.#failNext.delete(accountSid ? `${accountSid}|${address}` : address);
  }

  /** What the next message to `address` (by this account) is armed to do, or null: it goes out as usual. */
  armedFailure(address: string, accountSid?: string): FailureKind | null {
    return this.#failNext.get(accountSid ? `${accountSid}|${address}` : address) ?? null;
  }

  async sendMessage(context: SendContext, message: OutboundMessage): Promise<SendResult> {
    // Looked up before an armed failure is taken: a store failure here is retried, and must find it still armed.
    const target = await this.#conversationOf(context, message.from);
    if (target) {
      const failure = this.#takeFailure(context, message);
      if (failure?.kind === 'send') return sendFailure(message);
      if ('notFound' in target) return { ok: false, code: 20404, message: `The requested resource /Conversations/${target.notFound}/Messages was not found` };
      return this.#postToConversation(context, target, message);
    }
    const send = this.#prepareSend(context, message);
    send.publish();
    return send.result;
  }

  /**
   * A plain message (not into a conversation) is sent in memory: the sprint applies its result itself and
   * publishes it once written. A message that may go into a conversation (its execution's flow address is
   * one, or not known here) goes through the outbox and sendMessage, which looks the conversation up.
   */
  async sendInline(context: SendContext, message: OutboundMessage): Promise<InlineSend | null> {
    const address = context.channelAddress;
    if (address === undefined || CONVERSATION_SID.test(address) || CONVERSATION_SID.test(message.from)) return null;
    if (this.#executionConversation.has(context.executionSid)) return null;
    return this.#prepareSend(context, message);
  }

  /** Takes the failure armed for the message's address (by this account first), with how to put it back. */
  #takeFailure(context: SendContext, message: OutboundMessage): { kind: FailureKind; rearm(): void } | null {
    const to = withoutPhoneFormatting(message.to);
    const scoped = `${context.accountSid}|${to}`;
    const key = this.#failNext.has(scoped) ? scoped : to;
    const kind = this.#failNext.get(key);
    if (!kind) return null;
    this.#failNext.delete(key);
    return { kind, rearm: () => void (this.#failNext.has(key) || this.#failNext.set(key, kind)) };
  }

  /**
   * A plain message's result, decided now; the transcript entry, the listeners and the delivery report wait
   * for publish(), and abandon() puts back an armed failure it took.
   */
  #prepareSend(context: SendContext, original: OutboundMessage): InlineSend {
    const failure = this.#takeFailure(context, original);
    const abandon = () => failure?.rearm();
    const done = (result: SendResult): InlineSend => ({ result, publish: () => undefined, abandon });
    if (failure?.kind === 'send') return done(sendFailure(original));
    // As Twilio's Messages API, an address it cannot send to is refused (21211; the widget takes `failed`).
    if (!isMessageAddress(original.to)) return done({ ok: false, code: INVALID_TO_CODE, message: `The 'To' number ${original.to} is not a valid phone number.` });
    // The addresses as Twilio's Messages API keeps them: a phone number written for people (`+1 (555) 123-0043`,
    // which it takes) as its E.164, in the message resource (outbound.To) and in the contact's transcript.
    const message = { ...original, to: withoutPhoneFormatting(original.to), from: withoutPhoneFormatting(original.from) };
    // Twilio's Messages API refuses the body outright (the widget takes `failed`).
    if (bodyTooLong(message.body)) return done({ ok: false, code: BODY_TOO_LONG_CODE, message: BODY_TOO_LONG_MESSAGE });
    const entry: TranscriptEntry = {
      sid: messageSid(),
      direction: 'outbound-api',
      from: message.from,
      to: message.to,
      body: message.body,
      mediaUrl: message.mediaUrl ?? [],
      status: 'queued',
      flowSid: context.flowSid,
      executionSid: context.executionSid,
      dateCreated: this.#now(),
      ...(message.contentSid ? { contentSid: message.contentSid } : {}),
    };
    const resource: JsonObject = {
      Sid: entry.sid,
      AccountSid: context.accountSid,
      From: entry.from,
      To: entry.to,
      Body: entry.body,
      Status: 'queued',
      NumSegments: String(smsSegments(entry.body)),
      NumMedia: String(entry.mediaUrl.length),
      Direction: 'outbound-api',
      DateCreated: rfc2822(entry.dateCreated),
    };
    const undelivered = failure?.kind === 'delivery';
    const publish = () => {
      this.#record(message.from, message.to, entry);
      this.#announce(entry);
      // Delivery is reported after the send result, as status callbacks are on Twilio.
      this.#pendingReports++;
      setImmediate(() => {
        this.#pendingReports--;
        entry.status = undelivered ? 'undelivered' : 'delivered';
        this.#onStatus({
          executionSid: context.executionSid,
          messageSid: entry.sid,
          // The send it reports on, as a carrier's status callback URL names it (matched before the SID).
          ...(context.effectId ? { effectId: context.effectId } : {}),
          status: entry.status,
          ...(undelivered ? { errorCode: '30003' } : {}),
        });
      });
    };
    return { result: { ok: true, message: resource }, publish, abandon };
  }

  /** Simulates the Conversations API: the conversation and its participants exist only in memory. */
  async startConversation(context: SendContext, request: ConversationRequest): Promise<ConversationResult> {
    if (!/^IS[0-9a-fA-F]{32}$/.test(request.conversationServiceSid)) {
      return { ok: false, code: 50050, message: `Service ${request.conversationServiceSid} was not found` };
    }
    const conversationSid = sid('CH');
    const created = isoSeconds(this.#now());
    const conversation: JsonObject = {
      sid: conversationSid,
      account_sid: context.accountSid,
      chat_service_sid: request.conversationServiceSid,
      messaging_service_sid: request.messagingServiceSid ?? null,
      friendly_name: request.friendlyName ?? null,
      unique_name: null,
      attributes: request.attributes ?? '{}',
      state: 'active',
      timers: request.timers ?? {},
      participants: request.participants.map((participant) => ({ ...participant, sid: sid('MB') })),
      date_created: created,
      date_updated: created,
    };
    this.#createdConversations.push(conversation);
    if (this.#createdConversations.length > MAX_CONVERSATIONS) this.#createdConversations.shift();
    const webhookSid = sid('WH');
    this.#live.set(conversationSid, {
      sid: conversationSid,
      accountSid: context.accountSid,
      flowSid: context.flowSid,
      executionSid: context.executionSid,
      serviceSid: request.conversationServiceSid,
      webhookSid,
      participants: conversation.participants as JsonObject[],
      messages: 0,
    });
    evictOldest(this.#live, MAX_CONVERSATIONS);
    this.#executionConversation.set(context.executionSid, conversationSid);
    evictOldest(this.#executionConversation, MAX_CONVERSATIONS);
    return { ok: true, conversation, webhookSid };
  }

  /**
   * Simulates Resume Conversation's calls to the Conversations API: the conversation must be one the simulator
   * holds in this account and service (one Start Conversation created, or a contact's text opened), else 20404
   * as the API's fetch answers. The execution moves into it: its sends go there, and the contact's messages
   * there come back to this flow through the new webhook (the one it had before no longer routes them).
   * `attributes` replace the conversation's.
   */
  async resumeConversation(context: SendContext, request: ConversationResumeRequest): Promise<ConversationResult> {
    const service = request.conversationServiceSid;
    if (!/^IS[0-9a-fA-F]{32}$/.test(service)) return { ok: false, code: 50050, message: `Service ${service} was not found` };
    const live = this.#live.get(request.conversationSid);
    if (!live || live.accountSid !== context.accountSid || live.serviceSid !== service) {
      return { ok: false, code: 20404, message: `The requested resource /Services/${service}/Conversations/${request.conversationSid} was not found` };
    }
    const now = isoSeconds(this.#now());
    let resource = this.#createdConversations.find((c) => c.sid === live.sid);
    if (!resource) {
      // One a contact's text opened: the resource as the Conversations API shows one nobody named.
      resource = { sid: live.sid, account_sid: live.accountSid, chat_service_sid: service, messaging_service_sid: null, friendly_name: null, unique_name: null, attributes: '{}', state: 'active', timers: {}, date_created: now, date_updated: now };
      this.#createdConversations.push(resource);
      if (this.#createdConversations.length > MAX_CONVERSATIONS) this.#createdConversations.shift();
    }
    if (request.attributes !== undefined) Object.assign(resource, { attributes: request.attributes, date_updated: now });
    live.flowSid = context.flowSid;
    live.executionSid = context.executionSid;
    live.webhookSid = sid('WH');
    this.#executionConversation.set(context.executionSid, live.sid);
    evictOldest(this.#executionConversation, MAX_CONVERSATIONS);
    return { ok: true, conversation: { ...resource, participants: live.participants }, webhookSid: live.webhookSid };
  }

  /**
   * Takes a send-to-flex hand-off as TaskRouter would (same checks on the workflow and task channel
   * SIDs, same resource shape) and records it; no agent ever picks it up.
   */
  async createTask(context: SendContext, task: FlexTaskRequest): Promise<TaskResult> {
    if (!/^WW[0-9a-fA-F]{32}$/.test(task.workflowSid)) return { ok: false, code: 20001, message: `Workflow ${task.workflowSid} is not a valid WW… workflow SID` };
    if (!/^TC[0-9a-fA-F]{32}$/.test(task.taskChannel) && !DEFAULT_TASK_CHANNELS.has(task.taskChannel)) {
      return { ok: false, code: 20001, message: `TaskChannel ${task.taskChannel} is neither a TC… SID nor a task channel unique name` };
    }
    try {
      JSON.parse(task.attributes);
    } catch {
      // TaskRouter refuses attributes that are not JSON.
      return { ok: false, code: 20001, message: 'Attributes must be valid JSON' };
    }
    const recorded: SimulatedTask = { sid: sid('WT'), accountSid: context.accountSid, flowSid: context.flowSid, executionSid: context.executionSid, ...task, dateCreated: this.#now() };
    this.#tasks.push(recorded);
    if (this.#tasks.length > MAX_TASKS) this.#tasks.shift();
    const created = isoSeconds(recorded.dateCreated);
    return {
      ok: true,
      task: {
        sid: recorded.sid,
        account_sid: context.accountSid,
        workflow_sid: task.workflowSid,
        task_channel_sid: /^TC/.test(task.taskChannel) ? task.taskChannel : null,
        task_channel_unique_name: /^TC/.test(task.taskChannel) ? null : task.taskChannel,
        attributes: task.attributes,
        priority: task.priority,
        timeout: task.timeout,
        age: 0,
        assignment_status: 'pending',
        date_created: created,
        date_updated: created,
      },
    };
  }

  /**
   * Connect Virtual Agent (Conversations channel): the agent takes the execution's conversation, as the carrier's
   * would. The conversation is found as a send's is (#conversationOf: another account's is not found, 20404); a
   * session already open in it is replaced. Outputs: VirtualAgentProvider DialogflowCX, as the voice simulation's.
   */
  async connectVirtualAgent(context: SendContext, request: VirtualAgentRequest): Promise<VirtualAgentResult> {
    const target = await this.#conversationOf(context, request.conversationSid);
    if (!target || 'notFound' in target) return { ok: false, code: 20404, message: `The requested resource /Conversations/${request.conversationSid} was not found` };
    const session: SimulatedAgentSession = {
      sessionId: sid('VA'),
      accountSid: context.accountSid,
      flowSid: context.flowSid,
      executionSid: context.executionSid,
      conversationSid: target.sid,
      connectorName: request.connectorName,
      endUser: request.endUser,
      parameters: request.parameters,
      dateCreated: this.#now(),
    };
    this.#agentSessions.delete(target.sid);
    this.#agentSessions.set(target.sid, session);
    evictOldest(this.#agentSessions, MAX_CONVERSATIONS);
    return { ok: true, sessionId: session.sessionId, outputs: { VirtualAgentProvider: 'DialogflowCX' } };
  }

  /** The flow took the conversation back (the widget's timeout, the execution's end): the session is over. */
  async disconnectVirtualAgent(_context: SendContext, session: VirtualAgentSession): Promise<void> {
    this.#endAgentSession(session.conversationSid, session.sessionId);
  }

  /** The virtual agent session open in a conversation, if any. */
  agentSession(conversationSid: string): SimulatedAgentSession | undefined {
    return this.#agentSessions.get(conversationSid);
  }

  /** Forgets the session `sessionId` of a conversation (ended by its agent, or taken back by the flow). */
  endAgentSession(conversationSid: string, sessionId: string): void {
    this.#endAgentSession(conversationSid, sessionId);
  }

  #endAgentSession(conversationSid: string, sessionId: string): void {
    if (this.#agentSessions.get(conversationSid)?.sessionId === sessionId) this.#agentSessions.delete(conversationSid);
  }

  /**
   * The address a contact's transcript of a conversation is kept under (transcript(address, contact)): the
   * proxy address of their messaging binding in it (an SMS participant sees the conversation's messages on
   * their phone, from that number), else the conversation itself (a chat participant, or one not held).
   */
  contactViewOf(conversationSid: string, contact: string): string {
    const participant = this.#live.get(conversationSid)?.participants.find((p) => str(p.messaging_binding_address) === contact);
    return (participant && str(participant.messaging_binding_proxy_address)) || conversationSid;
  }

  /** send-to-flex hand-offs recorded for an account, oldest first. */
  tasks(accountSid: string): SimulatedTask[] {
    return this.#tasks.filter((task) => task.accountSid === accountSid);
  }

  /** Conversations created by start-conversation widgets, oldest first. */
  conversations(): JsonObject[] {
    return [...this.#createdConversations];
  }

  /**
   * The conversation a contact's message to `to` goes into, if any: `to` is the conversation (a chat
   * participant writing in it), or the proxy address of `from`'s messaging binding in a conversation
   * this flow started (an SMS participant texting the number, which Twilio routes into the conversation).
   */
  conversationFor(accountSid: string, flowSid: string, from: string, to: string): string | null {
    const direct = this.#live.get(to);
    if (direct) return direct.accountSid === accountSid && direct.flowSid === flowSid ? direct.sid : null;
    // The newest conversation holding the binding, as a binding pair belongs to one active conversation.
    // Most messages go to no conversation at all: no copy of the map for them.
    let found: string | null = null;
    for (const c of this.#live.values()) {
      if (c.accountSid === accountSid && c.flowSid === flowSid && c.participants.some((p) => str(p.messaging_binding_address) === from && str(p.messaging_binding_proxy_address) === to)) found = c.sid;
    }
    return found;
  }

  /**
   * The conversation a contact's text to `to` goes into when `to` hands texts to Conversations (as an
   * autocreating address configuration does for a flow triggered by incomingConversationMessage): the
   * one already holding the contact's binding, else a new one (the contact its SMS participant, `to`
   * the proxy address; or, when `to` names a conversation not yet here, that one with the contact as
   * a chat participant). Null when `to` is another account's or flow's conversation.
   */
  openConversation(accountSid: string, flowSid: string, contact: string, to: string): string | null {
    const existing = this.conversationFor(accountSid, flowSid, contact, to);
    if (existing) return existing;
    const named = CONVERSATION_SID.test(to);
    // One an execution already sent into goes on (its messages' Index), with the contact now known in it.
    const unseen = named ? this.#unseen.get(to) : undefined;
    if (named && (this.#live.has(to) || (unseen && unseen.accountSid !== accountSid))) return null;
    const conversationSid = named ? to : sid('CH');
    const participant: JsonObject = named ? { sid: sid('MB'), identity: contact } : { sid: sid('MB'), messaging_binding_address: contact, messaging_binding_proxy_address: to };
    this.#unseen.delete(conversationSid);
    this.#live.set(conversationSid, { sid: conversationSid, accountSid, flowSid, executionSid: '', serviceSid: unseen?.serviceSid ?? sid('IS'), webhookSid: unseen?.webhookSid ?? sid('WH'), participants: [participant], messages: unseen?.messages ?? 0 });
    evictOldest(this.#live, MAX_CONVERSATIONS);
    return conversationSid;
  }

  /**
   * Records the contact's message in a conversation (and on their phone's transcript when they texted
   * its proxy address `to`) and returns the onMessageAdded webhook parameters the conversation posts.
   */
  inboundConversation(conversationSid: string, from: string, to: string, body: string): ConversationInbound | null {
    const conversation = this.#live.get(conversationSid);
    if (!conversation) return null;
    const participant = conversation.participants.find((p) => str(p.messaging_binding_address) === from || str(p.identity) === from);
    const messageSid = sid('IM');
    const index = conversation.messages++;
    const now = this.#now();
    const entry = (flowAddress: string): TranscriptEntry => ({ sid: messageSid, direction: 'inbound', from, to: flowAddress, body, mediaUrl: [], status: 'received', flowSid: conversation.flowSid, executionSid: null, dateCreated: now });
    const inConversation = entry(conversation.sid);
    this.#record(conversation.sid, from, inConversation);
    const onPhone = to !== conversation.sid ? entry(to) : null;
    if (onPhone) this.#record(to, from, onPhone);
    this.#announce(onPhone ?? inConversation);
    const params = conversationWebhookParams({
      accountSid: conversation.accountSid,
      chatServiceSid: conversation.serviceSid,
      conversationSid: conversation.sid,
      messageSid,
      ...(participant && str(participant.sid) ? { participantSid: String(participant.sid) } : {}),
      source: participant && str(participant.messaging_binding_address) ? 'SMS' : 'SDK',
      author: from,
      body,
      index,
      dateCreated: now,
      webhookSid: conversation.webhookSid,
    });
    return { conversationSid: conversation.sid, params };
  }

  /**
   * The carrier's rule (twilio-channel.ts): a conversation SID in `from`, else the execution's flow address
   * when it is one (a conversation message started the execution, or Start Conversation moved it there:
   * the one known here saves the read). `to` plays no part.
   */
  async #conversationOf(context: SendContext, from: string): Promise<SendTarget> {
    let sid = CONVERSATION_SID.test(from) ? from : this.#executionConversation.get(context.executionSid);
    // The runtime passes the execution's address along when it has it: a read per message otherwise.
    if (!sid) sid = context.channelAddress ?? (this.#channelAddressOf ? await this.#channelAddressOf(context.executionSid).catch(storeUnavailable) : undefined);
    if (!sid || !CONVERSATION_SID.test(sid)) return undefined;
    const conversation = this.#live.get(sid) ?? this.#unseen.get(sid) ?? this.#takeUnseen(context, sid);
    // Another account's conversation: Twilio does not find it in this one.
    return conversation.accountSid === context.accountSid ? conversation : { notFound: sid };
  }

  #takeUnseen(context: SendContext, conversationSid: string): LiveConversation {
    const conversation: LiveConversation = { sid: conversationSid, accountSid: context.accountSid, flowSid: context.flowSid, executionSid: '', serviceSid: sid('IS'), webhookSid: sid('WH'), participants: [], messages: 0 };
    this.#unseen.set(conversationSid, conversation);
    evictOldest(this.#unseen, MAX_CONVERSATIONS);
    return conversation;
  }

  /**
   * A message posted into a conversation, as the Conversations API takes it (no delivery reports, as
   * the carrier has none for them), with the widget's attributes as its Attributes. Every participant gets it, whoever `to` names (the carrier drops
   * `to`): it shows in the conversation's transcript (CH | participant) and, for a participant with an
   * SMS binding, on their phone's (proxy address | participant), which the console shows. In a
   * conversation with no participant known here, it is recorded for `to`.
   */
  #postToConversation(context: SendContext, conversation: LiveConversation, message: OutboundMessage): SendResult {
    if (message.mediaUrl?.length) {
      return { ok: false, code: 81011, message: CONVERSATION_MEDIA_MESSAGE };
    }
    const author = message.from && message.from !== conversation.sid ? message.from : 'system';
    const messageSid = sid('IM');
    const index = conversation.messages++;
    const now = this.#now();
    const entry = (from: string, to: string): TranscriptEntry => ({
      sid: messageSid,
      direction: 'outbound-api',
      from,
      to,
      body: message.body,
      mediaUrl: [],
      status: 'sent',
      flowSid: context.flowSid,
      executionSid: context.executionSid,
      dateCreated: now,
      ...(message.contentSid ? { contentSid: message.contentSid } : {}),
      ...(message.attributes !== undefined ? { attributes: message.attributes } : {}),
    });
    const recipients = conversation.participants.flatMap((p) => {
      const address = str(p.messaging_binding_address) ?? str(p.identity);
      return address ? [{ address, proxy: str(p.messaging_binding_proxy_address) }] : [];
    });
    if (recipients.length === 0) recipients.push({ address: message.to, proxy: undefined });
    // Announced once, as the recipient `to` names sees it (else the first): `simulate` prints one line.
    let announced: TranscriptEntry | undefined;
    for (const { address, proxy } of recipients) {
      const inConversation = entry(conversation.sid, address);
      this.#record(conversation.sid, address, inConversation);
      const onPhone = proxy ? entry(proxy, address) : null;
      if (onPhone) this.#record(proxy!, address, onPhone);
      if (!announced || address === message.to) announced = onPhone ?? inConversation;
    }
    this.#announce(announced!);
    return {
      ok: true,
      message: {
        Sid: messageSid,
        AccountSid: context.accountSid,
        ConversationSid: conversation.sid,
        Author: author,
        Body: message.body,
        Index: index,
        // As the Conversations API's resource: "{}" when the message was given none.
        Attributes: message.attributes ?? '{}',
        ContentSid: message.contentSid ?? null,
        DateCreated: isoSeconds(now),
      },
    };
  }

  /** Records an inbound message (the contact texting the flow) and returns its webhook parameters. */
  inbound(accountSid: string, flowSid: string, from: string, to: string, body: string, mediaUrl: string[] = []): Record<string, string> {
    const sid = messageSid();
    const entry: TranscriptEntry = { sid, direction: 'inbound', from, to, body, mediaUrl, status: 'received', flowSid, executionSid: null, dateCreated: this.#now() };
    this.#record(to, from, entry);
    this.#announce(entry);
    return messageWebhookParams({ sid, accountSid, from, to, body, mediaUrl });
  }

  /**
   * Marks an inbound message with the execution it started or resumed, once the runtime has
   * taken it (the message is recorded before any execution exists).
   */
  linkExecution(flowAddress: string, contact: string, messageSid: string, executionSid: string, conversationSid?: string): void {
    for (const address of conversationSid ? [flowAddress, conversationSid] : [flowAddress]) {
      const entry = this.#conversations.get(`${address}|${contact}`)?.entries.find((m) => m.sid === messageSid);
      if (entry) entry.executionSid = executionSid;
    }
  }

  /**
   * Marks an inbound message `failed` when the runtime refused it (the account's rate limit, a store outage):
   * the request that sent it failed, so its transcript must not show it as taken. Announced again, so open
   * streams show the change.
   */
  refuseInbound(flowAddress: string, contact: string, messageSid: string, conversationSid?: string): void {
    for (const address of conversationSid ? [flowAddress, conversationSid] : [flowAddress]) {
      const entry = this.#conversations.get(`${address}|${contact}`)?.entries.find((m) => m.sid === messageSid);
      if (!entry) continue;
      entry.status = 'failed';
      this.#announce(entry);
    }
  }

  transcript(flowAddress: string, contact: string): TranscriptEntry[] {
    return [...(this.#conversations.get(`${flowAddress}|${contact}`)?.entries ?? [])];
  }

  #record(flowAddress: string, contact: string, entry: TranscriptEntry): void {
    entry.sequence ??= ++this.#sequence;
    const key = `${flowAddress}|${contact}`;
    let transcript = this.#conversations.get(key);
    if (transcript) {
      this.#conversations.delete(key);
    } else {
      transcript = { entries: [], chars: key.length };
      this.#transcriptChars += key.length;
    }
    const chars = entryChars(entry);
    transcript.entries.push(entry);
    transcript.chars += chars;
    this.#transcriptChars += chars;
    if (transcript.entries.length > MAX_ENTRIES_PER_CONVERSATION) this.#dropOldestEntries(transcript, transcript.entries.length - MAX_ENTRIES_PER_CONVERSATION);
    // Re-inserted, so the Map's order is recency and its first key the transcript idle longest.
    this.#conversations.set(key, transcript);
    evictOldest(this.#conversations, MAX_TRANSCRIPTS, (_, evicted) => (this.#transcriptChars -= evicted.chars));
    if (this.#transcriptChars > this.#maxTranscriptChars) this.#fitBudget(key);
  }

  #dropOldestEntries(transcript: Transcript, count: number): void {
    let chars = 0;
    for (const dropped of transcript.entries.splice(0, count)) chars += entryChars(dropped);
    transcript.chars -= chars;
    this.#transcriptChars -= chars;
  }

  /**
   * Back under the character budget: the least recently active transcripts go, down to a sixteenth under
   * it in one walk (as evictOldest does, so each message does not evict again). The one just written
   * (`current`, last in the Map) stays; alone over the budget, it loses its oldest entries but its latest.
   */
  #fitBudget(current: string): void {
    const target = this.#maxTranscriptChars - (this.#maxTranscriptChars >> 4);
    for (const [key, transcript] of this.#conversations) {
      if (this.#transcriptChars <= target || key === current) break;
      this.#conversations.delete(key);
      this.#transcriptChars -= transcript.chars;
    }
    const own = this.#conversations.get(current)!;
    let excess = this.#transcriptChars - this.#maxTranscriptChars;
    let count = 0;
    while (excess > 0 && count < own.entries.length - 1) excess -= entryChars(own.entries[count++]!);
    if (count > 0) this.#dropOldestEntries(own, count);
  }
}
