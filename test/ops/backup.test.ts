// `switchboard backup`: a consistent copy of a running server's SQLite database, taken while the
// server is busy writing. Copying switchboard.db under load gave a damaged file (integrity_check:
// "freelist leaf count too big") that also missed the commits still in switchboard.db-wal; migrate-store
// refuses a data directory a server holds. The backup must pass integrity_check and hold every
// execution the API had acknowledged before the backup began, beside a server that keeps running.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DatabaseSync } from 'node:sqlite';
import { withServe } from '../support/serve-process.ts';
import { MAIN, SERVER_CWD, serverEnv } from '../support/server-env.ts';

const run = promisify(execFile);
const ACCOUNT = { TWILIO_ACCOUNT_SID: 'AC' + 'b'.repeat(32), TWILIO_AUTH_TOKEN: 'backup-token' };
const AUTH = 'Basic ' + Buffer.from(`${ACCOUNT.TWILIO_ACCOUNT_SID}:${ACCOUNT.TWILIO_AUTH_TOKEN}`).toString('base64');
const smsEcho = readFileSync(new URL('../fixtures/flows/sms-echo.json', import.meta.url), 'utf8');

/** `switchboard backup ARGS` as a user runs it (no configuration variables from the test run's environment). */
function backupCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return run(process.execPath, [MAIN, 'backup', ...args], { cwd: SERVER_CWD, env: serverEnv(), encoding: 'utf8', timeout: 120_000 }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code?: number; stdout?: string; stderr?: string }) => ({ code: typeof error.code === 'number' ? error.code : -1, stdout: error.stdout ?? '', stderr: error.stderr ?? '' }),
  );
}

const post = (url: string, fields: Record<string, string>) =>
  fetch(url, { method: 'POST', headers: { authorization: AUTH, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() });

describe('switchboard backup', () => {
  it('beside a running server under write load: the copy passes integrity_check and holds every execution acknowledged before it began', { timeout: 240_000 }, async () => {
    const root = mkdtempSync(join(tmpdir(), 'sb-backup-'));
    const dir = join(root, 'data');
    const file = join(root, 'backups', 'switchboard-backup.db');
    try {
      await withServe(['--port', '0', '--dev', '--log-level', 'error'], { ...ACCOUNT, SWITCHBOARD_DATA_DIR: dir }, (out) => /^Point twilio-node/m.test(out), async ({ out }) => {
        const base = /listening on (http:\/\/\S+)/.exec(out)![1]!;
        const created = await post(`${base}/v2/Flows`, { FriendlyName: 'Backup load', Status: 'published', Definition: smsEcho });
        const flow = (await created.json()) as { sid: string };
        assert.equal(created.status, 201, JSON.stringify(flow));
        const flowSid = flow.sid;

        // Writers: REST executions (each commits its row, steps and a pending send) with padding, so the
        // file grows, the WAL fills and the checkpointer copies pages back while the backup reads.
        const acknowledged: string[] = [];
        let contact = 0;
        let stop = false;
        const deadline = Date.now() + 90_000;
        const writer = async () => {
          while (!stop && Date.now() < deadline && contact < 20_000) {
            const to = `+1555${String(++contact).padStart(7, '0')}`;
            const response = await post(`${base}/v2/Flows/${flowSid}/Executions`, { To: to, From: '+15005550006', Parameters: JSON.stringify({ pad: 'p'.repeat(1500) }) });
            const body = (await response.json()) as { sid?: string };
            assert.equal(response.status, 201, JSON.stringify(body));
            acknowledged.push(body.sid!);
          }
        };
        const writers = Array.from({ length: 8 }, writer);
        try {
          while (acknowledged.length < 400) {
            assert.ok(Date.now() < deadline, 'the load started');
            await new Promise((resolve) => setTimeout(resolve, 50));
          }
          const before = [...acknowledged];
          const result = await backupCli(['--to', file, '--data-dir', dir]);
          const during = acknowledged.length - before.length;
          assert.equal(result.code, 0, result.stdout + result.stderr);
          assert.match(result.stdout, /^Backed up .*switchboard\.db to .*switchboard-backup\.db: \d+ pages of \d+ bytes, \d+ bytes \([\d.]+ MB\), schema version \d+, quick_check ok\n$/);
          assert.equal(result.stderr, '');
          assert.ok(during > 0, 'the server kept committing while the backup ran');

          const copy = new DatabaseSync(file, { readOnly: true });
          try {
            assert.deepEqual((copy.prepare('PRAGMA integrity_check').all() as { integrity_check: string }[]).map((row) => row.integrity_check), ['ok']);
            assert.equal((copy.prepare('PRAGMA journal_mode').get() as { journal_mode: string }).journal_mode, 'delete', 'one self-contained file');
            const inCopy = new Set((copy.prepare('SELECT sid FROM executions').all() as { sid: string }[]).map((row) => row.sid));
            const missing = before.filter((sid) => !inCopy.has(sid));
            assert.deepEqual(missing, [], `${missing.length} of ${before.length} acknowledged executions are missing from the backup`);
            // Their steps came along too (each execution's Trigger step at least).
            const withSteps = Number((copy.prepare('SELECT COUNT(DISTINCT execution_sid) AS n FROM steps').get() as { n: number }).n);
            assert.ok(withSteps >= before.length, `${withSteps} executions with steps`);
          } finally {
            copy.close();
          }
          assert.equal(statSync(file).mode & 0o777, 0o600, 'owner-only: it holds the account tokens');
          assert.ok(!existsSync(`${file}-wal`) && !existsSync(`${file}-journal`), 'no companion files');
        } finally {
          stop = true;
          await Promise.all(writers);
        }
        // The server is unaffected.
        assert.equal((await fetch(`${base}/readyz`)).status, 200);
      }, 60_000);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('refuses an existing file unless --force, and usage errors exit 2', { timeout: 120_000 }, async () => {
    const root = mkdtempSync(join(tmpdir(), 'sb-backup-cli-'));
    const dir = join(root, 'data');
    const file = join(root, 'existing.db');
    try {
      // A data directory with a database (the CLI makes it, as a server would).
      const made = spawnSync(process.execPath, [MAIN, 'accounts', 'create', '--data-dir', dir], { cwd: SERVER_CWD, env: serverEnv(), encoding: 'utf8', timeout: 60_000 });
      assert.equal(made.status, 0, made.stderr);
      writeFileSync(file, 'keep me');

      const refused = await backupCli(['--to', file, '--data-dir', dir]);
      assert.equal(refused.code, 1);
      assert.equal(refused.stderr, `switchboard backup: ${file} exists: choose another file, or --force to replace it\n`);
      assert.equal(readFileSync(file, 'utf8'), 'keep me');

      const forced = await backupCli(['--to', file, '--data-dir', dir, '--force']);
      assert.equal(forced.code, 0, forced.stderr);
      const copy = new DatabaseSync(file, { readOnly: true });
      try {
        assert.equal(Number((copy.prepare('SELECT COUNT(*) AS n FROM accounts').get() as { n: number }).n), 1);
      } finally {
        copy.close();
      }

      const noTarget = await backupCli(['--data-dir', dir]);
      assert.equal(noTarget.code, 2);
      assert.match(noTarget.stderr, /--to FILE is required/);
      const postgres = await backupCli(['--to', join(root, 'pg.db'), '--database-url', 'postgres://postgres@127.0.0.1:1/x']);
      assert.equal(postgres.code, 2);
      assert.match(postgres.stderr, /uses PostgreSQL .*pg_dump/);
      const stray = await backupCli(['--to', join(root, 'x.db'), 'extra']);
      assert.equal(stray.code, 2, stray.stderr);

      const noDatabase = await backupCli(['--to', join(root, 'none.db'), '--data-dir', join(root, 'empty')]);
      assert.equal(noDatabase.code, 1);
      assert.match(noDatabase.stderr, /no database at .*empty\/switchboard\.db/);
      assert.ok(!existsSync(join(root, 'none.db')));

      const itself = await backupCli(['--to', join(dir, 'switchboard.db'), '--data-dir', dir, '--force']);
      assert.equal(itself.code, 1);
      assert.match(itself.stderr, /is the database being backed up/);

      const help = await backupCli(['--help']);
      assert.equal(help.code, 0);
      assert.match(help.stdout, /^Usage: switchboard backup --to FILE \[--data-dir DIR\] \[--force\]/);
      assert.match(help.stdout, /Never copy the data directory's files \(or its volume\) while a server runs/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
