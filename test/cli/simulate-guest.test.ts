// `simulate FW…` and `call FW…` run beside a server on the same data directory. They are guests there:
// they fire their own executions' timers (so `simulate` shows what a reply timeout sends) and never the
// server's, whose messages must go through the server's own simulator (its transcript, its console).
// Their timers still pending when they quit are left to the server.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp, type App } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { openFlowTarget } from '../../src/cli/flow-file.ts';
import { textFlow } from '../../src/channels/simulator/texting.ts';
import { SIMULATOR_FLOW_ADDRESS } from '../../src/channels/simulator/simulator-channel.ts';
import type { FlowRecord } from '../../src/runtime/ports/store.ts';

/** Asks, then waits as many seconds as the text that started it says; on timeout says "timed out". */
const DEFINITION = {
  description: 'reply timeout from the first text',
  initial_state: 'Trigger',
  flags: { allow_concurrent_calls: true },
  states: [
    { name: 'Trigger', type: 'trigger', transitions: [{ event: 'incomingMessage', next: 'ask' }], properties: { offset: { x: 0, y: 0 } } },
    {
      name: 'ask',
      type: 'send-and-wait-for-reply',
      transitions: [{ event: 'incomingMessage' }, { event: 'timeout', next: 'late' }, { event: 'deliveryFailure' }],
      properties: { offset: { x: 0, y: 200 }, from: '{{flow.channel.address}}', body: 'Well?', timeout: '{{trigger.message.Body}}' },
    },
    {
      name: 'late',
      type: 'send-message',
      transitions: [{ event: 'sent' }, { event: 'failed' }],
      properties: { offset: { x: 0, y: 400 }, from: '{{flow.channel.address}}', to: '{{contact.channel.address}}', body: 'timed out' },
    },
  ],
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function text(app: App, flow: FlowRecord, from: string, body: string): Promise<string> {
  const { executionSid } = await textFlow(
    { store: app.store, simulator: app.simulator, inbound: (account, sid, params, trigger) => app.executions.inboundMessage(account, sid, params, trigger) },
    flow,
    from,
    SIMULATOR_FLOW_ADDRESS,
    body,
  );
  await app.executions.idle();
  assert.ok(executionSid);
  return executionSid;
}

describe('simulate FW… beside a server on the same data directory', () => {
  let dir = '';
  let savedUrl: string | undefined;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'sb-guest-'));
    // The SQLite data directory is the subject: CI's DATABASE_URL must not send it to PostgreSQL.
    savedUrl = process.env.DATABASE_URL;
    delete process.env.DATABASE_URL;
  });
  after(() => {
    if (savedUrl !== undefined) process.env.DATABASE_URL = savedUrl;
    rmSync(dir, { recursive: true, force: true });
  });

  it("fires its own executions' timers, never the server's, and leaves its pending ones to the server", async () => {
    const flags = { 'data-dir': dir };
    // The server's execution waits 2 s for a reply; its runtime is stopped so that only the guest could fire it.
    const server = await createApp(loadConfig(flags));
    let flow: FlowRecord;
    let serverExecution: string;
    try {
      const { account } = await server.accounts.ensureStartupAccount(undefined);
      flow = await server.flows.create(account.sid, { friendlyName: 'timeouts', status: 'published', definition: DEFINITION });
      serverExecution = await text(server, flow, '+15550000001', '2');
    } finally {
      await server.close();
    }

    const opened = await openFlowTarget(flow.sid, flags);
    assert.ok(opened);
    const guest = opened.app;
    let ownExecution: string;
    let pendingExecution: string;
    try {
      ownExecution = await text(guest, flow, '+15550000002', '2');
      pendingExecution = await text(guest, flow, '+15550000003', '60');
      await sleep(3500);
      await guest.executions.idle();
      const bodies = (contact: string) => guest.simulator.transcript(SIMULATOR_FLOW_ADDRESS, contact).map((m) => m.body);
      assert.deepEqual(bodies('+15550000002'), ['2', 'Well?', 'timed out'], "the guest's own timeout fired here");
      assert.equal((await guest.store.getExecutionBySid(ownExecution))?.status, 'ended');
      assert.deepEqual(bodies('+15550000001'), [], "the server's execution sent nothing through the guest");
      assert.equal((await guest.store.getExecutionBySid(serverExecution))?.status, 'active', "the server's timer was not fired by the guest");
    } finally {
      await guest.close();
    }

    // The server, back: its own timer is still there, and so is the one the guest left pending.
    const again = await createApp(loadConfig(flags), { deferStart: true });
    try {
      const due = await again.store.dueTimers(Date.now() + 3600_000, 100);
      assert.deepEqual(due.map((timer) => timer.executionSid).sort(), [serverExecution, pendingExecution].sort());
    } finally {
      await again.close();
    }
  });
});
