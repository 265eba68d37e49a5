// Benchmark servers run in child processes so the load generator (this process) and the server
// under test never share an event loop. A child announces itself with one `READY <json>` line.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';

export interface Child<Info> {
  info: Info;
  process: ChildProcess;
  /** ms from spawn to the READY line. */
  readyMs: number;
  /** Sends a request over IPC and waits for the answer with the same `type`. */
  ask<T>(message: { type: string; [key: string]: unknown }): Promise<T>;
  /** Graceful stop (SIGTERM), then SIGKILL after a grace period. */
  stop(): Promise<void>;
  /** SIGKILL: a crash, for durability checks. */
  kill(): Promise<void>;
}

export const SERVERS_DIR = new URL('../servers/', import.meta.url);

export async function startChild<Info>(script: string, args: string[] = [], options: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<Child<Info>> {
  const path = fileURLToPath(new URL(script, SERVERS_DIR));
  const started = performance.now();
  // BENCH_CPU_PROF=DIR profiles every server child (`--cpu-prof`); open the .cpuprofile in DevTools.
  const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  // --expose-gc: memory is measured after a full collection, so RSS shows what is retained.
  const child = spawn(process.execPath, ['--no-warnings', '--expose-gc', ...profile, path, ...args], {
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    env: { ...process.env, ...options.env },
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const lines = createInterface({ input: child.stdout! });
  const info = await new Promise<Info>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} did not start within ${options.timeoutMs ?? 60_000} ms`)), options.timeoutMs ?? 60_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited with ${code} before it was ready`));
    });
    lines.on('line', (line) => {
      if (!line.startsWith('READY ')) return;
      clearTimeout(timer);
      resolve(JSON.parse(line.slice(6)) as Info);
    });
  });
  const readyMs = performance.now() - started;
  const finish = async (signal: NodeJS.Signals) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill(signal);
    const grace = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(grace);
  };
  return {
    info,
    process: child,
    readyMs,
    ask<T>(message: { type: string }) {
      return new Promise<T>((resolve) => {
        const onMessage = (answer: { type: string }) => {
          if (answer.type !== message.type) return;
          child.off('message', onMessage);
          resolve(answer as T);
        };
        child.on('message', onMessage);
        child.send(message);
      });
    },
    stop: () => finish('SIGTERM'),
    kill: () => finish('SIGKILL'),
  };
}

/** In a child: answers IPC requests by type, and stops cleanly on SIGTERM. */
export function serveChild(handlers: Record<string, (message: Record<string, unknown>) => unknown>, close: () => Promise<void>): void {
  process.on('message', (message: { type: string }) => {
    const handler = handlers[message.type];
    if (!handler) return;
    void Promise.resolve(handler(message)).then((answer) => process.send?.({ ...(answer as object), type: message.type }));
  });
  process.once('SIGTERM', () => {
    void close().finally(() => process.exit(0));
  });
}

export function announce(info: unknown): void {
  process.stdout.write(`READY ${JSON.stringify(info)}\n`);
}
