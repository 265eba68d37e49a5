// `npm start | head -3` closed serve's stdout after three lines, and its next line crashed the server with an
// unhandled `Error: write EPIPE`; with `| tee serve.log`, a SIGTERM to the process group ends tee first, and the
// `SIGTERM: shutting down` line crashed it instead of the graceful stop. A closed stdout or stderr now drops
// what is written to it: the server serves, and stops as it should (exit 0).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../support/ports.ts';

const main = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

async function healthy(port: number, child: ChildProcess, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    assert.equal(child.exitCode, null, 'serve ended early');
    const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false);
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.fail('serve did not answer /healthz');
}

describe('switchboard serve with a stdout or stderr whose reader went away', () => {
  it('both closed before the first line (a warning on stderr, the banner and logs on stdout): it serves, and stops gracefully', { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-closed-output-'));
    const port = await freePort();
    // PORT=eighty under --port: a warning on stderr is its first write.
    const child = spawn(process.execPath, [main, 'serve', '--dev', '--port', String(port), '--data-dir', join(dir, 'data')], {
      env: { PATH: process.env.PATH ?? '', PORT: 'eighty' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const end = exited(child);
    // The read ends closed at once, long before the server writes anything: each write gets EPIPE.
    child.stdout!.destroy();
    child.stderr!.destroy();
    try {
      await healthy(port, child);
      child.kill('SIGTERM');
      assert.deepEqual(await end, { code: 0, signal: null }, 'drained and stopped, not crashed');
    } finally {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('stdout closed while it runs (a `| tee` ended first): SIGTERM still drains and exits 0, nothing on stderr', { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-closed-output-'));
    const port = await freePort();
    const child = spawn(process.execPath, [main, 'serve', '--dev', '--port', String(port), '--data-dir', join(dir, 'data')], {
      env: { PATH: process.env.PATH ?? '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const end = exited(child);
    let out = '';
    let err = '';
    child.stderr!.on('data', (chunk) => (err += chunk));
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout!.on('data', (chunk) => {
          out += chunk;
          if (/^Point twilio-node at it/m.test(out)) resolve();
        });
        child.once('exit', () => reject(new Error(`serve exited early: ${err}`)));
      });
      child.stdout!.destroy();
      // A request is logged to stdout too (pino), before the shutdown line is written there.
      assert.equal((await fetch(`http://127.0.0.1:${port}/healthz`)).status, 200);
      child.kill('SIGTERM');
      assert.deepEqual(await end, { code: 0, signal: null }, `drained and stopped, not crashed: ${err}`);
      assert.doesNotMatch(err, /EPIPE|Error/);
    } finally {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
