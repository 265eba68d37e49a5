// The embedded store: node:sqlite in WAL mode, every committed transaction fsync'd before its
// promise resolves (synchronous=FULL; big group commits fsync off the event loop, wal-sync.ts).
// node:sqlite is synchronous, so each method runs its whole transaction in one tick and no other
// request can interleave.
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { dirname } from 'node:path';
import { makePrivateDatabaseFile, makePrivateDir } from './private-files.ts';
import {
  AccountGoneError,
  accountSettingKey,
  StoreConflictError,
  type Account,
  type AccountDeletion,
  type ChannelRecordWrite,
  type NewAccount,
  type AlertFilter,
  type AlertRecord,
  type InboundReceipt,
  type ApiKey,
  type ChannelRecord,
  type Lease,
  type VersionedExecution,
  type CallsScan,
  type ExecutionAge,
  type ExecutionFilter,
  type ExecutionRecord,
  type ExecutionStamp,
  type ExecutionStanding,
  type FlowListItem,
  type FlowRecord,
  type PageRequest,
  type PageResult,
  type PendingEffect,
  type PruneCutoffs,
  type RevisionListItem,
  type RevisionRecord,
  type RevisionSelector,
  type SprintWrite,
  versionToCheck,
  type StepRecord,
  type Store,
  type TimerRecord,
} from '../../runtime/ports/store.ts';
import { SQLITE_MIGRATIONS } from './migrations.ts';
import { SchemaUpgradeNeededError, type SchemaUpgrade } from '../schema-upgrade.ts';
import { ACCOUNT_EXISTS, ACCOUNT_INDEXED_TABLES, ACCOUNT_ROWS, ALERTS_DUE, CHANNEL_RECORDS_DUE, GONE_ACCOUNTS_OF_SETTINGS, RECEIPTS_DUE, RECEIPTS_OF_ACCOUNT, RECEIPTS_OF_ACCOUNT_AFTER, channelRecordUnlessDeletedSql, receiptsInsertSql, goneAccountsSql } from '../sql-statements.ts';
import { ACTIVE_BY_CALL, ACTIVE_CALL_SIDS_OF_PAIR, EXECUTION_STAMP, onCallsAmongSql, withAgentsSql, ACTIVE_FOR_PAIR, ACTIVE_OF_PAIR, ACTIVE_SIDS_OF_PAIR, ENDED_BEFORE, INSERT_ACCOUNT, INSERT_ALERT, INSERT_API_KEY, INSERT_EFFECT, INSERT_EXECUTION, INSERT_FLOW, INSERT_REVISION, OLDEST_ACTIVE, STEP_COLUMNS, STEP_PLACEHOLDERS, UPDATE_FLOW_HEAD, accountInsertParams, alertFilterSql, alertInsertParams, apiKeyInsertParams, callSidOf, effectInsertParams, executionFilterSql, executionInsertParams, expiredExecutionsSql, flowHeadUpdateParams, flowInsertParams, revisionInsertParams, revisionSql, rotateCallbackSecretSql, soleCallConflict, stepParams } from '../sql-statements.ts';
import { byDueThenId, json, nullableNumber, toAccount, toAlert, toApiKey, toEffect, toExecution, toExecutionAge, toExecutionStamp, toExecutionStanding, FLOW_LIST_COLUMNS, REVISION_LIST_COLUMNS, toFlow, toFlowListItem, toRevision, toRevisionListItem, toSetting, toChannelRecord, toInboundReceipt, prefixEnd, toStep, toTimer, type Row } from '../sql-rows.ts';
import { planPage, runPlan, type KeysetList } from '../sql-paging.ts';
import { KeyedMutex } from '../../runtime/keyed-mutex.ts';
import { GroupCommit, type SprintResult } from '../group-commit.ts';
import { flowGone, revisionTaken } from '../flow-conflicts.ts';
import { Checkpointer, RESTART_HANDOFF_MS, type CheckpointerOptions } from './checkpointer.ts';
import { SqliteWriter } from './writer.ts';
import { WalSync, type Fsync } from './wal-sync.ts';
import { DiskHealth, sqliteDiskErrorCode } from './disk-errors.ts';
import { BusyRetry, isSqliteBusy } from './busy.ts';
import { testUsersAsContacts } from '../../lib/phone-format.ts';

export type SqliteWriterMode = 'inline' | 'thread';

/** What the WAL file is truncated back to once a checkpoint has copied it all back (PRAGMA journal_size_limit). */
export const WAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024;

/**
 * The WAL exists once the file is open in WAL mode. Should it not (a filesystem without the shared memory
 * WAL needs, where SQLite keeps its rollback journal), every group commit simply fsyncs inline.
 */
function openWalSync(walPath: string, fsync: Fsync | undefined): WalSync | null {
  try {
    return new WalSync(walPath, fsync);
  } catch {
    return null;
  }
}

/**
 * The console's standings (ExecutionStanding) of the executions named in a JSON array (parameters: the array,
 * account, flow), each looked up by its SID: CROSS JOIN keeps that order, where the planner would read every
 * execution of the flow off executions_by_contact and filter them. SQLite reads the few fields out of each
 * state, which never comes over whole. Each state is parsed once, into JSONB, which the lookups then read
 * without parsing again (twenty times faster than on its text, measured with 0.5 MB states). A frame's fields
 * are read by its path (fullkey), so a frame that is not an object has none rather than failing.
 */
const EXECUTION_STANDINGS = `SELECT sid, status, json(state -> '$.endReason') AS end_reason,
    CASE WHEN json_type(state, '$.frames') = 'array' THEN (
      SELECT json_group_array(json_object('current', json_extract(state, fullkey || '.current'), 'parentWidget', json_extract(state, fullkey || '.parentWidget')) ORDER BY key)
      FROM json_each(state, '$.frames')
    ) END AS frames
  FROM (
    SELECT sid, status, jsonb(state) AS state
    FROM json_each(?) AS wanted CROSS JOIN executions ON executions.sid = wanted.value
    WHERE account_sid = ? AND flow_sid = ?
  )`;

const UPSERT_SETTING = 'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value';

/** Which execution row a sprint updates: this one, at the version the sprint was built on (if given). */
const UPDATE_WHERE = 'WHERE sid = ? AND account_sid = ? AND flow_sid = ? AND (? IS NULL OR version = ?)';

/** The rows an execution takes with it when it is deleted (deleteExecution, pruneHistory); its alerts stay. */
const PER_EXECUTION_TABLES = ['steps', 'timers', 'pending_effects', 'channel_records'] as const;

/** Sprints in a group commit from which its fsync runs off the event loop (#commitInline). */
const FSYNC_OFF_LOOP_FROM = 16;

export interface SqliteStoreOptions {
  /** File path, or ':memory:' for tests. */
  path: string;
  /**
   * Where writes run. 'inline' (the default): on this thread, in group commits. 'thread': a writer
   * thread owns the write connection, so fsyncs and commits never block this one: more throughput
   * under heavy write load (and timer bursts), a little more latency at moderate load and ~50 MB
   * more memory (README Benchmarks). ':memory:' is always inline (a second connection cannot share it).
   */
  writer?: SqliteWriterMode;
  /**
   * Who copies the WAL back into the database file. 'background' (the default for a file): a
   * checkpointer thread, so no commit pays for it. 'none': this connection never checkpoints (the
   * writer thread's own connection; its store checkpoints). ':memory:' has no WAL.
   */
  checkpoints?: 'background' | 'none';
  /** How often the checkpointer runs and the WAL length it restarts at (tests shorten both). */
  checkpointTuning?: Pick<CheckpointerOptions, 'everyMs' | 'restartAtPages'>;
  /** How the WAL is fsync'd after a big inline group commit (tests hold it; default node:fs fdatasync). */
  fsync?: Fsync;
  /**
   * 'direct': the caller commits with commitSprints itself and never calls writeSprint (the writer
   * thread's own connection), so no group commit or WAL descriptor is set up for it.
   */
  commits?: 'grouped' | 'direct';
  /** An older schema: upgraded ('migrate', the default: serve) or refused ('refuse': other commands). See schema-upgrade.ts. */
  schemaUpgrade?: SchemaUpgrade;
}

export class SqliteStore implements Store {
  readonly kind = 'sqlite' as const;
  readonly db: DatabaseSync;
  #statements = new Map<string, StatementSync>();
  readonly #groupCommit: GroupCommit;
  readonly #exclusive = new KeyedMutex();
  readonly #writer: SqliteWriter | null;
  readonly #checkpointer: Checkpointer | null;
  readonly #walSync: WalSync | null;
  /** A file in WAL mode: commits may skip their fsync without risking the file's consistency. */
  readonly #wal: boolean;
  /** Whether writes on this connection are failing on the disk (full, read-only, I/O errors), or it met a damaged file: for /readyz. */
  readonly #disk = new DiskHealth();
  /** When the checkpointer, having copied the long WAL back, asked this connection to restart it (#restartWal). */
  #restartWantedAt: number | null = null;
  /** Writes while another connection holds the write lock: retried without blocking the thread (busy.ts). */
  readonly #busy: BusyRetry;

  constructor(options: SqliteStoreOptions) {
    if (options.path !== ':memory:') {
      // Account tokens and upstream secrets live in this file: owner-only (private-files.ts).
      makePrivateDir(dirname(options.path));
      makePrivateDatabaseFile(options.path);
    }
    this.db = new DatabaseSync(options.path);
    this.db.exec('PRAGMA journal_mode = WAL');
    this.db.exec('PRAGMA synchronous = FULL');
    this.db.exec('PRAGMA foreign_keys = ON');
    // Opening (and migrating) may wait for a while: nothing is served yet. Then BusyRetry shortens it.
    this.db.exec('PRAGMA busy_timeout = 5000');
    // A larger page cache than the 2 MB default (per connection: the reader and the writer thread
    // each have one), but no mmap: mapped pages would count in the RSS the benchmarks cap.
    this.db.exec('PRAGMA cache_size = -16384');
    this.db.exec('PRAGMA temp_store = MEMORY');
    // Without a limit the WAL file keeps the size of its longest run between checkpoints for good (one
    // 160 MB burst left a 162 MB -wal). With it, the connection that restarts the WAL after a checkpoint
    // (a writer's next commit) truncates the file back to this size.
    this.db.exec(`PRAGMA journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`);
    try {
      this.#migrate(options.path, options.schemaUpgrade ?? 'migrate');
    } catch (error) {
      this.db.close();
      throw error;
    }
    this.#busy = new BusyRetry((ms) => this.db.exec(`PRAGMA busy_timeout = ${ms}`));
    const file = options.path !== ':memory:';
    if (file) this.db.exec('PRAGMA wal_autocheckpoint = 0');
    this.#writer = file && options.writer === 'thread' ? new SqliteWriter(options.path) : null;
    // Committing inline, this thread restarts the WAL when the checkpointer asks (Checkpointer); with a
    // writer thread the checkpointer does it itself, and only that thread meets the wait.
    const restartHere = !this.#writer && options.commits !== 'direct';
    this.#checkpointer =
      file && (options.checkpoints ?? 'background') === 'background'
        ? new Checkpointer(options.path, { ...options.checkpointTuning, ...(restartHere ? { onRestartWanted: () => (this.#restartWantedAt = performance.now()) } : {}) })
        : null;
    this.#wal = file;
    // The writer thread may block on its fsyncs; this thread's group commits should not.
    this.#walSync = file && !this.#writer && options.commits !== 'direct' ? openWalSync(`${options.path}-wal`, options.fsync) : null;
    this.#groupCommit = this.#writer
      ? new GroupCommit((writes) => this.#writer!.commitSprints(writes))
      : new GroupCommit((writes) => this.#commitInline(writes), { maxInFlight: this.#walSync ? 1 : undefined });
  }

  #migrate(path: string, upgrade: SchemaUpgrade): void {
    const current = Number((this.db.prepare('PRAGMA user_version').get() as Row).user_version);
    if (current > SQLITE_MIGRATIONS.length) {
      throw new Error(`database schema version ${current} is newer than this Switchboard (${SQLITE_MIGRATIONS.length})`);
    }
    // Version 0 is a new, empty file: nobody else can be using it, so it is created whatever the mode.
    if (upgrade === 'refuse' && current > 0 && current < SQLITE_MIGRATIONS.length) {
      throw new SchemaUpgradeNeededError(`the database ${path}`, current, SQLITE_MIGRATIONS.length);
    }
    for (let version = current; version < SQLITE_MIGRATIONS.length; version++) {
      this.transaction(() => {
        this.db.exec(SQLITE_MIGRATIONS[version]!);
        this.db.exec(`PRAGMA user_version = ${version + 1}`);
      });
    }
  }

  /**
   * Runs fn in one IMMEDIATE transaction; rolls back on throw, and throws fn's (or COMMIT's) error.
   * SQLite has already rolled back after some failures (SQLITE_FULL, SQLITE_IOERR, a failed COMMIT):
   * a ROLLBACK then would throw "no transaction is active" and hide why.
   * `claim`: a claim round's commit, which on a full disk still lands (it rewrites a few rows in place,
   * or nothing when nothing is due): its success says nothing of room for a sprint, so it does not make
   * /readyz ready again (its failure still counts).
   */
  transaction<T>(fn: () => T, kind: 'write' | 'claim' = 'write'): T {
    this.db.exec('BEGIN IMMEDIATE');
    try {
      const result = fn();
      this.db.exec('COMMIT');
      if (kind === 'write') this.#disk.note(undefined);
      return result;
    } catch (error) {
      this.#disk.note(error);
      if (this.db.isTransaction) {
        try {
          this.db.exec('ROLLBACK');
        } catch {
          // The original error says more.
        }
      }
      throw error;
    }
  }

  /**
   * A transaction that need not survive a power cut, committed without an fsync: claims and their
   * renewals, which one serving process makes on its own file and which are void after a restart
   * anyway (releaseAbandonedClaims). The next fsync'd commit makes it durable with the rest.
   */
  #claim<T>(fn: () => T): Promise<T> {
    return this.#write(() => this.#withoutFsync(() => this.transaction(fn, 'claim')));
  }

  /**
   * A write on this connection: run now, or, should another connection hold the file's write lock,
   * retried without blocking the thread until it lands or gives up with SQLITE_BUSY (busy.ts). The
   * write must change nothing when it fails (one statement, or a transaction).
   */
  #write<T>(fn: () => T): Promise<T> {
    return this.#busy.run(fn);
  }

  /**
   * Runs fn's commits with synchronous=NORMAL (no fsync; the WAL stays consistent), then FULL again.
   * Only with a WAL: without one, NORMAL could leave the file inconsistent after a power cut, and FULL stands.
   */
  #withoutFsync<T>(fn: () => T): T {
    if (!this.#wal) return fn();
    this.db.exec('PRAGMA synchronous = NORMAL');
    try {
      return fn();
    } finally {
      this.db.exec('PRAGMA synchronous = FULL');
    }
  }

  stmt(sql: string): StatementSync {
    let statement = this.#statements.get(sql);
    if (!statement) {
      // Its failures are noted (disk-errors.ts): a damaged page is mostly met by a read, and /readyz must say so.
      try {
        statement = this.#disk.watch(this.db.prepare(sql));
      } catch (error) {
        this.#disk.noteFailure(error);
        throw error;
      }
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  async close(): Promise<void> {
    if (this.db.isOpen) await this.#groupCommit.flush();
    if (this.#writer) await this.#writer.close();
    if (this.#checkpointer) await this.#checkpointer.close();
    this.#statements.clear();
    if (this.db.isOpen) this.db.close();
    if (this.#walSync) await this.#walSync.close();
  }

  /** The file's schema version now (another process may have migrated it since this one opened it) and this build's. */
  async schemaStatus(): Promise<{ applied: number; expected: number }> {
    return { applied: Number((this.stmt('PRAGMA user_version').get() as Row).user_version), expected: SQLITE_MIGRATIONS.length };
  }

  async ping(): Promise<void> {
    this.stmt('SELECT 1').get();
    // Reads alone would still work: a store whose writer thread is gone is not ready.
    if (this.#writer?.failure) throw this.#writer.failure;
    // Nor one whose writes fail on the disk (full, read-only): every create would answer 503. Nor one whose
    // file a read or write found damaged (either connection): it stays so until an operator restores it.
    const failure = this.#disk.failure ?? this.#writer?.diskFailure;
    if (failure) throw new Error(failure);
  }

  /** The writer thread, when writes run on one (tests). */
  get writer(): SqliteWriter | null {
    return this.#writer;
  }

  // ---- settings, accounts, keys

  async getSetting(key: string): Promise<string | null> {
    const row = this.stmt('SELECT value FROM settings WHERE key = ?').get(key) as Row | undefined;
    return row ? String(row.value) : null;
  }

  async setSetting(key: string, value: string): Promise<void> {
    if (this.#writer) return this.#writer.call('setSetting', [key, value]);
    return this.#write(() => void this.stmt(UPSERT_SETTING).run(key, value));
  }

  async setAccountSetting(accountSid: string, name: string, value: string): Promise<void> {
    if (this.#writer) return this.#writer.call('setAccountSetting', [accountSid, name, value]);
    return this.#write(() =>
      this.transaction(() => {
        this.#requireAccount(accountSid);
        this.stmt(UPSERT_SETTING).run(accountSettingKey(accountSid, name), value);
      }),
    );
  }

  /** In a write's transaction: the account exists, or the write fails with AccountGoneError (and is rolled back). */
  #requireAccount(accountSid: string): void {
    if (!this.stmt(ACCOUNT_EXISTS).get(accountSid)) throw new AccountGoneError(accountSid);
  }

  // ---- channel records (the carrier's send ledger)

  async getChannelRecord(key: string): Promise<ChannelRecord | null> {
    const row = this.stmt('SELECT * FROM channel_records WHERE key = ?').get(key) as Row | undefined;
    return row ? toChannelRecord(row) : null;
  }

  async putChannelRecord(record: ChannelRecord, options: ChannelRecordWrite = {}): Promise<void> {
    if (this.#writer) return this.#writer.call('putChannelRecord', [record, options]);
    if (options.unlessDeleted) {
      return this.#write(() => void this.stmt(channelRecordUnlessDeletedSql({ orStillThere: true })).run(...channelRecordParams(record), record.executionSid, record.key));
    }
    return this.#write(
      () =>
        void this.stmt(
          `INSERT INTO channel_records (key, account_sid, execution_sid, value, updated_at) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT(key) DO UPDATE SET account_sid = excluded.account_sid, execution_sid = excluded.execution_sid, value = excluded.value, updated_at = excluded.updated_at`,
        ).run(record.key, record.accountSid, record.executionSid, record.value, record.updatedAt),
    );
  }

  async insertChannelRecord(record: ChannelRecord): Promise<boolean> {
    if (this.#writer) return this.#writer.call('insertChannelRecord', [record]);
    return this.#write(
      () =>
        Number(
          this.stmt('INSERT INTO channel_records (key, account_sid, execution_sid, value, updated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT(key) DO NOTHING')
            .run(record.key, record.accountSid, record.executionSid, record.value, record.updatedAt).changes,
        ) > 0,
    );
  }

  async deleteChannelRecord(key: string): Promise<boolean> {
    if (this.#writer) return this.#writer.call('deleteChannelRecord', [key]);
    return this.#write(() => Number(this.stmt('DELETE FROM channel_records WHERE key = ?').run(key).changes) > 0);
  }

  async listChannelRecords(prefix: string, limit: number, after?: string): Promise<ChannelRecord[]> {
    const from = after !== undefined && after >= prefix ? after : null;
    const rows = from === null
      ? this.stmt('SELECT * FROM channel_records WHERE key >= ? AND key < ? ORDER BY key LIMIT ?').all(prefix, prefixEnd(prefix), limit)
      : this.stmt('SELECT * FROM channel_records WHERE key > ? AND key < ? ORDER BY key LIMIT ?').all(from, prefixEnd(prefix), limit);
    return (rows as Row[]).map(toChannelRecord);
  }

  async createAccount(account: NewAccount): Promise<void> {
    if (this.#writer) return this.#writer.call('createAccount', [account]);
    return this.#write(() => void this.stmt(INSERT_ACCOUNT).run(...accountInsertParams(account)));
  }

  async getAccount(sid: string): Promise<Account | null> {
    const row = this.stmt('SELECT * FROM accounts WHERE sid = ?').get(sid) as Row | undefined;
    return row ? toAccount(row) : null;
  }

  async updateAccountToken(sid: string, authToken: string): Promise<void> {
    if (this.#writer) return this.#writer.call('updateAccountToken', [sid, authToken]);
    return this.#write(() => void this.stmt('UPDATE accounts SET auth_token = ? WHERE sid = ?').run(authToken, sid));
  }

  async rotateCallbackSecret(sid: string, callbackSecret: string, graceUntil: number | null): Promise<boolean> {
    if (this.#writer) return this.#writer.call('rotateCallbackSecret', [sid, callbackSecret, graceUntil]);
    const { sql, params } = rotateCallbackSecretSql(sid, callbackSecret, graceUntil);
    return this.#write(() => Number(this.stmt(sql).run(...params).changes) > 0);
  }

  async listAccounts(): Promise<Account[]> {
    return (this.stmt('SELECT * FROM accounts ORDER BY date_created, sid').all() as Row[]).map(toAccount);
  }

  async createApiKey(key: ApiKey): Promise<void> {
    if (this.#writer) return this.#writer.call('createApiKey', [key]);
    return this.#write(() => void this.stmt(INSERT_API_KEY).run(...apiKeyInsertParams(key)));
  }

  async getApiKey(sid: string): Promise<ApiKey | null> {
    const row = this.stmt('SELECT * FROM api_keys WHERE sid = ?').get(sid) as Row | undefined;
    return row ? toApiKey(row) : null;
  }

  async deleteApiKey(sid: string): Promise<boolean> {
    if (this.#writer) return this.#writer.call('deleteApiKey', [sid]);
    return this.#write(() => Number(this.stmt('DELETE FROM api_keys WHERE sid = ?').run(sid).changes) > 0);
  }

  async deleteAccount(sid: string): Promise<AccountDeletion | null> {
    if (this.#writer) return this.#writer.call('deleteAccount', [sid]);
    return this.#write(() =>
      this.transaction(() => {
        // Every row naming the account, whether or not the account row is still there (a request that
        // raced an earlier deletion may have left some). Executions explicitly, as in deleteFlow
        // (independent of the foreign_keys pragma); their steps, timers and effects cascade from them.
        let rows = 0;
        let flows = 0;
        for (const { table, where } of ACCOUNT_ROWS) {
          const deleted = Number(this.stmt(`DELETE FROM ${table} WHERE ${where}`).run(sid).changes);
          rows += deleted;
          if (table === 'flows') flows = deleted;
        }
        const apiKeys = Number(this.stmt('DELETE FROM api_keys WHERE account_sid = ?').run(sid).changes);
        if (Number(this.stmt('DELETE FROM accounts WHERE sid = ?').run(sid).changes) > 0) return { apiKeys, flows };
        return rows + apiKeys > 0 ? { apiKeys, flows, leftoversOnly: true as const } : null;
      }),
    );
  }

  // ---- flows

  async createFlow(flow: FlowRecord, revision: RevisionRecord): Promise<void> {
    if (this.#writer) return this.#writer.call('createFlow', [flow, revision]);
    return this.#write(() =>
      this.transaction(() => {
        this.#requireAccount(flow.accountSid);
        this.stmt(INSERT_FLOW).run(...flowInsertParams(flow));
        this.stmt(INSERT_REVISION).run(...revisionInsertParams(revision));
      }),
    );
  }

  async saveFlowRevision(flow: FlowRecord, revision: RevisionRecord): Promise<void> {
    if (this.#writer) return this.#writer.call('saveFlowRevision', [flow, revision]);
    return this.#write(() =>
      this.transaction(() => {
        this.#requireAccount(flow.accountSid);
        const result = this.stmt(UPDATE_FLOW_HEAD).run(...flowHeadUpdateParams(flow));
        // Never attach a revision to a flow that is missing or belongs to another account.
        if (Number(result.changes) === 0) throw flowGone(flow);
        try {
          this.stmt(INSERT_REVISION).run(...revisionInsertParams(revision));
        } catch (error) {
          // An update that read the same head took this revision number first.
          if (/UNIQUE constraint failed: flow_revisions\./.test((error as Error).message)) throw revisionTaken(revision);
          throw error;
        }
      }),
    );
  }

  async getFlow(accountSid: string, flowSid: string): Promise<FlowRecord | null> {
    const row = this.stmt('SELECT * FROM flows WHERE sid = ? AND account_sid = ?').get(flowSid, accountSid) as Row | undefined;
    return row ? toFlow(row) : null;
  }

  async listFlows(accountSid: string, page: PageRequest): Promise<PageResult<FlowListItem>> {
    return this.pageBy({ table: 'flows', key: 'seq', where: 'account_sid = ?', params: [accountSid], columns: FLOW_LIST_COLUMNS, map: toFlowListItem }, page);
  }

  async deleteFlow(accountSid: string, flowSid: string): Promise<boolean> {
    if (this.#writer) return this.#writer.call('deleteFlow', [accountSid, flowSid]);
    return this.#write(() =>
      this.transaction(() => {
        // Before the flow: its executions may cascade from it (foreign_keys on), taking the SIDs along.
        this.stmt('DELETE FROM channel_records WHERE execution_sid IN (SELECT sid FROM executions WHERE flow_sid = ? AND account_sid = ?)').run(flowSid, accountSid);
        const result = this.stmt('DELETE FROM flows WHERE sid = ? AND account_sid = ?').run(flowSid, accountSid);
        if (Number(result.changes) === 0) return false;
        this.stmt('DELETE FROM flow_revisions WHERE flow_sid = ?').run(flowSid);
        // Executions also go by ON DELETE CASCADE; deleting them explicitly keeps this independent of
        // the foreign_keys pragma. Their steps, timers and effects cascade from the executions.
        this.stmt('DELETE FROM executions WHERE flow_sid = ? AND account_sid = ?').run(flowSid, accountSid);
        return true;
      }),
    );
  }

  async getRevision(accountSid: string, flowSid: string, selector: RevisionSelector): Promise<RevisionRecord | null> {
    const query = revisionSql(accountSid, flowSid, selector);
    if (!query) return null;
    const row = this.stmt(query.sql).get(...query.params) as Row | undefined;
    return row ? toRevision(row) : null;
  }

  async listRevisions(accountSid: string, flowSid: string, page: PageRequest): Promise<PageResult<RevisionListItem>> {
    // Without the definitions: a page of revisions reads none of them (a client fetches one revision for it).
    return this.pageBy(
      { table: 'flow_revisions', key: 'revision', where: 'flow_sid = ? AND account_sid = ?', params: [flowSid, accountSid], columns: REVISION_LIST_COLUMNS, map: toRevisionListItem },
      page,
    );
  }

  async getTestUsers(accountSid: string, flowSid: string): Promise<string[] | null> {
    const row = this.stmt('SELECT test_users FROM flows WHERE sid = ? AND account_sid = ?').get(flowSid, accountSid) as Row | undefined;
    return row ? testUsersAsContacts(JSON.parse(String(row.test_users)) as string[]) : null;
  }

  async setTestUsers(accountSid: string, flowSid: string, users: string[]): Promise<boolean> {
    if (this.#writer) return this.#writer.call('setTestUsers', [accountSid, flowSid, users]);
    return this.#write(() => Number(this.stmt('UPDATE flows SET test_users = ? WHERE sid = ? AND account_sid = ?').run(JSON.stringify(users), flowSid, accountSid).changes) > 0);
  }

  // ---- executions, steps, timers, effects

  /** Group commit (src/store/group-commit.ts): on the writer thread, or inline for ':memory:'. */
  writeSprint(write: SprintWrite): Promise<void> {
    return this.#groupCommit.write(write);
  }

  /**
   * Commits sprints in one transaction (one fsync); one bad sprint fails alone. Optimistically
   * first: the batch without savepoints (two statements fewer per sprint). Should a sprint fail,
   * that transaction is rolled back and the batch runs again with a savepoint around each sprint.
   * A failed COMMIT fails them all.
   */
  commitSprints(writes: SprintWrite[]): SprintResult[] {
    try {
      this.transaction(() => {
        for (const write of writes) this.#applySprint(write);
      });
      return writes.map(() => ({ ok: true as const }));
    } catch (error) {
      // One sprint alone, the disk failing them all, or the file locked: no point retrying sprint by sprint.
      if (writes.length === 1 || sqliteDiskErrorCode(error) || isSqliteBusy(error)) return writes.map(() => ({ ok: false as const, error }));
    }
    const outcomes: SprintResult[] = [];
    try {
      this.transaction(() => {
        for (const write of writes) {
          this.stmt('SAVEPOINT sprint').run();
          try {
            this.#applySprint(write);
            this.stmt('RELEASE sprint').run();
            outcomes.push({ ok: true });
          } catch (error) {
            // Rolled back whole already (a full disk, an I/O error): every sprint fails with it.
            if (!this.db.isTransaction) throw error;
            this.stmt('ROLLBACK TO sprint').run();
            this.stmt('RELEASE sprint').run();
            outcomes.push({ ok: false, error });
          }
        }
      });
    } catch (error) {
      return writes.map(() => ({ ok: false as const, error }));
    }
    return outcomes;
  }

  /**
   * A group commit on this thread. A big batch (many requests in flight) is committed without the
   * fsync (synchronous=NORMAL still keeps the WAL consistent), which then runs off the event loop
   * while the thread serves the others; the callers resolve after it. A small one fsyncs inline
   * (synchronous=FULL, as every other transaction): at moderate load that answers sooner, measured
   * (inbound->reply p99 at 1,000 msg/s, batches of one or two: 8.6-9.5 ms inline, 11-14 ms off the loop).
   */
  async #commitInline(writes: SprintWrite[]): Promise<SprintResult[]> {
    if (this.#restartWantedAt !== null) this.#restartWal(this.#restartWantedAt);
    if (!this.#walSync || writes.length < FSYNC_OFF_LOOP_FROM) return this.commitSprintsInTurn(writes);
    const outcomes = await this.commitSprintsInTurn(writes, { fsync: false });
    if (outcomes.some((outcome) => outcome.ok)) await this.#walSync.sync();
    return outcomes;
  }

  /**
   * commitSprints in turn with this connection's other writes: while another connection holds the
   * write lock, the batch is tried again (busy.ts) and fails whole with SQLITE_BUSY only after that.
   * fsync false: committed with synchronous=NORMAL (the caller fsyncs the WAL).
   */
  async commitSprintsInTurn(writes: SprintWrite[], options: { fsync?: boolean } = {}): Promise<SprintResult[]> {
    const commit = () => {
      const outcomes = options.fsync === false ? this.#withoutFsync(() => this.commitSprints(writes)) : this.commitSprints(writes);
      // The file was locked: nothing was written, and the batch goes again.
      const first = outcomes[0];
      if (first && !first.ok && isSqliteBusy(first.error) && outcomes.every((outcome) => !outcome.ok && outcome.error === first.error)) throw first.error;
      return outcomes;
    };
    try {
      return await this.#write(commit);
    } catch (error) {
      return writes.map(() => ({ ok: false as const, error }));
    }
  }

  /**
   * Brings the WAL back to its start, between group commits. The checkpointer has just copied it all
   * back and waits, so this finds little to copy and no lock to wait for (see Checkpointer). Asked
   * longer ago than it waits, it is checkpointing again and this would wait for it: the next ask will
   * do. A failure leaves the WAL as it was: the checkpointer asks again.
   */
  #restartWal(askedAt: number): void {
    this.#restartWantedAt = null;
    if (performance.now() - askedAt >= RESTART_HANDOFF_MS) return;
    try {
      this.stmt('PRAGMA wal_checkpoint(RESTART)').get();
    } catch {
      // Busy or interrupted: the next request does it.
    } finally {
      this.#checkpointer?.restarted();
    }
  }

  /**
   * An update that also moves the execution to new contact/channel addresses (Start Conversation):
   * the indexed columns change, and the pair's one-active index may refuse the new pair.
   */
  #readdress(write: SprintWrite, state: string, key: readonly [string, string, string, number | null, number | null]): number {
    const execution = write.execution;
    try {
      return Number(
        this.stmt(`UPDATE executions SET contact_sid = ?, contact_channel_address = ?, channel_address = ?, status = ?, state = ?, call_sid = ?, context = '{}', date_updated = ?, version = version + 1 ${UPDATE_WHERE}`)
          .run(execution.contactSid, execution.contactChannelAddress, execution.channelAddress, execution.status, state, callSidOf(execution), execution.dateUpdated, ...key).changes,
      );
    } catch (error) {
      if (/UNIQUE constraint failed: executions\.flow_sid/.test((error as Error).message)) {
        throw new StoreConflictError('active-execution', `an execution is already active for ${execution.contactChannelAddress} on ${execution.channelAddress}`);
      }
      throw error;
    }
  }

  #applySprint(write: SprintWrite): void {
    const execution = write.execution;
    if (write.inboundReceipt) {
      const { accountSid, key, receivedAt } = write.inboundReceipt;
      const inserted = this.stmt('INSERT INTO inbound_receipts (account_sid, key, received_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING').run(accountSid, key, receivedAt);
      if (Number(inserted.changes) === 0) throw new StoreConflictError('duplicate-inbound', `inbound ${key} was already run`);
    }
    // Fencing: only the node that still holds the timer/effect may consume it. The sprint deletes what it
    // consumes, so one DELETE that also checks the holder does both.
    let consumedDeleted: string | null = null;
    if (write.consumes) {
      const { kind, id, owner } = write.consumes;
      const table = kind === 'timer' ? 'timers' : 'pending_effects';
      const deletes = kind === 'timer' ? write.timersToCancel.includes(id) : write.effectsDone.includes(id);
      const held = deletes
        ? Number(this.stmt(`DELETE FROM ${table} WHERE id = ? AND execution_sid = ? AND lease_owner = ?`).run(id, execution.sid, owner).changes) > 0
        : this.stmt(`SELECT 1 AS held FROM ${table} WHERE id = ? AND execution_sid = ? AND lease_owner = ?`).get(id, execution.sid, owner) !== undefined;
      if (!held) throw new StoreConflictError('stale-claim', `${kind} ${id} is no longer held by ${owner}`);
      if (deletes) consumedDeleted = id;
    }
    if (write.isNew && write.soleCall) {
      // One process holds the file and its writes are serialised: checked in the write, the caller's other
      // call executions (a racing webhook's included) are all there is to see.
      const found = this.stmt(ACTIVE_CALL_SIDS_OF_PAIR).all(execution.flowSid, execution.contactChannelAddress, execution.channelAddress, write.soleCall.passing.length + 1) as Row[];
      const other = soleCallConflict(write, found.map((row) => String(row.sid)));
      if (other) throw new StoreConflictError('active-execution', `execution ${other} is already active on a call from ${execution.contactChannelAddress}`);
    }
    if (write.isNew) {
      try {
        this.stmt(INSERT_EXECUTION).run(...executionInsertParams(execution, write.exclusive !== false));
      } catch (error) {
        if (/UNIQUE constraint failed: executions\.flow_sid/.test((error as Error).message)) {
          throw new StoreConflictError('active-execution', `an execution is already active for ${execution.contactChannelAddress}`);
        }
        throw error;
      }
    } else {
      // An execution's identity (flow revision, contact, channel, initiator) never changes after it is
      // created. A sprint that leaves an active execution active and on the same call, most of them, sets
      // no indexed column at all (the call SID only matches), so SQLite rewrites the row without touching
      // an index (the partial ones on status and call_sid included); otherwise (it ends, its call changes,
      // or the row is not active or not at that version) status and call_sid are set too. One that moves
      // it to other addresses (readdressed) sets them, status included, in one statement.
      // context: see executionInsertParams (no longer read; emptied as rows are rewritten).
      const state = json(execution.state);
      const callSid = callSidOf(execution);
      // 'unchecked' (copying a store): any version (the ? IS NULL in UPDATE_WHERE).
      const version = versionToCheck(write);
      const key = [execution.sid, execution.accountSid, execution.flowSid, version, version] as const;
      let changes = write.readdressed
        ? this.#readdress(write, state, key)
        : execution.status === 'active'
          ? Number(this.stmt(`UPDATE executions SET state = ?, context = '{}', date_updated = ?, version = version + 1 ${UPDATE_WHERE} AND status = 'active' AND call_sid IS ?`).run(state, execution.dateUpdated, ...key, callSid).changes)
          : 0;
      if (changes === 0 && !write.readdressed) {
        changes = Number(
          this.stmt(`UPDATE executions SET status = ?, state = ?, call_sid = ?, context = '{}', date_updated = ?, version = version + 1 ${UPDATE_WHERE}`)
            .run(execution.status, state, callSid, execution.dateUpdated, ...key).changes,
        );
      }
      if (changes === 0) {
        if (version !== null) {
          throw new StoreConflictError('version', `execution ${execution.sid} changed since version ${write.expectedVersion} (or is gone)`);
        }
        throw new Error(`execution ${execution.sid} does not exist`);
      }
    }
    for (const step of write.steps) {
      if (step.executionSid !== execution.sid || step.accountSid !== execution.accountSid || step.flowSid !== execution.flowSid) {
        throw new Error(`step ${step.sid} does not belong to execution ${execution.sid}`);
      }
      this.stmt(`INSERT INTO steps ${STEP_COLUMNS} VALUES ${STEP_PLACEHOLDERS}`).run(...stepParams(step));
    }
    for (const id of write.timersToCancel) {
      if (id !== consumedDeleted) this.stmt('DELETE FROM timers WHERE id = ? AND execution_sid = ?').run(id, execution.sid);
    }
    for (const timer of write.timersToAdd) {
      this.stmt('INSERT INTO timers (id, execution_sid, account_sid, due_at) VALUES (?, ?, ?, ?)').run(
        timer.id,
        timer.executionSid,
        timer.accountSid,
        timer.dueAt,
      );
    }
    for (const id of write.effectsDone) {
      if (id !== consumedDeleted) this.stmt('DELETE FROM pending_effects WHERE id = ? AND execution_sid = ?').run(id, execution.sid);
    }
    // An ended execution's outstanding work is dropped: no node may carry it out after the end.
    if (execution.status === 'ended') this.stmt('DELETE FROM pending_effects WHERE execution_sid = ?').run(execution.sid);
    for (const effect of write.effectsToAdd) {
      this.stmt(INSERT_EFFECT).run(...effectInsertParams(effect, write.effectLease));
    }
    for (const alert of write.alerts ?? []) {
      this.stmt(INSERT_ALERT).run(...alertInsertParams(alert));
    }
  }

  async hasInboundReceipt(accountSid: string, key: string | readonly [string, ...string[]]): Promise<boolean> {
    const keys = typeof key === 'string' ? [key] : key;
    // One statement per number of keys (the cache holds at most two: one key, and a message's two).
    return this.stmt(`SELECT 1 AS found FROM inbound_receipts WHERE account_sid = ? AND key IN (${keys.map(() => '?').join(', ')}) LIMIT 1`).get(accountSid, ...keys) !== undefined;
  }

  async listInboundReceipts(accountSid: string, limit: number, after?: string): Promise<InboundReceipt[]> {
    const rows = after === undefined ? this.stmt(RECEIPTS_OF_ACCOUNT).all(accountSid, limit) : this.stmt(RECEIPTS_OF_ACCOUNT_AFTER).all(accountSid, after, limit);
    return (rows as Row[]).map(toInboundReceipt);
  }

  async addInboundReceipts(receipts: readonly InboundReceipt[]): Promise<void> {
    if (receipts.length === 0) return;
    if (this.#writer) return this.#writer.call('addInboundReceipts', [receipts]);
    // One transaction of the one cached statement, as addAlerts.
    const { sql } = receiptsInsertSql(receipts.slice(0, 1));
    return this.#write(() =>
      this.transaction(() => {
        for (const receipt of receipts) this.stmt(sql).run(receipt.accountSid, receipt.key, receipt.receivedAt);
      }),
    );
  }

  async listAlerts(accountSid: string, filter: AlertFilter, page: PageRequest): Promise<PageResult<AlertRecord>> {
    const { where, params } = alertFilterSql(accountSid, filter);
    return this.pageBy({ table: 'alerts', key: 'seq', where, params, map: toAlert }, page);
  }

  async getAlert(accountSid: string, alertSid: string): Promise<AlertRecord | null> {
    const row = this.stmt('SELECT * FROM alerts WHERE sid = ? AND account_sid = ?').get(alertSid, accountSid) as Row | undefined;
    return row ? toAlert(row) : null;
  }

  async addAlerts(alerts: AlertRecord[]): Promise<void> {
    if (alerts.length === 0) return;
    if (this.#writer) return this.#writer.call('addAlerts', [alerts]);
    // One transaction of the one cached statement (a statement per batch size would fill the cache).
    return this.#write(() =>
      this.transaction(() => {
        for (const alert of alerts) this.stmt(INSERT_ALERT).run(...alertInsertParams(alert));
      }),
    );
  }

  async pruneHistory(before: PruneCutoffs): Promise<number> {
    if (this.#writer) return this.#writer.call('pruneHistory', [before]);
    return this.#write(() =>
      this.transaction(() => {
        // A limit: a batch of each, picked by rowid off the kind's time index (one short transaction).
        const limit = before.limit ?? -1;
        const deleted = (table: string, due: string, cutoff: number | undefined) =>
          cutoff === undefined ? 0 : Number(this.stmt(`DELETE FROM ${table} WHERE rowid IN (SELECT rowid ${due} LIMIT ?)`).run(cutoff, limit).changes);
        const executions = before.executions ? this.#pruneExecutions(before.executions.createdBefore, before.executions.limit) : 0;
        return (
          deleted('inbound_receipts', RECEIPTS_DUE, before.receipts) +
          deleted('alerts', ALERTS_DUE, before.alerts) +
          deleted('channel_records', CHANNEL_RECORDS_DUE, before.channelRecords) +
          (before.orphans ? this.#pruneOrphans(before.limit ?? Number.POSITIVE_INFINITY) : 0) +
          executions
        );
      }),
    );
  }

  /**
   * Rows of accounts that are gone (PruneCutoffs.orphans), at most `budget` in all: the accounts found
   * by their indexes (goneAccountsSql) and settings, then each one's rows, table by table, as
   * deleteAccount takes them.
   */
  #pruneOrphans(budget: number): number {
    const probe = Number.isFinite(budget) ? budget : -1;
    const gone = new Set<string>();
    for (const table of ACCOUNT_INDEXED_TABLES) {
      for (const row of this.stmt(goneAccountsSql(table)).all(probe) as Row[]) gone.add(String(row.sid));
    }
    for (const row of this.stmt(GONE_ACCOUNTS_OF_SETTINGS).all(probe) as Row[]) gone.add(String(row.sid));
    let count = 0;
    for (const sid of gone) {
      for (const { table, where } of ACCOUNT_ROWS) {
        if (count >= budget) return count;
        const limit = Number.isFinite(budget) ? budget - count : -1;
        count += Number(this.stmt(`DELETE FROM ${table} WHERE rowid IN (SELECT rowid FROM ${table} WHERE ${where} LIMIT ?)`).run(sid, limit).changes);
      }
    }
    return count;
  }

  /**
   * Up to `limit` ended executions created before `createdBefore`, with their rows as deleteExecution
   * takes them; how many executions went. One set-based statement per table (each on its execution_sid
   * index), not five per execution: a batch of a thousand holds the writer for tens of milliseconds.
   */
  #pruneExecutions(createdBefore: number, limit: number): number {
    const sids = (this.stmt(ENDED_BEFORE).all(createdBefore, limit) as Row[]).map((row) => String(row.sid));
    if (sids.length === 0) return 0;
    const batch = JSON.stringify(sids);
    const gone = Number(this.stmt('DELETE FROM executions WHERE sid IN (SELECT value FROM json_each(?))').run(batch).changes);
    // Also removed by ON DELETE CASCADE; explicit so it holds regardless of the foreign_keys pragma.
    for (const table of PER_EXECUTION_TABLES) this.stmt(`DELETE FROM ${table} WHERE execution_sid IN (SELECT value FROM json_each(?))`).run(batch);
    return gone;
  }

  async getExecution(accountSid: string, flowSid: string, executionSid: string): Promise<ExecutionRecord | null> {
    const row = this.stmt('SELECT * FROM executions WHERE sid = ? AND account_sid = ? AND flow_sid = ?').get(
      executionSid,
      accountSid,
      flowSid,
    ) as Row | undefined;
    return row ? toExecution(row) : null;
  }

  async getExecutionBySid(executionSid: string): Promise<ExecutionRecord | null> {
    const row = this.stmt('SELECT * FROM executions WHERE sid = ?').get(executionSid) as Row | undefined;
    return row ? toExecution(row) : null;
  }

  async getExecutionStamp(accountSid: string, flowSid: string, executionSid: string): Promise<ExecutionStamp | null> {
    const row = this.stmt(EXECUTION_STAMP).get(executionSid, accountSid, flowSid) as Row | undefined;
    return row ? toExecutionStamp(row) : null;
  }

  async listExecutionStandings(accountSid: string, flowSid: string, executionSids: readonly string[]): Promise<ExecutionStanding[]> {
    if (executionSids.length === 0) return [];
    return (this.stmt(EXECUTION_STANDINGS).all(JSON.stringify([...new Set(executionSids)]), accountSid, flowSid) as Row[]).map(toExecutionStanding);
  }

  async findActiveExecution(flowSid: string, contactAddress: string, channelAddress: string): Promise<ExecutionRecord | null> {
    const row = this.stmt(`SELECT * ${ACTIVE_FOR_PAIR}`).get(flowSid, contactAddress, channelAddress) as Row | undefined;
    return row ? toExecution(row) : null;
  }

  async findActiveExecutionSid(flowSid: string, contactAddress: string, channelAddress: string): Promise<string | null> {
    const row = this.stmt(`SELECT sid ${ACTIVE_FOR_PAIR}`).get(flowSid, contactAddress, channelAddress) as Row | undefined;
    return row ? String(row.sid) : null;
  }

  async listActiveExecutionsOfPair(flowSid: string, contactAddress: string, channelAddress: string, limit: number): Promise<ExecutionRecord[]> {
    return (this.stmt(ACTIVE_OF_PAIR).all(flowSid, contactAddress, channelAddress, limit) as Row[]).map(toExecution);
  }

  async listActiveExecutionSidsOfPair(flowSid: string, contactAddress: string, channelAddress: string, limit: number): Promise<string[]> {
    return (this.stmt(ACTIVE_SIDS_OF_PAIR).all(flowSid, contactAddress, channelAddress, limit) as Row[]).map((row) => String(row.sid));
  }

  async findActiveExecutionByCall(flowSid: string, callSid: string): Promise<ExecutionRecord | null> {
    const row = this.stmt(ACTIVE_BY_CALL).get(flowSid, callSid) as Row | undefined;
    return row ? toExecution(row) : null;
  }

  async listExecutions(
    accountSid: string,
    flowSid: string,
    filter: ExecutionFilter,
    page: PageRequest,
  ): Promise<PageResult<ExecutionRecord>> {
    const { where, params } = executionFilterSql(accountSid, flowSid, filter);
    return this.pageBy({ table: 'executions', key: 'seq', where, params, map: toExecution }, page);
  }

  async deleteExecution(accountSid: string, flowSid: string, executionSid: string): Promise<boolean> {
    if (this.#writer) return this.#writer.call('deleteExecution', [accountSid, flowSid, executionSid]);
    return this.#write(() =>
      this.transaction(() => {
        const result = this.stmt('DELETE FROM executions WHERE sid = ? AND account_sid = ? AND flow_sid = ?').run(
          executionSid,
          accountSid,
          flowSid,
        );
        if (Number(result.changes) === 0) return false;
        // Also removed by ON DELETE CASCADE; explicit so it holds regardless of the foreign_keys pragma.
        for (const table of PER_EXECUTION_TABLES) this.stmt(`DELETE FROM ${table} WHERE execution_sid = ?`).run(executionSid);
        return true;
      }),
    );
  }

  async listSteps(accountSid: string, flowSid: string, executionSid: string, page: PageRequest): Promise<PageResult<StepRecord>> {
    return this.pageBy(
      { table: 'steps', key: 'seq', where: 'execution_sid = ? AND account_sid = ? AND flow_sid = ?', params: [executionSid, accountSid, flowSid], map: toStep, order: 'asc' },
      page,
    );
  }

  async getStep(accountSid: string, flowSid: string, executionSid: string, stepSid: string): Promise<StepRecord | null> {
    const row = this.stmt('SELECT * FROM steps WHERE sid = ? AND execution_sid = ? AND account_sid = ? AND flow_sid = ?').get(
      stepSid,
      executionSid,
      accountSid,
      flowSid,
    ) as Row | undefined;
    return row ? toStep(row) : null;
  }

  async dueTimers(now: number, limit: number): Promise<TimerRecord[]> {
    const rows = this.stmt('SELECT * FROM timers WHERE due_at <= ? ORDER BY due_at, id LIMIT ?').all(now, limit) as Row[];
    return rows.map(toTimer);
  }

  async nextTimerDue(): Promise<number | null> {
    // Two index scans: the soonest unclaimed timer, and the soonest a claimed one can be taken over.
    const row = this.stmt(
      `SELECT (SELECT due_at FROM timers WHERE lease_until IS NULL ORDER BY due_at LIMIT 1) AS free,
              (SELECT MIN(MAX(due_at, lease_until)) FROM timers WHERE lease_until IS NOT NULL) AS held`,
    ).get() as Row;
    return earliest(nullableNumber(row.free), nullableNumber(row.held));
  }

  async expiredExecutions(createdBy: number, limit: number, after?: ExecutionAge): Promise<ExecutionAge[]> {
    const { sql, params } = expiredExecutionsSql(createdBy, limit, after);
    return (this.stmt(sql).all(...params) as Row[]).map(toExecutionAge);
  }


  async countActiveExecutionsBefore(createdBefore: number): Promise<number> {
    // Reads only the partial index executions_active_by_age (covering): no row, no state.
    return Number((this.stmt("SELECT count(*) AS n FROM executions WHERE status = 'active' AND date_created < ?").get(createdBefore) as Row).n);
  }

  async activeExecutionsOnCalls(createdBy: number, scan: number, after?: ExecutionAge): Promise<CallsScan> {
    const stretch = await this.expiredExecutions(createdBy, scan, after);
    if (stretch.length === 0) return { executions: [], scannedTo: null };
    // json_extract alone: looking for the wait's text first (instr) took longer than parsing (SQLite 3.53).
    const sql = onCallsAmongSql(`sid IN (SELECT value FROM json_each(?))`, `json_extract(state, '$.frames[#-1].wait.kind') = 'call'`);
    const rows = this.stmt(sql).all(JSON.stringify(stretch.map((execution) => execution.sid))) as Row[];
    return { executions: rows.map(toExecution), scannedTo: stretch.at(-1)! };
  }

  async activeExecutionsWithAgents(accountSid: string, flowSid: string, limit: number, afterSid = ''): Promise<ExecutionRecord[]> {
    const sql = withAgentsSql(`json_extract(state, '$.frames[#-1].wait.kind') = 'virtual-agent'`);
    return (this.stmt(sql).all(accountSid, flowSid, afterSid, limit) as Row[]).map(toExecution);
  }

  async oldestActiveExecution(): Promise<number | null> {
    return nullableNumber((this.stmt(OLDEST_ACTIVE).get() as Row).oldest);
  }

  // ---- claims and leases (one process: these never contend, but behave as on PostgreSQL)

  async loadExecution(executionSid: string): Promise<VersionedExecution | null> {
    const row = this.stmt('SELECT * FROM executions WHERE sid = ?').get(executionSid) as Row | undefined;
    return row ? { record: toExecution(row), version: Number(row.version) } : null;
  }

  async loadExecutions(executionSids: readonly string[]): Promise<Map<string, VersionedExecution>> {
    // One statement, whatever the count: each statement outside a transaction takes and drops the
    // file's read lock (two fcntl calls and an fstat), which is a third of reading a row one by one.
    const rows = this.stmt('SELECT * FROM executions WHERE sid IN (SELECT value FROM json_each(?))').all(JSON.stringify(executionSids)) as Row[];
    return new Map(rows.map((row) => [String(row.sid), { record: toExecution(row), version: Number(row.version) }]));
  }

  async claimDueTimers(now: number, lease: Lease, limit: number): Promise<TimerRecord[]> {
    if (this.#writer) return this.#writer.call('claimDueTimers', [now, lease, limit]);
    // The soonest free timers (timers_unclaimed_by_due) and the soonest whose lease ran out (timers_claimed),
    // the first `limit` of both together, claimed in one statement.
    const rows = await this.#claim(
      () =>
        this.stmt(
          `UPDATE timers SET lease_owner = ?1, lease_until = ?2
           WHERE id IN (SELECT id FROM (
             SELECT id, due_at FROM (SELECT id, due_at FROM timers WHERE lease_until IS NULL AND due_at <= ?3 ORDER BY due_at, id LIMIT ?4)
             UNION ALL
             SELECT id, due_at FROM (SELECT id, due_at FROM timers WHERE lease_until IS NOT NULL AND lease_until < ?3 AND due_at <= ?3 ORDER BY due_at, id LIMIT ?4)
             ORDER BY due_at, id LIMIT ?4))
           RETURNING *`,
        ).all(lease.owner, lease.until, now, limit) as Row[],
    );
    return rows.map(toTimer).sort(byDueThenId);
  }

  async claimEffects(now: number, lease: Lease, limit: number): Promise<PendingEffect[]> {
    if (this.#writer) return this.#writer.call('claimEffects', [now, lease, limit]);
    return this.#claim(() => {
      const rows = this.stmt(
        'SELECT * FROM pending_effects WHERE lease_until IS NULL OR lease_until < ? ORDER BY seq LIMIT ?',
      ).all(now, limit) as Row[];
      const claim = this.stmt('UPDATE pending_effects SET lease_owner = ?, lease_until = ? WHERE id = ?');
      for (const row of rows) claim.run(lease.owner, lease.until, String(row.id));
      return rows.map(toEffect);
    });
  }

  async renewLeases(lease: Lease, held: { timers: string[]; effects: string[] }): Promise<void> {
    if (this.#writer) return this.#writer.call('renewLeases', [lease, held]);
    return this.#claim(() => {
      const timers = this.stmt('UPDATE timers SET lease_until = ? WHERE id = ? AND lease_owner = ?');
      for (const id of held.timers) timers.run(lease.until, id, lease.owner);
      const effects = this.stmt('UPDATE pending_effects SET lease_until = ? WHERE id = ? AND lease_owner = ?');
      for (const id of held.effects) effects.run(lease.until, id, lease.owner);
    });
  }

  async releaseLeases(owner: string): Promise<void> {
    return this.releaseClaimsOf([owner]);
  }

  exclusive<T>(name: string, fn: () => Promise<T>): Promise<T> {
    return this.#exclusive.run(name, fn);
  }

  /**
   * One serving process owns an SQLite file: claims left by a previous run are void, so its
   * unfinished timers and effects are taken up again at once. Called when the runtime starts, not
   * on open: CLI commands (accounts, keys, carrier) open the file while the server runs.
   */
  async releaseAbandonedClaims(isAbandoned: (owner: string) => boolean): Promise<void> {
    const owners = this.stmt(
      'SELECT lease_owner AS owner FROM timers WHERE lease_owner IS NOT NULL UNION SELECT lease_owner FROM pending_effects WHERE lease_owner IS NOT NULL',
    ).all() as Row[];
    // An owner is judged once, here; a claim it makes meanwhile is live, and stays.
    await this.releaseClaimsOf(owners.map((row) => String(row.owner)).filter(isAbandoned));
  }

  /** Frees every timer and effect these owners hold. */
  async releaseClaimsOf(owners: string[]): Promise<void> {
    if (owners.length === 0) return;
    if (this.#writer) return this.#writer.call('releaseClaimsOf', [owners]);
    return this.#write(() =>
      this.transaction(() => {
        for (const owner of owners) {
          this.stmt('UPDATE timers SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = ?').run(owner);
          this.stmt('UPDATE pending_effects SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = ?').run(owner);
        }
      }, 'claim'),
    );
  }

  async listApiKeys(): Promise<ApiKey[]> {
    return (this.stmt('SELECT * FROM api_keys ORDER BY date_created, sid').all() as Row[]).map(toApiKey);
  }

  async listSettings(): Promise<{ key: string; value: string }[]> {
    return (this.stmt('SELECT key, value FROM settings ORDER BY key').all() as Row[]).map(toSetting);
  }

  async deleteTimer(id: string): Promise<void> {
    if (this.#writer) return this.#writer.call('deleteTimer', [id]);
    return this.#write(() => void this.stmt('DELETE FROM timers WHERE id = ?').run(id));
  }

  async pendingEffects(limit: number): Promise<PendingEffect[]> {
    const rows = this.stmt('SELECT * FROM pending_effects ORDER BY seq LIMIT ?').all(limit) as Row[];
    return rows.map(toEffect);
  }

  async deleteEffect(id: string): Promise<void> {
    if (this.#writer) return this.#writer.call('deleteEffect', [id]);
    return this.#write(() => void this.stmt('DELETE FROM pending_effects WHERE id = ?').run(id));
  }

  // ---- paging

  /** Keyset paging (sql-paging.ts), each query run here and now. */
  pageBy<T>(list: KeysetList<T>, page: PageRequest): PageResult<T> {
    return runPlan(planPage(list, page), (query) => this.stmt(query.sql).all(...query.params) as Row[]);
  }
}

function earliest(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  return b === null ? a : Math.min(a, b);
}

/** A channel record's columns, in channel_records' order. */
function channelRecordParams(record: ChannelRecord): [string, string, string, string, number] {
  return [record.key, record.accountSid, record.executionSid, record.value, record.updatedAt];
}
