// The simulator takes a contact's text as Twilio does: a Body over 1,600 characters is refused with a
// 400 and Twilio's 21617 (as an over-long SMS send is), whether it goes to the flow or into a
// conversation, and nothing is recorded or started. Without it, any account could fill the server's
// memory with megabyte bodies kept in transcripts. Contact addresses are bounded for the same reason.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startServerWithFlow, form, FORM, type InjectResponse, type TestServer } from '../support/server.ts';

const definition = JSON.parse(readFileSync(new URL('../fixtures/flows/sms-echo.json', import.meta.url), 'utf8'));

describe('simulator: inbound Body over 1,600 characters', () => {
  let t: TestServer;
  let flowSid = '';
  let postForm: (url: string, payload: string) => Promise<InjectResponse>;
  before(async () => {
    ({ server: t, flowSid, post: postForm } = await startServerWithFlow(definition));
  });
  after(() => t.close());

  const post = (fields: Record<string, string>) => postForm(`/simulator/Flows/${flowSid}/Messages`, form(fields));

  for (const [label, to] of [
    ['to the flow', undefined],
    ['into a conversation (To=CH…)', 'CH' + 'a'.repeat(32)],
  ] as const) {
    it(`${label}: 400, code 21617, nothing recorded or started`, async () => {
      const from = to ? '+15551230002' : '+15551230001';
      const res = await post({ From: from, Body: 'x'.repeat(1601), ...(to ? { To: to } : {}) });
      assert.equal(res.statusCode, 400, res.body);
      assert.deepEqual(res.json(), {
        code: 21617,
        message: 'The concatenated message body exceeds the 1600 character limit.',
        more_info: 'https://www.twilio.com/docs/errors/21617',
        status: 400,
      });
      assert.deepEqual(t.app.simulator.transcript(to ?? '+15005550006', from), []);
      const executions = await t.app.store.listExecutions(t.account.sid, flowSid, {}, { pageSize: 10 });
      assert.equal(executions.items.length, 0);
    });
  }

  it('1,600 characters (in UTF-16 units, as Twilio counts) are taken', async () => {
    const res = await post({ From: '+15551230003', Body: '✓'.repeat(1600) });
    assert.equal(res.statusCode, 201, res.body);
    assert.equal(res.json().messages[0].body.length, 1600);
  });

  it('a contact address over 256 characters is refused too (the simulator keeps addresses in memory)', async () => {
    const long = '+1' + '5'.repeat(300);
    const res = await post({ From: long, Body: 'hi' });
    assert.equal(res.statusCode, 400, res.body);
    assert.equal(res.json().code, 20001);
    assert.match(res.json().message, /^Invalid parameter From: is 302 characters long; an address .*has at most 256$/);
    const failure = await t.app.server.inject({ method: 'POST', url: '/simulator/Failures', headers: { authorization: t.auth, ...FORM }, payload: form({ To: long, Kind: 'send' }) });
    assert.equal(failure.statusCode, 400, failure.body);
  });
});
