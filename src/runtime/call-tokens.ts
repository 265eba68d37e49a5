// Callback tokens: every URL Switchboard gives a call to come back on names the execution, the
// callback (the widget's wait) and what kind of request it is, signed with HMAC-SHA256 under a key
// derived from the account's auth token and the server's secret. A token cannot be forged without
// the key; a replayed one names a wait the execution has already left and is refused there.
import { createHmac, timingSafeEqual } from 'node:crypto';

/** a: the verb's action / redirect; f: fell through (no input, no audio); s: status callback; c: continue (hold). */
export type CallbackKind = 'a' | 'f' | 's' | 'c';

export interface CallbackClaim {
  executionSid: string;
  callbackId: string;
  kind: CallbackKind;
}

const KINDS = new Set<string>(['a', 'f', 's', 'c']);

function keyFor(authToken: string, serverSecret: string): Buffer {
  return createHmac('sha256', serverSecret).update('switchboard-call-callback\0' + authToken).digest();
}

function mac(key: Buffer, claim: CallbackClaim): string {
  return createHmac('sha256', key).update(`${claim.executionSid}.${claim.callbackId}.${claim.kind}`).digest('base64url');
}

export function signCallback(claim: CallbackClaim, authToken: string, serverSecret: string): string {
  return `${claim.executionSid}.${claim.callbackId}.${claim.kind}.${mac(keyFor(authToken, serverSecret), claim)}`;
}

/** Reads the claim without trusting it (to find the account whose key checks it). */
export function readCallback(token: string): (CallbackClaim & { signature: string }) | null {
  const parts = token.split('.');
  if (parts.length !== 4) return null;
  const [executionSid, callbackId, kind, signature] = parts as [string, string, string, string];
  if (!/^FN[0-9a-f]{32}$/.test(executionSid) || !/^[A-Za-z0-9]{2,64}$/.test(callbackId) || !KINDS.has(kind) || !signature) return null;
  return { executionSid, callbackId, kind: kind as CallbackKind, signature };
}

export function verifyCallback(token: string, authToken: string, serverSecret: string): CallbackClaim | null {
  const claim = readCallback(token);
  if (!claim) return null;
  const expected = Buffer.from(mac(keyFor(authToken, serverSecret), claim));
  const given = Buffer.from(claim.signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
  return { executionSid: claim.executionSid, callbackId: claim.callbackId, kind: claim.kind };
}
