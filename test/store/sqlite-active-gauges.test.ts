// The active/waiting gauges on the embedded SQLite store come from its rows, so they are right after a
// restart (a count kept by the process started at 0 and, clamped there, never caught up).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { startTestServer, form, FORM, type TestServer } from '../support/server.ts';

const root = mkdtempSync(join(tmpdir(), 'switchboard-gauges-'));
after(() => rmSync(root, { recursive: true, force: true }));

async function metric(t: TestServer, name: string, labels: Record<string, string> = {}): Promise<number | undefined> {
  const text = (await t.app.server.inject({ method: 'GET', url: '/metrics' })).body;
  for (const line of text.split('\n')) {
    const match = /^([\w:]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const have = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(match[3]);
  }
  return undefined;
}

test('after a restart, /metrics counts the executions still waiting (SQLite)', async () => {
  const path = join(root, 'data', 'switchboard.db');
  const askAndWait = readFileSync(new URL('../fixtures/flows/ask-and-wait.json', import.meta.url), 'utf8');
  const first = await startTestServer({ store: new SqliteStore({ path }) });
  const call = (url: string, payload: string) => first.app.server.inject({ method: 'POST', url, headers: { authorization: first.auth, ...FORM }, payload });
  const flow = (await call('/v2/Flows', form({ FriendlyName: 'waits', Status: 'published', Definition: askAndWait }))).json();
  for (const to of ['+15550000001', '+15550000002']) {
    assert.equal((await call(`/v2/Flows/${flow.sid}/Executions`, form({ To: to, From: '+15005550006' }))).statusCode, 201);
  }
  await first.app.executions.idle();
  assert.equal(await metric(first, 'switchboard_executions_active'), 2);
  await first.close();

  const second = await startTestServer({ store: new SqliteStore({ path }) });
  try {
    assert.equal(await metric(second, 'switchboard_executions_active'), 2);
    assert.equal(await metric(second, 'switchboard_executions_waiting', { waiting_for: 'reply' }), 2);
    assert.equal(await metric(second, 'switchboard_executions_waiting', { waiting_for: 'effect' }), 0);
  } finally {
    await second.close();
  }
});
