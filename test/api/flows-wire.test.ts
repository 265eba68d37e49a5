// Wire-level tests of the Flows API through Fastify inject(): status codes, bodies checked against
// the official OpenAPI spec, form decoding, paging and every kind of bad input.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startTestServer, form, FORM, basicAuth, type TestServer } from '../support/server.ts';
import { assertMatchesSpec } from '../support/openapi.ts';

const definition = readFileSync(new URL('../fixtures/flows/sms-echo.json', import.meta.url), 'utf8');
const BASE = 'https://switchboard.example.com';

describe('Flows API on the wire', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({ config: { publicBaseUrl: BASE } });
  });
  after(() => t.close());

  const call = (method: 'GET' | 'POST' | 'DELETE', url: string, body?: string, headers: Record<string, string> = {}) =>
    t.app.server.inject({ method, url, payload: body, headers: { authorization: t.auth, ...(body !== undefined ? FORM : {}), ...headers } });

  async function createFlow(name = 'My flow', status = 'published') {
    const res = await call('POST', '/v2/Flows', form({ FriendlyName: name, Status: status, Definition: definition, CommitMessage: 'first' }));
    assert.equal(res.statusCode, 201, res.body);
    return res.json();
  }

  it('creates a flow: 201, spec shape, absolute URLs from the public base, definition as an object', async () => {
    const flow = await createFlow();
    assertMatchesSpec('v2', 'POST', '/v2/Flows', 201, flow);
    assert.match(flow.sid, /^FW[0-9a-f]{32}$/);
    assert.equal(flow.account_sid, t.account.sid);
    assert.equal(flow.revision, 1);
    assert.equal(flow.commit_message, 'first');
    assert.equal(flow.valid, true);
    assert.deepEqual(flow.errors, []);
    assert.equal(typeof flow.definition, 'object');
    assert.equal(flow.definition.initial_state, 'Trigger');
    assert.equal(flow.url, `${BASE}/v2/Flows/${flow.sid}`);
    assert.equal(flow.webhook_url, `${BASE}/v1/Accounts/${t.account.sid}/Flows/${flow.sid}`);
    assert.equal(flow.links.revisions, `${BASE}/v2/Flows/${flow.sid}/Revisions`);
    assert.match(flow.date_created, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    assert.equal(flow.date_updated, null);
  });

  it("decodes python-style bodies ('+' for spaces, json.dumps separators)", async () => {
    const body = `FriendlyName=Python+flow&Status=draft&Definition=${encodeURIComponent(JSON.stringify(JSON.parse(definition), null, 1)).replace(/%20/g, '+')}`;
    const res = await call('POST', '/v2/Flows', body, { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' });
    assert.equal(res.statusCode, 201, res.body);
    assert.equal(res.json().friendly_name, 'Python flow');
    assert.equal(res.json().status, 'draft');
  });

  it('fetches, updates (new revision each save) and lists revisions', async () => {
    const flow = await createFlow('Rev flow');
    const fetched = await call('GET', `/v2/Flows/${flow.sid}`);
    assert.equal(fetched.statusCode, 200);
    assertMatchesSpec('v2', 'GET', '/v2/Flows/{Sid}', 200, fetched.json());

    const changed = JSON.parse(definition);
    changed.states[1].properties.body = 'Changed';
    const updated = await call('POST', `/v2/Flows/${flow.sid}`, form({ Status: 'draft', Definition: JSON.stringify(changed), CommitMessage: 'edit' }));
    assert.equal(updated.statusCode, 200, updated.body);
    assertMatchesSpec('v2', 'POST', '/v2/Flows/{Sid}', 200, updated.json());
    assert.equal(updated.json().revision, 2);
    assert.equal(updated.json().status, 'draft');
    assert.ok(updated.json().date_updated);

    // status-only update keeps the definition and still makes a revision
    const renamed = await call('POST', `/v2/Flows/${flow.sid}`, form({ Status: 'draft', FriendlyName: 'Renamed' }));
    assert.equal(renamed.json().revision, 3);
    assert.equal(renamed.json().definition.states[1].properties.body, 'Changed');

    const list = await call('GET', `/v2/Flows/${flow.sid}/Revisions`);
    assert.equal(list.statusCode, 200);
    assertMatchesSpec('v2', 'GET', '/v2/Flows/{Sid}/Revisions', 200, list.json());
    assert.deepEqual(list.json().revisions.map((r: any) => r.revision), [3, 2, 1]);
    assert.equal(list.json().revisions[0].definition, null);

    const published = await call('GET', `/v2/Flows/${flow.sid}/Revisions/LatestPublished`);
    assert.equal(published.json().revision, 1);
    assert.equal(published.json().definition.states[1].properties.body, JSON.parse(definition).states[1].properties.body);
    assertMatchesSpec('v2', 'GET', '/v2/Flows/{Sid}/Revisions/{Revision}', 200, published.json());
    assert.equal((await call('GET', `/v2/Flows/${flow.sid}/Revisions/LatestRevision`)).json().revision, 3);
    assert.equal((await call('GET', `/v2/Flows/${flow.sid}/Revisions/2`)).json().commit_message, 'edit');
    assert.equal((await call('GET', `/v2/Flows/${flow.sid}/Revisions/9`)).statusCode, 404);
    // An integer too large for any revision is still an integer: 404, not 81021's "must be an integer".
    for (const revision of ['2147483648', '99999999999999999999']) {
      const huge = await call('GET', `/v2/Flows/${flow.sid}/Revisions/${revision}`);
      assert.equal(huge.statusCode, 404, huge.body);
      assert.equal(huge.json().code, 20404);
      assert.equal(huge.json().message, `The requested resource /v2/Flows/${flow.sid}/Revisions/${revision} was not found`);
    }
    const bad = await call('GET', `/v2/Flows/${flow.sid}/Revisions/latest`);
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().code, 81021);
  });

  it('validates definitions: {valid:true} or a 400 whose details.errors carry property paths', async () => {
    const ok = await call('POST', '/v2/Flows/Validate', form({ FriendlyName: 'x', Status: 'draft', Definition: definition }));
    assert.equal(ok.statusCode, 200);
    assert.deepEqual(ok.json(), { valid: true });
    assertMatchesSpec('v2', 'POST', '/v2/Flows/Validate', 200, ok.json());

    const broken = JSON.parse(definition);
    broken.states[0].transitions[0].next = 'nowhere';
    const res = await call('POST', '/v2/Flows/Validate', form({ FriendlyName: 'x', Status: 'draft', Definition: JSON.stringify(broken) }));
    assert.equal(res.statusCode, 400);
    const body = res.json();
    assert.equal(body.status, 400);
    assert.equal(body.code, 81022);
    assert.equal(body.more_info, 'https://www.twilio.com/docs/errors/81022');
    assert.ok(Array.isArray(body.details.errors) && body.details.errors.length > 0);
    assert.ok(body.details.errors.some((e: any) => e.property_path.startsWith('#/states/0/transitions/0')), JSON.stringify(body));
    assert.equal('type' in body || 'title' in body, false);
  });

  it('rejects invalid definitions on create and update without writing anything', async () => {
    const before = (await call('GET', '/v2/Flows?PageSize=1000')).json().flows.length;
    const res = await call('POST', '/v2/Flows', form({ FriendlyName: 'bad', Status: 'draft', Definition: '{"states": []}' }));
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().code, 81022);
    const json = await call('POST', '/v2/Flows', form({ FriendlyName: 'bad', Status: 'draft', Definition: '{"states": [' }));
    assert.equal(json.statusCode, 400);
    assert.match(json.json().details.errors[0].message, /not valid JSON/);
    assert.equal((await call('GET', '/v2/Flows?PageSize=1000')).json().flows.length, before);

    const flow = await createFlow('Keep me');
    const upd = await call('POST', `/v2/Flows/${flow.sid}`, form({ Status: 'published', Definition: '{"initial_state":"x","states":[]}' }));
    assert.equal(upd.statusCode, 400);
    assert.equal((await call('GET', `/v2/Flows/${flow.sid}`)).json().revision, 1);
  });

  it('reports missing and malformed parameters as 400 with code 20001', async () => {
    const cases: [string, RegExp][] = [
      [form({ Status: 'draft', Definition: definition }), /FriendlyName/],
      [form({ FriendlyName: 'a', Definition: definition }), /Status/],
      [form({ FriendlyName: 'a', Status: 'live', Definition: definition }), /Status/],
      [form({ FriendlyName: 'a', Status: 'draft' }), /Definition/],
      ['', /FriendlyName/],
    ];
    for (const [body, message] of cases) {
      const res = await call('POST', '/v2/Flows', body);
      assert.equal(res.statusCode, 400, body);
      assert.equal(res.json().code, 20001);
      assert.match(res.json().message, message);
    }
  });

  it('manages test users, replacing the list on POST (repeated keys)', async () => {
    const flow = await createFlow('Testers');
    const empty = await call('GET', `/v2/Flows/${flow.sid}/TestUsers`);
    assert.deepEqual(empty.json().test_users, []);
    assertMatchesSpec('v2', 'GET', '/v2/Flows/{Sid}/TestUsers', 200, empty.json());
    const set = await call('POST', `/v2/Flows/${flow.sid}/TestUsers`, 'TestUsers=%2B15551230001&TestUsers=%2B15551230002');
    assert.equal(set.statusCode, 200);
    assertMatchesSpec('v2', 'POST', '/v2/Flows/{Sid}/TestUsers', 200, set.json());
    assert.deepEqual(set.json().test_users, ['+15551230001', '+15551230002']);
    const one = await call('POST', `/v2/Flows/${flow.sid}/TestUsers`, 'TestUsers=%2B15551230009');
    assert.deepEqual(one.json().test_users, ['+15551230009']);
    assert.equal((await call('POST', `/v2/Flows/${flow.sid}/TestUsers`, '')).statusCode, 400);
  });

  it('refuses test users that are not strings in a JSON body (400, 20001), instead of storing their JSON text', async () => {
    const flow = await createFlow('JSON testers');
    const json = (body: unknown) => call('POST', `/v2/Flows/${flow.sid}/TestUsers`, JSON.stringify(body), { 'content-type': 'application/json' });
    const ok = await json({ TestUsers: ['+15551230001', '+15551230002'] });
    assert.equal(ok.statusCode, 200, ok.body);
    assert.deepEqual(ok.json().test_users, ['+15551230001', '+15551230002']);
    for (const [TestUsers, kind] of [
      [['+15551230003', { a: 2 }], 'an object'],
      [{ a: 2 }, 'an object'],
      [[15551230004], 'a number'],
      [[['+15551230005']], 'an array'],
      [true, 'a boolean'],
      [['+15551230006', null], 'null'],
    ] as const) {
      const res = await json({ TestUsers });
      assert.equal(res.statusCode, 400, JSON.stringify(TestUsers));
      const body = res.json();
      assert.equal(body.code, 20001);
      assert.equal(body.status, 400);
      assert.equal(body.message, `Invalid parameter TestUsers: each item must be a string (a phone number such as +15551230001), not ${kind}`);
      assert.equal(body.more_info, 'https://www.twilio.com/docs/errors/20001');
    }
    assert.deepEqual((await call('GET', `/v2/Flows/${flow.sid}/TestUsers`)).json().test_users, ['+15551230001', '+15551230002'], 'nothing refused was stored');
  });

  it('pages with self-contained absolute next_page_url, meta.key and clamped PageSize', async () => {
    for (let i = 0; i < 5; i++) await createFlow(`page-${i}`);
    const total = (await call('GET', '/v2/Flows?PageSize=1000')).json().flows.length;
    const seen = new Set<string>();
    let url: string | null = '/v2/Flows?PageSize=2';
    let pages = 0;
    while (url) {
      const res = await call('GET', url.replace(BASE, ''));
      assert.equal(res.statusCode, 200);
      const body = res.json();
      assertMatchesSpec('v2', 'GET', '/v2/Flows', 200, body);
      assert.equal(body.meta.key, 'flows');
      assert.equal(body.meta.page, pages);
      assert.equal(body.meta.page_size, 2);
      for (const f of body.flows) {
        assert.equal(f.definition, null);
        assert.ok(!seen.has(f.sid), 'no flow twice');
        seen.add(f.sid);
      }
      if (body.meta.next_page_url) assert.ok(body.meta.next_page_url.startsWith(`${BASE}/v2/Flows?`));
      if (pages > 0) assert.ok(body.meta.previous_page_url);
      url = body.meta.next_page_url;
      pages++;
    }
    assert.equal(seen.size, total);
    const clamped = await call('GET', '/v2/Flows?PageSize=5000');
    assert.equal(clamped.json().meta.page_size, 1000);
    for (const bad of ['PageSize=0', 'PageSize=abc', 'PageToken=garbage', 'Page=-1']) {
      const res = await call('GET', `/v2/Flows?${bad}`);
      assert.equal(res.statusCode, 400, bad);
      assert.ok([20001, 21481].includes(res.json().code));
    }
  });

  it('follows a previous_page_url back to the same records', async () => {
    const first = (await call('GET', '/v2/Flows?PageSize=2')).json();
    const second = (await call('GET', first.meta.next_page_url.replace(BASE, ''))).json();
    const back = (await call('GET', second.meta.previous_page_url.replace(BASE, ''))).json();
    assert.deepEqual(back.flows.map((f: any) => f.sid), first.flows.map((f: any) => f.sid));
  });

  it('serves v1 Flows with version and no definition; deletes with 204 and an empty body', async () => {
    const flow = await createFlow('v1 view');
    const v1 = await call('GET', `/v1/Flows/${flow.sid}`);
    assert.equal(v1.statusCode, 200);
    assertMatchesSpec('v1', 'GET', '/v1/Flows/{Sid}', 200, v1.json());
    assert.equal(v1.json().version, 1);
    const list = await call('GET', '/v1/Flows?PageSize=3');
    assertMatchesSpec('v1', 'GET', '/v1/Flows', 200, list.json());
    const del = await call('DELETE', `/v1/Flows/${flow.sid}`);
    assert.equal(del.statusCode, 204);
    assert.equal(del.body, '');
    assert.equal((await call('GET', `/v2/Flows/${flow.sid}`)).statusCode, 404);
    const again = await call('DELETE', `/v2/Flows/${flow.sid}`);
    assert.equal(again.statusCode, 404);
    assert.equal(again.json().code, 20404);
    assert.equal(again.json().message, `The requested resource /v2/Flows/${flow.sid} was not found`);
  });

  it('answers bad input with Twilio errors, never a 5xx', async () => {
    const cases: { method: 'GET' | 'POST' | 'DELETE'; url: string; body?: string; headers?: Record<string, string>; status: number; message?: RegExp }[] = [
      { method: 'GET', url: '/v2/Flows/FWnothex', status: 404 },
      { method: 'GET', url: '/v2/Flows/' + 'FW' + 'a'.repeat(300), status: 404 },
      { method: 'GET', url: '/v2/Nope', status: 404 },
      { method: 'DELETE', url: '/v2/Flows', status: 405 },
      { method: 'POST', url: '/v2/Flows', body: '{"FriendlyName":', headers: { 'content-type': 'application/json' }, status: 400 },
      { method: 'POST', url: '/v2/Flows', body: 'x', headers: { 'content-type': 'text/plain; charset=utf-8' }, status: 415, message: /^Content-Type text\/plain is not supported; send application\/x-www-form-urlencoded$/ },
      { method: 'POST', url: '/v2/Flows', body: 'FriendlyName=' + 'a'.repeat(2 * 1024 * 1024), status: 413 },
      { method: 'POST', url: '/v2/Flows', body: '%E0%A4%A&FriendlyName=%FF%FE', status: 400 },
      { method: 'GET', url: '/v2/Flows?PageToken=PA%00', status: 400 },
    ];
    for (const c of cases) {
      const res = await t.app.server.inject({
        method: c.method,
        url: c.url,
        payload: c.body,
        headers: { authorization: t.auth, ...(c.body !== undefined ? FORM : {}), ...c.headers },
      });
      assert.equal(res.statusCode, c.status, `${c.method} ${c.url.slice(0, 60)}: ${res.body.slice(0, 200)}`);
      const body = res.json();
      assert.equal(body.status, c.status);
      assert.equal(typeof body.code, 'number');
      assert.equal(typeof body.message, 'string');
      assert.match(body.more_info, /^https:\/\/www\.twilio\.com\/docs\/errors\/\d+$/);
      if (c.message) assert.match(body.message, c.message);
    }
  });

  it('requires Basic auth: 401 with code 20003 and WWW-Authenticate', async () => {
    for (const authorization of [undefined, basicAuth(t.account.sid, 'wrong'), basicAuth('ACnope', 'x'), 'Bearer abc', 'Basic !!!']) {
      const res = await t.app.server.inject({ method: 'GET', url: '/v2/Flows', headers: authorization ? { authorization } : {} });
      assert.equal(res.statusCode, 401);
      assert.equal(res.json().code, 20003);
      assert.equal(res.headers['www-authenticate'], 'Basic realm="Twilio API"');
    }
    const health = await t.app.server.inject({ method: 'GET', url: '/healthz' });
    assert.equal(health.statusCode, 200);
  });

  it('authenticates API keys and keeps accounts apart (another account sees 404)', async () => {
    const flow = await createFlow('Private');
    const other = await t.app.accounts.create('Other');
    const otherAuth = basicAuth(other.sid, other.authToken);
    for (const url of [`/v2/Flows/${flow.sid}`, `/v2/Flows/${flow.sid}/Revisions`, `/v2/Flows/${flow.sid}/TestUsers`, `/v1/Flows/${flow.sid}`]) {
      const res = await t.app.server.inject({ method: 'GET', url, headers: { authorization: otherAuth } });
      assert.equal(res.statusCode, 404, url);
    }
    const del = await t.app.server.inject({ method: 'DELETE', url: `/v2/Flows/${flow.sid}`, headers: { authorization: otherAuth } });
    assert.equal(del.statusCode, 404);
    const list = await t.app.server.inject({ method: 'GET', url: '/v2/Flows', headers: { authorization: otherAuth } });
    assert.deepEqual(list.json().flows, []);

    const { key, secret } = await t.app.accounts.createKey(t.account.sid, 'ci');
    const viaKey = await t.app.server.inject({ method: 'GET', url: `/v2/Flows/${flow.sid}`, headers: { authorization: basicAuth(key.sid, secret) } });
    assert.equal(viaKey.statusCode, 200);
    const wrong = await t.app.server.inject({ method: 'GET', url: `/v2/Flows/${flow.sid}`, headers: { authorization: basicAuth(key.sid, secret + 'x') } });
    assert.equal(wrong.statusCode, 401);
  });

  it('adds Twilio-Request-Id and CORS headers', async () => {
    const res = await call('GET', '/v2/Flows');
    assert.match(String(res.headers['twilio-request-id']), /^RQ[0-9a-f]{32}$/);
    assert.equal(res.headers['access-control-allow-origin'], '*');
    assert.equal(res.headers['access-control-allow-headers'], 'Content-Type, Authorization, If-Match');
    // A browser app may read the revision a flow is at (ETag) to send it back as If-Match.
    assert.equal(res.headers['access-control-expose-headers'], 'ETag, Twilio-Request-Id');
  });

  it('answers a CORS preflight allowing the Authorization and Content-Type headers (as the spec declares)', async () => {
    const res = await t.app.server.inject({
      method: 'OPTIONS',
      url: '/v2/Flows',
      headers: { origin: 'https://example.com', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
    });
    assert.equal(res.statusCode, 204, res.body);
    assert.equal(res.headers['access-control-allow-origin'], '*');
    assert.match(String(res.headers['access-control-allow-methods']), /\bPOST\b/);
    const allowed = String(res.headers['access-control-allow-headers']).toLowerCase().split(/,\s*/);
    assert.ok(allowed.includes('authorization') && allowed.includes('content-type'), String(res.headers['access-control-allow-headers']));
  });
});
