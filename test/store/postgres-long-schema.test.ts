// A schema name may be 63 characters, but the NOTIFY/LISTEN channel named after it may not exceed
// PostgreSQL's 63-byte identifier limit: pg_notify raised "channel name too long" (every sprint
// with a near timer failed, and so did releasing claims on shutdown) while LISTEN silently truncated.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { PostgresStore, workChannel } from '../../src/store/postgres/postgres-store.ts';
import { DATABASE_URL, SKIP_REASON, dropSchema } from './postgres-support.ts';

it('work channels fit in 63 bytes, keep the old name when it fits, and differ per schema', () => {
  assert.equal(workChannel('public'), 'switchboard_work_public');
  assert.equal(workChannel('Tenant_A'), 'switchboard_work_tenant_a');
  const fits = 'a'.repeat(46); // 17 + 46 = 63
  assert.equal(workChannel(fits), `switchboard_work_${fits}`);
  const long1 = 'switchboard_production_customer_notifications_eu1';
  const long2 = 'switchboard_production_customer_notifications_eu2';
  const max = 'x'.repeat(63);
  for (const schema of [long1, long2, max, 'a'.repeat(47)]) {
    const channel = workChannel(schema);
    assert.ok(Buffer.byteLength(channel) <= 63, `${channel} is ${Buffer.byteLength(channel)} bytes`);
    assert.match(channel, /^switchboard_work_[a-z0-9_]+$/);
    assert.equal(workChannel(schema), channel, 'stable');
  }
  assert.notEqual(workChannel(long1), workChannel(long2), 'names sharing a long start still differ');
  assert.notEqual(workChannel('A'.repeat(63)), workChannel('a'.repeat(63)), 'quoted schemas differ by case');
});

it('a 63-character schema: timers wake nodes through NOTIFY and shutdown hands claims back', { skip: SKIP_REASON || false, timeout: 60_000 }, async () => {
  const schema = `sb_test_${randomBytes(6).toString('hex')}_`.padEnd(63, 'x');
  assert.equal(schema.length, 63);
  const store = new PostgresStore({ connectionString: DATABASE_URL!, schema, poolSize: 4 });
  const app = await createApp({ ...loadConfig({}, {}), dataDir: ':memory:' }, { store, runtime: { nodeId: 'long', leaseMs: 10_000 } });
  // Another node on the same schema: it must hear this node's near timer and its release of claims.
  const other = new PostgresStore({ connectionString: DATABASE_URL!, schema, poolSize: 2 });
  let closed = false;
  try {
    const heard: (number | null)[] = [];
    await other.onWork((dueAt) => heard.push(dueAt));
    const { account } = await app.accounts.ensureStartupAccount();
    const flowSid = (
      await app.flows.create(account.sid, {
        friendlyName: 'long schema',
        status: 'published',
        definition: {
          description: 'waits one second for a reply',
          initial_state: 'Trigger',
          flags: { allow_concurrent_calls: true },
          states: [
            {
              name: 'Trigger',
              type: 'trigger',
              transitions: [{ event: 'incomingMessage' }, { event: 'incomingCall' }, { event: 'incomingConversationMessage' }, { event: 'incomingRequest', next: 'ask' }, { event: 'incomingParent' }],
              properties: { offset: { x: 0, y: 0 } },
            },
            {
              name: 'ask',
              type: 'send-and-wait-for-reply',
              transitions: [{ event: 'incomingMessage' }, { event: 'timeout' }, { event: 'deliveryFailure' }],
              properties: { offset: { x: 0, y: 100 }, from: '{{flow.channel.address}}', body: 'still there?', timeout: '1' },
            },
          ],
        },
      })
    ).sid;
    const { execution } = await app.executions.create(account.sid, flowSid, { to: '+15550100001', from: '+15005550006' }, 'error');
    const steps = async () =>
      (await store.listSteps(account.sid, flowSid, execution.sid, { pageSize: 10 })).items.map((s) => `${s.transitionedFrom} -${s.name}-> ${s.transitionedTo}`);
    const deadline = Date.now() + 20_000;
    while ((await steps()).length < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    assert.deepEqual(await steps(), ['Trigger -incomingRequest-> ask', 'ask -timeout-> Ended']);
    assert.ok(heard.some((dueAt) => typeof dueAt === 'number'), `the other node heard of the timer (${JSON.stringify(heard)})`);
    await app.close(); // releases this node's claims with a NOTIFY: it used to throw here
    closed = true;
    const waitUntil = Date.now() + 5_000;
    while (!heard.includes(null) && Date.now() < waitUntil) await new Promise((resolve) => setTimeout(resolve, 50));
    assert.ok(heard.includes(null), 'the other node heard the claims handed back');
  } finally {
    if (!closed) await app.close().catch(() => undefined);
    await other.close();
    await dropSchema(schema);
  }
});
