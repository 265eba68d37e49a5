// SQL both backends run verbatim: `?` placeholders (the PostgreSQL store numbers them) and the
// parameter lists that go with them, so a column added to a table is added in one place. SQL that
// differs by dialect (casts, upserts, locking) stays inside each backend.
import type { NewAccount, AlertFilter, InboundReceipt, AlertRecord, ApiKey, ExecutionAge, ExecutionFilter, ExecutionRecord, FlowRecord, Lease, PendingEffect, RevisionRecord, RevisionSelector, NewExecutionSprint, StepRecord } from '../runtime/ports/store.ts';
import { json } from './sql-rows.ts';

export type SqlValue = string | number | null;

export const INSERT_ACCOUNT = `INSERT INTO accounts (sid, auth_token, friendly_name, date_created, callback_secret, previous_callback_secret,
  previous_callback_secret_until) VALUES (?, ?, ?, ?, ?, ?, ?)`;

/**
 * An account given no callback secret keys its callback tokens by its auth token, as migration 12 did
 * for the accounts it found. A previous callback secret is written too (a copied store keeps it).
 */
export function accountInsertParams(account: NewAccount): SqlValue[] {
  const previous = account.previousCallbackSecret;
  return [account.sid, account.authToken, account.friendlyName, account.dateCreated, account.callbackSecret ?? account.authToken, previous?.secret ?? null, previous?.until ?? null];
}

/**
 * rotateCallbackSecret (Store) keeping the replaced secret until a time: the secret that keyed tokens
 * until now (the auth token for an empty one, as currentCallbackSecret reads it) is read in the same
 * statement, so two rotations at once cannot both keep the same previous one.
 */
const ROTATE_CALLBACK_SECRET_WITH_GRACE = `UPDATE accounts SET previous_callback_secret = CASE WHEN callback_secret = '' THEN auth_token ELSE callback_secret END,
  previous_callback_secret_until = ?, callback_secret = ? WHERE sid = ?`;

/** rotateCallbackSecret dropping the replaced secret at once (and any earlier previous one). */
const ROTATE_CALLBACK_SECRET_NOW = `UPDATE accounts SET previous_callback_secret = NULL, previous_callback_secret_until = NULL, callback_secret = ?
  WHERE sid = ?`;

export function rotateCallbackSecretSql(sid: string, callbackSecret: string, graceUntil: number | null): { sql: string; params: SqlValue[] } {
  return graceUntil === null
    ? { sql: ROTATE_CALLBACK_SECRET_NOW, params: [callbackSecret, sid] }
    : { sql: ROTATE_CALLBACK_SECRET_WITH_GRACE, params: [graceUntil, callbackSecret, sid] };
}

export const INSERT_API_KEY = 'INSERT INTO api_keys (sid, account_sid, friendly_name, secret_hash, date_created) VALUES (?, ?, ?, ?, ?)';

export function apiKeyInsertParams(key: ApiKey): SqlValue[] {
  return [key.sid, key.accountSid, key.friendlyName, key.secretHash, key.dateCreated];
}

export const INSERT_FLOW = `INSERT INTO flows (sid, account_sid, friendly_name, status, revision, published_revision, commit_message,
  author_sid, valid, errors, warnings, date_created, date_updated)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

export function flowInsertParams(flow: FlowRecord): SqlValue[] {
  return [flow.sid, flow.accountSid, ...flowHeadParams(flow), flow.dateCreated, flow.dateUpdated];
}

/** A flow's head moved to a new revision; matches no row of another account. */
export const UPDATE_FLOW_HEAD = `UPDATE flows SET friendly_name = ?, status = ?, revision = ?, published_revision = ?, commit_message = ?,
  author_sid = ?, valid = ?, errors = ?, warnings = ?, date_updated = ?
  WHERE sid = ? AND account_sid = ?`;

export function flowHeadUpdateParams(flow: FlowRecord): SqlValue[] {
  return [...flowHeadParams(flow), flow.dateUpdated, flow.sid, flow.accountSid];
}

function flowHeadParams(flow: FlowRecord): SqlValue[] {
  return [flow.friendlyName, flow.status, flow.revision, flow.publishedRevision, ...commitParams(flow)];
}

export const INSERT_REVISION = `INSERT INTO flow_revisions (flow_sid, revision, account_sid, friendly_name, definition, status, commit_message,
  author_sid, valid, errors, warnings, date_created, date_updated)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

export function revisionInsertParams(revision: RevisionRecord): SqlValue[] {
  return [
    revision.flowSid,
    revision.revision,
    revision.accountSid,
    revision.friendlyName,
    JSON.stringify(revision.definition),
    revision.status,
    ...commitParams(revision),
    revision.dateCreated,
    revision.dateUpdated,
  ];
}

/**
 * What a flow's head and each of its revisions record alike: the commit, its author and the
 * validation. `valid` as 1/0: SQLite keeps an INTEGER (it binds no booleans), PostgreSQL reads '1'/'0' as BOOLEAN.
 */
function commitParams(record: FlowRecord | RevisionRecord): SqlValue[] {
  return [record.commitMessage, record.authorSid, record.valid ? 1 : 0, JSON.stringify(record.errors), JSON.stringify(record.warnings)];
}

const REVISIONS_OF_FLOW = 'SELECT * FROM flow_revisions WHERE flow_sid = ? AND account_sid = ?';
const LATEST_REVISION = `${REVISIONS_OF_FLOW} ORDER BY revision DESC LIMIT 1`;
const LATEST_PUBLISHED = `${REVISIONS_OF_FLOW} AND status = 'published' ORDER BY revision DESC LIMIT 1`;
const NUMBERED_REVISION = `${REVISIONS_OF_FLOW} AND revision = ?`;

/**
 * The query for the revision a selector names (the latest, the latest published, or one by number), or null
 * for a number no revision can have (PostgreSQL's INTEGER column refuses a larger one with an error, which
 * would read as the store failing: a Run Subflow naming revision 99999999999 would be retried as if the
 * database were down instead of failing as not found).
 */
export function revisionSql(accountSid: string, flowSid: string, selector: RevisionSelector): { sql: string; params: SqlValue[] } | null {
  if (selector === 'LatestRevision') return { sql: LATEST_REVISION, params: [flowSid, accountSid] };
  if (selector === 'LatestPublished') return { sql: LATEST_PUBLISHED, params: [flowSid, accountSid] };
  if (!Number.isInteger(selector) || selector < 1 || selector > 2_147_483_647) return null;
  return { sql: NUMBERED_REVISION, params: [flowSid, accountSid, selector] };
}

export const INSERT_EXECUTION = `INSERT INTO executions (sid, account_sid, flow_sid, flow_version, contact_sid, contact_channel_address,
  channel_address, status, initiated_by, state, context, date_created, date_updated, active_slot, call_sid)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

/**
 * The call an execution drives now (its state's callSid: an inbound call's CallSid, or the call Make
 * Outgoing Call placed once it answered), kept in the call_sid column so a call webhook finds its
 * execution by index (findActiveExecutionByCall) wherever the execution's contact pair is.
 */
export function callSidOf(execution: ExecutionRecord): string | null {
  const callSid = (execution.state as { callSid?: unknown } | null)?.callSid;
  return typeof callSid === 'string' && callSid !== '' ? callSid : null;
}

/**
 * `exclusive` false: the execution does not hold its contact pair's one active slot (its own SID is its slot).
 * The PostgreSQL store's switchboard_apply_sprint reads these by position (migration 12's).
 */
export function executionInsertParams(execution: ExecutionRecord, exclusive: boolean): SqlValue[] {
  return [
    execution.sid,
    execution.accountSid,
    execution.flowSid,
    execution.flowVersion,
    execution.contactSid,
    execution.contactChannelAddress,
    execution.channelAddress,
    execution.status,
    execution.initiatedBy,
    json(execution.state),
    // The context column predates deriving the context from the state (ExecutionRecord.state); it is
    // no longer read, and each write empties it, so rows written before shrink as they are touched.
    '{}',
    execution.dateCreated,
    execution.dateUpdated,
    exclusive ? '' : execution.sid,
    callSidOf(execution),
  ];
}

/** The pair's active execution, the newest when its executions are not exclusive; prefix with the columns wanted. */
export const ACTIVE_FOR_PAIR = `FROM executions WHERE flow_sid = ? AND contact_channel_address = ? AND channel_address = ? AND status = 'active'
  ORDER BY seq DESC LIMIT 1`;

/**
 * A contact pair's active executions, newest first, at most `limit` (listActiveExecutionsOfPair): off
 * executions_active_by_pair. ACTIVE_FOR_PAIR's, with a limit.
 */
export const ACTIVE_OF_PAIR = `SELECT * FROM executions WHERE flow_sid = ? AND contact_channel_address = ? AND channel_address = ? AND status = 'active'
  ORDER BY seq DESC LIMIT ?`;

/** The SIDs ACTIVE_OF_PAIR's rows have, in its order (listActiveExecutionSidsOfPair): no state read. */
export const ACTIVE_SIDS_OF_PAIR = `SELECT sid FROM executions WHERE flow_sid = ? AND contact_channel_address = ? AND channel_address = ? AND status = 'active'
  ORDER BY seq DESC LIMIT ?`;

/**
 * The SIDs of a contact pair's active executions on a call (call_sid set), newest first, at most
 * `limit` (NewExecutionSprint.soleCall's check): off executions_active_by_pair, only when the flag is off.
 */
export const ACTIVE_CALL_SIDS_OF_PAIR = `SELECT sid FROM executions WHERE flow_sid = ? AND contact_channel_address = ? AND channel_address = ? AND status = 'active'
  AND call_sid IS NOT NULL ORDER BY seq DESC LIMIT ?`;

/**
 * NewExecutionSprint.soleCall's check on the rows ACTIVE_CALL_SIDS_OF_PAIR found (asked for one more than it
 * lets pass): the other call that refuses the write, if any.
 */
export function soleCallConflict(write: NewExecutionSprint, found: readonly string[]): string | null {
  const passing = new Set(write.soleCall?.passing ?? []);
  return found.find((sid) => sid !== write.execution.sid && !passing.has(sid)) ?? null;
}

/**
 * An execution's stamp (ExecutionStamp; parameters: execution, account, flow SIDs): its status and version,
 * never its state, which the row holds too (up to the context limit).
 */
export const EXECUTION_STAMP = 'SELECT status, version FROM executions WHERE sid = ? AND account_sid = ? AND flow_sid = ?';

/**
 * The flow's active execution driving a call, the newest should two claim it (parameters: flow SID,
 * CallSid), off the partial index executions_active_by_call (migration 12).
 */
export const ACTIVE_BY_CALL = `SELECT * FROM executions WHERE flow_sid = ? AND call_sid = ? AND status = 'active' ORDER BY seq DESC LIMIT 1`;

/**
 * Expiry: up to `limit` active executions created by `createdBy`, oldest first, after `after` when
 * given, read off the partial index executions_active_by_age (date_created, sid), paged by the same pair.
 */
export function expiredExecutionsSql(createdBy: number, limit: number, after?: ExecutionAge): { sql: string; params: SqlValue[] } {
  const keyset = after ? ' AND (date_created, sid) > (?, ?)' : '';
  return {
    sql: `SELECT sid, date_created FROM executions WHERE status = 'active' AND date_created <= ?${keyset} ORDER BY date_created, sid LIMIT ?`,
    params: after ? [createdBy, after.dateCreated, after.sid, limit] : [createdBy, limit],
  };
}

/**
 * The lost-call sweep (Store.activeExecutionsOnCalls): those of a stretch of active executions (one
 * expiredExecutionsSql page, their SIDs in `sidIn`, the backend's SQL for it) that may wait on a call,
 * whole, oldest first: those on a call (call_sid), and those whose deepest frame waits on one
 * (`topWaitIsCall`, the backend's SQL for it: both keep the state as JSON text), so the database looks
 * into a state only when call_sid is NULL, and only these few states are sent over and parsed. No index
 * finds the second kind: one would need the top wait's kind in a column every write keeps, or an
 * expression index parsing every state written, either a migration, for a sweep run once when a store
 * used alone starts. A stretch, not a page of matches: on a store of few calls, a page would look
 * through every active execution in one statement (about 2 s per 200,000 of 3 KB on SQLite, whose
 * statements hold the event loop), where a stretch at a time lets the sweep yield in between.
 */
export function onCallsAmongSql(sidIn: string, topWaitIsCall: string): string {
  return `SELECT * FROM executions WHERE ${sidIn} AND status = 'active' AND (call_sid IS NOT NULL OR (${topWaitIsCall})) ORDER BY date_created, sid`;
}
/** A flow's active executions whose deepest frame waits on a virtual agent (parameters: account, flow, after SID, limit). */
export function withAgentsSql(topWaitIsAgent: string): string {
  return `SELECT * FROM executions WHERE account_sid = ? AND flow_sid = ? AND status = 'active' AND sid > ? AND (${topWaitIsAgent}) ORDER BY sid LIMIT ?`;
}
export const OLDEST_ACTIVE = `SELECT MIN(date_created) AS oldest FROM executions WHERE status = 'active'`;

/**
 * Retention: up to `limit` ended executions created before a cut-off (parameters: the cut-off, the
 * limit), oldest first, read off the partial index executions_ended_by_age (date_created, sid).
 */
export const ENDED_BEFORE = `SELECT sid FROM executions WHERE status = 'ended' AND date_created < ? ORDER BY date_created, sid LIMIT ?`;

export const STEP_COLUMNS = `(sid, account_sid, flow_sid, execution_sid, parent_step_sid, name, context,
  transitioned_from, transitioned_to, type, date_created, date_updated)`;
export const STEP_PLACEHOLDERS = '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)';

export function stepParams(step: StepRecord): SqlValue[] {
  return [
    step.sid,
    step.accountSid,
    step.flowSid,
    step.executionSid,
    step.parentStepSid,
    step.name,
    json(step.context),
    step.transitionedFrom,
    step.transitionedTo,
    step.type,
    step.dateCreated,
    step.dateUpdated,
  ];
}

export const INSERT_EFFECT =
  'INSERT INTO pending_effects (id, execution_sid, account_sid, payload, created_at, lease_owner, lease_until) VALUES (?, ?, ?, ?, ?, ?, ?)';

/** A new effect, already claimed by `lease` when the writing node carries it out itself. */
export function effectInsertParams(effect: PendingEffect, lease: Lease | undefined): SqlValue[] {
  return [effect.id, effect.executionSid, effect.accountSid, json(effect.payload), effect.createdAt, lease?.owner ?? null, lease?.until ?? null];
}

export const INSERT_ALERT = `INSERT INTO alerts (sid, account_sid, flow_sid, execution_sid, log_level, error_code, text, date_created)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?)`;

export function alertInsertParams(alert: AlertRecord): SqlValue[] {
  return [alert.sid, alert.accountSid, alert.flowSid, alert.executionSid, alert.logLevel, alert.errorCode, alert.text, alert.dateCreated];
}

/** Alerts one multi-row insert takes at most (8 parameters each: well within both databases' limits). */
export const ALERTS_PER_INSERT = 500;

/** One insert of up to ALERTS_PER_INSERT alerts, in their order (seq follows it). */
export function alertsInsertSql(alerts: readonly AlertRecord[]): { sql: string; params: SqlValue[] } {
  return {
    sql: `INSERT INTO alerts (sid, account_sid, flow_sid, execution_sid, log_level, error_code, text, date_created) VALUES ${alerts.map(() => '(?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
    params: alerts.flatMap(alertInsertParams),
  };
}

/**
 * WHERE clause and parameters of an execution list: contact address (exact), status, created from
 * (inclusive) and to (exclusive). With a contact address, executions_by_contact serves it.
 */
export function executionFilterSql(accountSid: string, flowSid: string, filter: ExecutionFilter): { where: string; params: (string | number)[] } {
  return narrowed('account_sid = ? AND flow_sid = ?', [accountSid, flowSid], [
    ['contact_channel_address = ?', filter.contactAddress],
    ['status = ?', filter.status],
    ['date_created >= ?', filter.dateCreatedFrom],
    ['date_created < ?', filter.dateCreatedTo],
  ]);
}

/**
 * WHERE clause and parameters of an alert list: log level, execution, start date (inclusive), end
 * date (exclusive). With an execution, alerts_by_execution serves it (both its columns are equal).
 */
export function alertFilterSql(accountSid: string, filter: AlertFilter): { where: string; params: (string | number)[] } {
  return narrowed('account_sid = ?', [accountSid], [
    ['execution_sid = ?', filter.executionSid],
    ['log_level = ?', filter.logLevel],
    ['date_created >= ?', filter.startDate],
    ['date_created < ?', filter.endDate],
  ]);
}

/** `where` and its params, ANDed with each condition (a `?` clause) whose filter value is given. */
function narrowed(
  where: string,
  params: (string | number)[],
  conditions: [clause: string, value: string | number | undefined][],
): { where: string; params: (string | number)[] } {
  for (const [clause, value] of conditions) {
    if (value === undefined) continue;
    where += ` AND ${clause}`;
    params.push(value);
  }
  return { where, params };
}

// ---- an account's rows, and the rows of accounts that are gone

/**
 * Whether the account exists, read in the transaction of a write that belongs to it (createFlow,
 * saveFlowRevision, setAccountSetting): one that raced the account's deletion then writes nothing.
 * PostgreSQL appends FOR KEY SHARE, holding the row until the commit: deleteAccount (FOR UPDATE)
 * waits for the write, and then deletes what it wrote, or the write waits and finds the account gone.
 * A token rotation (an UPDATE of no key column) is not held up.
 */
export const ACCOUNT_EXISTS = 'SELECT 1 AS found FROM accounts WHERE sid = ?';

/**
 * A channel record put unless its execution was deleted since (ChannelRecordWrite.unlessDeleted;
 * parameters: the record's five columns, the execution SID, and with `orStillThere` the key again):
 * written while the execution exists, or (`orStillThere`) over a record still under its key, which the
 * execution's deletion would have taken. PostgreSQL replaces a record still there with an UPDATE first
 * and runs this only when none was, with `lock` FOR KEY SHARE: a delete racing the write waits for it
 * and takes the record along. The casts type the SELECT's parameters for PostgreSQL.
 */
export function channelRecordUnlessDeletedSql(options: { lock?: string; orStillThere?: boolean } = {}): string {
  const stillThere = options.orStillThere ? ' OR EXISTS (SELECT 1 FROM channel_records WHERE key = ?)' : '';
  return `INSERT INTO channel_records (key, account_sid, execution_sid, value, updated_at)
    SELECT CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS BIGINT)
    WHERE EXISTS (SELECT 1 FROM executions WHERE sid = ?${options.lock ?? ''})${stillThere}
    ON CONFLICT (key) DO UPDATE SET account_sid = excluded.account_sid, execution_sid = excluded.execution_sid, value = excluded.value, updated_at = excluded.updated_at`;
}

/**
 * Retention, a bounded batch at a time: the rows of each kind due (parameter: the cut-off), to be
 * prefixed with the columns that key them and suffixed with a LIMIT. Read off inbound_receipts_by_time,
 * alerts_by_time and channel_records_by_time.
 */
/** An account's inbound receipts in key order (listInboundReceipts), all of them or those after a key; its primary key serves both. */
export const RECEIPTS_OF_ACCOUNT = 'SELECT account_sid, key, received_at FROM inbound_receipts WHERE account_sid = ? ORDER BY key LIMIT ?';
export const RECEIPTS_OF_ACCOUNT_AFTER = 'SELECT account_sid, key, received_at FROM inbound_receipts WHERE account_sid = ? AND key > ? ORDER BY key LIMIT ?';

/** Receipts written as they are (addInboundReceipts); one already there is kept. */
export const RECEIPTS_PER_INSERT = 500;

export function receiptsInsertSql(receipts: readonly InboundReceipt[]): { sql: string; params: SqlValue[] } {
  return {
    sql: `INSERT INTO inbound_receipts (account_sid, key, received_at) VALUES ${receipts.map(() => '(?, ?, ?)').join(', ')} ON CONFLICT DO NOTHING`,
    params: receipts.flatMap((receipt) => [receipt.accountSid, receipt.key, receipt.receivedAt]),
  };
}

export const RECEIPTS_DUE = 'FROM inbound_receipts WHERE received_at < ?';
export const ALERTS_DUE = 'FROM alerts WHERE date_created < ?';
export const CHANNEL_RECORDS_DUE = `FROM channel_records WHERE updated_at < ?
  AND NOT EXISTS (SELECT 1 FROM executions e WHERE e.sid = channel_records.execution_sid AND e.status = 'active')`;

/**
 * The tables whose rows name an account by an indexed account_sid column (its index leads with it),
 * searched for accounts that are gone: executions (executions_by_flow), flows (flows_by_account),
 * alerts (alerts_by_account), inbound receipts (their primary key) and channel records
 * (channel_records_by_account). Revisions go with their flows; api_keys have a foreign key to accounts.
 */
export const ACCOUNT_INDEXED_TABLES = ['executions', 'flows', 'alerts', 'inbound_receipts', 'channel_records'] as const;

/**
 * The accounts `table` has rows of that are no longer in accounts (at most `limit`). A loose index scan
 * of its account index, one probe per account that has rows, not a read of every row: this runs every
 * hour on tables of millions of rows.
 */
export function goneAccountsSql(table: (typeof ACCOUNT_INDEXED_TABLES)[number]): string {
  return `WITH RECURSIVE named(sid) AS (
      SELECT (SELECT account_sid FROM ${table} ORDER BY account_sid LIMIT 1)
      UNION ALL
      SELECT (SELECT account_sid FROM ${table} WHERE account_sid > named.sid ORDER BY account_sid LIMIT 1) FROM named WHERE named.sid IS NOT NULL)
    SELECT sid FROM named WHERE sid IS NOT NULL AND NOT EXISTS (SELECT 1 FROM accounts a WHERE a.sid = named.sid) LIMIT ?`;
}

/**
 * The accounts named by settings keyed `<name>:<AccountSid>` (deleteAccount's convention) that are no
 * longer in accounts (at most `limit`). The settings table is small: read whole.
 */
export const GONE_ACCOUNTS_OF_SETTINGS = `SELECT DISTINCT substr(key, length(key) - 33) AS sid FROM settings
  WHERE length(key) >= 36 AND substr(key, length(key) - 34, 3) = ':AC'
    AND NOT EXISTS (SELECT 1 FROM accounts a WHERE a.sid = substr(settings.key, length(settings.key) - 33))
  LIMIT ?`;

/**
 * The tables an account's rows are deleted from, in this order (executions before their flows: their
 * steps, timers and effects go with them by ON DELETE CASCADE), each with the WHERE clause that finds
 * the account's rows (parameter: the account SID). Settings by `<name>:<AccountSid>` key.
 */
export const ACCOUNT_ROWS: readonly { table: string; where: string }[] = [
  { table: 'executions', where: 'account_sid = ?' },
  { table: 'flow_revisions', where: 'account_sid = ?' },
  { table: 'flows', where: 'account_sid = ?' },
  { table: 'alerts', where: 'account_sid = ?' },
  { table: 'inbound_receipts', where: 'account_sid = ?' },
  { table: 'channel_records', where: 'account_sid = ?' },
  // Exactly the key's `:<AccountSid>` end: SQLite's LIKE ignores case, so `AC<UPPER HEX>` matched another account's key.
  { table: 'settings', where: "substr(key, length(key) - 34) = ':' || CAST(? AS TEXT)" },
];
