// One execution's Monitor alerts on a busy account: /v1/Alerts?ResourceSid=FN… (a Switchboard
// extension) lists that execution's alerts only, however many newer ones other executions raised,
// pages with the filter kept in its URLs, and refuses a value that is no execution SID.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { FORM, form, startTestServer, basicAuth, type TestServer } from '../support/server.ts';
import { triggerFlow } from '../support/flows.ts';
import { newSid } from '../../src/runtime/ids.ts';
import type { AlertRecord, ExecutionRecord } from '../../src/runtime/ports/store.ts';

const brokenLiquid = triggerFlow('alerts', 'incomingRequest', 'w', [
  {
    name: 'w',
    type: 'send-message',
    properties: { offset: { x: 0, y: 100 }, from: '{{flow.channel.address}}', to: '{{contact.channel.address}}', body: '{% if %}' },
    transitions: [{ event: 'sent' }, { event: 'failed' }],
  },
]);

/** More than the 2,000 the console used to read of the account's alerts before looking for an execution's. */
const NOISE = 2100;

describe('Monitor Alerts by execution (ResourceSid)', () => {
  let t: TestServer;
  let mine: string;
  let noisy: string;
  before(async () => {
    t = await startTestServer();
    const flow = await t.app.flows.create(t.account.sid, { friendlyName: 'f', status: 'published', definition: brokenLiquid });
    const res = await t.app.server.inject({ method: 'POST', url: `/v2/Flows/${flow.sid}/Executions`, headers: { authorization: t.auth, ...FORM }, payload: form({ To: '+15551230001', From: '+15005550006' }) });
    assert.equal(res.statusCode, 201, res.body);
    mine = res.json().sid;
    await t.app.executions.idle();
    // Another execution of the account raises many alerts after it.
    const record = (await t.app.store.getExecutionBySid(mine))!;
    const other: ExecutionRecord = { ...record, sid: newSid('FN'), contactChannelAddress: '+15551230002', dateCreated: record.dateCreated + 1000 };
    noisy = other.sid;
    const alerts: AlertRecord[] = Array.from({ length: NOISE }, (_, i) => ({
      sid: newSid('NO'),
      accountSid: t.account.sid,
      flowSid: flow.sid,
      executionSid: other.sid,
      logLevel: 'warning',
      errorCode: 81002,
      text: 'Msg=unexpected&ErrorCode=81002&LogLevel=WARN',
      dateCreated: record.dateCreated + 2000 + i,
    }));
    await t.app.store.writeSprint({ execution: other, isNew: true, exclusive: false, steps: [], timersToAdd: [], timersToCancel: [], effectsToAdd: [], effectsDone: [], alerts });
  });
  after(() => t.close());

  const get = (url: string, auth = t.auth) => t.app.server.inject({ method: 'GET', url, headers: { authorization: auth } });

  it("lists the execution's alerts only, on the first page, behind thousands of newer ones of the account", async () => {
    // The account-wide list has them past its first 2,000.
    let seen = 0;
    let url: string | null = '/v1/Alerts?PageSize=1000';
    let position = -1;
    while (url && position < 0) {
      const page: { alerts: { resource_sid: string }[]; meta: { next_page_url: string | null } } = (await get(url)).json();
      const at = page.alerts.findIndex((a) => a.resource_sid === mine);
      if (at >= 0) position = seen + at;
      seen += page.alerts.length;
      url = page.meta.next_page_url ? new URL(page.meta.next_page_url).pathname + new URL(page.meta.next_page_url).search : null;
    }
    assert.ok(position >= 2000, `the execution's alert is at ${position} of the account's`);

    const res = await get(`/v1/Alerts?ResourceSid=${mine}`);
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json();
    assert.ok(body.alerts.length > 0);
    assert.ok(body.alerts.every((a: { resource_sid: string }) => a.resource_sid === mine), JSON.stringify(body.alerts));
    assert.ok(body.alerts.some((a: { error_code: string }) => a.error_code === '84003'));
    assert.equal(body.meta.next_page_url, null);
    assert.equal(new URL(body.meta.url).searchParams.get('ResourceSid'), mine);
  });

  it('pages with the filter in next_page_url, and combines with the other filters', async () => {
    let url: string | null = `/v1/Alerts?ResourceSid=${noisy}&PageSize=1000`;
    const sids = new Set<string>();
    let pages = 0;
    while (url) {
      const page: { alerts: { sid: string; resource_sid: string }[]; meta: { next_page_url: string | null } } = (await get(url)).json();
      pages++;
      for (const alert of page.alerts) {
        assert.equal(alert.resource_sid, noisy);
        sids.add(alert.sid);
      }
      if (page.meta.next_page_url) {
        const next = new URL(page.meta.next_page_url);
        assert.equal(next.searchParams.get('ResourceSid'), noisy, 'the next page keeps the filter');
        url = next.pathname + next.search;
      } else url = null;
    }
    assert.equal(pages, 3);
    assert.equal(sids.size, NOISE);
    assert.equal((await get(`/v1/Alerts?ResourceSid=${noisy}&LogLevel=error`)).json().alerts.length, 0);
    assert.equal((await get(`/v1/Alerts?ResourceSid=${mine}&LogLevel=error`)).json().alerts.length > 0, true);
    assert.equal((await get(`/v1/Alerts?ResourceSid=${mine}&EndDate=2000-01-01T00:00:00Z`)).json().alerts.length, 0);
  });

  it('an unknown execution or another account lists nothing; a value that is no execution SID is a 400', async () => {
    assert.deepEqual((await get(`/v1/Alerts?ResourceSid=FN${'0'.repeat(32)}`)).json().alerts, []);
    const other = await t.app.accounts.create('other');
    const theirs = await get(`/v1/Alerts?ResourceSid=${mine}`, basicAuth(other.sid, other.authToken));
    assert.equal(theirs.statusCode, 200);
    assert.deepEqual(theirs.json().alerts, []);
    for (const bad of ['nope', `FW${'0'.repeat(32)}`, '', `${mine}x`]) {
      const res = await get(`/v1/Alerts?ResourceSid=${encodeURIComponent(bad)}`);
      assert.equal(res.statusCode, 400, `${bad}: ${res.body}`);
      assert.equal(res.json().code, 20001);
      assert.match(res.json().message, /ResourceSid/);
    }
    // A repeated parameter is read as Twilio reads one: the first.
    const repeated = await get(`/v1/Alerts?ResourceSid=${mine}&ResourceSid=${noisy}`);
    assert.equal(repeated.statusCode, 200);
    assert.ok(repeated.json().alerts.every((a: { resource_sid: string }) => a.resource_sid === mine));
  });
});
