// `switchboard accounts create` / `keys create` / `carrier …` open the server's SQLite file while
// the server runs. Opening the file must not void the running server's claims: its in-flight HTTP
// call's result would be discarded as stale and the call made a second time by the orphan sweep.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { FlowService } from '../../src/runtime/flows.ts';
import { DEFAULT_RUNTIME_OPTIONS, ExecutionService } from '../../src/runtime/executions.ts';
import type { MessageChannel, OutboundHttp } from '../../src/runtime/ports/channel.ts';

const flowDefinition = {
  description: 'one HTTP call',
  initial_state: 'Trigger',
  states: [
    { name: 'Trigger', type: 'trigger', transitions: [{ event: 'incomingMessage' }, { event: 'incomingCall' }, { event: 'incomingConversationMessage' }, { event: 'incomingRequest', next: 'call' }, { event: 'incomingParent' }], properties: { offset: { x: 0, y: 0 } } },
    { name: 'call', type: 'make-http-request', transitions: [{ event: 'success' }, { event: 'failed' }], properties: { offset: { x: 0, y: 200 }, method: 'POST', url: 'https://orders.example.com/v1/orders', content_type: 'application/json', body: '{}' } },
  ],
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('a second process opening the SQLite file', () => {
  it('leaves the running server in-flight effect claimed: the HTTP call is made once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-second-opener-'));
    const path = join(dir, 'switchboard.db');
    const store = new SqliteStore({ path });
    const accountSid = 'AC' + '0'.repeat(32);
    await store.createAccount({ sid: accountSid, authToken: 'x'.repeat(32), friendlyName: 'a', dateCreated: Date.now() });
    const flow = await new FlowService(store, { now: Date.now } as never).create(accountSid, { friendlyName: 'http', status: 'published', definition: flowDefinition });
    let calls = 0;
    let answer: () => void = () => undefined;
    const http: OutboundHttp = {
      request: async () => {
        if (++calls === 1) await new Promise<void>((resolve) => (answer = resolve));
        return { kind: 'http-response', statusCode: 200, contentType: 'application/json', body: '{}' };
      },
    };
    const executions = new ExecutionService(store, { name: 'none' } as MessageChannel, http, { ...DEFAULT_RUNTIME_OPTIONS, now: Date.now });
    await executions.start();
    try {
      const { execution } = await executions.create(accountSid, flow.sid, { to: '+15550000001', from: '+15559990000' }, 'error');
      while (calls === 0) await sleep(5);
      // What `switchboard keys create` does meanwhile: open the file, write, close.
      const cli = new SqliteStore({ path });
      await cli.setSetting('touched-by-cli', '1');
      await cli.close();
      answer();
      const deadline = Date.now() + 3000;
      while ((await store.getExecutionBySid(execution.sid))?.status !== 'ended' && Date.now() < deadline) await sleep(20);
      await sleep(1500); // an orphan sweep would have redone the call by now
      await executions.idle();
      assert.equal((await store.getExecutionBySid(execution.sid))?.status, 'ended');
      assert.equal(calls, 1, 'the customer server was called once');
    } finally {
      answer();
      await executions.stop();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
