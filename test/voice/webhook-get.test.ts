// The flow webhook by GET, as Twilio requests it when a number's "A call comes in" / "Call status
// changes" / "A message comes in" is configured as HTTP GET, or when an app hands a call back with <Redirect method="GET">:
// the call parameters are in the query (appended to the URL's own), and the signature is over the
// full URL with no body parameters.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { computeSignature } from '../../src/api/wire/signature.ts';
import type { JsonObject } from '../../src/engine/types.ts';
import { contextOf } from '../../src/runtime/execution-context.ts';
import type { TestServer } from '../support/server.ts';
import { redirectAndReturnFlow, serverWithFlow, stepsOf } from './support.ts';
import { askWidget, triggerFlow } from '../support/flows.ts';
import { WEBHOOK_HOST, answerOf, flowWebhookUrl, twilioGet as getWebhook, twilioPost as postWebhook } from './twilio-webhook.ts';

const CALL_SID = 'CA' + 'd'.repeat(32);
const CALLER = '+15551230001';
const NUMBER = '+15005550006';

function callParams(server: TestServer, status: string): Record<string, string> {
  return { AccountSid: server.account.sid, ApiVersion: '2010-04-01', CallSid: CALL_SID, CallStatus: status, Called: NUMBER, Caller: CALLER, Direction: 'inbound', From: CALLER, To: NUMBER };
}

/** Twilio's GET and POST, their answers as status, body and TwiML. */
const twilioGet = async (...request: Parameters<typeof getWebhook>) => answerOf(await getWebhook(...request));
const twilioPost = async (...request: Parameters<typeof postWebhook>) => answerOf(await postWebhook(...request));
const flowUrl = flowWebhookUrl;

describe('TwiML Redirect hand-back by GET keeps every query parameter the app wrote', () => {
  const flow = redirectAndReturnFlow('GET', 'Back with {{widgets.r.foo}}');

  for (const method of ['GET', 'POST'] as const) {
    it(`${method}: names Twilio also uses (Digits, To, msg) are the app's outputs; Twilio's own parameters are not`, async () => {
      const { server, flowSid } = await serverWithFlow(flow);
      try {
        const first = await twilioPost(server, flowUrl(server, flowSid), callParams(server, 'ringing'));
        assert.deepEqual(first.twiml, [{ verb: 'Redirect', attributes: { method: 'GET' }, text: 'https://app.example/ivr' }]);
        const returnUrl = `${flowUrl(server, flowSid)}?FlowEvent=return&foo=b%26r&Digits=5&To=%2B15550009999&msg=hello`;
        const back = method === 'GET' ? await twilioGet(server, returnUrl, callParams(server, 'in-progress')) : await twilioPost(server, returnUrl, callParams(server, 'in-progress'));
        assert.equal(back.status, 200, back.body);
        assert.equal(back.twiml![0]!.text, 'Back with b&r');
        const execution = (await server.app.store.listExecutions(server.account.sid, flowSid, {}, { pageSize: 5 })).items[0]!;
        const widgets = (contextOf(execution) as { widgets: Record<string, JsonObject> }).widgets;
        assert.deepEqual(widgets.r, { foo: 'b&r', Digits: '5', To: '+15550009999', msg: 'hello' });
      } finally {
        await server.close();
      }
    });
  }
});

describe('the flow webhook configured as HTTP GET', () => {
  const flow = {
    description: 'greet, ask, wait',
    initial_state: 'Trigger',
    flags: { allow_concurrent_calls: true },
    states: [
      { name: 'Trigger', type: 'trigger', transitions: [{ event: 'incomingCall', next: 'greet' }], properties: { offset: { x: 0, y: 0 } } },
      { name: 'greet', type: 'say-play', transitions: [{ event: 'audioComplete', next: 'menu' }], properties: { offset: { x: 0, y: 100 }, say: 'Hello {{trigger.call.From}}' } },
      { name: 'menu', type: 'gather-input-on-call', transitions: [{ event: 'keypress' }, { event: 'speech' }, { event: 'timeout' }], properties: { offset: { x: 0, y: 200 }, say: 'Press a key', timeout: 5 } },
    ],
  };

  it('a signed GET starts the call as the POST does; a GET status callback ends the execution', async () => {
    const { server, flowSid } = await serverWithFlow(flow);
    try {
      const url = flowUrl(server, flowSid);
      const first = await twilioGet(server, url, callParams(server, 'ringing'));
      assert.equal(first.status, 200, first.body);
      assert.deepEqual(first.twiml!.map((v) => v.verb), ['Say', 'Redirect']);
      assert.equal(first.twiml![0]!.text, `Hello ${CALLER}`);
      const [execution] = (await server.app.store.listExecutions(server.account.sid, flowSid, {}, { pageSize: 5 })).items;
      assert.equal(execution!.initiatedBy, CALL_SID);
      assert.equal((contextOf(execution!) as { trigger: { call: JsonObject } }).trigger.call.CallStatus, 'ringing');

      // The callback URL in the answer, requested by GET too (its `sb` token is kept out of the parameters).
      const menu = await twilioGet(server, first.twiml![1]!.text!, callParams(server, 'in-progress'));
      assert.equal(menu.status, 200, menu.body);
      assert.deepEqual(menu.twiml!.map((v) => v.verb), ['Gather', 'Redirect']);

      // A retried GET of the first webhook continues the same execution.
      const retried = await twilioGet(server, url, callParams(server, 'ringing'));
      assert.equal(retried.status, 200, retried.body);
      assert.equal((await server.app.store.listExecutions(server.account.sid, flowSid, {}, { pageSize: 5 })).items.length, 1);

      const status = await twilioGet(server, url, { ...callParams(server, 'completed'), CallDuration: '12' });
      assert.equal(status.status, 200, status.body);
      assert.deepEqual(status.twiml, []);
      await server.app.executions.idle();
      const ended = (await server.app.store.getExecutionBySid(execution!.sid))!;
      assert.equal(ended.status, 'ended');
      assert.deepEqual(await stepsOf(server, flowSid, ended.sid), ['Trigger -incomingCall-> greet', 'greet -audioComplete-> menu']);
    } finally {
      await server.close();
    }
  });

  it('a GET signed with another token, or over the parameters as a body, is refused; a GET about no call stays 405', async () => {
    const { server, flowSid } = await serverWithFlow(flow);
    try {
      const url = flowUrl(server, flowSid);
      const forged = await twilioGet(server, url, callParams(server, 'ringing'), 'not-the-token');
      assert.equal(forged.status, 403);
      assert.equal(JSON.parse(forged.body).code, 20003);
      // Signed as a POST would be (URL without the query, parameters as body): not how Twilio signs a GET.
      const params = callParams(server, 'ringing');
      const full = `${url}?${new URLSearchParams(params).toString()}`;
      const asBody = await server.app.server.inject({ method: 'GET', url: new URL(full).pathname + new URL(full).search, headers: { host: WEBHOOK_HOST, 'x-twilio-signature': computeSignature(server.account.authToken, url, params) } });
      assert.equal(asBody.statusCode, 403);
      assert.equal((await server.app.store.listExecutions(server.account.sid, flowSid, {}, { pageSize: 5 })).items.length, 0, 'nothing started');

      const noCall = await twilioGet(server, url, { AccountSid: server.account.sid, Foo: 'bar' });
      assert.equal(noCall.status, 405);
      assert.equal(JSON.parse(noCall.body).code, 20004);
    } finally {
      await server.close();
    }
  });

  it('a GET with Basic credentials from another site (an <img> on a page, a cached login) starts nothing; from a local tool it does', async () => {
    const { server, flowSid } = await serverWithFlow(flow);
    try {
      const target = new URL(`${flowUrl(server, flowSid)}?${new URLSearchParams(callParams(server, 'ringing')).toString()}`);
      const basic = 'Basic ' + Buffer.from(`${server.account.sid}:${server.account.authToken}`).toString('base64');
      for (const [method, headers] of [
        ['GET', { 'sec-fetch-site': 'cross-site' }],
        ['GET', { origin: 'https://evil.example' }],
        ['HEAD', { 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' }],
      ] as const) {
        const res = await server.app.server.inject({ method, url: target.pathname + target.search, headers: { host: WEBHOOK_HOST, authorization: basic, ...headers } });
        assert.equal(res.statusCode, 403, `${method} ${JSON.stringify(headers)}: ${res.body}`);
        if (method === 'GET') assert.equal(JSON.parse(res.body).code, 20403);
      }
      assert.equal((await server.app.store.listExecutions(server.account.sid, flowSid, {}, { pageSize: 5 })).items.length, 0, 'nothing started');
      const local = await server.app.server.inject({ method: 'GET', url: target.pathname + target.search, headers: { host: WEBHOOK_HOST, authorization: basic } });
      assert.equal(local.statusCode, 200, local.body);
      assert.equal((await server.app.store.listExecutions(server.account.sid, flowSid, {}, { pageSize: 5 })).items.length, 1);
    } finally {
      await server.close();
    }
  });
});

describe('"A message comes in" configured as HTTP GET', () => {
  const flow = triggerFlow('ask by GET', 'incomingMessage', 'ask', [
    askWidget('ask', 100, 'Hi {{trigger.message.Body}}, your name?', '3600', { onReply: 'thanks' }),
    { name: 'thanks', type: 'send-message', transitions: [{ event: 'sent' }, { event: 'failed' }], properties: { offset: { x: 0, y: 200 }, from: '{{flow.channel.address}}', to: '{{contact.channel.address}}', body: 'Thanks {{widgets.ask.inbound.Body}}' } },
  ]);
  const message = (server: TestServer, sid: string, body: string) => ({ AccountSid: server.account.sid, ApiVersion: '2010-04-01', MessageSid: sid, SmsSid: sid, From: CALLER, To: NUMBER, Body: body, NumMedia: '0' });

  it('a signed GET starts and answers the execution as the POST does; a retried GET runs nothing again', async () => {
    const { server, flowSid } = await serverWithFlow(flow);
    try {
      const url = flowUrl(server, flowSid);
      const first = await twilioGet(server, url, message(server, 'SM' + '1'.repeat(32), 'hello'));
      assert.equal(first.status, 200, first.body);
      assert.deepEqual(first.twiml, []);
      const again = await twilioGet(server, url, message(server, 'SM' + '1'.repeat(32), 'hello'));
      assert.equal(again.status, 200, again.body);
      const reply = await twilioGet(server, url, message(server, 'SM' + '2'.repeat(32), 'Ada'));
      assert.equal(reply.status, 200, reply.body);
      await server.app.executions.idle();
      const executions = (await server.app.store.listExecutions(server.account.sid, flowSid, {}, { pageSize: 5 })).items;
      assert.equal(executions.length, 1, 'the retried GET started nothing');
      assert.deepEqual(await stepsOf(server, flowSid, executions[0]!.sid), ['Trigger -incomingMessage-> ask', 'ask -incomingMessage-> thanks', 'thanks -sent-> Ended']);
      const context = contextOf((await server.app.store.getExecutionBySid(executions[0]!.sid))!) as { trigger: { message: JsonObject } };
      assert.equal(context.trigger.message.Body, 'hello');
      assert.equal(context.trigger.message.MessageSid, 'SM' + '1'.repeat(32));
    } finally {
      await server.close();
    }
  });

  it("a GET message's parameters are checked as the POST's form: a NUL in From is a 400 naming it, and starts nothing", async () => {
    const { server, flowSid } = await serverWithFlow(flow);
    try {
      const bad = await twilioGet(server, flowUrl(server, flowSid), { ...message(server, 'SM' + '3'.repeat(32), 'hi'), From: '+1555\u00001230001' });
      assert.equal(bad.status, 400, bad.body);
      assert.match(JSON.parse(bad.body).message, /From/);
      assert.equal((await server.app.store.listExecutions(server.account.sid, flowSid, {}, { pageSize: 5 })).items.length, 0);
    } finally {
      await server.close();
    }
  });
});
