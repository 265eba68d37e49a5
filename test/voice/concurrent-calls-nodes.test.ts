// allow_concurrent_calls off holds across nodes: a caller's two calls whose webhooks reach two nodes at
// the same moment start one call execution, also when the caller already has a REST (or message)
// execution in the flow. That execution holds the pair's one active slot, so the calls beside it do not
// take it and the slot's unique index cannot order them: the write of a call's first sprint checks,
// under a lock on the flow and caller across nodes, that no other call of theirs is active. The loser's
// caller hears the out-of-service message and is hung up, as when their earlier call is still on.
// Three apps on one PostgreSQL schema (each its own store, pool and node-local locks).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createApp, type App } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { OUT_OF_SERVICE } from '../../src/api/routes/webhook-calls.ts';
import type { Account } from '../../src/runtime/ports/store.ts';
import { PostgresStore } from '../../src/store/postgres/postgres-store.ts';
import { DATABASE_URL, SKIP_REASON, dropSchema, testSchemaName } from '../store/postgres-support.ts';
import { flowWebhookUrl, twilioPost } from './twilio-webhook.ts';

const NUMBER = '+15005550006';
const ROUNDS = 10;

const FLOW = {
  description: 'one call at a time, a REST execution waiting for a reply',
  initial_state: 'Trigger',
  flags: { allow_concurrent_calls: false },
  states: [
    {
      name: 'Trigger',
      type: 'trigger',
      transitions: [
        { event: 'incomingMessage' },
        { event: 'incomingCall', next: 'menu' },
        { event: 'incomingConversationMessage' },
        { event: 'incomingRequest', next: 'ask' },
        { event: 'incomingParent' },
      ],
      properties: { offset: { x: 0, y: 0 } },
    },
    { name: 'menu', type: 'gather-input-on-call', transitions: [{ event: 'keypress' }, { event: 'speech' }, { event: 'timeout' }], properties: { offset: { x: 0, y: 100 }, say: 'Press a key' } },
    {
      name: 'ask',
      type: 'send-and-wait-for-reply',
      transitions: [{ event: 'incomingMessage' }, { event: 'timeout' }, { event: 'deliveryFailure' }],
      properties: { offset: { x: 300, y: 100 }, from: '{{flow.channel.address}}', body: 'Still there?', timeout: '3600' },
    },
  ],
};

interface Node {
  app: App;
  account: Account;
}

async function startNode(schema: string): Promise<Node> {
  const store = new PostgresStore({ connectionString: DATABASE_URL!, schema, poolSize: 4 });
  const app = await createApp({ ...loadConfig({}, {}), dataDir: ':memory:', inboundExecutionRate: 0, restExecutionRate: 0 }, { store });
  const { account } = await app.accounts.ensureStartupAccount();
  await app.server.ready();
  return { app, account };
}

/** The flow webhook for an incoming call, signed as Twilio signs it; the TwiML answered. */
async function ring(node: Node, flowSid: string, callSid: string, caller: string): Promise<string> {
  const params = { AccountSid: node.account.sid, ApiVersion: '2010-04-01', CallSid: callSid, CallStatus: 'ringing', Called: NUMBER, Caller: caller, Direction: 'inbound', From: caller, To: NUMBER };
  const res = await twilioPost(node, flowWebhookUrl(node, flowSid), params);
  assert.equal(res.statusCode, 200, res.body);
  return res.body;
}

describe('allow_concurrent_calls off across nodes (PostgreSQL)', { skip: SKIP_REASON }, () => {
  const schema = testSchemaName();
  let nodes: Node[] = [];

  before(async () => {
    // One at a time: the first migrates the schema and makes the startup account the others then find.
    for (let i = 0; i < 3; i++) nodes.push(await startNode(schema));
  });

  after(async () => {
    for (const node of nodes) await node.app.close();
    nodes = [];
    await dropSchema(schema);
  });

  it(`a caller with a REST execution calls two nodes at once: one call goes ahead, the other is refused (${ROUNDS} rounds)`, async () => {
    const [n1, n2, n3] = nodes as [Node, Node, Node];
    assert.equal(n2.account.sid, n1.account.sid);
    const flowSid = (await n1.app.flows.create(n1.account.sid, { friendlyName: 'sole calls', status: 'published', definition: FLOW as never })).sid;
    for (let round = 0; round < ROUNDS; round++) {
      const caller = '+1555' + String(4_000_000 + round);
      // The caller's REST execution, waiting for their reply: it holds the pair's slot.
      const { execution: rest } = await n1.app.executions.create(n1.account.sid, flowSid, { to: caller, from: NUMBER }, 'error');
      assert.equal(rest.status, 'active');
      const calls = ['CA' + randomBytes(16).toString('hex'), 'CA' + randomBytes(16).toString('hex')];
      const answers = await Promise.all([ring(n2, flowSid, calls[0]!, caller), ring(n3, flowSid, calls[1]!, caller)]);
      const ahead = answers.filter((body) => body.includes('<Gather'));
      const refused = answers.filter((body) => body.includes(OUT_OF_SERVICE) && body.includes('<Hangup'));
      assert.deepEqual([ahead.length, refused.length], [1, 1], `round ${round}: one call goes ahead, one is refused:\n${answers.join('\n')}`);
      const active = await n1.app.store.listActiveExecutionsOfPair(flowSid, caller, NUMBER, 10);
      const callExecutions = active.filter((record) => calls.includes(record.initiatedBy));
      assert.equal(callExecutions.length, 1, `round ${round}: one active call execution`);
      assert.ok(active.some((record) => record.sid === rest.sid), 'the REST execution goes on');
      // The refused call left no receipt: its webhook again is refused again, not taken for a retry.
      const loser = calls.find((sid) => sid !== callExecutions[0]!.initiatedBy)!;
      assert.match(await ring(n1, flowSid, loser, caller), new RegExp(OUT_OF_SERVICE));
    }
  });
});
