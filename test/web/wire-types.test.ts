// The console's wire types (web/src/api/types.ts) are written by hand beside the server's representations:
// each key list below must name exactly the keys of its console type (the compiler checks that), and the
// server's answer must carry every one of them (this test checks that), so a field the console reads but the
// server stopped sending, or never sent, fails here rather than as `undefined` in the browser.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FORM, startServerWithFlow, type TestServer } from '../support/server.ts';
import { triggerFlow } from '../support/flows.ts';
import type { Execution, Flow, Revision, SimulatorMessage, Step, StepContext } from '../../web/src/api/types.ts';

/** Every key of T, no more: a missing or extra key is a compile error. */
type KeysOf<T> = Record<keyof T, true>;

const FLOW_KEYS = {
  sid: true, account_sid: true, friendly_name: true, definition: true, status: true, revision: true, commit_message: true,
  valid: true, errors: true, warnings: true, webhook_url: true, date_created: true, date_updated: true, url: true,
} satisfies KeysOf<Flow>;
const REVISION_KEYS = {
  sid: true, friendly_name: true, definition: true, status: true, revision: true, commit_message: true, valid: true,
  errors: true, date_created: true, date_updated: true,
} satisfies KeysOf<Revision>;
const EXECUTION_KEYS = {
  sid: true, flow_sid: true, contact_channel_address: true, contact_sid: true, flow_version: true, context: true,
  status: true, date_created: true, date_updated: true, initiated_by: true,
} satisfies KeysOf<Execution>;
const STEP_KEYS = {
  sid: true, execution_sid: true, parent_step_sid: true, name: true, context: true, transitioned_from: true,
  transitioned_to: true, type: true, date_created: true,
} satisfies KeysOf<Step>;
const STEP_CONTEXT_KEYS = { context: true, step_sid: true } satisfies KeysOf<StepContext>;
const MESSAGE_KEYS = {
  sid: true, direction: true, from: true, to: true, body: true, media_url: true, content_sid: true, attributes: true,
  status: true, execution_sid: true, date_created: true, sequence: true,
} satisfies KeysOf<SimulatorMessage>;

const flow = triggerFlow('wire types', 'incomingMessage', 'reply', [
  {
    name: 'reply',
    type: 'send-message',
    properties: { offset: { x: 0, y: 200 }, from: '{{flow.channel.address}}', to: '{{contact.channel.address}}', body: 'Hello' },
    transitions: [{ event: 'sent' }, { event: 'failed' }],
  },
]);

/** The keys the console reads that `body` lacks. */
function missing(keys: Record<string, true>, body: Record<string, unknown>): string[] {
  return Object.keys(keys).filter((key) => !(key in body));
}

describe("the console's wire types against the server's answers", () => {
  let t: TestServer;
  let flowSid = '';
  const get = async (url: string) => {
    const res = await t.app.server.inject({ method: 'GET', url, headers: { authorization: t.auth } });
    assert.equal(res.statusCode, 200, `${url}: ${res.body}`);
    return res.json() as Record<string, unknown>;
  };
  before(async () => {
    ({ server: t, flowSid } = await startServerWithFlow(flow));
  });
  after(() => t.close());

  it('flows, revisions, executions, steps and step contexts carry every key the console reads', async () => {
    const text = await t.app.server.inject({
      method: 'POST',
      url: `/simulator/Flows/${flowSid}/Messages`,
      headers: { authorization: t.auth, ...FORM },
      payload: 'From=%2B15551230077&Body=hi',
    });
    assert.equal(text.statusCode, 201, text.body);
    await t.app.executions.idle();
    assert.deepEqual(missing(FLOW_KEYS, await get(`/v2/Flows/${flowSid}`)), []);
    const listed = (await get('/v2/Flows')).flows as Record<string, unknown>[];
    assert.deepEqual(missing(FLOW_KEYS, listed[0]!), [], 'a listed flow');
    assert.deepEqual(missing(REVISION_KEYS, await get(`/v2/Flows/${flowSid}/Revisions/1`)), []);
    const executions = (await get(`/v2/Flows/${flowSid}/Executions`)).executions as Record<string, unknown>[];
    assert.equal(executions.length, 1);
    assert.deepEqual(missing(EXECUTION_KEYS, executions[0]!), []);
    const steps = (await get(`/v2/Flows/${flowSid}/Executions/${executions[0]!.sid}/Steps`)).steps as Record<string, unknown>[];
    assert.ok(steps.length > 0);
    for (const step of steps) assert.deepEqual(missing(STEP_KEYS, step), [], String(step.name));
    const stepContext = await get(`/v2/Flows/${flowSid}/Executions/${executions[0]!.sid}/Steps/${steps[0]!.sid}/Context`);
    assert.deepEqual(missing(STEP_CONTEXT_KEYS, stepContext), []);
  });

  it("the simulator's messages carry every key the console reads, both ways", async () => {
    const posted = await t.app.server.inject({
      method: 'POST',
      url: `/simulator/Flows/${flowSid}/Messages`,
      headers: { authorization: t.auth, ...FORM },
      payload: 'From=%2B15551230078&Body=hello',
    });
    assert.equal(posted.statusCode, 201, posted.body);
    await t.app.executions.idle();
    const transcript = (await get(`/simulator/Flows/${flowSid}/Messages?Contact=%2B15551230078`)).messages as Record<string, unknown>[];
    assert.deepEqual(new Set(transcript.map((m) => m.direction)), new Set(['inbound', 'outbound-api']));
    for (const message of transcript) assert.deepEqual(missing(MESSAGE_KEYS, message), [], String(message.direction));
  });
});
