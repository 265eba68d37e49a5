// A local fake of the Twilio APIs the carrier calls, for tests (no internet, nothing mocked in our
// code): Messages, Calls and Call Recordings (2010-04-01), Conversations (v1: conversations, fetched and updated
// too, their participants, webhooks and messages) and TaskRouter (Tasks, and
// the Workspaces/Workflows reads that find a workflow's workspace). It
// checks Basic auth and the required parameters as Twilio does, records every request, sends
// status callbacks signed with the auth token (by the `twilio` package's own signer), posts signed
// inbound webhooks, and fails on demand: 429, 500, 503, timeouts, lost requests, undelivered.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import twilio from 'twilio';

export type FormPairs = [string, string][];

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  form: FormPairs;
  headers: http.IncomingHttpHeaders;
  at: number;
}

/** What the next create request (Messages, Calls or Conversation messages) does. */
export type Fault =
  | { kind: 'status'; status: 429 | 500 | 502 | 503 | 400; retryAfter?: number; code?: number; message?: string }
  /** Creates the resource, then answers 500 (the request reached Twilio). */
  | { kind: 'created-then-500' }
  /** Creates the resource and never answers (a timeout after Twilio acted). */
  | { kind: 'created-then-hang' }
  /** Never answers and creates nothing (the request was lost). */
  | { kind: 'hang' }
  /** Creates the message, reports this status to its StatusCallback and only then answers 201. */
  | { kind: 'callback-before-response'; status: 'undelivered' | 'failed' | 'delivered' };

export interface FakeMessage {
  sid: string;
  account_sid: string;
  to: string;
  from: string | null;
  messaging_service_sid: string | null;
  body: string;
  status: string;
  direction: string;
  num_segments: string;
  num_media: string;
  error_code: number | null;
  error_message: string | null;
  date_created: string;
  date_updated: string;
  date_sent: string | null;
  api_version: string;
  price: null;
  price_unit: string;
  uri: string;
  subresource_uris: Record<string, string>;
  /** Fake-only bookkeeping, not part of Twilio's resource. */
  statusCallback?: string;
  mediaUrl: string[];
  contentSid?: string;
  contentVariables?: string;
}

export interface FakeTwilioOptions {
  accountSid: string;
  authToken: string;
  apiKey?: { sid: string; secret: string };
  /**
   * Status callbacks after a message is created: 'auto' sends queued → sent → delivered (or the
   * outcome set with `deliverNext`), 'manual' leaves it to `sendStatus`.
   */
  callbacks?: 'auto' | 'manual';
}

/** Twilio stores a `+`-prefixed number in E.164: `+1 555-123-0001` → `+15551230001`. */
function e164(address: string): string {
  return address.startsWith('+') ? address.replace(/[\s().-]/g, '') : address;
}

function rfc2822(ms: number): string {
  return new Date(ms).toUTCString().replace('GMT', '+0000');
}

function sid(prefix: string): string {
  return prefix + randomBytes(16).toString('hex');
}

function formToRecord(pairs: FormPairs): Record<string, string | string[]> {
  const record: Record<string, string | string[]> = {};
  for (const [name, value] of pairs) {
    const existing = record[name];
    record[name] = existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  return record;
}

export class FakeTwilio {
  readonly options: FakeTwilioOptions;
  readonly requests: RecordedRequest[] = [];
  readonly messages: FakeMessage[] = [];
  readonly calls: Record<string, unknown>[] = [];
  /** Call recordings started (Call Recordings API); `status` follows stop requests. */
  readonly recordings: Record<string, unknown>[] = [];
  /** Calls that are over: starting a recording on them is refused (21220), as on Twilio. */
  readonly endedCalls = new Set<string>();
  readonly conversationMessages: Record<string, unknown>[] = [];
  /** As on a trial account, message bodies are stored with Twilio's trial prefix. */
  trialAccount = false;
  /** As with Smart Encoding on, curly quotes and dashes are stored as their GSM-7 look-alikes. */
  smartEncoding = false;
  readonly tasks: Record<string, unknown>[] = [];
  /** Flex Interactions created (send-to-flex in Conversations executions). */
  readonly interactions: Record<string, unknown>[] = [];
  /** TaskRouter workspaces → their workflow SIDs. Empty: any workspace and workflow is accepted. */
  readonly workspaces = new Map<string, Set<string>>();
  /** Conversations created in a service, with their participants and scoped webhooks. */
  readonly conversations: (Record<string, unknown> & { participants: Record<string, unknown>[]; webhooks: Record<string, unknown>[] })[] = [];
  /** Conversation-scoped webhooks created (in a service's conversation or the default service's), until deleted. */
  readonly conversationWebhooks: Record<string, unknown>[] = [];
  /** Conversations services that do not exist (404 on use). */
  readonly missingServices = new Set<string>();
  /**
   * The account's default Conversation Service: /v1/Conversations/{CH}/… reaches only its conversations.
   * A conversation created here in another service answers 404 there (as on Twilio) and must be
   * addressed as /v1/Services/{IS}/Conversations/{CH}/…; one the fake never created is taken as the default's.
   */
  defaultConversationService = 'IS' + 'de'.repeat(16);
  /** Callbacks sent: url, params, the HTTP status Switchboard answered. */
  readonly callbacksSent: { url: string; params: Record<string, string>; status: number }[] = [];
  readonly #faults: Fault[] = [];
  #holds: { path: RegExp; held: Promise<void> }[] = [];
  readonly #outcomes: ('delivered' | 'undelivered' | 'failed')[] = [];
  readonly #pending = new Set<Promise<unknown>>();
  /** Resolves each time a create request has been received (before it is answered). */
  #onCreate: (() => void)[] = [];
  #server: http.Server | null = null;
  baseUrl = '';

  constructor(options: FakeTwilioOptions) {
    this.options = { callbacks: 'auto', ...options };
  }

  async start(): Promise<this> {
    this.#server = http.createServer((req, res) => void this.#handle(req, res));
    await new Promise<void>((resolve) => this.#server!.listen(0, '127.0.0.1', resolve));
    this.baseUrl = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.#pending]);
    this.#server?.closeAllConnections();
    await new Promise<void>((resolve) => this.#server?.close(() => resolve()) ?? resolve());
  }

  /**
   * Holds the requests whose path matches `path` unanswered until the returned function is called (a slow
   * Twilio), so a test can act while the request is in flight.
   */
  hold(path: RegExp): () => void {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    this.#holds.push({ path, held });
    return () => {
      this.#holds = this.#holds.filter((h) => h.held !== held);
      release();
    };
  }

  /** Queues a fault for the next create request(s), in order. */
  failNext(...faults: Fault[]): void {
    this.#faults.push(...faults);
  }

  /** The next message(s) created end with this status (auto callbacks). */
  deliverNext(...outcomes: ('delivered' | 'undelivered' | 'failed')[]): void {
    this.#outcomes.push(...outcomes);
  }

  /** Resolves when the next create request arrives (the moment a test may "crash" the server). */
  nextCreate(): Promise<void> {
    return new Promise((resolve) => this.#onCreate.push(resolve));
  }

  creates(resource: 'Messages' | 'Calls' | 'Conversations'): RecordedRequest[] {
    return this.requests.filter((r) => r.method === 'POST' && (resource === 'Conversations' ? r.path.includes('/Conversations/') : r.path.endsWith(`/${resource}.json`)));
  }

  /** Waits until every callback the fake started has been answered. */
  async settle(): Promise<void> {
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
  }

  /** Posts a signed form to `url` as Twilio would; returns the response status and body. */
  #storedBody(body: string): string {
    const encoded = this.smartEncoding ? body.replace(/[\u201C\u201D]/g, '"').replace(/[\u2018\u2019]/g, "'").replace(/[\u2013\u2014]/g, '-') : body;
    return this.trialAccount ? `Sent from your Twilio trial account - ${encoded}` : encoded;
  }

  async postSigned(url: string, params: Record<string, string>, token = this.options.authToken): Promise<{ status: number; body: string }> {
    const signature = twilio.getExpectedTwilioSignature(token, url, params);
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature, 'user-agent': 'TwilioProxy/1.1' },
      body: new URLSearchParams(params).toString(),
    });
    return { status: response.status, body: await response.text() };
  }

  /** An inbound SMS/MMS/WhatsApp webhook, with the parameters Twilio sends. */
  inboundMessageParams(from: string, to: string, body: string, extra: Record<string, string> = {}): Record<string, string> {
    const messageSid = sid('SM');
    return {
      ToCountry: 'US',
      ToState: 'CA',
      SmsMessageSid: messageSid,
      NumMedia: '0',
      ToCity: '',
      FromZip: '',
      SmsSid: messageSid,
      FromState: 'CA',
      SmsStatus: 'received',
      FromCity: '',
      Body: body,
      FromCountry: 'US',
      To: to,
      ToZip: '',
      NumSegments: '1',
      MessageSid: messageSid,
      AccountSid: this.options.accountSid,
      From: from,
      ApiVersion: '2010-04-01',
      ...extra,
    };
  }

  /** Sends one status callback for a message now. */
  async sendStatus(message: FakeMessage, status: string, errorCode?: number): Promise<number> {
    if (!message.statusCallback) return 0;
    message.status = status;
    const params: Record<string, string> = {
      SmsSid: message.sid,
      SmsStatus: status,
      MessageStatus: status,
      To: message.to,
      MessageSid: message.sid,
      AccountSid: message.account_sid,
      From: message.from ?? '+15005550006',
      ApiVersion: '2010-04-01',
    };
    if (message.messaging_service_sid) params.MessagingServiceSid = message.messaging_service_sid;
    if (errorCode) params.ErrorCode = String(errorCode);
    const { status: answered } = await this.postSigned(message.statusCallback, params);
    this.callbacksSent.push({ url: message.statusCallback, params, status: answered });
    return answered;
  }

  #track(promise: Promise<unknown>): void {
    this.#pending.add(promise);
    void promise.finally(() => this.#pending.delete(promise)).catch(() => undefined);
  }

  #authorized(req: http.IncomingMessage): boolean {
    const header = req.headers.authorization ?? '';
    if (!header.startsWith('Basic ')) return false;
    const [user, password] = Buffer.from(header.slice(6), 'base64').toString('utf8').split(/:(.*)/s);
    if (user === this.options.accountSid && password === this.options.authToken) return true;
    return !!this.options.apiKey && user === this.options.apiKey.sid && password === this.options.apiKey.secret;
  }

  async #handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? '/', this.baseUrl);
    const form: FormPairs = [...new URLSearchParams(Buffer.concat(chunks).toString('utf8'))];
    const recorded: RecordedRequest = { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, form, headers: req.headers, at: Date.now() };
    this.requests.push(recorded);
    for (const hold of this.#holds) if (hold.path.test(url.pathname)) await hold.held;
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    const error = (status: number, code: number, message: string) => send(status, { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status });
    if (!this.#authorized(req)) return error(401, 20003, 'Authenticate');

    const ac = this.options.accountSid;
    const messagesPath = `/2010-04-01/Accounts/${ac}/Messages.json`;
    const callsPath = `/2010-04-01/Accounts/${ac}/Calls.json`;
    const conversation = /^\/v1\/Conversations\/([^/]+)\/Messages$/.exec(url.pathname);
    const task = /^\/v1\/Workspaces\/([^/]+)\/Tasks$/.exec(url.pathname);
    const service = /^\/v1\/Services\/([^/]+)\/Conversations(?:\/([^/]+)(?:\/(Participants|Webhooks|Messages))?)?$/.exec(url.pathname);
    const interaction = url.pathname === '/v1/Interactions';
    // A webhook of a conversation in the default service (the service unknown to the caller).
    const unscopedWebhooks = /^\/v1\/Conversations\/([^/]+)\/Webhooks$/.exec(url.pathname);
    const webhook = /^\/v1\/(?:Services\/([^/]+)\/)?Conversations\/([^/]+)\/Webhooks\/([^/]+)$/.exec(url.pathname);
    if (req.method === 'DELETE' && webhook) {
      const [, serviceSid, conversationSid, webhookSid] = webhook;
      const index = this.conversationWebhooks.findIndex((w) => w.sid === webhookSid && w.conversation_sid === conversationSid);
      if (index < 0 || this.#conversationMissing(conversationSid!, serviceSid ?? null)) return error(404, 20404, `The requested resource ${url.pathname} was not found`);
      this.conversationWebhooks.splice(index, 1);
      for (const owner of this.conversations) owner.webhooks = owner.webhooks.filter((w) => w.sid !== webhookSid);
      res.writeHead(204);
      res.end();
      return;
    }
    const recording = new RegExp(`^/2010-04-01/Accounts/${ac}/Calls/([^/]+)/Recordings(?:/([^/]+?))?\\.json$`).exec(url.pathname);
    const isCreate = req.method === 'POST' && (url.pathname === messagesPath || url.pathname === callsPath || !!conversation || !!unscopedWebhooks || !!task || !!service || interaction || !!recording);

    if (isCreate) {
      for (const resolve of this.#onCreate.splice(0)) resolve();
      const fault = this.#faults.shift();
      if (fault?.kind === 'hang') return; // the connection stays open, nothing is created
      if (fault?.kind === 'status') {
        const headers: Record<string, string> = fault.retryAfter !== undefined ? { 'retry-after': String(fault.retryAfter) } : {};
        const code = fault.code ?? (fault.status === 429 ? 20429 : fault.status === 400 ? 21211 : 20500);
        res.writeHead(fault.status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify({ code, message: fault.message ?? (fault.status === 429 ? 'Too Many Requests' : 'Internal Server Error'), more_info: `https://www.twilio.com/docs/errors/${code}`, status: fault.status }));
        return;
      }
      const fields = formToRecord(form);
      const one = (name: string) => (Array.isArray(fields[name]) ? (fields[name] as string[])[0] : (fields[name] as string | undefined));
      let created: Record<string, unknown>;
      if (url.pathname === messagesPath) {
        if (!one('To')) return error(400, 21604, "A 'To' phone number is required.");
        if (!one('From') && !one('MessagingServiceSid')) return error(400, 21603, "A 'From' phone number is required.");
        const media = ([] as string[]).concat(fields.MediaUrl ?? []);
        if (!one('Body') && media.length === 0 && !one('ContentSid')) return error(400, 21602, 'Message body is required.');
        if (one('To') === '+15005550001') return error(400, 21211, "The 'To' number +15005550001 is not a valid phone number.");
        const now = Date.now();
        const messageSid = sid(media.length ? 'MM' : 'SM');
        const message: FakeMessage = {
          sid: messageSid,
          account_sid: ac,
          to: e164(one('To')!),
          from: one('From') ?? (one('MessagingServiceSid') ? '+15005550006' : null),
          messaging_service_sid: one('MessagingServiceSid') ?? null,
          body: this.#storedBody(one('Body') ?? (one('ContentSid') ? `[template ${one('ContentSid')}]` : '')),
          status: one('MessagingServiceSid') ? 'accepted' : 'queued',
          direction: 'outbound-api',
          num_segments: '1',
          num_media: String(media.length),
          error_code: null,
          error_message: null,
          date_created: rfc2822(now),
          date_updated: rfc2822(now),
          date_sent: null,
          api_version: '2010-04-01',
          price: null,
          price_unit: 'USD',
          uri: `/2010-04-01/Accounts/${ac}/Messages/${messageSid}.json`,
          subresource_uris: { media: `/2010-04-01/Accounts/${ac}/Messages/${messageSid}/Media.json` },
          mediaUrl: media,
        };
        const callback = one('StatusCallback');
        if (callback) message.statusCallback = callback;
        if (one('ContentSid')) message.contentSid = one('ContentSid')!;
        if (one('ContentVariables')) message.contentVariables = one('ContentVariables')!;
        this.messages.push(message);
        const { statusCallback: _cb, mediaUrl: _media, contentSid: _c, contentVariables: _v, ...resource } = message;
        created = resource;
        if (this.options.callbacks === 'auto') this.#track(this.#autoCallbacks(message));
      } else if (url.pathname === callsPath) {
        if (!one('To')) return error(400, 21201, 'No called number is specified');
        if (!one('From')) return error(400, 21213, 'No caller ID is specified');
        if (!one('Url') && !one('Twiml') && !one('ApplicationSid')) return error(400, 21205, 'Url parameter is required.');
        const callSid = sid('CA');
        created = { sid: callSid, account_sid: ac, to: one('To'), from: one('From'), status: 'queued', direction: 'outbound-api', date_created: rfc2822(Date.now()), api_version: '2010-04-01', uri: `/2010-04-01/Accounts/${ac}/Calls/${callSid}.json` };
        this.calls.push(created);
      } else if (recording) {
        const [, callSid, recordingSid] = recording;
        /** Answers 400 (and says so) when a value is not one Twilio accepts for `name`. */
        const invalid = (name: string, allowed: string[], values: string[]): boolean => {
          const bad = values.find((v) => !allowed.includes(v));
          if (bad === undefined) return false;
          error(400, 20001, `Invalid ${name}: ${bad}`);
          return true;
        };
        if (recordingSid) {
          // Update (stop/pause/resume) the named recording, or the call's current one.
          if (invalid('Status', ['stopped', 'paused', 'in-progress'], [one('Status') ?? ''])) return;
          const target = recordingSid === 'Twilio.CURRENT'
            ? this.recordings.filter((r) => r.call_sid === callSid && r.status !== 'stopped').at(-1)
            : this.recordings.find((r) => r.call_sid === callSid && r.sid === recordingSid);
          if (!target || target.status === 'stopped') return error(404, 20404, `The requested resource ${url.pathname} was not found`);
          target.status = one('Status');
          target.date_updated = rfc2822(Date.now());
          return send(200, target);
        }
        if (this.endedCalls.has(callSid!)) return error(400, 21220, 'Call is not in-progress. Cannot start recording.');
        if (invalid('RecordingChannels', ['mono', 'dual'], [one('RecordingChannels') ?? 'mono'])) return;
        if (invalid('Trim', ['trim-silence', 'do-not-trim'], [one('Trim') ?? 'do-not-trim'])) return;
        if (invalid('RecordingStatusCallbackMethod', ['GET', 'POST'], [one('RecordingStatusCallbackMethod') ?? 'POST'])) return;
        if (invalid('RecordingStatusCallbackEvent', ['in-progress', 'completed', 'absent'], ([] as string[]).concat(fields.RecordingStatusCallbackEvent ?? []))) return;
        if (invalid('RecordingTrack', ['inbound', 'outbound', 'both'], [one('RecordingTrack') ?? 'both'])) return;
        const now = rfc2822(Date.now());
        const recordingSidNew = sid('RE');
        created = {
          account_sid: ac,
          api_version: '2010-04-01',
          call_sid: callSid,
          conference_sid: null,
          date_created: now,
          date_updated: now,
          start_time: now,
          duration: '-1',
          sid: recordingSidNew,
          price: null,
          price_unit: 'USD',
          status: 'in-progress',
          channels: one('RecordingChannels') === 'dual' ? 2 : 1,
          source: 'StartCallRecordingAPI',
          error_code: null,
          uri: `/2010-04-01/Accounts/${ac}/Calls/${callSid}/Recordings/${recordingSidNew}.json`,
          encryption_details: null,
          track: one('RecordingTrack') ?? 'both',
        };
        this.recordings.push(created);
      } else if (unscopedWebhooks) {
        const conversationSid = unscopedWebhooks[1]!;
        if (this.#conversationMissing(conversationSid, null)) return error(404, 20404, `The requested resource ${url.pathname} was not found`);
        created = { sid: sid('WH'), conversation_sid: conversationSid, target: one('Target'), configuration: { url: one('Configuration.Url'), method: one('Configuration.Method'), filters: ([] as string[]).concat(fields['Configuration.Filters'] ?? []) } };
        this.conversationWebhooks.push(created);
      } else if (conversation || service?.[3] === 'Messages') {
        const conversationSid = (conversation ?? service)![conversation ? 1 : 2]!;
        if (this.#conversationMissing(conversationSid, conversation ? null : service![1]!)) return error(404, 20404, `The requested resource ${url.pathname} was not found`);
        const index = this.conversationMessages.filter((m) => m.conversation_sid === conversationSid).length;
        created = {
          sid: sid('IM'),
          account_sid: ac,
          conversation_sid: conversationSid,
          author: one('Author') ?? 'system',
          body: one('Body') ?? null,
          index,
          attributes: one('Attributes') ?? '{}',
          content_sid: one('ContentSid') ?? null,
          date_created: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
        };
        this.conversationMessages.push(created);
      } else if (service) {
        const [, serviceSid, conversationSid, sub] = service;
        if (this.missingServices.has(serviceSid!)) return error(404, 20404, `The requested resource ${url.pathname} was not found`);
        const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
        if (!conversationSid) {
          const conversationRecord = {
            sid: sid('CH'),
            account_sid: ac,
            chat_service_sid: serviceSid,
            messaging_service_sid: one('MessagingServiceSid') ?? null,
            friendly_name: one('FriendlyName') ?? null,
            attributes: one('Attributes') ?? '{}',
            state: 'active',
            timers: { ...(one('Timers.Inactive') ? { date_inactive: one('Timers.Inactive') } : {}), ...(one('Timers.Closed') ? { date_closed: one('Timers.Closed') } : {}) },
            date_created: now,
            date_updated: now,
            participants: [] as Record<string, unknown>[],
            webhooks: [] as Record<string, unknown>[],
          };
          this.conversations.push(conversationRecord);
          const { participants: _p, webhooks: _w, ...resource } = conversationRecord;
          created = resource;
        } else {
          const owner = this.conversations.find((c) => c.sid === conversationSid);
          if (!owner || owner.chat_service_sid !== serviceSid) return error(404, 20404, `The requested resource ${url.pathname} was not found`);
          if (sub === undefined) {
            // Update (POST to the conversation itself): the fields given.
            if (one('Attributes') !== undefined) owner.attributes = one('Attributes');
            if (one('FriendlyName') !== undefined) owner.friendly_name = one('FriendlyName');
            owner.date_updated = now;
            const { participants: _p, webhooks: _w, ...resource } = owner;
            created = resource;
          } else if (sub === 'Participants') {
            if (!one('Identity') && !one('MessagingBinding.Address')) return error(400, 50201, 'Identity or MessagingBinding.Address is required');
            created = {
              sid: sid('MB'),
              conversation_sid: conversationSid,
              identity: one('Identity') ?? null,
              messaging_binding: one('MessagingBinding.Address') ? { type: 'sms', address: one('MessagingBinding.Address'), proxy_address: one('MessagingBinding.ProxyAddress') ?? null } : null,
              attributes: one('Attributes') ?? '{}',
            };
            owner.participants.push(created);
          } else {
            created = { sid: sid('WH'), conversation_sid: conversationSid, target: one('Target'), configuration: { url: one('Configuration.Url'), method: one('Configuration.Method'), filters: ([] as string[]).concat(fields['Configuration.Filters'] ?? []) } };
            owner.webhooks.push(created);
            this.conversationWebhooks.push(created);
          }
        }
      } else if (interaction) {
        // Flex Interactions: the routing properties become a TaskRouter task in the workspace.
        let channelJson: Record<string, unknown>;
        let routingJson: { properties?: Record<string, unknown> };
        try {
          channelJson = JSON.parse(one('Channel') ?? '');
          routingJson = JSON.parse(one('Routing') ?? '{}');
        } catch {
          return error(400, 20001, 'Channel and Routing must be JSON');
        }
        const properties = routingJson.properties ?? {};
        const workflows = this.workspaces.get(String(properties.workspace_sid ?? ''));
        if (this.workspaces.size > 0 && !workflows?.has(String(properties.workflow_sid ?? ''))) return error(400, 20001, 'Invalid workspace or workflow');
        const taskResource = { sid: sid('WT'), account_sid: ac, workspace_sid: properties.workspace_sid, workflow_sid: properties.workflow_sid, attributes: JSON.stringify(properties.attributes ?? {}), priority: properties.priority ?? 0, timeout: properties.timeout ?? 86400, task_channel_sid: properties.task_channel_sid ?? null, assignment_status: 'pending', age: 0 };
        this.tasks.push(taskResource);
        created = { sid: sid('KD'), channel: { ...channelJson, sid: sid('UO') }, routing: { properties: taskResource }, url: `${this.baseUrl}/v1/Interactions/KD`, interaction_context_sid: null };
        this.interactions.push(created);
      } else {
        if (this.workspaces.size > 0) {
          const workflows = this.workspaces.get(task![1]!);
          if (!workflows) return error(404, 20404, `The requested resource ${url.pathname} was not found`);
          if (!workflows.has(one('WorkflowSid') ?? '')) return error(400, 20001, `Workflow ${one('WorkflowSid') ?? ''} does not exist in workspace ${task![1]}`);
        }
        const taskSid = sid('WT');
        const channel = one('TaskChannel') ?? 'default';
        created = { sid: taskSid, account_sid: ac, workspace_sid: task![1], workflow_sid: one('WorkflowSid') ?? null, attributes: one('Attributes') ?? '{}', priority: Number(one('Priority') ?? 0), timeout: Number(one('Timeout') ?? 86400), task_channel_unique_name: channel.startsWith('TC') ? 'chat' : channel, task_channel_sid: channel.startsWith('TC') ? channel : null, assignment_status: 'pending', age: 0, date_created: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z') };
        this.tasks.push(created);
      }
      if (fault?.kind === 'created-then-hang') return;
      if (fault?.kind === 'callback-before-response') {
        const message = this.messages.find((m) => m.sid === created.sid);
        if (message) await this.sendStatus(message, fault.status, fault.status === 'delivered' ? undefined : 30003);
      }
      if (fault?.kind === 'created-then-500') return error(500, 20500, 'Internal Server Error');
      return send(201, created);
    }

    if (req.method === 'GET' && url.pathname === messagesPath) {
      const to = url.searchParams.get('To'); // matched exactly, as stored: the caller normalises
      const from = url.searchParams.get('From');
      const pageSize = Number(url.searchParams.get('PageSize') ?? 50);
      const matching = this.messages.filter((m) => (!to || m.to === to) && (!from || m.from === from)).reverse().slice(0, pageSize);
      const uri = `${messagesPath}?${url.searchParams.toString()}`;
      return send(200, {
        first_page_uri: uri,
        end: Math.max(0, matching.length - 1),
        previous_page_uri: null,
        messages: matching.map(({ statusCallback: _cb, mediaUrl: _m, contentSid: _c, contentVariables: _v, ...resource }) => resource),
        uri,
        page_size: pageSize,
        start: 0,
        next_page_uri: null,
        page: 0,
      });
    }
    if (req.method === 'GET' && url.pathname === callsPath) {
      const to = url.searchParams.get('To');
      const from = url.searchParams.get('From');
      const pageSize = Number(url.searchParams.get('PageSize') ?? 50);
      const matching = this.calls.filter((c) => (!to || e164(String(c.to)) === to) && (!from || e164(String(c.from)) === from)).reverse().slice(0, pageSize);
      const uri = `${callsPath}?${url.searchParams.toString()}`;
      return send(200, { first_page_uri: uri, end: Math.max(0, matching.length - 1), previous_page_uri: null, calls: matching, uri, page_size: pageSize, start: 0, next_page_uri: null, page: 0 });
    }
    if (req.method === 'GET' && url.pathname === '/v1/Workspaces') {
      const workspaces = [...this.workspaces.keys()].map((ws) => ({ sid: ws, account_sid: ac, friendly_name: 'Flex Task Assignment', url: `${this.baseUrl}/v1/Workspaces/${ws}` }));
      return send(200, { workspaces, meta: { page: 0, page_size: 50, first_page_url: url.href, previous_page_url: null, url: url.href, next_page_url: null, key: 'workspaces' } });
    }
    const workflow = /^\/v1\/Workspaces\/([^/]+)\/Workflows\/([^/]+)$/.exec(url.pathname);
    if (req.method === 'GET' && workflow && this.workspaces.get(workflow[1]!)?.has(workflow[2]!)) {
      return send(200, { sid: workflow[2], workspace_sid: workflow[1], account_sid: ac, friendly_name: 'Assign to Anyone' });
    }
    if (req.method === 'GET' && service?.[2] && (service[3] === undefined || service[3] === 'Participants')) {
      // Fetch a conversation of a service, or list its participants (Resume Conversation).
      const [, serviceSid, conversationSid, sub] = service;
      const owner = this.missingServices.has(serviceSid!) ? undefined : this.conversations.find((c) => c.sid === conversationSid && c.chat_service_sid === serviceSid);
      if (!owner) return error(404, 20404, `The requested resource ${url.pathname} was not found`);
      const { participants, webhooks: _w, ...resource } = owner;
      if (sub === undefined) return send(200, resource);
      return send(200, { participants, meta: { page: 0, page_size: Number(url.searchParams.get('PageSize') ?? 50), first_page_url: url.href, previous_page_url: null, url: url.href, next_page_url: null, key: 'participants' } });
    }
    if (req.method === 'GET' && (conversation || service?.[3] === 'Messages')) {
      const conversationSid = (conversation ?? service)![conversation ? 1 : 2]!;
      if (this.#conversationMissing(conversationSid, conversation ? null : service![1]!)) return error(404, 20404, `The requested resource ${url.pathname} was not found`);
      const list = this.conversationMessages.filter((m) => m.conversation_sid === conversationSid).reverse();
      return send(200, { messages: list, meta: { page: 0, page_size: 50, first_page_url: null, previous_page_url: null, url: url.href, next_page_url: null, key: 'messages' } });
    }
    return error(404, 20404, `The requested resource ${url.pathname} was not found`);
  }

  /**
   * Whether a conversation is out of reach at this path: addressed without a service (null) when it is
   * in another than the default one, or under a service it is not in (or one that does not exist).
   */
  #conversationMissing(conversationSid: string, serviceSid: string | null): boolean {
    if (serviceSid !== null && this.missingServices.has(serviceSid)) return true;
    const owner = this.conversations.find((c) => c.sid === conversationSid);
    if (!owner) return false;
    return owner.chat_service_sid !== (serviceSid ?? this.defaultConversationService);
  }

  async #autoCallbacks(message: FakeMessage): Promise<void> {
    const outcome = this.#outcomes.shift() ?? 'delivered';
    // Give the 201 a head start, as on Twilio where callbacks follow the response.
    await new Promise((resolve) => setTimeout(resolve, 20));
    try {
      await this.sendStatus(message, 'sent');
      await this.sendStatus(message, outcome, outcome === 'delivered' ? undefined : 30003);
    } catch {
      /* Switchboard may be down (crash tests): Twilio would give up too. */
    }
  }
}
