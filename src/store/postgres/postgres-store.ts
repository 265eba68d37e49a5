// The PostgreSQL store, for many stateless nodes on one database. Each method is one statement
// or one transaction on a pooled connection. Cross-node rules live in SQL: the execution version
// column (optimistic concurrency), the partial unique index (one active execution per contact
// pair), FOR UPDATE SKIP LOCKED claims with lease expiry on timers and effects, and advisory
// locks for migrations, store-wide chores and a caller's sole call (SprintWrite.soleCall). NOTIFY tells other nodes about new timers.
import { hash } from 'node:crypto';
import pg from 'pg';
import {
  AccountGoneError,
  StoreConflictError,
  accountSettingKey,
  type Account,
  type AccountDeletion,
  type ChannelRecordWrite,
  type NewAccount,
  type AlertFilter,
  type AlertRecord,
  type InboundReceipt,
  type ApiKey,
  type ChannelRecord,
  type CallsScan,
  type ExecutionAge,
  type ExecutionFilter,
  type ExecutionRecord,
  type ExecutionStamp,
  type ExecutionStanding,
  type FlowListItem,
  type FlowRecord,
  type Lease,
  type PageRequest,
  type PageResult,
  type PendingEffect,
  type PruneCutoffs,
  type RevisionListItem,
  type RevisionRecord,
  type RevisionSelector,
  type NewExecutionSprint,
  type SprintWrite,
  type StepRecord,
  type Store,
  type TimerRecord,
  type VersionedExecution,
} from '../../runtime/ports/store.ts';
import { GroupCommit, type SprintResult } from '../group-commit.ts';
import { flowGone, revisionTaken } from '../flow-conflicts.ts';
import { jsonbOfText } from './jsonb-text.ts';
import { POSTGRES_MIGRATIONS } from './migrations.ts';
import { migrateSchema } from './migrate.ts';
import { SchemaUpgradeNeededError, type SchemaUpgrade } from '../schema-upgrade.ts';
import { maskUrlSecrets } from '../../lib/url-secrets.ts';
import { databaseUnavailableReason } from '../../runtime/ports/store-errors.ts';
import { outcomeOf, sprintError, sprintJson, type SprintOutcome } from './sprint-json.ts';
import { lockOrder } from './lock-order.ts';
import { ACCOUNT_EXISTS, ACCOUNT_INDEXED_TABLES, ACCOUNT_ROWS, ALERTS_DUE, ALERTS_PER_INSERT, alertsInsertSql, CHANNEL_RECORDS_DUE, GONE_ACCOUNTS_OF_SETTINGS, RECEIPTS_DUE, RECEIPTS_OF_ACCOUNT, RECEIPTS_OF_ACCOUNT_AFTER, RECEIPTS_PER_INSERT, channelRecordUnlessDeletedSql, receiptsInsertSql, goneAccountsSql } from '../sql-statements.ts';
import { ACTIVE_BY_CALL, ACTIVE_CALL_SIDS_OF_PAIR, EXECUTION_STAMP, onCallsAmongSql, withAgentsSql, ACTIVE_FOR_PAIR, ACTIVE_OF_PAIR, ACTIVE_SIDS_OF_PAIR, ENDED_BEFORE, INSERT_ACCOUNT, INSERT_API_KEY, INSERT_FLOW, INSERT_REVISION, OLDEST_ACTIVE, UPDATE_FLOW_HEAD, accountInsertParams, alertFilterSql, apiKeyInsertParams, executionFilterSql, expiredExecutionsSql, flowHeadUpdateParams, flowInsertParams, revisionInsertParams, revisionSql, rotateCallbackSecretSql, soleCallConflict } from '../sql-statements.ts';
import { planPage, runPlanAsync, type KeysetList } from '../sql-paging.ts';
import { byDueThenId, toActiveCounts, nullableNumber, toAccount, toAlert, toApiKey, toEffect, toExecution, toExecutionAge, toExecutionStamp, toExecutionStanding, FLOW_LIST_COLUMNS, REVISION_LIST_COLUMNS, toFlow, toFlowListItem, toRevision, toRevisionListItem, toSetting, toChannelRecord, toInboundReceipt, prefixEnd, toStep, toTimer, type Row } from '../sql-rows.ts';
import { testUsersAsContacts } from '../../lib/phone-format.ts';

/** Runs of a transaction PostgreSQL aborted for a deadlock or a serialization failure (see #transaction). */
const TRANSACTION_ATTEMPTS = 5;

export interface PostgresStoreOptions {
  /** postgres://user:password@host:port/database (libpq-style query parameters such as sslmode work). */
  connectionString: string;
  /** Schema holding Switchboard's tables; created if missing. Default 'public'. */
  schema?: string | undefined;
  /** Connections this node keeps open at most. */
  poolSize?: number | undefined;
  /** Any statement running longer is cancelled (ms); 0 disables. */
  statementTimeoutMs?: number | undefined;
  /** Giving up on getting a connection (ms). */
  connectTimeoutMs?: number | undefined;
  /** Where errors on idle connections go (a dropped connection is replaced on next use). */
  onError?: ((error: Error) => void) | undefined;
  /** An older schema: upgraded ('migrate', the default: serve) or refused ('refuse': other commands). See schema-upgrade.ts. */
  schemaUpgrade?: SchemaUpgrade | undefined;
  /**
   * How long (ms) opening waits for a database that cannot be reached yet (refused connections, a server
   * starting up, a database not yet created): containers started together bring the node up before PostgreSQL.
   * 0 (the default): the first failure is final. Refused credentials and a newer schema never wait.
   */
  startupWaitMs?: number | undefined;
  /** Told each time opening waits, with why (default: a line on stderr). */
  onStartupWait?: ((reason: string, retryInMs: number) => void) | undefined;
}

export const POSTGRES_DEFAULTS = { poolSize: 10, statementTimeoutMs: 30_000, connectTimeoutMs: 10_000 } as const;

/** How long past the statement timeout pg waits for an answer before it gives up on the connection. */
const QUERY_READ_MARGIN_MS = 2_000;

const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/**
 * Retention: a batch of ended executions past it, deleted as deleteExecution does (steps, timers and
 * effects by ON DELETE CASCADE, channel records in the same statement); how many. SKIP LOCKED: nodes
 * pruning at once take different rows, and none waits on one another transaction holds. The picked
 * rows stay locked (still ended) until the delete, which finds each by its key.
 */
export const PRUNE_EXECUTIONS = `WITH picked AS (${ENDED_BEFORE} FOR UPDATE SKIP LOCKED),
    gone AS (DELETE FROM executions e USING picked WHERE e.sid = picked.sid RETURNING e.sid),
    records AS (DELETE FROM channel_records WHERE execution_sid IN (SELECT sid FROM gone))
  SELECT count(*) AS deleted FROM gone`;

const UPSERT_SETTING = 'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value';

/**
 * The columns that key each table's rows, for deleting a batch of them by key (the orphan sweep): one
 * index probe each. executions, flows and alerts by their seq, the others by their primary key.
 */
const ROW_KEYS: Record<string, string> = {
  executions: 'seq',
  flow_revisions: '(flow_sid, revision)',
  flows: 'seq',
  alerts: 'seq',
  inbound_receipts: '(account_sid, key)',
  channel_records: 'key',
  settings: 'key',
};

/** A row key's columns as a select list: `(a, b)` selects a and b, not one record of them. */
function columns(key: string): string {
  return key.replace(/^\((.*)\)$/, '$1');
}

/** PostgreSQL's longest identifier, in bytes (NAMEDATALEN - 1); a longer NOTIFY channel is an error. */
const MAX_IDENTIFIER = 63;
const CHANNEL_PREFIX = 'switchboard_work_';

/**
 * The NOTIFY/LISTEN channel for a schema: `switchboard_work_<schema>` (lower case, as every release
 * so far named it, so nodes of mixed versions still hear each other) when that fits in 63 bytes;
 * otherwise the prefix, the schema's start and 12 hex digits of a hash of the whole schema name, so
 * long names that share a start still get channels of their own. Schema names are ASCII (SCHEMA_NAME).
 */
export function workChannel(schema: string): string {
  const plain = `${CHANNEL_PREFIX}${schema}`.toLowerCase();
  if (plain.length <= MAX_IDENTIFIER) return plain;
  const digest = hash('sha256', schema, 'hex').slice(0, 12);
  const keep = MAX_IDENTIFIER - CHANNEL_PREFIX.length - 1 - digest.length;
  return `${CHANNEL_PREFIX}${schema.slice(0, keep).toLowerCase()}_${digest}`;
}

/** The database cannot be used at start (unreachable, refused, or its schema is newer): say so in one line. */
export class DatabaseStartupError extends Error {
  constructor(message: string, cause: unknown) {
    super(message, { cause });
    this.name = 'DatabaseStartupError';
  }
}

/**
 * Why opening may succeed later (the server unreachable, starting, or its database not created yet), or null:
 * refused credentials, a newer schema or a fault of ours do not change by waiting.
 */
function notReachableYet(error: unknown): string | null {
  if (error instanceof SchemaUpgradeNeededError) return null;
  const code = (error as { code?: unknown }).code;
  if (code === '28000' || code === '28P01') return null;
  return databaseUnavailableReason(error);
}

/** The connection URL without its password (in user:password@ or the query), for messages. */
function shown(connectionString: string): string {
  return maskUrlSecrets(connectionString) ?? 'the configured database';
}

type Queryable = Pick<pg.PoolClient, 'query'>;

/** `?` placeholders (as in the SQLite store) to PostgreSQL's `$n`. */
function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

export class PostgresStore implements Store {
  readonly kind = 'postgres' as const;
  readonly schema: string;
  readonly pool: pg.Pool;
  readonly #options: PostgresStoreOptions;
  readonly #ready: Promise<void>;
  readonly #channel: string;
  #listener: pg.Client | null = null;
  #heartbeat: Promise<pg.Client> | null = null;
  readonly #workListeners = new Set<(dueAt: number | null) => void>();
  #closed = false;
  // Two batches at a time: this node and PostgreSQL still work side by side, and the batches stay big
  // (measured, scenario 6: unbounded, two nodes made 0.75-0.93x of one node's creates; two in flight,
  // 0.95-1.14x, one in flight 1.02-1.28x but one node alone ~10% slower).
  readonly #groupCommit = new GroupCommit((writes) => this.#commitSprints(writes), { maxInFlight: 2 });

  /** Opens the pool at once; the schema is created and migrated before the first query runs. */
  constructor(options: PostgresStoreOptions) {
    const schema = options.schema ?? 'public';
    if (!SCHEMA_NAME.test(schema)) throw new Error(`PostgreSQL schema name must be a plain identifier, got '${schema}'`);
    this.schema = schema;
    this.#options = options;
    this.#channel = workChannel(schema);
    this.pool = new pg.Pool(this.#clientConfig({ max: options.poolSize ?? POSTGRES_DEFAULTS.poolSize, idleTimeoutMillis: 30_000 }));
    // An idle connection dropped by the server must not crash the node; the pool replaces it.
    this.pool.on('error', (error) => (options.onError ?? ((e: Error) => console.error(`postgres: ${e.message}`)))(error));
    this.#ready = this.#migrateOnceReachable().catch((error: unknown) => {
      if (error instanceof SchemaUpgradeNeededError) throw error;
      throw new DatabaseStartupError(`cannot use PostgreSQL at ${shown(options.connectionString)} (schema ${schema}): ${(error as Error).message}`, error);
    });
    this.#ready.catch(() => undefined);
  }

  #clientConfig(extra: pg.PoolConfig = {}): pg.PoolConfig {
    const statementTimeout = this.#options.statementTimeoutMs ?? POSTGRES_DEFAULTS.statementTimeoutMs;
    const config: pg.PoolConfig = {
      connectionString: this.#options.connectionString,
      connectionTimeoutMillis: this.#options.connectTimeoutMs ?? POSTGRES_DEFAULTS.connectTimeoutMs,
      application_name: 'switchboard',
      options: `-c search_path="${this.schema}"`,
      ...(statementTimeout > 0 ? { statement_timeout: statementTimeout } : {}),
      // A node that stalls mid-transaction must not keep rows locked for long.
      idle_in_transaction_session_timeout: Math.max(statementTimeout, 60_000),
      ...extra,
    };
    // The statement timeout is the server's: a database that stops answering (a network partition, a frozen
    // host) never sends its cancellation, and a query on a connection already open waited as long as TCP
    // kept the connection (many minutes), its request with it. pg gives up a little after the server would
    // have ("Query read timeout": a 503) and drops the connection. Not on the connections without a
    // statement timeout (migrations, advisory locks, LISTEN), which may wait that long on purpose.
    const effective = config.statement_timeout;
    if (typeof effective === 'number' && effective > 0) config.query_timeout = effective + QUERY_READ_MARGIN_MS;
    return config;
  }

  /** Resolves once the schema is at the current version (rejects if it cannot be reached or is newer). */
  ready(): Promise<void> {
    return this.#ready;
  }

  /** #migrate, tried again while the database cannot be reached yet and startupWaitMs allows. */
  async #migrateOnceReachable(): Promise<void> {
    const deadline = Date.now() + (this.#options.startupWaitMs ?? 0);
    for (let delay = 250; ; delay = Math.min(delay * 2, 5_000)) {
      try {
        return await this.#migrate();
      } catch (error) {
        const reason = notReachableYet(error);
        if (reason === null || this.#closed || Date.now() + delay > deadline) throw error;
        (this.#options.onStartupWait ?? ((why: string, ms: number) => console.error(`switchboard: waiting for PostgreSQL (${why}); trying again in ${ms} ms`)))(reason, delay);
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  async #migrate(): Promise<void> {
    // No statement timeout: a migration of a big table, or waiting for another node's, may be slow.
    const client = new pg.Client(this.#clientConfig({ statement_timeout: 0 }));
    // A dropped connection surfaces as the failed query below; without a listener it would crash the process.
    client.on('error', () => undefined);
    await client.connect();
    try {
      await migrateSchema(client, POSTGRES_MIGRATIONS, {
        schema: this.schema,
        schemaUpgrade: this.#options.schemaUpgrade ?? 'migrate',
        where: `PostgreSQL at ${shown(this.#options.connectionString)} (schema ${this.schema})`,
      });
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  async #query(sql: string, params: unknown[] = [], on: Queryable | null = null): Promise<Row[]> {
    if (!on) await this.#ready;
    const result = await (on ?? this.pool).query(numbered(sql), params);
    return result.rows as Row[];
  }

  async #count(sql: string, params: unknown[], on: Queryable | null = null): Promise<number> {
    if (!on) await this.#ready;
    const result = await (on ?? this.pool).query(numbered(sql), params);
    return result.rowCount ?? 0;
  }

  /**
   * Runs `fn` in a transaction. A deadlock (a flow's delete cascading into executions while sprints insert
   * or update them, in the other order) or a serialization failure aborts it as a whole, and PostgreSQL
   * asks for it to be run again: so it is, a few times, before the error is anyone's answer (a 500).
   */
  async #transaction<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#transactionOnce(fn);
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        if ((code !== '40P01' && code !== '40001') || attempt >= TRANSACTION_ATTEMPTS) throw error;
        await new Promise((resolve) => setTimeout(resolve, 5 * attempt + Math.random() * 20));
      }
    }
  }

  /** Runs fn in one READ COMMITTED transaction on one connection; rolls back on throw. */
  async #transactionOnce<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    await this.#ready;
    const client = await this.pool.connect();
    let broken = false;
    try {
      await client.query('BEGIN');
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => (broken = true));
      throw error;
    } finally {
      client.release(broken);
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#ready.catch(() => undefined);
    // Sprints still queued are written before the pool goes.
    await this.#groupCommit.flush();
    const listener = this.#listener;
    this.#listener = null;
    await listener?.end().catch(() => undefined);
    const heartbeat = this.#heartbeat;
    this.#heartbeat = null;
    await heartbeat?.then((client) => client.end()).catch(() => undefined);
    await this.pool.end();
  }

  async ping(): Promise<void> {
    await this.#query('SELECT 1');
  }

  /** The schema version now (a newer node may have migrated it since this one started) and this build's. */
  async schemaStatus(): Promise<{ applied: number; expected: number }> {
    const rows = await this.#query('SELECT COALESCE(MAX(version), 0) AS version FROM schema_migrations');
    return { applied: Number(rows[0]!.version), expected: POSTGRES_MIGRATIONS.length };
  }

  // ---- settings, accounts, keys

  async getSetting(key: string): Promise<string | null> {
    const rows = await this.#query('SELECT value FROM settings WHERE key = ?', [key]);
    return rows[0] ? String(rows[0].value) : null;
  }

  async setSetting(key: string, value: string): Promise<void> {
    await this.#query(UPSERT_SETTING, [key, value]);
  }

  async setAccountSetting(accountSid: string, name: string, value: string): Promise<void> {
    await this.#transaction(async (client) => {
      await this.#requireAccount(accountSid, client);
      await this.#query(UPSERT_SETTING, [accountSettingKey(accountSid, name), value], client);
    });
  }

  /**
   * In a write's transaction: the account exists, held FOR KEY SHARE until the commit (a deleteAccount
   * under way is waited for, and then the account is found gone), or AccountGoneError.
   */
  async #requireAccount(accountSid: string, client: Queryable): Promise<void> {
    if ((await this.#query(`${ACCOUNT_EXISTS} FOR KEY SHARE`, [accountSid], client)).length === 0) throw new AccountGoneError(accountSid);
  }

  async listSettings(): Promise<{ key: string; value: string }[]> {
    return (await this.#query('SELECT key, value FROM settings ORDER BY key')).map(toSetting);
  }

  // ---- channel records (the carrier's send ledger)

  async getChannelRecord(key: string): Promise<ChannelRecord | null> {
    const rows = await this.#query('SELECT * FROM channel_records WHERE key = ?', [key]);
    return rows[0] ? toChannelRecord(rows[0]) : null;
  }

  async putChannelRecord(record: ChannelRecord, options: ChannelRecordWrite = {}): Promise<void> {
    if (options.unlessDeleted) {
      await this.#transaction(async (client) => {
        const replaced = await this.#count(
          'UPDATE channel_records SET account_sid = ?, execution_sid = ?, value = ?, updated_at = ? WHERE key = ?',
          [record.accountSid, record.executionSid, record.value, record.updatedAt, record.key],
          client,
        );
        if (replaced > 0) return;
        const params = [record.key, record.accountSid, record.executionSid, record.value, record.updatedAt, record.executionSid];
        await this.#query(channelRecordUnlessDeletedSql({ lock: ' FOR KEY SHARE' }), params, client);
      });
      return;
    }
    await this.#query(
      `INSERT INTO channel_records (key, account_sid, execution_sid, value, updated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET account_sid = excluded.account_sid, execution_sid = excluded.execution_sid, value = excluded.value, updated_at = excluded.updated_at`,
      [record.key, record.accountSid, record.executionSid, record.value, record.updatedAt],
    );
  }

  async insertChannelRecord(record: ChannelRecord): Promise<boolean> {
    const sql = 'INSERT INTO channel_records (key, account_sid, execution_sid, value, updated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING';
    return (await this.#count(sql, [record.key, record.accountSid, record.executionSid, record.value, record.updatedAt])) > 0;
  }

  async deleteChannelRecord(key: string): Promise<boolean> {
    return (await this.#count('DELETE FROM channel_records WHERE key = ?', [key])) > 0;
  }

  async listChannelRecords(prefix: string, limit: number, after?: string): Promise<ChannelRecord[]> {
    const from = after !== undefined && after >= prefix ? after : null;
    const rows = from === null
      ? await this.#query('SELECT * FROM channel_records WHERE key >= ? AND key < ? ORDER BY key LIMIT ?', [prefix, prefixEnd(prefix), limit])
      : await this.#query('SELECT * FROM channel_records WHERE key > ? AND key < ? ORDER BY key LIMIT ?', [from, prefixEnd(prefix), limit]);
    return rows.map(toChannelRecord);
  }

  async createAccount(account: NewAccount): Promise<void> {
    await this.#query(INSERT_ACCOUNT, accountInsertParams(account));
  }

  async getAccount(sid: string): Promise<Account | null> {
    const rows = await this.#query('SELECT * FROM accounts WHERE sid = ?', [sid]);
    return rows[0] ? toAccount(rows[0]) : null;
  }

  async updateAccountToken(sid: string, authToken: string): Promise<void> {
    await this.#query('UPDATE accounts SET auth_token = ? WHERE sid = ?', [authToken, sid]);
  }

  async rotateCallbackSecret(sid: string, callbackSecret: string, graceUntil: number | null): Promise<boolean> {
    const { sql, params } = rotateCallbackSecretSql(sid, callbackSecret, graceUntil);
    return (await this.#count(sql, params)) > 0;
  }

  async listAccounts(): Promise<Account[]> {
    return (await this.#query('SELECT * FROM accounts ORDER BY date_created, sid')).map(toAccount);
  }

  async createApiKey(key: ApiKey): Promise<void> {
    await this.#query(INSERT_API_KEY, apiKeyInsertParams(key));
  }

  async getApiKey(sid: string): Promise<ApiKey | null> {
    const rows = await this.#query('SELECT * FROM api_keys WHERE sid = ?', [sid]);
    return rows[0] ? toApiKey(rows[0]) : null;
  }

  async deleteApiKey(sid: string): Promise<boolean> {
    return (await this.#count('DELETE FROM api_keys WHERE sid = ?', [sid])) > 0;
  }

  async deleteAccount(sid: string): Promise<AccountDeletion | null> {
    return this.#transaction(async (client) => {
      // The account row locked first (when it is still there): a concurrent delete of it waits here,
      // and so does a write of its own that holds it (#requireAccount), whose rows are then seen below.
      await this.#query('SELECT 1 FROM accounts WHERE sid = ? FOR UPDATE', [sid], client);
      // Every row naming the account, whether or not the account row is still there (a request that
      // raced an earlier deletion may have left some). Steps, timers and effects go with the executions
      // by ON DELETE CASCADE.
      let rows = 0;
      let flows = 0;
      for (const { table, where } of ACCOUNT_ROWS) {
        const deleted = await this.#count(`DELETE FROM ${table} WHERE ${where}`, [sid], client);
        rows += deleted;
        if (table === 'flows') flows = deleted;
      }
      const apiKeys = await this.#count('DELETE FROM api_keys WHERE account_sid = ?', [sid], client);
      if ((await this.#count('DELETE FROM accounts WHERE sid = ?', [sid], client)) > 0) return { apiKeys, flows };
      return rows + apiKeys > 0 ? { apiKeys, flows, leftoversOnly: true as const } : null;
    });
  }

  async listApiKeys(): Promise<ApiKey[]> {
    return (await this.#query('SELECT * FROM api_keys ORDER BY date_created, sid')).map(toApiKey);
  }

  // ---- flows

  async createFlow(flow: FlowRecord, revision: RevisionRecord): Promise<void> {
    await this.#transaction(async (client) => {
      await this.#requireAccount(flow.accountSid, client);
      await this.#query(INSERT_FLOW, flowInsertParams(flow), client);
      await this.#query(INSERT_REVISION, revisionInsertParams(revision), client);
    });
  }

  async saveFlowRevision(flow: FlowRecord, revision: RevisionRecord): Promise<void> {
    await this.#transaction(async (client) => {
      await this.#requireAccount(flow.accountSid, client);
      const changed = await this.#count(UPDATE_FLOW_HEAD, flowHeadUpdateParams(flow), client);
      // Never attach a revision to a flow that is missing or belongs to another account.
      if (changed === 0) throw flowGone(flow);
      try {
        await this.#query(INSERT_REVISION, revisionInsertParams(revision), client);
      } catch (error) {
        // A concurrent update took this revision number first (the head row's lock ordered the two).
        if ((error as { constraint?: string }).constraint === 'flow_revisions_pkey') throw revisionTaken(revision);
        throw error;
      }
    });
  }

  async getFlow(accountSid: string, flowSid: string): Promise<FlowRecord | null> {
    const rows = await this.#query('SELECT * FROM flows WHERE sid = ? AND account_sid = ?', [flowSid, accountSid]);
    return rows[0] ? toFlow(rows[0]) : null;
  }

  async listFlows(accountSid: string, page: PageRequest): Promise<PageResult<FlowListItem>> {
    return this.#pageBy({ table: 'flows', key: 'seq', where: 'account_sid = ?', params: [accountSid], columns: FLOW_LIST_COLUMNS, map: toFlowListItem }, page);
  }

  async deleteFlow(accountSid: string, flowSid: string): Promise<boolean> {
    return this.#transaction(async (client) => {
      // Before the flow: its executions cascade from it, taking the SIDs along.
      await this.#query('DELETE FROM channel_records WHERE execution_sid IN (SELECT sid FROM executions WHERE flow_sid = ? AND account_sid = ?)', [flowSid, accountSid], client);
      const deleted = await this.#count('DELETE FROM flows WHERE sid = ? AND account_sid = ?', [flowSid, accountSid], client);
      if (deleted === 0) return false;
      await this.#query('DELETE FROM flow_revisions WHERE flow_sid = ?', [flowSid], client);
      // Executions (and their steps, timers, effects) go by ON DELETE CASCADE.
      return true;
    });
  }

  async getRevision(accountSid: string, flowSid: string, selector: RevisionSelector): Promise<RevisionRecord | null> {
    const query = revisionSql(accountSid, flowSid, selector);
    if (!query) return null;
    const rows = await this.#query(query.sql, query.params);
    return rows[0] ? toRevision(rows[0]) : null;
  }

  async listRevisions(accountSid: string, flowSid: string, page: PageRequest): Promise<PageResult<RevisionListItem>> {
    // Without the definitions: a page of revisions reads none of them (a client fetches one revision for it).
    return this.#pageBy(
      { table: 'flow_revisions', key: 'revision', where: 'flow_sid = ? AND account_sid = ?', params: [flowSid, accountSid], columns: REVISION_LIST_COLUMNS, map: toRevisionListItem },
      page,
    );
  }

  async getTestUsers(accountSid: string, flowSid: string): Promise<string[] | null> {
    const rows = await this.#query('SELECT test_users FROM flows WHERE sid = ? AND account_sid = ?', [flowSid, accountSid]);
    return rows[0] ? testUsersAsContacts(JSON.parse(String(rows[0].test_users)) as string[]) : null;
  }

  async setTestUsers(accountSid: string, flowSid: string, users: string[]): Promise<boolean> {
    return (await this.#count('UPDATE flows SET test_users = ? WHERE sid = ? AND account_sid = ?', [JSON.stringify(users), flowSid, accountSid])) > 0;
  }

  // ---- executions, steps, timers, effects

  /**
   * Group commit in one round trip: the sprints written while the event loop is busy go to the
   * database together, as one call of switchboard_apply_sprints (migration 5): one transaction, in
   * which a sprint that fails fails alone (the batch then runs again with a subtransaction per
   * sprint). Every caller resolves only after the COMMIT holding its write. Batches run side by side
   * on the pool's connections.
   */
  writeSprint(write: SprintWrite): Promise<void> {
    const execution = write.execution;
    for (const step of write.steps) {
      if (step.executionSid !== execution.sid || step.accountSid !== execution.accountSid || step.flowSid !== execution.flowSid) {
        return Promise.reject(new Error(`step ${step.sid} does not belong to execution ${execution.sid}`));
      }
    }
    if (write.isNew && write.soleCall) return this.#writeSoleCall(write, write.soleCall);
    return this.#groupCommit.write(write);
  }

  /**
   * A new call execution that must be its caller's only active call (SprintWrite.soleCall): in a
   * transaction of its own, under a transaction advisory lock on the flow and contact pair, the check
   * and the insert (switchboard_apply_sprints, as a batch of one). Another node's such write waits for
   * the lock until this one commits, and its check (READ COMMITTED: a snapshot per statement, taken
   * after the lock) then sees this execution. Only calls to flows with allow_concurrent_calls off come
   * here; every other sprint is group-committed.
   */
  async #writeSoleCall(write: NewExecutionSprint, soleCall: NonNullable<NewExecutionSprint['soleCall']>): Promise<void> {
    const row = sprintJson(write);
    if (typeof row !== 'string') throw row;
    const execution = write.execution;
    const pair = [execution.flowSid, execution.contactChannelAddress, execution.channelAddress];
    const outcome = await this.#transaction(async (client): Promise<SprintOutcome | { other: string }> => {
      await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`switchboard:${this.schema}:sole-call:${JSON.stringify(pair)}`]);
      const found = await this.#query(ACTIVE_CALL_SIDS_OF_PAIR, [...pair, soleCall.passing.length + 1], client);
      const other = soleCallConflict(write, found.map((r) => String(r.sid)));
      if (other) return { other };
      const answer = await this.#query('SELECT switchboard_apply_sprints(?::jsonb, ?) AS outcomes', [`[${row}]`, this.#channel], client);
      return (answer[0]!.outcomes as SprintOutcome[])[0]!;
    });
    if ('other' in outcome) throw new StoreConflictError('active-execution', `execution ${outcome.other} is already active on a call from ${execution.contactChannelAddress}`);
    if (!outcome.ok) throw sprintError(outcome, write);
  }

  async #commitSprints(writes: SprintWrite[]): Promise<SprintResult[]> {
    // A sprint that cannot be sent (a NUL character) fails alone, here: sent along, jsonb would refuse the whole batch.
    const results: SprintResult[] = new Array(writes.length);
    const rows: string[] = [];
    const sent: number[] = [];
    for (const i of lockOrder(writes)) {
      const write = writes[i]!;
      const row = sprintJson(write);
      if (typeof row === 'string') {
        rows.push(row);
        sent.push(i);
      } else {
        results[i] = { ok: false, error: row };
      }
    }
    if (rows.length === 0) return results;
    let outcomes: SprintOutcome[];
    try {
      outcomes = await this.#applySprints(rows);
    } catch (error) {
      // The database down or timing out fails every sprint alike. Anything else may be one sprint's
      // fault that the function could not isolate (the document's jsonb cast, or its size, fails
      // before any sprint runs): each sprint again in a call of its own, in order, so it fails alone.
      if (databaseUnavailableReason(error) !== null) throw error;
      outcomes = [];
      for (const row of rows) {
        try {
          outcomes.push(...(await this.#applySprints([row])));
        } catch (own) {
          outcomes.push(outcomeOf(own));
        }
      }
    }
    for (const [j, outcome] of outcomes.entries()) {
      const i = sent[j]!;
      results[i] = outcome.ok ? outcome : { ok: false, error: sprintError(outcome, writes[i]!) };
    }
    return results;
  }

  /** One round trip, one transaction: the sprints' outcomes, in order (rows: sprintJson's). */
  async #applySprints(rows: string[]): Promise<SprintOutcome[]> {
    const answer = await this.#query('SELECT switchboard_apply_sprints(?::jsonb, ?) AS outcomes', [`[${rows.join(',')}]`, this.#channel]);
    return answer[0]!.outcomes as SprintOutcome[];
  }

  async countActiveExecutions(): Promise<{ active: number; waiting: Record<string, number> }> {
    // What the deepest frame waits for, across every node; one scan of the active rows.
    const rows = await this.#query(
      // A state may hold a NUL or a lone surrogate, which jsonb refuses: jsonbOfText reads them as \ufffd.
      `SELECT ${jsonbOfText('state')}
         -> 'frames' -> -1 -> 'wait' ->> 'kind' AS kind, COUNT(*) AS n
       FROM executions WHERE status = 'active' GROUP BY 1`,
    );
    return toActiveCounts(rows);
  }

  async hasInboundReceipt(accountSid: string, key: string | readonly [string, ...string[]]): Promise<boolean> {
    const keys = typeof key === 'string' ? [key] : [...key];
    return (await this.#query('SELECT 1 AS found FROM inbound_receipts WHERE account_sid = ? AND key = ANY(?) LIMIT 1', [accountSid, keys])).length > 0;
  }

  async listInboundReceipts(accountSid: string, limit: number, after?: string): Promise<InboundReceipt[]> {
    const rows = after === undefined
      ? await this.#query(RECEIPTS_OF_ACCOUNT, [accountSid, limit])
      : await this.#query(RECEIPTS_OF_ACCOUNT_AFTER, [accountSid, after, limit]);
    return rows.map(toInboundReceipt);
  }

  async addInboundReceipts(receipts: readonly InboundReceipt[]): Promise<void> {
    if (receipts.length === 0) return;
    await this.#transaction(async (client) => {
      for (let at = 0; at < receipts.length; at += RECEIPTS_PER_INSERT) {
        const { sql, params } = receiptsInsertSql(receipts.slice(at, at + RECEIPTS_PER_INSERT));
        await this.#query(sql, params, client);
      }
    });
  }

  async listAlerts(accountSid: string, filter: AlertFilter, page: PageRequest): Promise<PageResult<AlertRecord>> {
    const { where, params } = alertFilterSql(accountSid, filter);
    return this.#pageBy({ table: 'alerts', key: 'seq', where, params, map: toAlert }, page);
  }

  async getAlert(accountSid: string, alertSid: string): Promise<AlertRecord | null> {
    const rows = await this.#query('SELECT * FROM alerts WHERE sid = ? AND account_sid = ?', [alertSid, accountSid]);
    return rows[0] ? toAlert(rows[0]) : null;
  }

  async addAlerts(alerts: AlertRecord[]): Promise<void> {
    if (alerts.length === 0) return;
    if (alerts.length <= ALERTS_PER_INSERT) {
      const { sql, params } = alertsInsertSql(alerts);
      await this.#query(sql, params);
      return;
    }
    await this.#transaction(async (client) => {
      for (let at = 0; at < alerts.length; at += ALERTS_PER_INSERT) {
        const { sql, params } = alertsInsertSql(alerts.slice(at, at + ALERTS_PER_INSERT));
        await this.#query(sql, params, client);
      }
    });
  }

  async pruneHistory(before: PruneCutoffs): Promise<number> {
    return this.#transaction(async (client) => {
      // A limit: a batch of each, picked off the kind's time index and deleted by key. SKIP LOCKED: nodes
      // pruning at once take different rows, and none waits on a row another transaction holds.
      const limit = before.limit ?? null;
      const deleted = (table: string, key: string, due: string, cutoff: number | undefined) =>
        cutoff === undefined ? 0 : this.#count(`DELETE FROM ${table} WHERE ${key} IN (SELECT ${columns(key)} ${due} LIMIT ? FOR UPDATE SKIP LOCKED)`, [cutoff, limit], client);
      let count = await deleted('inbound_receipts', '(account_sid, key)', RECEIPTS_DUE, before.receipts);
      count += await deleted('alerts', 'seq', ALERTS_DUE, before.alerts);
      count += await deleted('channel_records', 'key', CHANNEL_RECORDS_DUE, before.channelRecords);
      if (before.orphans) count += await this.#pruneOrphans(before.limit ?? null, client);
      if (before.executions) {
        const rows = await this.#query(PRUNE_EXECUTIONS, [before.executions.createdBefore, before.executions.limit], client);
        count += Number(rows[0]?.deleted ?? 0);
      }
      return count;
    });
  }

  /**
   * Rows of accounts that are gone (PruneCutoffs.orphans), at most `budget` in all (null: all): the
   * accounts found by their indexes (goneAccountsSql) and settings, then each one's rows, table by
   * table, as deleteAccount takes them.
   */
  async #pruneOrphans(budget: number | null, client: Queryable): Promise<number> {
    const gone = new Set<string>();
    for (const table of ACCOUNT_INDEXED_TABLES) {
      for (const row of await this.#query(goneAccountsSql(table), [budget], client)) gone.add(String(row.sid));
    }
    for (const row of await this.#query(GONE_ACCOUNTS_OF_SETTINGS, [budget], client)) gone.add(String(row.sid));
    let count = 0;
    for (const sid of gone) {
      for (const { table, where } of ACCOUNT_ROWS) {
        if (budget !== null && count >= budget) return count;
        const key = ROW_KEYS[table]!;
        const limit = budget === null ? null : budget - count;
        count += await this.#count(`DELETE FROM ${table} WHERE ${key} IN (SELECT ${columns(key)} FROM ${table} WHERE ${where} LIMIT ? FOR UPDATE SKIP LOCKED)`, [sid, limit], client);
      }
    }
    return count;
  }

  async getExecution(accountSid: string, flowSid: string, executionSid: string): Promise<ExecutionRecord | null> {
    const rows = await this.#query('SELECT * FROM executions WHERE sid = ? AND account_sid = ? AND flow_sid = ?', [executionSid, accountSid, flowSid]);
    return rows[0] ? toExecution(rows[0]) : null;
  }

  async getExecutionBySid(executionSid: string): Promise<ExecutionRecord | null> {
    const rows = await this.#query('SELECT * FROM executions WHERE sid = ?', [executionSid]);
    return rows[0] ? toExecution(rows[0]) : null;
  }

  async getExecutionStamp(accountSid: string, flowSid: string, executionSid: string): Promise<ExecutionStamp | null> {
    const rows = await this.#query(EXECUTION_STAMP, [executionSid, accountSid, flowSid]);
    return rows[0] ? toExecutionStamp(rows[0]) : null;
  }

  async listExecutionStandings(accountSid: string, flowSid: string, executionSids: readonly string[]): Promise<ExecutionStanding[]> {
    if (executionSids.length === 0) return [];
    // The few fields are read out of each state here, which never comes over whole; as JSON text, as SQLite's are.
    // A state may hold a NUL or a lone surrogate, which jsonb refuses: jsonbOfText reads them as \ufffd.
    const rows = await this.#query(
      `SELECT sid, status, (v -> 'endReason')::text AS end_reason,
         CASE WHEN jsonb_typeof(v -> 'frames') = 'array' THEN COALESCE((
           SELECT jsonb_agg(jsonb_build_object('current', f -> 'current', 'parentWidget', f -> 'parentWidget') ORDER BY i)
           FROM jsonb_array_elements(v -> 'frames') WITH ORDINALITY AS e(f, i)
         ), '[]'::jsonb)::text END AS frames
       FROM (SELECT sid, status, ${jsonbOfText('state')} AS v FROM executions WHERE account_sid = ? AND flow_sid = ? AND sid = ANY(?::text[])) standings`,
      [accountSid, flowSid, executionSids],
    );
    return rows.map(toExecutionStanding);
  }

  async loadExecution(executionSid: string): Promise<VersionedExecution | null> {
    const rows = await this.#query('SELECT * FROM executions WHERE sid = ?', [executionSid]);
    return rows[0] ? { record: toExecution(rows[0]), version: Number(rows[0].version) } : null;
  }

  async loadExecutions(executionSids: readonly string[]): Promise<Map<string, VersionedExecution>> {
    const rows = await this.#query('SELECT * FROM executions WHERE sid = ANY(?::text[])', [executionSids]);
    return new Map(rows.map((row) => [String(row.sid), { record: toExecution(row), version: Number(row.version) }]));
  }

  async findActiveExecution(flowSid: string, contactAddress: string, channelAddress: string): Promise<ExecutionRecord | null> {
    const rows = await this.#query(`SELECT * ${ACTIVE_FOR_PAIR}`, [flowSid, contactAddress, channelAddress]);
    return rows[0] ? toExecution(rows[0]) : null;
  }

  async findActiveExecutionSid(flowSid: string, contactAddress: string, channelAddress: string): Promise<string | null> {
    const rows = await this.#query(`SELECT sid ${ACTIVE_FOR_PAIR}`, [flowSid, contactAddress, channelAddress]);
    return rows[0] ? String(rows[0].sid) : null;
  }

  async listActiveExecutionsOfPair(flowSid: string, contactAddress: string, channelAddress: string, limit: number): Promise<ExecutionRecord[]> {
    return (await this.#query(ACTIVE_OF_PAIR, [flowSid, contactAddress, channelAddress, limit])).map(toExecution);
  }

  async listActiveExecutionSidsOfPair(flowSid: string, contactAddress: string, channelAddress: string, limit: number): Promise<string[]> {
    return (await this.#query(ACTIVE_SIDS_OF_PAIR, [flowSid, contactAddress, channelAddress, limit])).map((row) => String(row.sid));
  }

  async findActiveExecutionByCall(flowSid: string, callSid: string): Promise<ExecutionRecord | null> {
    const rows = await this.#query(ACTIVE_BY_CALL, [flowSid, callSid]);
    return rows[0] ? toExecution(rows[0]) : null;
  }

  async listExecutions(accountSid: string, flowSid: string, filter: ExecutionFilter, page: PageRequest): Promise<PageResult<ExecutionRecord>> {
    const { where, params } = executionFilterSql(accountSid, flowSid, filter);
    return this.#pageBy({ table: 'executions', key: 'seq', where, params, map: toExecution }, page);
  }

  async deleteExecution(accountSid: string, flowSid: string, executionSid: string): Promise<boolean> {
    // Steps, timers and effects go by ON DELETE CASCADE; its channel records in the same statement.
    const rows = await this.#query(
      `WITH gone AS (DELETE FROM executions WHERE sid = ? AND account_sid = ? AND flow_sid = ? RETURNING sid),
         records AS (DELETE FROM channel_records WHERE execution_sid IN (SELECT sid FROM gone))
       SELECT count(*) AS deleted FROM gone`,
      [executionSid, accountSid, flowSid],
    );
    return Number(rows[0]?.deleted ?? 0) > 0;
  }

  async listSteps(accountSid: string, flowSid: string, executionSid: string, page: PageRequest): Promise<PageResult<StepRecord>> {
    return this.#pageBy(
      { table: 'steps', key: 'seq', where: 'execution_sid = ? AND account_sid = ? AND flow_sid = ?', params: [executionSid, accountSid, flowSid], map: toStep, order: 'asc' },
      page,
    );
  }

  async getStep(accountSid: string, flowSid: string, executionSid: string, stepSid: string): Promise<StepRecord | null> {
    const rows = await this.#query('SELECT * FROM steps WHERE sid = ? AND execution_sid = ? AND account_sid = ? AND flow_sid = ?', [
      stepSid,
      executionSid,
      accountSid,
      flowSid,
    ]);
    return rows[0] ? toStep(rows[0]) : null;
  }

  async dueTimers(now: number, limit: number): Promise<TimerRecord[]> {
    return (await this.#query('SELECT * FROM timers WHERE due_at <= ? ORDER BY due_at, id LIMIT ?', [now, limit])).map(toTimer);
  }

  async expiredExecutions(createdBy: number, limit: number, after?: ExecutionAge): Promise<ExecutionAge[]> {
    const { sql, params } = expiredExecutionsSql(createdBy, limit, after);
    return (await this.#query(sql, params)).map(toExecutionAge);
  }

  async activeExecutionsOnCalls(createdBy: number, scan: number, after?: ExecutionAge): Promise<CallsScan> {
    const stretch = await this.expiredExecutions(createdBy, scan, after);
    if (stretch.length === 0) return { executions: [], scannedTo: null };
    // Only a state whose text names a call wait is read as jsonb (JSON.stringify, which writes every state,
    // leaves no space in it): most are never parsed. jsonbOfText reads a NUL or lone surrogate, which jsonb
    // refuses, as \ufffd.
    const topWaitIsCall = `strpos(state, '"kind":"call"') > 0 AND (${jsonbOfText('state')} -> 'frames' -> -1 -> 'wait' ->> 'kind') = 'call'`;
    const rows = await this.#query(onCallsAmongSql('sid = ANY(?::text[])', topWaitIsCall), [stretch.map((execution) => execution.sid)]);
    return { executions: rows.map(toExecution), scannedTo: stretch.at(-1)! };
  }

  async activeExecutionsWithAgents(accountSid: string, flowSid: string, limit: number, afterSid = ''): Promise<ExecutionRecord[]> {
    // As activeExecutionsOnCalls: only a state whose text names the wait is read as jsonb.
    const topWaitIsAgent = `strpos(state, '"kind":"virtual-agent"') > 0 AND (${jsonbOfText('state')} -> 'frames' -> -1 -> 'wait' ->> 'kind') = 'virtual-agent'`;
    return (await this.#query(withAgentsSql(topWaitIsAgent), [accountSid, flowSid, afterSid, limit])).map(toExecution);
  }

  async oldestActiveExecution(): Promise<number | null> {
    const rows = await this.#query(OLDEST_ACTIVE);
    return nullableNumber(rows[0]?.oldest);
  }

  async nextTimerDue(): Promise<number | null> {
    // The soonest unclaimed timer, or the soonest a claimed one can be taken over (LEAST skips NULLs).
    const rows = await this.#query(
      `SELECT LEAST((SELECT due_at FROM timers WHERE lease_until IS NULL ORDER BY due_at LIMIT 1),
                    (SELECT MIN(GREATEST(due_at, lease_until)) FROM timers WHERE lease_until IS NOT NULL)) AS due`,
    );
    return nullableNumber(rows[0]?.due);
  }

  async deleteTimer(id: string): Promise<void> {
    await this.#query('DELETE FROM timers WHERE id = ?', [id]);
  }

  async pendingEffects(limit: number): Promise<PendingEffect[]> {
    return (await this.#query('SELECT * FROM pending_effects ORDER BY seq LIMIT ?', [limit])).map(toEffect);
  }

  async deleteEffect(id: string): Promise<void> {
    await this.#query('DELETE FROM pending_effects WHERE id = ?', [id]);
  }

  // ---- claims and leases

  async claimDueTimers(now: number, lease: Lease, limit: number): Promise<TimerRecord[]> {
    // SKIP LOCKED: nodes claiming at the same moment split the due timers instead of queueing.
    // The soonest free timers (timers_unclaimed_by_due) and the soonest whose lease ran out (timers_claimed).
    // (Row locks are not allowed beside UNION: each part locks in a CTE of its own.)
    const rows = await this.#query(
      `WITH free AS (SELECT id, due_at FROM timers WHERE lease_until IS NULL AND due_at <= ? ORDER BY due_at, id LIMIT ? FOR UPDATE SKIP LOCKED),
            lapsed AS (SELECT id, due_at FROM timers WHERE lease_until IS NOT NULL AND lease_until < ? AND due_at <= ? ORDER BY due_at, id LIMIT ? FOR UPDATE SKIP LOCKED)
       UPDATE timers SET lease_owner = ?, lease_until = ?
       WHERE id IN (SELECT id FROM (SELECT id, due_at FROM free UNION ALL SELECT id, due_at FROM lapsed) AS due ORDER BY due_at, id LIMIT ?)
       RETURNING *`,
      [now, limit, now, now, limit, lease.owner, lease.until, limit],
    );
    return rows.map(toTimer).sort(byDueThenId);
  }

  async claimEffects(now: number, lease: Lease, limit: number): Promise<PendingEffect[]> {
    const rows = await this.#query(
      `UPDATE pending_effects SET lease_owner = ?, lease_until = ?
       WHERE id IN (SELECT id FROM pending_effects WHERE lease_until IS NULL OR lease_until < ?
                    ORDER BY seq LIMIT ? FOR UPDATE SKIP LOCKED)
       RETURNING *`,
      [lease.owner, lease.until, now, limit],
    );
    return rows.sort((a, b) => Number(a.seq) - Number(b.seq)).map(toEffect);
  }

  /**
   * On a connection of its own: a busy pool (every connection taken, requests queued) must not
   * delay the heartbeat past the lease, or live nodes would lose their claims under load.
   */
  async renewLeases(lease: Lease, held: { timers: string[]; effects: string[] }): Promise<void> {
    await this.#ready;
    if (this.#closed) return;
    if (!this.#heartbeat) {
      const client = new pg.Client(this.#clientConfig());
      client.on('error', () => {
        if (this.#heartbeat === connected) this.#heartbeat = null;
      });
      const connected = client.connect().then(() => client);
      this.#heartbeat = connected;
      connected.catch(() => {
        if (this.#heartbeat === connected) this.#heartbeat = null;
      });
    }
    const current = this.#heartbeat;
    const client = await current;
    try {
      if (held.timers.length > 0) {
        await this.#query('UPDATE timers SET lease_until = ? WHERE lease_owner = ? AND id = ANY(?::text[])', [lease.until, lease.owner, held.timers], client);
      }
      if (held.effects.length > 0) {
        await this.#query('UPDATE pending_effects SET lease_until = ? WHERE lease_owner = ? AND id = ANY(?::text[])', [lease.until, lease.owner, held.effects], client);
      }
    } catch (error) {
      if (this.#heartbeat === current) this.#heartbeat = null; // reconnect next beat
      await client.end().catch(() => undefined);
      throw error;
    }
  }

  async releaseLeases(owner: string): Promise<void> {
    await this.#transaction(async (client) => {
      await this.#query('UPDATE timers SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = ?', [owner], client);
      await this.#query('UPDATE pending_effects SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = ?', [owner], client);
      await this.#query('SELECT pg_notify(?, ?)', [this.#channel, ''], client);
    });
  }

  /** A session advisory lock on a connection of its own, so fn may use the whole pool meanwhile. */
  async exclusive<T>(name: string, fn: () => Promise<T>): Promise<T> {
    await this.#ready;
    const client = new pg.Client(this.#clientConfig({ statement_timeout: 0 }));
    // A dropped connection surfaces as a failed query (or releases the lock); it must not crash the process.
    client.on('error', () => undefined);
    await client.connect();
    try {
      await client.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [`switchboard:${this.schema}:${name}`]);
      return await fn();
    } finally {
      // Closing the session releases the lock even if the unlock is never reached.
      await client.end().catch(() => undefined);
    }
  }

  /**
   * Calls `listener` whenever a node (this one too) commits new timers (with the soonest due time)
   * or releases claims (null).
   * One LISTEN connection per store, opened on first use; returns the unsubscribe function.
   */
  async onWork(listener: (dueAt: number | null) => void): Promise<() => void> {
    this.#workListeners.add(listener);
    if (!this.#listener && !this.#closed) {
      await this.#ready;
      await this.#listen();
    }
    return () => void this.#workListeners.delete(listener);
  }

  #notifyWork(dueAt: number | null): void {
    for (const l of this.#workListeners) l(dueAt);
  }

  /**
   * The LISTEN connection. When it drops it is opened again (1 s, doubling to 30 s) and listeners are
   * told to look now, since notifications sent meanwhile were missed; until then nodes still poll.
   */
  async #listen(retryMs = 1000): Promise<void> {
    const client = new pg.Client(this.#clientConfig({ statement_timeout: 0 }));
    client.on('notification', (message) => {
      const dueAt = message.payload ? Number(message.payload) : null;
      this.#notifyWork(Number.isFinite(dueAt) ? dueAt : null);
    });
    let lost = false;
    const reconnect = () => {
      if (lost) return;
      lost = true;
      if (this.#listener === client) this.#listener = null;
      void client.end().catch(() => undefined);
      if (this.#closed) return;
      const timer = setTimeout(() => {
        if (this.#closed || this.#listener) return;
        this.#listen(Math.min(retryMs * 2, 30_000))
          .then(() => this.#notifyWork(null))
          .catch(() => undefined);
      }, retryMs);
      timer.unref();
    };
    client.on('error', reconnect);
    client.on('end', reconnect);
    this.#listener = client;
    try {
      await client.connect();
      await client.query(`LISTEN "${this.#channel}"`);
    } catch (error) {
      reconnect();
      throw error;
    }
  }

  // ---- paging

  /** Keyset paging (sql-paging.ts), one round trip a query. */
  #pageBy<T>(list: KeysetList<T>, page: PageRequest): Promise<PageResult<T>> {
    return runPlanAsync(planPage(list, page), (query) => this.#query(query.sql, query.params));
  }
}
