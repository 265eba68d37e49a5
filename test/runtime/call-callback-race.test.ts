// The same call callback sent to two nodes at once (two CallServices, each with its own
// ExecutionService, on one store): the per-node lock does not serialise them, so both may find the
// widget still waiting. Exactly one is applied (no "Unexpected event" alert, one step); the other is
// answered with where the call is now, the wait the applied one led to, as Twilio follows whichever
// answer it got (a retry's), never a 403 that would play the caller an application error.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startTestServer } from '../support/server.ts';
import { createApp, type App } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import type { Account } from '../../src/runtime/ports/store.ts';
import { DATABASE_URL, SKIP_REASON, dropSchema, testSchemaName } from '../store/postgres-support.ts';
import { PostgresStore } from '../../src/store/postgres/postgres-store.ts';
import { CallService } from '../../src/runtime/calls.ts';
import { DEFAULT_RUNTIME_OPTIONS, ExecutionService } from '../../src/runtime/executions.ts';
import type { MessageChannel, OutboundHttp } from '../../src/runtime/ports/channel.ts';

const ivr = JSON.parse(readFileSync(new URL('../voice/fixtures/ivr-menu.json', import.meta.url), 'utf8'));

async function raceCallbacks(app: App, account: Account): Promise<void> {
  // A second node on the same store: never started, so it carries no effects out itself.
  const other = new ExecutionService(app.store, { name: 'none' } as MessageChannel, {} as OutboundHttp, { ...DEFAULT_RUNTIME_OPTIONS, now: Date.now });
  const nodes = [new CallService(app.store, app.executions), new CallService(app.store, other)];
  const flow = await app.flows.create(account.sid, { friendlyName: 'ivr', status: 'published', definition: ivr });
  for (let round = 0; round < 5; round++) {
    const callSid = `CA${String(round).padStart(32, '0')}`;
    const params = { AccountSid: account.sid, CallSid: callSid, From: `+1555888000${round}`, To: '+15550000001', CallStatus: 'in-progress' };
    const first = await nodes[0]!.incoming(account.sid, flow.sid, { ...params, CallStatus: 'ringing' });
    assert.equal(first.kind, 'twiml');
    const { execution, wait } = first as Extract<typeof first, { kind: 'twiml' }>;
    const token = await nodes[0]!.token(account.sid, execution.sid, wait.callbackId, 'a');
    const turns = await Promise.all(nodes.map((node) => node.callback(account.sid, flow.sid, token, params)));
    assert.deepEqual(turns.map((turn) => turn.kind), ['twiml', 'twiml'], JSON.stringify(turns.map((turn) => turn.kind)));
    const waits = turns.map((turn) => (turn as Extract<typeof turn, { kind: 'twiml' }>).wait.callbackId);
    assert.equal(waits[0], waits[1], 'both answered with the same next wait');
    assert.notEqual(waits[0], wait.callbackId);
    // And once more, afterwards, to either node: the same answer, nothing applied again.
    const later = await nodes[1]!.callback(account.sid, flow.sid, token, params);
    assert.equal(later.kind === 'twiml' && later.wait.callbackId, waits[0]);
    const steps = await app.store.listSteps(account.sid, flow.sid, execution.sid, { pageSize: 50 });
    assert.equal(steps.items.filter((s) => s.transitionedFrom === 'greet').length, 1, 'the callback moved greet on once');
    const alerts = await app.store.listAlerts(account.sid, {}, { pageSize: 50 });
    assert.deepEqual(alerts.items.map((a) => `${a.errorCode}: ${a.text}`), [], 'no Unexpected event alert');
  }
  await app.executions.idle();
}

describe('a call callback raced on two nodes', () => {
  it('SQLite: one node applies it, both answer with the next wait; no alert, one step', async () => {
    const t = await startTestServer();
    try {
      await raceCallbacks(t.app, t.account);
    } finally {
      await t.close();
    }
  });

  it('PostgreSQL: the same', { skip: SKIP_REASON }, async () => {
    const schema = testSchemaName();
    const store = new PostgresStore({ connectionString: DATABASE_URL!, schema, poolSize: 4 });
    const app = await createApp({ ...loadConfig({}, {}), dataDir: ':memory:', inboundExecutionRate: 0, restExecutionRate: 0 }, { store });
    try {
      const { account } = await app.accounts.ensureStartupAccount();
      await raceCallbacks(app, account);
    } finally {
      await app.close();
      await dropSchema(schema);
    }
  });
});
