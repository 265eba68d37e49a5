// `switchboard migrate-store`: a realistic SQLite store (accounts, keys, settings, flows with
// several revisions and test users, waiting and ended executions with steps, timers and a
// pending effect, alerts, inbound receipts) copied by the real CLI into an empty PostgreSQL schema; everything compares
// equal, and a server on the copy carries on where the SQLite one stopped. copyStore itself is
// also checked SQLite → SQLite, so it is covered without PostgreSQL too.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { PostgresStore } from '../../src/store/postgres/postgres-store.ts';
import { copyStore, countStore } from '../../src/store/copy-store.ts';
import type { PageRequest, PageResult, Store } from '../../src/runtime/ports/store.ts';
import { DATABASE_URL, SKIP_REASON, dropSchema, testSchemaName } from './postgres-support.ts';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const survey = JSON.parse(readFileSync(new URL('../fixtures/flows/survey.json', import.meta.url), 'utf8'));

class Clock {
  ms = Date.parse('2026-02-01T00:00:00Z');
  now = () => this.ms;
}

async function all<T>(list: (page: PageRequest) => Promise<PageResult<T>>): Promise<T[]> {
  const items: T[] = [];
  let page = await list({ pageSize: 3 });
  items.push(...page.items);
  while (page.hasMore) {
    page = await list({ pageSize: 3, cursor: { direction: 'after', position: page.lastPosition! } });
    items.push(...page.items);
  }
  return items;
}

/** Everything a store holds, in listing order, as plain data. */
async function snapshot(store: Store) {
  const accounts = await store.listAccounts();
  const flows = [];
  for (const account of accounts) {
    for (const flow of await all((p) => store.listFlows(account.sid, p))) {
      const executions = [];
      for (const execution of await all((p) => store.listExecutions(account.sid, flow.sid, {}, p))) {
        executions.push({ execution, steps: await all((p) => store.listSteps(account.sid, flow.sid, execution.sid, p)) });
      }
      // Whole records: lists leave out definitions and validation reports.
      const revisions = [];
      for (const { revision } of await all((p) => store.listRevisions(account.sid, flow.sid, p))) revisions.push(await store.getRevision(account.sid, flow.sid, revision));
      flows.push({
        flow: await store.getFlow(account.sid, flow.sid),
        revisions,
        testUsers: await store.getTestUsers(account.sid, flow.sid),
        executions,
      });
    }
  }
  const alerts = [];
  for (const account of accounts) alerts.push(...(await all((p) => store.listAlerts(account.sid, {}, p))));
  const receipts = [];
  for (const account of accounts) receipts.push(...(await store.listInboundReceipts(account.sid, 10_000)));
  return {
    alerts,
    receipts,
    settings: await store.listSettings(),
    accounts,
    apiKeys: await store.listApiKeys(),
    flows,
    timers: await store.dueTimers(Number.MAX_SAFE_INTEGER, 10_000),
    pendingEffects: await store.pendingEffects(10_000),
  };
}

/** Fills a SQLite store through the real app: what a team's embedded store looks like. */
async function populate(path: string, clock: Clock): Promise<{ accountSid: string; flowSid: string; waiting: string[] }> {
  const app = await createApp({ ...loadConfig({}, {}), dataDir: ':memory:' }, { store: new SqliteStore({ path }), now: clock.now });
  try {
    const { account } = await app.accounts.ensureStartupAccount();
    await app.accounts.createKey(account.sid, 'ci key');
    const other = await app.accounts.create('Second team');
    await app.flows.create(other.sid, { friendlyName: 'other team flow', status: 'draft', definition: survey });
    const flow = await app.flows.create(account.sid, { friendlyName: 'survey', status: 'published', definition: survey, commitMessage: 'v1' });
    clock.ms += 1000;
    await app.flows.update(account.sid, flow.sid, { status: 'draft', definition: { ...survey, description: 'draft edit' }, commitMessage: 'v2 draft' });
    await app.store.setTestUsers(account.sid, flow.sid, ['+15550009999']);
    const waiting: string[] = [];
    for (const contact of ['+15550000001', '+15550000002', '+15550000003', '+15550009999']) {
      const { executionSid } = await app.executions.inboundMessage(account.sid, flow.sid, { From: contact, To: '+15005550006', Body: 'hi', MessageSid: 'SM' + contact.slice(1).padEnd(32, '0') });
      await app.executions.idle();
      waiting.push(executionSid!);
    }
    // one conversation finished
    await app.executions.inboundMessage(account.sid, flow.sid, { From: '+15550000003', To: '+15005550006', Body: '5' });
    await app.executions.idle();
    // and one effect still in the outbox (a node stopped before carrying it out)
    const record = await app.store.loadExecution(waiting[0]!);
    await app.store.writeSprint({
      execution: record!.record,
      isNew: false,
      expectedVersion: record!.version,
      steps: [],
      timersToAdd: [],
      timersToCancel: [],
      effectsToAdd: [{ id: 'EF' + 'a'.repeat(32), executionSid: waiting[0]!, accountSid: account.sid, payload: { type: 'http-request', note: 'pending' }, createdAt: clock.ms }],
      effectsDone: [],
      alerts: [1, 2].map((n) => ({
        sid: 'NO' + String(n).repeat(32),
        accountSid: account.sid,
        flowSid: flow.sid,
        executionSid: waiting[n - 1]!,
        logLevel: n === 1 ? ('warning' as const) : ('error' as const),
        errorCode: 81000 + n,
        text: `Msg=alert+${n}`,
        dateCreated: clock.ms + n,
      })),
    });
    return { accountSid: account.sid, flowSid: flow.sid, waiting: [waiting[0]!, waiting[1]!] };
  } finally {
    await app.close();
  }
}

/** Each account's callback secret (its own, not its auth token) is copied: live calls' callback URLs verify on the target. */
async function assertCallbackSecretsCopied(from: Store, to: Store): Promise<void> {
  const accounts = await from.listAccounts();
  assert.equal(accounts.length, 2);
  for (const account of accounts) {
    assert.notEqual(account.callbackSecret, account.authToken, "a new account's callback secret is its own");
    assert.equal((await to.getAccount(account.sid))?.callbackSecret, account.callbackSecret);
  }
}

describe('copyStore', () => {
  it('copies SQLite to SQLite: everything equal, listing order kept, counts verified', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchboard-copy-'));
    try {
      await populate(join(dir, 'a.db'), new Clock());
      const from = new SqliteStore({ path: join(dir, 'a.db') });
      const to = new SqliteStore({ path: ':memory:' });
      try {
        const counts = await copyStore(from, to);
        assert.deepEqual(counts, await countStore(from));
        assert.equal(counts.accounts, 2);
        assert.equal(counts.revisions, 3);
        assert.equal(counts.executions, 4);
        assert.equal(counts.pendingEffects, 1);
        assert.equal(counts.receipts, 4, 'one per message with a MessageSid, with its received time');
        assert.ok(counts.alerts >= 2, 'the alerts written above, and any the run raised');
        assert.equal(counts.timers, 3, 'a reply timeout for each waiting execution (the age cap needs no timer)');
        assert.deepEqual(await snapshot(to), await snapshot(from));
        await assertCallbackSecretsCopied(from, to);
        await assert.rejects(copyStore(from, to), /already holds data/);
      } finally {
        await from.close();
        await to.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

if (SKIP_REASON) {
  it('switchboard migrate-store to PostgreSQL', { skip: SKIP_REASON }, () => {});
} else {
  describe('switchboard migrate-store to PostgreSQL', () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchboard-migrate-'));
    const schema = testSchemaName();
    const clock = new Clock();
    let fixture: Awaited<ReturnType<typeof populate>>;
    const cli = (...args: string[]) => spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', env: { ...process.env, DATABASE_URL: '' } });

    before(async () => {
      fixture = await populate(join(dir, 'switchboard.db'), clock);
    });
    after(async () => {
      rmSync(dir, { recursive: true, force: true });
      await dropSchema(schema);
    });

    it('copies every record, then a server on PostgreSQL carries on where SQLite stopped', async () => {
      const run = cli('migrate-store', '--from', `sqlite:${dir}`, '--to', DATABASE_URL!, '--database-schema', schema);
      assert.equal(run.status, 0, run.stderr + run.stdout);
      assert.match(run.stdout, /Copied sqlite → postgres/);
      assert.match(run.stdout, /executions\s+4/);
      assert.match(run.stdout, /receipts\s+4/);
      assert.doesNotMatch(run.stdout, /MISMATCH/);

      const source = new SqliteStore({ path: join(dir, 'switchboard.db') });
      const target = new PostgresStore({ connectionString: DATABASE_URL!, schema });
      try {
        assert.deepEqual(await snapshot(target), await snapshot(source));
        await assertCallbackSecretsCopied(source, target);
      } finally {
        await source.close();
      }

      // a PostgreSQL node resumes the copied work: the pending effect, a reply, the timers
      const http = { calls: 0, request: async () => (http.calls++, { kind: 'http-response' as const, statusCode: 200, contentType: 'text/plain', body: 'ok' }) };
      const app = await createApp({ ...loadConfig({}, {}), dataDir: ':memory:' }, { store: target, now: clock.now, http });
      try {
        await app.executions.idle();
        assert.equal(http.calls, 1, 'the copied outbox effect was carried out');
        assert.deepEqual(await target.pendingEffects(10), []);
        await app.executions.inboundMessage(fixture.accountSid, fixture.flowSid, { From: '+15550000002', To: '+15005550006', Body: '4' });
        await app.executions.idle();
        assert.equal((await target.getExecutionBySid(fixture.waiting[1]!))?.status, 'ended', 'a copied waiting execution took the reply');
        clock.ms += 3600_000;
        let fired = 0;
        for (let n = await app.executions.fireDueTimers(); n > 0; n = await app.executions.fireDueTimers()) fired += n;
        await app.executions.idle();
        assert.ok(fired >= 1, 'copied reply timeouts fired');
        const active = await target.listExecutions(fixture.accountSid, fixture.flowSid, { status: 'active' }, { pageSize: 10 });
        assert.deepEqual(active.items, [], 'every copied conversation finished');
      } finally {
        await app.close();
      }
    });

    it('refuses a target that already holds data, and a missing source', () => {
      const again = cli('migrate-store', '--from', `sqlite:${dir}`, '--to', DATABASE_URL!, '--database-schema', schema);
      assert.equal(again.status, 1);
      assert.match(again.stderr, /already holds data/);
      const missing = cli('migrate-store', '--from', `sqlite:${join(dir, 'nope.db')}`, '--to', DATABASE_URL!, '--database-schema', schema);
      assert.equal(missing.status, 2);
      assert.match(missing.stderr, /no SQLite database/);
      const bad = cli('migrate-store', '--from', 'mysql://x', '--to', DATABASE_URL!);
      assert.equal(bad.status, 2);
      assert.match(bad.stderr, /sqlite:<path> or a postgres/);
    });
  });
}
