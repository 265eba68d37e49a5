// The simulator's phone API: call a flow as a caller, hear what it says, press keys or speak, record,
// hang up, and read the call's transcript; answer or reject the calls a flow places
// (make-outgoing-call-v2). The phone (src/channels/simulator/phone.ts, wired into the runtime by
// src/app.ts) posts the signed call webhooks Twilio would post, in-process for our own URLs and over
// HTTP for others (TwiML Redirect targets).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ApiContext } from '../context.ts';
import type { Routes } from '../server.ts';
import { errors } from '../wire/errors.ts';
import { single } from '../wire/query.ts';
import { formatDate } from '../wire/dates.ts';
import { enumValue, optionalString, requiredString } from '../wire/form.ts';
import { isSid } from '../../runtime/ids.ts';
import { CallError, RELAY_SESSION_STATUSES, type CallerAction, type PhoneCall, type SimulatorPhone } from '../../channels/simulator/phone.ts';
import { flowWebhookUrl } from '../../channels/voice/callback-urls.ts';
import { contactAddress, optionalAddress } from '../wire/addresses.ts';
import { SIMULATOR_FLOW_ADDRESS } from '../../channels/simulator/simulator-channel.ts';
import { webhookParam } from './webhook-params.ts';

const phones = new WeakMap<object, ApiContext['phone']>();

/** The simulator phone of a server (by its ApiContext or its Fastify instance). */
export function phoneFor(owner: ApiContext | FastifyInstance): ApiContext['phone'] | undefined {
  return phones.get(owner);
}

function callJson(ctx: ApiContext, call: PhoneCall) {
  return {
    sid: call.sid,
    account_sid: call.accountSid,
    flow_sid: call.flowSid,
    // An outbound call knows the execution that placed it from the start (it rings before any callback).
    execution_sid: ctx.calls.executionOf(call.sid) ?? call.executionSid,
    from: call.from,
    to: call.to,
    direction: call.direction,
    status: call.status,
    // timesOutIn: milliseconds left until a Gather or Record times out (null: it waits for the caller),
    // counted by the server's clock so a browser's own clock does not skew a countdown.
    waiting_for: call.waiting ? { ...call.waiting, timesOutIn: ctx.phone.phone.timeLeft(call) } : null,
    timeouts: call.timeouts,
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
  // The caller's other fields go to the flow webhook with the verb's action: checked as its parameters are
  // (an over-long SID: 400 naming it) before the call moves on, not refused by the webhook, failing the call.
  const extras = (skip: string[]): Record<string, string> => {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(form)) if (!skip.includes(k)) out[k] = webhookParam(k, Array.isArray(v) ? v[0]! : v);
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
      return { type: 'payment', result: optionalString(form, 'Result') ?? 'success', fields: extras(['Result', 'WaitId']) };
    case 'VirtualAgent':
      return { type: 'virtual-agent', status: optionalString(form, 'VirtualAgentStatus') ?? 'completed', fields: extras(['VirtualAgentStatus', 'WaitId']) };
    case 'ConversationRelay': {
      // The app ends the session (its `end` message, with HandoffData), or the session fails. An empty
      // HandoffData is none: Twilio sends it only when the app gave some.
      const status = enumValue(form, 'SessionStatus', RELAY_SESSION_STATUSES, false) ?? 'completed';
      const fields = extras(['SessionStatus', 'WaitId', ...(optionalString(form, 'HandoffData') === '' ? ['HandoffData'] : [])]);
      return { type: 'conversation-relay', status, fields };
    }
    case 'Answer': {
      const answeredBy = optionalString(form, 'AnsweredBy');
      return { type: 'answer', ...(answeredBy ? { answeredBy } : {}) };
    }
    case 'Reject':
      return { type: 'reject', status: enumValue(form, 'Status', ['busy', 'no-answer', 'failed', 'canceled'] as const, false) ?? 'busy' };
    case 'Hangup': {
      // During a Record: the seconds of the message left before hanging up (none: hung up in silence).
      const recordedSeconds = number('RecordedSeconds');
      return { type: 'hangup', ...(recordedSeconds !== undefined ? { recordedSeconds } : {}) };
    }
    default:
      throw errors.notFound(request.url.split('?')[0]!);
  }
}

/** `Timeouts`: whether the call's Gathers and Records time out by themselves ("true", the default) or wait for Silence. */
function timeoutsFrom(request: FastifyRequest): boolean | undefined {
  const value = enumValue(request.form, 'Timeouts', ['true', 'false'] as const, false);
  return value === undefined ? undefined : value === 'true';
}

/** `WaitId`: the wait (waiting_for.id) an action answers; refused with 409 once the call moved on from it. */
function waitIdFrom(request: FastifyRequest): number | undefined {
  const raw = optionalString(request.form, 'WaitId');
  if (raw === undefined) return undefined;
  if (!/^\d{1,9}$/.test(raw)) throw errors.invalidParameter('WaitId', 'must be a wait id (waiting_for.id)');
  return Number(raw);
}

export const CALLER_ACTIONS = ['Digits', 'Speech', 'Silence', 'Recording', 'Dial', 'Queue', 'Payment', 'VirtualAgent', 'ConversationRelay', 'Answer', 'Reject', 'Hangup'];

export function registerSimulatorCalls(routes: Routes, ctx: ApiContext): SimulatorPhone {
  const { phone, transport } = ctx.phone;
  phones.set(ctx, ctx.phone);
  phones.set(routes.app, ctx.phone);

  const find = (request: FastifyRequest): PhoneCall => {
    const { CallSid } = request.params as { CallSid: string };
    const call = isSid('CA', CallSid) ? phone.get(CallSid) : undefined;
    if (!call || call.accountSid !== request.account.sid) throw errors.notFound(request.url.split('?')[0]!);
    return call;
  };
  const run = async (callSid: string, action: CallerAction, waitId?: number) => {
    try {
      return await phone.act(callSid, action, waitId);
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
    const to = optionalAddress(request.form, 'To') ?? SIMULATOR_FLOW_ADDRESS;
    const timeouts = timeoutsFrom(request);
    const call = await phone.dial(request.account.sid, flowSid, flowWebhookUrl(transport.base, request.account.sid, flowSid), from, to, timeouts === undefined ? {} : { timeouts });
    reply.code(201);
    return callJson(ctx, call);
  });

  routes.add('GET', '/simulator/calls', async (request) => {
    const query = request.query as Record<string, unknown>;
    return { calls: phone.list(request.account.sid, single(query.FlowSid)).map((c) => callJson(ctx, c)) };
  });

  routes.add('GET', '/simulator/calls/:CallSid', async (request) => {
    const call = find(request);
    // A call on hold asks the flow again when someone looks at it (the execution may have moved on).
    if (call.waiting?.kind === 'hold') await run(call.sid, { type: 'refresh' });
    return callJson(ctx, call);
  });

  // Updates the call, as Twilio's POST /Calls/CA… does: Timeouts turns its Gathers' and Records' timeouts on or off.
  routes.add('POST', '/simulator/calls/:CallSid', async (request) => {
    const call = find(request);
    const timeouts = timeoutsFrom(request);
    if (timeouts !== undefined) await phone.setTimeouts(call.sid, timeouts);
    return callJson(ctx, call);
  });

  routes.add('POST', '/simulator/calls/:CallSid/:Action', async (request) => {
    const call = find(request);
    const { Action } = request.params as { Action: string };
    if (!CALLER_ACTIONS.includes(Action)) throw errors.notFound(request.url.split('?')[0]!);
    await run(call.sid, actionFrom(request, Action), waitIdFrom(request));
    return callJson(ctx, call);
  });

  return phone;
}
