// SQL both backends run verbatim: `?` placeholders (the PostgreSQL store numbers them) and the
// parameter lists that go with them, so a column added to a table is added in one place. SQL that
// differs by dialect (casts, upserts, locking) stays inside each backend.
import type { NewAccount, AlertFilter, AlertRecord, ApiKey, ExecutionAge, ExecutionFilter, ExecutionRecord, FlowRecord, Lease, PendingEffect, RevisionRecord, RevisionSelector, StepRecord } from '../runtime/ports/store.ts';
import { json } from './sql-rows.ts';

export type SqlValue = string | number | null;

export const INSERT_ACCOUNT = 'INSERT INTO accounts (sid, auth_token, friendly_name, date_created, callback_secret) VALUES (?, ?, ?, ?, ?)';

/** An account given no callback secret keys its callback tokens by its auth token, as migration 12 did for the accounts it found. */
export function accountInsertParams(account: NewAccount): SqlValue[] {
  return [account.sid, account.authToken, account.friendlyName, account.dateCreated, account.callbackSecret ?? account.authToken];
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

/** The revision a selector names: the latest, the latest published, or one by number. */
export function revisionSql(accountSid: string, flowSid: string, selector: RevisionSelector): { sql: string; params: SqlValue[] } {
  if (selector === 'LatestRevision') return { sql: LATEST_REVISION, params: [flowSid, accountSid] };
  if (selector === 'LatestPublished') return { sql: LATEST_PUBLISHED, params: [flowSid, accountSid] };
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
