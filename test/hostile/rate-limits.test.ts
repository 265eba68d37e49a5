// Studio's per-account rates (20 new REST executions/s, 100 new inbound/s) when configured:
// a burst beyond them is refused with 429/20429 and a Twilio error body, another account is not
// affected, and dev mode is unthrottled even when rates are configured. The clock is simulated.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';

const FLOW = readFileSync(new URL('../fixtures/flows/sms-echo.json', import.meta.url), 'utf8');
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const STUDIO_RATES = { 'rest-execution-rate': '20', 'inbound-execution-rate': '100' };

async function burst(flags: Record<string, string | boolean>) {
  const clock = { ms: Date.parse('2026-03-01T00:00:00Z') };
  const config = { ...loadConfig(flags, {}, { cwd: '/nonexistent' }), dataDir: ':memory:' };
  const app = await createApp(config, { store: new SqliteStore({ path: ':memory:' }), now: () => clock.ms });
  try {
    const statuses = async (auth: string, flowSid: string, count: number, kind: 'rest' | 'inbound', accountSid: string) => {
      const out: number[] = [];
      for (let i = 0; i < count; i++) {
        const contact = `+1555${kind === 'rest' ? 1 : 2}${String(i).padStart(6, '0')}`;
        const response =
          kind === 'rest'
            ? await app.server.inject({ method: 'POST', url: `/v2/Flows/${flowSid}/Executions`, headers: { ...FORM, authorization: auth }, payload: `To=${encodeURIComponent(contact)}&From=%2B15005550006` })
            : await app.server.inject({ method: 'POST', url: `/v1/Accounts/${accountSid}/Flows/${flowSid}`, headers: { ...FORM, authorization: auth }, payload: `From=${encodeURIComponent(contact)}&To=%2B15005550006&Body=hi` });
        if (response.statusCode === 429) {
          const body = response.json();
          assert.deepEqual([body.code, body.status], [20429, 429], response.body);
          assert.match(body.more_info, /20429/);
        }
        out.push(response.statusCode);
      }
      return out;
    };
    const tenant = async (name: string) => {
      const account = await app.accounts.create(name);
      const auth = 'Basic ' + Buffer.from(`${account.sid}:${account.authToken}`).toString('base64');
      const flow = await app.server.inject({ method: 'POST', url: '/v2/Flows', headers: { ...FORM, authorization: auth }, payload: new URLSearchParams({ FriendlyName: name, Status: 'published', Definition: FLOW }).toString() });
      return { account, auth, flowSid: flow.json().sid as string };
    };
    const a = await tenant('A');
    const b = await tenant('B');
    const restA = await statuses(a.auth, a.flowSid, 25, 'rest', a.account.sid);
    const restB = await statuses(b.auth, b.flowSid, 5, 'rest', b.account.sid);
    const inboundA = await statuses(a.auth, a.flowSid, 105, 'inbound', a.account.sid);
    clock.ms += 1_000;
    const restAfter = await statuses(a.auth, a.flowSid, 1, 'rest', a.account.sid);
    await app.executions.idle();
    return { restA, restB, inboundA, restAfter };
  } finally {
    await app.close();
  }
}

test("a burst over Studio's rates is refused with 429/20429, per account", async () => {
  const { restA, restB, inboundA, restAfter } = await burst(STUDIO_RATES);
  assert.equal(restA.filter((s) => s === 201).length, 20, `REST: ${restA.join(',')}`);
  assert.equal(restA.filter((s) => s === 429).length, 5);
  assert.ok(restB.every((s) => s === 201), "another account's budget is its own");
  assert.equal(inboundA.filter((s) => s === 200).length, 100, 'inbound: 100 new executions');
  assert.equal(inboundA.filter((s) => s === 429).length, 5);
  assert.deepEqual(restAfter, [201], 'a second later the account may create again');
});

test('dev mode is unthrottled', async () => {
  const { restA, inboundA } = await burst({ ...STUDIO_RATES, dev: true });
  assert.ok(restA.every((s) => s === 201));
  assert.ok(inboundA.every((s) => s === 200));
});
