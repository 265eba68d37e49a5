// A short-lived cache in front of the store for what every request reads and almost nothing
// writes: accounts, API keys, settings, flows and their test users. Writes through this
// node drop the entry at once; a write by another node (or another process on the SQLite file) is
// seen within `ttlMs`. A SID that was missing is looked up again next time; a missing setting is not.
import { accountSettingKey, type Account, type ApiKey, type FlowRecord, type Store } from './ports/store.ts';
import { evictOldest } from '../lib/evict-oldest.ts';

export interface ReadCacheOptions {
  /** How long an entry is trusted; 0 turns the cache off. */
  ttlMs: number;
  now?: () => number;
  /** Entries per kind before the oldest go. */
  maxEntries?: number;
}

class TtlMap<V> {
  readonly #entries = new Map<string, { value: V; until: number }>();
  readonly #ttlMs: number;
  readonly #max: number;
  readonly #now: () => number;

  constructor(ttlMs: number, max: number, now: () => number) {
    this.#ttlMs = ttlMs;
    this.#max = max;
    this.#now = now;
  }

  get(key: string): V | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    if (entry.until > this.#now()) return entry.value;
    this.#entries.delete(key);
    return undefined;
  }

  set(key: string, value: V): void {
    this.#entries.delete(key);
    this.#entries.set(key, { value, until: this.#now() + this.#ttlMs });
    evictOldest(this.#entries, this.#max);
  }

  delete(key: string): void {
    this.#entries.delete(key);
  }

  /** Drops every entry `matches` picks (an account's keys and flows when it is deleted: rare). */
  deleteWhere(matches: (key: string, value: V) => boolean): void {
    for (const [key, entry] of this.#entries) if (matches(key, entry.value)) this.#entries.delete(key);
  }
}

type Cached<A extends unknown[], R> = (...args: A) => Promise<R>;

/** The store, with reads of accounts, API keys, settings and flows cached for `ttlMs`. */
export function cachedReads<S extends Store>(store: S, options: ReadCacheOptions): S {
  if (options.ttlMs <= 0) return store;
  const now = options.now ?? Date.now;
  const max = options.maxEntries ?? 10_000;
  const accounts = new TtlMap<Account>(options.ttlMs, max, now);
  const keys = new TtlMap<ApiKey>(options.ttlMs, max, now);
  const settings = new TtlMap<string | null>(options.ttlMs, max, now);
  const flows = new TtlMap<FlowRecord>(options.ttlMs, max, now);
  const testUsers = new TtlMap<string[] | null>(options.ttlMs, max, now);
  // Generation counters: a read that started before a write must not cache the value it saw.
  let generation = 0;

  function cached<A extends unknown[], V>(
    map: TtlMap<V | null>,
    key: (...args: A) => string,
    read: (...args: A) => Promise<V | null>,
    keepMisses = false,
  ): Cached<A, V | null> {
    return async (...args: A) => {
      const k = key(...args);
      const hit = map.get(k);
      if (hit !== undefined) return hit;
      const started = generation;
      const value = await read(...args);
      if ((value !== null || keepMisses) && started === generation) map.set(k, value);
      return value;
    };
  }
  function invalidating<A extends unknown[], R>(write: (...args: A) => Promise<R>, drop: (...args: A) => void): Cached<A, R> {
    return async (...args: A) => {
      generation++;
      drop(...args);
      try {
        return await write(...args);
      } finally {
        drop(...args);
      }
    };
  }
  const flowKey = (accountSid: string, flowSid: string) => `${accountSid}/${flowSid}`;
  const dropFlow = (accountSid: string, flowSid: string) => {
    flows.delete(flowKey(accountSid, flowSid));
    testUsers.delete(flowKey(accountSid, flowSid));
  };
  const dropAccount = (sid: string) => {
    accounts.delete(sid);
    keys.deleteWhere((_, key) => key.accountSid === sid);
    flows.deleteWhere((key) => key.startsWith(`${sid}/`));
    testUsers.deleteWhere((key) => key.startsWith(`${sid}/`));
    settings.deleteWhere((key) => key.endsWith(`:${sid}`));
  };
  const overrides: Partial<Record<keyof Store, unknown>> = {
    getAccount: cached(accounts, (sid: string) => sid, (sid) => store.getAccount(sid)),
    getApiKey: cached(keys, (sid: string) => sid, (sid) => store.getApiKey(sid)),
    // A setting that is not there is the common case (no carrier configured): that is kept too.
    getSetting: cached(settings, (key: string) => key, (key) => store.getSetting(key), true),
    getFlow: cached(flows, flowKey, (accountSid, flowSid) => store.getFlow(accountSid, flowSid)),
    getTestUsers: cached(testUsers, flowKey, (accountSid, flowSid) => store.getTestUsers(accountSid, flowSid)),
    createAccount: invalidating((account: Account) => store.createAccount(account), (account) => accounts.delete(account.sid)),
    updateAccountToken: invalidating((sid: string, token: string) => store.updateAccountToken(sid, token), (sid) => accounts.delete(sid)),
    rotateCallbackSecret: invalidating((sid: string, secret: string, graceUntil: number | null) => store.rotateCallbackSecret(sid, secret, graceUntil), (sid) => accounts.delete(sid)),
    createApiKey: invalidating((key: ApiKey) => store.createApiKey(key), (key) => keys.delete(key.sid)),
    // A revoked key or a deleted account is refused by this node at once, not a TTL later.
    deleteApiKey: invalidating((sid: string) => store.deleteApiKey(sid), (sid) => keys.delete(sid)),
    deleteAccount: invalidating((sid: string) => store.deleteAccount(sid), (sid) => dropAccount(sid)),
    setSetting: invalidating((key: string, value: string) => store.setSetting(key, value), (key) => settings.delete(key)),
    setAccountSetting: invalidating(
      (accountSid: string, name: string, value: string) => store.setAccountSetting(accountSid, name, value),
      (accountSid, name) => settings.delete(accountSettingKey(accountSid, name)),
    ),
    createFlow: invalidating((flow: FlowRecord, revision: Parameters<Store['createFlow']>[1]) => store.createFlow(flow, revision), (flow) => dropFlow(flow.accountSid, flow.sid)),
    saveFlowRevision: invalidating((flow: FlowRecord, revision: Parameters<Store['saveFlowRevision']>[1]) => store.saveFlowRevision(flow, revision), (flow) => dropFlow(flow.accountSid, flow.sid)),
    deleteFlow: invalidating((accountSid: string, flowSid: string) => store.deleteFlow(accountSid, flowSid), (accountSid, flowSid) => dropFlow(accountSid, flowSid)),
    setTestUsers: invalidating((accountSid: string, flowSid: string, users: string[]) => store.setTestUsers(accountSid, flowSid, users), (accountSid, flowSid) => dropFlow(accountSid, flowSid)),
  };
  // Everything else is the store's own, called on the store itself (its private fields need it).
  const bound = new WeakMap<object, unknown>();
  return new Proxy(store, {
    get(target, property) {
      if (typeof property === 'string' && Object.hasOwn(overrides, property)) return overrides[property as keyof Store];
      const value = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      let method = bound.get(value);
      if (!method) bound.set(value, (method = (value as (...args: unknown[]) => unknown).bind(target)));
      return method;
    },
  });
}
