// Webhook callbacks cannot be forged or replayed into another execution: X-Twilio-Signature
// covers the full URL (account, flow, execution, step) and every parameter, so a captured
// request is useless anywhere else; the same message delivered twice runs once.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { FORM_HEADERS, probe, startFuzzServer, storeWrites, type FuzzServer } from '../fuzz/support.ts';

let server: FuzzServer;
let echoA = '';
let echoA2 = '';
let echoB = '';
const ECHO = readFileSync(new URL('../fixtures/flows/ask-and-wait.json', import.meta.url), 'utf8').replace('"event": "incomingMessage" }', '"event": "incomingMessage", "next": "ask" }');
const HOST = 'switchboard.test';

function sign(token: string, url: string, params: Record<string, string>): string {
  const data = url + Object.keys(params).sort().map((k) => k + params[k]).join('');
  return createHmac('sha1', token).update(data).digest('base64');
}

async function flowFor(auth: string, name: string): Promise<string> {
  const response = await probe(server, { method: 'POST', url: '/v2/Flows', headers: FORM_HEADERS(auth), payload: new URLSearchParams({ FriendlyName: name, Status: 'published', Definition: ECHO }).toString() });
  assert.equal(response.statusCode, 201, response.body);
  return response.json().sid;
}

before(async () => {
  server = await startFuzzServer();
  echoA = await flowFor(server.a.auth, 'a1');
  echoA2 = await flowFor(server.a.auth, 'a2');
  echoB = await flowFor(server.b.auth, 'b1');
});
after(() => server.close());

/** Posts a webhook signed for `signedPath` (with `signedParams`) to `path` (with `params`). */
function post(path: string, params: Record<string, string>, token: string, signedPath = path, signedParams = params) {
  return probe(server, {
    method: 'POST',
    url: path,
    headers: { 'content-type': 'application/x-www-form-urlencoded', host: HOST, 'x-twilio-signature': sign(token, `http://${HOST}${signedPath}`, signedParams) },
    payload: new URLSearchParams(params).toString(),
  });
}

let n = 0;
const message = () => ({ From: `+1555666${String(++n).padStart(4, '0')}`, To: '+15005550006', Body: 'hi', MessageSid: 'SM' + String(n).padStart(32, '0'), AccountSid: server.a.account.sid });

test('a correctly signed inbound message is accepted (the baseline the forgeries are measured against)', async () => {
  const path = `/v1/Accounts/${server.a.account.sid}/Flows/${echoA}`;
  const response = await post(path, message(), server.a.account.authToken);
  assert.equal(response.statusCode, 200, response.body);
});

test('a signed request replayed to another flow, another account, or with a changed parameter is refused', async () => {
  const own = `/v1/Accounts/${server.a.account.sid}/Flows/${echoA}`;
  await server.app.executions.idle();
  const before = storeWrites(server.store);
  const toOtherFlow = await post(`/v1/Accounts/${server.a.account.sid}/Flows/${echoA2}`, message(), server.a.account.authToken, own);
  assert.equal(toOtherFlow.statusCode, 403);
  const toOtherAccount = await post(`/v1/Accounts/${server.b.account.sid}/Flows/${echoB}`, message(), server.a.account.authToken, own);
  assert.equal(toOtherAccount.statusCode, 403);
  const params = message();
  const tampered = await post(own, { ...params, From: '+15550000000' }, server.a.account.authToken, own, params);
  assert.equal(tampered.statusCode, 403);
  const otherToken = await post(own, message(), server.b.account.authToken);
  assert.equal(otherToken.statusCode, 403, "B's token cannot sign for A");
  const unsigned = await probe(server, { method: 'POST', url: own, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams(message()).toString() });
  assert.equal(unsigned.statusCode, 403);
  assert.equal(storeWrites(server.store), before, 'refused webhooks wrote nothing');
});

test('the same message delivered twice runs once: a replay cannot start or feed another execution', async () => {
  const own = `/v1/Accounts/${server.a.account.sid}/Flows/${echoA}`;
  const first = message();
  assert.equal((await post(own, first, server.a.account.authToken)).statusCode, 200);
  await server.app.executions.idle();
  // The contact answers the question; the reply ends the execution.
  const reply = { ...message(), From: first.From };
  assert.equal((await post(own, reply, server.a.account.authToken)).statusCode, 200);
  await server.app.executions.idle();
  const list = async () =>
    (await probe(server, { method: 'GET', url: `/v2/Flows/${echoA}/Executions?PageSize=1000`, headers: { authorization: server.a.auth } })).json().executions.filter((e: { contact_channel_address: string }) => e.contact_channel_address === first.From);
  const executions = await list();
  assert.equal(executions.length, 1);
  assert.equal(executions[0].status, 'ended');
  // Replaying either captured request (valid signature, same MessageSid) changes nothing.
  assert.equal((await post(own, reply, server.a.account.authToken)).statusCode, 200);
  assert.equal((await post(own, first, server.a.account.authToken)).statusCode, 200);
  await server.app.executions.idle();
  assert.equal((await list()).length, 1, 'no second execution was started by a replay');
});

test('a delivery status callback signed for one execution cannot be replayed into another', async () => {
  const a = server.a;
  const other = `/v1/Accounts/${a.account.sid}/Carrier/Executions/${a.executionSid}/Messages/EF${'1'.repeat(32)}/Status`;
  const signedFor = `/v1/Accounts/${a.account.sid}/Carrier/Executions/FN${'2'.repeat(32)}/Messages/EF${'1'.repeat(32)}/Status`;
  const params = { MessageSid: 'SM' + '9'.repeat(32), MessageStatus: 'undelivered', ErrorCode: '30003' };
  await server.app.executions.idle();
  const before = storeWrites(server.store);
  const replayed = await post(other, params, a.account.authToken, signedFor);
  assert.equal(replayed.statusCode, 403, replayed.body);
  assert.equal(storeWrites(server.store), before);
});

test('a signed status callback with an over-long MessageSid or SmsSid is a 400 naming it, and writes nothing', async () => {
  const a = server.a;
  const path = `/v1/Accounts/${a.account.sid}/Carrier/Executions/${a.executionSid}/Messages/EF${'3'.repeat(32)}/Status`;
  // Random: a repetitive key would compress below PostgreSQL's index row limit.
  const long = 'SM' + randomBytes(5_000).toString('hex');
  await server.app.executions.idle();
  const before = storeWrites(server.store);
  for (const name of ['MessageSid', 'SmsSid']) {
    const response = await post(path, { [name]: long, MessageStatus: 'undelivered', ErrorCode: '30003' }, a.account.authToken);
    assert.equal(response.statusCode, 400, response.body);
    assert.equal(response.json().code, 20001);
    assert.match(response.json().message, new RegExp(`Invalid parameter ${name}: is 10002 characters long`));
  }
  assert.equal(storeWrites(server.store), before, 'refused callbacks wrote nothing');
  // At the bound (256 characters) a report is taken.
  const edge = await post(path, { MessageSid: 'SM' + 'c'.repeat(254), MessageStatus: 'delivered' }, a.account.authToken);
  assert.equal(edge.statusCode, 204, edge.body);
});
