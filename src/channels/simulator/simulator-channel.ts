// The built-in simulator: the default channel, no account needed. Outbound messages are
// recorded per conversation (flow address ↔ contact) and "delivered" a moment later; tests and
// the console can make the next message to an address fail on send or on delivery.
import { randomBytes } from 'node:crypto';
import type { JsonObject, OutboundMessage } from '../../engine/types.ts';
import type { DeliveryStatus, MessageChannel, SendContext, SendResult } from '../../runtime/ports/channel.ts';

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
}

export type FailureKind = 'send' | 'delivery';

const MAX_ENTRIES_PER_CONVERSATION = 500;

function messageSid(): string {
  return 'SM' + randomBytes(16).toString('hex');
}

function rfc2822(ms: number): string {
  return new Date(ms).toUTCString().replace('GMT', '+0000');
}

export class SimulatorChannel implements MessageChannel {
  readonly name = 'simulator';
  readonly #conversations = new Map<string, TranscriptEntry[]>();
  readonly #failNext = new Map<string, FailureKind>();
  readonly #now: () => number;
  #onStatus: (report: DeliveryStatus) => void = () => undefined;
  #pendingReports = 0;

  constructor(now: () => number) {
    this.#now = now;
  }

  /** Where delivery reports go (the runtime). */
  onStatus(listener: (report: DeliveryStatus) => void): void {
    this.#onStatus = listener;
  }

  busy(): boolean {
    return this.#pendingReports > 0;
  }

  async idle(): Promise<void> {
    while (this.#pendingReports > 0) await new Promise((resolve) => setImmediate(resolve));
  }

  /** Makes the next message to `address` fail: on send (`failed`) or after acceptance (`deliveryFailure`). */
  failNext(address: string, kind: FailureKind): void {
    this.#failNext.set(address, kind);
  }

  async sendMessage(context: SendContext, message: OutboundMessage): Promise<SendResult> {
    const failure = this.#failNext.get(message.to);
    if (failure) this.#failNext.delete(message.to);
    if (failure === 'send') return { ok: false, code: 21610, message: `Simulated send failure to ${message.to}` };
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
    };
    this.#record(message.from, message.to, entry);
    const resource: JsonObject = {
      Sid: entry.sid,
      AccountSid: context.accountSid,
      From: entry.from,
      To: entry.to,
      Body: entry.body,
      Status: 'queued',
      NumSegments: '1',
      NumMedia: String(entry.mediaUrl.length),
      Direction: 'outbound-api',
      DateCreated: rfc2822(entry.dateCreated),
    };
    // Delivery is reported after the send result, as status callbacks are on Twilio.
    this.#pendingReports++;
    setImmediate(() => {
      this.#pendingReports--;
      entry.status = failure === 'delivery' ? 'undelivered' : 'delivered';
      this.#onStatus({
        executionSid: context.executionSid,
        messageSid: entry.sid,
        status: entry.status,
        ...(failure === 'delivery' ? { errorCode: '30003' } : {}),
      });
    });
    return { ok: true, message: resource };
  }

  /** Records an inbound message (the contact texting the flow) and returns its webhook parameters. */
  inbound(accountSid: string, flowSid: string, from: string, to: string, body: string, mediaUrl: string[] = []): Record<string, string> {
    const sid = messageSid();
    this.#record(to, from, {
      sid,
      direction: 'inbound',
      from,
      to,
      body,
      mediaUrl,
      status: 'received',
      flowSid,
      executionSid: null,
      dateCreated: this.#now(),
    });
    const params: Record<string, string> = {
      MessageSid: sid,
      SmsSid: sid,
      SmsMessageSid: sid,
      AccountSid: accountSid,
      From: from,
      To: to,
      Body: body,
      NumMedia: String(mediaUrl.length),
      NumSegments: '1',
      SmsStatus: 'received',
      ApiVersion: '2010-04-01',
    };
    mediaUrl.forEach((url, i) => (params[`MediaUrl${i}`] = url));
    return params;
  }

  transcript(flowAddress: string, contact: string): TranscriptEntry[] {
    return [...(this.#conversations.get(`${flowAddress}|${contact}`) ?? [])];
  }

  #record(flowAddress: string, contact: string, entry: TranscriptEntry): void {
    const key = `${flowAddress}|${contact}`;
    const list = this.#conversations.get(key) ?? [];
    list.push(entry);
    if (list.length > MAX_ENTRIES_PER_CONVERSATION) list.splice(0, list.length - MAX_ENTRIES_PER_CONVERSATION);
    this.#conversations.set(key, list);
  }
}
