// The voice side of the flow webhook. Twilio (or the simulator's phone) posts here when a call comes
// in, when a verb Switchboard gave it calls back (`?sb=<token>`), when an app hands a call back
// (`?FlowEvent=return`) and when the call's status changes. Every answer is TwiML written by
// ../twiml/render.ts; a forged or replayed callback gets 403 and an error body, never TwiML.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ApiContext } from '../context.ts';
import { invalidSignature, webhookAuthenticated, webhookRefused, webhookTarget, type WebhookCaller } from './webhook-auth.ts';
import type { Routes } from '../server.ts';
import { errors } from '../wire/errors.ts';
import { webhookParam } from './webhook-params.ts';
import { isFinalCallStatus, type CallTurn } from '../../runtime/calls.ts';
import { callbackUrl } from '../../channels/voice/callback-urls.ts';
import { emptyTwiml, hangupTwiml, holdTwiml, renderTwiml } from '../twiml/render.ts';
import MessagingResponse from 'twilio/lib/twiml/MessagingResponse.js';
import type { ExecutionState } from '../../engine/types.ts';
import { runnable } from '../../runtime/sprints.ts';
import { LruCache } from '../../lib/lru.ts';

/** What the caller hears when allow_concurrent_calls is off and they already have an execution. */
export const OUT_OF_SERVICE = 'We are sorry, the number you have called is temporarily out of service.';

/** The TwiML for a turn. */
export async function turnTwiml(ctx: ApiContext, base: string, accountSid: string, flowSid: string, turn: Exclude<CallTurn, { kind: 'refused' }>): Promise<string> {
  switch (turn.kind) {
    case 'twiml': {
      const sid = turn.execution.sid;
      const id = turn.wait.callbackId;
      return renderTwiml(turn.wait.twiml, {
        action: await callbackUrl(ctx.calls, base, accountSid, flowSid, sid, id, 'a'),
        fallthrough: await callbackUrl(ctx.calls, base, accountSid, flowSid, sid, id, 'f'),
      });
    }
    case 'hold':
      return holdTwiml(await callbackUrl(ctx.calls, base, accountSid, flowSid, turn.execution.sid, 'hold', 'c'));
    case 'blocked':
      return hangupTwiml(OUT_OF_SERVICE);
    case 'ended':
      return hangupTwiml();
  }
}

/** The query's first values, checked as the form's are (webhookParam): a GET's call parameters are in it. */
function queryOf(request: FastifyRequest): Record<string, string> {
  const query: Record<string, string> = {};
  for (const [key, value] of Object.entries((request.query ?? {}) as Record<string, unknown>)) {
    if (typeof value === 'string') query[key] = webhookParam(key, value);
    else if (Array.isArray(value) && typeof value[0] === 'string') query[key] = webhookParam(key, value[0]);
  }
  return query;
}

/** Whether a (signed) flow webhook request is about a call rather than a message. */
export function isCallWebhook(request: FastifyRequest, params: Record<string, string>): boolean {
  const query = queryOf(request);
  return (!!params.CallSid && !params.MessageSid) || 'sb' in query;
}

/** Answers a call webhook whose signature or Basic auth the caller already checked. */
export async function answerCallWebhook(
  ctx: ApiContext,
  request: FastifyRequest,
  reply: FastifyReply,
  caller: WebhookCaller,
  accountSid: string,
  flowSid: string,
  params: Record<string, string>,
): Promise<string | object> {
  const calls = ctx.calls;
  const query = queryOf(request);
  // The callback URLs in the TwiML are webhooks the caller calls: for Twilio on the account's carrier, on its
  // StatusCallbackBaseUrl when it has one (where its call's first URLs are too), else on the webhook base (the
  // public base URL), never on a *.twilio.com Host the request may have been addressed to (publicBase's
  // twilio-cli rule), which would send the call's next request to real Twilio.
  const base = caller.answerBase;
  let turn: CallTurn;
  if (query.sb) {
    turn = await calls.callback(accountSid, flowSid, query.sb, params);
  } else if (query.FlowEvent === 'return') {
    turn = await calls.returned(accountSid, flowSid, params, query);
  } else if (isFinalCallStatus(params.CallStatus)) {
    await calls.status(accountSid, flowSid, params);
    reply.type('text/xml');
    return emptyTwiml();
  } else {
    turn = await calls.incoming(accountSid, flowSid, params);
  }
  if (turn.kind === 'refused') {
    return webhookRefused(reply, `Call callback refused: ${turn.reason}`);
  }
  // A status callback on one of our URLs (outbound calls) needs no TwiML.
  if (query.sb && turn.kind === 'ended' && isFinalCallStatus(params.CallStatus)) {
    reply.type('text/xml');
    return emptyTwiml();
  }
  reply.type('text/xml');
  return turnTwiml(ctx, base, accountSid, flowSid, turn);
}

/** Every value of each query parameter, in the order sent, checked as the form's are (webhookParam). */
function queryValues(request: FastifyRequest): Map<string, string[]> {
  const values = new Map<string, string[]>();
  for (const [key, value] of Object.entries((request.query ?? {}) as Record<string, unknown>)) {
    const list = (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string');
    if (list.length > 0) values.set(key, list.map((v) => webhookParam(key, v)));
  }
  return values;
}

/**
 * The parameters Twilio sends with every request about a call (Twilio's voice webhook parameters):
 * the call's SIDs, status, direction and addresses, and the attributes a call has or has not from its
 * start (ForwardedFrom, CallerName, ParentCallSid, CallToken, StirVerstat, AddOns, geographic data).
 */
const CALL_PARAMS = new Set([
  'AccountSid', 'ApiVersion', 'CallSid', 'CallStatus', 'Called', 'Caller', 'Direction', 'From', 'To', 'ForwardedFrom', 'CallerName',
  'ParentCallSid', 'CallToken', 'StirVerstat', 'AddOns',
]);
const GEO = /^(From|To|Caller|Called)(City|State|Zip|Country)$/;
/** What Twilio adds to the request of a <Gather>'s action only (never to a <Redirect>'s). */
const GATHER_RESULTS = new Set(['Digits', 'FinishedOnKey', 'SpeechResult', 'Confidence', 'msg']);

/**
 * Splits the query of a GET `FlowEvent=return` into Twilio's call parameters and the app's own
 * parameters (the widget's outputs, §2.19). For a GET, Twilio appends its parameters to the query of
 * the URL the app redirected to, so both share one query. The rule:
 *   - Twilio appends each of its parameters once, after the URL's own query: a name that occurs more
 *     than once was also written by the app, which owns the first value (its output); the last is Twilio's.
 *   - A name that occurs once is Twilio's when it is a call parameter Twilio sends with every request of
 *     the call (CALL_PARAMS, geographic data): had the app written it too, it would occur twice.
 *   - Anything else is the app's, Gather results included (Digits, SpeechResult, msg, …): Twilio adds
 *     those only to a Gather's action, never to the <Redirect> that hands a call back, so one such name
 *     occurring once is the app's (`?FlowEvent=return&Digits=5` gives the output Digits=5, as a POST does).
 * With POST, Twilio's parameters are in the form and the whole query is the app's: the outputs agree.
 */
export function splitReturnQuery(values: Map<string, string[]>): { params: Record<string, string>; outputs: Record<string, string> } {
  const params: Record<string, string> = {};
  const outputs: Record<string, string> = {};
  for (const [name, list] of values) {
    const twilios = CALL_PARAMS.has(name) || GEO.test(name) || GATHER_RESULTS.has(name);
    if (!twilios) {
      outputs[name] = list[0]!;
    } else if (list.length > 1) {
      outputs[name] = list[0]!;
      params[name] = list.at(-1)!;
    } else if (GATHER_RESULTS.has(name)) {
      outputs[name] = list[0]!;
    } else {
      params[name] = list[0]!;
    }
  }
  return { params, outputs };
}

/** Answers a messaging webhook whose signature the caller checked (webhooks.ts: the POST's own path). */
export type MessagingAnswer = (ctx: ApiContext, request: FastifyRequest, reply: FastifyReply, accountSid: string, flowSid: string, params: Record<string, string>) => Promise<string | object>;

/** A GET's query as a message's parameters, each checked as the POST's form values are (webhookParam). */
function messageParams(values: Map<string, string[]>): Record<string, string> {
  const params: Record<string, string> = {};
  for (const [name, list] of values) params[name] = webhookParam(name, list.at(-1)!);
  return params;
}

/**
 * GET on the flow webhook. Twilio requests with GET a number's "A call comes in" / "Call status
 * changes" / "A message comes in" URL configured as HTTP GET (its console allows it), and an app's
 * `<Redirect method="GET">` handing a call or message back (`FlowEvent=return`). Twilio then sends the
 * parameters in the query, and signs the full URL (query included) with no body parameters. Answered
 * exactly as the POST with the same parameters in a form; a GET about neither a call nor a message is 405.
 */
export function registerCallWebhookGet(routes: Routes, ctx: ApiContext, answerMessage: MessagingAnswer): void {
  routes.add(
    'GET',
    '/v1/Accounts/:AccountSid/Flows/:FlowSid',
    async (request, reply) => {
      const { accountSid, flowSid, account, path } = await webhookTarget(ctx, request);
      // A GET is signed over the URL alone (its parameters are in the query).
      const caller = await webhookAuthenticated(ctx, request, account, {});
      if (!caller) return invalidSignature(reply, request);
      const values = queryValues(request);
      const first = (name: string) => values.get(name)?.[0];
      if (first('FlowEvent') === 'return') {
        const { params, outputs } = splitReturnQuery(values);
        if (!params.CallSid && params.MessageSid) return answerMessage(ctx, request, reply, accountSid, flowSid, messageParams(values));
        if (!params.CallSid) throw errors.methodNotAllowed('GET', path);
        const turn = await ctx.calls.returned(accountSid, flowSid, params, outputs);
        if (turn.kind === 'refused') {
          return webhookRefused(reply, `Call callback refused: ${turn.reason}`);
        }
        reply.type('text/xml');
        return turnTwiml(ctx, caller.answerBase, accountSid, flowSid, turn);
      }
      // The call webhook itself (incoming, status, our callback URLs): the query is what the POST's form
      // holds (with the configured URL's own query parameters, if it has any, which then reach
      // trigger.call too). A name the URL already had and Twilio appended again takes Twilio's (the last) value.
      const params: Record<string, string> = {};
      for (const [name, list] of values) if (name !== 'sb') params[name] = list.at(-1)!;
      if (isCallWebhook(request, params)) return answerCallWebhook(ctx, request, reply, caller, accountSid, flowSid, params);
      // "A message comes in" set to HTTP GET: the message's parameters are in the query.
      if (params.MessageSid || params.SmsSid) return answerMessage(ctx, request, reply, accountSid, flowSid, messageParams(values));
      throw errors.methodNotAllowed('GET', path);
    },
    // It starts executions and takes the Basic auth local tools use, which a browser may have cached: an
    // <img> on another site must not start a flow, so the cross-site check applies as to a POST.
    { auth: false, actsOnGet: true },
  );
}

// ---- TwiML Redirect on messages

/** Revisions whose TwiML Redirect (or none) a node keeps known; past it the least recently asked of goes. */
export const REDIRECT_REVISIONS_CACHED = 10_000;

/** Which flow revisions contain a TwiML Redirect (only those make a message webhook wait). */
const redirecting = new LruCache<string, boolean>(REDIRECT_REVISIONS_CACHED);

export async function mayRedirect(ctx: ApiContext, accountSid: string, flowSid: string, revision: number): Promise<boolean> {
  const key = `${flowSid}:${revision}`;
  let known = redirecting.get(key);
  if (known === undefined) {
    const record = await ctx.store.getRevision(accountSid, flowSid, revision);
    // Read as the runtime runs it: an invalid draft's states may be no list, or hold nulls.
    known = !!record && runnable(record.definition).states.some((state) => state.type === 'add-twiml-redirect');
    redirecting.set(key, known);
  }
  return known;
}

/** The active execution's TwiML Redirect, once the execution has run as far as it can now. */
async function messageTurn(ctx: ApiContext, executionSid: string | null, timeoutMs = 5000): Promise<{ url: string; method: string } | null> {
  if (!executionSid) return null;
  const deadline = Date.now() + timeoutMs;
  for (let first = true; ; first = false) {
    const record = await ctx.store.getExecutionBySid(executionSid);
    if (!record || record.status === 'ended') return null;
    const wait = (record.state as ExecutionState).frames.at(-1)?.wait ?? null;
    if (wait?.kind === 'call' && wait.returnable) {
      const redirect = wait.twiml.find((node) => node.verb === 'Redirect');
      return redirect?.text ? { url: redirect.text, method: String(redirect.attributes?.method ?? 'POST') } : null;
    }
    // Waiting on an effect (a message being sent, an HTTP request): the redirect may come right after,
    // if the flow has one at all; flows without a TwiML Redirect answer at once.
    if ((wait?.kind !== 'effect' && wait?.kind !== 'subflow') || Date.now() >= deadline) return null;
    if (first && !(await mayRedirect(ctx, record.accountSid, record.flowSid, record.flowVersion))) return null;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function messagingTwiml(redirect: { url: string; method: string } | null): string {
  const response = new MessagingResponse();
  if (redirect) response.redirect({ method: redirect.method === 'GET' ? 'GET' : 'POST' }, redirect.url);
  return response.toString();
}

/** Whether a message webhook is an app handing a message execution back (`?FlowEvent=return`). */
export function isMessageReturn(request: FastifyRequest, params: Record<string, string>): boolean {
  return queryOf(request).FlowEvent === 'return' && !!params.MessageSid && !params.CallSid;
}

/**
 * The answer to an inbound message: a <Redirect> when the execution reached a TwiML Redirect, else empty.
 * A retried webhook (a duplicate) names the execution that took the message, so it gets the same answer.
 */
export async function answerMessageWebhook(ctx: ApiContext, reply: FastifyReply, executionSid: string | null): Promise<string> {
  reply.type('text/xml');
  return messagingTwiml(await messageTurn(ctx, executionSid));
}

/** `FlowEvent=return` for a message execution: found by its contact pair, accepted while a TwiML Redirect waits. */
export async function answerMessageReturn(ctx: ApiContext, request: FastifyRequest, reply: FastifyReply, accountSid: string, flowSid: string, params: Record<string, string>): Promise<string | object> {
  const record = params.From && params.To ? await ctx.store.findActiveExecution(flowSid, params.From, params.To) : null;
  const wait = record && record.accountSid === accountSid ? ((record.state as ExecutionState).frames.at(-1)?.wait ?? null) : null;
  if (!record || wait?.kind !== 'call' || !wait.returnable) {
    return webhookRefused(reply, 'Message return refused: no TwiML Redirect is waiting for this contact');
  }
  await ctx.executions.deliver(record.sid, { type: 'call-callback', callbackId: wait.callbackId, params: { ...params, query: queryOf(request) } });
  return answerMessageWebhook(ctx, reply, record.sid);
}
