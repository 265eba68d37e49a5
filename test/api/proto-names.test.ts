// A widget named `__proto__`, or a Set Variables key `__proto__`, is allowed (the naming rule is only a
// warning). Stored by assignment, the name set the prototype of the context's `widgets` or
// `flow.variables`: the outputs vanished from the Context API and from Liquid. They are own members now.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FORM, form, startTestServer, type TestServer } from '../support/server.ts';

const definition = {
  description: 'proto names',
  initial_state: 'Trigger',
  flags: { allow_concurrent_calls: true },
  states: [
    { name: 'Trigger', type: 'trigger', properties: {}, transitions: [{ event: 'incomingRequest', next: '__proto__' }] },
    {
      name: '__proto__',
      type: 'set-variables',
      properties: { variables: [{ key: 'k', value: 'v' }, { key: '__proto__', value: '{"x": 7}', type: 'json_object' }] },
      transitions: [{ event: 'next', next: 'check' }],
    },
    {
      name: 'check',
      type: 'split-based-on',
      properties: { input: '{{widgets.__proto__.k}}' },
      transitions: [
        { event: 'noMatch' },
        { event: 'match', next: 'copy', conditions: [{ friendly_name: 'k is v', arguments: ['{{widgets.__proto__.k}}'], type: 'equal_to', value: 'v' }] },
      ],
    },
    {
      name: 'copy',
      type: 'set-variables',
      properties: { variables: [{ key: 'copied', value: '{{flow.variables.__proto__.x}}-{{widgets.__proto__.__proto__.x}}' }] },
      transitions: [{ event: 'next' }],
    },
  ],
};

describe('names that are __proto__', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());
  const request = (method: 'GET' | 'POST', url: string, fields?: Record<string, string>) =>
    server.app.server.inject({ method, url, headers: { authorization: server.auth, ...FORM }, ...(fields ? { payload: form(fields) } : {}) });

  it("a widget's outputs and a variable are in the Context API and read by Liquid", async () => {
    const created = await request('POST', '/v2/Flows', { FriendlyName: 'proto', Status: 'published', Definition: JSON.stringify(definition) });
    assert.equal(created.statusCode, 201, created.body);
    assert.equal(created.json().valid, true);
    const flowSid: string = created.json().sid;
    const started = await request('POST', `/v2/Flows/${flowSid}/Executions`, { To: '+15550001111', From: '+15005550006' });
    assert.equal(started.statusCode, 201, started.body);
    const executionSid: string = started.json().sid;
    await server.app.executions.idle();

    // JSON.parse keeps "__proto__" as a member, as an object literal would not: the expected values are JSON too.
    const { context } = JSON.parse((await request('GET', `/v2/Flows/${flowSid}/Executions/${executionSid}/Context`)).body);
    assert.deepEqual(context.widgets, JSON.parse('{"__proto__": {"k": "v", "__proto__": {"x": 7}}, "check": {}, "copy": {"copied": "7-7"}}'));
    assert.deepEqual(context.flow.variables, JSON.parse('{"k": "v", "__proto__": {"x": 7}, "copied": "7-7"}'));

    const { steps } = (await request('GET', `/v2/Flows/${flowSid}/Executions/${executionSid}/Steps`)).json();
    const taken = steps.map((s: { transitioned_from: string; name: string; transitioned_to: string }) => `${s.transitioned_from}-${s.name}->${s.transitioned_to}`);
    assert.ok(taken.includes('check-match->copy'), taken.join(', '));
  });
});
