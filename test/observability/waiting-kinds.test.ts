// switchboard_executions_waiting on the embedded SQLite store (the node counts them itself) has a series for
// every kind of wait, as PostgreSQL's count has (it groups the active rows by their wait): an execution
// parked on the caller (`call`) or on a virtual agent in a conversation (`virtual-agent`) was in no series.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import type { Store } from '../../src/runtime/ports/store.ts';
import type { PostgresStore } from '../../src/store/postgres/postgres-store.ts';
import { SKIP_REASON, disposePostgresStore, freshPostgresStore } from '../store/postgres-support.ts';
import { basicAuth, form, FORM } from '../support/server.ts';

const ivr = readFileSync(new URL('../../examples/flows/ivr.json', import.meta.url), 'utf8');
const agent = JSON.stringify({
  description: 'agent', initial_state: 'Trigger', flags: { allow_concurrent_calls: true },
  states: [
    { name: 'Trigger', type: 'trigger', properties: { offset: { x: 0, y: 0 } }, transitions: [{ event: 'incomingMessage' }, { event: 'incomingCall' }, { event: 'incomingConversationMessage', next: 'agent' }, { event: 'incomingRequest' }] },
    { name: 'agent', type: 'connect-virtual-agent-v2', properties: { offset: { x: 0, y: 200 }, channel: 'conversations', connector_name: 'Bot', timeout: '600' }, transitions: [{ event: 'completed' }, { event: 'live-agent-handoff' }, { event: 'failed' }, { event: 'timeout' }] },
  ],
});

function waiting(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [, kind, value] of text.matchAll(/^switchboard_executions_waiting\{[^}]*waiting_for="([^"]+)"[^}]*\} (\S+)$/gm)) out[kind!] = Number(value);
  return out;
}

// SQLite: the node counts; PostgreSQL: the store groups the active rows by their wait (every node's).
const backends: { name: string; skip: string | false; open: () => Promise<Store>; dispose: (store: Store) => Promise<void> }[] = [
  { name: 'SQLite', skip: false, open: async () => new SqliteStore({ path: ':memory:' }), dispose: async () => {} },
  { name: 'PostgreSQL', skip: SKIP_REASON, open: () => freshPostgresStore(), dispose: (store) => disposePostgresStore(store as PostgresStore) },
];

for (const backend of backends) describe(backend.name, { skip: backend.skip || false }, () => {
  it('executions parked on a call or a virtual agent are counted under their wait', async (t) => {
    const config = { ...loadConfig({}, {}), dataDir: ':memory:', logLevel: 'silent' as const };
    const store = await backend.open();
    const app = await createApp(config, { store });
    t.after(async () => {
      await app.close();
      await backend.dispose(store);
    });
    const { account } = await app.accounts.ensureStartupAccount();
    await app.server.ready();
    const auth = basicAuth(account.sid, account.authToken);
    const post = (url: string, fields: Record<string, string>) => app.server.inject({ method: 'POST', url, headers: { authorization: auth, ...FORM }, payload: form(fields) });

    const menu = (await post('/v2/Flows', { FriendlyName: 'ivr', Status: 'published', Definition: ivr })).json();
    const call = await post('/simulator/calls', { FlowSid: menu.sid, From: '+15551230001', Timeouts: 'false' });
    assert.ok(call.statusCode < 300, call.body);
    assert.equal(call.json().waiting_for.kind, 'input');
    const va = (await post('/v2/Flows', { FriendlyName: 'va', Status: 'published', Definition: agent })).json();
    const text = await post(`/simulator/Flows/${va.sid}/Messages`, { From: '+15551230002', To: '+15005550006', Body: 'hi' });
    assert.equal(text.statusCode, 201, text.body);
    await app.executions.idle();

    const metrics = await app.server.inject({ method: 'GET', url: '/metrics' });
    assert.match(metrics.body, /^switchboard_executions_active\{[^}]*\} 2$/m);
    const counts = waiting(metrics.body);
    assert.equal(counts.call, 1, metrics.body.split('\n').filter((l) => l.includes('waiting')).join('\n'));
    assert.equal(counts['virtual-agent'], 1);
    assert.equal((counts.reply ?? 0) + (counts.effect ?? 0) + (counts.subflow ?? 0), 0);

    // Hung up: the call's execution ends and leaves the count.
    assert.ok((await post(`/simulator/calls/${call.json().sid}/Hangup`, {})).statusCode < 300);
    await app.executions.idle();
    assert.equal(waiting((await app.server.inject({ method: 'GET', url: '/metrics' })).body).call, 0);
  });
});
