// Accounts and API keys, and the Basic-auth check against them.
import { hash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Account, ApiKey, Store } from './ports/store.ts';
import { isSid, newSid } from './ids.ts';

const DEV_ACCOUNT_SETTING = 'dev_account_sid';

export function newAuthToken(): string {
  return randomBytes(16).toString('hex');
}

/** The key of an account's callback tokens (call-tokens.ts): its own, never shown, unchanged by token rotation. */
export function newCallbackSecret(): string {
  return randomBytes(32).toString('base64url');
}

function sha256(text: string): Buffer {
  return hash('sha256', text, 'buffer');
}

/** Compares via fixed-length digests so neither length nor content leaks through timing. */
function secretsEqual(given: string, expectedHash: Buffer): boolean {
  return timingSafeEqual(sha256(given), expectedHash);
}

export class AccountService {
  readonly #store: Store;
  readonly #now: () => number;
  /** Per cached Account object (the store's read cache hands out the same one while it lasts). */
  readonly #tokenHashes = new WeakMap<Account, Buffer>();
  /**
   * Passwords that already matched an account or key object, so a client's every request does not hash
   * its password again (a thirtieth of a create's CPU). Keyed, like the hashes, by the object the read
   * cache hands out: a new token or a deleted key comes as a new object (or none) and is checked afresh.
   * Only passwords that matched are kept, and a Set finds one by its hash, never by comparing a guess
   * with a secret.
   */
  readonly #verified = new WeakMap<Account | ApiKey, Set<string>>();

  constructor(store: Store, now: () => number) {
    this.#store = store;
    this.#now = now;
  }

  async create(friendlyName: string, sid = newSid('AC'), authToken = newAuthToken()): Promise<Account> {
    const account: Account = { sid, authToken, friendlyName, dateCreated: this.#now(), callbackSecret: newCallbackSecret() };
    await this.#store.createAccount(account);
    return account;
  }

  /**
   * The account the server starts with: the configured one (created or its token updated), or a
   * dev account generated on first start and kept in the store. A changed configured token leaves the
   * callback secret as it was (rotateToken).
   */
  async ensureStartupAccount(configured?: { sid: string; authToken: string }): Promise<{ account: Account; generated: boolean }> {
    // Nodes starting together on one database must agree on one account: one at a time.
    return this.#store.exclusive('startup-account', () => this.#ensureStartupAccount(configured));
  }

  async #ensureStartupAccount(configured?: { sid: string; authToken: string }): Promise<{ account: Account; generated: boolean }> {
    if (configured) {
      if (!isSid('AC', configured.sid)) throw new Error(`TWILIO_ACCOUNT_SID must look like AC followed by 32 hex characters`);
      const existing = await this.#store.getAccount(configured.sid);
      if (existing && existing.authToken === configured.authToken) return { account: existing, generated: false };
      if (existing) {
        await this.#store.updateAccountToken(configured.sid, configured.authToken);
        return { account: { ...existing, authToken: configured.authToken }, generated: false };
      }
      return { account: await this.create('Configured account', configured.sid, configured.authToken), generated: false };
    }
    const devSid = await this.#store.getSetting(DEV_ACCOUNT_SETTING);
    if (devSid) {
      const existing = await this.#store.getAccount(devSid);
      if (existing) return { account: existing, generated: true };
    }
    const account = await this.create('Development account');
    await this.#store.setSetting(DEV_ACCOUNT_SETTING, account.sid);
    return { account, generated: true };
  }

  async createKey(accountSid: string, friendlyName: string): Promise<{ key: ApiKey; secret: string }> {
    if (!(await this.#store.getAccount(accountSid))) throw new Error(`account ${accountSid} does not exist`);
    const secret = randomBytes(24).toString('base64url');
    const key: ApiKey = {
      sid: newSid('SK'),
      accountSid,
      friendlyName,
      secretHash: sha256(secret).toString('hex'),
      dateCreated: this.#now(),
    };
    await this.#store.createApiKey(key);
    return { key, secret };
  }

  /**
   * Gives the account a new auth token and returns it (null: no such account). The old one is refused
   * at once through this store; a node that cached the account drops it within its read-cache time.
   * The callback secret stays: the URLs live calls were given keep working.
   */
  async rotateToken(accountSid: string): Promise<string | null> {
    if (!(await this.#store.getAccount(accountSid))) return null;
    const authToken = newAuthToken();
    await this.#store.updateAccountToken(accountSid, authToken);
    return authToken;
  }

  /**
   * Gives the account a new callback secret (new callback URLs are keyed by it at once). The one it
   * replaces stays accepted for `graceMs`, so the URLs calls in progress hold keep working; 0 refuses
   * them at once (after a leak). A second rotation within the grace drops the first one's old secret.
   * Null when there is no such account, else until when the old secret is accepted (null: not at all).
   */
  async rotateCallbackSecret(accountSid: string, graceMs: number): Promise<{ acceptedUntil: number | null } | null> {
    const acceptedUntil = graceMs > 0 ? this.#now() + graceMs : null;
    if (!(await this.#store.rotateCallbackSecret(accountSid, newCallbackSecret(), acceptedUntil))) return null;
    return { acceptedUntil };
  }

  #matches(holder: Account | ApiKey, password: string, expectedHash: () => Buffer): boolean {
    const known = this.#verified.get(holder);
    if (known?.has(password)) return true;
    if (!secretsEqual(password, expectedHash())) return false;
    // One secret per holder is valid at a time; a few entries cover a token changed in place.
    const passwords = known && known.size < 4 ? known : new Set<string>();
    passwords.add(password);
    this.#verified.set(holder, passwords);
    return true;
  }

  #tokenHash(account: Account): Buffer {
    let hash = this.#tokenHashes.get(account);
    if (!hash) this.#tokenHashes.set(account, (hash = sha256(account.authToken)));
    return hash;
  }

  /** Resolves Basic-auth credentials (AC…:token or SK…:secret) to an account, or null. */
  async authenticate(username: string, password: string): Promise<Account | null> {
    if (isSid('AC', username)) {
      const account = await this.#store.getAccount(username);
      if (!account) return null;
      return this.#matches(account, password, () => this.#tokenHash(account)) ? account : null;
    }
    if (isSid('SK', username)) {
      const key = await this.#store.getApiKey(username);
      if (!key) return null;
      if (!this.#matches(key, password, () => Buffer.from(key.secretHash, 'hex'))) return null;
      return this.#store.getAccount(key.accountSid);
    }
    return null;
  }
}
