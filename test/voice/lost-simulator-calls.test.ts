// Simulator calls live in the memory of the process that made them; their executions live in the
// store. A call lost with its process (a restart, kill -9) must not lock its caller out of a flow with
// allow_concurrent_calls off: the restarted server ends the lost call's execution as its hang-up would
// have (CallStatus completed; test/runtime/lost-call-sweep.test.ts), and so does the caller's next
// call if it comes first, which then goes ahead. The CallSid says which process made it (a random boot id,
// no host name or process id) under a check keyed per account, so a forged or carrier SID is no
// simulator call. Another process's call is lost only when both it and this process used the store
// alone (SQLite under the data directory's lock); otherwise (PostgreSQL, a guest of a server's store)
// it may be live: it is left active and refuses nothing. A carrier's call still refuses.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { call, phone, stepsOf, said, type CallView } from './support.ts';
import { flowWebhookUrl, twilioPost } from './twilio-webhook.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { PostgresStore } from '../../src/store/postgres/postgres-store.ts';
import { OUT_OF_SERVICE } from '../../src/api/routes/webhook-calls.ts';
import { SimulatorPhone, type PhoneTransport } from '../../src/channels/simulator/phone.ts';
import { simulatorCallOrigin } from '../../src/channels/simulator/call-sids.ts';
import { CallService } from '../../src/runtime/calls.ts';
import { HANGUP_ACTION_GRACE_MS } from '../../src/engine/widgets/voice.ts';
import { DATABASE_URL, SKIP_REASON, dropSchema, testSchemaName } from '../store/postgres-support.ts';

const CALLER = '+15551239999';

const FLOW = {
  description: 'one call at a time',
  initial_state: 'Trigger',
  flags: { allow_concurrent_calls: false },
  states: [
    { name: 'Trigger', type: 'trigger', transitions: [{ event: 'incomingCall', next: 'menu' }], properties: { offset: { x: 0, y: 0 } } },
    { name: 'menu', type: 'gather-input-on-call', transitions: [{ event: 'keypress' }, { event: 'speech' }, { event: 'timeout' }], properties: { offset: { x: 0, y: 100 }, say: 'Press a key' } },
  ],
};

/** The key of the account's simulator CallSids, as the app derives it (no SWITCHBOARD_CALLBACK_SECRET in tests). */
function keyOf(server: TestServer): Promise<Buffer> {
  return new CallService(server.app.store, server.app.executions).accountKey(server.account.sid, 'simulator-call-sid') as Promise<Buffer>;
}

/** A simulator CallSid as phone.ts lays it out: another process's (`boot`) unless told, under `key`. */
function simulatorSid(key: Buffer, fields: { boot?: string; sole?: boolean; phone?: string; serial?: number } = {}): string {
  const body = (fields.boot ?? randomBytes(6).toString('hex')) + (fields.sole === false ? '0' : '1') + (fields.phone ?? 'c0ffe') + (fields.serial ?? 7).toString(16).padStart(6, '0');
  return 'CA' + createHmac('sha256', key).update('switchboard simulator call\0' + body).digest('hex').slice(0, 8) + body;
}

/** A CallSid in the layout of earlier versions (host tag, process id, public check). */
function earlierSid(pid: number): string {
  const body = 'abcabc' + pid.toString(16).padStart(6, '0') + 'c0ffee' + '00000007';
  return 'CA' + createHash('sha256').update('switchboard simulator call ' + body).digest('hex').slice(0, 6) + body;
}

const NO_TRANSPORT: PhoneTransport = { request: async () => assert.fail('no request expected') };

/** A phone of this process judging calls as a node on a store it uses alone (SQLite) or shares (PostgreSQL). */
function judge(server: TestServer, soleStoreUser: boolean): SimulatorPhone {
  return new SimulatorPhone(NO_TRANSPORT, { soleStoreUser, callSidKey: async (accountSid) => (accountSid === server.account.sid ? keyOf(server) : null) });
}

async function withFlow(server: TestServer): Promise<string> {
  return (await server.app.flows.create(server.account.sid, { friendlyName: 'lost calls', status: 'published', definition: FLOW as never })).sid;
}

async function statusOf(server: TestServer, flowSid: string, executionSid: string): Promise<string | undefined> {
  return (await server.app.store.getExecution(server.account.sid, flowSid, executionSid))?.status;
}

function callTo(server: TestServer, flowSid: string, to: string): Promise<CallView> {
  return phone(server, '/simulator/calls', { FlowSid: flowSid, From: CALLER, To: to });
}

function goesAhead(view: CallView): void {
  assert.equal(view.status, 'in-progress', JSON.stringify(view.transcript));
  assert.match(view.execution_sid ?? '', /^FN/);
  assert.deepEqual(said(view), ['Press a key']);
}

/** The flow webhook for an incoming call `callSid` from CALLER to `to`, signed as Twilio signs it; its execution. */
async function ringFrom(server: TestServer, flowSid: string, callSid: string, to: string): Promise<string> {
  const params = { AccountSid: server.account.sid, ApiVersion: '2010-04-01', CallSid: callSid, CallStatus: 'ringing', Called: to, Caller: CALLER, Direction: 'inbound', From: CALLER, To: to };
  const res = await twilioPost(server, flowWebhookUrl(server, flowSid), params);
  assert.equal(res.statusCode, 200);
  assert.match(res.body, /Press a key/);
  return (await server.app.store.findActiveExecutionByCall(flowSid, callSid))!.sid;
}

describe('simulator CallSids say which process made them, under a check keyed per account', () => {
  it('a phone\'s calls decode with the account\'s key: this process\'s boot id, its phone, a serial; no host name or process id', async () => {
    const server = await startTestServer();
    const another = await startTestServer();
    try {
      const flowSid = await withFlow(server);
      const key = await keyOf(server);
      const view = await call(server, flowSid, CALLER);
      const origin = simulatorCallOrigin(view.sid, key);
      assert.ok(origin, view.sid);
      assert.match(origin.boot, /^[0-9a-f]{12}$/);
      assert.equal(origin.sole, true, 'an app on SQLite uses its store alone');
      assert.ok(!view.sid.includes(process.pid.toString(16).padStart(6, '0')), 'the process id is not in it');
      assert.equal(await judge(server, true).whereabouts(view.sid, server.account.sid), 'here');
      // Two calls of one phone differ by the serial only; another app of this process has the same boot id and another phone.
      const second = simulatorCallOrigin((await call(server, flowSid, '+15551230002')).sid, key)!;
      assert.deepEqual({ ...second, serial: 0 }, { ...origin, serial: 0 });
      assert.notEqual(second.serial, origin.serial);
      const elsewhere = simulatorCallOrigin((await call(another, await withFlow(another), CALLER)).sid, await keyOf(another))!;
      assert.equal(elsewhere.boot, origin.boot);
      assert.notEqual(elsewhere.phone, origin.phone);
      // The key is the account's: another account's key does not read this one's CallSids.
      assert.equal(simulatorCallOrigin(view.sid, await keyOf(another)), null);
      assert.equal(await judge(server, true).whereabouts(view.sid, another.account.sid), null);
    } finally {
      await server.close();
      await another.close();
    }
  });

  it('forged and random CallSids are no simulator calls: a carrier\'s, a check under another key, an edited one', async () => {
    const server = await startTestServer();
    try {
      const key = await keyOf(server);
      const phone = judge(server, true);
      const whereabouts = (sid: string) => phone.whereabouts(sid, server.account.sid);
      assert.equal(await whereabouts('CA' + 'f'.repeat(32)), null);
      assert.equal(await whereabouts('CA' + 'ab12'.repeat(8)), null);
      for (let i = 0; i < 200; i++) assert.equal(await whereabouts('CA' + randomBytes(16).toString('hex')), null);
      const lost = simulatorSid(key);
      assert.equal(await whereabouts(lost), 'lost');
      // The same fields under a key guessed from public data, or edited after the check: not ours.
      assert.equal(await whereabouts(simulatorSid(createHash('sha256').update('switchboard').digest())), null);
      assert.equal(await whereabouts(simulatorSid(Buffer.alloc(32))), null);
      const edited = lost.slice(0, 20) + (lost[20] === '0' ? '1' : '0') + lost.slice(21);
      assert.equal(await whereabouts(edited), null);
      assert.equal(simulatorCallOrigin(lost, Buffer.alloc(32)), null);
    } finally {
      await server.close();
    }
  });

  it('lost: another process\'s call when both used the store alone, a call of a closed phone, one its phone no longer has; elsewhere otherwise', async () => {
    const server = await startTestServer();
    try {
      const key = await keyOf(server);
      const sole = judge(server, true);
      const shared = judge(server, false);
      const where = (phone: SimulatorPhone, sid: string) => phone.whereabouts(sid, server.account.sid);
      // Another boot id: lost only when it used the store alone and this process does too.
      assert.equal(await where(sole, simulatorSid(key, { sole: true })), 'lost');
      assert.equal(await where(sole, simulatorSid(key, { sole: false })), 'elsewhere', 'a guest of the store (switchboard call) may be live');
      assert.equal(await where(shared, simulatorSid(key, { sole: true })), 'elsewhere', 'a node on PostgreSQL cannot tell');
      assert.equal(await where(shared, simulatorSid(key, { sole: false })), 'elsewhere');
      // A call an earlier version made: it cannot be judged, nor trusted (its check was public).
      assert.equal(await where(sole, earlierSid(4242)), 'elsewhere');
      // This process's.
      const flowSid = await withFlow(server);
      const view = await call(server, flowSid, CALLER);
      const own = simulatorCallOrigin(view.sid, key)!;
      assert.equal(await where(shared, view.sid), 'here');
      assert.equal(await where(shared, simulatorSid(key, { ...own, serial: own.serial + 12345 })), 'lost', 'a SID of this phone that it does not have');
      assert.equal(await where(shared, simulatorSid(key, { ...own, phone: 'fffff' === own.phone ? 'ffffe' : 'fffff' })), 'elsewhere', 'no phone of this process has that id');
      await server.close();
      assert.equal(await where(shared, view.sid), 'lost', 'its phone closed with the server');
    } finally {
      await server.close().catch(() => undefined);
    }
  });
});

describe('allow_concurrent_calls off: a lost simulator call does not lock its caller out', () => {
  /**
   * A caller's call lost in a restart of the app on its SQLite file, beside a call hung up on the same
   * widget before it; `check` sees both executions once the caller has called again.
   */
  async function afterRestart(definition: unknown, check: (server: TestServer, flowSid: string, lost: string, hungUp: string) => Promise<void>): Promise<void> {
    const dir = mkdtempSync(join(tmpdir(), 'sb-lost-calls-'));
    const path = join(dir, 'switchboard.db');
    try {
      const first = await startTestServer({ store: new SqliteStore({ path }) });
      const flowSid = (await first.app.flows.create(first.account.sid, { friendlyName: 'lost calls', status: 'published', definition: definition as never })).sid;
      const lost = await call(first, flowSid, CALLER);
      assert.equal(lost.status, 'in-progress');
      // The same caller again while it is live: refused, as before.
      const refused = await call(first, flowSid, CALLER);
      assert.equal(refused.execution_sid, null);
      assert.ok(refused.transcript.some((l) => l.text.includes(OUT_OF_SERVICE)), JSON.stringify(refused.transcript));
      // A call hung up on the same widget, for comparison.
      const hungUp = await callTo(first, flowSid, '+15550000002');
      await phone(first, `/simulator/calls/${hungUp.sid}/Hangup`);
      assert.equal(await statusOf(first, flowSid, hungUp.execution_sid!), 'ended');
      await first.close();

      // A clock of its own: a widget that waits a moment for the action Twilio requests at a hangup
      // (hangupAwaitingAction) leaves once that grace has passed.
      let ahead = 0;
      const second = await startTestServer({ store: new SqliteStore({ path }), now: () => Date.now() + ahead });
      try {
        assert.equal(second.account.sid, first.account.sid);
        const gone = await second.app.server.inject({ method: 'GET', url: `/simulator/calls/${lost.sid}`, headers: { authorization: second.auth } });
        assert.equal(gone.statusCode, 404);
        // The restarted app has told the lost call's execution of the hang-up by itself.
        await second.app.lostCallsEnded();

        const again = await call(second, flowSid, CALLER);
        assert.equal(again.status, 'in-progress', JSON.stringify(again.transcript));
        assert.match(again.execution_sid ?? '', /^FN/);
        assert.notEqual(again.execution_sid, lost.execution_sid);
        ahead += HANGUP_ACTION_GRACE_MS;
        await second.app.executions.fireDueTimers();
        await second.app.executions.idle();
        assert.equal(await statusOf(second, flowSid, lost.execution_sid!), 'ended');
        assert.deepEqual(await stepsOf(second, flowSid, lost.execution_sid!), await stepsOf(second, flowSid, hungUp.execution_sid!));
        await check(second, flowSid, lost.execution_sid!, hungUp.execution_sid!);
        // The new call holds the line now, as any live call does.
        const third = await call(second, flowSid, CALLER);
        assert.equal(third.execution_sid, null);
        // The lost call's execution no longer counts among the pair's: the new one is its only one.
        const active = await second.app.store.listActiveExecutionsOfPair(flowSid, CALLER, '+15005550006', 10);
        assert.deepEqual(active.map((r) => r.sid), [again.execution_sid]);
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it('restart on the same SQLite file: the next call goes ahead; the lost call\'s execution ends as its hang-up would have (Gather: ended)', async () => {
    await afterRestart(FLOW, async (server, flowSid, lost) => {
      assert.deepEqual(await stepsOf(server, flowSid, lost), ['Trigger -incomingCall-> menu']);
    });
  });

  it('restart: a widget with a hangup path takes it (after its grace for the action), with the final status\'s parameters as outputs', async () => {
    const definition = {
      ...FLOW,
      states: [
        { name: 'Trigger', type: 'trigger', transitions: [{ event: 'incomingCall', next: 'agent' }], properties: { offset: { x: 0, y: 0 } } },
        { name: 'agent', type: 'connect-virtual-agent', transitions: [{ event: 'return' }, { event: 'hangup', next: 'note' }], properties: { offset: { x: 0, y: 100 }, connector: 'cx' } },
        { name: 'note', type: 'set-variables', transitions: [{ event: 'next' }], properties: { offset: { x: 0, y: 200 }, variables: [{ key: 'ended', value: '{{widgets.agent.CallStatus}} {{widgets.agent.CallSid}}' }] } },
      ],
    };
    await afterRestart(definition, async (server, flowSid, lost, hungUp) => {
      assert.deepEqual(await stepsOf(server, flowSid, lost), ['Trigger -incomingCall-> agent', 'agent -hangup-> note', 'note -next-> Ended']);
      const outputs = async (sid: string) => {
        const state = (await server.app.store.getExecutionBySid(sid))!.state as { callSid: string; frames: { variables: Record<string, string>; widgets: Record<string, Record<string, string>> }[] };
        return { callSid: state.callSid, variables: state.frames[0]!.variables, agent: state.frames[0]!.widgets.agent! };
      };
      const ofLost = await outputs(lost);
      const ofHungUp = await outputs(hungUp);
      assert.equal(ofLost.variables.ended, `completed ${ofLost.callSid}`);
      assert.equal(ofHungUp.variables.ended, `completed ${ofHungUp.callSid}`);
      assert.equal(ofLost.agent.From, CALLER);
      // The call's parameters, as the phone's hang-up gave them (its Connect action, with the session's
      // VirtualAgent* parameters, which a lost call cannot have), and the status's Timestamp.
      const callParameters = (agent: Record<string, string>) => Object.keys(agent).filter((k) => !k.startsWith('VirtualAgent') && k !== 'Timestamp').sort();
      assert.deepEqual(callParameters(ofLost.agent), callParameters(ofHungUp.agent));
      assert.equal(ofHungUp.agent.VirtualAgentStatus, 'completed');
      assert.ok(ofLost.agent.Timestamp);
    });
  });

  it('by its CallSid: another process\'s call on a store both used alone is ended; a guest\'s is left active and refuses nothing; a carrier\'s call still refuses', async () => {
    const server = await startTestServer();
    try {
      const flowSid = await withFlow(server);
      const key = await keyOf(server);
      const to = (n: number) => `+1500555000${n}`;

      const restarted = await ringFrom(server, flowSid, simulatorSid(key, { sole: true }), to(1));
      goesAhead(await callTo(server, flowSid, to(1)));
      assert.equal(await statusOf(server, flowSid, restarted), 'ended');

      const guest = await ringFrom(server, flowSid, simulatorSid(key, { sole: false }), to(2));
      goesAhead(await callTo(server, flowSid, to(2)));
      assert.equal(await statusOf(server, flowSid, guest), 'active');

      // A carrier's, and a simulator-like SID without the account's key: the caller is refused.
      for (const [n, sid] of [[3, 'CA' + '1'.repeat(32)], [4, simulatorSid(Buffer.alloc(32))]] as const) {
        const held = await ringFrom(server, flowSid, sid, to(n));
        const refused = await callTo(server, flowSid, to(n));
        assert.equal(refused.execution_sid, null);
        assert.ok(refused.transcript.some((l) => l.text.includes(OUT_OF_SERVICE)));
        assert.equal(await statusOf(server, flowSid, held), 'active');
      }
    } finally {
      await server.close();
    }
  });
});

describe('allow_concurrent_calls off on PostgreSQL (a store nodes share)', { skip: SKIP_REASON }, () => {
  async function onPostgres(schema: string): Promise<TestServer> {
    return startTestServer({ store: new PostgresStore({ connectionString: DATABASE_URL!, schema, poolSize: 4 }) as never });
  }

  it('another process\'s simulator call is elsewhere: left active, refusing nothing; a call of this process\'s closed phone is lost and ended', async () => {
    const schema = testSchemaName();
    try {
      const first = await onPostgres(schema);
      const flowSid = await withFlow(first);
      const lost = await call(first, flowSid, CALLER);
      goesAhead(lost);
      await first.close();

      const second = await onPostgres(schema);
      try {
        const key = await keyOf(second);
        // Made by another process (another node, or one before a restart): it may be live there.
        const other = await ringFrom(second, flowSid, simulatorSid(key, { sole: true }), '+15005550001');
        goesAhead(await callTo(second, flowSid, '+15005550001'));
        assert.equal(await statusOf(second, flowSid, other), 'active');
        // This process's phone that made `lost` is closed: certainly gone.
        goesAhead(await call(second, flowSid, CALLER));
        assert.equal(await statusOf(second, flowSid, lost.execution_sid!), 'ended');
      } finally {
        await second.close();
      }
    } finally {
      await dropSchema(schema);
    }
  });
});

// ---- a real server, killed with SIGKILL and started again on its data directory

const main = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

interface Serve {
  url: string;
  auth: string;
  kill(signal: NodeJS.Signals): Promise<void>;
}

async function serve(dataDir: string): Promise<Serve> {
  const child = spawn(process.execPath, [main, 'serve', '--port', '0', '--log-level', 'warn'], { env: { PATH: process.env.PATH ?? '', SWITCHBOARD_DATA_DIR: dataDir }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk) => (out += chunk));
  child.stderr.on('data', (chunk) => (err += chunk));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const kill = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  try {
    await Promise.race([
      new Promise<void>((resolve) => child.stdout.on('data', () => /^Point twilio-node at it/m.test(out) && resolve())),
      exited.then(() => assert.fail(`serve exited early: ${err}`)),
      new Promise<void>((_, reject) => setTimeout(() => reject(new Error(`serve not ready: ${out}${err}`)), 30_000).unref()),
    ]);
  } catch (error) {
    await kill('SIGKILL');
    throw error;
  }
  const url = /listening on (http:\/\/\S+)/.exec(out)![1]!;
  const sid = /^(?:Dev account|Account): (AC[0-9a-f]{32})/m.exec(out)?.[1];
  const token = /^Auth token: ([0-9a-f]{32})/m.exec(out)?.[1];
  assert.ok(sid && token, out);
  return { url, auth: 'Basic ' + Buffer.from(`${sid}:${token}`).toString('base64'), kill };
}

async function request(server: Serve, method: string, path: string, fields?: Record<string, string>): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(server.url + path, {
    method,
    headers: { authorization: server.auth, ...(fields ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
    ...(fields ? { body: new URLSearchParams(fields).toString() } : {}),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('allow_concurrent_calls off, a real server killed with SIGKILL', () => {
  it('the restarted server ends the lost call\'s execution by itself and lets the caller in again', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-lost-calls-serve-'));
    try {
      let node = await serve(dir);
      let flowSid: string;
      let lost: CallView;
      try {
        const flow = await request(node, 'POST', '/v2/Flows', { FriendlyName: 'lost calls', Status: 'published', Definition: JSON.stringify(FLOW) });
        assert.equal(flow.status, 201, JSON.stringify(flow.body));
        flowSid = flow.body.sid as string;
        const made = await request(node, 'POST', '/simulator/calls', { FlowSid: flowSid, From: CALLER });
        lost = made.body as unknown as CallView;
        goesAhead(lost);
      } finally {
        await node.kill('SIGKILL');
      }
      node = await serve(dir);
      try {
        assert.equal((await request(node, 'GET', `/simulator/calls/${lost.sid}`)).status, 404);
        await until('the lost call\'s execution to end', async () => (await request(node, 'GET', `/v2/Flows/${flowSid}/Executions/${lost.execution_sid}`)).body.status === 'ended');
        const again = await request(node, 'POST', '/simulator/calls', { FlowSid: flowSid, From: CALLER });
        goesAhead(again.body as unknown as CallView);
      } finally {
        await node.kill('SIGTERM');
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  it('a call Make Outgoing Call placed, still ringing: the restarted server takes the widget\'s failed, and the contact can start a new execution', async () => {
    const outbound = {
      description: 'call, else text',
      initial_state: 'Trigger',
      flags: { allow_concurrent_calls: true },
      states: [
        { name: 'Trigger', type: 'trigger', transitions: [{ event: 'incomingRequest', next: 'dial' }], properties: { offset: { x: 0, y: 0 } } },
        { name: 'dial', type: 'make-outgoing-call-v2', transitions: [{ event: 'answered' }, { event: 'busy' }, { event: 'noAnswer', next: 'text' }, { event: 'failed', next: 'text' }], properties: { offset: { x: 0, y: 100 }, from: '{{flow.channel.address}}', to: '{{contact.channel.address}}', timeout: 60 } },
        { name: 'text', type: 'send-message', transitions: [{ event: 'sent' }, { event: 'failed' }], properties: { offset: { x: 0, y: 200 }, from: '{{flow.channel.address}}', to: '{{contact.channel.address}}', body: 'call {{widgets.dial.CallStatus}}' } },
      ],
    };
    const dir = mkdtempSync(join(tmpdir(), 'sb-lost-outbound-serve-'));
    try {
      let node = await serve(dir);
      let flowSid: string;
      let executionSid: string;
      try {
        const flow = await request(node, 'POST', '/v2/Flows', { FriendlyName: 'outbound', Status: 'published', Definition: JSON.stringify(outbound) });
        flowSid = flow.body.sid as string;
        const created = await request(node, 'POST', `/v2/Flows/${flowSid}/Executions`, { To: CALLER, From: '+15005550006' });
        assert.equal(created.status, 201, JSON.stringify(created.body));
        executionSid = created.body.sid as string;
        await until('the call to ring', async () => ((await request(node, 'GET', `/simulator/calls?FlowSid=${flowSid}`)).body.calls as unknown[]).length === 1);
        assert.equal((await request(node, 'POST', `/v2/Flows/${flowSid}/Executions`, { To: CALLER, From: '+15005550006' })).status, 409);
      } finally {
        await node.kill('SIGKILL');
      }
      node = await serve(dir);
      try {
        await until('the execution to end', async () => (await request(node, 'GET', `/v2/Flows/${flowSid}/Executions/${executionSid}`)).body.status === 'ended');
        const steps = await request(node, 'GET', `/v2/Flows/${flowSid}/Executions/${executionSid}/Steps`);
        assert.deepEqual((steps.body.steps as { name: string; transitioned_from: string }[]).map((step) => `${step.transitioned_from} -${step.name}->`), ['Trigger -incomingRequest->', 'dial -failed->', 'text -sent->']);
        assert.equal((await request(node, 'POST', `/v2/Flows/${flowSid}/Executions`, { To: CALLER, From: '+15005550006' })).status, 201);
      } finally {
        await node.kill('SIGTERM');
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
