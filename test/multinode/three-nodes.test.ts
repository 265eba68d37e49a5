// Three `switchboard serve` processes on one PostgreSQL schema, 200 contacts texting the flow
// webhook with every message sent to a random node. Checks, from the database and the nodes'
// simulators: each contact's steps strictly ordered, no step duplicated or lost, every reply sent
// once; and, with one node killed by SIGKILL under that load, every acknowledged message and
// every timer accounted for once the survivors have taken over its claims.
// MULTINODE_CONTACTS / MULTINODE_MESSAGES make it longer (defaults 200 and 4).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { PostgresStore } from '../../src/store/postgres/postgres-store.ts';
import type { ExecutionRecord, StepRecord } from '../../src/runtime/ports/store.ts';
import { DATABASE_URL, SKIP_REASON, dropSchema, testSchemaName } from '../store/postgres-support.ts';
import {
  CustomerServer,
  FLOW_ADDRESS,
  basic,
  drive,
  relayFlow,
  request,
  startNode,
  stopNode,
  waitFor,
  type ClusterNode,
  type Sent,
} from './cluster.ts';
import { contextOf } from '../../src/runtime/execution-context.ts';

const CONTACTS = Number(process.env.MULTINODE_CONTACTS ?? 200);
const MESSAGES = Number(process.env.MULTINODE_MESSAGES ?? 4);
const LINGER_S = 1;
// A claim outlives any stall of a live node under this load (so nothing is redone), except in
// the kill test, where a short lease makes the survivors take the victim's work over quickly.
const LEASE_MS = 15_000;
const SHORT_LEASE_MS = 5_000;

interface Cluster {
  schema: string;
  nodes: ClusterNode[];
  store: PostgresStore;
  customer: CustomerServer;
  accountSid: string;
  authToken: string;
  flowSid: string;
}

async function startCluster(leaseMs: number): Promise<Cluster> {
  const schema = testSchemaName();
  const accountSid = 'AC' + randomBytes(16).toString('hex');
  const authToken = randomBytes(16).toString('hex');
  const customer = new CustomerServer();
  await customer.start();
  const env = { databaseUrl: DATABASE_URL!, schema, accountSid, authToken, leaseMs };
  // All three start at once on an empty schema: migrations and the startup account happen once.
  const started = await Promise.allSettled(['n1', 'n2', 'n3'].map((name) => startNode(name, env)));
  const nodes = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failed = started.find((s) => s.status === 'rejected');
  if (failed) {
    // Stop the nodes that did start, or they would keep this test process alive after the failure.
    await Promise.all(nodes.map(stopNode));
    await customer.stop();
    await dropSchema(schema);
    throw (failed as PromiseRejectedResult).reason;
  }
  const store = new PostgresStore({ connectionString: DATABASE_URL!, schema, poolSize: 4 });
  const created = await request(`${nodes[0]!.base}/v2/Flows`, {
    auth: basic(accountSid, authToken),
    form: { FriendlyName: 'relay', Status: 'published', Definition: JSON.stringify(relayFlow(customer.url, LINGER_S)) },
  });
  assert.equal(created.status, 201, created.body);
  return { schema, nodes, store, customer, accountSid, authToken, flowSid: JSON.parse(created.body).sid };
}

async function stopCluster(cluster: Cluster | undefined): Promise<void> {
  if (!cluster) return;
  await Promise.all(cluster.nodes.map(stopNode));
  await cluster.store.close();
  await cluster.customer.stop();
  await dropSchema(cluster.schema);
}

async function allExecutions(cluster: Cluster): Promise<ExecutionRecord[]> {
  const all: ExecutionRecord[] = [];
  let page = await cluster.store.listExecutions(cluster.accountSid, cluster.flowSid, {}, { pageSize: 500 });
  all.push(...page.items);
  while (page.hasMore) {
    page = await cluster.store.listExecutions(cluster.accountSid, cluster.flowSid, {}, { pageSize: 500, cursor: { direction: 'after', position: page.lastPosition! } });
    all.push(...page.items);
  }
  return all.reverse(); // oldest first
}

async function stepsOf(cluster: Cluster, execution: ExecutionRecord): Promise<StepRecord[]> {
  return (await cluster.store.listSteps(cluster.accountSid, cluster.flowSid, execution.sid, { pageSize: 1000 })).items;
}

async function tableCount(schema: string, table: string): Promise<number> {
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  try {
    return Number((await client.query(`SELECT count(*) AS n FROM "${schema}".${table}`)).rows[0].n);
  } finally {
    await client.end();
  }
}

/** Claims rows still show for a node (by lease_owner pattern). */
async function heldBy(schema: string, owner: string): Promise<{ timers: number; effects: number }> {
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  try {
    const count = async (table: string) => Number((await client.query(`SELECT count(*) AS n FROM "${schema}".${table} WHERE lease_owner LIKE $1`, [owner])).rows[0].n);
    return { timers: await count('timers'), effects: await count('pending_effects') };
  } finally {
    await client.end();
  }
}

/** Waits until every execution has ended and no timer or effect is left anywhere; says what is left if not. */
async function settle(cluster: Cluster, timeoutMs: number): Promise<void> {
  try {
    await waitFor(
      'every execution to end and the timer and outbox tables to drain',
      async () =>
        (await cluster.store.listExecutions(cluster.accountSid, cluster.flowSid, { status: 'active' }, { pageSize: 1 })).items.length === 0 &&
        (await tableCount(cluster.schema, 'timers')) === 0 &&
        (await tableCount(cluster.schema, 'pending_effects')) === 0,
      timeoutMs,
    );
  } catch (error) {
    throw new Error(`${(error as Error).message}; left: ${await leftovers(cluster)}`);
  }
}

/** What keeps a cluster from settling: active executions (where each waits), timers and effects with their leases. */
async function leftovers(cluster: Cluster): Promise<string> {
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  try {
    const now = Date.now();
    const q = async (sql: string) => (await client.query(sql)).rows as Record<string, unknown>[];
    const active = await q(`SELECT sid, contact_channel_address AS contact, state FROM "${cluster.schema}".executions WHERE status = 'active' LIMIT 5`);
    const timers = await q(`SELECT id, execution_sid, due_at, lease_owner, lease_until FROM "${cluster.schema}".timers LIMIT 5`);
    const effects = await q(`SELECT id, execution_sid, lease_owner, lease_until FROM "${cluster.schema}".pending_effects LIMIT 5`);
    const at = (ms: unknown) => (ms === null || ms === undefined ? 'none' : `${Math.round((Number(ms) - now) / 1000)} s from now`);
    const frame = (state: unknown) => {
      const parsed = typeof state === 'string' ? JSON.parse(state) : state;
      const top = (parsed as { frames?: { current?: string | null; wait?: unknown }[] }).frames?.at(-1);
      return `at ${top?.current ?? '?'}, waiting ${JSON.stringify(top?.wait ?? null)}`;
    };
    return JSON.stringify({
      active: active.map((e) => `${e.sid} (${e.contact}) ${frame(e.state)}`),
      timers: timers.map((t) => `${t.id} of ${t.execution_sid}: due ${at(t.due_at)}, held by ${t.lease_owner ?? 'none'} until ${at(t.lease_until)}`),
      effects: effects.map((e) => `${e.id} of ${e.execution_sid}: held by ${e.lease_owner ?? 'none'} until ${at(e.lease_until)}`),
    });
  } finally {
    await client.end();
  }
}

interface ContactHistory {
  /** Inbound bodies in step order across the contact's executions (oldest execution first). */
  inbound: string[];
  executions: { record: ExecutionRecord; path: string[]; replies: number }[];
}

// Trigger; each message before the last loops ask → check → ask; the last goes on to linger
// (where late duplicates may still arrive); linger's timer fires once; report; goodbye.
const PATH = new RegExp(
  '^Trigger -incomingMessage-> ask' +
    '( \\| ask -incomingMessage-> check \\| check -noMatch-> ask)*' +
    ' \\| ask -incomingMessage-> check \\| check -match-> linger' +
    '( \\| linger -incomingMessage-> linger)*' +
    ' \\| linger -timeout-> done \\| done -success-> bye \\| bye -sent-> Ended$',
);

/** Reads each contact's executions and steps and checks the shape every execution must have. */
async function histories(cluster: Cluster): Promise<Map<string, ContactHistory>> {
  const byContact = new Map<string, ContactHistory>();
  for (const execution of await allExecutions(cluster)) {
    const steps = await stepsOf(cluster, execution);
    const path = steps.map((s) => `${s.transitionedFrom} -${s.name}-> ${s.transitionedTo}`);
    assert.equal(execution.status, 'ended', `${execution.sid} ended`);
    assert.match(path.join(' | '), PATH, `${execution.sid} took the expected path, its timer fired once`);
    assert.equal(new Set(steps.map((s) => s.sid)).size, steps.length, 'no step stored twice');
    const dates = steps.map((s) => s.dateCreated);
    assert.deepEqual([...dates].sort((a, b) => a - b), dates, `${execution.sid}: steps in time order`);
    const trigger = (contextOf(execution) as { trigger: { message: { Body: string } } }).trigger.message.Body;
    const replies = steps
      .filter((s) => s.name === 'incomingMessage' && s.transitionedFrom !== 'Trigger')
      .map((s) => (s.context as { inbound: { Body: string } }).inbound.Body);
    const history = byContact.get(execution.contactChannelAddress) ?? { inbound: [], executions: [] };
    history.inbound.push(trigger, ...replies);
    history.executions.push({ record: execution, path, replies: 1 + replies.length });
    byContact.set(execution.contactChannelAddress, history);
  }
  return byContact;
}

/** The outbound messages every live node's simulator sent to a contact, oldest first. */
async function repliesTo(cluster: Cluster, contact: string): Promise<string[]> {
  const entries: { body: string; date: string; sid: string }[] = [];
  for (const node of cluster.nodes.filter((n) => n.alive)) {
    const reply = await request(`${node.base}/simulator/Flows/${cluster.flowSid}/Messages?Contact=${encodeURIComponent(contact)}&FlowAddress=${encodeURIComponent(FLOW_ADDRESS)}`, {
      auth: basic(cluster.accountSid, cluster.authToken),
    });
    assert.equal(reply.status, 200, reply.body);
    for (const m of JSON.parse(reply.body).messages) {
      if (m.direction === 'outbound-api') entries.push({ body: m.body, date: m.date_created, sid: m.sid });
    }
  }
  assert.equal(new Set(entries.map((e) => e.sid)).size, entries.length);
  return entries.map((e) => e.body);
}

function byContact(sent: Sent[]): Map<string, Sent[]> {
  const map = new Map<string, Sent[]>();
  for (const s of sent) map.set(s.contact, [...(map.get(s.contact) ?? []), s]);
  return map;
}

if (SKIP_REASON) {
  it('three nodes on one PostgreSQL database', { skip: SKIP_REASON }, () => {});
} else {
  describe('three nodes on one PostgreSQL database', { timeout: 180_000 }, () => {
    let cluster: Cluster | undefined;
    before(async () => {
      cluster = await startCluster(LEASE_MS);
    });
    after(() => stopCluster(cluster));

    it(`${CONTACTS} contacts × ${MESSAGES} messages at random nodes: ordered, none duplicated or lost, every reply sent once`, async () => {
      const c = cluster!;
      const sent = await drive({ nodes: c.nodes, accountSid: c.accountSid, authToken: c.authToken, flowSid: c.flowSid, contacts: CONTACTS, perContact: MESSAGES });
      assert.ok(sent.every((s) => s.attempts.length === 1 && s.attempts[0]!.acked), 'every message acknowledged at the first node asked');
      assert.equal(new Set(sent.map((s) => s.attempts[0]!.node)).size, 3, 'the load reached every node');
      await settle(c, 60_000);

      const history = await histories(c);
      const expected = byContact(sent);
      assert.equal(history.size, CONTACTS, 'an execution for every contact');
      let executions = 0;
      for (const [contact, messages] of expected) {
        const h = history.get(contact);
        assert.ok(h, `${contact} has executions`);
        executions += h.executions.length;
        // every message, once, in the order the contact sent them
        assert.deepEqual(h.inbound, messages.map((m) => m.body), `${contact}: inbound order`);
        // every reply once: an ack per message, a goodbye per execution, across all nodes
        const replies = await repliesTo(c, contact);
        const wanted = [...h.inbound.map((body) => `ack ${body}`), ...h.executions.map(() => 'bye')];
        assert.deepEqual([...replies].sort(), wanted.sort(), `${contact}: replies`);
      }
      // the customer server heard exactly one report per execution, whichever node fired the timer
      const reports = c.customer.hits.filter((h) => h.path === '/done').map((h) => h.body.started_by);
      assert.equal(reports.length, executions);
      assert.equal(new Set(reports).size, executions);
    });
  });

  describe('a node killed with SIGKILL under load', { timeout: 180_000 }, () => {
    let cluster: Cluster | undefined;
    before(async () => {
      cluster = await startCluster(SHORT_LEASE_MS);
    });
    after(() => stopCluster(cluster));

    it('loses nothing acknowledged; its timers and effects are taken over after the lease', async (t) => {
      const c = cluster!;
      const victim = c.nodes[1]!;
      const total = CONTACTS * MESSAGES;
      let killed = false;
      let heldAtDeath: Promise<{ timers: number; effects: number }> | undefined;
      const sent = await drive({
        nodes: c.nodes,
        accountSid: c.accountSid,
        authToken: c.authToken,
        flowSid: c.flowSid,
        contacts: CONTACTS,
        perContact: MESSAGES,
        onProgress: (done) => {
          // late in the load, when many contacts' last timers are being claimed and fired
          if (!killed && done >= total * 0.75) {
            killed = true;
            victim.child.kill('SIGKILL');
            heldAtDeath = heldBy(c.schema, `${victim.name}:%`);
          }
        },
      });
      await victim.exited;
      assert.ok(killed);
      const held = await heldAtDeath!;
      t.diagnostic(`at its death ${victim.name} held ${held.timers} timer(s) and ${held.effects} effect(s)`);
      const retried = sent.filter((s) => s.attempts.length > 1);
      t.diagnostic(`${retried.length} message(s) hit the dying node and were sent again elsewhere`);
      assert.ok(retried.length > 0, 'the kill happened under load');
      // the victim's claimed timers and effects become free LEASE_MS after its last renewal
      await settle(c, 60_000);

      const history = await histories(c); // every execution ended through its timeout, exactly once
      for (const [contact, messages] of byContact(sent)) {
        const seen = history.get(contact)?.inbound ?? [];
        // Acknowledged means processed. A message the victim took but never acknowledged may
        // have been processed before it died and again on the node it was re-sent to: at most
        // twice, back to back. Everything else exactly once, in the order sent.
        const unacked = new Set(messages.filter((m) => m.attempts.length > 1).map((m) => m.body));
        const collapsed = seen.filter((body, i) => !(i > 0 && seen[i - 1] === body && unacked.has(body)));
        assert.deepEqual(collapsed, messages.map((m) => m.body), `${contact}: every message once, in order (${seen.join(',')})`);
      }
      const executions = [...history.values()].flatMap((h) => h.executions);
      const reports = c.customer.hits.filter((h) => h.path === '/done').map((h) => h.body.started_by);
      const started = new Set(executions.map((e) => e.record.initiatedBy));
      for (const id of started) assert.ok(reports.includes(id), `the timeout of ${id} reported`);
      // A report can repeat only if the victim died between calling the customer and recording
      // the answer: only effects it held at its death are redone.
      const repeated = reports.length - started.size;
      t.diagnostic(`${repeated} report(s) repeated by the takeover`);
      assert.ok(repeated <= held.effects, `${repeated} repeated reports, but the victim held only ${held.effects} effects`);
      assert.equal(await tableCount(c.schema, 'timers'), 0, 'every timer fired or was cancelled');
      assert.equal(await tableCount(c.schema, 'pending_effects'), 0, 'every effect carried out');
    });
  });
}
