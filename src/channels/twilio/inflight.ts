// In-flight send records: the carrier's half of "at most one message per step".
//
// The runtime's outbox row for a send-message effect exists before the channel is called and is
// re-dispatched after a restart, or by another node once its runner's claim lapsed. Before the
// carrier sends the request to Twilio it inserts `inflight:<effectId>` = {state: 'requesting', gated}
// (insert-if-absent: every runner of the step shares one record), then passes the step's gate
// (send-gate.ts: the request leaves only from the one runner that inserted it); once the outcome is
// known it rewrites the record as {state: 'done', result}. A re-dispatched effect therefore finds:
//   - no record, or a 'requesting' one whose gate nobody passed: no request was made, sending now is safe;
//   - 'done': the outcome is known, it is returned again and nothing is sent;
//   - 'requesting' with its gate passed by another runner (or by this process before a restart), or
//     written without a gate by an older version: the request may be on the wire. The send is
//     reconciled (a status callback for the step, or a lookup of the Messages upstream), never
//     re-sent blindly; if nothing is found it is reported as failed.
// Also kept: `carrier-msg:<MessageSid>` = the effect that sent it (so a lookup never claims one
// message for two steps, and Conversations can tell our own messages apart; inserted once, never
// overwritten: only SIDs minted by Twilio or by Switchboard go there, never an id a gateway made up), and
// `carrier-seen:<effectId>` = the MessageSid a status callback reported for that step, and
// `carrier-report:<effectId>` = a delivery failure reported for it and not yet applied to its execution,
// and `carrier-go:<ledger key>` = the gate its request went through (send-gate.ts).
// All are the store's channel records, each naming its account and execution: they go with either,
// and are pruned a retention (CHANNEL_RECORD_RETENTION_MS) after the execution is no longer active,
// when no send of it can be re-dispatched and no status report can change it any more.
import type { ChannelRecordWrite, Store } from '../../runtime/ports/store.ts';
import type { SendResult } from '../../runtime/ports/channel.ts';

export interface InflightSend {
  v: 1;
  effectId: string;
  executionSid: string;
  /** Local (Switchboard) account. */
  accountSid: string;
  /** 'conversation' sends go to the Conversations API. */
  target: 'message' | 'conversation';
  conversationSid?: string;
  /** The conversation's service (IS…), when known: its Messages are read under it. */
  conversationServiceSid?: string;
  to: string;
  from: string;
  messagingServiceSid?: string;
  body: string;
  contentSid?: string;
  startedAt: number;
  /** Its request leaves only through the step's gate (send-gate.ts); absent on records of older versions. */
  gated?: true;
  /**
   * Sent by the plain webhook channel: its answer's `sid` is the gateway's own id, unique for all we
   * know only to that gateway: it is kept in this record, and another step's claim on it proves nothing (see callbackMatches).
   */
  channel?: 'webhook';
  state: 'requesting' | 'done';
  result?: SendResult;
}

/** Whose a record is: the step's effect, its execution and (local) account. */
export type RecordOwner = Pick<InflightSend, 'executionSid' | 'accountSid'>;

export interface MessageClaim {
  effectId: string;
  executionSid: string;
  accountSid: string;
}

export const inflightKey = (effectId: string) => `inflight:${effectId}`;
const claimKey = (messageSid: string) => `carrier-msg:${messageSid}`;
const seenKey = (effectId: string) => `carrier-seen:${effectId}`;
const REPORT_PREFIX = 'carrier-report:';
const reportKey = (effectId: string) => `${REPORT_PREFIX}${effectId}`;

/** A status callback's report on a step's message, kept until its execution has been given it. */
export interface DeliveryReport {
  effectId: string;
  executionSid: string;
  accountSid: string;
  messageSid: string;
  status: string;
  errorCode?: string;
}

function parse<T>(text: string | null): T | null {
  if (!text) return null;
  try {
    return JSON.parse(text) as T;
  } catch {
    return null;
  }
}

export class InflightLedger {
  readonly #store: Store;

  constructor(store: Store) {
    this.#store = store;
  }

  /** A record's text (JSON), for the carrier's other at-most-once records (conversation and task creations). */
  async read(key: string): Promise<string | null> {
    return (await this.#store.getChannelRecord(key))?.value ?? null;
  }

  async write(key: string, owner: RecordOwner, value: string, options?: ChannelRecordWrite): Promise<void> {
    // Wall-clock time, as the retention is counted on it.
    await this.#store.putChannelRecord({ key, accountSid: owner.accountSid, executionSid: owner.executionSid, value, updatedAt: Date.now() }, options);
  }

  /** Writes a record unless the key holds one: true when this wrote it. */
  async insert(key: string, owner: RecordOwner, value: string): Promise<boolean> {
    return this.#store.insertChannelRecord({ key, accountSid: owner.accountSid, executionSid: owner.executionSid, value, updatedAt: Date.now() });
  }

  async get(effectId: string): Promise<InflightSend | null> {
    return parse<InflightSend>(await this.read(inflightKey(effectId)));
  }

  /**
   * Written and durable before the request leaves, unless the step has a record already (another
   * runner's, or this runner's from an attempt whose answer was lost): the record the step has now.
   * Never overwritten while 'requesting': a runner's record is all another has to go by.
   */
  async begin(record: InflightSend): Promise<InflightSend> {
    if (await this.insert(inflightKey(record.effectId), record, JSON.stringify(record))) return record;
    const stored = await this.get(record.effectId);
    if (!stored) throw new Error(`the in-flight record of ${record.effectId} was removed as it was written`);
    return stored;
  }

  /**
   * Not once the execution was deleted (unlessDeleted): a send that completes after its execution (its
   * flow, its account) was deleted, which took the 'requesting' record along, writes nothing back.
   */
  async finish(record: InflightSend, result: SendResult): Promise<void> {
    await this.write(inflightKey(record.effectId), record, JSON.stringify({ ...record, state: 'done', result }), { unlessDeleted: true });
  }

  /**
   * Claims a message or call SID for the step unless another step has it, in one atomic write: of
   * two lookups that found the same candidate, only one takes it. True when the step holds it now
   * (already held by this step included).
   */
  async claimIfFree(sid: string, record: Pick<InflightSend, 'effectId' | 'executionSid' | 'accountSid'>): Promise<boolean> {
    const claim: MessageClaim = { effectId: record.effectId, executionSid: record.executionSid, accountSid: record.accountSid };
    const written = await this.#store.insertChannelRecord({ key: claimKey(sid), accountSid: record.accountSid, executionSid: record.executionSid, value: JSON.stringify(claim), updatedAt: Date.now() });
    return written || (await this.claimOf(sid))?.effectId === record.effectId;
  }

  async claimOf(messageSid: string): Promise<MessageClaim | null> {
    return parse<MessageClaim>(await this.read(claimKey(messageSid)));
  }

  /**
   * Whether a status callback posted to a step's own StatusCallback URL (which names its account,
   * execution and effect) reports on a message that step sent. Never a message of another execution
   * or account. On the Twilio carrier a SID is the step's if the step claimed it, or, while its send
   * is not recorded as sent, if no other step did (a report may race the send's answer). On the webhook
   * channel other steps' claims say nothing: a gateway's ids are its own (two steps may get the same
   * one, another account's gateway may answer with any SID), so the step's message is the SID minted
   * for it (claimed by it) or the id its gateway answered with (kept in its record).
   */
  async callbackMatches(step: RecordOwner & { effectId: string }, messageSid: string): Promise<boolean> {
    const sent = await this.get(step.effectId);
    if (sent && (sent.accountSid !== step.accountSid || sent.executionSid !== step.executionSid)) return false;
    const claim = await this.claimOf(messageSid);
    if (claim?.effectId === step.effectId) return true;
    const result = sent?.state === 'done' ? sent.result : undefined;
    if (!result?.ok) return sent?.channel === 'webhook' || !claim;
    return sent?.channel === 'webhook' && String(result.message.Sid) === messageSid;
  }

  /** A status callback named the message a step sent: proof of the outcome for reconciliation. */
  async sawCallback(owner: RecordOwner & { effectId: string }, messageSid: string, status: string): Promise<void> {
    if (await this.read(seenKey(owner.effectId))) return;
    await this.write(seenKey(owner.effectId), owner, JSON.stringify({ messageSid, status }));
  }

  async callbackSeen(effectId: string): Promise<{ messageSid: string; status: string } | null> {
    return parse(await this.read(seenKey(effectId)));
  }

  /** Written and durable before the report is acknowledged; a later report for the step replaces it. */
  async keepReport(report: DeliveryReport): Promise<void> {
    await this.write(reportKey(report.effectId), report, JSON.stringify(report));
  }

  async report(effectId: string): Promise<DeliveryReport | null> {
    return parse<DeliveryReport>(await this.read(reportKey(effectId)));
  }

  async dropReport(effectId: string): Promise<void> {
    await this.#store.deleteChannelRecord(reportKey(effectId));
  }

  /** Reports not yet applied, by effect id, those after `afterEffectId` only. */
  async pendingReports(limit: number, afterEffectId?: string): Promise<DeliveryReport[]> {
    const records = await this.#store.listChannelRecords(REPORT_PREFIX, limit, afterEffectId === undefined ? undefined : reportKey(afterEffectId));
    return records.map((record) => parse<DeliveryReport>(record.value) ?? { effectId: record.key.slice(REPORT_PREFIX.length), executionSid: record.executionSid, accountSid: record.accountSid, messageSid: '', status: '' });
  }
}
