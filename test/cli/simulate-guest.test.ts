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

/** Waits for a reply; a delivery failure sends "delivery failed". */
const FAILURE_FOLLOW_UP = {
  description: 'follow-up on a delivery failure',
  initial_state: 'Trigger',
  flags: { allow_concurrent_calls: true },
  states: [
    { name: 'Trigger', type: 'trigger', transitions: [{ event: 'incomingMessage', next: 'ask' }], properties: { offset: { x: 0, y: 0 } } },
    {
      name: 'ask',
      type: 'send-and-wait-for-reply',
      transitions: [{ event: 'incomingMessage' }, { event: 'timeout' }, { event: 'deliveryFailure', next: 'oops' }],
      properties: { offset: { x: 0, y: 200 }, from: '{{flow.channel.address}}', body: 'Well?', timeout: '600' },
    },
    {
      name: 'oops',
      type: 'send-message',
      transitions: [{ event: 'sent' }, { event: 'failed' }],
      properties: { offset: { x: 0, y: 400 }, from: '{{flow.channel.address}}', to: '{{contact.channel.address}}', body: 'delivery failed' },
    },
  ],
};

/** A failure report stored as DeliveryReports.accept stores one before its 204, not applied yet. */
async function storeFailureReport(app: App, accountSid: string, executionSid: string): Promise<string> {
  const execution = await app.store.getExecutionBySid(executionSid);
  const messageSid = (execution!.state as { frames: { wait: { outbound: { Sid: string } } }[] }).frames[0]!.wait.outbound.Sid;
  const effectId = `EF${executionSid.slice(2)}`;
  const report = { effectId, executionSid, accountSid, messageSid, status: 'undelivered', errorCode: '30003' };
  const key = `carrier-report:${effectId}`;
  await app.store.putChannelRecord({ key, accountSid, executionSid, value: JSON.stringify(report), updatedAt: Date.now() });
  return key;
}

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
      // Its own 2 s timeout fires here: waited for (a fixed 3.5 s could pass first on a busy machine with a slow
      // disk). The server's timer, set earlier, is due by then too: the guest had every chance to fire it.
      const ends = Date.now() + 15_000;
      while ((await guest.store.getExecutionBySid(ownExecution))?.status !== 'ended' && Date.now() < ends) await sleep(50);
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

  it("leaves the server's stored delivery reports to the server: no sweep, and none listed", async () => {
    const flags = { 'data-dir': dir };
    const server = await createApp(loadConfig(flags));
    let flow: FlowRecord;
    let serverExecution: string;
    let serverReport: string;
    try {
      const { account } = await server.accounts.ensureStartupAccount(undefined);
      flow = await server.flows.create(account.sid, { friendlyName: 'follow-up', status: 'published', definition: FAILURE_FOLLOW_UP });
      serverExecution = await text(server, flow, '+15550000011', 'hi');
      serverReport = await storeFailureReport(server, account.sid, serverExecution);
    } finally {
      await server.close(); // stopped, so that only the guest could apply the report
    }

    const opened = await openFlowTarget(flow.sid, flags);
    assert.ok(opened);
    const guest = opened.app;
    try {
      const ownExecution = await text(guest, flow, '+15550000012', 'hi');
      const ownReport = await storeFailureReport(guest, opened.account.sid, ownExecution);
      assert.deepEqual((await guest.store.listChannelRecords('carrier-report:', 10)).map((record) => record.key), [ownReport], "only the guest's own are listed");
      await sleep(5_500); // past a delivery-report sweep's interval
      await guest.executions.idle();
      assert.ok(await guest.store.getChannelRecord(serverReport), 'the report is still stored for the server');
      // Reports reach the server's callback URL, never a guest (it does not listen): no sweep runs here at all.
      assert.ok(await guest.store.getChannelRecord(ownReport), 'no delivery-report sweep ran in the guest');
      assert.deepEqual(guest.simulator.transcript(SIMULATOR_FLOW_ADDRESS, '+15550000011').map((m) => m.body), [], 'no follow-up sent through the guest');
      const waits = (await guest.store.getExecutionBySid(serverExecution))?.state as { frames: { wait?: { kind: string } }[] };
      assert.equal(waits.frames.at(-1)?.wait?.kind, 'reply', "the server's execution still waits on its step");
    } finally {
      await guest.close();
    }
  });
});
