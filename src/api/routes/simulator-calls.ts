// The simulator's phone API: call a flow as a caller, hear what it says, press keys or speak, record,
// hang up, and read the call's transcript; answer or reject the calls a flow places
// (make-outgoing-call-v2). The phone (src/channels/simulator/phone.ts) posts the signed call webhooks Twilio would
// post, in-process for our own URLs and over HTTP for others (TwiML Redirect targets).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ApiContext } from '../context.ts';
import type { Routes } from '../server.ts';
import { errors } from '../wire/errors.ts';
import { computeSignature } from '../wire/signature.ts';
import { formatDate } from '../wire/dates.ts';
import { enumValue, optionalString, requiredString } from '../wire/form.ts';
import { isSid } from '../../runtime/ids.ts';
import { FetchHttp } from '../../channels/http/fetch-http.ts';
import { voiceNetwork } from '../twiml/voice-network.ts';
import { CallError, SimulatorPhone, type CallerAction, type HttpAnswer, type PhoneCall, type PhoneTransport } from '../../channels/simulator/phone.ts';
import { callsFor, flowWebhookUrl } from './webhook-calls.ts';
import { contactAddress } from './simulator.ts';
import { SIMULATOR_FLOW_ADDRESS } from '../../channels/simulator/simulator-channel.ts';

/** A TwiML document larger than this is not one (Twilio's own limit is 64 KB). */
const MAX_TWIML_BYTES = 1024 * 1024;

/** The base URL the phone uses for this server when no public base URL is configured. */
export const SIMULATOR_BASE = 'http://switchboard.simulator';

function baseOf(ctx: ApiContext): string {
  return ctx.config.publicBaseUrl ? ctx.config.publicBaseUrl.replace(/\/+$/, '') : SIMULATOR_BASE;
}

/** Signed requests: in-process (Fastify inject) for this server, over HTTP under the outbound policy for anything else. */
export class InjectTransport implements PhoneTransport {
  readonly #routes: Routes;
  readonly #ctx: ApiContext;
  /** Tests: send requests for other hosts to this local base instead (no Internet in CI). */
  externalBase: string | null = null;
  constructor(routes: Routes, ctx: ApiContext) {
    this.#routes = routes;
    this.#ctx = ctx;
  }
  async request(accountSid: string, url: string, method: string, params: Record<string, string>): Promise<HttpAnswer> {
    const account = await this.#ctx.store.getAccount(accountSid);
    const target = new URL(url);
    const get = method === 'GET';
    if (get) for (const [k, v] of Object.entries(params)) target.searchParams.set(k, v);
    const signedUrl = get ? target.toString() : url;
    const headers: Record<string, string> = {
      'x-twilio-signature': computeSignature(account?.authToken ?? '', signedUrl, get ? {} : params),
      'user-agent': 'TwilioProxy/1.1 (Switchboard simulator)',
    };
    const body = get ? undefined : new URLSearchParams(params).toString();
    if (!get) headers['content-type'] = 'application/x-www-form-urlencoded';
    const base = baseOf(this.#ctx);
    if (signedUrl.startsWith(base + '/')) {
      headers.host = new URL(base).host;
      const res = await this.#routes.app.inject({ method: get ? 'GET' : 'POST', url: target.pathname + target.search, headers, ...(body !== undefined ? { payload: body } : {}) });
      return { status: res.statusCode, contentType: String(res.headers['content-type'] ?? ''), body: res.body };
    }
    const external = new URL(this.externalBase ? new URL(target.pathname + target.search, this.externalBase).toString() : signedUrl);
    return this.#fetchExternal(external, get ? 'GET' : 'POST', headers, body);
  }

  /**
   * A TwiML Redirect target, or any URL a flow's TwiML names: flow authors choose it, so it goes under
   * the outbound policy of flows' HTTP requests, checked on the address each connection uses and on
   * every redirect hop (without it a simulated call could read a private or metadata address into
   * its transcript).
   */
  async #fetchExternal(url: URL, method: string, headers: Record<string, string>, body: string | undefined): Promise<HttpAnswer> {
    const http = new FetchHttp(this.#ctx.config.upstreamGuard?.policy ? { policy: this.#ctx.config.upstreamGuard.policy } : {});
    const response = await http.follow(url, method, headers, body, MAX_TWIML_BYTES, AbortSignal.timeout(15_000));
    const type = response.headers['content-type'];
    return { status: response.status, contentType: Array.isArray(type) ? type[0] ?? '' : type ?? '', body: await response.body() };
  }
}

const phones = new WeakMap<object, { phone: SimulatorPhone; transport: InjectTransport }>();

/** The simulator phone of a server (by its ApiContext or its Fastify instance). */
export function phoneFor(owner: ApiContext | FastifyInstance): { phone: SimulatorPhone; transport: InjectTransport } | undefined {
  return phones.get(owner);
}

function callJson(ctx: ApiContext, call: PhoneCall) {
  return {
    sid: call.sid,
    account_sid: call.accountSid,
    flow_sid: call.flowSid,
    execution_sid: callsFor(ctx).executionOf(call.sid),
    from: call.from,
    to: call.to,
    direction: call.direction,
    status: call.status,
    waiting_for: call.waiting ? { ...call.waiting } : null,
    recording: call.recording,
    date_created: formatDate(call.dateCreated),
    date_answered: call.answeredAt === null ? null : formatDate(call.answeredAt),
    date_ended: call.endedAt === null ? null : formatDate(call.endedAt),
    transcript: call.lines.map((line) => ({ at: formatDate(line.at), who: line.who, kind: line.kind, text: line.text })),
  };
}

function actionFrom(request: FastifyRequest, verb: string): CallerAction {
  const form = request.form;
  const number = (name: string): number | undefined => {
    const raw = optionalString(form, name);
    if (raw === undefined) return undefined;
    if (!/^\d+(\.\d+)?$/.test(raw)) throw errors.invalidParameter(name, 'must be a number');
    return Number(raw);
  };
  const extras = (skip: string[]): Record<string, string> => {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(form)) if (!skip.includes(k)) out[k] = Array.isArray(v) ? v[0]! : v;
    return out;
  };
  switch (verb) {
    case 'Digits': {
      const digits = requiredString(form, 'Digits');
      if (!/^[0-9*#wW]+$/.test(digits)) throw errors.invalidParameter('Digits', 'only 0-9, * and # can be pressed');
      return { type: 'digits', digits };
    }
    case 'Speech': {
      const confidence = number('Confidence');
      return { type: 'speech', text: requiredString(form, 'SpeechResult'), ...(confidence !== undefined ? { confidence } : {}) };
    }
    case 'Silence':
      return { type: 'silence' };
    case 'Recording': {
      const finishKey = optionalString(form, 'FinishKey');
      return { type: 'recording', seconds: number('Duration') ?? 5, ...(finishKey ? { finishKey } : {}) };
    }
    case 'Dial': {
      const seconds = number('Duration');
      return { type: 'dial-result', status: enumValue(form, 'Status', ['completed', 'busy', 'no-answer', 'failed', 'canceled'] as const, false) ?? 'completed', ...(seconds !== undefined ? { seconds } : {}) };
    }
    case 'Queue': {
      const seconds = number('QueueTime');
      return { type: 'queue-result', result: optionalString(form, 'QueueResult') ?? 'bridged', ...(seconds !== undefined ? { seconds } : {}) };
    }
    case 'Payment':
      return { type: 'payment', result: optionalString(form, 'Result') ?? 'success', fields: extras(['Result']) };
    case 'VirtualAgent':
      return { type: 'virtual-agent', status: optionalString(form, 'VirtualAgentStatus') ?? 'completed', fields: extras(['VirtualAgentStatus']) };
    case 'Answer': {
      const answeredBy = optionalString(form, 'AnsweredBy');
      return { type: 'answer', ...(answeredBy ? { answeredBy } : {}) };
    }
    case 'Reject':
      return { type: 'reject', status: enumValue(form, 'Status', ['busy', 'no-answer', 'failed', 'canceled'] as const, false) ?? 'busy' };
    case 'Hangup':
      return { type: 'hangup' };
    default:
      throw errors.notFound(request.url.split('?')[0]!);
  }
}

export const CALLER_ACTIONS = ['Digits', 'Speech', 'Silence', 'Recording', 'Dial', 'Queue', 'Payment', 'VirtualAgent', 'Answer', 'Reject', 'Hangup'];

export function registerSimulatorCalls(routes: Routes, ctx: ApiContext): SimulatorPhone {
  const transport = new InjectTransport(routes, ctx);
  const phone = new SimulatorPhone(transport);
  phones.set(ctx, { phone, transport });
  phones.set(routes.app, { phone, transport });
  // Calls go through the account's carrier (Twilio's Calls API) or ring the simulator phone.
  const voice = voiceNetwork(ctx, phone, { base: (forTwilio) => (forTwilio ? (ctx.config.publicBaseUrl?.replace(/\/+$/, '') ?? null) : baseOf(ctx)) });
  if (!ctx.executions.voice) ctx.executions.useVoice(voice);

  const find = (request: FastifyRequest): PhoneCall => {
    const { CallSid } = request.params as { CallSid: string };
    const call = isSid('CA', CallSid) ? phone.get(CallSid) : undefined;
    if (!call || call.accountSid !== request.account.sid) throw errors.notFound(request.url.split('?')[0]!);
    return call;
  };
  const run = async (callSid: string, action: CallerAction) => {
    try {
      return await phone.act(callSid, action);
    } catch (error) {
      if (error instanceof CallError) throw error.code === 'not-found' ? errors.notFound(`/simulator/calls/${callSid}`) : errors.conflict(error.message);
      throw error;
    }
  };

  routes.add('POST', '/simulator/calls', async (request, reply) => {
    const flowSid = requiredString(request.form, 'FlowSid');
    // The flow is named as the request named it (not as a /v2/Flows path the caller never asked for).
    if (!isSid('FW', flowSid) || !(await ctx.store.getFlow(request.account.sid, flowSid))) throw errors.notFound(`Flow ${flowSid}`);
    const from = contactAddress(request.form, 'From');
    const to = optionalString(request.form, 'To') ?? SIMULATOR_FLOW_ADDRESS;
    const call = await phone.dial(request.account.sid, flowSid, flowWebhookUrl(baseOf(ctx), request.account.sid, flowSid), from, to);
    reply.code(201);
    return callJson(ctx, call);
  });

  routes.add('GET', '/simulator/calls', async (request) => {
    const query = request.query as Record<string, string | undefined>;
    return { calls: phone.list(request.account.sid, query.FlowSid).map((c) => callJson(ctx, c)) };
  });

  routes.add('GET', '/simulator/calls/:CallSid', async (request) => {
    const call = find(request);
    // A call on hold asks the flow again when someone looks at it (the execution may have moved on).
    if (call.waiting?.kind === 'hold') await run(call.sid, { type: 'refresh' });
    return callJson(ctx, call);
  });

  routes.add('POST', '/simulator/calls/:CallSid/:Action', async (request) => {
    const call = find(request);
    const { Action } = request.params as { Action: string };
    if (!CALLER_ACTIONS.includes(Action)) throw errors.notFound(request.url.split('?')[0]!);
    await run(call.sid, actionFrom(request, Action));
    return callJson(ctx, call);
  });

  return phone;
}
