// What `switchboard serve` prints first: a URL that reaches it (the bound port, also with --port 0)
// and where its data lives — the data directory on SQLite, the database (user, host and name: no
// password) and schema on PostgreSQL, where the data directory holds no data. The twilio-node hint
// names an address a client can use: 127.0.0.1 for a wildcard --host, or the public base URL.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DATABASE_URL, SKIP_REASON, dropSchema, testSchemaName } from '../store/postgres-support.ts';
import { withServe } from '../support/serve-process.ts';
import { clientBaseUrl } from '../../src/cli/serve.ts';

/** Starts serve, returns its first line once the account lines and the hint follow (checking its URL answers), then stops it. */
function banner(env: Record<string, string>, args: string[] = []): Promise<string> {
  return bannerOutput(env, args).then((out) => out.split('\n').find((line) => line.startsWith('Switchboard listening on'))!);
}

/** Everything serve printed up to its twilio-node hint (after the account lines), once its first line's URL has answered. */
function bannerOutput(env: Record<string, string>, args: string[] = []): Promise<string> {
  return withServe(['--port', '0', '--log-level', 'warn', ...args], env, (out) => /^Point twilio-node at it: .*\n/m.test(out), async ({ out }) => {
    const first = out.split('\n').find((line) => line.startsWith('Switchboard listening on'));
    assert.ok(first, out);
    const url = /listening on (http:\/\/\S+)/.exec(first)![1]!;
    const health = await fetch(`${url}/healthz`);
    assert.equal(health.status, 200, `the printed URL ${url} answers`);
    return out;
  });
}

describe('switchboard serve: first line', () => {
  it('SQLite: the bound port (not 0) and the data directory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-banner-'));
    try {
      const line = await banner({ SWITCHBOARD_DATA_DIR: dir });
      assert.match(line, /^Switchboard listening on http:\/\/127\.0\.0\.1:(?!0\b)\d+ /);
      assert.ok(line.endsWith(`(data: ${dir}, store: sqlite)`), line);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('with a public base URL: still the bound address and port, and the public base URL on a line of its own', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-banner-'));
    try {
      const out = await bannerOutput({ SWITCHBOARD_DATA_DIR: dir }, ['--public-base-url', 'https://switchboard.example.com']);
      assert.match(out, /^Switchboard listening on http:\/\/127\.0\.0\.1:(?!0\b)\d+ \(data: /m);
      assert.match(out, /^Public base URL: https:\/\/switchboard\.example\.com$/m);
      assert.match(out, /^Point twilio-node at it: client\.studio\.baseUrl = 'https:\/\/switchboard\.example\.com'$/m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('--host 0.0.0.0 (the three-node example): the twilio-node hint names 127.0.0.1, which a client can use', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-banner-'));
    try {
      const out = await bannerOutput({ SWITCHBOARD_DATA_DIR: dir }, ['--host', '0.0.0.0']);
      const port = /^Switchboard listening on http:\/\/0\.0\.0\.0:(\d+) /m.exec(out)?.[1];
      assert.ok(port, out);
      assert.match(out, new RegExp(`^Point twilio-node at it: client\\.studio\\.baseUrl = 'http://127\\.0\\.0\\.1:${port}'$`, 'm'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the client base URL: 127.0.0.1 for any wildcard host, the host as bound otherwise, the public base URL over both', () => {
    for (const host of ['0.0.0.0', '::', '[::]', '::0', '0:0:0:0:0:0:0:0']) assert.equal(clientBaseUrl({ host, publicBaseUrl: undefined }, 41741), 'http://127.0.0.1:41741', host);
    assert.equal(clientBaseUrl({ host: '10.0.0.5', publicBaseUrl: undefined }, 41741), 'http://10.0.0.5:41741');
    assert.equal(clientBaseUrl({ host: '::1', publicBaseUrl: undefined }, 41741), 'http://[::1]:41741');
    assert.equal(clientBaseUrl({ host: '0.0.0.0', publicBaseUrl: 'https://sb.example.com' }, 41741), 'https://sb.example.com');
  });

  it('PostgreSQL: the database without its password, and the schema', { skip: SKIP_REASON }, async () => {
    const schema = testSchemaName();
    const url = new URL(DATABASE_URL!);
    url.password = 'hunter2-secret';
    const dir = mkdtempSync(join(tmpdir(), 'sb-banner-'));
    try {
      // PostgreSQL here trusts local connections, so a password in the URL is accepted and unused.
      const line = await banner({ DATABASE_URL: url.toString(), SWITCHBOARD_DATABASE_SCHEMA: schema, SWITCHBOARD_DATA_DIR: dir });
      assert.doesNotMatch(line, /hunter2/);
      assert.doesNotMatch(line, /data: /);
      const expected = `postgres://${url.username ? `${url.username}@` : ''}${url.host}${url.pathname}`;
      assert.ok(line.endsWith(`(database: ${expected}, schema: ${schema}, store: postgres)`), line);
    } finally {
      await dropSchema(schema);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
