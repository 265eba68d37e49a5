// An execution waiting on a simulator call that is gone with its process moves on as Twilio would
// report the call: one Make Outgoing Call placed that was still ringing takes `failed` (a call cut before
// it connected), and an execution's own call ends as the phone's hang-up ends it. The contact's one
// active slot is free again. A node closing gracefully (SIGTERM) tells its calls' executions at once,
// on SQLite and PostgreSQL alike; a node started on a SQLite file ends the calls a killed process left
// (test/voice/lost-simulator-calls.test.ts kills a real server). A simulator call another process may
// still have is never ended: a guest's (`switchboard call`) on SQLite, any other process's on PostgreSQL.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestServer, type TestServer } from '../support/server.ts';
import { callThenTextFlow } from '../support/flows.ts';
import { call, stepsOf } from '../voice/support.ts';
import { flowWebhookUrl, twilioPost } from '../voice/twilio-webhook.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { PostgresStore } from '../../src/store/postgres/postgres-store.ts';
import { CallService } from '../../src/runtime/calls.ts';
import type { ExecutionState } from '../../src/engine/types.ts';
import type { Store } from '../../src/runtime/ports/store.ts';
import { DATABASE_URL, SKIP_REASON, dropSchema, testSchemaName } from '../store/postgres-support.ts';

const CONTACT = '+15551230001';
const FLOW_ADDRESS = '+15005550006';

const OUTBOUND = callThenTextFlow('call the contact, text them if that does not work', {
  widgets: { answered: 'hello', busy: 'busy_text', noAnswer: 'no_answer_text', failed: 'failed_text' },
  timeout: 5,
  body: (name) => `${name}: {{widgets.dial.CallStatus}}`,
});

const GATHER = {
  description: 'a menu',
  initial_state: 'Trigger',
  flags: { allow_concurrent_calls: false },
  states: [
    { name: 'Trigger', type: 'trigger', transitions: [{ event: 'incomingCall', next: 'menu' }], properties: { offset: { x: 0, y: 0 } } },
    { name: 'menu', type: 'gather-input-on-call', transitions: [{ event: 'keypress' }, { event: 'speech' }, { event: 'timeout' }], properties: { offset: { x: 0, y: 100 }, say: 'Press a key' } },
  ],
};

async function statusOf(store: Store, executionSid: string): Promise<string | undefined> {
  return (await store.getExecutionBySid(executionSid))?.status;
}

async function create(server: TestServer, flowSid: string): Promise<{ status: number; sid: string }> {
  const res = await server.app.server.inject({
    method: 'POST',
    url: `/v2/Flows/${flowSid}/Executions`,
    headers: { authorization: server.auth, 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ To: CONTACT, From: FLOW_ADDRESS }).toString(),
  });
  return { status: res.statusCode, sid: (res.json() as { sid: string }).sid };
}

async function withFlow(server: TestServer, definition: unknown): Promise<string> {
  return (await server.app.flows.create(server.account.sid, { friendlyName: 'lost calls', status: 'published', definition: definition as never })).sid;
}

/** A REST execution whose Make Outgoing Call rings (the phone has the call); its SID and the call's. */
async function ringing(server: TestServer, flowSid: string): Promise<{ executionSid: string; callSid: string }> {
  const started = await create(server, flowSid);
  assert.equal(started.status, 201);
  await server.app.executions.idle();
  const wait = ((await server.app.store.getExecutionBySid(started.sid))!.state as ExecutionState).frames[0]!.wait;
  const callSid = wait?.kind === 'call' ? wait.outputs?.CallSid : undefined;
  assert.match(String(callSid), /^CA/, 'the call rings');
  // Still ringing: the contact cannot start another execution.
  assert.equal((await create(server, flowSid)).status, 409);
  return { executionSid: started.sid, callSid: String(callSid) };
}

/** The steps and the dial widget's outputs of an execution whose ringing call was lost. */
async function failedDial(server: TestServer, flowSid: string, executionSid: string, callSid: string): Promise<void> {
  assert.deepEqual(await stepsOf(server, flowSid, executionSid), ['Trigger -incomingRequest-> dial', 'dial -failed-> failed_text', 'failed_text -sent-> Ended']);
  const dial = ((await server.app.store.getExecutionBySid(executionSid))!.state as ExecutionState).frames[0]!.widgets.dial as Record<string, unknown>;
  assert.equal(dial.CallStatus, 'failed');
  assert.equal(dial.CallSid, callSid);
  assert.equal(dial.To, CONTACT);
}

/**
 * The flow webhook for an incoming call `callSid` from CONTACT (signed as Twilio signs it); its execution.
 * With a CallSid another process made, it stands for a call that process has (or had).
 */
async function ringFrom(server: TestServer, flowSid: string, callSid: string, from = CONTACT): Promise<string> {
  const params = { AccountSid: server.account.sid, ApiVersion: '2010-04-01', CallSid: callSid, CallStatus: 'ringing', Called: FLOW_ADDRESS, Caller: from, Direction: 'inbound', From: from, To: FLOW_ADDRESS };
  const res = await twilioPost(server, flowWebhookUrl(server, flowSid), params);
  assert.equal(res.statusCode, 200);
  return (await server.app.store.findActiveExecutionByCall(flowSid, callSid))!.sid;
}

/** A simulator CallSid of another process of the account's (phone.ts's layout): one that used the store alone (`sole`), or a guest. */
async function anotherProcessCall(server: TestServer, sole: boolean): Promise<string> {
  const key = (await new CallService(server.app.store, server.app.executions).accountKey(server.account.sid, 'simulator-call-sid'))!;
  const body = randomBytes(6).toString('hex') + (sole ? '1' : '0') + 'c0ffe' + randomBytes(3).toString('hex');
  return 'CA' + createHmac('sha256', key).update('switchboard simulator call\0' + body).digest('hex').slice(0, 8) + body;
}

/** Runs `first` on an app on a new SQLite file, closes it, then `second` on an app started again on that file. */
async function acrossRestart<T>(first: (server: TestServer) => Promise<T>, second: (server: TestServer, before: T, path: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'sb-lost-call-sweep-'));
  const path = join(dir, 'switchboard.db');
  try {
    const one = await startTestServer({ store: new SqliteStore({ path }) });
    let before: T;
    try {
      before = await first(one);
    } finally {
      await one.close();
    }
    const two = await startTestServer({ store: new SqliteStore({ path }) });
    try {
      await second(two, before, path);
    } finally {
      await two.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('a node closing (SIGTERM) ends the executions of its live simulator calls', () => {
  it('a ringing outbound call: the widget takes failed and the flow goes on before the node is gone; the contact can start anew', async () => {
    let texted: string[] = [];
    await acrossRestart(
      async (server) => {
        const flowSid = await withFlow(server, OUTBOUND);
        const placed = await ringing(server, flowSid);
        // What follows the failed call is sent while the node drains.
        const simulator = server.app.simulator;
        const close = server.close.bind(server);
        server.close = async () => {
          await close();
          texted = simulator.transcript(FLOW_ADDRESS, CONTACT).filter((m) => m.direction === 'outbound-api').map((m) => m.body);
        };
        return { flowSid, ...placed };
      },
      async (server, { flowSid, executionSid, callSid }) => {
        assert.deepEqual(texted, ['failed_text: failed']);
        assert.equal(await statusOf(server.app.store, executionSid), 'ended');
        await failedDial(server, flowSid, executionSid, callSid);
        const again = await create(server, flowSid);
        assert.equal(again.status, 201, 'the contact starts a new execution');
        assert.notEqual(again.sid, executionSid);
      },
    );
  });

  it('an inbound call at a Gather: the execution ends as at the caller\'s hang-up, and the caller is let in again', async () => {
    await acrossRestart(
      async (server) => {
        const flowSid = await withFlow(server, GATHER);
        const view = await call(server, flowSid, CONTACT);
        assert.equal(view.status, 'in-progress');
        return { flowSid, executionSid: view.execution_sid! };
      },
      async (server, { flowSid, executionSid }) => {
        assert.equal(await statusOf(server.app.store, executionSid), 'ended');
        assert.deepEqual(await stepsOf(server, flowSid, executionSid), ['Trigger -incomingCall-> menu']);
        const again = await call(server, flowSid, CONTACT);
        assert.equal(again.status, 'in-progress');
        assert.match(again.execution_sid ?? '', /^FN/);
      },
    );
  });
});

describe('a node started on a SQLite file ends the simulator calls a killed process left', () => {
  it('a killed server\'s call is ended once the runtime runs, without the caller calling again; a guest\'s call is left alone', async () => {
    await acrossRestart(
      async (server) => {
        const flowSid = await withFlow(server, GATHER);
        // Calls this phone never had, so its close ends nothing: one of a server killed before this one
        // (it used the store alone), one `switchboard call` made beside it (a guest of the store).
        const killed = await ringFrom(server, flowSid, await anotherProcessCall(server, true));
        const guest = await ringFrom(server, flowSid, await anotherProcessCall(server, false), '+15551230002');
        return { flowSid, killed, guest };
      },
      async (server, { flowSid, killed, guest }) => {
        assert.equal(await server.app.lostCallsEnded(), 1);
        await server.app.executions.idle();
        assert.equal(await statusOf(server.app.store, killed), 'ended');
        assert.deepEqual(await stepsOf(server, flowSid, killed), ['Trigger -incomingCall-> menu']);
        assert.equal(await statusOf(server.app.store, guest), 'active');
      },
    );
  });
});

describe('on PostgreSQL (a store nodes share)', { skip: SKIP_REASON }, () => {
  async function onPostgres(schema: string): Promise<TestServer> {
    return startTestServer({ store: new PostgresStore({ connectionString: DATABASE_URL!, schema, poolSize: 4 }) as never });
  }

  it('a node closing ends its own ringing call\'s execution; a node started later ends no other process\'s call', async () => {
    const schema = testSchemaName();
    try {
      const first = await onPostgres(schema);
      let flowSid: string;
      let placed: { executionSid: string; callSid: string };
      let other: string;
      try {
        flowSid = await withFlow(first, OUTBOUND);
        placed = await ringing(first, flowSid);
        // A call another node made (it may be live there): not this node's to end.
        const menu = await withFlow(first, GATHER);
        other = await ringFrom(first, menu, await anotherProcessCall(first, true));
      } finally {
        await first.close();
      }
      const second = await onPostgres(schema);
      try {
        assert.equal(await statusOf(second.app.store, placed.executionSid), 'ended');
        await failedDial(second, flowSid, placed.executionSid, placed.callSid);
        assert.equal((await create(second, flowSid)).status, 201);
        assert.equal(await second.app.lostCallsEnded(), 0, 'no sweep on a shared store');
        assert.equal(await statusOf(second.app.store, other), 'active');
      } finally {
        await second.close();
      }
    } finally {
      await dropSchema(schema);
    }
  });
});
