// Scenario 6: PostgreSQL, one node vs two nodes on the same database (a schema of its own per run):
// scenario 1's durable create-execution and scenario 3's inbound -> reply, on one node and split
// over two, in alternating rounds (one, two, one, two): the tables grow with every phase and the
// machine's speed drifts, and measuring all of one configuration first charged that to the other.
// Target: no worse with two, and nothing lost (every 201 is in the database after both nodes are
// SIGKILLed; every inbound message got its reply). Inbound contacts are split by contact between
// the nodes (as a load balancer with contact affinity would).
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { startChild, type Child } from '../lib/child.ts';
import { BENCH_FLOW, type Scenario } from '../lib/context.ts';
import type { InboundLoad, InboundOutcome } from '../lib/inbound-driver.ts';
import { runLoad, type LoadResult } from '../lib/load.ts';
import { figure } from '../lib/report.ts';
import { summarise } from '../lib/stats.ts';
import { CONNECTIONS, createRequest, loadSeconds, type SwitchboardInfo } from '../lib/switchboard-load.ts';

type Node = Child<SwitchboardInfo>;

async function reachable(url: string): Promise<string | null> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return null;
  } catch (error) {
    return (error as Error).message;
  } finally {
    await client.end().catch(() => undefined);
  }
}

interface CreateOutcome {
  okPerSecond: number;
  p99: number;
  answered: number;
  failed: number;
  codes: Record<string, number>;
}

/** Runs the create-execution load split evenly over the nodes; returns summed throughput and worst p99. */
async function createLoad(nodes: Node[], seconds: number): Promise<CreateOutcome> {
  const results: LoadResult[] = await Promise.all(
    nodes.map((node) =>
      runLoad({ ...createRequest(node.info.port, node.info, node.info.flowSid), connections: CONNECTIONS / nodes.length, durationSeconds: seconds }),
    ),
  );
  return {
    okPerSecond: results.reduce((n, r) => n + r.okPerSecond, 0),
    p99: Math.max(...results.map((r) => r.latencyP99)),
    answered: results.reduce((n, r) => n + (r.statusCodes['201'] ?? 0), 0),
    failed: results.reduce((n, r) => n + r.non2xx + r.errors, 0),
    codes: results.reduce<Record<string, number>>((all, r) => {
      for (const [code, n] of Object.entries(r.statusCodes)) all[code] = (all[code] ?? 0) + n;
      if (r.errors) all.socketErrors = (all.socketErrors ?? 0) + r.errors;
      return all;
    }, {}),
  };
}

/**
 * Brings the database to the same settled state before each measured phase: the phases run one after
 * another on the same schema, and without this the later (two-node) ones would meet the earlier ones'
 * dead rows and the autovacuum and checkpoint they set off, and be measured against that.
 */
async function settle(url: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const tables = await client.query<{ name: string }>(`SELECT tablename AS name FROM pg_tables WHERE schemaname = $1`, [schema]);
    for (const { name } of tables.rows) await client.query(`VACUUM (ANALYZE) "${schema}"."${name}"`);
    // Superuser only; without it the phases still start vacuumed.
    await client.query('CHECKPOINT').catch(() => undefined);
  } finally {
    await client.end();
  }
}

async function inboundLoad(nodes: Node[], load: InboundLoad) {
  const outcomes = await Promise.all(
    nodes.map((node, part) => node.ask<InboundOutcome & { type: string }>({ type: 'inbound', load: { ...load, part, parts: nodes.length } })),
  );
  return {
    latencies: outcomes.flatMap((o) => o.latencies),
    lost: outcomes.reduce((n, o) => n + o.unanswered + o.failures, 0),
    unanswered: outcomes.reduce((n, o) => n + o.unanswered, 0),
    failures: outcomes.reduce((n, o) => n + o.failures, 0),
    total: outcomes.reduce((n, o) => n + o.total, 0),
    firstFailure: outcomes.find((o) => o.firstFailure)?.firstFailure,
  };
}

type Inbound = Awaited<ReturnType<typeof inboundLoad>>;

/** Rounds of one configuration's creates: mean throughput, worst p99, every answer counted. */
function combineCreates(rounds: CreateOutcome[]): CreateOutcome {
  const codes: Record<string, number> = {};
  for (const round of rounds) for (const [code, n] of Object.entries(round.codes)) codes[code] = (codes[code] ?? 0) + n;
  return {
    okPerSecond: rounds.reduce((n, r) => n + r.okPerSecond, 0) / rounds.length,
    p99: Math.max(...rounds.map((r) => r.p99)),
    answered: rounds.reduce((n, r) => n + r.answered, 0),
    failed: rounds.reduce((n, r) => n + r.failed, 0),
    codes,
  };
}

/** Rounds of one configuration's inbound: latencies pooled, losses summed. */
function combineInbound(rounds: Inbound[]) {
  return {
    latency: summarise(rounds.flatMap((r) => r.latencies)),
    lost: rounds.reduce((n, r) => n + r.lost, 0),
    unanswered: rounds.reduce((n, r) => n + r.unanswered, 0),
    failures: rounds.reduce((n, r) => n + r.failures, 0),
    total: rounds.reduce((n, r) => n + r.total, 0),
    firstFailure: rounds.find((r) => r.firstFailure)?.firstFailure,
  };
}

export const postgres: Scenario = {
  id: 6,
  title: 'PostgreSQL: one node vs two nodes on the same database',
  async run(ctx) {
    const skip = (reason: string) => ({ id: 6, title: this.title, status: 'skipped' as const, reason, notes: [] });
    const url = process.env.DATABASE_URL;
    if (!url) return skip('DATABASE_URL is not set (e.g. DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npm run bench)');
    const unreachable = await reachable(url);
    if (unreachable) return skip(`PostgreSQL at DATABASE_URL is not reachable: ${unreachable}`);
    const schema = `switchboard_bench_${Date.now().toString(36)}`;
    const nodeArgs = (id: string) => ['--database-url', url, '--database-schema', schema, '--node-id', id];
    const { warm, measure } = loadSeconds(ctx);
    const inbound = ctx.pick<InboundLoad>({
      full: { rate: 1000, seconds: 5, contacts: 5000, drainMs: 180_000 },
      quick: { rate: 1000, seconds: 2, contacts: 2000, drainMs: 60_000 },
      smoke: { rate: 200, seconds: 1, contacts: 100, drainMs: 30_000 },
    });
    const rounds = ctx.pick({ full: 2, quick: 1, smoke: 1 });
    const nodes: Node[] = [];
    let answered = 0;
    const phases = { one: { creates: [] as CreateOutcome[], inbound: [] as Inbound[] }, two: { creates: [] as CreateOutcome[], inbound: [] as Inbound[] } };
    /** One configuration's measured phase: creates, then inbound on contacts of their own. */
    const measurePhase = async (on: Node[], into: (typeof phases)['one'], contactPrefix: string) => {
      await settle(url, schema);
      const creates = await createLoad(on, measure);
      answered += creates.answered;
      into.creates.push(creates);
      await settle(url, schema);
      into.inbound.push(await inboundLoad(on, { ...inbound, contactPrefix }));
    };
    try {
      const first = await startChild<SwitchboardInfo>('switchboard.ts', [...nodeArgs('bench-a'), '--flow', fileURLToPath(BENCH_FLOW)]);
      nodes.push(first);
      answered += (await createLoad([first], warm)).answered;
      for (let round = 0; round < rounds; round++) {
        ctx.log(`  round ${round + 1} of ${rounds}, one node: create-execution ${measure}s, inbound ${inbound.rate} msg/s for ${inbound.seconds}s`);
        await measurePhase([first], phases.one, `70${2 * round + 1}`);
        // A second node joins for the two-node phase, as in a deployment scaled up.
        const second = await startChild<SwitchboardInfo>('switchboard.ts', nodeArgs(`bench-b${round}`));
        nodes.push(second);
        ctx.log(`  round ${round + 1} of ${rounds}, two nodes: the same, split over both`);
        answered += (await createLoad([first, second], warm)).answered;
        await measurePhase([first, second], phases.two, `70${2 * round + 2}`);
        // The last round's pair is SIGKILLed below, the durability check; earlier ones leave as in a scale-down.
        if (round < rounds - 1) {
          await second.ask({ type: 'idle' });
          await second.stop();
        }
      }
      const one = combineCreates(phases.one.creates);
      const two = combineCreates(phases.two.creates);
      const oneInbound = combineInbound(phases.one.inbound);
      const twoInbound = combineInbound(phases.two.inbound);

      for (const node of nodes) await node.kill();
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      let rows = 0;
      try {
        rows = Number((await client.query(`SELECT COUNT(*) AS n FROM "${schema}".executions WHERE contact_channel_address LIKE '+1555%'`)).rows[0].n);
      } finally {
        await client.end();
      }
      return {
        id: 6,
        title: this.title,
        status: 'ok',
        ...(ctx.quick ? { scaled: `${ctx.mode.toUpperCase()}: ${rounds} round, ${measure}s create load and ${inbound.seconds}s of inbound at ${inbound.rate} msg/s per configuration` } : {}),
        figures: [
          figure('PG create-execution throughput, two nodes', two.okPerSecond, 'req/s', {
            baseline: { name: 'one node', value: one.okPerSecond },
            target: { of: 'ratio', op: '>=', value: 1 },
          }),
          figure('PG create-execution p99, two nodes', two.p99, 'ms', { baseline: { name: 'one node', value: one.p99 } }),
          figure('PG inbound->reply p99, two nodes', twoInbound.latency.p99, 'ms', {
            baseline: { name: 'one node', value: oneInbound.latency.p99 },
            target: { of: 'ratio', op: '<=', value: 1 },
          }),
          figure('PG inbound->reply p50, two nodes', twoInbound.latency.p50, 'ms', { baseline: { name: 'one node', value: oneInbound.latency.p50 } }),
          figure('PG 201s found after SIGKILL of both nodes', rows, 'rows', {
            baseline: { name: '201s answered', value: answered },
            target: { of: 'ratio', op: '>=', value: 1 },
          }),
          figure('PG inbound messages without a reply, both runs', oneInbound.lost + twoInbound.lost, 'messages', { target: { of: 'value', op: '<=', value: 0 } }),
          figure('PG non-201 answers and socket errors', one.failed + two.failed, 'responses', { target: { of: 'value', op: '<=', value: 0 } }),
        ],
        notes: [
          `status codes: one node ${JSON.stringify(one.codes)}, two nodes ${JSON.stringify(two.codes)}; inbound unanswered/rejected: one node ${oneInbound.unanswered}/${oneInbound.failures}, two nodes ${twoInbound.unanswered}/${twoInbound.failures}${oneInbound.firstFailure || twoInbound.firstFailure ? ` (first rejection: ${oneInbound.firstFailure ?? twoInbound.firstFailure})` : ''}.`,
          `Schema ${schema} (dropped afterwards); ${CONNECTIONS} connections split evenly over the nodes; inbound ${oneInbound.total} + ${twoInbound.total} messages, contacts split between nodes by number.`,
          `Inbound is a ${inbound.seconds}s burst at ${inbound.rate} msg/s, then the replies are awaited while they keep coming (up to ${(inbound.drainMs ?? 0) / 1000}s): latency includes the backlog, "without a reply" is what never came.`,
          `${rounds} round${rounds > 1 ? 's' : ''} of one node then two (the second node started for its phase and warmed up; stopped gracefully after it, but for the last round's, SIGKILLed with the first for the durability check): throughput is the rounds' mean, create p99 the worst round's, inbound latencies pooled over the rounds.`,
          'Before each measured phase the schema is vacuumed and analysed and PostgreSQL checkpointed, so a phase does not meet the one before it’s dead rows and background work.',
          'Everything (two Node processes, PostgreSQL and the load generator) shares the same 2-core machine, so a second node adds no CPU: "no worse" is the target, not "twice as fast".',
        ],
      };
    } finally {
      for (const node of nodes) await node.kill();
      const client = new pg.Client({ connectionString: url });
      await client.connect().then(
        () => client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`),
        () => undefined,
      );
      await client.end().catch(() => undefined);
    }
  },
};
