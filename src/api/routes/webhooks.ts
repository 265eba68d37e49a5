// The flow webhook Twilio (or the simulator) posts messaging webhooks to:
// POST /v1/Accounts/{AccountSid}/Flows/{FlowSid} (or GET, for a number whose webhook is set to HTTP GET). Authenticated by X-Twilio-Signature with the
// account's auth token (or Basic auth, for local tools); answers an empty TwiML <Response/>.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ApiContext } from '../context.ts';
import { invalidSignature, webhookAuthenticated, webhookTarget } from './webhook-auth.ts';
import type { Routes } from '../server.ts';
import { answerCallWebhook, answerMessageReturn, answerMessageWebhook, isCallWebhook, isMessageReturn, registerCallWebhookGet } from './webhook-calls.ts';
import { InflightLedger } from '../../channels/twilio/inflight.ts';
import { webhookParam } from './webhook-params.ts';

export function registerWebhooks(routes: Routes, ctx: ApiContext): void {
  routes.add(
    'POST',
    '/v1/Accounts/:AccountSid/Flows/:FlowSid',
    async (request, reply) => {
      const { accountSid, flowSid, account } = await webhookTarget(ctx, request);
      // On the Twilio carrier, Twilio signs with the upstream account's auth token.
      const caller = await webhookAuthenticated(ctx, request, account, request.form);
      if (!caller) return invalidSignature(reply, request);
      const params: Record<string, string> = {};
      for (const [key, value] of Object.entries(request.form)) params[key] = webhookParam(key, Array.isArray(value) ? value[0]! : value);
      if (isCallWebhook(request, params)) return answerCallWebhook(ctx, request, reply, caller, accountSid, flowSid, params);
      return answerMessagingWebhook(ctx, request, reply, accountSid, flowSid, params);
    },
    { auth: false },
  );
  // Numbers whose webhooks are set to HTTP GET, and calls handed back by an app with <Redirect method="GET">.
  registerCallWebhookGet(routes, ctx, answerMessagingWebhook);
}

/**
 * A messaging webhook (an SMS/MMS/WhatsApp message, or a Conversations event) whose signature or Basic auth
 * the caller checked, its parameters from the POST's form or the GET's query.
 */
async function answerMessagingWebhook(ctx: ApiContext, request: FastifyRequest, reply: FastifyReply, accountSid: string, flowSid: string, params: Record<string, string>): Promise<string | object> {
  if (params.ConversationSid && !params.SmsSid) {
    // Conversations: only new messages start or feed executions; our own replies
    // (authored "system", or recorded as sent by a step) are not echoed back into the flow.
    const ours = params.MessageSid ? await new InflightLedger(ctx.store).claimOf(params.MessageSid) : null;
    if ((params.EventType ?? 'onMessageAdded') === 'onMessageAdded' && params.Author !== 'system' && !ours) {
      const { unpublished } = await ctx.executions.inboundMessage(accountSid, flowSid, params, 'incomingConversationMessage', { idempotencyKey: idempotencyToken(request) });
      if (unpublished) request.log.warn({ flowSid }, 'conversation message for a flow with no published revision: nothing ran (publish the flow, or make the author a test user)');
    }
    return reply.code(200).type('application/json').send('{}');
  }
  // A retry of a message already run (same MessageSid, or token without one) runs nothing and gets the first answer.
  if (isMessageReturn(request, params)) return answerMessageReturn(ctx, request, reply, accountSid, flowSid, params);
  const { executionSid, unpublished } = await ctx.executions.inboundMessage(accountSid, flowSid, params, 'incomingMessage', { idempotencyKey: idempotencyToken(request) });
  // Acknowledged (Twilio would only retry), but an operator must learn why the number went quiet.
  if (unpublished) request.log.warn({ flowSid }, 'inbound message for a flow with no published revision: nothing ran (publish the flow, or make the sender a test user)');
  // A TwiML Redirect reached while answering this message is the answer; otherwise an empty <Response/>.
  return answerMessageWebhook(ctx, reply, executionSid);
}

/** Twilio's retry de-duplication header (sent with the same value on every retry of one webhook). */
function idempotencyToken(request: { headers: Record<string, string | string[] | undefined> }): string | undefined {
  const token = request.headers['i-twilio-idempotency-token'];
  return typeof token === 'string' && token.length > 0 && token.length <= 256 ? token : undefined;
}
