// Basic auth's scheme name is case-insensitive (RFC 7235 section 2.1): `basic`, `BASIC` and `Basic`
// all authenticate, on the REST API and on the flow webhook (a local tool posting without a signature).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseBasicAuth } from '../../src/api/wire/basic-auth.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const survey = JSON.parse(readFileSync(new URL('../fixtures/flows/survey.json', import.meta.url), 'utf8'));
const SCHEMES = ['Basic', 'basic', 'BASIC', 'bAsIc'];

describe('Basic auth scheme name', () => {
  let t: TestServer;
  let flowSid: string;
  const credentials = () => Buffer.from(`${t.account.sid}:${t.account.authToken}`).toString('base64');
  before(async () => {
    t = await startTestServer();
    flowSid = (await t.app.flows.create(t.account.sid, { friendlyName: 'survey', status: 'published', definition: survey })).sid;
  });
  after(() => t.close());

  it('parses the credentials whatever the case of the scheme, and nothing else', () => {
    const encoded = Buffer.from('AC1:secret:with:colons').toString('base64');
    for (const scheme of SCHEMES) assert.deepEqual(parseBasicAuth(`${scheme} ${encoded}`), { username: 'AC1', password: 'secret:with:colons' });
    assert.deepEqual(parseBasicAuth(`basic  ${encoded} `), { username: 'AC1', password: 'secret:with:colons' });
    for (const header of [undefined, '', `Bearer ${encoded}`, `Basicx ${encoded}`, `Basic${encoded}`, 'basic ' + Buffer.from('nocolon').toString('base64')]) {
      assert.equal(parseBasicAuth(header), null, String(header));
    }
  });

  it('REST API: any case of the scheme authenticates', async () => {
    for (const scheme of SCHEMES) {
      const res = await t.app.server.inject({ method: 'GET', url: '/v2/Flows', headers: { authorization: `${scheme} ${credentials()}` } });
      assert.equal(res.statusCode, 200, `${scheme}: ${res.body}`);
    }
    const wrong = await t.app.server.inject({ method: 'GET', url: '/v2/Flows', headers: { authorization: `basic ${Buffer.from(`${t.account.sid}:wrong`).toString('base64')}` } });
    assert.equal(wrong.statusCode, 401);
    assert.equal(wrong.json().code, 20003);
  });

  it('flow webhook: any case of the scheme authenticates an unsigned post', async () => {
    for (const [i, scheme] of SCHEMES.entries()) {
      const res = await t.app.server.inject({
        method: 'POST',
        url: `/v1/Accounts/${t.account.sid}/Flows/${flowSid}`,
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `${scheme} ${credentials()}` },
        payload: new URLSearchParams({ MessageSid: `SM${String(i).repeat(32)}`, From: `+1555123000${i}`, To: '+15005550006', Body: 'hi' }).toString(),
      });
      assert.equal(res.statusCode, 200, `${scheme}: ${res.body}`);
    }
    const wrong = await t.app.server.inject({
      method: 'POST',
      url: `/v1/Accounts/${t.account.sid}/Flows/${flowSid}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `basic ${Buffer.from(`${t.account.sid}:wrong`).toString('base64')}` },
      payload: 'From=%2B15551239999&To=%2B15005550006&Body=hi',
    });
    assert.equal(wrong.statusCode, 403);
  });
});
