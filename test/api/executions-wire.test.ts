// Wire-level tests of the Executions API (v2, v1 and the deprecated v1 Engagements) through
// Fastify inject(): status codes, bodies checked against the official OpenAPI spec, the 409 body,
// v1's "return the active execution", filters carried through paging, bad input, account isolation.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startTestServer, form, FORM, basicAuth, type TestServer } from '../support/server.ts';
import { assertMatchesSpec } from '../support/openapi.ts';

const smsEcho = readFileSync(new URL('../fixtures/flows/sms-echo.json', import.meta.url), 'utf8');
const askAndWait = readFileSync(new URL('../fixtures/flows/ask-and-wait.json', import.meta.url), 'utf8');
const BASE = 'https://switchboard.example.com';
const START = Date.UTC(2024, 0, 15, 12, 0, 0);
const DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

describe('Executions API on the wire', () => {
  let t: TestServer;
  let clock = START;
  let contactSeq = 0;
  before(async () => {
    t = await startTestServer({ config: { publicBaseUrl: BASE }, now: () => clock });
  });
  after(() => t.close());

  const call = (method: 'GET' | 'POST' | 'DELETE', url: string, body?: string, headers: Record<string, string> = {}) =>
    t.app.server.inject({ method, url, payload: body, headers: { authorization: t.auth, ...(body !== undefined ? FORM : {}), ...headers } });

  /** Follows an absolute meta URL the way the SDKs do: verbatim, never re-adding parameters. */
  const follow = (absolute: string) => {
    assert.ok(absolute.startsWith(BASE), absolute);
    return call('GET', absolute.slice(BASE.length));
  };

  const nextContact = () => `+1555010${String(++contactSeq).padStart(4, '0')}`;

  async function createFlow(definition: string, status = 'published'): Promise<string> {
    const res = await call('POST', '/v2/Flows', form({ FriendlyName: 'Exec flow', Status: status, Definition: definition }));
    assert.equal(res.statusCode, 201, res.body);
    return res.json().sid;
  }

  async function start(flowSid: string, fields: Record<string, string> = {}, version: 'v1' | 'v2' = 'v2', collection = 'Executions') {
    const res = await call('POST', `/${version}/Flows/${flowSid}/${collection}`, form({ To: nextContact(), From: '+15005550006', ...fields }));
    assert.equal(res.statusCode, version === 'v2' ? 201 : 200, res.body);
    return res;
  }

  function assertTwilioError(res: { statusCode: number; json(): any }, status: number, code: number, message?: RegExp) {
    assert.equal(res.statusCode, status);
    const body = res.json();
    assert.deepEqual(Object.keys(body).filter((k) => k !== 'details').sort(), ['code', 'message', 'more_info', 'status']);
    assert.equal(body.status, status);
    assert.equal(body.code, code);
    assert.equal(body.more_info, `https://www.twilio.com/docs/errors/${code}`);
    if (message) assert.match(body.message, message);
  }

  it('v2: create 201, fetch, Context, Steps, Step and Step Context, all matching the spec', async () => {
    const flowSid = await createFlow(smsEcho);
    const created = await start(flowSid, { Parameters: JSON.stringify({ name: 'Zeke', nested: { list: [1, 2] } }) });
    const execution = created.json();
    assertMatchesSpec('v2', 'POST', '/v2/Flows/{FlowSid}/Executions', 201, execution);
    assert.match(execution.sid, /^FN[0-9a-f]{32}$/);
    assert.match(execution.contact_sid, /^FC[0-9a-f]{32}$/);
    assert.equal(execution.account_sid, t.account.sid);
    assert.equal(execution.flow_sid, flowSid);
    assert.equal(execution.flow_version, 1);
    assert.equal(execution.initiated_by, created.headers['twilio-request-id']);
    assert.match(execution.date_created, DATE);
    const url = `${BASE}/v2/Flows/${flowSid}/Executions/${execution.sid}`;
    assert.equal(execution.url, url);
    assert.deepEqual(execution.links, { steps: `${url}/Steps`, execution_context: `${url}/Context` });
    assert.deepEqual(execution.context.flow.data, { name: 'Zeke', nested: { list: [1, 2] } });

    await t.app.executions.idle();
    const fetched = await call('GET', `/v2/Flows/${flowSid}/Executions/${execution.sid}`);
    assert.equal(fetched.statusCode, 200);
    assertMatchesSpec('v2', 'GET', '/v2/Flows/{FlowSid}/Executions/{Sid}', 200, fetched.json());
    assert.equal(fetched.json().status, 'ended', 'a flow that only sends a message ends once it is sent');

    const context = await call('GET', `/v2/Flows/${flowSid}/Executions/${execution.sid}/Context`);
    assert.equal(context.statusCode, 200);
    assertMatchesSpec('v2', 'GET', '/v2/Flows/{FlowSid}/Executions/{ExecutionSid}/Context', 200, context.json());
    assert.equal(context.json().execution_sid, execution.sid);
    assert.equal(context.json().url, `${url}/Context`);
    assert.equal(context.json().context.flow.data.name, 'Zeke');
    assert.equal(context.json().context.contact.channel.address, execution.contact_channel_address);
    assert.equal(context.json().context.widgets.greet.outbound.Body, 'Hello Zeke');

    const steps = await call('GET', `/v2/Flows/${flowSid}/Executions/${execution.sid}/Steps`);
    assert.equal(steps.statusCode, 200);
    assertMatchesSpec('v2', 'GET', '/v2/Flows/{FlowSid}/Executions/{ExecutionSid}/Steps', 200, steps.json());
    assert.equal(steps.json().meta.key, 'steps');
    const list = steps.json().steps;
    assert.equal(list.length, 2, JSON.stringify(list));
    assert.deepEqual(
      list.map((s: any) => [s.name, s.type, s.transitioned_from, s.transitioned_to]),
      [
        ['incomingRequest', 'trigger', 'Trigger', 'greet'],
        ['sent', 'send-message', 'greet', 'Ended'],
      ],
    );

    const first = list[0];
    const step = await call('GET', `/v2/Flows/${flowSid}/Executions/${execution.sid}/Steps/${first.sid}`);
    assert.equal(step.statusCode, 200);
    assertMatchesSpec('v2', 'GET', '/v2/Flows/{FlowSid}/Executions/{ExecutionSid}/Steps/{Sid}', 200, step.json());
    assert.equal(step.json().url, `${url}/Steps/${first.sid}`);
    assert.equal(step.json().links.step_context, `${url}/Steps/${first.sid}/Context`);

    const stepContext = await call('GET', `/v2/Flows/${flowSid}/Executions/${execution.sid}/Steps/${first.sid}/Context`);
    assert.equal(stepContext.statusCode, 200);
    assertMatchesSpec('v2', 'GET', '/v2/Flows/{FlowSid}/Executions/{ExecutionSid}/Steps/{StepSid}/Context', 200, stepContext.json());
    assert.equal(stepContext.json().step_sid, first.sid);
    assert.equal(stepContext.json().execution_sid, execution.sid);
  });

  it('an execution that ends in its first sprint has date_updated (when it ended) from the 201 on, in every view', async () => {
    const setOnly = JSON.stringify({
      description: 'ends at once',
      initial_state: 'Trigger',
      flags: { allow_concurrent_calls: true },
      states: [
        { name: 'Trigger', type: 'trigger', transitions: [{ event: 'incomingRequest', next: 'a' }], properties: { offset: { x: 0, y: 0 } } },
        ...['a', 'b', 'c'].map((name, i, all) => ({
          name,
          type: 'set-variables',
          transitions: [{ event: 'next', ...(all[i + 1] ? { next: all[i + 1] } : {}) }],
          properties: { offset: { x: 0, y: 100 * (i + 1) }, variables: [{ key: name, value: String(i) }] },
        })),
      ],
    });
    const flowSid = await createFlow(setOnly);
    for (const [version, collection] of [['v2', 'Executions'], ['v1', 'Executions'], ['v1', 'Engagements']] as const) {
      clock += 1000;
      const created = await start(flowSid, {}, version, collection);
      assert.equal(created.json().status, 'ended', created.body);
      assert.equal(created.json().date_updated, new Date(clock).toISOString().replace(/\.\d{3}Z$/, 'Z'), `${version} ${collection}: ${created.body}`);
      clock += 60_000;
      const fetched = await call('GET', `/${version}/Flows/${flowSid}/${collection}/${created.json().sid}`);
      assert.equal(fetched.json().date_updated, created.json().date_updated, 'it stays the time it ended');
    }
    // One still waiting after its first sprint has not been updated yet, as before.
    const waiting = await start(await createFlow(askAndWait));
    assert.equal(waiting.json().status, 'active');
    assert.equal(waiting.json().date_updated, null);
    await t.app.executions.idle();
  });

  it('v2: a second execution for an active contact pair is a 409 whose body is exactly Studio’s', async () => {
    const flowSid = await createFlow(askAndWait);
    const contact = nextContact();
    const first = await call('POST', `/v2/Flows/${flowSid}/Executions`, form({ To: contact, From: '+15005550006' }));
    assert.equal(first.statusCode, 201, first.body);
    await t.app.executions.idle();
    const sid = first.json().sid;

    const again = await call('POST', `/v2/Flows/${flowSid}/Executions`, form({ To: contact, From: '+15005550006' }));
    assert.equal(again.statusCode, 409);
    assert.deepEqual(again.json(), {
      code: 20409,
      message: `Execution ${sid} is already active for this contact. End the active Execution before creating a new one`,
      details: { conflicting_execution_sid: sid },
      more_info: 'https://www.twilio.com/docs/errors/20409',
      status: 409,
    });

    // another channel address is another pair
    const otherFrom = await call('POST', `/v2/Flows/${flowSid}/Executions`, form({ To: contact, From: '+15005550007' }));
    assert.equal(otherFrom.statusCode, 201);

    // Update: Status=ended only; then the pair is free again
    assertTwilioError(await call('POST', `/v2/Flows/${flowSid}/Executions/${sid}`, form({ Status: 'active' })), 400, 20001, /Status/);
    assertTwilioError(await call('POST', `/v2/Flows/${flowSid}/Executions/${sid}`, ''), 400, 20001, /Status/);
    const ended = await call('POST', `/v2/Flows/${flowSid}/Executions/${sid}`, form({ Status: 'ended' }));
    assert.equal(ended.statusCode, 200, ended.body);
    assertMatchesSpec('v2', 'POST', '/v2/Flows/{FlowSid}/Executions/{Sid}', 200, ended.json());
    assert.equal(ended.json().status, 'ended');
    assert.match(ended.json().date_updated, DATE);
    clock += 60_000;
    const endedAgain = await call('POST', `/v2/Flows/${flowSid}/Executions/${sid}`, form({ Status: 'ended' }));
    assert.equal(endedAgain.statusCode, 200);
    assert.deepEqual(endedAgain.json(), ended.json(), 'ending an ended execution changes nothing, date_updated included');
    const alerts = (await call('GET', `/v1/Alerts?ResourceSid=${sid}`)).json();
    assert.ok(!JSON.stringify(alerts).includes('81002'), 'and raises no unexpected-event warning');

    const fresh = await call('POST', `/v2/Flows/${flowSid}/Executions`, form({ To: contact, From: '+15005550006' }));
    assert.equal(fresh.statusCode, 201);
    assert.notEqual(fresh.json().sid, sid);
  });

  it('v2: delete answers 204 with an empty body, then the execution and its steps are gone', async () => {
    const flowSid = await createFlow(smsEcho);
    const sid = (await start(flowSid)).json().sid;
    await t.app.executions.idle();
    const steps = (await call('GET', `/v2/Flows/${flowSid}/Executions/${sid}/Steps`)).json().steps;
    const del = await call('DELETE', `/v2/Flows/${flowSid}/Executions/${sid}`);
    assert.equal(del.statusCode, 204);
    assert.equal(del.body, '');
    assertTwilioError(await call('GET', `/v2/Flows/${flowSid}/Executions/${sid}`), 404, 20404, new RegExp(`/v2/Flows/${flowSid}/Executions/${sid}`));
    assertTwilioError(await call('GET', `/v2/Flows/${flowSid}/Executions/${sid}/Steps`), 404, 20404);
    assertTwilioError(await call('GET', `/v2/Flows/${flowSid}/Executions/${sid}/Steps/${steps[0].sid}`), 404, 20404);
    assertTwilioError(await call('DELETE', `/v2/Flows/${flowSid}/Executions/${sid}`), 404, 20404);
  });

  it('accepts Parameters from python-style bodies and JSON bodies', async () => {
    const flowSid = await createFlow(smsEcho);
    const python = `To=%2B15550199001&From=%2B15005550006&Parameters=${encodeURIComponent(JSON.stringify({ name: 'Ada Lovelace' }, null, 1)).replace(/%20/g, '+')}`;
    const res = await call('POST', `/v2/Flows/${flowSid}/Executions`, python, { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' });
    assert.equal(res.statusCode, 201, res.body);
    assert.deepEqual(res.json().context.flow.data, { name: 'Ada Lovelace' });

    const json = await t.app.server.inject({
      method: 'POST',
      url: `/v2/Flows/${flowSid}/Executions`,
      payload: JSON.stringify({ To: '+15550199002', From: '+15005550006', Parameters: { name: 'Grace' } }),
      headers: { authorization: t.auth, 'content-type': 'application/json' },
    });
    assert.equal(json.statusCode, 201, json.body);
    assert.deepEqual(json.json().context.flow.data, { name: 'Grace' });
    await t.app.executions.idle();
  });

  it("accepts the single-quoted Parameters of Twilio's own reference ({'name':'Zeke'}) and says what JSON it wants otherwise", async () => {
    const flowSid = await createFlow(smsEcho);
    const quoted = await call('POST', `/v2/Flows/${flowSid}/Executions`, form({ To: '+15550199011', From: '+15005550006', Parameters: "{'name':'Zeke', 'quote': 'say \\'hi\\' \"now\"', \"n\": 2, 'list': ['a']}" }));
    assert.equal(quoted.statusCode, 201, quoted.body);
    assert.deepEqual(quoted.json().context.flow.data, { name: 'Zeke', quote: `say 'hi' "now"`, n: 2, list: ['a'] });
    const engagement = await call('POST', `/v1/Flows/${flowSid}/Engagements`, form({ To: '+15550199012', From: '+15005550006', Parameters: "{'name':'Zeke'}" }));
    assert.equal(engagement.statusCode, 200, engagement.body);
    for (const bad of ["{'name':'Zeke'", "{name:'Zeke'}", "{'a': 'never closed}"]) {
      const refused = await call('POST', `/v2/Flows/${flowSid}/Executions`, form({ To: '+15550199013', From: '+15005550006', Parameters: bad }));
      assertTwilioError(refused, 400, 20001);
      assert.match(refused.json().message, /Parameters is a JSON object, e\.g\. \{"name":"Zeke"\}/, bad);
    }
    await t.app.executions.idle();
  });

  it('v1 Executions: create 200 returning the active execution for the pair, fetch, list, update, Context, Steps, delete', async () => {
    const flowSid = await createFlow(askAndWait);
    const contact = nextContact();
    const created = await call('POST', `/v1/Flows/${flowSid}/Executions`, form({ To: contact, From: '+15005550006', Parameters: '{"name":"Vee"}' }));
    assert.equal(created.statusCode, 200, created.body);
    const execution = created.json();
    assertMatchesSpec('v1', 'POST', '/v1/Flows/{FlowSid}/Executions', 200, execution);
    assert.equal('flow_version' in execution || 'initiated_by' in execution, false);
    const url = `${BASE}/v1/Flows/${flowSid}/Executions/${execution.sid}`;
    assert.equal(execution.url, url);
    assert.deepEqual(execution.links, { steps: `${url}/Steps`, execution_context: `${url}/Context` });
    await t.app.executions.idle();

    const again = await call('POST', `/v1/Flows/${flowSid}/Executions`, form({ To: contact, From: '+15005550006' }));
    assert.equal(again.statusCode, 200);
    assertMatchesSpec('v1', 'POST', '/v1/Flows/{FlowSid}/Executions', 200, again.json());
    assert.equal(again.json().sid, execution.sid, 'v1 returns the existing active execution');
    assert.equal(again.json().context.flow.data.name, 'Vee');

    // the v2 view of the same execution
    const v2 = await call('GET', `/v2/Flows/${flowSid}/Executions/${execution.sid}`);
    assert.equal(v2.json().status, 'active');

    const fetched = await call('GET', `/v1/Flows/${flowSid}/Executions/${execution.sid}`);
    assert.equal(fetched.statusCode, 200);
    assertMatchesSpec('v1', 'GET', '/v1/Flows/{FlowSid}/Executions/{Sid}', 200, fetched.json());

    const list = await call('GET', `/v1/Flows/${flowSid}/Executions`);
    assert.equal(list.statusCode, 200);
    assertMatchesSpec('v1', 'GET', '/v1/Flows/{FlowSid}/Executions', 200, list.json());
    assert.deepEqual(list.json().executions.map((e: any) => e.sid), [execution.sid]);

    const context = await call('GET', `/v1/Flows/${flowSid}/Executions/${execution.sid}/Context`);
    assertMatchesSpec('v1', 'GET', '/v1/Flows/{FlowSid}/Executions/{ExecutionSid}/Context', 200, context.json());
    assert.equal(context.json().url, `${url}/Context`);

    const steps = await call('GET', `/v1/Flows/${flowSid}/Executions/${execution.sid}/Steps`);
    assertMatchesSpec('v1', 'GET', '/v1/Flows/{FlowSid}/Executions/{ExecutionSid}/Steps', 200, steps.json());
    const stepSid = steps.json().steps[0].sid;
    assert.equal(steps.json().steps[0].url, `${url}/Steps/${stepSid}`);
    const step = await call('GET', `/v1/Flows/${flowSid}/Executions/${execution.sid}/Steps/${stepSid}`);
    assertMatchesSpec('v1', 'GET', '/v1/Flows/{FlowSid}/Executions/{ExecutionSid}/Steps/{Sid}', 200, step.json());
    const stepContext = await call('GET', `/v1/Flows/${flowSid}/Executions/${execution.sid}/Steps/${stepSid}/Context`);
    assertMatchesSpec('v1', 'GET', '/v1/Flows/{FlowSid}/Executions/{ExecutionSid}/Steps/{StepSid}/Context', 200, stepContext.json());

    const ended = await call('POST', `/v1/Flows/${flowSid}/Executions/${execution.sid}`, form({ Status: 'ended' }));
    assert.equal(ended.statusCode, 200);
    assertMatchesSpec('v1', 'POST', '/v1/Flows/{FlowSid}/Executions/{Sid}', 200, ended.json());
    assert.equal(ended.json().status, 'ended');

    const del = await call('DELETE', `/v1/Flows/${flowSid}/Executions/${execution.sid}`);
    assert.equal(del.statusCode, 204);
    assert.equal(del.body, '');
  });

  it('v1 Engagements: the same executions through the older shape', async () => {
    const flowSid = await createFlow(askAndWait);
    const contact = nextContact();
    const created = await call('POST', `/v1/Flows/${flowSid}/Engagements`, form({ To: contact, From: '+15005550006' }));
    assert.equal(created.statusCode, 200, created.body);
    const engagement = created.json();
    assertMatchesSpec('v1', 'POST', '/v1/Flows/{FlowSid}/Engagements', 200, engagement);
    const url = `${BASE}/v1/Flows/${flowSid}/Engagements/${engagement.sid}`;
    assert.deepEqual(engagement.links, { steps: `${url}/Steps`, engagement_context: `${url}/Context` });
    await t.app.executions.idle();

    const again = await call('POST', `/v1/Flows/${flowSid}/Engagements`, form({ To: contact, From: '+15005550006' }));
    assert.equal(again.statusCode, 200);
    assert.equal(again.json().sid, engagement.sid);
    // it is an execution too
    assert.equal((await call('GET', `/v2/Flows/${flowSid}/Executions/${engagement.sid}`)).statusCode, 200);

    const fetched = await call('GET', `/v1/Flows/${flowSid}/Engagements/${engagement.sid}`);
    assertMatchesSpec('v1', 'GET', '/v1/Flows/{FlowSid}/Engagements/{Sid}', 200, fetched.json());
    const list = await call('GET', `/v1/Flows/${flowSid}/Engagements`);
    assertMatchesSpec('v1', 'GET', '/v1/Flows/{FlowSid}/Engagements', 200, list.json());
    assert.equal(list.json().meta.key, 'engagements');
    assert.deepEqual(list.json().engagements.map((e: any) => e.sid), [engagement.sid]);

    const context = await call('GET', `/v1/Flows/${flowSid}/Engagements/${engagement.sid}/Context`);
    assertMatchesSpec('v1', 'GET', '/v1/Flows/{FlowSid}/Engagements/{EngagementSid}/Context', 200, context.json());
    assert.equal(context.json().engagement_sid, engagement.sid);

    const steps = await call('GET', `/v1/Flows/${flowSid}/Engagements/${engagement.sid}/Steps`);
    assertMatchesSpec('v1', 'GET', '/v1/Flows/{FlowSid}/Engagements/{EngagementSid}/Steps', 200, steps.json());
    const stepSid = steps.json().steps[0].sid;
    assert.equal(steps.json().steps[0].engagement_sid, engagement.sid);
    const step = await call('GET', `/v1/Flows/${flowSid}/Engagements/${engagement.sid}/Steps/${stepSid}`);
    assertMatchesSpec('v1', 'GET', '/v1/Flows/{FlowSid}/Engagements/{EngagementSid}/Steps/{Sid}', 200, step.json());
    assert.equal(step.json().links.step_context, `${url}/Steps/${stepSid}/Context`);
    const stepContext = await call('GET', `/v1/Flows/${flowSid}/Engagements/${engagement.sid}/Steps/${stepSid}/Context`);
    assertMatchesSpec('v1', 'GET', '/v1/Flows/{FlowSid}/Engagements/{EngagementSid}/Steps/{StepSid}/Context', 200, stepContext.json());

    // Engagements have no update in the spec
    const update = await call('POST', `/v1/Flows/${flowSid}/Engagements/${engagement.sid}`, form({ Status: 'ended' }));
    assertTwilioError(update, 405, 20004);

    const del = await call('DELETE', `/v1/Flows/${flowSid}/Engagements/${engagement.sid}`);
    assert.equal(del.statusCode, 204);
    assert.equal(del.body, '');
    assertTwilioError(await call('GET', `/v1/Flows/${flowSid}/Engagements/${engagement.sid}`), 404, 20404);
  });

  it('lists newest first, filters by status and creation date, and carries the filters through every page', async () => {
    const flowSid = await createFlow(askAndWait);
    const sids: string[] = [];
    for (let i = 0; i < 7; i++) {
      clock = START + 86_400_000 * 10 + i * 60_000; // one a minute from 2024-01-25T12:00:00Z
      sids.push((await start(flowSid)).json().sid);
    }
    await t.app.executions.idle();
    for (const sid of [sids[1], sids[4]]) {
      assert.equal((await call('POST', `/v2/Flows/${flowSid}/Executions/${sid}`, form({ Status: 'ended' }))).statusCode, 200);
    }

    const all = await call('GET', `/v2/Flows/${flowSid}/Executions`);
    assertMatchesSpec('v2', 'GET', '/v2/Flows/{FlowSid}/Executions', 200, all.json());
    assert.deepEqual(all.json().executions.map((e: any) => e.sid), [...sids].reverse());

    async function collect(first: string, key = 'executions') {
      const seen: string[] = [];
      const urls: string[] = [];
      let res = await call('GET', first);
      for (;;) {
        assert.equal(res.statusCode, 200, res.body);
        const body = res.json();
        seen.push(...body[key].map((e: any) => e.sid));
        if (!body.meta.next_page_url) break;
        urls.push(body.meta.next_page_url);
        res = await follow(body.meta.next_page_url);
      }
      return { seen, urls };
    }

    const active = await collect(`/v2/Flows/${flowSid}/Executions?status=active&PageSize=2`);
    assert.deepEqual(active.seen, [sids[6], sids[5], sids[3], sids[2], sids[0]]);
    assert.equal(active.urls.length, 2);
    for (const url of active.urls) {
      const params = new URL(url).searchParams;
      assert.equal(params.get('status'), 'active', url);
      assert.equal(params.get('PageSize'), '2', url);
      assert.match(params.get('PageToken') ?? '', /^PA/, url);
    }

    const ended = await call('GET', `/v2/Flows/${flowSid}/Executions?status=ended`);
    assert.deepEqual(ended.json().executions.map((e: any) => e.sid), [sids[4], sids[1]]);
    assert.equal(new URL(ended.json().meta.url).searchParams.get('status'), 'ended');
    assert.equal(new URL(ended.json().meta.first_page_url).searchParams.get('status'), 'ended');

    const from = '2024-01-25T12:01:30Z';
    const to = '2024-01-25T14:04:30+02:00'; // 12:04:30Z (boundaries are not asserted: inclusive or not is UNCONFIRMED)
    const window = await collect(`/v2/Flows/${flowSid}/Executions?DateCreatedFrom=${encodeURIComponent(from)}&DateCreatedTo=${encodeURIComponent(to)}&PageSize=1`);
    assert.deepEqual(window.seen, [sids[4], sids[3], sids[2]]);
    for (const url of window.urls) {
      const params = new URL(url).searchParams;
      assert.equal(params.get('DateCreatedFrom'), from);
      assert.equal(params.get('DateCreatedTo'), to);
    }

    // previous_page_url walks back with the same filters
    const second = await follow(window.urls[0]!);
    const previous = second.json().meta.previous_page_url;
    assert.equal(new URL(previous).searchParams.get('DateCreatedFrom'), from);
    assert.deepEqual((await follow(previous)).json().executions.map((e: any) => e.sid), [sids[4]]);

    // v1 Executions: dates (no status filter in the v1 spec); Engagements: plain paging
    const v1 = await collect(`/v1/Flows/${flowSid}/Executions?DateCreatedFrom=${encodeURIComponent(from)}&PageSize=3`);
    assert.deepEqual(v1.seen, [sids[6], sids[5], sids[4], sids[3], sids[2]]);
    assert.equal(new URL(v1.urls[0]!).searchParams.get('DateCreatedFrom'), from);
    assert.ok(v1.urls[0]!.startsWith(`${BASE}/v1/Flows/${flowSid}/Executions?`));
    const engagements = await collect(`/v1/Flows/${flowSid}/Engagements?PageSize=4`, 'engagements');
    assert.deepEqual(engagements.seen, [...sids].reverse());

    clock = START;

    // steps page oldest first
    const echoSid = await createFlow(smsEcho);
    const echo = (await start(echoSid)).json().sid;
    await t.app.executions.idle();
    const steps = await collect(`/v2/Flows/${echoSid}/Executions/${echo}/Steps?PageSize=1`, 'steps');
    const whole = (await call('GET', `/v2/Flows/${echoSid}/Executions/${echo}/Steps`)).json().steps;
    assert.equal(whole.length, 2);
    assert.deepEqual(steps.seen, whole.map((s: any) => s.sid));
    assert.equal(whole[0].type, 'trigger');
  });

  it('answers bad input with Twilio error bodies, never a 5xx', async () => {
    const flowSid = await createFlow(askAndWait);
    const draftSid = await createFlow(smsEcho, 'draft');
    const execSid = (await start(flowSid)).json().sid;
    await t.app.executions.idle();
    const stepSid = (await call('GET', `/v2/Flows/${flowSid}/Executions/${execSid}/Steps`)).json().steps[0].sid;
    const exec = `/v2/Flows/${flowSid}/Executions`;
    const missingFlow = 'FW' + '0'.repeat(32);
    const missingExec = 'FN' + '0'.repeat(32);
    const missingStep = 'FT' + '0'.repeat(32);

    const cases: [string, 'GET' | 'POST' | 'DELETE', string, string | undefined, number, number, RegExp?][] = [
      ['missing To', 'POST', exec, form({ From: '+15005550006' }), 400, 20001, /^Missing required parameter To in the post body$/],
      ['missing From', 'POST', exec, form({ To: '+15550100999' }), 400, 20001, /^Missing required parameter From in the post body$/],
      ['empty body', 'POST', exec, '', 400, 20001, /To/],
      ['Parameters not JSON', 'POST', exec, form({ To: '+1', From: '+2', Parameters: '{name:' }), 400, 20001, /Parameters/],
      ['Parameters an array', 'POST', exec, form({ To: '+1', From: '+2', Parameters: '[1]' }), 400, 20001, /Parameters/],
      ['Parameters a string', 'POST', exec, form({ To: '+1', From: '+2', Parameters: '"x"' }), 400, 20001, /Parameters/],
      ['Parameters null', 'POST', exec, form({ To: '+1', From: '+2', Parameters: 'null' }), 400, 20001, /Parameters/],
      ['v1 Parameters not JSON', 'POST', `/v1/Flows/${flowSid}/Executions`, form({ To: '+1', From: '+2', Parameters: '{' }), 400, 20001, /Parameters/],
      ['v1 Engagement missing To', 'POST', `/v1/Flows/${flowSid}/Engagements`, form({ From: '+2' }), 400, 20001, /To/],
      ['flow never published', 'POST', `/v2/Flows/${draftSid}/Executions`, form({ To: '+1', From: '+2' }), 400, 20001, /published/],
      ['unknown flow (create)', 'POST', `/v2/Flows/${missingFlow}/Executions`, form({ To: '+1', From: '+2' }), 404, 20404],
      ['unknown flow (v1 create)', 'POST', `/v1/Flows/${missingFlow}/Engagements`, form({ To: '+1', From: '+2' }), 404, 20404, /\/v1\//],
      ['unknown flow (list)', 'GET', `/v2/Flows/${missingFlow}/Executions`, undefined, 404, 20404],
      ['status upper-case', 'GET', `${exec}?status=ACTIVE`, undefined, 400, 20001, /status/],
      ['status unknown', 'GET', `${exec}?status=running`, undefined, 400, 20001, /status/],
      ['DateCreatedFrom not a date', 'GET', `${exec}?DateCreatedFrom=yesterday`, undefined, 400, 20001, /DateCreatedFrom/],
      ['DateCreatedTo impossible', 'GET', `${exec}?DateCreatedTo=2024-13-45T00:00:00Z`, undefined, 400, 20001, /DateCreatedTo/],
      ['v1 DateCreatedTo not a date', 'GET', `/v1/Flows/${flowSid}/Executions?DateCreatedTo=soon`, undefined, 400, 20001, /DateCreatedTo/],
      ['PageSize 0', 'GET', `${exec}?PageSize=0`, undefined, 400, 20001, /PageSize/],
      ['PageToken forged', 'GET', `${exec}?PageToken=abc`, undefined, 400, 21481],
      ['steps PageToken forged', 'GET', `${exec}/${execSid}/Steps?PageToken=PAx`, undefined, 400, 21481],
      ['update Status=active', 'POST', `${exec}/${execSid}`, form({ Status: 'active' }), 400, 20001, /Status/],
      ['update Status missing', 'POST', `${exec}/${execSid}`, form({}), 400, 20001, /Status/],
      ['update unknown execution', 'POST', `${exec}/${missingExec}`, form({ Status: 'ended' }), 404, 20404],
      ['malformed flow sid', 'GET', '/v2/Flows/FWnope/Executions', undefined, 404, 20404],
      ['flow sid with the wrong prefix', 'GET', `/v2/Flows/${execSid}/Executions/${execSid}`, undefined, 404, 20404],
      ['malformed execution sid', 'GET', `${exec}/FNnope`, undefined, 404, 20404, /FNnope/],
      ['execution sid with the wrong prefix', 'GET', `${exec}/${flowSid}`, undefined, 404, 20404],
      ['malformed execution sid (delete)', 'DELETE', `${exec}/FN123`, undefined, 404, 20404],
      ['malformed execution sid (update)', 'POST', `${exec}/FN123`, form({ Status: 'ended' }), 404, 20404],
      ['malformed execution sid (context)', 'GET', `${exec}/FN123/Context`, undefined, 404, 20404],
      ['malformed step sid', 'GET', `${exec}/${execSid}/Steps/FTnope`, undefined, 404, 20404],
      ['malformed step sid (context)', 'GET', `${exec}/${execSid}/Steps/${execSid}/Context`, undefined, 404, 20404],
      ['unknown execution (context)', 'GET', `${exec}/${missingExec}/Context`, undefined, 404, 20404],
      ['unknown execution (steps)', 'GET', `${exec}/${missingExec}/Steps`, undefined, 404, 20404],
      ['unknown step', 'GET', `${exec}/${execSid}/Steps/${missingStep}`, undefined, 404, 20404],
      ['step of another execution', 'GET', `${exec}/${missingExec}/Steps/${stepSid}`, undefined, 404, 20404],
      ['execution under another flow', 'GET', `/v2/Flows/${draftSid}/Executions/${execSid}`, undefined, 404, 20404],
      ['unknown engagement', 'GET', `/v1/Flows/${flowSid}/Engagements/${missingExec}`, undefined, 404, 20404],
      ['malformed engagement step', 'GET', `/v1/Flows/${flowSid}/Engagements/${execSid}/Steps/nope/Context`, undefined, 404, 20404],
      ['POST on Steps is not allowed', 'POST', `${exec}/${execSid}/Steps`, '', 405, 20004],
    ];
    for (const [name, method, url, body, status, code, message] of cases) {
      const res = await call(method, url, body);
      assert.ok(res.statusCode < 500, `${name}: ${res.statusCode} ${res.body}`);
      try {
        assertTwilioError(res, status, code, message);
      } catch (error) {
        throw new Error(`${name}: ${(error as Error).message}\n${res.statusCode} ${res.body}`);
      }
    }
    // none of the rejected creates started anything
    assert.equal((await call('GET', exec)).json().executions.length, 1);
  });

  it('keeps accounts apart: another account sees 404 for every execution resource', async () => {
    const flowSid = await createFlow(askAndWait);
    const execSid = (await start(flowSid)).json().sid;
    await t.app.executions.idle();
    const stepSid = (await call('GET', `/v2/Flows/${flowSid}/Executions/${execSid}/Steps`)).json().steps[0].sid;
    const other = await t.app.accounts.create('Other');
    const otherAuth = basicAuth(other.sid, other.authToken);
    const as = (method: 'GET' | 'POST' | 'DELETE', url: string, body?: string) =>
      t.app.server.inject({ method, url, payload: body, headers: { authorization: otherAuth, ...(body !== undefined ? FORM : {}) } });

    const requests: ['GET' | 'POST' | 'DELETE', string, string?][] = [];
    for (const prefix of [`/v2/Flows/${flowSid}/Executions`, `/v1/Flows/${flowSid}/Executions`, `/v1/Flows/${flowSid}/Engagements`]) {
      requests.push(
        ['GET', prefix],
        ['POST', prefix, form({ To: '+15550100001', From: '+15005550006' })],
        ['GET', `${prefix}/${execSid}`],
        ['DELETE', `${prefix}/${execSid}`],
        ['GET', `${prefix}/${execSid}/Context`],
        ['GET', `${prefix}/${execSid}/Steps`],
        ['GET', `${prefix}/${execSid}/Steps/${stepSid}`],
        ['GET', `${prefix}/${execSid}/Steps/${stepSid}/Context`],
      );
    }
    requests.push(['POST', `/v2/Flows/${flowSid}/Executions/${execSid}`, form({ Status: 'ended' })]);
    requests.push(['POST', `/v1/Flows/${flowSid}/Executions/${execSid}`, form({ Status: 'ended' })]);
    for (const [method, url, body] of requests) {
      const res = await as(method, url, body);
      assert.equal(res.statusCode, 404, `${method} ${url}: ${res.body}`);
      assert.equal(res.json().code, 20404);
    }
    const mine = await call('GET', `/v2/Flows/${flowSid}/Executions/${execSid}`);
    assert.equal(mine.statusCode, 200);
    assert.equal(mine.json().status, 'active', 'the other account could not end it');
    assert.equal((await call('GET', `/v2/Flows/${flowSid}/Executions`)).json().executions.length, 1, 'nor create one');
  });
});
