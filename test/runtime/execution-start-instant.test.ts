// An execution and the steps of its first sprint carry one instant: a clock read between the engine's
// start and the row's creation must not date the execution after its own Trigger step (the console's
// timeline and the CLI showed the execution created a second after its first step).
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startTestServer } from '../support/server.ts';

const survey = JSON.parse(readFileSync(new URL('../fixtures/flows/survey.json', import.meta.url), 'utf8'));

it('dates a new execution no later than its first step, with a clock that moves on every read', async () => {
  // Each read of the clock is 400 ms after the last, so two reads around the engine straddle a second.
  let ms = Date.parse('2026-02-01T00:00:00.900Z');
  const server = await startTestServer({ now: () => (ms += 400) });
  try {
    const flow = await server.app.flows.create(server.account.sid, { friendlyName: 'survey', status: 'published', definition: survey });
    const { execution } = await server.app.executions.create(server.account.sid, flow.sid, { to: '+15551230001', from: '+15005550006' }, 'error');
    const steps = await server.app.store.listSteps(server.account.sid, flow.sid, execution.sid, { pageSize: 50 });
    assert.ok(steps.items.length > 0, 'the first sprint wrote steps');
    const first = Math.min(...steps.items.map((step) => step.dateCreated));
    assert.ok(execution.dateCreated <= first, `execution ${new Date(execution.dateCreated).toISOString()} is after its first step ${new Date(first).toISOString()}`);
  } finally {
    await server.close();
  }
});
