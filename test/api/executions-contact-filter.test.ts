// GET /v2 (and v1) Flows/{FW}/Executions?ContactAddress=: a Switchboard extension listing one contact's
// executions (exact match on contact.channel.address), combined with status and the date filters,
// carried through every page URL, and bad values answered with a Twilio-format 400.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startTestServer, form, FORM, type TestServer } from '../support/server.ts';
import { assertMatchesSpec } from '../support/openapi.ts';

const askAndWait = readFileSync(new URL('../fixtures/flows/ask-and-wait.json', import.meta.url), 'utf8');
const BASE = 'https://switchboard.example.com';
const START = Date.UTC(2024, 0, 25, 12, 0, 0);
const CALLER = '+15550109999';
const OTHER = '+15550108888';

describe('Executions list: ContactAddress filter', () => {
  let t: TestServer;
  let clock = START;
  let flowSid = '';
  const sids: { sid: string; to: string }[] = [];
  before(async () => {
    t = await startTestServer({ config: { publicBaseUrl: BASE }, now: () => clock });
    const flow = await call('POST', '/v2/Flows', form({ FriendlyName: 'Contact filter', Status: 'published', Definition: askAndWait }));
    assert.equal(flow.statusCode, 201, flow.body);
    flowSid = flow.json().sid;
    // Seven executions a minute apart, the caller's from several flow addresses (one active per pair).
    for (let i = 0; i < 7; i++) {
      clock = START + i * 60_000;
      const to = i % 3 === 1 ? OTHER : CALLER;
      const res = await call('POST', `/v2/Flows/${flowSid}/Executions`, form({ To: to, From: `+1500555000${i}` }));
      assert.equal(res.statusCode, 201, res.body);
      sids.push({ sid: res.json().sid, to });
    }
    await t.app.executions.idle();
    assert.equal((await call('POST', `/v2/Flows/${flowSid}/Executions/${sids[3]!.sid}`, form({ Status: 'ended' }))).statusCode, 200);
  });
  after(() => t.close());

  const call = (method: 'GET' | 'POST', url: string, body?: string) =>
    t.app.server.inject({ method, url, payload: body, headers: { authorization: t.auth, ...(body !== undefined ? FORM : {}) } });
  const follow = (absolute: string) => {
    assert.ok(absolute.startsWith(BASE), absolute);
    return call('GET', absolute.slice(BASE.length));
  };
  const callersNewestFirst = () => sids.filter((e) => e.to === CALLER).map((e) => e.sid).reverse();

  async function collect(first: string) {
    const seen: string[] = [];
    const urls: string[] = [];
    let res = await call('GET', first);
    for (;;) {
      assert.equal(res.statusCode, 200, res.body);
      const body = res.json();
      seen.push(...body.executions.map((e: any) => e.sid));
      urls.push(body.meta.url, body.meta.first_page_url, ...(body.meta.previous_page_url ? [body.meta.previous_page_url] : []));
      if (!body.meta.next_page_url) break;
      urls.push(body.meta.next_page_url);
      res = await follow(body.meta.next_page_url);
    }
    return { seen, urls };
  }

  it("lists exactly the contact's executions, and keeps the filter in every page URL", async () => {
    const res = await call('GET', `/v2/Flows/${flowSid}/Executions?ContactAddress=${encodeURIComponent(CALLER)}`);
    assert.equal(res.statusCode, 200, res.body);
    assertMatchesSpec('v2', 'GET', '/v2/Flows/{FlowSid}/Executions', 200, res.json());
    assert.equal(callersNewestFirst().length, 5);
    assert.deepEqual(res.json().executions.map((e: any) => e.sid), callersNewestFirst());
    for (const execution of res.json().executions) assert.equal(execution.contact_channel_address, CALLER);

    const paged = await collect(`/v2/Flows/${flowSid}/Executions?ContactAddress=${encodeURIComponent(CALLER)}&PageSize=2`);
    assert.deepEqual(paged.seen, callersNewestFirst());
    assert.ok(paged.urls.length >= 6);
    for (const url of paged.urls) {
      assert.equal(new URL(url).searchParams.get('ContactAddress'), CALLER, url);
      assert.match(url, /ContactAddress=%2B15550109999/, `the '+' stays encoded: ${url}`);
    }
    // previous_page_url walks back within the contact's executions
    const second = await follow(paged.urls.find((u) => u.includes('PageToken'))!);
    assert.deepEqual((await follow(second.json().meta.previous_page_url)).json().executions.map((e: any) => e.sid), callersNewestFirst().slice(0, 2));

    const other = await call('GET', `/v2/Flows/${flowSid}/Executions?ContactAddress=${encodeURIComponent(OTHER)}`);
    assert.deepEqual(other.json().executions.map((e: any) => e.sid), sids.filter((e) => e.to === OTHER).map((e) => e.sid).reverse());
    const nobody = await call('GET', `/v2/Flows/${flowSid}/Executions?ContactAddress=${encodeURIComponent('+1555010999')}`);
    assert.deepEqual(nobody.json().executions, [], 'a prefix is not a match');
  });

  it('a phone number written for people is read as the create keeps the To: its E.164', async () => {
    const res = await call('GET', `/v2/Flows/${flowSid}/Executions?ContactAddress=${encodeURIComponent('+1 (555) 010-9999')}`);
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json().executions.map((e: any) => e.sid), callersNewestFirst());
    assert.equal(new URL(res.json().meta.url).searchParams.get('ContactAddress'), CALLER);
  });

  it('combines with status and the date filters, on v2 and v1 Executions', async () => {
    const ended = await call('GET', `/v2/Flows/${flowSid}/Executions?ContactAddress=${encodeURIComponent(CALLER)}&status=ended`);
    assert.deepEqual(ended.json().executions.map((e: any) => e.sid), [sids[3]!.sid]);
    const active = await collect(`/v2/Flows/${flowSid}/Executions?ContactAddress=${encodeURIComponent(CALLER)}&status=active&PageSize=1`);
    assert.deepEqual(active.seen, callersNewestFirst().filter((sid) => sid !== sids[3]!.sid));
    for (const url of active.urls) assert.equal(new URL(url).searchParams.get('status'), 'active', url);

    const from = new Date(START + 2 * 60_000).toISOString();
    const to = new Date(START + 5 * 60_000).toISOString();
    const window = await collect(
      `/v2/Flows/${flowSid}/Executions?ContactAddress=${encodeURIComponent(CALLER)}&DateCreatedFrom=${encodeURIComponent(from)}&DateCreatedTo=${encodeURIComponent(to)}&PageSize=1`,
    );
    assert.deepEqual(window.seen, [sids[3]!.sid, sids[2]!.sid]);
    for (const url of window.urls) {
      const params = new URL(url).searchParams;
      assert.equal(params.get('ContactAddress'), CALLER, url);
      assert.equal(params.get('DateCreatedFrom'), from, url);
    }

    const v1 = await call('GET', `/v1/Flows/${flowSid}/Executions?ContactAddress=${encodeURIComponent(CALLER)}&PageSize=2`);
    assert.equal(v1.statusCode, 200, v1.body);
    assert.deepEqual(v1.json().executions.map((e: any) => e.sid), callersNewestFirst().slice(0, 2));
    assert.equal(new URL(v1.json().meta.next_page_url).searchParams.get('ContactAddress'), CALLER);
  });

  it('answers bad values with a Twilio-format 400', async () => {
    const cases: [string, string, RegExp][] = [
      ['empty', 'ContactAddress=', /ContactAddress.*empty/],
      ['an unencoded +', 'ContactAddress=+15550109999', /ContactAddress.*starts with a space.*%2B/],
      ['a leading space', 'ContactAddress=%2015550109999', /ContactAddress.*starts with a space/],
      ['too long', `ContactAddress=${'a'.repeat(257)}`, /ContactAddress.*257 characters/],
      ['a NUL', 'ContactAddress=%2B1555%00', /ContactAddress/],
    ];
    for (const [name, query, message] of cases) {
      for (const version of ['v2', 'v1']) {
        const res = await call('GET', `/${version}/Flows/${flowSid}/Executions?${query}`);
        assert.equal(res.statusCode, 400, `${name} (${version}): ${res.body}`);
        const body = res.json();
        assert.deepEqual(Object.keys(body).filter((k) => k !== 'details').sort(), ['code', 'message', 'more_info', 'status'], name);
        assert.equal(body.code, 20001, name);
        assert.match(body.message, message, name);
      }
    }
    const longest = await call('GET', `/v2/Flows/${flowSid}/Executions?ContactAddress=${'a'.repeat(256)}`);
    assert.equal(longest.statusCode, 200, '256 characters are accepted');
    assert.deepEqual(longest.json().executions, []);
  });

  it('Engagements take no filters: ContactAddress is ignored there, as Twilio ignores unknown parameters', async () => {
    const res = await call('GET', `/v1/Flows/${flowSid}/Engagements?ContactAddress=${encodeURIComponent(OTHER)}`);
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().engagements.length, sids.length);
  });
});
