// Carrier routes: Twilio's message status callbacks for the steps that sent them, and each
// account's carrier configuration (which channel its flows use, and the upstream Twilio account).
//
//   POST   /v1/Accounts/{AC}/Carrier/Executions/{FN}/Messages/{EF}/Status   (signed by Twilio)
//   POST   /v1/Accounts/{AC}/Carrier/Executions/{FN}/VirtualAgent/{EF}/Status   (a virtual agent's connector,
//          signed as Twilio signs): the session Connect Virtual Agent's step EF opened in a conversation ended
//   GET    /v1/Accounts/{AC}/Carrier     the configuration, secrets omitted   (Basic auth)
//   POST   /v1/Accounts/{AC}/Carrier     update it: the fields sent (Channel, UpstreamAccountSid, AuthToken, …)
//   DELETE /v1/Accounts/{AC}/Carrier     back to the simulator
import { invalidSignature, logRefusedSignature, signedUrls } from './webhook-auth.ts';
import type { FastifyRequest } from 'fastify';
import {
  CARRIER_INPUT_FIELDS,
  CarrierConfigError,
  describeCarrier,
  loadCarrierConfig,
  parseCarrierInput,
  saveCarrierConfig,
  SIMULATOR,
  type CarrierInput,
} from '../../channels/twilio/carrier-config.ts';
import { InflightLedger } from '../../channels/twilio/inflight.ts';
import { DeliveryReports } from './carrier-reports.ts';
import { webhookParam } from './webhook-params.ts';
import { isSid } from '../../runtime/ids.ts';
import type { ExecutionState, JsonObject } from '../../engine/types.ts';
import type { ApiContext } from '../context.ts';
import type { Routes } from '../server.ts';
import { errors } from '../wire/errors.ts';
import { optionalString, type Form } from '../wire/form.ts';
import { validateSignature } from '../wire/signature.ts';

const EFFECT_ID = /^EF[0-9a-fA-F]{32}$/;

/**
 * Whether a callback for this account is signed as Twilio signs it: with Twilio's auth token (ours for
 * the webhook channel), over the URL it was handed (signedUrls). One read of the carrier configuration.
 */
export async function signatureValid(ctx: ApiContext, request: FastifyRequest, accountSid: string, localToken: string): Promise<boolean> {
  const config = await loadCarrierConfig(ctx.store, accountSid);
  const twilio = config.channel === 'twilio' ? config.twilio : null;
  const tokens = twilio ? [twilio.authToken] : [localToken];
  const header = request.headers['x-twilio-signature'];
  const signature = typeof header === 'string' ? header : undefined;
  const callbackBase = twilio ? twilio.statusCallbackBaseUrl : config.channel === 'webhook' ? config.webhook.statusCallbackBaseUrl : undefined;
  const urls = signedUrls(ctx, request, callbackBase);
  if (tokens.some((token) => urls.some((url) => validateSignature(token, signature, url, request.form)))) return true;
  logRefusedSignature(request, urls);
  return false;
}

/**
 * A SID parameter of a status callback, bounded as the flow webhook's are (webhookParam): a MessageSid
 * keys the send ledger's claims and is stored with the report, so an over-long one is a 400 naming it.
 */
function sidParam(form: Form, name: string): string | undefined {
  const value = optionalString(form, name);
  return value === undefined ? undefined : webhookParam(name, value);
}

/**
 * The step a carrier callback's path names (`…/Accounts/{AC}/Carrier/Executions/{FN}/…/{EF}/Status`; 404 when it
 * is malformed or the account unknown), or null when the request is not signed as Twilio signs it.
 */
async function signedStep(ctx: ApiContext, request: FastifyRequest): Promise<{ AccountSid: string; ExecutionSid: string; EffectId: string } | null> {
  const { AccountSid, ExecutionSid, EffectId } = request.params as Record<string, string>;
  const path = request.url.split('?')[0]!;
  if (!isSid('AC', AccountSid) || !isSid('FN', ExecutionSid) || !EFFECT_ID.test(EffectId!)) throw errors.notFound(path);
  const account = await ctx.store.getAccount(AccountSid!);
  if (!account) throw errors.notFound(path);
  if (!(await signatureValid(ctx, request, AccountSid!, account.authToken))) return null;
  return { AccountSid: AccountSid!, ExecutionSid: ExecutionSid!, EffectId: EffectId! };
}

/** How long a session's end waits for the execution to have the session (its connection's result applied). */
const SESSION_WAIT_MS = 5_000;
const SESSION_POLL_MS = 50;

/**
 * The session Connect Virtual Agent's step `effectId` opened, once the execution waits on it; 'gone' when it does
 * not any more (the execution is gone, over, another account's, or waits on something else); 'connecting' when the
 * step's connection is still being applied after SESSION_WAIT_MS.
 */
async function awaitedSession(ctx: ApiContext, accountSid: string, executionSid: string, effectId: string): Promise<{ sessionId: string } | 'gone' | 'connecting'> {
  const deadline = Date.now() + SESSION_WAIT_MS;
  for (;;) {
    const execution = await ctx.store.getExecutionBySid(executionSid);
    if (!execution || execution.accountSid !== accountSid || execution.status !== 'active') return 'gone';
    const wait = (execution.state as ExecutionState).frames.at(-1)?.wait;
    if (wait?.kind === 'virtual-agent') return wait.effectId === effectId ? { sessionId: wait.sessionId } : 'gone';
    // Still connecting: the connector may report before the connection's answer is applied.
    if (wait?.kind !== 'effect' || wait.effectId !== effectId) return 'gone';
    if (Date.now() >= deadline) return 'connecting';
    await new Promise((resolve) => setTimeout(resolve, SESSION_POLL_MS));
  }
}

function carrierInput(form: Form): CarrierInput {
  const input: CarrierInput = {};
  for (const name of CARRIER_INPUT_FIELDS) {
    // An empty value is kept: on an update it puts an optional field back to its default.
    const value = optionalString(form, name);
    if (value !== undefined) input[name] = value;
  }
  return input;
}

export function registerCarrier(routes: Routes, ctx: ApiContext): void {
  const ledger = new InflightLedger(ctx.store);
  const reports = new DeliveryReports(ctx, ledger, routes.app.log);
  // A guest app (simulate, call) must leave the server's stored reports to the server.
  if (ctx.config.backgroundChores !== false) reports.start();
  routes.app.addHook('preClose', async () => reports.stop());

  routes.add(
    'POST',
    '/v1/Accounts/:AccountSid/Carrier/Executions/:ExecutionSid/Messages/:EffectId/Status',
    async (request, reply) => {
      const signed = await signedStep(ctx, request);
      if (!signed) return invalidSignature(reply, request, true);
      const { AccountSid, ExecutionSid, EffectId } = signed;
      const messageSid = sidParam(request.form, 'MessageSid') ?? sidParam(request.form, 'SmsSid');
      const status = optionalString(request.form, 'MessageStatus') ?? optionalString(request.form, 'SmsStatus');
      if (!messageSid || !status) throw errors.missingParameter(messageSid ? 'MessageStatus' : 'MessageSid');
      const execution = await ctx.store.getExecutionBySid(ExecutionSid!);
      if (!execution || execution.accountSid !== AccountSid || execution.status !== 'active') {
        // A report for an execution that was deleted or is over changes nothing: acknowledged so Twilio
        // stops retrying, and nothing is recorded (its send ledger may already be pruned).
        return reply.code(204).send();
      }
      // The URL names the step; the ledger says whether the SID is a message it sent (callbackMatches).
      const step = { effectId: EffectId!, executionSid: ExecutionSid!, accountSid: AccountSid! };
      if (!(await ledger.callbackMatches(step, messageSid))) throw errors.badRequest(`Message ${messageSid} was not sent by this step`);
      await ledger.sawCallback({ effectId: EffectId!, executionSid: ExecutionSid!, accountSid: AccountSid! }, messageSid, status);
      const errorCode = optionalString(request.form, 'ErrorCode');
      // Stored before the 204: a report acknowledged is never lost (a crash, a failed apply).
      await reports.accept({ effectId: EffectId!, executionSid: ExecutionSid!, accountSid: AccountSid!, messageSid, status, ...(errorCode ? { errorCode } : {}) });
      return reply.code(204).send();
    },
    { auth: false },
  );

  routes.add(
    'POST',
    '/v1/Accounts/:AccountSid/Carrier/Executions/:ExecutionSid/VirtualAgent/:EffectId/Status',
    async (request, reply) => {
      const signed = await signedStep(ctx, request);
      if (!signed) return invalidSignature(reply, request, true);
      const { AccountSid, ExecutionSid, EffectId } = signed;
      const status = optionalString(request.form, 'VirtualAgentStatus');
      if (!status) throw errors.missingParameter('VirtualAgentStatus');
      const params: JsonObject = {};
      for (const name of Object.keys(request.form)) params[name] = webhookParam(name, optionalString(request.form, name) ?? '');
      // The session of this step, once the execution waits on it (its end may overtake the connection's answer).
      const session = await awaitedSession(ctx, AccountSid!, ExecutionSid!, EffectId!);
      // Not yet applied (a slow or retried connection): 503 with Retry-After, so the connector sends the end
      // again; a 204 now would acknowledge a report nothing recorded.
      if (session === 'connecting') throw errors.unavailable(`The virtual agent session of step ${EffectId} is still being connected: send its end again`);
      // A session the execution no longer waits on (it timed out, the execution ended or was deleted) changes
      // nothing: acknowledged, so the connector stops retrying.
      if (session !== 'gone') await ctx.executions.virtualAgentEnded(ExecutionSid!, session.sessionId, params);
      return reply.code(204).send();
    },
    { auth: false },
  );

  const ownAccount = (request: FastifyRequest): string => {
    const { AccountSid } = request.params as { AccountSid: string };
    if (request.account.sid !== AccountSid) throw errors.notFound(request.url.split('?')[0]!);
    return AccountSid;
  };

  routes.add('GET', '/v1/Accounts/:AccountSid/Carrier', async (request) => {
    const accountSid = ownAccount(request);
    return describeCarrier(accountSid, await loadCarrierConfig(ctx.store, accountSid));
  });

  routes.add('POST', '/v1/Accounts/:AccountSid/Carrier', async (request) => {
    const accountSid = ownAccount(request);
    let config;
    try {
      config = parseCarrierInput(carrierInput(request.form), await loadCarrierConfig(ctx.store, accountSid));
    } catch (error) {
      if (error instanceof CarrierConfigError) throw errors.invalidParameter(error.field, error.message);
      throw error;
    }
    await saveCarrierConfig(ctx.store, accountSid, config);
    return describeCarrier(accountSid, config);
  });

  routes.add('DELETE', '/v1/Accounts/:AccountSid/Carrier', async (request, reply) => {
    const accountSid = ownAccount(request);
    await saveCarrierConfig(ctx.store, accountSid, SIMULATOR);
    return reply.code(204).send();
  });
}
