// An execution past its age cap that fails to end (its write fails) stays the oldest active one: the
// timer loop must wait for the expiry retry (a lease later) rather than count the cap as due now and
// wake at once, again and again, reading the store in a hot loop. With the clock held still, the
// loop keeps to its once-a-second poll.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startTestServer } from '../support/server.ts';

const askAndWait = JSON.parse(readFileSync(new URL('../fixtures/flows/ask-and-wait.json', import.meta.url), 'utf8'));
const LEASE_MS = 30_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('an age-cap expiry that fails', () => {
  it('is retried a lease later: the timer loop does not spin on it meanwhile', async () => {
    const clock = { ms: Date.parse('2026-06-01T00:00:00Z') };
    const t = await startTestServer({ now: () => clock.ms, config: { executionMaxAge: 60, leaseMs: LEASE_MS } });
    try {
      const flow = await t.app.flows.create(t.account.sid, { friendlyName: 'ask', status: 'published', definition: askAndWait });
      const { execution } = await t.app.executions.create(t.account.sid, flow.sid, { to: '+15558880001', from: '+15550000001' }, 'error');
      await t.app.executions.idle();

      let failedWrites = 0;
      const writeSprint = t.app.store.writeSprint.bind(t.app.store);
      t.app.store.writeSprint = async () => {
        failedWrites++;
        throw new Error('disk full');
      };
      let looks = 0;
      const oldestActiveExecution = t.app.store.oldestActiveExecution.bind(t.app.store);
      t.app.store.oldestActiveExecution = () => {
        looks++;
        return oldestActiveExecution();
      };

      clock.ms += 120_000; // past the 60 s cap; the clock then stands still
      const deadline = Date.now() + 5000;
      while (failedWrites === 0 && Date.now() < deadline) await sleep(20);
      assert.ok(failedWrites > 0, 'the loop tried to expire the execution');
      await sleep(100); // the round that failed finishes
      const [looksBefore, writesBefore] = [looks, failedWrites];
      await sleep(1500);
      assert.ok(looks - looksBefore <= 4, `${looks - looksBefore} looks at the oldest execution in 1.5 s: the loop spins`);
      assert.equal(failedWrites, writesBefore, 'no second attempt before the retry time');
      assert.equal((await t.app.store.getExecutionBySid(execution.sid))?.status, 'active');

      // A lease later, with the store writing again, the retry ends it.
      t.app.store.writeSprint = writeSprint;
      clock.ms += LEASE_MS;
      const retryDeadline = Date.now() + 5000;
      while ((await t.app.store.getExecutionBySid(execution.sid))?.status !== 'ended' && Date.now() < retryDeadline) await sleep(20);
      const ended = await t.app.store.getExecutionBySid(execution.sid);
      assert.deepEqual((ended?.state as { endReason?: unknown } | undefined)?.endReason, { kind: 'expired' });
    } finally {
      await t.close();
    }
  });
});
