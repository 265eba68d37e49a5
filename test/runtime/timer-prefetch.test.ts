// A batch of due timers reads its executions in one go, before each sprint takes its execution's
// lock. A reply that lands between that read and the sprint makes the read stale: the sprint's
// claim or version check must catch it. The reply came after its timeout was due, so its own sprint
// times the execution out (once: the timer loop's stale sprint fires nothing) and the reply starts a
// new execution; one merely rewritten meanwhile (by another node) times out from a fresh read.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startTestServer } from '../support/server.ts';

const askAndWait = JSON.parse(readFileSync(new URL('../fixtures/flows/ask-and-wait.json', import.meta.url), 'utf8'));
const FLOW_ADDRESS = '+15550000001';

describe('timers fired in a batch', () => {
  it('read their executions at once; one answered after that read times out once, one rewritten meanwhile still times out', async () => {
    let clock = Date.now();
    const t = await startTestServer({ now: () => clock });
    try {
      const definition = structuredClone(askAndWait);
      definition.states[1].properties.timeout = '60';
      const flow = await t.app.flows.create(t.account.sid, { friendlyName: 'ask', status: 'published', definition });
      const contacts = ['+15558880001', '+15558880002', '+15558880003'];
      const sids: string[] = [];
      for (const to of contacts) sids.push((await t.app.executions.create(t.account.sid, flow.sid, { to, from: FLOW_ADDRESS }, 'error')).execution.sid);
      await t.app.executions.idle();

      const loadExecutions = t.app.store.loadExecutions.bind(t.app.store);
      const reads: string[][] = [];
      let reply: Promise<unknown> | null = null;
      t.app.store.loadExecutions = async (asked) => {
        const read = await loadExecutions(asked);
        reads.push([...asked]);
        // The first contact answers now, and another node rewrites the second execution (its timer
        // stays): what was just read of both is out of date.
        reply ??= (async () => {
          await t.app.executions.inboundMessage(t.account.sid, flow.sid, { From: contacts[0]!, To: FLOW_ADDRESS, Body: 'fine', MessageSid: 'SM' + 'a'.repeat(32) });
          const other = read.get(sids[1]!)!;
          await t.app.store.writeSprint({ execution: other.record, isNew: false, steps: [], timersToAdd: [], timersToCancel: [], effectsToAdd: [], effectsDone: [], expectedVersion: other.version });
        })();
        await reply;
        return read;
      };

      clock += 61_000;
      await t.app.executions.fireDueTimers();
      await t.app.executions.idle();

      assert.deepEqual(reads.map((asked) => [...asked].sort()), [[...sids].sort()], 'one read for the whole batch');
      const stepsOf = async (sid: string) => (await t.app.store.listSteps(t.account.sid, flow.sid, sid, { pageSize: 50 })).items;
      const answered = await stepsOf(sids[0]!);
      assert.equal(answered.filter((step) => step.name === 'timeout').length, 1, 'the late reply found it timed out, and the stale read did not fire the timer again');
      assert.equal(answered.some((step) => step.transitionedTo === 'thanks'), false, 'the reply, later than the timeout, did not answer it');
      const executions = (await t.app.store.listExecutions(t.account.sid, flow.sid, {}, { pageSize: 50 })).items;
      const late = executions.filter((execution) => execution.contactChannelAddress === contacts[0] && execution.sid !== sids[0]);
      assert.equal(late.length, 1, 'the reply started a new execution, as one for an ended execution does');
      // The second one's sprint ran again on a fresh read (a stale version writes nothing).
      for (const sid of sids.slice(1)) {
        const steps = await stepsOf(sid);
        assert.ok(steps.some((step) => step.name === 'timeout' && step.transitionedFrom === 'ask'), `${sid} timed out`);
        assert.equal((await t.app.store.getExecutionBySid(sid))?.status, 'ended');
      }
      assert.deepEqual(await t.app.store.dueTimers(Number.MAX_SAFE_INTEGER, 10), [], 'no timer is left behind');
    } finally {
      await t.close();
    }
  });
});
