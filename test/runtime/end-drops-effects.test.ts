// Ending an execution (Status=ended) while it waits on an HTTP request drops the outstanding work:
// the late answer records no step, and a restart does not make the request again.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { FORM, form, startTestServer } from '../support/server.ts';
import { triggerFlow } from '../support/flows.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';

it('a manual end drops the pending HTTP request for good', async () => {
  let hits = 0;
  let release: () => void = () => undefined;
  const api = http.createServer((_req, res) => {
    hits++;
    release = () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
  });
  await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(api.address() as AddressInfo).port}/slow`;
  const dir = mkdtempSync(join(tmpdir(), 'sb-end-'));
  const path = join(dir, 'switchboard.db');
  const definition = triggerFlow('waits on HTTP', 'incomingRequest', 'call', [
    { name: 'call', type: 'make-http-request', properties: { offset: { x: 0, y: 100 }, method: 'GET', url, content_type: 'application/x-www-form-urlencoded;charset=utf-8' }, transitions: [{ event: 'success' }, { event: 'failed' }] },
  ]);
  try {
    const t = await startTestServer({ store: new SqliteStore({ path }), config: { dev: true } });
    const flow = await t.app.flows.create(t.account.sid, { friendlyName: 'slow', status: 'published', definition });
    const created = await t.app.server.inject({ method: 'POST', url: `/v2/Flows/${flow.sid}/Executions`, headers: { authorization: t.auth, ...FORM }, payload: form({ To: '+15551230001', From: '+15005550006' }) });
    assert.equal(created.statusCode, 201, created.body);
    const sid = created.json().sid as string;
    while (hits === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    const ended = await t.app.server.inject({ method: 'POST', url: `/v2/Flows/${flow.sid}/Executions/${sid}`, headers: { authorization: t.auth, ...FORM }, payload: form({ Status: 'ended' }) });
    assert.equal(ended.statusCode, 200, ended.body);
    assert.equal(ended.json().status, 'ended');
    assert.equal((await t.app.store.pendingEffects(10)).length, 0, 'the outstanding request is no longer in the outbox');
    release();
    await t.app.executions.idle();
    const steps = (await t.app.store.listSteps(t.account.sid, flow.sid, sid, { pageSize: 10 })).items.map((s) => `${s.transitionedFrom} -${s.name}-> ${s.transitionedTo}`);
    assert.deepEqual(steps, ['Trigger -incomingRequest-> call'], 'the late answer recorded nothing');
    await t.close();
    // A restart finds nothing to redo.
    const again = await startTestServer({ store: new SqliteStore({ path }), config: { dev: true } });
    await again.app.executions.idle();
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(hits, 1, 'the request was made once');
    await again.close();
  } finally {
    await new Promise((resolve) => api.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  }
});
