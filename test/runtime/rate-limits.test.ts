// Studio's flow rate limits, when configured: new executions over the per-account rate are refused
// with 429/20429; replies to waiting executions are never refused; the bucket refills with time.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { ExecutionRateLimiter } from '../../src/runtime/rate-limiter.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { basicAuth, FORM, form } from '../support/server.ts';

const survey = JSON.parse(readFileSync(new URL('../fixtures/flows/survey.json', import.meta.url), 'utf8'));

async function start(rateLimits: { inboundPerSecond: number; restPerSecond: number }) {
  const clock = { ms: Date.parse('2026-02-01T00:00:00Z') };
  const app = await createApp({ ...loadConfig({}, {}), dataDir: ':memory:' }, { store: new SqliteStore({ path: ':memory:' }), now: () => clock.ms, runtime: { rateLimits } });
  const { account } = await app.accounts.ensureStartupAccount();
  await app.server.ready();
  const flow = await app.flows.create(account.sid, { friendlyName: 'survey', status: 'published', definition: survey });
  const auth = basicAuth(account.sid, account.authToken);
  return { app, clock, flow, auth };
}

describe('execution rate limits', () => {
  it('refuses REST creates over the rate with 429/20429 and accepts again a second later', async () => {
    const { app, clock, flow, auth } = await start({ inboundPerSecond: 0, restPerSecond: 2 });
    try {
      const create = (to: string) =>
        app.server.inject({ method: 'POST', url: `/v2/Flows/${flow.sid}/Executions`, headers: { authorization: auth, ...FORM }, payload: form({ To: to, From: '+15005550006' }) });
      assert.equal((await create('+15551230001')).statusCode, 201);
      assert.equal((await create('+15551230002')).statusCode, 201);
      const refused = await create('+15551230003');
      assert.equal(refused.statusCode, 429);
      assert.equal(refused.json().code, 20429);
      assert.equal(refused.headers['retry-after'], '1');
      assert.equal(refused.json().status, 429);
      const listed = await app.store.listExecutions(flow.accountSid, flow.sid, {}, { pageSize: 50 });
      assert.equal(listed.items.length, 2, 'a refused create leaves nothing behind');
      clock.ms += 1000;
      assert.equal((await create('+15551230003')).statusCode, 201);
    } finally {
      await app.close();
    }
  });

  it('limits new inbound executions but never a reply to a waiting one', async () => {
    const { app, flow, auth } = await start({ inboundPerSecond: 1, restPerSecond: 0 });
    try {
      const text = (from: string, body: string) =>
        app.server.inject({ method: 'POST', url: `/simulator/Flows/${flow.sid}/Messages`, headers: { authorization: auth, ...FORM }, payload: form({ From: from, Body: body }) });
      const first = await text('+15551230001', 'hi');
      assert.equal(first.statusCode, 201, first.body);
      await app.executions.idle();
      const second = await text('+15551230002', 'hi');
      assert.equal(second.statusCode, 429, second.body);
      assert.equal(second.json().code, 20429);
      const reply = await text('+15551230001', '5');
      assert.equal(reply.statusCode, 201, reply.body);
      assert.equal(reply.json().execution_sid, first.json().execution_sid);
    } finally {
      await app.close();
    }
  });

  it('keeps one bucket per account and kind', () => {
    let now = 0;
    const limiter = new ExecutionRateLimiter({ inboundPerSecond: 1, restPerSecond: 1 }, () => now);
    assert.equal(limiter.tryTake('restPerSecond', 'AC1'), true);
    assert.equal(limiter.tryTake('restPerSecond', 'AC1'), false);
    assert.equal(limiter.tryTake('restPerSecond', 'AC2'), true, 'another account has its own bucket');
    assert.equal(limiter.tryTake('inboundPerSecond', 'AC1'), true, 'inbound and REST are separate');
    now += 500;
    assert.equal(limiter.tryTake('restPerSecond', 'AC1'), false, 'half a token after 500 ms');
    now += 500;
    assert.equal(limiter.tryTake('restPerSecond', 'AC1'), true);
    const unlimited = new ExecutionRateLimiter({ inboundPerSecond: 0, restPerSecond: 0 }, () => now);
    for (let i = 0; i < 1000; i++) assert.equal(unlimited.tryTake('restPerSecond', 'AC1'), true);
  });
});
