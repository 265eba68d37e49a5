// A request body carries at most MAX_FORM_PARAMETERS parameters: beyond, 400/20001 before any route
// work. The unauthenticated webhook routes otherwise parsed a form of tens of thousands of keys, then
// sorted and HMAC'd all of them for each URL variant and token, for anyone who posted one.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { formFromJson, MAX_FORM_PARAMETERS, parseForm } from '../../src/api/wire/form.ts';
import { ApiError } from '../../src/api/wire/errors.ts';
import { computeSignature } from '../../src/api/wire/signature.ts';
import { FORM, startTestServer, type InjectResponse, type TestServer } from '../support/server.ts';

const survey = JSON.parse(readFileSync(new URL('../fixtures/flows/survey.json', import.meta.url), 'utf8'));

function pairs(count: number, prefix = 'K'): string {
  return Array.from({ length: count }, (_, i) => `${prefix}${i}=v${i}`).join('&');
}

function assertTooMany(res: InjectResponse): void {
  assert.equal(res.statusCode, 400, res.body);
  assert.deepEqual(res.json(), {
    code: 20001,
    message: `Request body has more than ${MAX_FORM_PARAMETERS} parameters`,
    more_info: 'https://www.twilio.com/docs/errors/20001',
    status: 400,
  });
}

describe('form parameter limit: parsing', () => {
  const refusedAsTooMany = (fn: () => unknown) =>
    assert.throws(fn, (error) => error instanceof ApiError && error.status === 400 && error.code === 20001 && /more than 1000 parameters/.test(error.message));

  it('is 1,000, as qs has it', () => {
    assert.equal(MAX_FORM_PARAMETERS, 1000);
  });

  it('takes exactly the limit, refuses one more, counting repeated keys and not empty pairs', () => {
    assert.equal(Object.keys(parseForm(pairs(MAX_FORM_PARAMETERS))).length, MAX_FORM_PARAMETERS);
    refusedAsTooMany(() => parseForm(pairs(MAX_FORM_PARAMETERS + 1)));
    const repeated = Array.from({ length: MAX_FORM_PARAMETERS }, (_, i) => `TestUsers=%2B1555${i}`).join('&');
    assert.equal((parseForm(repeated).TestUsers as string[]).length, MAX_FORM_PARAMETERS);
    refusedAsTooMany(() => parseForm(`${repeated}&TestUsers=x`));
    // URLSearchParams skips empty pairs, so they are not parameters.
    assert.equal(Object.keys(parseForm(`&&${pairs(MAX_FORM_PARAMETERS)}&&&&`.replaceAll('&', '&&'))).length, MAX_FORM_PARAMETERS);
    assert.deepEqual({ ...parseForm('&'.repeat(100_000)) }, {});
    refusedAsTooMany(() => parseForm('a&'.repeat(MAX_FORM_PARAMETERS + 1)));
  });

  it('counts a JSON body the same way: each item of an array field is one parameter', () => {
    const fields = Object.fromEntries(Array.from({ length: MAX_FORM_PARAMETERS }, (_, i) => [`K${i}`, `v${i}`]));
    assert.equal(Object.keys(formFromJson(fields)).length, MAX_FORM_PARAMETERS);
    refusedAsTooMany(() => formFromJson({ ...fields, extra: 'x' }));
    refusedAsTooMany(() => formFromJson({ TestUsers: Array.from({ length: MAX_FORM_PARAMETERS + 1 }, (_, i) => `+1555${i}`) }));
    // A nested JSON value is one field (re-encoded as JSON text), however many keys it holds.
    const parameters = Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`p${i}`, i]));
    assert.equal(typeof formFromJson({ Parameters: parameters }).Parameters, 'string');
  });
});

describe('form parameter limit: over HTTP', () => {
  let t: TestServer;
  let flowSid: string;
  before(async () => {
    t = await startTestServer({ config: { publicBaseUrl: 'https://sb.example.com' } });
    flowSid = (await t.app.flows.create(t.account.sid, { friendlyName: 'survey', status: 'published', definition: survey })).sid;
  });
  after(() => t.close());

  const webhook = (accountSid: string, payload: string, headers: Record<string, string> = {}) =>
    t.app.server.inject({ method: 'POST', url: `/v1/Accounts/${accountSid}/Flows/${flowSid}`, headers: { ...FORM, ...headers }, payload });

  it("refuses the review's 60,000-key form before the account lookup and the signature check", async () => {
    const huge = pairs(60_000);
    // Without the limit: a 404 for the made-up account, a 403 (after checking the signature) for the real one.
    assertTooMany(await webhook(`AC${'0'.repeat(32)}`, huge));
    assertTooMany(await webhook(t.account.sid, huge, { 'x-twilio-signature': 'bogus' }));
    assertTooMany(
      await t.app.server.inject({ method: 'POST', url: `/v1/Accounts/${t.account.sid}/Carrier/Executions/FN${'1'.repeat(32)}/Messages/EF${'2'.repeat(32)}/Status`, headers: FORM, payload: huge }),
    );
  });

  it('refuses it on the authenticated API and as a JSON body too', async () => {
    const huge = pairs(MAX_FORM_PARAMETERS + 1);
    assertTooMany(await t.app.server.inject({ method: 'POST', url: '/v2/Flows', headers: { authorization: t.auth, ...FORM }, payload: huge }));
    const json = JSON.stringify(Object.fromEntries(Array.from({ length: MAX_FORM_PARAMETERS + 1 }, (_, i) => [`K${i}`, 'v'])));
    assertTooMany(await t.app.server.inject({ method: 'POST', url: `/v1/Accounts/${t.account.sid}/Flows/${flowSid}`, headers: { 'content-type': 'application/json' }, payload: json }));
  });

  it('still runs a signed webhook at the limit', async () => {
    const params: Record<string, string> = { MessageSid: `SM${'3'.repeat(32)}`, From: '+15551230001', To: '+15005550006', Body: 'hi' };
    for (let i = Object.keys(params).length; i < MAX_FORM_PARAMETERS; i++) params[`Extra${i}`] = String(i);
    const url = `/v1/Accounts/${t.account.sid}/Flows/${flowSid}`;
    const signature = computeSignature(t.account.authToken, `https://sb.example.com${url}`, params);
    const res = await webhook(t.account.sid, new URLSearchParams(params).toString(), { 'x-twilio-signature': signature });
    assert.equal(res.statusCode, 200, res.body);
  });
});
