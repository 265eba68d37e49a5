// bin/switchboard.js on a Node older than 24 runs the CLI under the Node 24 devDependency as a child.
// A SIGTERM to the wrapper (what a supervisor sends) must stop that child gracefully, not orphan it,
// and the wrapper must exit as the child did.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const wrapper = fileURLToPath(new URL('../../bin/switchboard.js', import.meta.url));

/** A node older than 24 on PATH (or /usr/bin/node), for which the wrapper spawns the Node 24 child. */
function olderNode(): string | null {
  const candidates = [...(spawnSync('which', ['-a', 'node'], { encoding: 'utf8' }).stdout ?? '').split('\n'), '/usr/bin/node'];
  for (const path of candidates.map((p) => p.trim()).filter(Boolean)) {
    const version = spawnSync(path, ['--version'], { encoding: 'utf8' }).stdout?.trim();
    const major = Number(/^v(\d+)\./.exec(version ?? '')?.[1]);
    if (major >= 18 && major < 24) return path;
  }
  return null;
}

function childrenOf(pid: number): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // pid (comm) state ppid ...: comm may hold spaces, so read after its closing parenthesis.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) found.push(Number(entry));
    } catch {
      // Gone meanwhile.
    }
  }
  return found;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const node = olderNode();

test('SIGTERM to the wrapper on an older Node stops the Node 24 server gracefully and exits with its code', { skip: node === null || process.platform !== 'linux' ? 'needs Linux and a Node older than 24' : false }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-wrapper-'));
  const wrapped = spawn(node!, [wrapper, 'serve', '--port', '0', '--log-level', 'warn', '--data-dir', join(dir, 'data')], {
    env: { PATH: process.env.PATH ?? '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  wrapped.stdout.on('data', (chunk) => (out += chunk));
  wrapped.stderr.on('data', (chunk) => (err += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => wrapped.on('exit', (code, signal) => resolve({ code, signal })));
  let server: number | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`not ready in 30 s: ${out}${err}`)), 30_000);
      wrapped.stdout.on('data', () => /Auth token:/.test(out) && (clearTimeout(timer), resolve()));
    });
    [server] = childrenOf(wrapped.pid!);
    assert.ok(server, 'the wrapper runs the server as its child');
    wrapped.kill('SIGTERM');
    const result = await Promise.race([exited, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the wrapper did not exit')), 30_000))]);
    assert.deepEqual(result, { code: 0, signal: null }, err);
    assert.match(out, /SIGTERM: shutting down[\s\S]*stopped/, 'the server stopped gracefully');
    assert.equal(alive(server), false, 'no orphaned server is left running');
  } finally {
    if (server && alive(server)) process.kill(server, 'SIGKILL');
    if (wrapped.exitCode === null && wrapped.signalCode === null) wrapped.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});
