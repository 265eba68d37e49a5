// The replay route (a Switchboard extension): replays a stored execution against a revision or a
// posted definition; bad input gets Twilio-format errors.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startTestServer, FORM, form, type TestServer } from '../support/server.ts';

const survey = JSON.parse(readFileSync(new URL('../fixtures/flows/survey.json', import.meta.url), 'utf8'));

describe('GET/POST /replay/Flows/:FlowSid/Executions/:Sid', () => {
  let s: TestServer;
  let flowSid = '';
  let executionSid = '';
  before(async () => {
    s = await startTestServer();
    flowSid = (await s.app.flows.create(s.account.sid, { friendlyName: 'Survey', status: 'published', definition: survey })).sid;
    for (const body of ['hi', '5']) {
      const r = await s.app.server.inject({ method: 'POST', url: `/simulator/Flows/${flowSid}/Messages`, headers: { authorization: s.auth, ...FORM }, payload: form({ From: '+15550002222', Body: body }) });
      executionSid = JSON.parse(r.body).execution_sid;
    }
  });
  after(() => s?.close());

  const call = (method: 'GET' | 'POST', url: string, payload?: string) =>
    s.app.server.inject({ method, url, headers: { authorization: s.auth, ...(payload ? FORM : {}) }, ...(payload ? { payload } : {}) });

  it('replays against the latest revision and against a posted definition', async () => {
    const same = await call('GET', `/replay/Flows/${flowSid}/Executions/${executionSid}`);
    assert.equal(same.statusCode, 200, same.body);
    const body = JSON.parse(same.body);
    assert.equal(body.diverged, false);
    assert.deepEqual(body.replay.messages, ['Rate us 1-5', 'Thanks for the 5!']);
    assert.deepEqual(body.original.path, ['Trigger', 'ask', 'remember', 'check', 'thanks']);

    const changed = structuredClone(survey);
    changed.states.find((st: { name: string }) => st.name === 'thanks').properties.body = 'Cheers for the {{flow.variables.rating}}!';
    const posted = await call('POST', `/replay/Flows/${flowSid}/Executions/${executionSid}`, form({ Definition: JSON.stringify(changed) }));
    assert.equal(posted.statusCode, 200, posted.body);
    const diff = JSON.parse(posted.body);
    assert.equal(diff.diverged, true);
    assert.equal(diff.divergence, null, 'same path');
    assert.deepEqual(diff.message_diff, ['  "Rate us 1-5"', '- "Thanks for the 5!"', '+ "Cheers for the 5!"']);
  });

  it('bad input gets Twilio-format errors', async () => {
    const badRevision = await call('GET', `/replay/Flows/${flowSid}/Executions/${executionSid}?Revision=newest`);
    assert.equal(badRevision.statusCode, 400);
    assert.equal(JSON.parse(badRevision.body).code, 81021);
    const missing = await call('GET', `/replay/Flows/${flowSid}/Executions/FN${'0'.repeat(32)}`);
    assert.equal(missing.statusCode, 404);
    assert.equal(JSON.parse(missing.body).code, 20404);
    const noRevision = await call('GET', `/replay/Flows/${flowSid}/Executions/${executionSid}?Revision=99`);
    assert.equal(noRevision.statusCode, 404);
    const broken = await call('POST', `/replay/Flows/${flowSid}/Executions/${executionSid}`, form({ Definition: '{not json' }));
    assert.equal(broken.statusCode, 400);
    assert.match(JSON.parse(broken.body).message, /Definition/);
    const invalid = await call('POST', `/replay/Flows/${flowSid}/Executions/${executionSid}`, form({ Definition: JSON.stringify({ states: [] }) }));
    assert.equal(invalid.statusCode, 400);
    assert.equal(JSON.parse(invalid.body).code, 81022);
    const unauth = await s.app.server.inject({ method: 'GET', url: `/replay/Flows/${flowSid}/Executions/${executionSid}` });
    assert.equal(unauth.statusCode, 401);
  });
});

describe('replay runs under the server configuration, from the time the execution started', () => {
  it('a flow that prints the time (in the configured zone) does not diverge against its own revision', async () => {
    const started = Date.parse('2026-05-04T22:30:00Z');
    const s = await startTestServer({ config: { timezone: 'America/New_York' }, now: () => started });
    try {
      const definition = {
        description: 'says the time',
        states: [
          { name: 'Trigger', type: 'trigger', transitions: [{ event: 'incomingMessage', next: 'hour' }, { event: 'incomingCall' }, { event: 'incomingConversationMessage' }, { event: 'incomingRequest' }, { event: 'incomingParent' }], properties: { offset: { x: 0, y: 0 } } },
          { name: 'hour', type: 'send-message', transitions: [{ event: 'sent' }, { event: 'failed' }], properties: { offset: { x: 0, y: 100 }, from: '{{flow.channel.address}}', to: '{{contact.channel.address}}', body: "It is {{ 'now' | date: '%H:%M' }}" } },
        ],
        initial_state: 'Trigger',
        flags: { allow_concurrent_calls: true },
      };
      const flowSid = (await s.app.flows.create(s.account.sid, { friendlyName: 'Clock', status: 'published', definition })).sid;
      const r = await s.app.server.inject({ method: 'POST', url: `/simulator/Flows/${flowSid}/Messages`, headers: { authorization: s.auth, ...FORM }, payload: form({ From: '+15550002222', Body: 'hi' }) });
      const executionSid = JSON.parse(r.body).execution_sid;
      const replay = await s.app.server.inject({ method: 'GET', url: `/replay/Flows/${flowSid}/Executions/${executionSid}`, headers: { authorization: s.auth } });
      const body = JSON.parse(replay.body);
      assert.deepEqual(body.original.messages, ['It is 18:30']);
      assert.deepEqual(body.replay.messages, ['It is 18:30']);
      assert.equal(body.diverged, false, JSON.stringify(body));
    } finally {
      await s.close();
    }
  });
});

describe('replay draws `sample` as the run did', () => {
  it('a flow that greets with a random word replays to the same greeting, run after run', async () => {
    // `sample` is a liquidjs extra (Studio's Liquid has none): kept with --liquid-extras.
    const s = await startTestServer({ config: { liquidExtras: true } });
    try {
      const definition = {
        description: 'random greeting',
        states: [
          { name: 'Trigger', type: 'trigger', transitions: [{ event: 'incomingMessage', next: 'pick' }, { event: 'incomingCall' }, { event: 'incomingConversationMessage' }, { event: 'incomingRequest' }, { event: 'incomingParent' }], properties: { offset: { x: 0, y: 0 } } },
          { name: 'pick', type: 'set-variables', transitions: [{ event: 'next', next: 'greet' }], properties: { offset: { x: 0, y: 100 }, variables: [{ key: 'greeting', value: '{{ "Hi,Hello,Hey,Howdy,Yo,Hiya" | split: "," | sample }}' }] } },
          { name: 'greet', type: 'send-message', transitions: [{ event: 'sent' }, { event: 'failed' }], properties: { offset: { x: 0, y: 200 }, from: '{{flow.channel.address}}', to: '{{contact.channel.address}}', body: '{{flow.variables.greeting}} there' } },
        ],
        initial_state: 'Trigger',
        flags: { allow_concurrent_calls: true },
      };
      const flowSid = (await s.app.flows.create(s.account.sid, { friendlyName: 'Greeting', status: 'published', definition })).sid;
      const greetings = new Set<string>();
      for (let i = 0; i < 8; i++) {
        const r = await s.app.server.inject({ method: 'POST', url: `/simulator/Flows/${flowSid}/Messages`, headers: { authorization: s.auth, ...FORM }, payload: form({ From: `+1555000300${i}`, Body: 'hi' }) });
        const executionSid = JSON.parse(r.body).execution_sid;
        for (let k = 0; k < 3; k++) {
          const replay = await s.app.server.inject({ method: 'GET', url: `/replay/Flows/${flowSid}/Executions/${executionSid}`, headers: { authorization: s.auth } });
          const body = JSON.parse(replay.body);
          assert.equal(body.diverged, false, JSON.stringify(body.message_diff));
          assert.deepEqual(body.replay.messages, body.original.messages);
          greetings.add(body.original.messages[0]);
        }
      }
      // Still random across executions: eight runs did not all greet alike.
      assert.ok(greetings.size > 1, `every execution greeted with ${[...greetings].join()}`);
    } finally {
      await s.close();
    }
  });
});
