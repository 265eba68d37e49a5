// The timer loop fires due timers in overlapping batches. A batch whose sprints cannot be written
// (the database went away) must not become an unhandled rejection, which would end the process:
// the timers stay claimed-then-released and fire once the store is back.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startTestServer } from '../support/server.ts';

const askAndWait = JSON.parse(readFileSync(new URL('../fixtures/flows/ask-and-wait.json', import.meta.url), 'utf8'));

describe('timer batches that fail to write', () => {
  it('are no unhandled rejection, and the timers fire once writes work again', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    let clock = Date.now();
    const t = await startTestServer({ now: () => clock, config: { leaseMs: 200 } });
    try {
      const definition = structuredClone(askAndWait);
      definition.states[1].properties.timeout = '60';
      const flow = await t.app.flows.create(t.account.sid, { friendlyName: 'ask', status: 'published', definition });
      const sids: string[] = [];
      for (let i = 0; i < 5; i++) {
        const { execution } = await t.app.executions.create(t.account.sid, flow.sid, { to: `+1555888000${i}`, from: '+15550000001' }, 'error');
        sids.push(execution.sid);
      }
      await t.app.executions.idle();

      // Claims that take a while (a writer thread, PostgreSQL): a batch fails while the next is being claimed.
      const claimDueTimers = t.app.store.claimDueTimers.bind(t.app.store);
      t.app.store.claimDueTimers = async (...args) => {
        await new Promise((resolve) => setTimeout(resolve, 50));
        return claimDueTimers(...args);
      };
      const writeSprint = t.app.store.writeSprint.bind(t.app.store);
      let failing = true;
      t.app.store.writeSprint = (write) => (failing ? Promise.reject(new Error('database is gone')) : writeSprint(write));
      clock += 61_000; // every reply timeout is due
      await new Promise((resolve) => setTimeout(resolve, 1500)); // the timer loop runs (and fails) on its own
      assert.deepEqual(unhandled, [], 'a failed batch is handled');

      failing = false;
      clock += 1_000; // past the claims' lease: the timers are free again
      const deadline = Date.now() + 10_000;
      const ended = async () => (await Promise.all(sids.map((sid) => t.app.store.getExecutionBySid(sid)))).filter((e) => e?.status === 'ended').length;
      while ((await ended()) < sids.length && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
      assert.equal(await ended(), sids.length, 'every timed-out execution ended once writes worked again');
      assert.deepEqual(unhandled, []);
    } finally {
      process.off('unhandledRejection', onUnhandled);
      await t.close();
    }
  });
});
