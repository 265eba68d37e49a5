// The plain webhook channel: each outbound message is POSTed as a Twilio-style form to a URL the
// account configures (your own SMS gateway, a chat backend, a test harness), signed with
// X-Twilio-Signature using the Switchboard account's auth token. A 2xx answer means `sent`
// (a JSON body's `sid` becomes the message SID); anything else is `failed`, except a connection never
// made and the answers RETRIED_STATUSES lists, which are retried with the Twilio carrier's attempts and
// waits, within its time bound (inside the effect lease). The receiver may later POST
// MessageStatus/ErrorCode to the StatusCallback it was given, signed the same way: that URL names the
// step, which is how the report finds it. The SID we give the gateway (minted here) is claimed for the
// step like a Twilio SID, insert-only; the gateway's own `sid` is kept in the step's record only (it
// may be any string, the same for two steps, or another account's Twilio SID): see
// InflightLedger.callbackMatches.
// At most once per step, like the Twilio carrier (through the step's gate, send-gate.ts): a request
// made by an earlier attempt whose outcome was never recorded (a crash) is `failed`, not made again.
// A store failure before the request leaves is a StoreUnavailableError (the runtime tries again);
// one while recording a known outcome is an UnsavedOutcomeError (the outcome stands).
// The request goes through the outbound policy's own client, which checks the address each
// connection uses (no DNS-rebinding window); a redirect is a failure, never followed: it could lead
// past the policy, and the signature covers the configured URL only.
import { createHmac, randomBytes } from 'node:crypto';
import type { JsonObject, OutboundMessage } from '../../engine/types.ts';
import type { SendContext, SendResult } from '../../runtime/ports/channel.ts';
import type { Store } from '../../runtime/ports/store.ts';
import { recordOutcome, storeUnavailable } from '../../runtime/ports/store-errors.ts';
import { InflightLedger, inflightKey, type InflightSend } from '../twilio/inflight.ts';
import { SendGate } from '../twilio/send-gate.ts';
import { backoffDelay, DEFAULT_REST_OPTIONS, encodeForm, neverSentCode, retryAfterTooLong, type FormParams, type RetryPolicy } from '../twilio/rest-client.ts';
import { statusCallbackUrl, UNKNOWN_OUTCOME_CODE } from '../twilio/twilio-channel.ts';
import type { OutboundGuard } from '../twilio/outbound-guard.ts';
import type { WebhookTarget } from '../twilio/carrier-config.ts';
import { BlockedError, FetchHttp } from '../http/fetch-http.ts';
import { OutboundPolicy } from '../http/outbound-policy.ts';

/** The most of a gateway's answer read (it only needs to carry a sid or an error code). */
const MAX_ANSWER_BYTES = 64 * 1024;

/**
 * Answers retried, each repeat carrying the same I-Twilio-Idempotency-Token (the step's effect id) so
 * a gateway that honours it drops a repeat:
 *   - 429, 503: not acted on (Twilio's meaning, and the usual one of an overloaded or paused app);
 *   - 502, 504: a proxy or load balancer in front of the gateway answered that the app is down,
 *     restarting or too slow: most often the request never reached it, and a retry a few seconds
 *     later is what gets the message through.
 * Not 500: the gateway's own app ran and failed, possibly after it handed the message on; an app's
 * error is seldom cured seconds later, and a repeat would risk a duplicate at a gateway that ignores
 * the token. Nor any other status.
 */
const RETRIED_STATUSES = new Set([429, 502, 503, 504]);

/**
 * The time the attempts that are retried may take in all, on top of the Twilio carrier's worst case
 * (its waits plus one request timeout: 25 s by default), which keeps a send well inside the 30 s effect lease.
 */
const ANSWERS_ALLOWANCE_MS = 2_000;

export interface WebhookChannelOptions {
  /** Base of the StatusCallback URLs when the account's configuration names none. */
  publicBaseUrl?: string | undefined;
  /** The outbound policy applied to the account-configured webhook URL. */
  guard?: OutboundGuard;
  timeoutMs?: number;
  /** Attempts and waits of the retries (see RETRIED_STATUSES); the Twilio carrier's by default. */
  retry?: RetryPolicy;
  /** Injected for tests that check the schedule; defaults to a real timer. */
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

/** The gateway's answer, read. */
interface Answer {
  status: number;
  location?: string | undefined;
  retryAfter: string | null;
  body: JsonObject | null;
}

/** X-Twilio-Signature over a URL and form parameters (the same algorithm Twilio uses). */
export function signForm(authToken: string, url: string, params: FormParams): string {
  const byName = new Map<string, string[]>();
  for (const [name, value] of params) byName.set(name, [...(byName.get(name) ?? []), value]);
  let data = url;
  for (const name of [...byName.keys()].sort()) for (const value of [...new Set(byName.get(name))].sort()) data += name + value;
  return createHmac('sha1', authToken).update(Buffer.from(data, 'utf8')).digest('base64');
}

export class WebhookChannel {
  readonly #store: Store;
  readonly #ledger: InflightLedger;
  readonly #options: WebhookChannelOptions;
  readonly #http: FetchHttp;
  readonly #gate: SendGate;

  constructor(store: Store, options: WebhookChannelOptions = {}) {
    this.#store = store;
    this.#ledger = new InflightLedger(store);
    this.#gate = new SendGate(store);
    this.#options = options;
    // A guard without a policy (tests) has made its decision in the pre-check.
    this.#http = new FetchHttp({ policy: options.guard?.policy ?? OutboundPolicy.permissive() });
  }

  async send(config: WebhookTarget, context: SendContext, message: OutboundMessage): Promise<SendResult> {
    const effectId = context.effectId;
    let previous: InflightSend | null = null;
    if (effectId) {
      previous = await this.#ledger.get(effectId).catch(storeUnavailable);
      if (previous?.state === 'done' && previous.result) return previous.result;
      // Written by a version that sent without a gate: its request may have left.
      if (previous && !previous.gated) return this.#unknown(previous, true);
    }
    const blocked = this.#options.guard ? await this.#options.guard(new URL(config.url)) : null;
    if (blocked) return { ok: false, code: 30008, message: blocked };
    const account = await this.#store.getAccount(context.accountSid).catch(storeUnavailable);
    if (!account) return { ok: false, code: 20404, message: `Account ${context.accountSid} not found` };
    let record: InflightSend = {
      v: 1,
      effectId: effectId ?? '',
      executionSid: context.executionSid,
      accountSid: context.accountSid,
      target: 'message',
      to: message.to,
      from: message.from,
      body: message.body,
      startedAt: this.#now(),
      gated: true,
      channel: 'webhook',
      state: 'requesting',
    };
    let sid = mintMessageSid();
    if (effectId) {
      // Every store failure up to the gate leaves nothing sent (StoreUnavailableError: tried again).
      record = previous ?? (await this.#ledger.begin(record).catch(storeUnavailable));
      if (record.state === 'done' && record.result) return record.result;
      if (!record.gated) return this.#unknown(record, true);
      // The SID the gateway is given names this step's message even when its answer names another.
      // Minted at random it is free; were it ever taken, another is minted rather than share it.
      while (!(await this.#ledger.claimIfFree(sid, record).catch(storeUnavailable))) sid = mintMessageSid();
      if (!(await this.#gate.pass(inflightKey(effectId), record).catch(storeUnavailable))) {
        // Another runner made the request: its outcome, once it has recorded one, is the step's.
        const now = await this.#ledger.get(effectId).catch(storeUnavailable);
        return now?.state === 'done' && now.result ? now.result : this.#unknown(record, false);
      }
    }
    const params: FormParams = [
      ['MessageSid', sid],
      ['AccountSid', context.accountSid],
      ['FlowSid', context.flowSid],
      ['ExecutionSid', context.executionSid],
      ['To', message.to],
      ['From', message.from],
    ];
    if (message.body) params.push(['Body', message.body]);
    for (const url of message.mediaUrl ?? []) params.push(['MediaUrl', url]);
    if (message.contentSid) params.push(['ContentSid', message.contentSid]);
    if (message.contentVariables) params.push(['ContentVariables', JSON.stringify(message.contentVariables)]);
    const callbackBase = config.statusCallbackBaseUrl ?? this.#options.publicBaseUrl;
    if (callbackBase && effectId) params.push(['StatusCallback', statusCallbackUrl(callbackBase, context.accountSid, context.executionSid, effectId)]);
    const result = await this.#deliver(config.url, params, account.authToken, effectId ?? sid, sid, context, message);
    if (!effectId) return result;
    const made = record;
    return recordOutcome(result, () => this.#ledger.finish(made, result));
  }

  /**
   * A request made earlier (before a restart, or by another node) whose outcome is not recorded: not
   * made again. Recorded only for a record of an older version; a runner that passed the gate records its own.
   */
  async #unknown(record: InflightSend, save: boolean): Promise<SendResult> {
    const result: SendResult = { ok: false, code: UNKNOWN_OUTCOME_CODE, message: 'Send outcome unknown: an earlier attempt (before a restart, or on another node) began the request and may have sent it; not re-sent to avoid a duplicate' };
    return save ? recordOutcome(result, () => this.#ledger.finish(record, result)) : result;
  }

  /**
   * POSTs the form, again after a connection never made or an answer RETRIED_STATUSES lists, while
   * attempts remain and the retry fits the time bound: the Twilio carrier's waits and one request
   * timeout, plus ANSWERS_ALLOWANCE_MS. A 502 or 504 may come only once a slow proxy gave up, so the
   * time answers take counts, and no retry starts that could end past the bound.
   */
  async #deliver(url: string, params: FormParams, authToken: string, idempotencyToken: string, sid: string, context: SendContext, message: OutboundMessage): Promise<SendResult> {
    const retry = this.#options.retry ?? DEFAULT_REST_OPTIONS.retry;
    const timeoutMs = this.#timeoutMs();
    const deadline = this.#now() + (retry.attempts - 1) * retry.maxDelayMs + timeoutMs + ANSWERS_ALLOWANCE_MS;
    const fits = (delay: number) => this.#now() + delay + timeoutMs <= deadline;
    for (let attempt = 1; ; attempt++) {
      const last = attempt >= retry.attempts;
      let answer: Answer;
      try {
        answer = await this.#post(url, params, authToken, idempotencyToken);
      } catch (error) {
        // Refused by the policy at connection time: nothing left, so the outcome is known.
        if (error instanceof BlockedError) return { ok: false, code: 30008, message: error.message };
        const code = neverSentCode(error);
        const delay = backoffDelay(retry, attempt, null)!;
        if (code && !last && fits(delay)) {
          await this.#sleep(delay);
          continue;
        }
        if (code) return { ok: false, code: 30008, message: `Webhook unreachable (${code}) after ${attempt} attempts` };
        return { ok: false, code: UNKNOWN_OUTCOME_CODE, message: `Webhook request failed: ${(error as Error).message}` };
      }
      if (RETRIED_STATUSES.has(answer.status) && !last) {
        const delay = backoffDelay(retry, attempt, answer.retryAfter);
        if (delay === null) {
          const refused = this.#resultOf(answer, sid, context, message);
          return refused.ok ? refused : { ...refused, message: refused.message + retryAfterTooLong(answer.retryAfter) };
        }
        if (fits(delay)) {
          await this.#sleep(delay);
          continue;
        }
      }
      const outcome = this.#resultOf(answer, sid, context, message);
      return outcome.ok || attempt === 1 ? outcome : { ...outcome, message: `${outcome.message} after ${attempt} attempts` };
    }
  }

  async #post(url: string, params: FormParams, authToken: string, idempotencyToken: string): Promise<Answer> {
    const response = await this.#http.exchange(
      new URL(url),
      'POST',
      {
        'content-type': 'application/x-www-form-urlencoded',
        'user-agent': 'Switchboard/0.1 (Twilio Studio compatible)',
        'x-twilio-signature': signForm(authToken, url, params),
        // Lets a receiver drop a repeat of the same step's message.
        'i-twilio-idempotency-token': idempotencyToken,
      },
      encodeForm(params),
      MAX_ANSWER_BYTES,
      AbortSignal.timeout(this.#timeoutMs()),
    );
    const header = (name: string) => {
      const value = response.headers[name];
      return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
    };
    if (response.status >= 300 && response.status < 400) {
      response.discard();
      return { status: response.status, location: header('location') ?? undefined, retryAfter: null, body: null };
    }
    let body: JsonObject | null = null;
    try {
      const parsed: unknown = JSON.parse(await response.body());
      body = parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as JsonObject) : null;
    } catch {
      body = null;
    }
    return { status: response.status, retryAfter: header('retry-after'), body };
  }

  #resultOf(answer: Answer, sid: string, context: SendContext, message: OutboundMessage): SendResult {
    const { status, body } = answer;
    if (status >= 300 && status < 400) {
      const location = answer.location ? ` to ${answer.location}` : '';
      return { ok: false, code: 30008, message: `Webhook answered HTTP ${status} (a redirect${location}); redirects are not followed: configure the URL that accepts the POST` };
    }
    if (status >= 200 && status < 300) {
      const messageSid = body && typeof body.sid === 'string' && body.sid !== '' ? body.sid : sid;
      return {
        ok: true,
        message: { Sid: messageSid, AccountSid: context.accountSid, From: message.from, To: message.to, Body: message.body, Status: 'sent', NumMedia: String(message.mediaUrl?.length ?? 0) },
      };
    }
    return { ok: false, code: body && typeof body.code === 'number' ? body.code : 30008, message: `Webhook answered HTTP ${status}` };
  }

  #timeoutMs(): number {
    return this.#options.timeoutMs ?? DEFAULT_REST_OPTIONS.timeoutMs;
  }

  #now(): number {
    return (this.#options.now ?? Date.now)();
  }

  #sleep(ms: number): Promise<void> {
    return this.#options.sleep ? this.#options.sleep(ms) : new Promise((resolve) => setTimeout(resolve, ms));
  }
}

/** A Twilio-shaped message SID for the gateway's form (SM + 32 hex digits, random). */
function mintMessageSid(): string {
  return 'SM' + randomBytes(16).toString('hex');
}
