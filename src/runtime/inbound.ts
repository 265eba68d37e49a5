// Inbound routing: a message (Messaging, or a Conversations message) or a call for a flow goes to its
// contact pair's active execution, or starts a new one. Under the pair's lock on this node; the
// store's one-active-per-pair index and inbound receipts settle races with other nodes and retried
// webhooks.
import { invalidParameter, notFound } from './errors.ts';
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
 * What became of an inbound message: the execution it started or fed; `duplicate`: a retry of one
 * already taken; `unpublished`: the flow has no revision this sender may run (no published revision,
 * and they are no test user), so nothing ran.
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
    // only for a delivery without one.
    const receiptKey = params.MessageSid || delivery.idempotencyKey;
    // When the message came: a reply timeout or age cap due before it wins, however late the timer loop runs.
    const arrivedAt = this.#options.now();
    const receipt: InboundReceipt | undefined = receiptKey ? { accountSid, key: receiptKey, receivedAt: arrivedAt } : undefined;
    // A racing node may start the pair's execution first: then this message goes to it.
    return retryOnConflict(['active-execution'], () => this.#locks.run(contactKey(flowSid, contact, channel), async () => {
      if (receipt && (await this.#store.hasInboundReceipt(accountSid, receipt.key))) return { executionSid: null, duplicate: true };
      const active = await this.#store.findActiveExecutionSid(flowSid, contact, channel);
      if (active) {
        // It may find the execution ended by what was due first: then the retry starts a new one.
        const delivered = await this.#sprints.deliver(active, { type: 'inbound-message', message: params }, { ...(receipt ? { receipt } : {}), requireActive: true, arrivedAt });
        return delivered === null ? { executionSid: active, duplicate: true } : { executionSid: active };
      }
      const revision = await this.#sprints.pickRevision(flow, contact);
      if (!revision) return { executionSid: null, unpublished: true };
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
   * flow's `allow_concurrent_calls` off, a caller who already has an active call execution is refused
   * (`blocked`); on (also when missing, as for new flows in the Console), the new call goes ahead beside
   * the earlier one (README Voice): its execution does not take the pair's one active slot.
   */
  async call(accountSid: string, flowSid: string, params: Record<string, string>): Promise<{ execution: ExecutionRecord | null; blocked?: ExecutionRecord }> {
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
      // All of the pair's active executions, not only the newest: an older call may run beside a newer
      // message or REST execution (calls side by side do not hold the pair's slot, which it then takes).
      // With concurrent calls allowed, only whether there is one matters (then this call goes beside it).
      const blocking = definition.flags?.allow_concurrent_calls === false;
      const active = await this.#store.listActiveExecutionsOfPair(flowSid, contact, channel, blocking ? CALLER_EXECUTIONS_READ : 1);
      // The flag is about calls only (§6.4): the caller's message or REST execution does not block it.
      const ongoingCall = blocking ? active.find(isInboundCall) : undefined;
      if (ongoingCall) return { execution: null, blocked: ongoingCall };
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
        ...(active.length > 0 ? { exclusive: false } : {}),
      });
      return { execution };
    }));
  }
}

/** An execution started by an inbound call (its trigger data holds the call), not by a message or REST. */
function isInboundCall(record: ExecutionRecord): boolean {
  const trigger = (record.state as ExecutionState | null)?.frames?.[0]?.trigger;
  return !!trigger && typeof trigger === 'object' && typeof trigger.call === 'object' && trigger.call !== null;
}
