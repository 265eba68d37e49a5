// Monitor Alerts' date filters as Twilio documents them: StartDate "on or after", EndDate "on or
// before" (YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ). Alerts are dated to the millisecond but shown to the
// second, so an EndDate equal to an alert's own date_created lists it, and a date alone its whole day
// (the start of the day, for StartDate). twilio-node sends its Date filters to the second.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import twilio from 'twilio';
import { FORM, form, startTestServer, type TestServer } from '../support/server.ts';
import { triggerFlow } from '../support/flows.ts';

/** The alert's instant: 400 ms into its second, as any alert but one raised on the second is. */
const AT = Date.parse('2026-05-04T09:00:00.400Z');

const brokenLiquid = triggerFlow('alerts', 'incomingRequest', 'w', [
  { name: 'w', type: 'send-message', properties: { offset: { x: 0, y: 100 }, from: '{{flow.channel.address}}', to: '{{contact.channel.address}}', body: '{% if %}' }, transitions: [{ event: 'sent' }, { event: 'failed' }] },
]);

describe('Monitor Alerts: StartDate and EndDate', () => {
  let t: TestServer;
  let alert: { sid: string; date_created: string };
  before(async () => {
    t = await startTestServer({ listen: true, now: () => AT });
    const created = await t.app.flows.create(t.account.sid, { friendlyName: 'f', status: 'published', definition: brokenLiquid });
    const res = await t.app.server.inject({ method: 'POST', url: `/v2/Flows/${created.sid}/Executions`, headers: { authorization: t.auth, ...FORM }, payload: form({ To: '+15551230001', From: '+15005550006' }) });
    assert.equal(res.statusCode, 201, res.body);
    await t.app.executions.idle();
    const all = (await list('')).alerts as { sid: string; date_created: string }[];
    assert.equal(all.length, 1, JSON.stringify(all));
    alert = all[0]!;
    assert.equal(alert.date_created, '2026-05-04T09:00:00Z');
  });
  after(() => t.close());

  async function list(query: string): Promise<{ alerts: { sid: string; date_created: string }[]; meta: { url: string } }> {
    const res = await t.app.server.inject({ method: 'GET', url: `/v1/Alerts${query}`, headers: { authorization: t.auth } });
    assert.equal(res.statusCode, 200, res.body);
    return res.json();
  }
  const count = async (query: string) => (await list(query)).alerts.length;

  it('EndDate is on or before: its own date_created, its second, its minute, its day', async () => {
    assert.equal(await count(`?EndDate=${alert.date_created}`), 1);
    assert.equal(await count('?EndDate=2026-05-04T09:00:00Z'), 1);
    assert.equal(await count('?EndDate=2026-05-04T09:00Z'), 1);
    assert.equal(await count('?EndDate=2026-05-04'), 1);
    assert.equal(await count('?EndDate=2026-05-04T11:00:00%2B02:00'), 1, 'the same second in another zone');
    assert.equal(await count('?EndDate=2026-05-04T09:00:00.400Z'), 1, 'to the millisecond, that millisecond');
    assert.equal(await count('?EndDate=2026-05-04T09:00:00.399Z'), 0);
    assert.equal(await count('?EndDate=2026-05-04T08:59:59Z'), 0);
    assert.equal(await count('?EndDate=2026-05-04T08:59Z'), 0);
    assert.equal(await count('?EndDate=2026-05-03'), 0);
    // The echo in the page URL is the value as sent.
    assert.match((await list('?EndDate=2026-05-04')).meta.url, /EndDate=2026-05-04(&|$)/);
  });

  it('StartDate is on or after: its own date_created, its day from midnight', async () => {
    assert.equal(await count(`?StartDate=${alert.date_created}`), 1);
    assert.equal(await count('?StartDate=2026-05-04'), 1);
    assert.equal(await count('?StartDate=2026-05-04T09:00:01Z'), 0);
    assert.equal(await count('?StartDate=2026-05-05'), 0);
    assert.equal(await count(`?StartDate=${alert.date_created}&EndDate=${alert.date_created}`), 1, 'one second, both ends');
    assert.equal(await count('?StartDate=2026-05-04&EndDate=2026-05-04'), 1, 'one day, both ends');
  });

  it("twilio-node's alerts.list({ startDate, endDate }) with the alert's own date", async () => {
    const client = twilio(t.account.sid, t.account.authToken);
    client.monitor.baseUrl = t.baseUrl;
    const [listed] = await client.monitor.v1.alerts.list();
    assert.equal(listed!.sid, alert.sid);
    const at = listed!.dateCreated;
    assert.deepEqual((await client.monitor.v1.alerts.list({ endDate: at })).map((a) => a.sid), [alert.sid]);
    assert.deepEqual((await client.monitor.v1.alerts.list({ startDate: at, endDate: at })).map((a) => a.sid), [alert.sid]);
    assert.deepEqual((await client.monitor.v1.alerts.list({ endDate: new Date(at.getTime() - 1000) })).length, 0);
  });
});
