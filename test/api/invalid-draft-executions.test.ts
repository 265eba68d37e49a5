// With --invalid-definitions save-as-draft a draft may be saved invalid, and test users run the latest
// draft. Definitions the engine could not read (states missing or not a list, a widget without properties,
// a `next`, initial_state, name or type that is not a string, a property that is an object) crashed the
// first sprint: POST /Executions answered 500. Now the execution is created and ends with an alert: 81024
// (a definition the engine cannot follow) or the widget's own failure.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FORM, form, startTestServer, type TestServer } from '../support/server.ts';

const TEST_USER = '+15550001111';
const VALID = { description: 'valid', initial_state: 'Trigger', flags: { allow_concurrent_calls: true }, states: [{ name: 'Trigger', type: 'trigger', properties: {}, transitions: [{ event: 'incomingRequest' }] }] };
const trigger = (next: unknown) => ({ name: 'Trigger', type: 'trigger', properties: {}, transitions: [{ event: 'incomingRequest', next }] });
/** An object that JavaScript cannot turn into text (String() throws): what a template literal of it does too. */
const UNPRINTABLE = { toString: 1 };

interface Case {
  draft: unknown;
  code: string;
  message: RegExp;
  /** The steps, as from-event->to (in any order). */
  steps: string[];
}

const CASES: Record<string, Case> = {
  'states missing': { draft: { initial_state: 'Trigger' }, code: '81024', message: /^initial_state 'Trigger' does not exist$/, steps: [] },
  'states an object': { draft: { initial_state: 'Trigger', states: { Trigger: trigger('s') } }, code: '81024', message: /^initial_state 'Trigger' does not exist$/, steps: [] },
  'states null': { draft: { initial_state: 'Trigger', states: null }, code: '81024', message: /^initial_state 'Trigger' does not exist$/, steps: [] },
  'initial_state an object': { draft: { initial_state: UNPRINTABLE, states: [trigger('')] }, code: '81024', message: /^initial_state '\{"toString":1\}' does not exist$/, steps: [] },
  'a next that is an array': { draft: { initial_state: 'Trigger', states: [trigger(['s'])] }, code: '81024', message: /^Widget '\["s"\]' does not exist in the flow definition$/, steps: ['Trigger-incomingRequest->["s"]'] },
  'a next that is an object': { draft: { initial_state: 'Trigger', states: [trigger(UNPRINTABLE)] }, code: '81024', message: /^Widget '\{"toString":1\}' does not exist/, steps: ['Trigger-incomingRequest->{"toString":1}'] },
  'a widget without properties': {
    draft: { initial_state: 'Trigger', states: [trigger('s'), { name: 's', type: 'send-message', transitions: [{ event: 'sent' }] }] },
    code: '81011',
    message: /a message body, media URL or content template is required/,
    steps: ['Trigger-incomingRequest->s', 's-failed->Ended'],
  },
  'a widget whose name is not a string': {
    draft: { initial_state: 'Trigger', states: [null, trigger('s'), { name: UNPRINTABLE, type: 'set-variables', properties: {}, transitions: [] }] },
    code: '81024',
    message: /^Widget 's' does not exist in the flow definition$/,
    steps: ['Trigger-incomingRequest->s'],
  },
  'a widget whose type is not a string': {
    draft: { initial_state: 'Trigger', states: [trigger('s'), { name: 's', type: UNPRINTABLE, properties: {}, transitions: [] }] },
    code: '81024',
    message: /^Widget 's' does not exist in the flow definition$/,
    steps: ['Trigger-incomingRequest->s'],
  },
  'a widget type named like an Object member': {
    draft: { initial_state: 'Trigger', states: [trigger('s'), { name: 's', type: 'constructor', properties: {}, transitions: [] }] },
    code: '81003',
    message: /^Widget type 'constructor' is not supported/,
    steps: ['Trigger-incomingRequest->s', 's-error->Ended'],
  },
  'a property that cannot be read as text': {
    draft: { initial_state: 'Trigger', states: [trigger('s'), { name: 's', type: 'send-message', properties: { to: '{{contact.channel.address}}', body: UNPRINTABLE }, transitions: [{ event: 'sent' }] }] },
    code: '81024',
    message: /^Widget 's' \(send-message\) could not run on its definition: /,
    steps: ['Trigger-incomingRequest->s', 's-error->Ended'],
  },
};

describe('a test user runs an invalid draft', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ config: { invalidDefinitions: 'save-as-draft' } });
  });
  after(() => server.close());
  const request = (method: 'GET' | 'POST', url: string, fields?: Record<string, string>) =>
    server.app.server.inject({ method, url, headers: { authorization: server.auth, ...FORM }, ...(fields ? { payload: form(fields) } : {}) });

  for (const [name, { draft, code, message, steps }] of Object.entries(CASES)) {
    it(`${name}: the execution is created and ends with alert ${code}`, async () => {
      const flow = await request('POST', '/v2/Flows', { FriendlyName: name, Status: 'published', Definition: JSON.stringify(VALID) });
      assert.equal(flow.statusCode, 201, flow.body);
      const flowSid: string = flow.json().sid;
      const saved = await request('POST', `/v2/Flows/${flowSid}`, { Status: 'draft', Definition: JSON.stringify(draft) });
      assert.equal(saved.statusCode, 200, saved.body);
      assert.equal(saved.json().valid, false);
      assert.equal((await request('POST', `/v2/Flows/${flowSid}/TestUsers`, { TestUsers: TEST_USER })).statusCode, 200);

      const started = await request('POST', `/v2/Flows/${flowSid}/Executions`, { To: TEST_USER, From: '+15005550006' });
      assert.equal(started.statusCode, 201, started.body);
      const executionSid: string = started.json().sid;
      await server.app.executions.idle();

      const execution = await request('GET', `/v2/Flows/${flowSid}/Executions/${executionSid}`);
      assert.equal(execution.json().status, 'ended');
      const alerts: { error_code: string; alert_text: string }[] = (await request('GET', `/v1/Alerts?ResourceSid=${executionSid}`)).json().alerts;
      assert.deepEqual(alerts.map((a) => a.error_code), [code]);
      assert.match(new URLSearchParams(alerts[0]!.alert_text).get('Msg') ?? '', message);
      const recorded = await request('GET', `/v2/Flows/${flowSid}/Executions/${executionSid}/Steps`);
      assert.equal(recorded.statusCode, 200, recorded.body);
      const taken = recorded.json().steps.map((s: { transitioned_from: string; name: string; transitioned_to: string }) => `${s.transitioned_from}-${s.name}->${s.transitioned_to}`);
      // One sprint's steps share an instant, so the listing's order among them is not the order taken.
      assert.deepEqual(taken.sort(), [...steps].sort());
    });
  }

  // The simulator and the message webhook look at the revision before the runtime does: they read it as the
  // runtime runs it, not as saved (states an object made both answer 500).
  it('a test user texting a draft whose states are not a list, through the simulator and the flow webhook', async () => {
    const flow = await request('POST', '/v2/Flows', { FriendlyName: 'texted draft', Status: 'published', Definition: JSON.stringify(VALID) });
    const flowSid: string = flow.json().sid;
    const saved = await request('POST', `/v2/Flows/${flowSid}`, { Status: 'draft', Definition: JSON.stringify({ initial_state: 'Trigger', states: { Trigger: trigger('s') } }) });
    assert.equal(saved.statusCode, 200, saved.body);
    assert.equal((await request('POST', `/v2/Flows/${flowSid}/TestUsers`, { TestUsers: TEST_USER })).statusCode, 200);
    const texted = await request('POST', `/simulator/Flows/${flowSid}/Messages`, { From: TEST_USER, Body: 'hi' });
    assert.equal(texted.statusCode, 201, texted.body);
    const hooked = await server.app.server.inject({
      method: 'POST',
      url: `/v1/Accounts/${server.account.sid}/Flows/${flowSid}`,
      headers: { authorization: server.auth, ...FORM },
      payload: form({ MessageSid: `SM${'2'.repeat(32)}`, AccountSid: server.account.sid, From: TEST_USER, To: '+15005550006', Body: 'hi' }),
    });
    assert.equal(hooked.statusCode, 200, hooked.body);
  });
});
