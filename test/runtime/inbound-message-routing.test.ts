// Which of a contact pair's active executions an inbound message goes to. A call may run beside the
// contact's REST or message execution (allow_concurrent_calls counts calls only), so a pair can have
// several: the message goes to the newest that waits for a message (Send & Wait for Reply), not to a
// call parked on a Gather that would drop it with 81002; only when none waits does the newest get it.
// With one active execution the routing reads nothing but the pair's SIDs (the hot path).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createApp } from '../../src/app.ts';
import { loadConfig, type SwitchboardConfig } from '../../src/config.ts';
import { PostgresStore } from '../../src/store/postgres/postgres-store.ts';
import { wiredTriggerFlow } from '../support/flows.ts';
import { basicAuth, FORM, form, startTestServer, type TestServer } from '../support/server.ts';
import { DATABASE_URL, SKIP_REASON, dropSchema, testSchemaName } from '../store/postgres-support.ts';
import { phone, stepsOf } from '../voice/support.ts';

const CONTACT = '+15551230001';
const FLOW_NUMBER = '+15550001111';

/** REST asks a question and waits for the reply; a call waits on a Gather. */
function flow(allowConcurrentCalls: boolean) {
  const at = (y: number) => ({ offset: { x: 0, y } });
  const definition = wiredTriggerFlow('reply beside a call', { incomingRequest: 'ask', incomingCall: 'menu' }, [
    { name: 'ask', type: 'send-and-wait-for-reply', properties: { ...at(200), from: '{{flow.channel.address}}', body: 'Pick a number', timeout: '3600' }, transitions: [{ event: 'incomingMessage', next: 'thanks' }, { event: 'timeout' }, { event: 'deliveryFailure' }] },
    { name: 'thanks', type: 'send-message', properties: { ...at(400), from: '{{flow.channel.address}}', to: '{{contact.channel.address}}', body: 'You picked {{widgets.ask.inbound.Body}}' }, transitions: [{ event: 'sent' }, { event: 'failed' }] },
    { name: 'menu', type: 'gather-input-on-call', properties: { ...at(600), say: 'Press a key', number_of_digits: 1, timeout: 5 }, transitions: [{ event: 'keypress' }, { event: 'speech' }, { event: 'timeout' }] },
  ]);
  return { ...definition, flags: { allow_concurrent_calls: allowConcurrentCalls } };
}

type Backend = 'sqlite' | 'postgres';

/** A test server on SQLite (in memory) or on PostgreSQL (a schema of its own, dropped afterwards). */
async function serverOn(backend: Backend, config: Partial<SwitchboardConfig> = {}): Promise<TestServer> {
  if (backend === 'sqlite') return startTestServer({ config });
  const schema = testSchemaName();
  const store = new PostgresStore({ connectionString: DATABASE_URL!, schema, poolSize: 4 });
  const app = await createApp({ ...loadConfig({}, {}), dataDir: ':memory:', inboundExecutionRate: 0, restExecutionRate: 0, ...config }, { store });
  const { account } = await app.accounts.ensureStartupAccount();
  await app.server.ready();
  const close = async () => {
    await app.close();
    await dropSchema(schema);
  };
  return { app, account, auth: basicAuth(account.sid, account.authToken), baseUrl: '', close };
}

async function post(server: TestServer, url: string, fields: Record<string, string>): Promise<Record<string, unknown>> {
  const res = await server.app.server.inject({ method: 'POST', url, headers: { authorization: server.auth, ...FORM }, payload: form(fields) });
  assert.ok(res.statusCode < 300, `${url}: ${res.statusCode} ${res.body}`);
  return res.json() as Record<string, unknown>;
}

async function publish(server: TestServer, definition: unknown): Promise<string> {
  return (await server.app.flows.create(server.account.sid, { friendlyName: 'routing', status: 'published', definition: definition as never })).sid;
}

/** A REST execution for CONTACT from FLOW_NUMBER (it asks its question and waits). */
async function restExecution(server: TestServer, flowSid: string): Promise<string> {
  const created = await post(server, `/v2/Flows/${flowSid}/Executions`, { To: CONTACT, From: FLOW_NUMBER });
  await server.app.executions.idle();
  return created.sid as string;
}

/** CONTACT calls FLOW_NUMBER on the simulator phone; the call waits on the Gather. */
async function callIn(server: TestServer, flowSid: string): Promise<{ callSid: string; executionSid: string }> {
  const view = await phone(server, '/simulator/calls', { FlowSid: flowSid, From: CONTACT, To: FLOW_NUMBER });
  assert.equal(view.waiting_for?.kind, 'input', JSON.stringify(view));
  assert.ok(view.execution_sid);
  return { callSid: view.sid, executionSid: view.execution_sid };
}

/** CONTACT texts `body` to FLOW_NUMBER on the simulator. */
async function text(server: TestServer, flowSid: string, body: string): Promise<{ execution_sid: string | null; messages: { direction: string; body: string }[] }> {
  const answer = await post(server, `/simulator/Flows/${flowSid}/Messages`, { From: CONTACT, To: FLOW_NUMBER, Body: body });
  await server.app.executions.idle();
  return answer as never;
}

async function alertsOf(server: TestServer, executionSid: string): Promise<string[]> {
  const alerts = await server.app.store.listAlerts(server.account.sid, { executionSid }, { pageSize: 100 });
  return alerts.items.map((a) => `${a.errorCode}: ${a.text}`);
}

async function statusOf(server: TestServer, executionSid: string): Promise<string | undefined> {
  return (await server.app.store.getExecutionBySid(executionSid))?.status;
}

for (const backend of ['sqlite', 'postgres'] as const) {
  describe(`an inbound message beside a call (${backend})`, { skip: backend === 'postgres' ? SKIP_REASON : false }, () => {
    it('allow_concurrent_calls off: the REST execution waiting for a reply gets the text, not the newer call on its Gather', async () => {
      const server = await serverOn(backend);
      try {
        const flowSid = await publish(server, flow(false));
        const rest = await restExecution(server, flowSid);
        // The call goes ahead beside the REST execution (§6.4: that one is no call), and is the pair's newest.
        const { callSid, executionSid: callExecution } = await callIn(server, flowSid);
        assert.notEqual(callExecution, rest);

        const answer = await text(server, flowSid, '5');
        assert.equal(answer.execution_sid, rest, 'the message went to the execution waiting for it');
        assert.ok((await stepsOf(server, flowSid, rest)).includes('ask -incomingMessage-> thanks'), (await stepsOf(server, flowSid, rest)).join(', '));
        assert.ok(answer.messages.some((m) => m.direction === 'outbound-api' && m.body === 'You picked 5'), JSON.stringify(answer.messages));
        assert.equal(await statusOf(server, rest), 'ended', 'the REST execution went on to its end');

        // The call heard nothing of it: no 81002, still on its Gather, and it goes on with the caller's key.
        assert.deepEqual(await alertsOf(server, callExecution), []);
        assert.equal(await statusOf(server, callExecution), 'active');
        assert.equal((await phone(server, `/simulator/calls/${callSid}`, {}, 'GET')).waiting_for?.kind, 'input');
        await phone(server, `/simulator/calls/${callSid}/Digits`, { Digits: '1' });
        await server.app.executions.idle();
        assert.ok((await stepsOf(server, flowSid, callExecution)).includes('menu -keypress-> Ended'), (await stepsOf(server, flowSid, callExecution)).join(', '));
      } finally {
        await server.close();
      }
    });
  });
}

describe('an inbound message among several active executions of its pair', () => {
  it('none waits for a message (two calls on their Gathers): the newest gets it and drops it with 81002, as before', async () => {
    const server = await startTestServer();
    try {
      const flowSid = await publish(server, flow(true));
      const first = await callIn(server, flowSid);
      const second = await callIn(server, flowSid);
      const answer = await text(server, flowSid, '5');
      assert.equal(answer.execution_sid, second.executionSid, 'the newest');
      assert.equal((await alertsOf(server, second.executionSid)).filter((a) => a.startsWith('81002')).length, 1);
      assert.deepEqual(await alertsOf(server, first.executionSid), []);
      const active = (await server.app.store.listExecutions(server.account.sid, flowSid, {}, { pageSize: 50 })).items.filter((e) => e.status === 'active');
      assert.equal(active.length, 2, 'no new execution started');
    } finally {
      await server.close();
    }
  });

  it('several wait for a message: the newest of them gets it, the next message the older one', async () => {
    // Executions side by side for one pair (not exclusive), then a call beside them as the newest.
    const server = await startTestServer({ config: { oneActivePerContact: false } });
    try {
      const flowSid = await publish(server, flow(false));
      const older = await restExecution(server, flowSid);
      const newer = await restExecution(server, flowSid);
      const { executionSid: callExecution } = await callIn(server, flowSid);
      assert.equal((await text(server, flowSid, '1')).execution_sid, newer);
      assert.equal((await text(server, flowSid, '2')).execution_sid, older);
      assert.ok((await stepsOf(server, flowSid, newer)).includes('ask -incomingMessage-> thanks'));
      assert.ok((await stepsOf(server, flowSid, older)).includes('ask -incomingMessage-> thanks'));
      assert.deepEqual([await statusOf(server, newer), await statusOf(server, older), await statusOf(server, callExecution)], ['ended', 'ended', 'active']);
      assert.deepEqual(await alertsOf(server, callExecution), []);
    } finally {
      await server.close();
    }
  });

  it("one active execution: the routing reads the pair's SIDs once and none of its executions", async () => {
    const server = await startTestServer();
    try {
      const flowSid = await publish(server, flow(false));
      const store = server.app.store;
      const listSids = store.listActiveExecutionSidsOfPair.bind(store);
      const listRecords = store.listActiveExecutionsOfPair.bind(store);
      const reads = { sids: 0, records: 0 };
      store.listActiveExecutionSidsOfPair = (...args) => {
        reads.sids++;
        return listSids(...args);
      };
      store.listActiveExecutionsOfPair = (...args) => {
        reads.records++;
        return listRecords(...args);
      };
      const rest = await restExecution(server, flowSid);
      assert.equal((await text(server, flowSid, '5')).execution_sid, rest);
      assert.deepEqual(reads, { sids: 1, records: 0 }, 'one active execution: no read of the records');
      // With a call beside the next REST execution, the message reads the pair's executions once to choose.
      const next = await restExecution(server, flowSid);
      await callIn(server, flowSid);
      reads.sids = 0;
      reads.records = 0;
      assert.equal((await text(server, flowSid, '6')).execution_sid, next);
      assert.deepEqual(reads, { sids: 1, records: 1 });
    } finally {
      await server.close();
    }
  });
});
