// Callback tokens: every URL Switchboard gives a call to come back on names the execution, the
// callback (the widget's wait) and what kind of request it is, signed with HMAC-SHA256 under a key
// derived from the account's callback secret and the server's secret (SWITCHBOARD_CALLBACK_SECRET).
// A token cannot be forged without the key; a replayed one names a wait the execution has already
// left and is refused there. The callback secret is the account's own (Account.callbackSecret), not
// its auth token: rotating the token (`accounts rotate-token`, a changed TWILIO_AUTH_TOKEN) must not
// void the URLs Twilio already holds for live calls (their Gather actions, an outbound call's status
// callback). Accounts older than schema migration 12 got their auth token of then as their callback
// secret, so tokens issued before the upgrade still verify. Either secret can be rotated while calls
// are in progress: which pairs key new tokens and which are still accepted is callback-secrets.ts's.
import { createHmac, timingSafeEqual } from 'node:crypto';

/** a: the verb's action / redirect; f: fell through (no input, no audio); s: status callback; c: continue (hold). */
export type CallbackKind = 'a' | 'f' | 's' | 'c';

export interface CallbackClaim {
  executionSid: string;
  callbackId: string;
  kind: CallbackKind;
}

const KINDS = new Set<string>(['a', 'f', 's', 'c']);

function keyFor(callbackSecret: string, serverSecret: string): Buffer {
  return createHmac('sha256', serverSecret).update('switchboard-call-callback\0' + callbackSecret).digest();
}

function mac(key: Buffer, claim: CallbackClaim): string {
  return createHmac('sha256', key).update(`${claim.executionSid}.${claim.callbackId}.${claim.kind}`).digest('base64url');
}

export function signCallback(claim: CallbackClaim, callbackSecret: string, serverSecret: string): string {
  return `${claim.executionSid}.${claim.callbackId}.${claim.kind}.${mac(keyFor(callbackSecret, serverSecret), claim)}`;
}

/** Reads the claim without trusting it (to find the account whose key checks it). */
export function readCallback(token: string): (CallbackClaim & { signature: string }) | null {
  const parts = token.split('.');
  if (parts.length !== 4) return null;
  const [executionSid, callbackId, kind, signature] = parts as [string, string, string, string];
  if (!/^FN[0-9a-f]{32}$/.test(executionSid) || !/^[A-Za-z0-9]{2,64}$/.test(callbackId) || !KINDS.has(kind) || !signature) return null;
  return { executionSid, callbackId, kind: kind as CallbackKind, signature };
}

export function verifyCallback(token: string, callbackSecret: string, serverSecret: string): CallbackClaim | null {
  const claim = readCallback(token);
  if (!claim) return null;
  const expected = Buffer.from(mac(keyFor(callbackSecret, serverSecret), claim));
  const given = Buffer.from(claim.signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
  return { executionSid: claim.executionSid, callbackId: claim.callbackId, kind: claim.kind };
}
