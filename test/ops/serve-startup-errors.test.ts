// `switchboard serve` failing to start says why in one line (`switchboard: cannot start: …`, exit 1; a bad
// setting is exit 2) instead of crashing with a Node stack trace: a SQLite database written by a newer
// Switchboard, a --host that does not resolve, an account SID of the wrong shape, and anything else.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { fileURLToPath } from 'node:url';
import { listenProblem, storageProblem, unexpectedProblem } from '../../src/cli/startup-errors.ts';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

describe('switchboard serve: startup failures are one line', () => {
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'sb-startup-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const serve = (args: string[], env: Record<string, string> = {}) =>
    spawnSync(process.execPath, [MAIN, 'serve', '--log-level', 'silent', '--port', '0', ...args], {
      cwd: dir,
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', ...env },
      timeout: 60_000,
    });

  it('a SQLite database whose schema is newer than this build: exit 1, one line, the database untouched', () => {
    const data = join(dir, 'newer');
    mkdirSync(data);
    const db = new DatabaseSync(join(data, 'switchboard.db'));
    db.exec('PRAGMA user_version = 999');
    db.close();
    const result = serve(['--data-dir', data]);
    assert.equal(result.status, 1, result.stdout + result.stderr);
    assert.match(result.stderr.trim(), /^switchboard: cannot start: the database in .*newer has schema version 999, newer than this Switchboard's \(\d+\)/);
    assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
    const check = new DatabaseSync(join(data, 'switchboard.db'));
    assert.equal((check.prepare('PRAGMA user_version').get() as { user_version: number }).user_version, 999);
    check.close();
  });

  it('--log-level debug adds the stack for developers', () => {
    const result = serve(['--data-dir', join(dir, 'newer'), '--log-level', 'debug']);
    assert.equal(result.status, 1, result.stdout + result.stderr);
    assert.match(result.stderr, /^switchboard: cannot start: the database in .* has schema version 999[^\n]*\nError: database schema version 999 [^\n]*\n\s+at /);
  });

  // accounts create makes the store (list, with none there, says so before opening anything).
  it('another command that cannot open its store: one line, exit 1', () => {
    writeFileSync(join(dir, 'a-file'), '');
    const result = spawnSync(process.execPath, [MAIN, 'accounts', 'create', '--data-dir', join(dir, 'a-file', 'data')], { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH ?? '' }, timeout: 60_000 });
    assert.equal(result.status, 1, result.stdout + result.stderr);
    assert.match(result.stderr, /^switchboard: ENOTDIR: not a directory, mkdir .* \(--log-level debug shows where\)\n$/);
  });

  it('a --host that does not resolve: exit 1, one line naming it', () => {
    const result = serve(['--data-dir', ':memory:'], { HOST: 'not-a-host.invalid' });
    assert.equal(result.status, 1, result.stdout + result.stderr);
    assert.match(result.stderr.trim(), /^switchboard: cannot start: not-a-host\.invalid (is not a known host name or address|cannot be resolved now)/);
    assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
  });

  it('TWILIO_ACCOUNT_SID that is no account SID: a configuration error (exit 2) naming the variable', () => {
    const result = serve(['--data-dir', ':memory:'], { TWILIO_ACCOUNT_SID: 'foo', TWILIO_AUTH_TOKEN: 'bar' });
    assert.equal(result.status, 2, result.stdout + result.stderr);
    assert.match(result.stderr, /^switchboard: invalid configuration:\n {2}TWILIO_ACCOUNT_SID must be an account SID: AC followed by 32 hex characters, got 'foo'/);
    assert.doesNotMatch(result.stderr, /\n\s+at /);
  });
});

describe('startup problems in words', () => {
  it('a data directory that cannot be created (a read-only or missing parent)', () => {
    const writable = { exists: (path: string) => path === '/', checkWritable: () => {} };
    const enoent = Object.assign(new Error("ENOENT: no such file or directory, mkdir '/ro/data'"), { code: 'ENOENT' });
    assert.match(storageProblem(enoent, '/ro/data', writable) ?? '', /^data directory \/ro\/data cannot be created \(a parent directory is missing and cannot be made\): ENOENT/);
    const erofs = Object.assign(new Error("EROFS: read-only file system, mkdir '/ro/data'"), { code: 'EROFS' });
    assert.match(storageProblem(erofs, '/ro/data') ?? '', /is on a read-only file system/);
  });

  it("a recursive mkdir's ENOENT is reported as what stops it at the deepest directory that exists", () => {
    // mkdirSync(..., { recursive: true }) under a read-only mount fails with ENOENT, not EROFS.
    const enoent = Object.assign(new Error("ENOENT: no such file or directory, mkdir '/ro-mount/new/data'"), { code: 'ENOENT', syscall: 'mkdir', path: '/ro-mount/new/data' });
    const checked: string[] = [];
    const refusing = (code: string) => ({
      exists: (path: string) => path === '/ro-mount' || path === '/',
      checkWritable: (path: string) => {
        checked.push(path);
        throw Object.assign(new Error(`${code}: access '${path}'`), { code });
      },
    });
    assert.equal(
      storageProblem(enoent, '/ro-mount/new/data', refusing('EROFS')),
      'data directory /ro-mount/new/data cannot be created: /ro-mount is on a read-only file system: EROFS',
    );
    assert.deepEqual(checked, ['/ro-mount']);
    assert.equal(
      storageProblem(enoent, '/ro-mount/new/data', refusing('EACCES')),
      'data directory /ro-mount/new/data cannot be created: /ro-mount is not writable (permission denied): EACCES',
    );
  });

  it('a host name that does not resolve', () => {
    const error = Object.assign(new Error('getaddrinfo ENOTFOUND nowhere'), { code: 'ENOTFOUND' });
    assert.equal(listenProblem(error, 'nowhere', 4000), 'nowhere is not a known host name or address (getaddrinfo ENOTFOUND nowhere); fix --host (or HOST)');
  });

  it('anything else: its message on one line, with its code', () => {
    assert.equal(unexpectedProblem(new Error('first line\n    more detail')), 'first line');
    assert.equal(unexpectedProblem(Object.assign(new Error('boom'), { code: 'ESOMETHING' })), 'boom (ESOMETHING)');
    assert.equal(unexpectedProblem(Object.assign(new Error('ESOMETHING: boom'), { code: 'ESOMETHING' })), 'ESOMETHING: boom');
    assert.equal(unexpectedProblem('a string'), 'a string');
  });
});
