// SIGHUP (the terminal `serve` runs in closed, or a supervisor hanging up) stops the server as
// SIGTERM does: requests drained, the store closed, exit 0. By default Node would die at once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

test('SIGHUP shuts serve down gracefully', { skip: process.platform === 'win32' ? 'no SIGHUP on Windows' : false }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-sighup-'));
  const child = spawn(process.execPath, [main, 'serve', '--port', '0', '--log-level', 'warn', '--data-dir', join(dir, 'data')], { env: { PATH: process.env.PATH ?? '' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk) => (out += chunk));
  child.stderr.on('data', (chunk) => (err += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`serve not ready: ${out}${err}`)), 30_000);
      child.stdout.on('data', () => out.includes('listening on') && (clearTimeout(timer), resolve()));
    });
    child.kill('SIGHUP');
    const result = await Promise.race([exited, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('serve did not exit')), 30_000))]);
    assert.deepEqual(result, { code: 0, signal: null }, err);
    assert.match(out, /SIGHUP: shutting down[\s\S]*stopped/);
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});
