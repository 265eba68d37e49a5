// Callback URLs outlive a token rotation: they are keyed by the account's callback secret, not its
// auth token, so `accounts rotate-token` during a live call leaves its Gather action and an outbound
// call's status callback working. And a call webhook finds its execution by CallSid off the store's
// index wherever the execution's contact pair is, without reading the flow's executions.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CallService } from '../../src/runtime/calls.ts';
import { signCallback } from '../../src/runtime/call-tokens.ts';
import { FORM, basicAuth, form, type TestServer } from '../support/server.ts';
import { fixture, phone, serverWithFlow, stepsOf, type CallView, type Verb } from './support.ts';
import { answerOf, flowWebhookUrl, twilioPost as postWebhook, type WebhookAnswer } from './twilio-webhook.ts';

const CALL_SID = 'CA' + 'd'.repeat(32);
const CALLER = '+15551238001';

/** Posts a call webhook as Twilio does: signed with the account's auth token of the moment. */
async function twilioPost(server: TestServer, url: string, params: Record<string, string>): Promise<WebhookAnswer> {
  const token = (await server.app.store.getAccount(server.account.sid))!.authToken;
  return answerOf(await postWebhook(server, url, params, token));
}

function callParams(server: TestServer, status: string, extra: Record<string, string> = {}): Record<string, string> {
  return { AccountSid: server.account.sid, ApiVersion: '2010-04-01', CallSid: CALL_SID, CallStatus: status, Direction: 'inbound', From: CALLER, To: '+15005550006', ...extra };
}

const actionOf = (verb: Verb) => verb.attributes.action ?? verb.text ?? '';

/** `switchboard accounts rotate-token`: the REST API and the phone simulator take the new token from now on. */
async function rotate(server: TestServer): Promise<void> {
  const before = server.account.authToken;
  const token = await server.app.accounts.rotateToken(server.account.sid);
  assert.ok(token && token !== before, 'the auth token changed');
  server.account = { ...server.account, authToken: token };
  server.auth = basicAuth(server.account.sid, token);
}

describe('rotating the auth token during a live call', () => {
  it("an inbound call's Gather action, the callbacks after it and its final status are still accepted", async () => {
    const { server, flowSid } = await serverWithFlow(fixture('ivr-menu.json'));
    try {
      const flowUrl = flowWebhookUrl(server, flowSid);
      const first = await twilioPost(server, flowUrl, callParams(server, 'ringing'));
      const menu = await twilioPost(server, actionOf(first.twiml![1]!), callParams(server, 'in-progress'));
      assert.equal(menu.twiml![0]!.verb, 'Gather');
      await rotate(server);
      const record = await twilioPost(server, actionOf(menu.twiml![0]!), callParams(server, 'in-progress', { Digits: '2' }));
      assert.equal(record.status, 200, record.body);
      assert.equal(record.twiml![0]!.verb, 'Record');
      const thanks = await twilioPost(server, actionOf(record.twiml![0]!), callParams(server, 'in-progress', { RecordingUrl: 'https://api.twilio.com/RE1', RecordingDuration: '3', RecordingSid: 'RE' + '1'.repeat(32), Digits: '#' }));
      assert.equal(thanks.twiml![0]!.text, 'Thanks, we got 3 seconds.');
      const last = await twilioPost(server, actionOf(thanks.twiml![1]!), callParams(server, 'in-progress'));
      assert.deepEqual(last.twiml, [{ verb: 'Hangup', attributes: {} }]);
      const ended = await twilioPost(server, flowUrl, callParams(server, 'completed', { CallDuration: '12' }));
      assert.equal(ended.status, 200, ended.body);
      const [execution] = (await server.app.store.listExecutions(server.account.sid, flowSid, {}, { pageSize: 5 })).items;
      assert.equal(execution!.status, 'ended');
    } finally {
      await server.close();
    }
  });

  it("an outbound call's busy status callback still ends its ringing, so the contact is not blocked", async () => {
    const { server, flowSid } = await serverWithFlow(fixture('outbound-reminder.json'));
    try {
      const to = '+15551238002';
      const { executionSid, call } = await startReminder(server, flowSid, { To: to });
      await rotate(server);
      const rejected = await phone(server, `/simulator/calls/${call.sid}/Reject`, { Status: 'busy' });
      assert.equal(rejected.status, 'busy');
      await server.app.executions.idle();
      assert.deepEqual(await stepsOf(server, flowSid, executionSid), ['Trigger -incomingRequest-> dial_out', 'dial_out -busy-> text_missed', 'text_missed -sent-> Ended']);
      assert.equal((await server.app.store.getExecutionBySid(executionSid))!.status, 'ended');
      // The contact may be reached again at once.
      const again = await createExecution(server, flowSid, { To: to });
      assert.equal(again.statusCode, 201, again.body);
    } finally {
      await server.close();
    }
  });
});

describe('findByCall', () => {
  it('finds a call its execution placed to another number than the contact, without reading the flow executions', async () => {
    const definition = fixture('outbound-reminder.json') as { states: { name: string; properties: Record<string, unknown> }[] };
    definition.states.find((state) => state.name === 'dial_out')!.properties.to = '{{flow.data.callee}}';
    const { server, flowSid } = await serverWithFlow(definition);
    try {
      const callee = '+15551238999';
      const { executionSid, call } = await startReminder(server, flowSid, { To: '+15551238003', Parameters: JSON.stringify({ name: 'Ada', callee }) });
      const answered = await phone(server, `/simulator/calls/${call.sid}/Answer`, { AnsweredBy: 'human' });
      assert.equal(answered.status, 'in-progress');
      const store = server.app.store;
      const listExecutions = store.listExecutions.bind(store);
      const listActiveExecutionsOfPair = store.listActiveExecutionsOfPair.bind(store);
      let scans = 0;
      store.listExecutions = (...args) => {
        scans++;
        return listExecutions(...args);
      };
      store.listActiveExecutionsOfPair = (...args) => {
        scans++;
        return listActiveExecutionsOfPair(...args);
      };
      try {
        // Another node: nothing of this call in its cache. The call is neither on the execution's pair nor its reverse.
        const otherNode = new CallService(store, server.app.executions);
        const params = { AccountSid: server.account.sid, CallSid: call.sid, CallStatus: 'in-progress', Direction: 'outbound-api', From: '+15005550006', To: callee };
        assert.equal((await otherNode.findByCall(server.account.sid, flowSid, params))?.sid, executionSid);
        assert.equal(await otherNode.findByCall(server.account.sid, flowSid, { ...params, CallSid: 'CA' + '9'.repeat(32) }), null, 'a new call: none');
        assert.equal(scans, 0, "no read of the flow's executions or the pair's");
      } finally {
        store.listExecutions = listExecutions;
        store.listActiveExecutionsOfPair = listActiveExecutionsOfPair;
      }
    } finally {
      await server.close();
    }
  });
});

function createExecution(server: TestServer, flowSid: string, fields: Record<string, string>) {
  return server.app.server.inject({
    method: 'POST',
    url: `/v2/Flows/${flowSid}/Executions`,
    headers: { authorization: server.auth, ...FORM },
    payload: form({ From: '+15005550006', Parameters: JSON.stringify({ name: 'Ada' }), ...fields }),
  });
}

/** A REST execution whose flow places a call on the simulator's phone; the call as the phone shows it. */
async function startReminder(server: TestServer, flowSid: string, fields: Record<string, string>): Promise<{ executionSid: string; call: CallView }> {
  const res = await createExecution(server, flowSid, fields);
  assert.equal(res.statusCode, 201, res.body);
  await server.app.executions.idle();
  const { calls } = (await phone(server, `/simulator/calls?FlowSid=${flowSid}`, {}, 'GET')) as unknown as { calls: (CallView & { to: string })[] };
  const call = calls.find((c) => c.execution_sid === res.json().sid);
  assert.ok(call, 'the flow placed a call');
  return { executionSid: res.json().sid, call };
}

describe('an account row without a callback secret', () => {
  it('keys its callback tokens by the auth token, never by the empty secret anyone could use', async () => {
    const account = { sid: 'AC' + '1'.repeat(32), authToken: 'a'.repeat(32), callbackSecret: '', friendlyName: 'old row', dateCreated: 0 };
    const store = { getAccount: async () => account } as unknown as ConstructorParameters<typeof CallService>[0];
    const calls = new CallService(store, {} as ConstructorParameters<typeof CallService>[1]);
    const executionSid = 'FN' + '2'.repeat(32);
    const token = await calls.token(account.sid, executionSid, 'w1', 'a');
    assert.equal(token, signCallback({ executionSid, callbackId: 'w1', kind: 'a' }, account.authToken, ''));
    assert.ok(await calls.verify(account.sid, token));
    assert.equal(await calls.verify(account.sid, signCallback({ executionSid, callbackId: 'w1', kind: 'a' }, '', '')), null);
  });
});
