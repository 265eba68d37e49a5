// A real Switchboard server (the same createApp as `switchboard serve`) for the benchmarks.
// Flags: --data-dir DIR (SQLite) or --database-url URL --database-schema NAME [--node-id ID]
// (PostgreSQL), --flow FILE (publish this definition as a new flow; else the account's first flow).
// BENCH_SWITCHBOARD_FLAGS adds settings (bench/lib/report.ts). BENCH_ALLOC_PROF=DIR: the 'allocations'
// ask also writes its raw profile to DIR/alloc-PID.heapprofile. Announces {port, accountSid, authToken, flowSid}; answers IPC 'memory', 'loop', 'timerLag', 'inbound', 'creates', 'allocations', 'idle'.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { PerformanceObserver, constants, monitorEventLoopDelay } from 'node:perf_hooks';
import { createApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { announce, serveChild } from '../lib/child.ts';
import { serverFlags } from '../lib/report.ts';
import { UNLIMITED_RATES } from '../lib/context.ts';
import { driveInbound, type InboundLoad } from '../lib/inbound-driver.ts';
import { sampleAllocations } from '../lib/allocations.ts';

const { values } = parseArgs({
  options: {
    'data-dir': { type: 'string' },
    'database-url': { type: 'string' },
    'database-schema': { type: 'string' },
    'node-id': { type: 'string' },
    flow: { type: 'string' },
  },
});
const flags: Record<string, string> = {};
for (const name of ['data-dir', 'database-url', 'database-schema', 'node-id'] as const) if (values[name]) flags[name] = values[name];
if (!flags['data-dir'] && !flags['database-url']) throw new Error('--data-dir or --database-url is required');

const config = { ...loadConfig({ ...UNLIMITED_RATES, ...serverFlags(), ...flags }, {}), port: 0 };
const app = await createApp(config, { logger: false });
const { account } = await app.accounts.ensureStartupAccount();
let flowSid: string;
if (values.flow) {
  const flow = await app.flows.create(account.sid, {
    friendlyName: 'benchmark',
    status: 'published',
    definition: JSON.parse(readFileSync(values.flow, 'utf8')),
    commitMessage: undefined,
    authorSid: undefined,
  });
  flowSid = flow.sid;
} else {
  const page = await app.store.listFlows(account.sid, { pageSize: 1 });
  flowSid = page.items[0]?.sid ?? '';
}
await app.server.listen({ port: 0, host: '127.0.0.1' });
const loopDelay = monitorEventLoopDelay({ resolution: 10 });
loopDelay.enable();
// GC pauses since the last 'loop' ask: scavenges apart from the major GC's (mark-compact, incremental marking, weak callbacks).
const gcPauses = { young: { count: 0, totalMs: 0, maxMs: 0 }, full: { count: 0, totalMs: 0, maxMs: 0 } };
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    const kind = (entry as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR ? gcPauses.young : gcPauses.full;
    kind.count++;
    kind.totalMs += entry.duration;
    kind.maxMs = Math.max(kind.maxMs, entry.duration);
  }
}).observe({ entryTypes: ['gc'] });
/** Contacts of the in-process creates, new for each (an active execution per contact and flow). */
let inProcessContacts = 0;

/**
 * Creates executions through ExecutionService.create, as the REST route does after parsing and
 * authenticating (same flow, same parameters, a new contact each), `inFlight` at a time until `seconds`
 * have passed; the rate counts until every create's send and its result's sprint are done too.
 */
async function createInProcess(seconds: number, inFlight: number): Promise<{ creates: number; seconds: number; failures: number; firstFailure?: string }> {
  const started = performance.now();
  const until = started + seconds * 1000;
  let creates = 0;
  let failures = 0;
  let firstFailure: string | undefined;
  const worker = async () => {
    while (performance.now() < until) {
      const to = `+1666${String(inProcessContacts++).padStart(7, '0')}`;
      try {
        await app.executions.create(account.sid, flowSid, { to, from: '+15005550006', parameters: { name: 'Ada', order: 42 } }, 'error');
        creates++;
      } catch (error) {
        failures++;
        firstFailure ??= (error as Error).message;
      }
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  await app.executions.idle();
  return { creates, seconds: (performance.now() - started) / 1000, failures, ...(firstFailure ? { firstFailure } : {}) };
}

announce({ port: (app.server.server.address() as AddressInfo).port, accountSid: account.sid, authToken: account.authToken, flowSid });
serveChild(
  {
    memory: async () => {
      (globalThis as { gc?: () => void }).gc?.();
      // maxRSS: the process's peak resident set so far (the OS reports kB); reclaims: the memory reclaimer's GCs so far.
      const reclaims = (await app.observability.metrics.memoryReclaims.get()).values[0]?.value ?? 0;
      return { rss: process.memoryUsage().rss, heapUsed: process.memoryUsage().heapUsed, maxRss: process.resourceUsage().maxRSS * 1024, reclaims };
    },
    // Event-loop delay since the last ask (ms): long synchronous stretches show up here.
    loop: () => {
      const stats = { p50: loopDelay.percentile(50) / 1e6, p99: loopDelay.percentile(99) / 1e6, max: loopDelay.max / 1e6, gc: structuredClone(gcPauses) };
      loopDelay.reset();
      for (const kind of [gcPauses.young, gcPauses.full]) Object.assign(kind, { count: 0, totalMs: 0, maxMs: 0 });
      return stats;
    },
    // How late a plain setTimeout due at `at` fires in this process: the floor of any timer lag.
    timerLag: (message) =>
      new Promise((resolve) => {
        const at = Number(message.at);
        setTimeout(() => resolve({ lagMs: Date.now() - at }), Math.max(0, at - Date.now()));
      }),
    inbound: (message) => driveInbound(app, account.sid, flowSid, message.load as InboundLoad),
    // The runtime alone: executions created in this process, no HTTP, `inFlight` at a time for `seconds`.
    creates: (message) => createInProcess(Number(message.seconds), Number(message.inFlight)),
    // The same load with every allocation sampled: bytes per message, and where they come from.
    allocations: async (message) => {
      const dir = process.env.BENCH_ALLOC_PROF;
      if (dir) mkdirSync(dir, { recursive: true });
      const sample = await sampleAllocations(() => driveInbound(app, account.sid, flowSid, message.load as InboundLoad), {
        ...(dir ? { profilePath: join(dir, `alloc-${process.pid}.heapprofile`) } : {}),
      });
      return { bytes: sample.bytes, messages: sample.result.total, replies: sample.result.latencies.length, top: sample.top };
    },
    idle: async () => {
      await app.executions.idle();
      return {};
    },
  },
  () => app.close(),
);
