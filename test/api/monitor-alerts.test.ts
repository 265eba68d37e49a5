// The engine's warnings and errors are kept as Monitor Alerts (Twilio's Debugger): a Liquid error
// (84003) and a widget loop (81001) show up under /v1/Alerts with filters and paging, fetchable one
// by one, per account; twilio-node's monitor client reads them unchanged.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import twilio from 'twilio';
import { FORM, form, startTestServer, basicAuth, type TestServer } from '../support/server.ts';
import { triggerFlow } from '../support/flows.ts';

function flow(second: Record<string, unknown>) {
  return triggerFlow('alerts', 'incomingRequest', 'w', [{ name: 'w', properties: { offset: { x: 0, y: 100 } }, ...second }]);
}
const brokenLiquid = flow({ type: 'send-message', properties: { offset: { x: 0, y: 100 }, from: '{{flow.channel.address}}', to: '{{contact.channel.address}}', body: '{% if %}' }, transitions: [{ event: 'sent' }, { event: 'failed' }] });
const selfLoop = flow({ type: 'split-based-on', properties: { offset: { x: 0, y: 100 }, input: 'x' }, transitions: [{ event: 'noMatch', next: 'w' }] });

describe('Monitor Alerts', () => {
  let t: TestServer;
  let liquidExecution: string;
  let loopExecution: string;
  let loopFlow: string;
  before(async () => {
    t = await startTestServer({ listen: true });
    const run = async (definition: unknown, to: string) => {
      const created = await t.app.flows.create(t.account.sid, { friendlyName: 'f', status: 'published', definition });
      const res = await t.app.server.inject({ method: 'POST', url: `/v2/Flows/${created.sid}/Executions`, headers: { authorization: t.auth, ...FORM }, payload: form({ To: to, From: '+15005550006' }) });
      assert.equal(res.statusCode, 201, res.body);
      await t.app.executions.idle();
      return { flowSid: created.sid, executionSid: res.json().sid as string };
    };
    liquidExecution = (await run(brokenLiquid, '+15551230001')).executionSid;
    const loop = await run(selfLoop, '+15551230002');
    loopExecution = loop.executionSid;
    loopFlow = loop.flowSid;
  });
  after(() => t.close());

  const get = (url: string, auth = t.auth) => t.app.server.inject({ method: 'GET', url, headers: { authorization: auth } });

  it('lists the alerts of every execution, newest first, in the Monitor shape', async () => {
    const res = await get('/v1/Alerts');
    assert.equal(res.statusCode, 200);
    const body = res.json();
    assert.equal(body.meta.key, 'alerts');
    const byExecution = new Map<string, any[]>();
    for (const alert of body.alerts) byExecution.set(alert.resource_sid, [...(byExecution.get(alert.resource_sid) ?? []), alert]);
    const liquid = byExecution.get(liquidExecution)!;
    assert.ok(liquid.some((a) => a.error_code === '84003' && a.log_level === 'error'), JSON.stringify(liquid));
    const loop = byExecution.get(loopExecution)!;
    const warning = loop.find((a) => a.error_code === '81001');
    assert.ok(warning, JSON.stringify(loop));
    assert.equal(warning.service_sid, loopFlow);
    assert.equal(warning.account_sid, t.account.sid);
    assert.match(warning.sid, /^NO[0-9a-f]{32}$/);
    assert.equal(warning.more_info, 'https://www.twilio.com/docs/errors/81001');
    assert.match(warning.date_created, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    assert.equal(new URLSearchParams(warning.alert_text).get('ErrorCode'), '81001');
    assert.equal(new URLSearchParams(warning.alert_text).get('executionSid'), loopExecution);
    assert.ok(warning.url.endsWith(`/v1/Alerts/${warning.sid}`) && /^https?:\/\//.test(warning.url), warning.url);
  });

  it('filters by LogLevel and dates, pages with absolute URLs, and refuses bad filters', async () => {
    const errorsOnly = (await get('/v1/Alerts?LogLevel=error')).json();
    assert.ok(errorsOnly.alerts.length > 0);
    assert.ok(errorsOnly.alerts.every((a: any) => a.log_level === 'error'));
    assert.equal((await get('/v1/Alerts?EndDate=2000-01-01T00:00:00Z')).json().alerts.length, 0);
    const first = (await get('/v1/Alerts?PageSize=1')).json();
    assert.equal(first.alerts.length, 1);
    assert.match(first.meta.next_page_url, /^http:\/\/.+\/v1\/Alerts\?.*PageToken=PA/);
    const bad = await get('/v1/Alerts?LogLevel=loud');
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().code, 20001);
    assert.equal((await get('/v1/Alerts?StartDate=yesterday')).statusCode, 400);
  });

  it('fetches one alert; unknown and malformed SIDs are 404; other accounts see nothing', async () => {
    const [alert] = (await get('/v1/Alerts?PageSize=1')).json().alerts;
    const one = await get(`/v1/Alerts/${alert.sid}`);
    assert.equal(one.statusCode, 200);
    assert.equal(one.json().sid, alert.sid);
    assert.equal(one.json().request_variables, null);
    assert.equal((await get(`/v1/Alerts/NO${'0'.repeat(32)}`)).statusCode, 404);
    assert.equal((await get('/v1/Alerts/nope')).statusCode, 404);
    const other = await t.app.accounts.create('other');
    const res = await get('/v1/Alerts', basicAuth(other.sid, other.authToken));
    assert.equal(res.statusCode, 200);
    assert.equal(res.json().alerts.length, 0);
    assert.equal((await get(`/v1/Alerts/${alert.sid}`, basicAuth(other.sid, other.authToken))).statusCode, 404);
  });

  it("works with twilio-node's monitor client", async () => {
    const client = twilio(t.account.sid, t.account.authToken);
    client.monitor.baseUrl = t.baseUrl;
    const alerts = await client.monitor.v1.alerts.list({ logLevel: 'warning' });
    assert.ok(alerts.some((a) => a.errorCode === '81001' && a.resourceSid === loopExecution));
    const fetched = await client.monitor.v1.alerts(alerts[0]!.sid).fetch();
    assert.equal(fetched.sid, alerts[0]!.sid);
    assert.ok(fetched.dateCreated instanceof Date);
  });
});
