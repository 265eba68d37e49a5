// What `switchboard serve` prints first: a URL that reaches it (the bound port, also with --port 0)
// and where its data lives — the data directory on SQLite, the database (user, host and name: no
// password) and schema on PostgreSQL, where the data directory holds no data.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DATABASE_URL, SKIP_REASON, dropSchema, testSchemaName } from '../store/postgres-support.ts';
import { withServe } from '../support/serve-process.ts';

/** Starts serve, returns its first line once the account lines follow (checking its URL answers), then stops it. */
function banner(env: Record<string, string>): Promise<string> {
  return withServe(['--port', '0', '--log-level', 'warn'], env, (out) => /Auth token:/.test(out), async ({ out }) => {
    const first = out.split('\n').find((line) => line.startsWith('Switchboard listening on'));
    assert.ok(first, out);
    const url = /listening on (http:\/\/\S+)/.exec(first)![1]!;
    const health = await fetch(`${url}/healthz`);
    assert.equal(health.status, 200, `the printed URL ${url} answers`);
    return first;
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
