// Scenario 3: inbound message -> reply on the simulator channel at a fixed offered rate across many
// contacts, through the real runtime (ExecutionService.inboundMessage, the path the webhook and the
// simulator API take) on a file SQLite store, every sprint fsync'd before its effects run. Driven inside a server process of
// its own (no HTTP): the figure is the runtime's, not the HTTP stack's. Latency is measured from the moment each message
// was *scheduled* (so a backlog counts against us) to the moment the flow's reply reaches the channel.
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { fileURLToPath } from 'node:url';
import { startChild } from '../lib/child.ts';
import type { InboundLoad, InboundOutcome } from '../lib/inbound-driver.ts';
import { describeLoop, type LoopStats, type SwitchboardInfo } from '../lib/switchboard-load.ts';
import { BENCH_FLOW, type BenchContext, type Scenario } from '../lib/context.ts';
import { figure } from '../lib/report.ts';
import { summarise } from '../lib/stats.ts';

/** The server's answer to 'allocations': sampled bytes over the messages driven, and where they come from. */
interface AllocationFigures {
  bytes: number;
  messages: number;
  replies: number;
  top: { frame: string; share: number }[];
}

/** p99 of one small fsync'd SQLite commit on the same disk: the floor of any durable reply. */
function commitLatencyP99(dir: string, commits: number): number {
  const db = new DatabaseSync(join(dir, 'fsync.db'));
  db.exec('PRAGMA journal_mode = WAL');
  db.exec('PRAGMA synchronous = FULL');
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT)');
  const insert = db.prepare('INSERT INTO t (body) VALUES (?)');
  const samples: number[] = [];
  for (let i = 0; i < commits; i++) {
    const started = performance.now();
    db.exec('BEGIN IMMEDIATE');
    insert.run('x'.repeat(512));
    db.exec('COMMIT');
    samples.push(performance.now() - started);
  }
  db.close();
  return summarise(samples).p99;
}

export async function measureInbound(ctx: BenchContext, options: { rate: number; seconds: number; contacts: number; drainMs: number; dataDir: string }) {
  // A server process of its own, as in the other scenarios: the harness's heap (autocannon's and Prism's
  // leftovers from scenarios 1 and 2) must not weigh on the measured event loop. The driver runs inside it.
  const server = await startChild<SwitchboardInfo>('switchboard.ts', ['--data-dir', options.dataDir, '--flow', fileURLToPath(BENCH_FLOW)]);
  try {
    const load: InboundLoad = { rate: options.rate, seconds: options.seconds, contacts: options.contacts, drainMs: options.drainMs };
    await server.ask({ type: 'loop' }); // resets the event-loop and GC figures: they cover the run alone
    const outcome = await server.ask<InboundOutcome & { type: string }>({ type: 'inbound', load });
    const loop = await server.ask<LoopStats>({ type: 'loop' });
    await server.ask({ type: 'idle' });
    const { reclaims } = await server.ask<{ reclaims: number }>({ type: 'memory' });
    ctx.log(`  offered ${outcome.total} messages in ${outcome.offeredSeconds.toFixed(1)}s; ${outcome.latencies.length} replies`);
    // Then, apart from the timed run (sampling slows the server), what the same load allocates: new contacts
    // and waiting ones in the same mix, from a set of contacts of their own.
    const sampled = { ...load, seconds: Math.min(options.seconds, 4), contacts: Math.min(options.contacts, 2000), contactPrefix: '445' };
    const allocations = await server.ask<AllocationFigures & { type: string }>({ type: 'allocations', load: sampled });
    await server.ask({ type: 'idle' });
    return { ...outcome, latency: summarise(outcome.latencies), reclaims, loop, allocations };
  } finally {
    await server.stop();
  }
}

export const inbound: Scenario = {
  id: 3,
  title: 'Inbound message -> reply on the simulator channel',
  async run(ctx) {
    const rate = 1000;
    const seconds = ctx.pick({ full: 60, quick: 5, smoke: 1 });
    const contacts = ctx.pick({ full: 10_000, quick: 2000, smoke: 200 });
    ctx.log(`  ${rate} msg/s for ${seconds}s across ${contacts} contacts`);
    const fsyncP99 = commitLatencyP99(ctx.scratch('fsync'), ctx.pick({ full: 1000, quick: 300, smoke: 50 }));
    // Replies are awaited while they keep coming, so a backlog shows as latency, not as loss.
    const drainMs = ctx.pick({ full: 180_000, quick: 30_000, smoke: 15_000 });
    const result = await measureInbound(ctx, { rate, seconds, contacts, drainMs, dataDir: ctx.scratch('inbound') });
    const baseline = { name: 'one fsync’d SQLite commit p99', value: fsyncP99 };
    return {
      id: 3,
      title: this.title,
      status: 'ok',
      ...(ctx.quick ? { scaled: `${ctx.mode.toUpperCase()}: ${seconds}s and ${contacts} contacts instead of 60s and 10,000 (the rate, 1,000 msg/s, is the full one)` } : {}),
      figures: [
        figure('inbound->reply p50 latency', result.latency.p50, 'ms', { baseline }),
        figure('inbound->reply p99 latency', result.latency.p99, 'ms', { baseline, target: { of: 'value', op: '<', value: 10 } }),
        figure('achieved offered rate', result.total / result.offeredSeconds, 'msg/s', {
          baseline: { name: 'requested rate', value: rate },
          target: { of: 'ratio', op: '>=', value: 0.95 },
        }),
        figure('messages without a reply (dropped)', result.unanswered + result.failures, 'messages', { target: { of: 'value', op: '<=', value: 0 } }),
        figure('allocated per inbound message (sampled)', result.allocations.bytes / Math.max(1, result.allocations.messages) / 1024, 'KB'),
      ],
      notes: [
        `Driven inside a server process (bench/servers/switchboard.ts) through ExecutionService.inboundMessage on a file SQLite store (WAL fsync'd per group commit); ${result.total} messages, max latency ${result.latency.max.toFixed(1)} ms, ${result.failures} rejected${result.firstFailure ? ` (first: ${result.firstFailure})` : ''}; memory reclaims (idle-time GCs) during the run: ${result.reclaims}.`,
        describeLoop(result.loop),
        `Allocations: ${result.allocations.messages} more messages at the same rate (${result.allocations.replies} replies) with V8's sampling heap profiler keeping collected objects, so the figure is what the young generation takes per message and moves little with the machine's speed; nearest src/ function: ${result.allocations.top.map((t) => `${t.frame} ${(t.share * 100).toFixed(0)}%`).join(', ')}.`,
        'Each contact is a new execution on its first message (the reply is the question) and a waiting one afterwards (the reply is the thank-you).',
        'A message processed while the flow is still sending (no widget waiting for a reply) is ignored by Studio’s rules (81002) and gets no reply: under a backlog, a contact’s messages bunch up and this can happen.',
      ],
    };
  },
};
