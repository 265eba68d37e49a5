// A call's incoming webhook starts its flow once. The execution's first sprint writes an inbound
// receipt for the flow and the CallSid: Twilio's retry of the webhook while the call is live goes on
// with the same execution (as before), and the identical signed request sent again after the call's
// execution ended (a captured webhook replayed, by GET or POST) is answered <Hangup/>, starting
// nothing. The receipt is per flow: a TwiML Redirect hands a call to another flow, which starts once.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createApp, type App } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { CallService } from '../../src/runtime/calls.ts';
import { DEFAULT_RUNTIME_OPTIONS, ExecutionService } from '../../src/runtime/executions.ts';
import type { MessageChannel, OutboundHttp } from '../../src/runtime/ports/channel.ts';
import type { Account } from '../../src/runtime/ports/store.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { PostgresStore } from '../../src/store/postgres/postgres-store.ts';
import { DATABASE_URL, SKIP_REASON, dropSchema, testSchemaName } from '../store/postgres-support.ts';
import { verbs, type Verb } from './support.ts';
import { flowWebhookUrl, twilioGet, twilioPost } from './twilio-webhook.ts';

const CALLER = '+15551230001';
const NUMBER = '+15005550006';

const SAY_HELLO = {
  description: 'say hello',
  initial_state: 'Trigger',
  flags: { allow_concurrent_calls: true },
  states: [
    { name: 'Trigger', type: 'trigger', transitions: [{ event: 'incomingCall', next: 'hello' }], properties: { offset: { x: 0, y: 0 } } },
    { name: 'hello', type: 'say-play', transitions: [{ event: 'audioComplete' }], properties: { offset: { x: 0, y: 100 }, say: 'Hello' } },
  ],
};

interface Node {
  app: App;
  account: Account;
  close(): Promise<void>;
}

const STORES: { name: string; skip: string | false; open(): Promise<Node> }[] = [
  {
    name: 'SQLite',
    skip: false,
    open: () => node(new SqliteStore({ path: ':memory:' }), async () => undefined),
  },
  {
    name: 'PostgreSQL',
    skip: SKIP_REASON,
    open: () => {
      const schema = testSchemaName();
      return node(new PostgresStore({ connectionString: DATABASE_URL!, schema, poolSize: 4 }), () => dropSchema(schema));
    },
  },
];

async function node(store: SqliteStore | PostgresStore, dispose: () => Promise<void>): Promise<Node> {
  const app = await createApp({ ...loadConfig({}, {}), dataDir: ':memory:', inboundExecutionRate: 0, restExecutionRate: 0 }, { store });
  const { account } = await app.accounts.ensureStartupAccount();
  await app.server.ready();
  return {
    app,
    account,
    close: async () => {
      await app.close();
      await dispose();
    },
  };
}

function callParams(account: Account, callSid: string, status: string): Record<string, string> {
  return { AccountSid: account.sid, ApiVersion: '2010-04-01', CallSid: callSid, CallStatus: status, Called: NUMBER, Caller: CALLER, Direction: 'inbound', From: CALLER, To: NUMBER };
}

const flowUrl = flowWebhookUrl;

/** A signed webhook request as Twilio sends it: GET (parameters in the query) or POST (in the form). */
async function webhook(n: Node, method: 'GET' | 'POST', url: string, params: Record<string, string>): Promise<Verb[]> {
  const res = await (method === 'GET' ? twilioGet : twilioPost)(n, url, params);
  assert.equal(res.statusCode, 200, res.body);
  return verbs(res.body);
}

async function executionsOf(n: Node, flowSid: string): Promise<{ sid: string; status: string }[]> {
  return (await n.app.store.listExecutions(n.account.sid, flowSid, {}, { pageSize: 50 })).items.map((e) => ({ sid: e.sid, status: e.status }));
}

async function publish(n: Node, definition: unknown, name = 'replayed calls'): Promise<string> {
  return (await n.app.flows.create(n.account.sid, { friendlyName: name, status: 'published', definition: definition as never })).sid;
}

const said = (twiml: Verb[]) => twiml.filter((v) => v.verb === 'Say').map((v) => v.text);

for (const store of STORES) {
  describe(`${store.name}: an incoming-call webhook starts its flow once per CallSid`, { skip: store.skip }, () => {
    for (const method of ['GET', 'POST'] as const) {
      it(`${method}: a retry while the call is live goes on with its execution; the same request after the execution ended hangs up and starts nothing`, async () => {
        const n = await store.open();
        try {
          const flowSid = await publish(n, SAY_HELLO);
          const url = flowUrl(n, flowSid);
          const callSid = 'CA' + 'e'.repeat(32);
          const incoming = callParams(n.account, callSid, 'ringing');
          const first = await webhook(n, method, url, incoming);
          assert.deepEqual(said(first), ['Hello']);
          const [execution] = await executionsOf(n, flowSid);
          assert.equal(execution!.status, 'active');

          // Twilio retries the webhook (the answer was lost): the same execution answers again.
          const retried = await webhook(n, method, url, incoming);
          assert.deepEqual(said(retried), ['Hello']);
          assert.deepEqual(await executionsOf(n, flowSid), [execution]);

          // The caller hangs up: the final status ends the execution.
          await webhook(n, method, url, { ...callParams(n.account, callSid, 'completed'), CallDuration: '3' });
          assert.deepEqual(await executionsOf(n, flowSid), [{ sid: execution!.sid, status: 'ended' }]);

          // The captured incoming-call request, sent again: hung up, no second execution.
          for (let i = 0; i < 2; i++) {
            assert.deepEqual(await webhook(n, method, url, incoming), [{ verb: 'Hangup', attributes: {} }]);
          }
          assert.deepEqual(await executionsOf(n, flowSid), [{ sid: execution!.sid, status: 'ended' }]);
          // With another status (Twilio's 'in-progress' for a redirected call) too.
          assert.deepEqual(await webhook(n, method, url, callParams(n.account, callSid, 'in-progress')), [{ verb: 'Hangup', attributes: {} }]);
          assert.equal((await executionsOf(n, flowSid)).length, 1);

          // Another call, from the same caller, still starts the flow.
          const other = await webhook(n, method, url, callParams(n.account, 'CA' + 'f'.repeat(32), 'ringing'));
          assert.deepEqual(said(other), ['Hello']);
          assert.equal((await executionsOf(n, flowSid)).length, 2);
        } finally {
          await n.close();
        }
      });
    }

    it('the receipt is per flow: a call that ran one flow starts another flow (a TwiML Redirect to its webhook) once', async () => {
      const n = await store.open();
      try {
        const callSid = 'CA' + '7'.repeat(32);
        const second = await publish(n, { ...SAY_HELLO, states: [SAY_HELLO.states[0], { ...SAY_HELLO.states[1], properties: { offset: { x: 0, y: 100 }, say: 'Second flow' } }] }, 'second');
        const first = await publish(n, {
          ...SAY_HELLO,
          states: [
            SAY_HELLO.states[0],
            { name: 'hello', type: 'add-twiml-redirect', transitions: [{ event: 'return' }, { event: 'timeout' }, { event: 'fail' }], properties: { offset: { x: 0, y: 100 }, url: flowUrl(n, second), method: 'POST', timeout: '14400' } },
          ],
        }, 'first');
        const redirect = await webhook(n, 'POST', flowUrl(n, first), callParams(n.account, callSid, 'ringing'));
        assert.deepEqual(redirect, [{ verb: 'Redirect', attributes: { method: 'POST' }, text: flowUrl(n, second) }]);
        // The first flow's execution ends (its Redirect waits no more); the call goes on in the second flow.
        const [firstExecution] = await executionsOf(n, first);
        await n.app.executions.end(n.account.sid, first, firstExecution!.sid);
        const handedOver = await webhook(n, 'POST', flowUrl(n, second), callParams(n.account, callSid, 'in-progress'));
        assert.deepEqual(said(handedOver), ['Second flow']);
        assert.equal((await executionsOf(n, second)).length, 1);
        // A retry of the hand-over while live: the same execution.
        assert.deepEqual(said(await webhook(n, 'POST', flowUrl(n, second), callParams(n.account, callSid, 'in-progress'))), ['Second flow']);
        assert.equal((await executionsOf(n, second)).length, 1);
        // The first flow's webhook again for the call: it ran there already.
        assert.deepEqual(await webhook(n, 'POST', flowUrl(n, first), callParams(n.account, callSid, 'ringing')), [{ verb: 'Hangup', attributes: {} }]);
        assert.equal((await executionsOf(n, first)).length, 1);
      } finally {
        await n.close();
      }
    });

    it('the same new call\'s webhook on two nodes at once starts one execution; both answer with it', async () => {
      const n = await store.open();
      try {
        const flowSid = await publish(n, SAY_HELLO);
        // A second node on the same store (never started: it carries no effects out itself).
        const other = new ExecutionService(n.app.store, { name: 'none' } as MessageChannel, {} as OutboundHttp, { ...DEFAULT_RUNTIME_OPTIONS, now: Date.now });
        const nodes = [new CallService(n.app.store, n.app.executions), new CallService(n.app.store, other)];
        for (let round = 0; round < 5; round++) {
          const params = callParams(n.account, `CA${String(round).padStart(32, '0')}`, 'ringing');
          const turns = await Promise.all(nodes.map((node) => node.incoming(n.account.sid, flowSid, params)));
          assert.deepEqual(turns.map((turn) => turn.kind), ['twiml', 'twiml'], JSON.stringify(turns.map((turn) => turn.kind)));
          const sids = turns.map((turn) => (turn as Extract<typeof turn, { kind: 'twiml' }>).execution.sid);
          assert.equal(sids[0], sids[1]);
          assert.equal((await executionsOf(n, flowSid)).length, round + 1);
        }
        await n.app.executions.idle();
      } finally {
        await n.close();
      }
    });
  });
}
