// The timer loop looks at the timer queue at least once a second. A look that finds nothing due is a
// read: claiming (a write transaction) only when a timer is due spares every idle node a write a
// second, and a timer that comes due is still claimed and fired on time.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startTestServer } from '../support/server.ts';

const askAndWait = JSON.parse(readFileSync(new URL('../fixtures/flows/ask-and-wait.json', import.meta.url), 'utf8'));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the timer loop', () => {
  it('only polls while nothing is due, and claims and fires a timer once it is', async () => {
    const t = await startTestServer();
    try {
      await sleep(100); // the start-up round
      const calls = { claims: 0, looks: 0 };
      const claimDueTimers = t.app.store.claimDueTimers.bind(t.app.store);
      t.app.store.claimDueTimers = (...args) => {
        calls.claims++;
        return claimDueTimers(...args);
      };
      const nextTimerDue = t.app.store.nextTimerDue.bind(t.app.store);
      t.app.store.nextTimerDue = () => {
        calls.looks++;
        return nextTimerDue();
      };
      // Two more looks (a second apart), waited for: counted in a fixed 2.5 s, rounds that each came a
      // little late on a busy machine made one look.
      const looking = Date.now() + 10_000;
      while (calls.looks < 2 && Date.now() < looking) await sleep(50);
      assert.ok(calls.looks >= 2, `the loop kept looking (${calls.looks} looks)`);
      assert.equal(calls.claims, 0, 'no claim while nothing was due');

      const definition = structuredClone(askAndWait);
      definition.states[1].properties.timeout = '1';
      const flow = await t.app.flows.create(t.account.sid, { friendlyName: 'ask', status: 'published', definition });
      const { execution } = await t.app.executions.create(t.account.sid, flow.sid, { to: '+15558880001', from: '+15550000001' }, 'error');
      const deadline = Date.now() + 5000;
      while ((await t.app.store.getExecutionBySid(execution.sid))?.status !== 'ended' && Date.now() < deadline) await sleep(50);
      assert.equal((await t.app.store.getExecutionBySid(execution.sid))?.status, 'ended', 'the reply timeout fired');
      assert.ok(calls.claims >= 1);
    } finally {
      await t.close();
    }
  });
});
