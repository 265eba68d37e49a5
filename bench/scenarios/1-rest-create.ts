// Scenario 1: durable REST create-execution against a Fastify hello-world started in the same run.
import { startChild } from '../lib/child.ts';
import type { Scenario } from '../lib/context.ts';
import { runLoad } from '../lib/load.ts';
import { figure } from '../lib/report.ts';
import { CONNECTIONS, describeLoop, loadSeconds, measureCostLadder, measureDurableCreate } from '../lib/switchboard-load.ts';

export async function measureHelloWorld(ctx: Parameters<Scenario['run']>[0]) {
  return ctx.once('hello-world', async () => {
    const hello = await startChild<{ port: number }>('hello.ts');
    const { warm, measure } = loadSeconds(ctx);
    try {
      ctx.log(`  fastify hello-world: ${measure}s at ${CONNECTIONS} connections`);
      const url = `http://127.0.0.1:${hello.info.port}/`;
      await runLoad({ url, connections: CONNECTIONS, durationSeconds: warm });
      return await runLoad({ url, connections: CONNECTIONS, durationSeconds: measure });
    } finally {
      await hello.stop();
    }
  });
}

export const restCreate: Scenario = {
  id: 1,
  title: 'Durable REST create-execution vs Fastify hello-world',
  async run(ctx) {
    const hello = await measureHelloWorld(ctx);
    const create = await ctx.once('durable-create', () => measureDurableCreate(ctx));
    const ladder = await measureCostLadder(ctx);
    const other = Object.entries(create.load.statusCodes).filter(([code]) => code !== '201');
    const helloBaseline = { name: 'hello-world', value: hello.okPerSecond };
    return {
      id: 1,
      title: this.title,
      status: 'ok',
      ...(ctx.quick ? { scaled: `${ctx.mode.toUpperCase()}: ${create.load.durationSeconds.toFixed(0)}s measured instead of 15s` } : {}),
      figures: [
        figure('create-execution throughput (201/s, fsync each)', create.load.okPerSecond, 'req/s', {
          baseline: { name: 'hello-world', value: hello.okPerSecond },
          target: { of: 'ratio', op: '>=', value: 0.3 },
        }),
        figure('create-execution p99 latency', create.load.latencyP99, 'ms', {
          baseline: { name: 'hello-world p99', value: hello.latencyP99 },
          target: { of: 'value', op: '<', value: 25 },
        }),
        figure('create-execution p50 latency', create.load.latencyP50, 'ms', { baseline: { name: 'hello-world p50', value: hello.latencyP50 } }),
        figure('201s found in the database after SIGKILL', create.rowsAfterKill, 'rows', {
          baseline: { name: '201s answered', value: create.answered201 },
          target: { of: 'ratio', op: '>=', value: 1 },
        }),
        figure('non-201 answers and socket errors', create.load.non2xx + create.load.errors, 'responses', { target: { of: 'value', op: '<=', value: 0 } }),
        figure('where the time goes: Switchboard /healthz throughput (HTTP stack, no store)', ladder.healthz.okPerSecond, 'req/s', { baseline: helloBaseline }),
        figure('where the time goes: runtime creates without HTTP (in-process)', ladder.runtimeCreatesPerSecond, 'creates/s', { baseline: { ...helloBaseline, unit: 'req/s' } }),
      ],
      notes: [
        `${CONNECTIONS} connections, ${create.load.durationSeconds}s measured after a warm-up; every request creates an execution for a new contact on a flow whose first widget (send-and-wait-for-reply) sends a question and waits.`,
        describeLoop(create.loop),
        'SQLite in WAL mode: a 201 is sent only after the WAL holding the execution was fsync’d (group commit: one fsync, off the event loop, per batch of concurrent writes).',
        `Where the time goes, on a server of its own: its unauthenticated /healthz (Fastify with Switchboard's hooks, request id, metrics and span; no auth, no store) at ${CONNECTIONS} connections, and executions created by the runtime in that process with no HTTP (ExecutionService.create, ${CONNECTIONS} in flight, the durable sprint with the simulator's send). A create over HTTP costs what both cost and more (authentication, the form, the 201's JSON), so where the runtime alone is below the target ratio, no trimming of the request path reaches it.`,
        ...(other.length ? [`other status codes: ${other.map(([c, n]) => `${c}×${n}`).join(', ')}`] : []),
      ],
    };
  },
};
