// Which secrets key a call's callback tokens (call-tokens.ts) and the simulator's CallSids, and which
// are still accepted. A key is made of two secrets: the account's callback secret and the server's
// (SWITCHBOARD_CALLBACK_SECRET). New tokens are always keyed by the current pair; a token keyed by a
// secret being rotated out still verifies, so calls in progress survive a rotation: the account's
// previous callback secret until its grace period ends (`accounts rotate-callback-secret`), the
// server's previous secrets while the operator lists them (SWITCHBOARD_CALLBACK_SECRET_PREVIOUS).
import type { Account } from './ports/store.ts';

export interface ServerSecrets {
  /** SWITCHBOARD_CALLBACK_SECRET, '' when unset. */
  current: string;
  /** Also accepted, never used for new tokens ('' stands for tokens keyed while it was unset). */
  previous: readonly string[];
}

/** One key's two halves. */
export interface SecretPair {
  callbackSecret: string;
  serverSecret: string;
}

/**
 * The account's part of the callback key. An empty callback secret (a row an older node wrote beside
 * migration 12, whose SQLite column defaults to '') must never key tokens anyone could compute: the
 * auth token stands in, as it did before callback secrets.
 */
export function currentCallbackSecret(account: Pick<Account, 'callbackSecret' | 'authToken'>): string {
  return account.callbackSecret || account.authToken;
}

/** The pair new tokens are keyed by. */
export function mintingPair(account: Pick<Account, 'callbackSecret' | 'authToken'>, server: ServerSecrets): SecretPair {
  return { callbackSecret: currentCallbackSecret(account), serverSecret: server.current };
}

/**
 * Every pair a token may be keyed by at `now`, the minting pair first (the one almost every token
 * uses, tried first): the account's current and still-accepted previous secret, each with the
 * server's current and previous secrets.
 */
export function acceptedPairs(account: Pick<Account, 'callbackSecret' | 'authToken' | 'previousCallbackSecret'>, server: ServerSecrets, now: number): SecretPair[] {
  const accountSecrets = [currentCallbackSecret(account)];
  const previous = account.previousCallbackSecret;
  // An empty previous secret is never accepted, for the reason above.
  if (previous && previous.secret !== '' && now < previous.until && previous.secret !== accountSecrets[0]) accountSecrets.push(previous.secret);
  const serverSecrets = [...new Set([server.current, ...server.previous])];
  return accountSecrets.flatMap((callbackSecret) => serverSecrets.map((serverSecret) => ({ callbackSecret, serverSecret })));
}
