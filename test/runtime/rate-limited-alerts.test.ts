// An inbound message or call the account's inbound execution rate refuses (429/20429) leaves an error
// alert, as Twilio's Debugger records Studio's ("your Flow will generate a 429 Too Many Requests error
// in the Twilio Debugger"): one a second at most per account and flow, naming the flow (no execution
// was started), listed by twilio-node's monitor client; a store that cannot write it does not turn the
// 429 into anything else.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import twilio from 'twilio';
import { RuntimeContext, MAX_RATE_ALERT_KEYS, DEFAULT_RUNTIME_OPTIONS } from '../../src/runtime/runtime-context.ts';
import type { MessageChannel } from '../../src/runtime/ports/channel.ts';
import type { AlertRecord, Store } from '../../src/runtime/ports/store.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { FORM, form, startTestServer, type TestServer } from '../support/server.ts';

const FLOW = JSON.parse(readFileSync(new URL('../fixtures/flows/sms-echo.json', import.meta.url), 'utf8'));

async function start(store?: SqliteStore) {
  const clock = { ms: Date.parse('2026-03-01T00:00:00Z') };
  // Not dev mode (dev is unthrottled): Studio-like rates of one new execution a second.
  const t = await startTestServer({ listen: true, now: () => clock.ms, config: { dev: false, inboundExecutionRate: 1, restExecutionRate: 1 }, ...(store ? { store } : {}) });
  const flow = await t.app.flows.create(t.account.sid, { friendlyName: 'FW', status: 'published', definition: FLOW });
  return { t, clock, flowSid: flow.sid };
}

let contact = 0;
function text(t: TestServer, flowSid: string) {
  contact += 1;
  return t.app.server.inject({
    method: 'POST',
    url: `/v1/Accounts/${t.account.sid}/Flows/${flowSid}`,
    headers: { authorization: t.auth, ...FORM },
    payload: form({ From: `+1555300${String(contact).padStart(4, '0')}`, To: '+15005550006', Body: 'hi', MessageSid: `SM${contact.toString(16).padStart(32, '0')}` }),
  });
}

function monitor(t: TestServer) {
  const client = twilio(t.account.sid, t.account.authToken);
  client.monitor.baseUrl = t.baseUrl;
  return client.monitor.v1.alerts;
}

describe('alerts of inbound executions refused by the rate limit', () => {
  it('five messages at once: one runs, four are 429/20429, and the flow gets one 20429 alert a second at most', async () => {
    const { t, clock, flowSid } = await start();
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) {
        const res = await text(t, flowSid);
        if (res.statusCode === 429) assert.equal(res.json().code, 20429, res.body);
        statuses.push(res.statusCode);
      }
      assert.deepEqual(statuses, [200, 429, 429, 429, 429]);
      await t.app.executions.idle();
      let alerts = await monitor(t).list({ logLevel: 'error' });
      assert.equal(alerts.length, 1, JSON.stringify(alerts));
      const [alert] = alerts;
      assert.equal(alert!.errorCode, '20429');
      assert.equal(alert!.logLevel, 'error');
      assert.equal(alert!.resourceSid, flowSid, 'no execution was started: the flow is the resource');
      assert.equal(alert!.serviceSid, flowSid);
      assert.equal(alert!.accountSid, t.account.sid);
      assert.equal(alert!.moreInfo, 'https://www.twilio.com/docs/errors/20429');
      const textParams = new URLSearchParams(alert!.alertText);
      assert.equal(textParams.get('ErrorCode'), '20429');
      assert.equal(textParams.get('LogLevel'), 'ERROR');
      assert.match(textParams.get('Msg')!, /^Too many requests: the account's inbound execution rate \(1\/s\) was exceeded; the message was not run$/);
      assert.equal((await monitor(t)(alert!.sid).fetch()).sid, alert!.sid);
      // The execution that ran is not its resource: its own alerts do not list it.
      const [execution] = (await t.app.store.listExecutions(t.account.sid, flowSid, {}, { pageSize: 5 })).items;
      const ofExecution = await t.app.server.inject({ method: 'GET', url: `/v1/Alerts?ResourceSid=${execution!.sid}`, headers: { authorization: t.auth } });
      assert.deepEqual(ofExecution.json().alerts, []);

      // Half a second on: refused again, but too soon for another alert.
      clock.ms += 500;
      assert.equal((await text(t, flowSid)).statusCode, 429);
      assert.equal((await monitor(t).list()).length, 1);
      // A second after the first alert: one runs, the rest are refused, and one more alert is written.
      clock.ms += 500;
      assert.deepEqual([(await text(t, flowSid)).statusCode, (await text(t, flowSid)).statusCode, (await text(t, flowSid)).statusCode], [200, 429, 429]);
      await t.app.executions.idle();
      alerts = await monitor(t).list();
      assert.equal(alerts.length, 2);
      assert.ok(alerts.every((a) => a.errorCode === '20429' && a.resourceSid === flowSid));
      assert.equal(alerts[0]!.dateCreated.getTime() - alerts[1]!.dateCreated.getTime(), 1000);
    } finally {
      await t.close();
    }
  });

  it("throttles per flow: another flow's refusal in the same instant has its own alert", async () => {
    const { t, flowSid } = await start();
    try {
      const other = await t.app.flows.create(t.account.sid, { friendlyName: 'other', status: 'published', definition: FLOW });
      assert.equal((await text(t, flowSid)).statusCode, 200);
      assert.equal((await text(t, flowSid)).statusCode, 429);
      assert.equal((await text(t, other.sid)).statusCode, 429);
      assert.equal((await text(t, other.sid)).statusCode, 429);
      await t.app.executions.idle();
      const alerts = await monitor(t).list();
      assert.deepEqual(alerts.map((a) => a.resourceSid).sort(), [flowSid, other.sid].sort());
    } finally {
      await t.close();
    }
  });

  it('a refused inbound call leaves an alert too', async () => {
    const { t, flowSid } = await start();
    try {
      const call = (n: number) =>
        t.app.server.inject({
          method: 'POST',
          url: `/v1/Accounts/${t.account.sid}/Flows/${flowSid}`,
          headers: { authorization: t.auth, ...FORM },
          payload: form({ CallSid: `CA${n.toString(16).padStart(32, '0')}`, From: `+1555400000${n}`, To: '+15005550006', CallStatus: 'ringing', Direction: 'inbound' }),
        });
      assert.equal((await call(1)).statusCode, 200);
      const refused = await call(2);
      assert.notEqual(refused.statusCode, 200, refused.body);
      await t.app.executions.idle();
      const alerts = await monitor(t).list();
      assert.equal(alerts.length, 1);
      assert.equal(alerts[0]!.errorCode, '20429');
      assert.equal(alerts[0]!.resourceSid, flowSid);
      assert.match(new URLSearchParams(alerts[0]!.alertText).get('Msg')!, /the call was not run$/);
    } finally {
      await t.close();
    }
  });

  it('a store that cannot write the alert leaves the answer a 429', async () => {
    class FailingAlerts extends SqliteStore {
      attempts = 0;
      override async addAlerts(_alerts: AlertRecord[]): Promise<void> {
        this.attempts += 1;
        throw new Error('disk on fire');
      }
    }
    const store = new FailingAlerts({ path: ':memory:' });
    const { t, flowSid } = await start(store);
    const warn = console.warn;
    const warnings: string[] = [];
    console.warn = (...args: unknown[]) => void warnings.push(args.join(' '));
    try {
      assert.equal((await text(t, flowSid)).statusCode, 200);
      const refused = await text(t, flowSid);
      assert.equal(refused.statusCode, 429, refused.body);
      assert.equal(refused.json().code, 20429);
      assert.equal(store.attempts, 1);
      assert.ok(warnings.some((w) => w.includes('20429 alert') && w.includes('disk on fire')), warnings.join('\n'));
    } finally {
      console.warn = warn;
      await t.close();
    }
  });

  it('remembers a bounded number of account + flow pairs, forgetting the least recently alerted first', () => {
    let now = 0;
    const ctx = new RuntimeContext({} as Store, {} as MessageChannel, { ...DEFAULT_RUNTIME_OPTIONS, now: () => now });
    assert.equal(ctx.rateAlertDue('AC1', 'FW1'), true);
    assert.equal(ctx.rateAlertDue('AC1', 'FW1'), false, 'once a second');
    assert.equal(ctx.rateAlertDue('AC2', 'FW1'), true, 'per account');
    now = 999;
    assert.equal(ctx.rateAlertDue('AC1', 'FW1'), false);
    now = 1000;
    assert.equal(ctx.rateAlertDue('AC1', 'FW1'), true);
    // AC1|FW1 is now the most recent, AC2|FW1 the least: a full map of others pushes AC2|FW1 out first.
    for (let i = 0; i < MAX_RATE_ALERT_KEYS - 1; i++) assert.equal(ctx.rateAlertDue('AC3', `FW${i}x`), true);
    assert.equal(ctx.rateAlertDue('AC1', 'FW1'), false, 'still remembered');
    assert.equal(ctx.rateAlertDue('AC2', 'FW1'), true, 'forgotten, so alerted again within the second');
    assert.equal(ctx.rateAlertDue('AC2', 'FW1'), false);
  });
});
