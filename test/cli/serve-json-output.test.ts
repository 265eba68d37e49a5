// `switchboard serve --log-format json` (the container's SWITCHBOARD_LOG_FORMAT=json): stdout mixed JSON
// log lines with plain text ("Switchboard listening on …", "Dev account: AC…", "Auth token: …",
// "SIGTERM: shutting down", "stopped"), which a log shipper reading JSON lines cannot parse. Now every
// stdout line is a JSON record, and the dev account's auth token is in none of them (nor anywhere in the
// output when stdout is not a terminal). The pretty/default output `npm start` prints is unchanged.
// And a --twilio-cli-gateway-port equal to --port is refused before anything is printed, instead of
// printing the credentials and only then failing with "already in use".
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { withServe, type ServeOutput } from '../support/serve-process.ts';
import { MAIN, SERVER_CWD, serverEnv } from '../support/server-env.ts';
import { resolveSwitchboardConfig } from '../../src/config.ts';

/** Runs serve until its banner is out, stops it (SIGTERM), and returns everything it printed, to the end. */
async function serveToTheEnd(args: string[], dir: string): Promise<ServeOutput> {
  let printed: ServeOutput = { out: '', err: '' };
  await withServe(['--port', '0', '--log-level', 'warn', ...args], { SWITCHBOARD_DATA_DIR: dir, TWILIO_ACCOUNT_SID: '', TWILIO_AUTH_TOKEN: '' }, (out) => /Point twilio-node at it/.test(out), (output) => {
    printed = output; // still filled while serve stops
  }, 60_000);
  return printed;
}

function devToken(dir: string): string {
  const db = new DatabaseSync(join(dir, 'switchboard.db'), { readOnly: true });
  try {
    const row = db.prepare("SELECT auth_token FROM accounts WHERE sid = (SELECT value FROM settings WHERE key = 'dev_account_sid')").get() as { auth_token: string } | undefined;
    assert.ok(row, 'the dev account exists');
    return row.auth_token;
  } finally {
    db.close();
  }
}

describe('switchboard serve: what it prints', () => {
  it('--log-format json: every stdout line is a JSON record, start to stop, and the dev auth token is in none', { timeout: 120_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-json-out-'));
    try {
      const { out, err } = await serveToTheEnd(['--log-format', 'json', '--twilio-cli-gateway-port', '0'], dir);
      const lines = out.split('\n').filter((line) => line !== '');
      const records = lines.map((line) => {
        try {
          return JSON.parse(line) as { level: number; msg: string; [key: string]: unknown };
        } catch {
          return assert.fail(`a stdout line that is not JSON: ${line}`);
        }
      });
      const messages = records.map((record) => record.msg);
      const listening = records.find((record) => /^Switchboard listening on http:\/\/127\.0\.0\.1:\d+ \(data: .*, store: sqlite\)$/.test(record.msg));
      assert.ok(listening, messages.join('\n'));
      assert.match(String(listening.url), /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.equal(listening.dataDir, dir);
      assert.ok(messages.some((msg) => /^Dev account: AC[0-9a-f]{32}$/.test(msg)), messages.join('\n'));
      assert.ok(messages.some((msg) => /^Auth token: not written to JSON logs; 'switchboard accounts rotate-token AC[0-9a-f]{32}' prints a new one/.test(msg)), messages.join('\n'));
      assert.ok(messages.some((msg) => /^Point twilio-node at it: /.test(msg)));
      // The twilio-cli line without the token, and what to do instead.
      assert.ok(messages.some((msg) => /^twilio-cli: export HTTP_PROXY=\S+ NO_PROXY=\S+ NODE_EXTRA_CA_CERTS=\S+ TWILIO_ACCOUNT_SID=AC[0-9a-f]{32}$/.test(msg)), messages.join('\n'));
      assert.ok(messages.some((msg) => /^twilio-cli also needs TWILIO_AUTH_TOKEN, the dev account's auth token: not written to JSON logs/.test(msg)), messages.join('\n'));
      assert.ok(messages.includes('SIGTERM: shutting down'), messages.join('\n'));
      assert.equal(messages.at(-1), 'stopped');
      // Printed at info although --log-level is warn, as the plain lines are.
      for (const msg of ['SIGTERM: shutting down', 'stopped']) assert.equal(records.find((record) => record.msg === msg)!.level, 30);
      const token = devToken(dir);
      assert.ok(!out.includes(token) && !err.includes(token), 'the dev auth token is not printed');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('pretty (what npm start shows in a terminal) and auto off a terminal: the plain lines, dev auth token included', { timeout: 120_000 }, async () => {
    for (const format of ['pretty', 'auto']) {
      const dir = mkdtempSync(join(tmpdir(), 'sb-plain-out-'));
      try {
        const { out } = await serveToTheEnd(['--log-format', format], dir);
        const token = devToken(dir);
        assert.match(out, /^Switchboard listening on http:\/\/127\.0\.0\.1:\d+ \(data: .*, store: sqlite\)$/m, format);
        assert.match(out, /^Dev account: AC[0-9a-f]{32}$/m, format);
        assert.ok(out.split('\n').includes(`Auth token: ${token}`), `${format}: ${out}`);
        assert.match(out, /^SIGTERM: shutting down$/m, format);
        assert.match(out, /^stopped$/m, format);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  });

  it('--twilio-cli-gateway-port equal to --port: refused before anything is printed (exit 2, one line)', { timeout: 60_000 }, async () => {
    const resolve = (flags: Record<string, string>) => resolveSwitchboardConfig(flags, {}, { cwd: tmpdir() });
    assert.throws(() => resolve({ port: '4000', 'twilio-cli-gateway-port': '4000' }), /--twilio-cli-gateway-port \(4000\) is the port of the server itself \(--port\)/);
    assert.doesNotThrow(() => resolve({ port: '0', 'twilio-cli-gateway-port': '0' }), 'two free ports, picked apart');
    assert.doesNotThrow(() => resolve({ port: '4000', 'twilio-cli-gateway-port': '4001' }));
    assert.doesNotThrow(() => resolve({ port: '4000' }));

    const dir = mkdtempSync(join(tmpdir(), 'sb-gateway-port-'));
    // A port nothing listens on (the check must not depend on the bind failing).
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    try {
      const result = spawnSync(process.execPath, [MAIN, 'serve', '--port', String(port), '--twilio-cli-gateway-port', String(port), '--data-dir', dir], { cwd: SERVER_CWD, env: serverEnv(), encoding: 'utf8', timeout: 60_000 });
      assert.equal(result.status, 2, result.stdout + result.stderr);
      assert.equal(result.stderr, `switchboard: invalid configuration:\n  --twilio-cli-gateway-port (${port}) is the port of the server itself (--port): give the twilio-cli gateway a port of its own\n`);
      assert.equal(result.stdout, '', 'no banner, no credentials');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a twilio-cli gateway port that is taken: the server stops before it prints the banner and the credentials', { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-gateway-busy-'));
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const port = (busy.address() as AddressInfo).port;
    try {
      const result = spawnSync(process.execPath, [MAIN, 'serve', '--port', '0', '--twilio-cli-gateway-port', String(port), '--data-dir', dir, '--log-level', 'silent'], { cwd: SERVER_CWD, env: serverEnv(), encoding: 'utf8', timeout: 60_000 });
      assert.equal(result.status, 1, result.stdout + result.stderr);
      assert.match(result.stderr, /cannot start the twilio-cli gateway: .*already in use/);
      assert.doesNotMatch(result.stdout, /listening on|Auth token|Dev account/);
    } finally {
      await new Promise((resolve) => busy.close(resolve));
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
