// The URLs a call is told to answer into: the flow webhook, and callbacks into an execution (the
// flow webhook with a signed `sb` token, src/runtime/call-tokens.ts). The voice network hands them to
// the phone network; the flow webhook's TwiML names them too.
import type { CallbackKind } from '../../runtime/call-tokens.ts';
import type { CallService } from '../../runtime/calls.ts';

/** What signs callback tokens (the CallService the flow webhook verifies them with). */
export type CallbackSigner = Pick<CallService, 'token'>;

export function flowWebhookUrl(base: string, accountSid: string, flowSid: string): string {
  return `${base}/v1/Accounts/${accountSid}/Flows/${flowSid}`;
}

/** A callback URL into an execution: the flow webhook with a signed `sb` token. */
export async function callbackUrl(calls: CallbackSigner, base: string, accountSid: string, flowSid: string, executionSid: string, callbackId: string, kind: CallbackKind): Promise<string> {
  const token = await calls.token(accountSid, executionSid, callbackId, kind);
  return `${flowWebhookUrl(base, accountSid, flowSid)}?sb=${encodeURIComponent(token)}`;
}
