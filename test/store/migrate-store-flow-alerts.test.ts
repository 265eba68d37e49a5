// copyStore (switchboard migrate-store) copies a flow's own alerts (the 20429 of an inbound execution
// the rate limit refused, written with Store.addAlerts: no execution raised them) with the executions'
// alerts, in the source's listing order; an alert of a deleted execution is still left out, and the
// counts agree with countStore's. SQLite → SQLite always; SQLite → PostgreSQL with DATABASE_URL.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { PostgresStore } from '../../src/store/postgres/postgres-store.ts';
import { copyStore, countStore } from '../../src/store/copy-store.ts';
import type { AlertRecord, Store } from '../../src/runtime/ports/store.ts';
import { DATABASE_URL, SKIP_REASON, dropSchema, testSchemaName } from './postgres-support.ts';

const survey = JSON.parse(readFileSync(new URL('../fixtures/flows/survey.json', import.meta.url), 'utf8'));

async function listAll(store: Store, accountSid: string): Promise<AlertRecord[]> {
  const out: AlertRecord[] = [];
  for (let page = await store.listAlerts(accountSid, {}, { pageSize: 4 }); ; ) {
    out.push(...page.items);
    if (!page.hasMore || page.lastPosition === null) return out;
    page = await store.listAlerts(accountSid, {}, { pageSize: 4, cursor: { direction: 'after', position: page.lastPosition } });
  }
}

/** A store with a published flow refusing inbound messages (rate 1/s), executions' alerts among them, and a deleted execution's. */
async function populate(path: string): Promise<{ accountSid: string; flowSid: string; deletedAlert: string }> {
  const store = new SqliteStore({ path });
  const clock = { ms: Date.parse('2026-02-01T00:00:00Z') };
  const app = await createApp({ ...loadConfig({}, {}), dataDir: ':memory:', dev: false, inboundExecutionRate: 1, restExecutionRate: 0 }, { store, now: () => clock.ms });
  const { account } = await app.accounts.ensureStartupAccount();
  const flow = await app.flows.create(account.sid, { friendlyName: 'survey', status: 'published', definition: survey });
  const text = (n: number) => app.executions.inboundMessage(account.sid, flow.sid, { From: `+1555000000${n}`, To: '+15005550006', Body: 'hi', MessageSid: 'SM' + String(n).padStart(32, '0') });
  const executionAlert = (executionSid: string, n: number): AlertRecord => ({
    sid: 'NO' + String(n).padStart(32, '0'), accountSid: account.sid, flowSid: flow.sid, executionSid, logLevel: 'warning', errorCode: 81002, text: `Msg=alert+${n}`, dateCreated: clock.ms,
  });
  const started: string[] = [];
  for (let second = 0; second < 3; second++) {
    started.push((await text(second * 2 + 1)).executionSid!);
    await assert.rejects(text(second * 2 + 2), /Too many new executions/);
    await app.executions.idle();
    const { record, version } = (await store.loadExecution(started[second]!))!;
    await store.writeSprint({ execution: record, isNew: false, expectedVersion: version, steps: [], timersToAdd: [], timersToCancel: [], effectsToAdd: [], effectsDone: [], alerts: [executionAlert(record.sid, second + 1)] });
    clock.ms += 1000;
  }
  // An alert outlives its deleted execution; the copy leaves it out (it has no execution to go with).
  await store.deleteExecution(account.sid, flow.sid, started[0]!);
  await app.close(); // and the store
  return { accountSid: account.sid, flowSid: flow.sid, deletedAlert: 'NO' + String(1).padStart(32, '0') };
}

async function checkCopy(to: Store): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-flow-alerts-'));
  const { accountSid, flowSid, deletedAlert } = await populate(join(dir, 'a.db'));
  const from = new SqliteStore({ path: join(dir, 'a.db') });
  try {
    const source = await listAll(from, accountSid);
    const flowOwn = source.filter((alert) => alert.errorCode === 20429);
    assert.equal(flowOwn.length, 3, 'one refused message a second, each with its alert');
    assert.ok(flowOwn.every((alert) => alert.executionSid === flowSid && alert.flowSid === flowSid));
    const counts = await copyStore(from, to);
    assert.deepEqual(counts, await countStore(from));
    assert.deepEqual(await listAll(to, accountSid), source.filter((alert) => alert.sid !== deletedAlert), 'the same alerts in the same order, but the deleted execution\'s');
    assert.equal(counts.alerts, source.length - 1);
  } finally {
    await from.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("copyStore and flows' own alerts", () => {
  it('copies them SQLite → SQLite, in order, beside the executions\' alerts', async () => {
    const to = new SqliteStore({ path: ':memory:' });
    try {
      await checkCopy(to);
    } finally {
      await to.close();
    }
  });

  it('copies them SQLite → PostgreSQL', { skip: SKIP_REASON }, async () => {
    const schema = testSchemaName();
    const to = new PostgresStore({ connectionString: DATABASE_URL!, schema });
    try {
      await checkCopy(to);
    } finally {
      await to.close();
      await dropSchema(schema);
    }
  });
});
