// One server per SQLite data directory: a second `serve` on it is refused in one line (exit 1)
// naming the one running, while the CLI commands that write the file beside a server still work.
// The lock is gone with its process, even killed: the next server starts, and frees at once the
// claims of the one before it, whatever its node id (a configured one, another container's host).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataDirLock, DataDirLockedError } from '../../src/store/sqlite/data-dir-lock.ts';
import { MAIN, SERVER_CWD, serverEnv } from '../support/server-env.ts';

const ACCOUNT = { TWILIO_ACCOUNT_SID: 'AC' + '6'.repeat(32), TWILIO_AUTH_TOKEN: 'lock-token' };
const AUTH = 'Basic ' + Buffer.from(`${ACCOUNT.TWILIO_ACCOUNT_SID}:${ACCOUNT.TWILIO_AUTH_TOKEN}`).toString('base64');

interface Running {
  child: ChildProcess;
  base: string;
  output: () => string;
  exited: Promise<number | null>;
}

/** `serve` on dir until it prints where it listens. */
async function serve(dir: string, env: Record<string, string> = {}): Promise<Running> {
  const child = spawn(process.execPath, [MAIN, 'serve', '--data-dir', dir, '--port', '0', '--dev', '--log-level', 'error'], { cwd: SERVER_CWD, env: serverEnv({ ...ACCOUNT, ...env }), stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const deadline = Date.now() + 60_000;
  let listening: RegExpExecArray | null = null;
  while (!(listening = /listening on (http:\/\/\S+)/.exec(output))) {
    if (child.exitCode !== null || Date.now() > deadline) assert.fail(`serve did not start: ${output}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { child, base: listening[1]!, output: () => output, exited };
}

const cli = (args: string[]) => spawnSync(process.execPath, [MAIN, ...args], { cwd: SERVER_CWD, env: serverEnv(ACCOUNT), encoding: 'utf8', timeout: 60_000 });

describe('one server per SQLite data directory', () => {
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'sb-lock-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('a second serve is refused (exit 1, one line naming the first); CLI commands still work; after a SIGKILL the next starts', { timeout: 180_000 }, async () => {
    const first = await serve(dir);
    try {
      const second = cli(['serve', '--data-dir', dir, '--port', '0', '--log-level', 'error']);
      assert.equal(second.status, 1, second.stdout + second.stderr);
      assert.match(second.stderr, new RegExp(`^switchboard: cannot start: the data directory .* is in use by another Switchboard server \\(pid ${first.child.pid} on host ${hostname().replace(/[.]/g, '\\.')}, node \\S+, since [^)]+\\); stop it first`));
      assert.equal(second.stderr.trim().split('\n').length, 1, second.stderr);
      assert.doesNotMatch(second.stdout, /listening on/);
      // Beside the running server, as the README promises: a command that writes the file.
      const created = cli(['accounts', 'create', '--friendly-name', 'beside', '--data-dir', dir]);
      assert.equal(created.status, 0, created.stderr);
      assert.equal((await fetch(`${first.base}/healthz`)).status, 200, 'the first server is unaffected');
    } finally {
      first.child.kill('SIGKILL');
      await first.exited;
    }
    const next = await serve(dir);
    next.child.kill('SIGTERM');
    assert.equal(await next.exited, 0, next.output());
  });

  it("the next server frees the killed one's claims at once, though its node id says nothing of whether it lives", { timeout: 180_000 }, async () => {
    // A flow whose HTTP request is slow: killed while it is on the wire, the effect stays claimed.
    let hits = 0;
    const slow: Server = createServer((_req, res) => {
      hits++;
      setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'), 2_000);
    });
    await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(slow.address() as AddressInfo).port}/slow`;
    const data = mkdtempSync(join(tmpdir(), 'sb-lock-claims-'));
    try {
      const first = await serve(data, { SWITCHBOARD_NODE_ID: 'node-before' });
      const call = (base: string, method: string, path: string, form?: Record<string, string>) =>
        fetch(base + path, { method, headers: { authorization: AUTH, ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) }, ...(form ? { body: new URLSearchParams(form).toString() } : {}) });
      const definition = {
        description: 'slow call',
        initial_state: 'Trigger',
        flags: { allow_concurrent_calls: true },
        states: [
          { name: 'Trigger', type: 'trigger', transitions: [{ event: 'incomingMessage' }, { event: 'incomingCall' }, { event: 'incomingConversationMessage' }, { event: 'incomingRequest', next: 'call' }, { event: 'incomingParent' }], properties: { offset: { x: 0, y: 0 } } },
          { name: 'call', type: 'make-http-request', transitions: [{ event: 'success' }, { event: 'failed' }], properties: { method: 'GET', content_type: 'application/x-www-form-urlencoded;charset=utf-8', url, offset: { x: 0, y: 0 } } },
        ],
      };
      let next: Running | undefined;
      try {
        const flow = (await (await call(first.base, 'POST', '/v2/Flows', { FriendlyName: 'slow', Status: 'published', Definition: JSON.stringify(definition) })).json()) as { sid: string };
        assert.equal((await call(first.base, 'POST', `/v2/Flows/${flow.sid}/Executions`, { To: '+15550001234', From: '+15005550006' })).status, 201);
        for (let i = 0; i < 400 && hits === 0; i++) await new Promise((resolve) => setTimeout(resolve, 25));
        assert.equal(hits, 1, 'the request went out');
        first.child.kill('SIGKILL');
        await first.exited;
        // Another id again: the claims are not this node's, and their lease (30 s) is far from over.
        next = await serve(data, { SWITCHBOARD_NODE_ID: 'node-after' });
        const startedAt = Date.now();
        while (hits < 2 && Date.now() - startedAt < 10_000) await new Promise((resolve) => setTimeout(resolve, 50));
        assert.equal(hits, 2, 'the interrupted request is made again well before the lease runs out');
      } finally {
        first.child.kill('SIGKILL');
        next?.child.kill('SIGTERM');
        await next?.exited;
      }
    } finally {
      await new Promise((resolve) => slow.close(resolve));
      rmSync(data, { recursive: true, force: true });
    }
  });

  it('in one process too: a second lock is refused, naming this process; released, it is free again', () => {
    const lockDir = join(dir, 'in-process');
    const lock = DataDirLock.acquire(lockDir);
    try {
      assert.throws(() => DataDirLock.acquire(lockDir), (error: unknown) => error instanceof DataDirLockedError && error.holder?.pid === process.pid);
    } finally {
      lock.release();
    }
    const again = DataDirLock.acquire(lockDir);
    assert.equal(again.previous?.pid, process.pid, 'the holder before it is known');
    again.release();
  });

  it("a holder that failed to start (no node id yet) carries forward the crashed one's node id", () => {
    const lockDir = join(dir, 'failed-start');
    const crashed = DataDirLock.acquire(lockDir);
    crashed.describe('node-crashed');
    crashed.release(); // as a SIGKILL leaves it: the holder file still names it
    // A serve that took the lock and failed before freeing those claims (a store that cannot open).
    const failed = DataDirLock.acquire(lockDir);
    assert.equal(failed.previous?.nodeId, 'node-crashed');
    const refused = (() => {
      try {
        DataDirLock.acquire(lockDir);
      } catch (error) {
        return error as DataDirLockedError;
      }
      assert.fail('a second lock was taken');
    })();
    assert.equal(refused.holder?.nodeId, undefined, 'the refused one is told of the holder, not of the one before');
    failed.release();
    const next = DataDirLock.acquire(lockDir);
    assert.equal(next.previous?.nodeId, 'node-crashed', 'the next serve can still free its claims');
    next.describe('node-next'); // serving, the crashed one's claims freed
    next.release();
    const later = DataDirLock.acquire(lockDir);
    assert.equal(later.previous?.nodeId, 'node-next', 'once freed, the crashed one is no longer carried');
    later.release();
  });
});
