// The simulator API and a `+` sent unencoded: `curl -d From=+15551230001` reaches the server as
// ' 15551230001'. That is refused with a 400 that says what happened and how to send it, instead of
// starting a conversation with ' 15551230001' that no `Contact=%2B…` query ever finds. Encoded
// numbers (what the README's curl lines, the console and the CLI send) work as before.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startServerWithFlow, type InjectResponse, type TestServer } from '../support/server.ts';

const definition = JSON.parse(readFileSync(new URL('../fixtures/flows/sms-echo.json', import.meta.url), 'utf8'));

describe('simulator: contact addresses with a leading space', () => {
  let t: TestServer;
  let flowSid = '';
  let post: (url: string, payload: string) => Promise<InjectResponse>;
  before(async () => {
    ({ server: t, flowSid, post } = await startServerWithFlow(definition));
  });
  after(() => t.close());

  for (const [label, url, payload, name] of [
    ['/simulator/Flows/FW…/Messages', () => `/simulator/Flows/${flowSid}/Messages`, () => 'From=+15551230001&Body=hi', 'From'],
    ['/simulator/Failures', () => '/simulator/Failures', () => 'To=+15551230001&Kind=delivery', 'To'],
    ['/simulator/calls', () => '/simulator/calls', () => `FlowSid=${flowSid}&From=+15551230001`, 'From'],
  ] as const) {
    it(`${label}: ${name}=+1555… sent unencoded is a 400 that says to URL-encode it`, async () => {
      const res = await post(url(), payload());
      assert.equal(res.statusCode, 400);
      const body = res.json();
      assert.equal(body.code, 20001);
      assert.match(body.message, new RegExp(`Invalid parameter ${name}: ' 15551230001' starts with a space.*--data-urlencode '${name}=\\+15551230001'`));
      assert.ok(body.more_info);
    });
  }

  it('nothing was started or recorded for the space-prefixed contact', async () => {
    assert.deepEqual(t.app.simulator.transcript('+15005550006', ' 15551230001'), []);
    const executions = await t.app.store.listExecutions(t.account.sid, flowSid, {}, { pageSize: 10 });
    assert.equal(executions.items.length, 0);
  });

  it('the encoded number works: the reply is in the Contact=%2B… transcript', async () => {
    const res = await post(`/simulator/Flows/${flowSid}/Messages`, 'From=%2B15551230001&Body=hi');
    assert.equal(res.statusCode, 201, res.body);
    const transcript = await t.app.server.inject({ method: 'GET', url: `/simulator/Flows/${flowSid}/Messages?Contact=%2B15551230001`, headers: { authorization: t.auth } });
    const messages = transcript.json().messages as { direction: string; from: string }[];
    assert.equal(messages[0]!.from, '+15551230001');
    assert.ok(messages.some((m) => m.direction === 'outbound-api'), transcript.body);
  });
});
