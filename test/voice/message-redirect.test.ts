// TwiML Redirect on the messaging side: the inbound message's webhook is answered with <Redirect>
// to the app; the app hands the execution back with FlowEvent=return (query parameters → outputs).
// A REST execution has no webhook to answer and leaves by `fail`.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { computeSignature } from '../../src/api/wire/signature.ts';
import { FORM, form } from '../support/server.ts';
import { serverWithFlow, stepsOf, verbs } from './support.ts';
import { HANDOFF_GRACE_MS } from '../../src/engine/widgets/add-twiml-redirect.ts';
import { contextOf } from '../../src/runtime/execution-context.ts';

const FLOW = {
  description: 'message redirect',
  initial_state: 'Trigger',
  flags: { allow_concurrent_calls: true },
  states: [
    { name: 'Trigger', type: 'trigger', transitions: [{ event: 'incomingMessage', next: 'r' }, { event: 'incomingRequest', next: 'r' }], properties: { offset: { x: 0, y: 0 } } },
    { name: 'r', type: 'add-twiml-redirect', transitions: [{ event: 'return', next: 'reply' }, { event: 'timeout' }, { event: 'fail' }], properties: { offset: { x: 0, y: 100 }, url: 'https://app.example/sms', method: 'POST', timeout: '600' } },
    { name: 'reply', type: 'send-message', transitions: [{ event: 'sent' }, { event: 'failed' }], properties: { offset: { x: 0, y: 200 }, body: 'Back: {{widgets.r.topic}}', from: '{{flow.channel.address}}', to: '{{contact.channel.address}}' } },
  ],
};

describe('TwiML Redirect on messages', () => {
  it('answers the message webhook with <Redirect>; FlowEvent=return hands the execution back with outputs', async () => {
    const { server, flowSid } = await serverWithFlow(FLOW);
    try {
      const flowUrl = `http://switchboard.test/v1/Accounts/${server.account.sid}/Flows/${flowSid}`;
      const post = (url: string, params: Record<string, string>) => {
        const target = new URL(url);
        return server.app.server.inject({
          method: 'POST',
          url: target.pathname + target.search,
          headers: { host: target.host, ...FORM, 'x-twilio-signature': computeSignature(server.account.authToken, url, params) },
          payload: form(params),
        });
      };
      const message = { AccountSid: server.account.sid, MessageSid: 'SM' + '1'.repeat(32), From: '+15551230501', To: '+15005550006', Body: 'help' };
      const first = await post(flowUrl, message);
      assert.equal(first.statusCode, 200, first.body);
      assert.deepEqual(verbs(first.body), [{ verb: 'Redirect', attributes: { method: 'POST' }, text: 'https://app.example/sms' }]);

      const back = await post(`${flowUrl}?FlowEvent=return&topic=billing`, { ...message, MessageSid: 'SM' + '2'.repeat(32) });
      assert.equal(back.statusCode, 200, back.body);
      assert.deepEqual(verbs(back.body), []);
      await server.app.executions.idle();
      assert.deepEqual(server.app.simulator.transcript('+15005550006', '+15551230501').map((m) => m.body), ['Back: billing']);
      const [execution] = (await server.app.store.listExecutions(server.account.sid, flowSid, {}, { pageSize: 5 })).items;
      assert.equal(execution!.status, 'ended');
      assert.deepEqual((contextOf(execution!) as { widgets: Record<string, unknown> }).widgets.r, { topic: 'billing' });

      const again = await post(`${flowUrl}?FlowEvent=return&topic=other`, { ...message, MessageSid: 'SM' + '3'.repeat(32) });
      assert.equal(again.statusCode, 403, 'nothing waits for a return any more');
    } finally {
      await server.close();
    }
  });

  it('a redirect after a message the flow sends first is still the webhook answer', async () => {
    const flow = structuredClone(FLOW) as { states: { name: string; transitions: { event: string; next?: string }[] }[] };
    flow.states[0]!.transitions[0]!.next = 'hello';
    flow.states.push({ name: 'hello', type: 'send-message', transitions: [{ event: 'sent', next: 'r' }, { event: 'failed' }], properties: { offset: { x: 0, y: 50 }, body: 'One moment', from: '{{flow.channel.address}}', to: '{{contact.channel.address}}' } } as never);
    const { server, flowSid } = await serverWithFlow(flow);
    try {
      const res = await server.app.server.inject({ method: 'POST', url: `/v1/Accounts/${server.account.sid}/Flows/${flowSid}`, headers: { authorization: server.auth, ...FORM }, payload: form({ MessageSid: 'SM' + '4'.repeat(32), From: '+15551230503', To: '+15005550006', Body: 'hi' }) });
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual(verbs(res.body), [{ verb: 'Redirect', attributes: { method: 'POST' }, text: 'https://app.example/sms' }]);
      assert.deepEqual(server.app.simulator.transcript('+15005550006', '+15551230503').map((m) => m.body), ['One moment']);
    } finally {
      await server.close();
    }
  });

  it('timeout "0": the webhook is answered with <Redirect> and the execution ends instead of waiting; the next message starts anew', async () => {
    const flow = structuredClone(FLOW) as { states: { name: string; properties: Record<string, unknown> }[] };
    flow.states[1]!.properties.timeout = '0';
    let now = Date.parse('2026-05-04T09:00:00Z');
    const { server, flowSid } = await serverWithFlow(flow, { now: () => now });
    try {
      const inbound = (sid: string) =>
        server.app.server.inject({ method: 'POST', url: `/v1/Accounts/${server.account.sid}/Flows/${flowSid}`, headers: { authorization: server.auth, ...FORM }, payload: form({ MessageSid: sid, From: '+15551230504', To: '+15005550006', Body: 'hi' }) });
      const first = await inbound('SM' + '5'.repeat(32));
      assert.equal(first.statusCode, 200, first.body);
      assert.deepEqual(verbs(first.body), [{ verb: 'Redirect', attributes: { method: 'POST' }, text: 'https://app.example/sms' }]);
      now += HANDOFF_GRACE_MS;
      await server.app.executions.fireDueTimers();
      await server.app.executions.idle();
      const [execution] = (await server.app.store.listExecutions(server.account.sid, flowSid, {}, { pageSize: 5 })).items;
      assert.equal(execution!.status, 'ended', 'not parked until the age cap');
      assert.deepEqual(await stepsOf(server, flowSid, execution!.sid), ['Trigger -incomingMessage-> r', 'r -handedOff-> Ended']);

      const next = await inbound('SM' + '6'.repeat(32));
      assert.equal(next.statusCode, 200, next.body);
      assert.deepEqual(verbs(next.body), [{ verb: 'Redirect', attributes: { method: 'POST' }, text: 'https://app.example/sms' }], 'a new execution answers it');
      assert.equal((await server.app.store.listExecutions(server.account.sid, flowSid, {}, { pageSize: 5 })).items.length, 2);
    } finally {
      await server.close();
    }
  });

  it('a REST execution cannot be redirected: fail', async () => {
    const { server, flowSid } = await serverWithFlow(FLOW);
    try {
      const res = await server.app.server.inject({ method: 'POST', url: `/v2/Flows/${flowSid}/Executions`, headers: { authorization: server.auth, ...FORM }, payload: form({ To: '+15551230502', From: '+15005550006' }) });
      assert.equal(res.statusCode, 201, res.body);
      await server.app.executions.idle();
      const steps = (await server.app.store.listSteps(server.account.sid, flowSid, res.json().sid, { pageSize: 10 })).items.map((s) => `${s.transitionedFrom} -${s.name}-> ${s.transitionedTo}`);
      assert.deepEqual(steps, ['Trigger -incomingRequest-> r', 'r -fail-> Ended']);
    } finally {
      await server.close();
    }
  });
});
