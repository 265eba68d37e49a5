// Twilio retries a messaging webhook (same I-Twilio-Idempotency-Token, same MessageSid) when our
// answer was slow or lost: each message runs once, whether it started an execution, answered a
// waiting one, or belonged to an execution that has already ended.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { computeSignature } from '../../src/api/wire/signature.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const fixture = (name: string) => JSON.parse(readFileSync(new URL(`../fixtures/flows/${name}.json`, import.meta.url), 'utf8'));
const BASE = 'https://sb.example.com';
const FLOW_ADDRESS = '+15005550006';
let n = 0;
const messageSid = () => 'SM' + String(++n).padStart(32, '0');

describe('inbound webhook de-duplication', () => {
  let t: TestServer;
  let survey: string;
  let echo: string;
  before(async () => {
    t = await startTestServer({ config: { publicBaseUrl: BASE } });
    survey = (await t.app.flows.create(t.account.sid, { friendlyName: 'survey', status: 'published', definition: fixture('survey') })).sid;
    echo = (await t.app.flows.create(t.account.sid, { friendlyName: 'echo', status: 'published', definition: fixture('sms-echo') })).sid;
  });
  after(() => t.close());

  async function post(flowSid: string, params: Record<string, string>, token?: string) {
    const path = `/v1/Accounts/${t.account.sid}/Flows/${flowSid}`;
    const res = await t.app.server.inject({
      method: 'POST',
      url: path,
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': computeSignature(t.account.authToken, BASE + path, params),
        ...(token ? { 'i-twilio-idempotency-token': token } : {}),
      },
      payload: new URLSearchParams(params).toString(),
    });
    assert.equal(res.statusCode, 200, res.body);
    await t.app.executions.idle();
    return res;
  }

  const message = (from: string, body: string, sid = messageSid()) => ({ MessageSid: sid, AccountSid: t.account.sid, From: from, To: FLOW_ADDRESS, Body: body, NumMedia: '0' });
  const executionsFor = async (flowSid: string) => (await t.app.store.listExecutions(t.account.sid, flowSid, {}, { pageSize: 100 })).items;
  const outbound = (contact: string) => t.app.simulator.transcript(FLOW_ADDRESS, contact).filter((m) => m.direction === 'outbound-api');

  it('a retried first message (same token) starts one execution and sends one question', async () => {
    const contact = '+15551110001';
    const params = message(contact, 'hi');
    await post(survey, params, 'token-a');
    await post(survey, params, 'token-a');
    const mine = (await executionsFor(survey)).filter((e) => e.contactChannelAddress === contact);
    assert.equal(mine.length, 1);
    assert.equal(outbound(contact).length, 1);
  });

  it('a retry with another token, or with a token where the first had none, still runs once (same MessageSid)', async () => {
    for (const [i, tokens] of [['token-b', 'token-c'], ['token-d', undefined], [undefined, 'token-e']].entries()) {
      const contact = `+1555111010${i}`;
      const params = message(contact, 'hi');
      await post(survey, params, tokens[0]);
      await post(survey, params, tokens[1]);
      assert.equal((await executionsFor(survey)).filter((e) => e.contactChannelAddress === contact).length, 1, `tokens ${tokens.join(' then ')}`);
      assert.equal(outbound(contact).length, 1, `tokens ${tokens.join(' then ')}: one question`);
    }
  });

  it('a retried reply (same MessageSid, no token) is applied once', async () => {
    const contact = '+15551110002';
    await post(survey, message(contact, 'hi'));
    const reply = message(contact, '5');
    await post(survey, reply);
    await post(survey, reply);
    const [execution] = (await executionsFor(survey)).filter((e) => e.contactChannelAddress === contact);
    const steps = await t.app.store.listSteps(t.account.sid, survey, execution!.sid, { pageSize: 100 });
    assert.equal(steps.items.filter((s) => s.transitionedFrom === 'ask').length, 1, 'the question was answered once');
    assert.equal(execution!.status, 'ended');
  });

  it('a retry after the execution has ended does not start another one', async () => {
    const contact = '+15551110003';
    const params = message(contact, 'hello');
    await post(echo, params, 'token-b');
    assert.equal((await executionsFor(echo)).filter((e) => e.contactChannelAddress === contact).length, 1);
    await post(echo, params, 'token-b');
    assert.equal((await executionsFor(echo)).filter((e) => e.contactChannelAddress === contact).length, 1);
    assert.equal(outbound(contact).length, 1, 'one reply, not two');
  });

  it('different messages from one contact each run', async () => {
    const contact = '+15551110004';
    await post(echo, message(contact, 'one'));
    await post(echo, message(contact, 'two'));
    assert.equal((await executionsFor(echo)).filter((e) => e.contactChannelAddress === contact).length, 2);
  });

  it('a second node racing with the same receipt: the store refuses the duplicate sprint', async () => {
    // Two deliveries of one MessageSid at once for a contact with no execution yet.
    const contact = '+15551110005';
    const params = message(contact, 'race');
    await Promise.all([post(survey, params), post(survey, params)]);
    assert.equal((await executionsFor(survey)).filter((e) => e.contactChannelAddress === contact).length, 1);
    assert.equal(outbound(contact).length, 1);
  });
});
