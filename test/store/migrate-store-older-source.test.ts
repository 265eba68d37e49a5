// `migrate-store` never writes its source. A SQLite file an older Switchboard made is read through an
// upgraded snapshot in a private temporary folder (removed afterwards): the file stays byte for byte
// what it was, so the older version still opens it (README: keep it as a backup). Any other store of
// an older schema (a PostgreSQL source, a target) is refused in one line, not migrated.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { hash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrateStoreCommand } from '../../src/cli/migrate-store.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { SQLITE_MIGRATIONS } from '../../src/store/sqlite/migrations.ts';
import { PostgresStore } from '../../src/store/postgres/postgres-store.ts';
import { runCliInProcess } from '../support/cli-in-process.ts';
import { OLD_ACCOUNT, PREVIOUS_POSTGRES, PREVIOUS_SQLITE, postgresVersion, previousVersionPostgres, previousVersionSqlite, sqliteUserVersion } from '../support/older-schema.ts';
import { DATABASE_URL, SKIP_REASON, dropSchema, testSchemaName } from './postgres-support.ts';

const root = mkdtempSync(join(tmpdir(), 'switchboard-migrate-older-'));
after(() => rmSync(root, { recursive: true, force: true }));
let counter = 0;

const checksum = (path: string) => hash('sha256', readFileSync(path), 'hex');

/** migrate-store in this process, its temporary files under a folder of the test's own. */
async function migrateStore(from: string, to: string, scratch: string, extra: Record<string, string> = {}) {
  return runCliInProcess(
    () => {
      process.env.TMPDIR = scratch;
      return migrateStoreCommand({ from, to, ...extra });
    },
    [],
    root,
  );
}

function olderSource(): { dir: string; db: string; scratch: string } {
  const dir = join(root, `case-${++counter}`);
  const db = join(dir, 'data', 'switchboard.db');
  previousVersionSqlite(db);
  const scratch = join(dir, 'tmp');
  mkdirSync(scratch);
  return { dir, db, scratch };
}

describe('migrate-store from a SQLite file an older Switchboard made', () => {
  it('copies it through an upgraded snapshot; the file stays byte for byte as it was', async () => {
    const { dir, db, scratch } = olderSource();
    const before = checksum(db);
    const target = join(dir, 'copy.db');
    const run = await migrateStore(`sqlite:${join(dir, 'data')}`, `sqlite:${target}`, scratch);
    assert.equal(run.code, 0, run.stderr + run.stdout);
    assert.match(run.stdout, new RegExp(`schema version ${PREVIOUS_SQLITE}, older .*upgraded snapshot .*left as it was`));
    assert.equal(checksum(db), before, 'the source file was not written');
    assert.equal(sqliteUserVersion(db), PREVIOUS_SQLITE);
    assert.deepEqual(readdirSync(scratch), [], 'the snapshot is gone');
    assert.equal(sqliteUserVersion(target), SQLITE_MIGRATIONS.length);
    const copy = new SqliteStore({ path: target });
    try {
      assert.equal((await copy.getAccount(OLD_ACCOUNT))?.friendlyName, 'Old');
      assert.equal(await copy.getSetting('old-setting'), 'kept');
    } finally {
      await copy.close();
    }
  });

  it('to PostgreSQL too', { skip: SKIP_REASON }, async (t) => {
    const { db, scratch, dir } = olderSource();
    const schema = testSchemaName();
    t.after(() => dropSchema(schema));
    const before = checksum(db);
    const run = await migrateStore(`sqlite:${join(dir, 'data')}`, DATABASE_URL!, scratch, { 'database-schema': schema });
    assert.equal(run.code, 0, run.stderr + run.stdout);
    assert.equal(checksum(db), before);
    assert.deepEqual(readdirSync(scratch), []);
    const target = new PostgresStore({ connectionString: DATABASE_URL!, schema });
    try {
      assert.equal((await target.getAccount(OLD_ACCOUNT))?.friendlyName, 'Old');
    } finally {
      await target.close();
    }
  });

  it('a SQLite target an older version made is refused in one line, not migrated', async () => {
    const { dir, scratch } = olderSource();
    const source = new SqliteStore({ path: join(dir, 'current.db') });
    await source.setSetting('x', 'y');
    await source.close();
    const older = join(dir, 'older-target.db');
    previousVersionSqlite(older);
    const before = checksum(older);
    const run = await migrateStore(`sqlite:${join(dir, 'current.db')}`, `sqlite:${older}`, scratch);
    assert.equal(run.code, 1, run.stderr + run.stdout);
    assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
    assert.match(run.stderr, /^switchboard migrate-store: the database .*older-target\.db has schema version \d+, older than this Switchboard's/);
    assert.equal(checksum(older), before);
  });
});

describe('migrate-store from a PostgreSQL schema an older Switchboard made', { skip: SKIP_REASON }, () => {
  it('is refused in one line, the schema left as it was', async (t) => {
    const schema = testSchemaName();
    t.after(() => dropSchema(schema));
    await previousVersionPostgres(DATABASE_URL!, schema);
    const dir = join(root, `case-${++counter}`);
    mkdirSync(dir);
    const run = await migrateStore(DATABASE_URL!, `sqlite:${join(dir, 'copy.db')}`, dir, { 'database-schema': schema });
    assert.equal(run.code, 1, run.stderr + run.stdout);
    assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
    assert.match(run.stderr, new RegExp(`^switchboard migrate-store: PostgreSQL at .*\\(schema ${schema}\\) has schema version ${PREVIOUS_POSTGRES}, older`));
    assert.equal(await postgresVersion(DATABASE_URL!, schema), PREVIOUS_POSTGRES);
    assert.deepEqual(readdirSync(dir), [], 'the new SQLite target is taken away again');
  });
});
