// A simulator text the runtime refuses (here the account's inbound execution rate: 429/20429) did not reach the
// flow: its transcript shows it `failed`, not `received` as if it had been taken. The console puts such a text
// back in its composer, and the transcript must not show it as sent when it is sent again.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { FORM, form, startTestServer } from '../support/server.ts';

const FLOW = JSON.parse(readFileSync(new URL('../fixtures/flows/sms-echo.json', import.meta.url), 'utf8'));

describe('simulator: a text the runtime refuses', () => {
  it('is failed in the transcript (and in the stream of it), the one taken is received', async () => {
    const clock = { ms: Date.parse('2026-03-01T00:00:00Z') };
    // Not dev mode (dev is unthrottled): one new execution a second.
    const t = await startTestServer({ now: () => clock.ms, config: { dev: false, inboundExecutionRate: 1, restExecutionRate: 1 } });
    try {
      const flow = await t.app.flows.create(t.account.sid, { friendlyName: 'echo', status: 'published', definition: FLOW });
      const announced: { from: string; status: string }[] = [];
      t.app.simulator.onMessage((entry) => void (entry.direction === 'inbound' && announced.push({ from: entry.from, status: entry.status })));
      const text = (from: string) =>
        t.app.server.inject({ method: 'POST', url: `/simulator/Flows/${flow.sid}/Messages`, headers: { authorization: t.auth, ...FORM }, payload: form({ From: from, Body: 'hi' }) });
      const transcript = async (contact: string) =>
        (await t.app.server.inject({ method: 'GET', url: `/simulator/Flows/${flow.sid}/Messages?Contact=${encodeURIComponent(contact)}`, headers: { authorization: t.auth } })).json().messages as { direction: string; status: string }[];

      assert.equal((await text('+15550001111')).statusCode, 201);
      const refused = await text('+15550002222');
      assert.equal(refused.statusCode, 429, refused.body);
      assert.equal(refused.json().code, 20429);
      await t.app.executions.idle();
      assert.deepEqual((await transcript('+15550001111')).filter((m) => m.direction === 'inbound').map((m) => m.status), ['received']);
      assert.deepEqual((await transcript('+15550002222')).map((m) => [m.direction, m.status]), [['inbound', 'failed']]);
      assert.deepEqual(announced, [
        { from: '+15550001111', status: 'received' },
        { from: '+15550002222', status: 'received' },
        { from: '+15550002222', status: 'failed' },
      ]);
    } finally {
      await t.close();
    }
  });
});
