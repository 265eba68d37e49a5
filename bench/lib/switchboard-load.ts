// The durable create-execution load (scenarios 1, 2 and 6): POST /v2/Flows/{Sid}/Executions at
// 100 connections, one new contact per request, against a Switchboard child process. Afterwards
// the server is killed with SIGKILL and the database reopened: every 201 must be found in it.
import { DatabaseSync } from 'node:sqlite';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startChild } from './child.ts';
import { runLoad, type LoadResult } from './load.ts';
import { BENCH_FLOW, type BenchContext } from './context.ts';

export interface SwitchboardInfo {
  port: number;
  accountSid: string;
  authToken: string;
  flowSid: string;
}

export const CONNECTIONS = 100;

interface GcPauses {
  count: number;
  totalMs: number;
  maxMs: number;
}

/** What a server child answers to 'loop': event-loop delay and GC pauses since the last ask, ms. */
export interface LoopStats {
  p50: number;
  p99: number;
  max: number;
  gc: { young: GcPauses; full: GcPauses };
}

/** One line for a scenario's notes. */
export function describeLoop(loop: LoopStats): string {
  const gc = (name: string, pauses: GcPauses) => `${pauses.count} ${name} (${pauses.totalMs.toFixed(0)} ms in all, longest ${pauses.maxMs.toFixed(1)} ms)`;
  return `server event-loop delay during the measurement: p50 ${loop.p50.toFixed(1)} ms, p99 ${loop.p99.toFixed(1)} ms, max ${loop.max.toFixed(1)} ms; GC pauses: ${gc('scavenges', loop.gc.young)}, ${gc('major-GC pauses', loop.gc.full)}.`;
}

let contact = 0;
/** A create-execution body for a contact never used before in this process. */
export function createBody(): string {
  contact++;
  return `To=%2B1${String(5550000000 + contact)}&From=%2B15005550006&Parameters=${encodeURIComponent('{"name":"Ada","order":42}')}`;
}

export function basic(info: { accountSid: string; authToken: string }): string {
  return 'Basic ' + Buffer.from(`${info.accountSid}:${info.authToken}`).toString('base64');
}

export function createRequest(port: number, info: { accountSid: string; authToken: string }, flowSid: string) {
  return {
    url: `http://127.0.0.1:${port}/v2/Flows/${flowSid}/Executions`,
    method: 'POST' as const,
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(info) },
    body: createBody,
  };
}

export function loadSeconds(ctx: BenchContext): { warm: number; measure: number } {
  return ctx.pick({ full: { warm: 3, measure: 15 }, quick: { warm: 1, measure: 3 }, smoke: { warm: 0.5, measure: 1 } });
}

export interface DurableCreateResult {
  load: LoadResult;
  /** 201s answered over warm-up and measurement. */
  answered201: number;
  /** Executions found in the database after SIGKILL. */
  rowsAfterKill: number;
  /** The server's event-loop delay and GC pauses during the measurement, ms. */
  loop: LoopStats;
}

export async function measureDurableCreate(ctx: BenchContext): Promise<DurableCreateResult> {
  const dataDir = ctx.scratch('create');
  const server = await startChild<SwitchboardInfo>('switchboard.ts', ['--data-dir', dataDir, '--flow', fileURLToPath(BENCH_FLOW)]);
  const { warm, measure } = loadSeconds(ctx);
  const request = createRequest(server.info.port, server.info, server.info.flowSid);
  let answered201 = 0;
  try {
    ctx.log(`  switchboard create-execution: warm-up ${warm}s`);
    const warmed = await runLoad({ ...request, connections: CONNECTIONS, durationSeconds: warm });
    answered201 += warmed.statusCodes['201'] ?? 0;
    ctx.log(`  switchboard create-execution: ${measure}s at ${CONNECTIONS} connections`);
    await server.ask({ type: 'loop' });
    const load = await runLoad({ ...request, connections: CONNECTIONS, durationSeconds: measure });
    const loop = await server.ask<LoopStats>({ type: 'loop' });
    answered201 += load.statusCodes['201'] ?? 0;
    // A crash, to prove every 201 was durable; a profiled run stops gracefully so the profile is written.
    await (process.env.BENCH_CPU_PROF ? server.stop() : server.kill());
    const db = new DatabaseSync(join(dataDir, 'switchboard.db'));
    const rowsAfterKill = Number((db.prepare('SELECT COUNT(*) AS n FROM executions').get() as { n: number }).n);
    db.close();
    return { load, answered201, rowsAfterKill, loop };
  } finally {
    await server.kill();
  }
}

export interface CostLadder {
  /** The same server's unauthenticated /healthz: Fastify with Switchboard's hooks, no store. */
  healthz: LoadResult;
  /** Executions the runtime creates per second in the server's own process, with no HTTP at all. */
  runtimeCreatesPerSecond: number;
}

/**
 * Where a create's time goes, as rates of a server of its own (a fresh store): the HTTP stack Switchboard
 * runs with nothing behind it, and the runtime with no HTTP in front of it. Between hello-world and the
 * full create, these say which side a missed throughput target is on.
 */
export async function measureCostLadder(ctx: BenchContext): Promise<CostLadder> {
  const server = await startChild<SwitchboardInfo>('switchboard.ts', ['--data-dir', ctx.scratch('ladder'), '--flow', fileURLToPath(BENCH_FLOW)]);
  // Shorter than the create's own measurement: two rates to place it between, not a figure with a target.
  const { warm, measure } = ctx.pick({ full: { warm: 2, measure: 5 }, quick: { warm: 0.5, measure: 1.5 }, smoke: { warm: 0.5, measure: 1 } });
  try {
    ctx.log(`  switchboard /healthz: ${measure}s at ${CONNECTIONS} connections`);
    const url = `http://127.0.0.1:${server.info.port}/healthz`;
    await runLoad({ url, connections: CONNECTIONS, durationSeconds: warm });
    const healthz = await runLoad({ url, connections: CONNECTIONS, durationSeconds: measure });
    ctx.log(`  switchboard runtime creates without HTTP: ${measure}s, ${CONNECTIONS} in flight`);
    await server.ask({ type: 'creates', seconds: warm, inFlight: CONNECTIONS });
    const runtime = await server.ask<{ creates: number; seconds: number; failures: number; firstFailure?: string }>({ type: 'creates', seconds: measure, inFlight: CONNECTIONS });
    // A rate that counts failures as work done would flatter the runtime: such a run measures nothing.
    if (runtime.failures > 0) throw new Error(`${runtime.failures} of the runtime's in-process creates failed (first: ${runtime.firstFailure})`);
    if (healthz.non2xx + healthz.errors > 0) throw new Error(`/healthz answered ${healthz.non2xx} non-2xx and ${healthz.errors} socket errors`);
    return { healthz, runtimeCreatesPerSecond: runtime.creates / runtime.seconds };
  } finally {
    await server.stop();
  }
}
