// Commands other than serve never migrate a store (a server of the older version may be running on
// it: migration 8 moved the send ledger away from under such a server, and a message went out twice).
// On a store an older Switchboard made, accounts, keys, carrier and simulate/call of a FlowSid print
// one line saying to upgrade with serve and exit 1, leaving the schema as it was. A new store is still
// created, and a flow file still runs on its own in-memory store.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { accountsCommand, keysCommand } from '../../src/cli/accounts.ts';
import { carrierCommand } from '../../src/cli/carrier.ts';
import { openFlowTarget } from '../../src/cli/flow-file.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { runCliInProcess } from '../support/cli-in-process.ts';
import { OLD_ACCOUNT, PREVIOUS_POSTGRES, PREVIOUS_SQLITE, postgresVersion, previousVersionPostgres, previousVersionSqlite, sqliteUserVersion } from '../support/older-schema.ts';
import { DATABASE_URL, SKIP_REASON, dropSchema, testSchemaName } from '../store/postgres-support.ts';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'switchboard-older-schema-cli-'));
after(() => rmSync(root, { recursive: true, force: true }));
const FLOW = 'FW' + 'b'.repeat(32);

/** The one line a refused store gets. */
function assertRefused(run: { code: number; stderr: string }, where: RegExp): void {
  assert.equal(run.code, 1, run.stderr);
  const lines = run.stderr.trim().split('\n');
  assert.equal(lines.length, 1, run.stderr);
  assert.match(lines[0]!, where);
  assert.match(lines[0]!, /older than this Switchboard's .*only serve upgrades it.*switchboard serve/);
}

describe('CLI commands on a SQLite store an older Switchboard made', () => {
  const dir = join(root, 'old');
  const db = join(dir, 'switchboard.db');
  previousVersionSqlite(db);
  const flags = { 'data-dir': dir };

  it('accounts, keys and carrier refuse it, leaving its schema as it was', async () => {
    const commands: [string, (args: string[]) => Promise<number>][] = [
      ['accounts list', () => accountsCommand('list', flags)],
      ['accounts create', () => accountsCommand('create', flags)],
      ['keys list', () => keysCommand('list', flags)],
      ['carrier show', () => carrierCommand(['show', '--account', OLD_ACCOUNT, '--data-dir', dir])],
    ];
    for (const [name, command] of commands) {
      const run = await runCliInProcess(command, [], root);
      assertRefused(run, new RegExp(`the database ${db.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} has schema version ${PREVIOUS_SQLITE}`));
      assert.equal(run.stdout, '', name);
      assert.equal(sqliteUserVersion(db), PREVIOUS_SQLITE, `${name} left the schema as it was`);
    }
  });

  it('simulate/call of a FlowSid refuses it too (their guest store is the server\'s)', async () => {
    const run = await runCliInProcess(async () => ((await openFlowTarget(FLOW, flags)) === null ? 1 : 0), [], root);
    assertRefused(run, /has schema version/);
    assert.equal(sqliteUserVersion(db), PREVIOUS_SQLITE);
  });

  it('through the binary: one line, exit 1', () => {
    const result = spawnSync(process.execPath, [MAIN, 'accounts', 'list', '--data-dir', dir], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '' }, timeout: 60_000 });
    assertRefused({ code: result.status ?? -1, stderr: result.stderr }, /has schema version/);
    assert.equal(sqliteUserVersion(db), PREVIOUS_SQLITE);
  });

  it('a new data directory is still created; a flow file still runs in memory', async () => {
    const fresh = join(root, 'fresh');
    const created = await runCliInProcess(() => accountsCommand('create', { 'data-dir': fresh }), [], root);
    assert.equal(created.code, 0, created.stderr);
    const store = new SqliteStore({ path: join(fresh, 'switchboard.db'), schemaUpgrade: 'refuse' });
    try {
      assert.equal((await store.listAccounts()).length, 1);
    } finally {
      await store.close();
    }
    const file = join(root, 'flow.json');
    writeFileSync(file, JSON.stringify({ description: 'x', initial_state: 'Trigger', flags: { allow_concurrent_calls: true }, states: [{ name: 'Trigger', type: 'trigger', transitions: [], properties: {} }] }));
    const opened = await openFlowTarget(file, flags);
    assert.ok(opened, 'a flow file opens');
    await opened.app.close();
    assert.equal(sqliteUserVersion(db), PREVIOUS_SQLITE, 'the data directory was not touched');
  });
});

describe('CLI commands on a PostgreSQL schema an older Switchboard made', { skip: SKIP_REASON }, () => {
  it('accounts list and simulate of a FlowSid refuse it, leaving its schema as it was', async (t) => {
    const schema = testSchemaName();
    t.after(() => dropSchema(schema));
    await previousVersionPostgres(DATABASE_URL!, schema);
    const flags = { 'database-url': DATABASE_URL!, 'database-schema': schema };
    const listed = await runCliInProcess(() => accountsCommand('list', flags), [], root);
    assertRefused(listed, new RegExp(`PostgreSQL at .* \\(schema ${schema}\\) has schema version ${PREVIOUS_POSTGRES}`));
    const simulated = await runCliInProcess(async () => ((await openFlowTarget(FLOW, flags)) === null ? 1 : 0), [], root);
    assertRefused(simulated, /has schema version/);
    assert.equal(await postgresVersion(DATABASE_URL!, schema), PREVIOUS_POSTGRES);
  });
});
