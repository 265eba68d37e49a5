// A deleted flow (or account) takes its executions with it, without a sprint to say so: the node's
// own execution gauges (embedded SQLite) must drop them, and /metrics must drop the flow's per-flow
// series, or both grow with flow churn until restart.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp, type App } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import type { Store } from '../../src/runtime/ports/store.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { basicAuth, form, FORM } from '../support/server.ts';
import { DATABASE_URL, SKIP_REASON, disposePostgresStore, freshPostgresStore } from '../store/postgres-support.ts';
import type { PostgresStore } from '../../src/store/postgres/postgres-store.ts';

const ASK_AND_WAIT = readFileSync(new URL('../fixtures/flows/ask-and-wait.json', import.meta.url), 'utf8');

type Series = { name: string; labels: Record<string, string>; value: number };

async function scrape(app: App): Promise<{ series: Series[]; body: string }> {
  const body = (await app.server.inject({ method: 'GET', url: '/metrics' })).body;
  const series: Series[] = [];
  for (const line of body.split('\n')) {
    const match = /^([\w:]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) continue;
    const labels = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
    series.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return { series, body };
}

function value(series: Series[], name: string, labels: Record<string, string> = {}): number | undefined {
  return series.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
}

/** The flow SIDs /metrics carries a series for. */
function flowSids(series: Series[]): Set<string> {
  return new Set(series.flatMap((s) => (s.labels.flow_sid ? [s.labels.flow_sid] : [])));
}

interface Setup {
  app: App;
  accountSid: string;
  headers: Record<string, string>;
}

async function setUp(store: Store): Promise<Setup> {
  const app = await createApp(
    { ...loadConfig({}, {}), dataDir: ':memory:', inboundExecutionRate: 0, restExecutionRate: 0 },
    { store, observability: { flowCheck: { everyMs: 0 } } },
  );
  const { account } = await app.accounts.ensureStartupAccount();
  await app.server.ready();
  return { app, accountSid: account.sid, headers: { authorization: basicAuth(account.sid, account.authToken), ...FORM } };
}

/** A flow whose only widget waits an hour for a reply, with `count` REST executions waiting in it. */
async function waitingFlow({ app, headers }: Setup, count: number, first: number): Promise<string> {
  const flow = (await app.server.inject({ method: 'POST', url: '/v2/Flows', headers, payload: form({ FriendlyName: 'waits', Status: 'published', Definition: ASK_AND_WAIT }) })).json();
  for (let i = 0; i < count; i++) {
    const to = `+1555000${String(first + i).padStart(4, '0')}`;
    const res = await app.server.inject({ method: 'POST', url: `/v2/Flows/${flow.sid}/Executions`, headers, payload: form({ To: to, From: '+15005550006' }) });
    assert.equal(res.statusCode, 201, res.body);
  }
  await app.executions.idle();
  return flow.sid;
}

const backends: { name: string; skip: string | false; open: () => Promise<Store>; dispose: (store: Store) => Promise<void> }[] = [
  { name: 'sqlite', skip: false, open: async () => new SqliteStore({ path: ':memory:' }), dispose: async () => {} },
  {
    name: 'postgres',
    skip: SKIP_REASON,
    open: () => freshPostgresStore(),
    dispose: (store) => disposePostgresStore(store as PostgresStore),
  },
];

for (const backend of backends) {
  describe(`deleted flows leave /metrics: ${backend.name}`, { skip: backend.skip || false }, () => {
    test('DELETE /v2/Flows and /v1/Flows take the flow out of the execution gauges and its series out of /metrics', async (t) => {
      const store = await backend.open();
      const setup = await setUp(store);
      t.after(async () => {
        await setup.app.close();
        await backend.dispose(store);
      });
      const gone = await waitingFlow(setup, 5, 0);
      const kept = await waitingFlow(setup, 2, 100);
      const other = await waitingFlow(setup, 1, 200);

      let { series } = await scrape(setup.app);
      assert.equal(value(series, 'switchboard_executions_active'), 8);
      assert.equal(value(series, 'switchboard_executions_waiting', { waiting_for: 'reply' }), 8);
      assert.equal(value(series, 'switchboard_executions_started_total', { flow_sid: gone, trigger: 'incomingRequest' }), 5);
      assert.deepEqual(flowSids(series), new Set([gone, kept, other]));

      assert.equal((await setup.app.server.inject({ method: 'DELETE', url: `/v2/Flows/${gone}`, headers: setup.headers })).statusCode, 204);
      ({ series } = await scrape(setup.app));
      assert.equal(value(series, 'switchboard_executions_active'), 3, "the deleted flow's executions left the active gauge");
      assert.equal(value(series, 'switchboard_executions_waiting', { waiting_for: 'reply' }), 3);
      assert.deepEqual(flowSids(series), new Set([kept, other]), "the deleted flow's series are gone, the others kept");
      assert.equal(value(series, 'switchboard_executions_started_total', { flow_sid: kept, trigger: 'incomingRequest' }), 2);

      assert.equal((await setup.app.server.inject({ method: 'DELETE', url: `/v1/Flows/${kept}`, headers: setup.headers })).statusCode, 204);
      ({ series } = await scrape(setup.app));
      assert.equal(value(series, 'switchboard_executions_active'), 1);
      assert.equal(value(series, 'switchboard_executions_waiting', { waiting_for: 'reply' }), 1);
      assert.deepEqual(flowSids(series), new Set([other]));

      // The remaining flow still counts as it runs.
      const res = await setup.app.server.inject({ method: 'POST', url: `/v2/Flows/${other}/Executions`, headers: setup.headers, payload: form({ To: '+15550009999', From: '+15005550006' }) });
      assert.equal(res.statusCode, 201, res.body);
      await setup.app.executions.idle();
      ({ series } = await scrape(setup.app));
      assert.equal(value(series, 'switchboard_executions_active'), 2);
      assert.equal(value(series, 'switchboard_executions_started_total', { flow_sid: other, trigger: 'incomingRequest' }), 2);
    });

    test('flow churn leaves /metrics as it was: no series left behind for deleted flows', async (t) => {
      const store = await backend.open();
      const setup = await setUp(store);
      t.after(async () => {
        await setup.app.close();
        await backend.dispose(store);
      });
      const live = await waitingFlow(setup, 1, 0);
      const before = await scrape(setup.app);
      for (let cycle = 0; cycle < 10; cycle++) {
        const sid = await waitingFlow(setup, 2, 10 + cycle * 2);
        assert.equal((await setup.app.server.inject({ method: 'DELETE', url: `/v2/Flows/${sid}`, headers: setup.headers })).statusCode, 204);
        await scrape(setup.app);
      }
      const after = await scrape(setup.app);
      assert.deepEqual(flowSids(after.series), new Set([live]));
      assert.equal(value(after.series, 'switchboard_executions_active'), 1);
      const perFlow = (s: Series[]) => s.filter((x) => x.labels.flow_sid).length;
      assert.equal(perFlow(after.series), perFlow(before.series), 'as many per-flow series as before the churn');
    });
  });
}

test('an account deleted by another process on the SQLite file (switchboard accounts delete) leaves the gauges and /metrics of a running node', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sb-deleted-account-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'switchboard.db');
  const setup = await setUp(new SqliteStore({ path }));
  t.after(() => setup.app.close());
  const owned = await setup.app.accounts.create('doomed');
  const doomed: Setup = { app: setup.app, accountSid: owned.sid, headers: { authorization: basicAuth(owned.sid, owned.authToken), ...FORM } };
  const first = await waitingFlow(doomed, 3, 0);
  const second = await waitingFlow(doomed, 2, 10);
  const kept = await waitingFlow(setup, 1, 20);
  let { series } = await scrape(setup.app);
  assert.equal(value(series, 'switchboard_executions_active'), 6);
  assert.deepEqual(flowSids(series), new Set([first, second, kept]));

  // What `switchboard accounts delete` does: its own store on the same file, no word to the server.
  const cli = new SqliteStore({ path });
  assert.deepEqual(await cli.deleteAccount(owned.sid), { apiKeys: 0, flows: 2 });
  await cli.close();
  // The server's read cache may trust what it read for up to --read-cache-ms.
  await new Promise((resolve) => setTimeout(resolve, loadConfig({}, {}).readCacheMs + 50));

  ({ series } = await scrape(setup.app));
  assert.equal(value(series, 'switchboard_executions_active'), 1);
  assert.equal(value(series, 'switchboard_executions_waiting', { waiting_for: 'reply' }), 1);
  assert.deepEqual(flowSids(series), new Set([kept]));
});

test('after a restart, a deleted flow takes its executions from before the start out of the count taken then', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sb-deleted-flow-restart-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'switchboard.db');
  const first = await setUp(new SqliteStore({ path }));
  const gone = await waitingFlow(first, 4, 0);
  await waitingFlow(first, 2, 10);
  await first.app.close();

  const second = await setUp(new SqliteStore({ path }));
  t.after(() => second.app.close());
  // The start-up count is read once start-up work has yielded.
  await new Promise((resolve) => setImmediate(resolve));
  let { series } = await scrape(second.app);
  assert.equal(value(series, 'switchboard_executions_active'), 6);

  // One of the deleted flow's executions from before is written by a sprint here and stays active;
  // another starts here. The other three are never touched.
  const [touched] = (await second.app.store.listExecutions(second.accountSid, gone, { status: 'active' }, { pageSize: 1 })).items;
  second.app.observability.observer.sprintWritten({ execution: touched!, previousStatus: 'active', steps: [] });
  const res = await second.app.server.inject({ method: 'POST', url: `/v2/Flows/${gone}/Executions`, headers: second.headers, payload: form({ To: '+15550009990', From: '+15005550006' }) });
  assert.equal(res.statusCode, 201, res.body);
  await second.app.executions.idle();
  ({ series } = await scrape(second.app));
  assert.equal(value(series, 'switchboard_executions_active'), 7, 'the touched one is counted once');

  assert.equal((await second.app.server.inject({ method: 'DELETE', url: `/v2/Flows/${gone}`, headers: second.headers })).statusCode, 204);
  ({ series } = await scrape(second.app));
  assert.equal(value(series, 'switchboard_executions_active'), 2, "only the other flow's two are left");
  assert.equal(value(series, 'switchboard_executions_waiting', { waiting_for: 'reply' }), 0);
  assert.deepEqual(flowSids(series), new Set(), 'no series: the other flow ran nothing since the restart');
});

test('a scrape looks up a bounded batch of flows, least recently checked first: every deleted flow goes within a few scrapes', async (t) => {
  const store = new SqliteStore({ path: ':memory:' });
  let lookups = 0;
  const getFlow = store.getFlow.bind(store);
  store.getFlow = (accountSid, flowSid) => ((lookups += 1), getFlow(accountSid, flowSid));
  const app = await createApp(
    { ...loadConfig({}, {}), dataDir: ':memory:', inboundExecutionRate: 0, restExecutionRate: 0, readCacheMs: 0 },
    { store, observability: { flowCheck: { everyMs: 0, batch: 2 } } },
  );
  t.after(() => app.close());
  const { account } = await app.accounts.ensureStartupAccount();
  await app.server.ready();
  const setup: Setup = { app, accountSid: account.sid, headers: { authorization: basicAuth(account.sid, account.authToken), ...FORM } };
  const flows = [];
  for (let i = 0; i < 5; i++) flows.push(await waitingFlow(setup, 1, i));
  for (const sid of flows.slice(0, 4)) assert.equal((await app.server.inject({ method: 'DELETE', url: `/v2/Flows/${sid}`, headers: setup.headers })).statusCode, 204);

  const seen: number[] = [];
  for (let round = 0; round < 3; round++) {
    lookups = 0;
    const { series } = await scrape(app);
    assert.ok(lookups <= 2, `${lookups} lookups in one scrape`);
    seen.push(flowSids(series).size);
  }
  // Five flows known, four deleted, two looked up per scrape (those already checked go to the back).
  assert.ok(seen[0]! >= 3, `${seen[0]} flows left after one scrape: at most two checked`);
  assert.equal(seen[2], 1, `after three scrapes only the live flow is left (${seen.join(', ')})`);
  assert.equal(value((await scrape(app)).series, 'switchboard_executions_active'), 1);
});

test('sprints check too: a deleted flow leaves the node\'s count even when nobody scrapes', async (t) => {
  const setup = await setUp(new SqliteStore({ path: ':memory:' }));
  t.after(() => setup.app.close());
  const gone = await waitingFlow(setup, 3, 0);
  const kept = await waitingFlow(setup, 1, 10);
  const active = async () => (await setup.app.observability.metrics.executionsActive.get()).values[0]?.value;
  assert.equal(await active(), 4);
  assert.equal((await setup.app.server.inject({ method: 'DELETE', url: `/v2/Flows/${gone}`, headers: setup.headers })).statusCode, 204);
  const res = await setup.app.server.inject({ method: 'POST', url: `/v2/Flows/${kept}/Executions`, headers: setup.headers, payload: form({ To: '+15550009999', From: '+15005550006' }) });
  assert.equal(res.statusCode, 201, res.body);
  await setup.app.executions.idle();
  // The check runs after the sprint, in the background.
  const until = Date.now() + 2000;
  while ((await active()) !== 2 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 5));
  assert.equal(await active(), 2);
  const started = (await setup.app.observability.metrics.executionsStarted.get()).values.map((v) => v.labels.flow_sid);
  assert.deepEqual(new Set(started), new Set([kept]));
});
