// Addresses at the API edge (src/api/wire/addresses.ts): To/From longer than any Twilio address are a
// 400 on every route that starts an execution (on PostgreSQL they were a 500: the one-active-execution
// index refuses rows over 2704 bytes) — on the REST create, Twilio's 300 bytes together (81023) — and an
// unencoded `+` (a leading space) is refused on every route.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { MAX_ADDRESS_LENGTH, MAX_CONTACT_PAIR_BYTES } from '../../src/api/wire/addresses.ts';
import { createApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { PostgresStore } from '../../src/store/postgres/postgres-store.ts';
import { basicAuth, form, FORM, startServerWithFlow, type InjectResponse, type TestServer } from '../support/server.ts';
import { DATABASE_URL, SKIP_REASON, dropSchema, testSchemaName } from '../store/postgres-support.ts';
import { triggerFlow } from '../support/flows.ts';

const smsEcho = readFileSync(new URL('../fixtures/flows/sms-echo.json', import.meta.url), 'utf8');
const definition = JSON.parse(smsEcho);

/** An address of exactly `length` characters, each `unit` (a 3-byte UTF-8 character is the worst case per unit). */
const address = (length: number, unit = '5') => `+${unit.repeat(length - 1)}`;

describe('address length', () => {
  let t: TestServer;
  let flowSid = '';
  let post: (url: string, payload: string) => Promise<InjectResponse>;
  before(async () => {
    ({ server: t, flowSid, post } = await startServerWithFlow(definition));
  });
  after(() => t.close());

  for (const collection of ['v2/Flows/{FW}/Executions', 'v1/Flows/{FW}/Executions', 'v1/Flows/{FW}/Engagements']) {
    it(`${collection}: To and From over ${MAX_CONTACT_PAIR_BYTES} bytes of UTF-8 together are 400/81023 (Twilio's rule, not the per-address bound); ${MAX_CONTACT_PAIR_BYTES} is fine`, async () => {
      const url = `/${collection.replace('{FW}', flowSid)}`;
      // '+15005550006' is 12 bytes; '€' is 3: a To of 97 '€' after the '+' is 292 bytes, 304 with From.
      const long = await post(url, form({ To: address(98, '€'), From: '+15005550006' }));
      assert.equal(long.statusCode, 400, long.body);
      assert.deepEqual(long.json(), {
        code: 81023,
        message: 'Creating an Execution via REST API failed due to malformed contact parameters: To and From together are 304 bytes (UTF-8); at most 300',
        more_info: 'https://www.twilio.com/docs/errors/81023',
        status: 400,
      });
      const asciiLong = await post(url, form({ To: '+15005550006', From: address(MAX_CONTACT_PAIR_BYTES - 11) }));
      assert.equal(asciiLong.json().code, 81023, asciiLong.body);
      // Exactly 300 bytes: a To of 288 characters (over MAX_ADDRESS_LENGTH, which does not apply here) ...
      const fits = await post(url, form({ To: address(MAX_CONTACT_PAIR_BYTES - 12), From: '+15005550006' }));
      assert.ok(fits.statusCode === 201 || fits.statusCode === 200, fits.body);
      assert.equal(fits.json().contact_channel_address, address(MAX_CONTACT_PAIR_BYTES - 12));
      await t.app.executions.end(t.account.sid, flowSid, fits.json().sid);
      // ... or 96 three-byte characters after the '+' (289 bytes) and an 11-byte From.
      const wide = await post(url, form({ To: address(97, '€'), From: '+1500555000' }));
      assert.ok(wide.statusCode === 201 || wide.statusCode === 200, wide.body);
      await t.app.executions.end(t.account.sid, flowSid, wide.json().sid);
    });
  }

  it('the inbound webhook: a From or To over the bound is a 400 naming it and starts nothing; at the bound it runs', async () => {
    const url = `/v1/Accounts/${t.account.sid}/Flows/${flowSid}`;
    let n = 0;
    const message = (fields: Record<string, string>) => form({ MessageSid: `SM${String(++n).padStart(32, '0')}`, Body: 'hi', From: '+15551230001', To: '+15005550006', ...fields });
    for (const name of ['From', 'To']) {
      const res = await post(url, message({ [name]: address(MAX_ADDRESS_LENGTH + 1) }));
      assert.equal(res.statusCode, 400, res.body);
      assert.equal(res.json().code, 20001);
      assert.match(res.json().message, new RegExp(`^Invalid parameter ${name}: is ${MAX_ADDRESS_LENGTH + 1} characters long`));
    }
    const page = await t.app.store.listExecutions(t.account.sid, flowSid, { status: 'active' }, { pageSize: 50 });
    assert.equal(page.items.filter((e) => e.contactChannelAddress.length > MAX_ADDRESS_LENGTH || e.channelAddress.length > MAX_ADDRESS_LENGTH).length, 0);
    const fits = await post(url, message({ From: address(MAX_ADDRESS_LENGTH) }));
    assert.equal(fits.statusCode, 200, fits.body);
    await t.app.executions.idle();
    const all = await t.app.store.listExecutions(t.account.sid, flowSid, {}, { pageSize: 50 });
    assert.ok(all.items.some((e) => e.contactChannelAddress === address(MAX_ADDRESS_LENGTH)));
  });

  it('the simulator phone: a To over the bound is a 400', async () => {
    const res = await post('/simulator/calls', form({ FlowSid: flowSid, From: '+15551230001', To: address(MAX_ADDRESS_LENGTH + 1) }));
    assert.equal(res.statusCode, 400, res.body);
    assert.match(res.json().message, /^Invalid parameter To: is \d+ characters long/);
  });
});

describe('an unencoded + on every route that takes an address', () => {
  let t: TestServer;
  let flowSid = '';
  let post: (url: string, payload: string) => Promise<InjectResponse>;
  before(async () => {
    ({ server: t, flowSid, post } = await startServerWithFlow(definition));
  });
  after(() => t.close());

  const refusesSpace = (res: InjectResponse, name: string) => {
    assert.equal(res.statusCode, 400, res.body);
    assert.equal(res.json().code, 20001);
    assert.match(res.json().message, new RegExp(`^Invalid parameter ${name}: ' 15551239876' starts with a space.*URL-encode it \\(%2B, or curl --data-urlencode '${name}=\\+15551239876'\\)$`));
  };

  for (const collection of ['v2/Flows/{FW}/Executions', 'v1/Flows/{FW}/Executions', 'v1/Flows/{FW}/Engagements']) {
    for (const name of ['To', 'From'] as const) {
      it(`${collection}: ${name}=+1555… sent unencoded is a 400 saying to URL-encode it, and nothing starts`, async () => {
        const url = `/${collection.replace('{FW}', flowSid)}`;
        const other = name === 'To' ? 'From' : 'To';
        refusesSpace(await post(url, `${name}=+15551239876&${other}=%2B15005550006`), name);
        const page = await t.app.store.listExecutions(t.account.sid, flowSid, {}, { pageSize: 50 });
        assert.equal(page.items.length, 0);
      });
    }
  }

  it('the inbound webhook: From or To with a leading space is a 400 and starts nothing', async () => {
    const url = `/v1/Accounts/${t.account.sid}/Flows/${flowSid}`;
    refusesSpace(await post(url, 'MessageSid=SM' + '1'.repeat(32) + '&Body=hi&From=+15551239876&To=%2B15005550006'), 'From');
    refusesSpace(await post(url, 'MessageSid=SM' + '2'.repeat(32) + '&Body=hi&From=%2B15005550006&To=+15551239876'), 'To');
    const page = await t.app.store.listExecutions(t.account.sid, flowSid, {}, { pageSize: 50 });
    assert.equal(page.items.length, 0);
  });

  it("the simulator's optional To is checked as its From is", async () => {
    refusesSpace(await post(`/simulator/Flows/${flowSid}/Messages`, 'From=%2B15005550006&To=+15551239876&Body=hi'), 'To');
    refusesSpace(await post('/simulator/calls', `FlowSid=${flowSid}&From=%2B15005550006&To=+15551239876`), 'To');
  });
});

describe('TestUsers and an unencoded +', () => {
  let t: TestServer;
  let flowSid = '';
  before(async () => {
    ({ server: t, flowSid } = await startServerWithFlow(definition));
  });
  after(() => t.close());

  const post = (payload: string) => t.app.server.inject({ method: 'POST', url: `/v2/Flows/${flowSid}/TestUsers`, headers: { authorization: t.auth, ...FORM }, payload });
  const stored = async () => (await t.app.store.getTestUsers(t.account.sid, flowSid)) ?? [];

  it('TestUsers=+1555… sent unencoded is a 400 that says to URL-encode it (as the simulator says), and nothing is stored', async () => {
    const res = await post('TestUsers=%2B15551230001&TestUsers=+15551230009');
    assert.equal(res.statusCode, 400, res.body);
    assert.equal(res.json().code, 20001);
    assert.match(res.json().message, /^Invalid parameter TestUsers: ' 15551230009' starts with a space.*URL-encode it \(%2B, or curl --data-urlencode 'TestUsers=\+15551230009'\)$/);
    assert.deepEqual(await stored(), []);
  });

  it('encoded numbers are stored as sent; trailing whitespace and empty items go', async () => {
    const res = await post('TestUsers=%2B15551230009%0A&TestUsers=&TestUsers=client%3Aalice');
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json().test_users, ['+15551230009', 'client:alice']);
    assert.deepEqual(await stored(), ['+15551230009', 'client:alice']);
  });

  it('a test user over the address bound is a 400', async () => {
    const res = await post(form({ TestUsers: address(MAX_ADDRESS_LENGTH + 1) }));
    assert.equal(res.statusCode, 400, res.body);
    assert.match(res.json().message, /^Invalid parameter TestUsers: is \d+ characters long/);
  });
});

describe('PostgreSQL: the longest addresses fit its index', { skip: SKIP_REASON }, () => {
  it(`To and From of ${MAX_CONTACT_PAIR_BYTES} bytes together, three-byte characters: 201; a 3 KB To: 400/81023 (it was a 500)`, async () => {
    const schema = testSchemaName();
    const store = new PostgresStore({ connectionString: DATABASE_URL!, schema, poolSize: 2 });
    await store.ready();
    const app = await createApp({ ...loadConfig({}, {}), dataDir: ':memory:', inboundExecutionRate: 0, restExecutionRate: 0 }, { store });
    after(async () => {
      await app.close();
      await dropSchema(schema);
    });
    const { account } = await app.accounts.ensureStartupAccount();
    const call = (url: string, body: string) => app.server.inject({ method: 'POST', url, payload: body, headers: { authorization: basicAuth(account.sid, account.authToken), ...FORM } });
    const flow = await call('/v2/Flows', form({ FriendlyName: 'long', Status: 'published', Definition: smsEcho }));
    assert.equal(flow.statusCode, 201, flow.body);
    const url = `/v2/Flows/${flow.json().sid}/Executions`;
    const fits = await call(url, form({ To: address(50, '€'), From: address(152) }));
    assert.equal(fits.statusCode, 201, fits.body);
    const long = await call(url, form({ To: address(1000, '€'), From: '+15005550006' }));
    assert.equal(long.statusCode, 400, long.body);
    assert.equal(long.json().code, 81023);
  });

  it(`the inbound webhook: From and To of ${MAX_ADDRESS_LENGTH} three-byte characters each run (the bound keeps them inside the index)`, async () => {
    const schema = testSchemaName();
    const store = new PostgresStore({ connectionString: DATABASE_URL!, schema, poolSize: 2 });
    await store.ready();
    const app = await createApp({ ...loadConfig({}, {}), dataDir: ':memory:', inboundExecutionRate: 0, restExecutionRate: 0 }, { store });
    after(async () => {
      await app.close();
      await dropSchema(schema);
    });
    const { account } = await app.accounts.ensureStartupAccount();
    const flowSid = (await app.flows.create(account.sid, { friendlyName: 'long', status: 'published', definition })).sid;
    const res = await app.server.inject({
      method: 'POST',
      url: `/v1/Accounts/${account.sid}/Flows/${flowSid}`,
      payload: form({ MessageSid: 'SM' + '3'.repeat(32), Body: 'hi', From: address(MAX_ADDRESS_LENGTH, '€'), To: address(MAX_ADDRESS_LENGTH, '€') }),
      headers: { authorization: basicAuth(account.sid, account.authToken), ...FORM },
    });
    assert.equal(res.statusCode, 200, res.body);
    await app.executions.idle();
    const page = await app.store.listExecutions(account.sid, flowSid, {}, { pageSize: 5 });
    assert.equal(page.items[0]?.contactChannelAddress, address(MAX_ADDRESS_LENGTH, '€'));
  });
});

describe('a phone number written for people', () => {
  const ask = {
    name: 'ask',
    type: 'send-and-wait-for-reply',
    transitions: [{ event: 'incomingMessage' }, { event: 'timeout' }, { event: 'deliveryFailure' }],
    properties: { body: 'Name?', timeout: '3600', from: '{{flow.channel.address}}' },
  };
  let t: TestServer;
  let flowSid = '';
  let post: (url: string, payload: string) => Promise<InjectResponse>;
  before(async () => {
    ({ server: t, flowSid, post } = await startServerWithFlow(triggerFlow('asks', 'incomingRequest', 'ask', [ask])));
  });
  after(() => t.close());

  it("is kept as its E.164 on the REST create, so the contact's reply finds the execution", async () => {
    const created = await post(`/v2/Flows/${flowSid}/Executions`, form({ To: '+1 (555) 123-0043', From: '+1.500.555.0006' }));
    assert.equal(created.statusCode, 201, created.body);
    assert.equal(created.json().contact_channel_address, '+15551230043');
    await t.app.executions.idle();
    const reply = await t.app.server.inject({
      method: 'POST',
      url: `/v1/Accounts/${t.account.sid}/Flows/${flowSid}`,
      headers: { authorization: t.auth, ...FORM },
      payload: form({ MessageSid: 'SM' + '7'.repeat(32), Body: 'Zoe', From: '+15551230043', To: '+15005550006' }),
    });
    assert.equal(reply.statusCode, 200, reply.body);
    await t.app.executions.idle();
    const list = (await t.app.server.inject({ method: 'GET', url: `/v2/Flows/${flowSid}/Executions`, headers: { authorization: t.auth } })).json();
    assert.deepEqual(list.executions.map((e: { sid: string; status: string }) => [e.sid, e.status]), [[created.json().sid, 'ended']]);
  });

  it('leaves other identifiers and numbers without separators as given', async () => {
    for (const to of ['client:alice', 'whatsapp:+15551230044', '+15551230045', '+1 (555) not-a-number']) {
      const created = await post(`/v2/Flows/${flowSid}/Executions`, form({ To: to, From: '+15005550006' }));
      assert.equal(created.statusCode, 201, created.body);
      assert.equal(created.json().contact_channel_address, to);
      await t.app.executions.end(t.account.sid, flowSid, created.json().sid);
    }
  });
});
