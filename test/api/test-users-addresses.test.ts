// TestUsers are stored as executions know the contact: a phone number written for people
// (`+1 (555) 000-1111`) as its E.164, since executions are matched against TestUsers exactly and a REST
// create normalises its To the same way (src/lib/phone-format.ts withoutPhoneFormatting); surrounding
// whitespace goes, and only what looks like an unencoded '+' gets the hint about one.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { FORM, form, startServerWithFlow, type TestServer } from '../support/server.ts';

const definition = JSON.parse(readFileSync(new URL('../fixtures/flows/sms-echo.json', import.meta.url), 'utf8'));

describe('TestUsers addresses', () => {
  let t: TestServer;
  let flowSid = '';
  before(async () => {
    ({ server: t, flowSid } = await startServerWithFlow(definition));
    // Revision 2, a draft: only test users run it.
    const draft = await call('POST', `/v2/Flows/${flowSid}`, form({ Status: 'draft', Definition: JSON.stringify({ ...definition, description: 'draft' }) }));
    assert.equal(draft.statusCode, 200, draft.body);
    assert.equal(draft.json().revision, 2);
  });
  after(() => t.close());

  const call = (method: 'GET' | 'POST', url: string, payload?: string) =>
    t.app.server.inject({ method, url, headers: { authorization: t.auth, ...(payload === undefined ? {} : FORM) }, ...(payload === undefined ? {} : { payload }) });
  const setTestUsers = (users: string[]) => call('POST', `/v2/Flows/${flowSid}/TestUsers`, form({ TestUsers: users }));

  it('a phone number written with separators is stored as its E.164; other identifiers as given', async () => {
    const res = await setTestUsers(['+1 (555) 000-1111', '+44 20 7946 0958', '+1.555.000.3333', 'whatsapp:+15550004444', 'client:alice', 'alice@example.com', '+15550001111']);
    assert.equal(res.statusCode, 200, res.body);
    const expected = ['+15550001111', '+442079460958', '+15550003333', 'whatsapp:+15550004444', 'client:alice', 'alice@example.com'];
    assert.deepEqual(res.json().test_users, expected);
    assert.deepEqual((await call('GET', `/v2/Flows/${flowSid}/TestUsers`)).json().test_users, expected);
  });

  it('such a test user runs the draft when the execution is created with the number formatted or not', async () => {
    assert.equal((await setTestUsers(['+1 (555) 000-1111'])).statusCode, 200);
    for (const to of ['+1 (555) 000-1111', '+15550001111']) {
      const created = await call('POST', `/v2/Flows/${flowSid}/Executions`, form({ To: to, From: '+15005550006' }));
      assert.equal(created.statusCode, 201, created.body);
      assert.equal(created.json().flow_version, 2, `To=${to}`);
      await t.app.executions.end(t.account.sid, flowSid, created.json().sid);
    }
    const other = await call('POST', `/v2/Flows/${flowSid}/Executions`, form({ To: '+15550009999', From: '+15005550006' }));
    assert.equal(other.json().flow_version, 1);
    await t.app.executions.end(t.account.sid, flowSid, other.json().sid);
  });

  it('surrounding whitespace is trimmed, leading as trailing', async () => {
    const res = await setTestUsers(['  +15550001111  ', '\tclient:bob ', '   ']);
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json().test_users, ['+15550001111', 'client:bob']);
  });

  it("an unencoded '+' (a space, then digits, no '+') is still refused with the hint, and nothing is stored", async () => {
    assert.equal((await setTestUsers(['+15550002222'])).statusCode, 200);
    const res = await call('POST', `/v2/Flows/${flowSid}/TestUsers`, 'TestUsers=%2B15550001111&TestUsers=+1+555+000+1111');
    assert.equal(res.statusCode, 400, res.body);
    assert.match(res.json().message, /^Invalid parameter TestUsers: ' 1 555 000 1111' starts with a space: a '\+' sent unencoded.*--data-urlencode 'TestUsers=\+1 555 000 1111'\)$/);
    assert.deepEqual((await call('GET', `/v2/Flows/${flowSid}/TestUsers`)).json().test_users, ['+15550002222']);
  });
});

describe('an address led by whitespace that is no unencoded +', () => {
  let t: TestServer;
  let flowSid = '';
  before(async () => {
    ({ server: t, flowSid } = await startServerWithFlow(definition));
  });
  after(() => t.close());

  it("is refused where addresses are not trimmed, without the hint about a '+'", async () => {
    const res = await t.app.server.inject({
      method: 'POST',
      url: `/v2/Flows/${flowSid}/Executions`,
      headers: { authorization: t.auth, ...FORM },
      payload: form({ To: '  +15550001111', From: '+15005550006' }),
    });
    assert.equal(res.statusCode, 400, res.body);
    assert.equal(res.json().message, "Invalid parameter To: '  +15550001111' starts with whitespace, which no address does; send it without (To=+15550001111)");
  });
});
