// Scenario 2: the same create-execution request against Stoplight Prism (a stateless mock of the
// same OpenAPI document) started in the same run, compared with Switchboard's durable figure.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { SHARED_DIR, type Scenario } from '../lib/context.ts';
import { runLoad } from '../lib/load.ts';
import { figure } from '../lib/report.ts';
import { CONNECTIONS, createRequest, loadSeconds, measureDurableCreate } from '../lib/switchboard-load.ts';

const PRISM = fileURLToPath(new URL('../../node_modules/.bin/prism', import.meta.url));
const SPEC = fileURLToPath(new URL('spec/twilio_studio_v2.json', SHARED_DIR));

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      await fetch(`http://127.0.0.1:${port}/`);
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  throw new Error(`Prism did not listen on ${port} within ${timeoutMs} ms`);
}

export const prism: Scenario = {
  id: 2,
  title: 'Durable create-execution vs Stoplight Prism mock',
  async run(ctx) {
    const skip = (reason: string) => ({ id: 2, title: this.title, status: 'skipped' as const, reason, notes: [] });
    if (!existsSync(PRISM)) return skip('@stoplight/prism-cli is not installed (node_modules/.bin/prism missing)');
    if (!existsSync(SPEC)) return skip(`the OpenAPI document ${SPEC} is absent`);
    const port = await freePort();
    // Prism logs every request; its output is discarded so logging to a pipe does not slow it down.
    const child = spawn(process.execPath, [PRISM, 'mock', SPEC, '--host', '127.0.0.1', '--port', String(port)], { stdio: 'ignore' });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    try {
      await waitForPort(port, 60_000);
      const flowSid = 'FW' + '0'.repeat(32);
      const request = createRequest(port, { accountSid: 'AC' + '0'.repeat(32), authToken: 'token' }, flowSid);
      const { warm, measure } = loadSeconds(ctx);
      ctx.log(`  prism: ${measure}s at ${CONNECTIONS} connections`);
      await runLoad({ ...request, connections: CONNECTIONS, durationSeconds: warm });
      const mock = await runLoad({ ...request, connections: CONNECTIONS, durationSeconds: measure });
      child.kill('SIGTERM');
      await exited;
      if (mock.ok === 0) return skip(`Prism answered no 2xx (status codes ${JSON.stringify(mock.statusCodes)})`);
      const create = await ctx.once('durable-create', () => measureDurableCreate(ctx));
      return {
        id: 2,
        title: this.title,
        status: 'ok',
        figures: [
          figure('create-execution throughput vs Prism', create.load.okPerSecond, 'req/s', {
            baseline: { name: 'Prism mock', value: mock.okPerSecond },
            target: { of: 'ratio', op: '>=', value: 20 },
          }),
          figure('create-execution p99 vs Prism p99', create.load.latencyP99, 'ms', { baseline: { name: 'Prism p99', value: mock.latencyP99 } }),
        ],
        notes: [
          `Prism ${'mock'} of ../shared/spec/twilio_studio_v2.json, same POST and body; Prism is stateless (no storage), Switchboard fsyncs every execution. Prism status codes: ${JSON.stringify(mock.statusCodes)}.`,
        ],
      };
    } finally {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await exited;
      }
    }
  },
};
