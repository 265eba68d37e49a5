// Inbound routing: a message (Messaging, or a Conversations message) or a call for a flow goes to its
// contact pair's active execution (a message, of several, to the newest waiting for one), or starts a
// new one. Under the pair's lock on this node; the store's one-active-per-pair index, inbound receipts
// and (a flow refusing concurrent calls) the call write's check for the caller's other calls
// (SprintWrite.soleCall) settle races with other nodes and retried webhooks.
import { DomainError, invalidParameter, notFound } from './errors.ts';
import { rateLimitedAlert } from './alerts.ts';
import { newSid } from './ids.ts';
import { contactKey, type RuntimeContext, type RuntimeOptions } from './runtime-context.ts';
import type { Sprints } from './sprints.ts';
import type { KeyedMutex } from './keyed-mutex.ts';
import type { ExecutionRecord, InboundReceipt, Store } from './ports/store.ts';
import type { ExecutionState } from '../engine/types.ts';
import { isConflict, retryOnConflict } from './conflicts.ts';

/**
 * How many of a caller's active executions (newest first) an inbound call looks through for one of their
 * calls: far more than one contact has at once; past it an older call would go unseen.
 */
const CALLER_EXECUTIONS_READ = 100;

/**
 * How many of a contact pair's active executions (newest first) an inbound message looks through, when
 * there are several, for one waiting for a message: as many as an inbound call reads.
 */
const PAIR_EXECUTIONS_READ = CALLER_EXECUTIONS_READ;

/**
 * What became of an inbound message: the execution it started or fed; `duplicate`: a retry of one this
 * flow already took, with the active execution that took it (its webhook is answered as the first was:
 * a TwiML Redirect it waits at), or null when none is found (ended); `unpublished`: the flow has no
 * revision this sender may run (no published revision, and they are no test user), so nothing ran.
 */
export interface InboundMessageResult {
  executionSid: string | null;
  duplicate?: boolean;
  unpublished?: boolean;
}

export class InboundRouter {
  readonly #ctx: RuntimeContext;
  readonly #store: Store;
  readonly #options: RuntimeOptions;
  readonly #locks: KeyedMutex;
  readonly #sprints: Sprints;

  constructor(ctx: RuntimeContext, sprints: Sprints) {
    this.#ctx = ctx;
    this.#store = ctx.store;
    this.#options = ctx.options;
    this.#locks = ctx.locks;
    this.#sprints = sprints;
  }

  /**
   * An inbound message: Messaging (contact From, flow address To) or, for
   * `incomingConversationMessage`, a Conversations message (contact Author, flow address the
   * ConversationSid, so replies go back into the conversation).
   */
  async message(
    accountSid: string,
    flowSid: string,
    params: Record<string, string>,
    trigger: 'incomingMessage' | 'incomingConversationMessage' = 'incomingMessage',
    delivery: { idempotencyKey?: string | undefined } = {},
  ): Promise<InboundMessageResult> {
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
    // only for a delivery without one. Per flow (messageReceiptKey), as a call's.
    const messageId = params.MessageSid || delivery.idempotencyKey;
    // When the message came: a reply timeout or age cap due before it wins, however late the timer loop runs.
    const arrivedAt = this.#options.now();
    const receipt: InboundReceipt | undefined = messageId ? { accountSid, key: messageReceiptKey(flowSid, messageId), receivedAt: arrivedAt } : undefined;
    const duplicate = async (): Promise<InboundMessageResult> => ({ executionSid: await this.#messageTaker(flowSid, contact, channel, params.MessageSid), duplicate: true });
    // A racing node may start the pair's execution first: then this message goes to it. A deadlock or
    // serialization failure ('version') on the new execution's write is run again from the receipt check.
    return retryOnConflict(['active-execution', 'version'], () => this.#locks.run(contactKey(flowSid, contact, channel), async () => {
      if (messageId && (await this.#messageTaken(accountSid, flowSid, messageId))) return duplicate();
      // Two SIDs in one read: with one active execution (the common case) that is all the routing reads.
      const sids = await this.#store.listActiveExecutionSidsOfPair(flowSid, contact, channel, 2);
      const active = sids.length > 1 ? await this.#messageRecipient(flowSid, contact, channel, sids[0]!) : sids[0];
      if (active) {
        // It may find the execution ended by what was due first: then the retry starts a new one.
        const delivered = await this.#sprints.deliver(active, { type: 'inbound-message', message: params }, { ...(receipt ? { receipt } : {}), requireActive: true, arrivedAt });
        return delivered === null ? { executionSid: active, duplicate: true } : { executionSid: active };
      }
      const revision = await this.#sprints.pickRevision(flow, contact);
      if (!revision) return { executionSid: null, unpublished: true };
      await this.#takeRate(accountSid, flowSid, 'message');
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
      return execution === null ? duplicate() : { executionSid: execution.sid };
    }));
  }

  /**
   * Whether this flow already took the message. Receipts written before they were per flow have the
   * plain MessageSid (or token) as key, per account: looked up too, in the same read, so a retry across the
   * upgrade stays a duplicate. (The old key can go once such receipts are past their 7 days.)
   */
  async #messageTaken(accountSid: string, flowSid: string, messageId: string): Promise<boolean> {
    return this.#store.hasInboundReceipt(accountSid, [messageReceiptKey(flowSid, messageId), messageId]);
  }

  /**
   * The pair's active execution that took a message already taken: the one it started, or the one a
   * widget of which holds it as its reply (Send & Wait for Reply's `inbound`). Null when none does (it
   * ended, or the message was only ignored) or for a delivery with no MessageSid.
   */
  async #messageTaker(flowSid: string, contact: string, channel: string, messageSid: string | undefined): Promise<string | null> {
    if (!messageSid) return null;
    const active = await this.#store.listActiveExecutionsOfPair(flowSid, contact, channel, PAIR_EXECUTIONS_READ);
    return active.find((record) => record.initiatedBy === messageSid || holdsReply(record, messageSid))?.sid ?? null;
  }

  /**
   * Takes a new inbound execution from the account's rate. Refused (429/20429), the flow gets an error
   * alert, as Twilio's Debugger records one, at most one a second per account and flow; writing it
   * never fails the request (the refusal is the answer either way).
   */
  async #takeRate(accountSid: string, flowSid: string, what: 'message' | 'call'): Promise<void> {
    try {
      this.#ctx.takeRate('inboundPerSecond', accountSid);
    } catch (error) {
      if (error instanceof DomainError && error.kind === 'rate-limited' && this.#ctx.rateAlertDue(accountSid, flowSid)) {
        const alert = rateLimitedAlert(accountSid, flowSid, what, this.#options.rateLimits.inboundPerSecond, this.#options.now());
        await this.#store.addAlerts([alert]).catch((failure: unknown) => {
          console.warn(`switchboard: warning: the 20429 alert of flow ${flowSid} (account ${accountSid}) was not written: ${failure instanceof Error ? failure.message : String(failure)}`);
        });
      }
      throw error;
    }
  }

  /**
   * Of a pair with several active executions (a call beside the contact's REST or message execution, calls
   * side by side, or executions that are not exclusive), the one a message goes to: the newest that waits
   * for a message, else the newest (which ignores it with 81002, as when it is the pair's only one).
   */
  async #messageRecipient(flowSid: string, contact: string, channel: string, newest: string): Promise<string> {
    const active = await this.#store.listActiveExecutionsOfPair(flowSid, contact, channel, PAIR_EXECUTIONS_READ);
    for (const record of active) if (await this.#waitsForMessage(record)) return record.sid;
    return active[0]?.sid ?? newest;
  }

  /**
   * Whether the execution's widget now takes a message: Send & Wait for Reply waiting for the reply, or
   * still sending its question (the engine keeps a reply that overtook it for when it waits), or Connect
   * Virtual Agent's session in a conversation.
   */
  async #waitsForMessage(record: ExecutionRecord): Promise<boolean> {
    const frames = (record.state as ExecutionState | null)?.frames;
    const frame = frames?.[frames.length - 1];
    const wait = frame?.wait;
    if (!frame || !wait) return false;
    // A virtual agent has the conversation: the contact's message is the agent's (it restarts the reply timeout).
    if (wait.kind === 'reply' || wait.kind === 'virtual-agent') return true;
    if (wait.kind !== 'effect' || !frame.current) return false;
    // A subflow's frame carries its definition; the main flow's is the execution's revision (cached).
    const definition = frame.definition ?? (await this.#sprints.definition(record.accountSid, record.flowSid, record.flowVersion));
    return definition.states.some((state) => state.name === frame.current && state.type === 'send-and-wait-for-reply');
  }

  /**
   * An inbound call starts a voice execution (`incomingCall`, initiated by the CallSid). With the
   * flow's `allow_concurrent_calls` off, a caller who already has an active call execution is refused
   * (`blocked`), unless `holdsLine` says that execution's call no longer holds the line (CallService: a
   * simulator call lost with its process); on (also when missing, as for new flows in the Console), the
   * new call goes ahead beside the earlier one (README Voice): its execution does not take the pair's
   * one active slot. Once per CallSid and flow: the execution's first sprint writes the call's inbound
   * receipt (callReceiptKey), so a webhook for a call this flow already ran is `duplicate`.
   */
  async call(accountSid: string, flowSid: string, params: Record<string, string>, holdsLine?: LineCheck): Promise<InboundCallResult> {
    const contact = params.From ?? '';
    const channel = params.To ?? '';
    if (!contact || !channel || !params.CallSid) throw invalidParameter('An inbound call needs CallSid, From and To');
    const flow = await this.#store.getFlow(accountSid, flowSid);
    if (!flow) throw notFound(`/v1/Accounts/${accountSid}/Flows/${flowSid}`);
    // The call's receipt, written with the execution's first sprint: its webhook starts the flow once.
    const receipt: InboundReceipt = { accountSid, key: callReceiptKey(flowSid, params.CallSid), receivedAt: this.#options.now() };
    // A racing node may start the caller's execution first: look again (blocked, or side by side). A
    // deadlock or serialization failure ('version') on the new execution's write: again from the receipt.
    return retryOnConflict(['active-execution', 'version'], () => this.#locks.run(contactKey(flowSid, contact, channel), async () => {
      if (await this.#store.hasInboundReceipt(accountSid, receipt.key)) return { execution: null, duplicate: true };
      const revision = await this.#sprints.pickRevision(flow, contact);
      if (!revision) return { execution: null };
      const definition = await this.#sprints.definition(accountSid, flowSid, revision);
      // All of the pair's active executions, not only the newest: an older call may run beside a newer
      // message or REST execution (calls side by side do not hold the pair's slot, which it then takes).
      // With concurrent calls allowed, only whether there is one matters (then this call goes beside it).
      const blocking = definition.flags?.allow_concurrent_calls === false;
      const active = await this.#store.listActiveExecutionsOfPair(flowSid, contact, channel, blocking ? CALLER_EXECUTIONS_READ : 1);
      // The flag is about calls only (§6.4): the caller's message or REST execution does not block it;
      // nor does a call `holdsLine` finds lost (ended now, as by its hang-up) or unknowable here.
      const ended = new Set<string>();
      for (const record of blocking ? active : []) {
        // This very call, its execution started by another node since the receipt was read: a retried
        // webhook (CallService goes on with that execution), not the caller's other call.
        if ((record.state as ExecutionState | null)?.callSid === params.CallSid) return { execution: null, duplicate: true };
        if (!isInboundCall(record)) continue;
        const hold = holdsLine ? await holdsLine(record) : 'holds';
        if (hold === 'holds') return { execution: null, blocked: record };
        if (hold === 'ended') ended.add(record.sid);
      }
      // Read under this node's lock only: another node may be starting the caller's other call meanwhile,
      // beside the same REST or message execution (then neither takes the pair's slot, which would order
      // them). The write checks again, atomically across nodes, that the pair has no active call but those
      // let pass here; refused, the retry reads that call and the caller is blocked.
      await this.#takeRate(accountSid, flowSid, 'call');
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
        receipt,
        // allow_concurrent_calls: the caller's calls run side by side (each found by its CallSid).
        ...(active.some((record) => !ended.has(record.sid)) ? { exclusive: false } : {}),
        ...(blocking ? { soleCall: { passing: active.filter((record) => !ended.has(record.sid)).map((record) => record.sid) } } : {}),
      }).catch((error: unknown) => {
        if (isConflict(error, 'duplicate-inbound')) return null; // the same call's webhook another node ran first
        throw error;
      });
      return execution === null ? { execution: null, duplicate: true } : { execution };
    }));
  }
}

/**
 * What became of an inbound call: the execution it started; `blocked`, the caller's active call
 * execution that refused it (allow_concurrent_calls off); `duplicate`, this flow already started an
 * execution for the CallSid (a retried or replayed webhook: the caller goes on with it while it is
 * active, else is hung up); neither, the flow has no revision the caller may run.
 */
export interface InboundCallResult {
  execution: ExecutionRecord | null;
  blocked?: ExecutionRecord;
  duplicate?: boolean;
}

/**
 * The inbound receipt of a call's webhook for a flow. Per flow: a TwiML Redirect hands a call running
 * one flow to another flow's webhook, which starts that flow once for it.
 */
export function callReceiptKey(flowSid: string, callSid: string): string {
  return `call:${flowSid}:${callSid}`;
}

/**
 * The inbound receipt of a message's webhook for a flow (`messageId`: the MessageSid, else the delivery's
 * idempotency token). Per flow, as a call's: a TwiML Redirect hands a message one flow took to another
 * flow's webhook, which runs that flow once for it.
 */
export function messageReceiptKey(flowSid: string, messageId: string): string {
  return `msg:${flowSid}:${messageId}`;
}

/** Whether a widget of the execution (any frame's) holds the message as the reply it took. */
function holdsReply(record: ExecutionRecord, messageSid: string): boolean {
  const frames = (record.state as ExecutionState | null)?.frames ?? [];
  return frames.some((frame) =>
    Object.values(frame.widgets ?? {}).some((outputs) => {
      const inbound = outputs && typeof outputs === 'object' && !Array.isArray(outputs) ? outputs.inbound : undefined;
      return !!inbound && typeof inbound === 'object' && !Array.isArray(inbound) && inbound.MessageSid === messageSid;
    }),
  );
}

/**
 * Whether a caller's active call execution refuses their new call: `holds`; `ended`, it no longer does,
 * having been ended just now; `passes`, it no longer does, but stays active.
 */
export type LineHold = 'holds' | 'ended' | 'passes';
export type LineCheck = (record: ExecutionRecord) => Promise<LineHold>;

/** An execution started by an inbound call (its trigger data holds the call), not by a message or REST. */
function isInboundCall(record: ExecutionRecord): boolean {
  const trigger = (record.state as ExecutionState | null)?.frames?.[0]?.trigger;
  return !!trigger && typeof trigger === 'object' && typeof trigger.call === 'object' && trigger.call !== null;
}
