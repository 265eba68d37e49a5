// The real server process at its edges: a read-only or full data directory at start gives a
// clear error and exit code 1 without touching the database; SIGTERM stops taking requests,
// finishes the sprint in flight and closes the store cleanly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, readdirSync, rmSync, existsSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { MAIN, SERVER_CWD, serverEnv } from '../support/server-env.ts';
import { freePort } from '../support/ports.ts';

const ACCOUNT = { TWILIO_ACCOUNT_SID: 'AC' + '5'.repeat(32), TWILIO_AUTH_TOKEN: 'startup-token' };
const AUTH = 'Basic ' + Buffer.from(`${ACCOUNT.TWILIO_ACCOUNT_SID}:${ACCOUNT.TWILIO_AUTH_TOKEN}`).toString('base64');
const isRoot = process.getuid?.() === 0;
// Response bodies are checked field by field below.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const json = (response: Response): Promise<any> => response.json();
const hasSetpriv = spawnSync('setpriv', ['--version']).status === 0;

/** Runs `serve` to completion (it must exit on its own), optionally as an unprivileged user or under a file size limit. */
function serveOnce(dataDir: string, options: { unprivileged?: boolean; fileSizeLimitKb?: number } = {}): { status: number | null; output: string } {
  let command = process.execPath;
  let args = [MAIN, 'serve', '--data-dir', dataDir, '--port', '0', '--log-level', 'error'];
  if (options.unprivileged && isRoot) {
    // root ignores permission bits; run as nobody so the read-only directory really is read-only.
    args = ['--reuid=65534', '--regid=65534', '--clear-groups', command, ...args];
    command = 'setpriv';
  }
  if (options.fileSizeLimitKb !== undefined) {
    // RLIMIT_FSIZE: writes past the limit fail with EFBIG, as on a full disk (Node ignores SIGXFSZ).
    args = ['-c', `ulimit -f ${options.fileSizeLimitKb}; exec "$0" "$@"`, command, ...args];
    command = 'sh';
  }
  const result = spawnSync(command, args, { cwd: SERVER_CWD, env: serverEnv(ACCOUNT), encoding: 'utf8', timeout: 90_000 });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

function fingerprint(dir: string): string {
  return readdirSync(dir)
    .sort()
    .map((name) => `${name}:${readFileSync(join(dir, name)).toString('base64')}`)
    .join('|');
}

function integrity(dir: string): { ok: string; accounts: number } {
  const db = new DatabaseSync(join(dir, 'switchboard.db'), { readOnly: true });
  try {
    const ok = (db.prepare('PRAGMA integrity_check').get() as { integrity_check: string }).integrity_check;
    const accounts = Number((db.prepare('SELECT count(*) AS n FROM accounts').get() as { n: number }).n);
    return { ok, accounts };
  } finally {
    db.close();
  }
}

/** A database made by a normal start and stop (SIGTERM), to be damaged-by-environment later. */
async function initialisedDataDir(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-start-'));
  const child = spawn(process.execPath, [MAIN, 'serve', '--data-dir', dir, '--port', '0', '--log-level', 'error'], { cwd: SERVER_CWD, env: serverEnv(ACCOUNT), stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk));
  const deadline = Date.now() + 90_000;
  while (!output.includes('listening') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  assert.equal(await exited, 0, output);
  return dir;
}

test('a read-only data directory at start: a clear error, exit code 1, the database untouched', { skip: isRoot && !hasSetpriv ? 'running as root without setpriv' : false }, async () => {
  const fresh = mkdtempSync(join(tmpdir(), 'switchboard-ro-'));
  const existing = await initialisedDataDir();
  try {
    chmodSync(fresh, 0o555);
    const first = serveOnce(fresh, { unprivileged: true });
    assert.equal(first.status, 1, first.output);
    assert.match(first.output, /switchboard: cannot start: .*(read-only|cannot be opened|not writable)/);
    assert.doesNotMatch(first.output, /^\s+at /m, 'no stack trace');

    const before = fingerprint(existing);
    chmodSync(existing, 0o555);
    for (const name of readdirSync(existing)) chmodSync(join(existing, name), 0o444);
    const second = serveOnce(existing, { unprivileged: true });
    assert.equal(second.status, 1, second.output);
    assert.match(second.output, /switchboard: cannot start: .*(read-only|cannot be opened|not writable)/);
    assert.equal(fingerprint(existing), before, 'the database files were not modified');

    // Writable again: it starts, with its data.
    chmodSync(existing, 0o755);
    for (const name of readdirSync(existing)) chmodSync(join(existing, name), 0o644);
    assert.deepEqual(integrity(existing), { ok: 'ok', accounts: 1 });
  } finally {
    chmodSync(fresh, 0o755);
    rmSync(fresh, { recursive: true, force: true });
    rmSync(existing, { recursive: true, force: true });
  }
});

test('a full disk at start: a clear error, exit code 1, no corruption; the next start succeeds', async () => {
  const fresh = mkdtempSync(join(tmpdir(), 'switchboard-full-'));
  const existing = await initialisedDataDir();
  try {
    const first = serveOnce(fresh, { fileSizeLimitKb: 8 });
    assert.equal(first.status, 1, first.output);
    assert.match(first.output, /switchboard: cannot start: .*(full|cannot be written|cannot grow)/);
    assert.doesNotMatch(first.output, /^\s+at /m, 'no stack trace');

    const before = readFileSync(join(existing, 'switchboard.db'));
    const second = serveOnce(existing, { fileSizeLimitKb: 8 });
    assert.equal(second.status, 1, second.output);
    assert.match(second.output, /switchboard: cannot start:/);
    assert.deepEqual(readFileSync(join(existing, 'switchboard.db')), before, 'the database file was not modified');
    assert.deepEqual(integrity(existing), { ok: 'ok', accounts: 1 });
  } finally {
    rmSync(fresh, { recursive: true, force: true });
    rmSync(existing, { recursive: true, force: true });
  }
});

test('SIGTERM: new requests refused, the in-flight sprint finishes, the store is closed cleanly', { timeout: 300_000 }, async () => {
  // The flow calls a slow local server: the HTTP effect is in flight when SIGTERM arrives.
  let hits = 0;
  let release: () => void = () => undefined;
  const requested = new Promise<void>((resolve) => (release = resolve));
  const slow = createServer((_req, res) => {
    hits++;
    release();
    setTimeout(() => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    }, 1_500);
  });
  await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve));
  const slowUrl = `http://127.0.0.1:${(slow.address() as AddressInfo).port}/slow`;
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-term-'));
  // The child is told its port before it starts (and restarts on the same one): one below the ephemeral range.
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const start = () => {
    const child = spawn(process.execPath, [MAIN, 'serve', '--data-dir', dir, '--port', String(port), '--dev', '--log-level', 'error'], { cwd: SERVER_CWD, env: serverEnv(ACCOUNT), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk));
    return { child, output: () => output };
  };
  const ready = async () => {
    for (let i = 0; i < 1800; i++) {
      try {
        if ((await fetch(`${base}/readyz`)).ok) return; // /healthz answers while it is still starting
      } catch {
        /* starting */
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error('server did not start');
  };
  const call = (method: string, path: string, form?: Record<string, string>) =>
    fetch(base + path, { method, headers: { authorization: AUTH, ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) }, ...(form ? { body: new URLSearchParams(form).toString() } : {}) });
  try {
    let server = start();
    await ready();
    const definition = {
      description: 'slow call',
      initial_state: 'Trigger',
      flags: { allow_concurrent_calls: true },
      states: [
        { name: 'Trigger', type: 'trigger', transitions: [{ event: 'incomingMessage' }, { event: 'incomingCall' }, { event: 'incomingConversationMessage' }, { event: 'incomingRequest', next: 'call' }, { event: 'incomingParent' }], properties: { offset: { x: 0, y: 0 } } },
        { name: 'call', type: 'make-http-request', transitions: [{ event: 'success' }, { event: 'failed' }], properties: { method: 'GET', content_type: 'application/x-www-form-urlencoded;charset=utf-8', url: slowUrl, offset: { x: 0, y: 0 } } },
      ],
    };
    const flow = await json(await call('POST', '/v2/Flows', { FriendlyName: 'slow', Status: 'published', Definition: JSON.stringify(definition) }));
    const created = await call('POST', `/v2/Flows/${flow.sid}/Executions`, { To: '+15550001234', From: '+15005550006' });
    assert.equal(created.status, 201);
    const execution = await json(created);
    await requested;

    const exited = new Promise<number | null>((resolve) => server.child.once('exit', resolve));
    server.child.kill('SIGTERM');
    // Once it says so, it is closing (the message and the close start in the same tick).
    for (let i = 0; i < 1800 && !server.output().includes('SIGTERM: shutting down'); i++) await new Promise((resolve) => setTimeout(resolve, 50));
    // Closing: a new request is refused (503 while draining, or the port is already closed).
    const refused = await call('GET', '/v2/Flows').then((r) => r.status, () => 'connection refused');
    assert.ok(refused === 503 || refused === 'connection refused', `a request during shutdown got ${refused}`);
    assert.equal(await exited, 0, server.output());
    assert.match(server.output(), /SIGTERM: shutting down[\s\S]*stopped/);
    assert.equal(server.output().includes(ACCOUNT.TWILIO_AUTH_TOKEN), false, 'a configured auth token is never printed');
    // The store was closed: SQLite checkpointed and removed its WAL.
    assert.equal(existsSync(join(dir, 'switchboard.db-wal')), false, 'WAL left behind: the store was not closed');

    // After a restart, the execution had finished its call in the old process: no second request.
    server = start();
    await ready();
    const steps = await json(await call('GET', `/v2/Flows/${flow.sid}/Executions/${execution.sid}/Steps`));
    assert.deepEqual(steps.steps.map((s: { transitioned_from: string; name: string }) => `${s.transitioned_from}:${s.name}`).sort(), ['Trigger:incomingRequest', 'call:success']);
    const shown = await json(await call('GET', `/v2/Flows/${flow.sid}/Executions/${execution.sid}`));
    assert.equal(shown.status, 'ended');
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(hits, 1, 'the in-flight request was not repeated');
    const stopped = new Promise<number | null>((resolve) => server.child.once('exit', resolve));
    server.child.kill('SIGTERM');
    assert.equal(await stopped, 0);
  } finally {
    slow.closeAllConnections();
    slow.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

