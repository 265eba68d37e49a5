// Rows of either SQL backend turned into the port's records. Both keep JSON as TEXT and times as
// epoch milliseconds; node-postgres returns BIGINT as strings and BOOLEAN as booleans, node:sqlite
// numbers and 0/1 — Number() and `flag()` read both.
import type { Account, AlertRecord, ApiKey, ChannelRecord, ExecutionAge, ExecutionRecord, ExecutionStamp, ExecutionStanding, FlowListItem, FlowRecord, InboundReceipt, PendingEffect, RevisionListItem, RevisionRecord, StepRecord, TimerRecord } from '../runtime/ports/store.ts';

export type Row = Record<string, unknown>;

export function nullableString(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}

export function nullableNumber(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}

/** A boolean column: true/false from PostgreSQL, 1/0 from SQLite. */
export function flag(value: unknown): boolean {
  return value === true || Number(value) === 1;
}

/** JSON text for a column; `undefined` is stored as null so it round-trips as null. */
export function json(value: unknown): string {
  return JSON.stringify(value ?? null);
}

export function toSetting(row: Row): { key: string; value: string } {
  return { key: String(row.key), value: String(row.value) };
}

export function toInboundReceipt(row: Row): InboundReceipt {
  return { accountSid: String(row.account_sid), key: String(row.key), receivedAt: Number(row.received_at) };
}

export function toChannelRecord(row: Row): ChannelRecord {
  return { key: String(row.key), accountSid: String(row.account_sid), executionSid: String(row.execution_sid), value: String(row.value), updatedAt: Number(row.updated_at) };
}

/**
 * The keys starting with `prefix` are those in [prefix, end): `end` is the prefix with its last
 * character moved up one, so a listing by prefix reads a range of the primary key (byte order).
 */
export function prefixEnd(prefix: string): string {
  if (prefix === '') return '\u{10FFFF}';
  return prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
}

export function toAccount(row: Row): Account {
  return {
    sid: String(row.sid),
    authToken: String(row.auth_token),
    friendlyName: String(row.friendly_name),
    dateCreated: Number(row.date_created),
    callbackSecret: String(row.callback_secret),
    ...(row.previous_callback_secret != null && row.previous_callback_secret_until != null
      ? { previousCallbackSecret: { secret: String(row.previous_callback_secret), until: Number(row.previous_callback_secret_until) } }
      : {}),
  };
}

export function toApiKey(row: Row): ApiKey {
  return {
    sid: String(row.sid),
    accountSid: String(row.account_sid),
    friendlyName: String(row.friendly_name),
    secretHash: String(row.secret_hash),
    dateCreated: Number(row.date_created),
  };
}

/**
 * The columns a flows list reads (toFlowListItem), `seq` for its positions: not the validation report,
 * which a list shows as null.
 */
export const FLOW_LIST_COLUMNS = 'seq, sid, account_sid, friendly_name, status, revision, published_revision, commit_message, author_sid, date_created, date_updated';

/** The columns a revisions list reads (toRevisionListItem): not the definition or the validation report. */
export const REVISION_LIST_COLUMNS = 'flow_sid, revision, account_sid, friendly_name, status, commit_message, author_sid, date_created, date_updated';

export function toFlowListItem(row: Row): FlowListItem {
  return {
    sid: String(row.sid),
    accountSid: String(row.account_sid),
    friendlyName: String(row.friendly_name),
    status: String(row.status) as FlowRecord['status'],
    revision: Number(row.revision),
    publishedRevision: nullableNumber(row.published_revision),
    ...commitFields(row),
  };
}

export function toFlow(row: Row): FlowRecord {
  return { ...toFlowListItem(row), ...validationFields(row) };
}

/** What a flow's head and each of its revisions record alike, and their lists show. */
function commitFields(row: Row): Pick<FlowListItem, 'commitMessage' | 'authorSid' | 'dateCreated' | 'dateUpdated'> {
  return {
    commitMessage: nullableString(row.commit_message),
    authorSid: nullableString(row.author_sid),
    dateCreated: Number(row.date_created),
    dateUpdated: nullableNumber(row.date_updated),
  };
}

/** The validation report a flow's head and each revision record alike (not read by their lists). */
function validationFields(row: Row): Pick<FlowRecord, 'valid' | 'errors' | 'warnings'> {
  return { valid: flag(row.valid), errors: JSON.parse(String(row.errors)), warnings: JSON.parse(String(row.warnings)) };
}

export function toRevisionListItem(row: Row): RevisionListItem {
  return {
    flowSid: String(row.flow_sid),
    accountSid: String(row.account_sid),
    revision: Number(row.revision),
    friendlyName: String(row.friendly_name),
    status: String(row.status) as RevisionRecord['status'],
    ...commitFields(row),
  };
}

export function toRevision(row: Row): RevisionRecord {
  return { ...toRevisionListItem(row), definition: JSON.parse(String(row.definition)), ...validationFields(row) };
}

export function toExecution(row: Row): ExecutionRecord {
  return {
    sid: String(row.sid),
    accountSid: String(row.account_sid),
    flowSid: String(row.flow_sid),
    flowVersion: Number(row.flow_version),
    contactSid: String(row.contact_sid),
    contactChannelAddress: String(row.contact_channel_address),
    channelAddress: String(row.channel_address),
    status: String(row.status) as ExecutionRecord['status'],
    initiatedBy: String(row.initiated_by),
    state: JSON.parse(String(row.state)),
    dateCreated: Number(row.date_created),
    dateUpdated: nullableNumber(row.date_updated),
  };
}

/** A row of either store's standings query: end_reason and frames are JSON text (SQL NULL: none). */
export function toExecutionStanding(row: Row): ExecutionStanding {
  return {
    sid: String(row.sid),
    status: String(row.status) as ExecutionStanding['status'],
    endReason: row.end_reason === null || row.end_reason === undefined ? null : JSON.parse(String(row.end_reason)),
    frames: row.frames === null || row.frames === undefined ? null : JSON.parse(String(row.frames)),
  };
}

export function toExecutionStamp(row: Row): ExecutionStamp {
  return { status: String(row.status) as ExecutionStamp['status'], version: Number(row.version) };
}

export function toExecutionAge(row: Row): ExecutionAge {
  return { sid: String(row.sid), dateCreated: Number(row.date_created) };
}

export function toStep(row: Row): StepRecord {
  return {
    sid: String(row.sid),
    accountSid: String(row.account_sid),
    flowSid: String(row.flow_sid),
    executionSid: String(row.execution_sid),
    parentStepSid: nullableString(row.parent_step_sid),
    name: String(row.name),
    context: JSON.parse(String(row.context)),
    transitionedFrom: String(row.transitioned_from),
    transitionedTo: String(row.transitioned_to),
    type: String(row.type),
    dateCreated: Number(row.date_created),
    dateUpdated: nullableNumber(row.date_updated),
  };
}

export function toAlert(row: Row): AlertRecord {
  return {
    sid: String(row.sid),
    accountSid: String(row.account_sid),
    flowSid: String(row.flow_sid),
    executionSid: String(row.execution_sid),
    logLevel: row.log_level === 'warning' ? 'warning' : 'error',
    errorCode: Number(row.error_code),
    text: String(row.text),
    dateCreated: Number(row.date_created),
  };
}

export function toTimer(row: Row): TimerRecord {
  return {
    id: String(row.id),
    executionSid: String(row.execution_sid),
    accountSid: String(row.account_sid),
    dueAt: Number(row.due_at),
  };
}

/** Timers in the order they fire: soonest first, then by id. */
export function byDueThenId(a: TimerRecord, b: TimerRecord): number {
  return a.dueAt - b.dueAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

export function toEffect(row: Row): PendingEffect {
  return {
    id: String(row.id),
    executionSid: String(row.execution_sid),
    accountSid: String(row.account_sid),
    payload: JSON.parse(String(row.payload)),
    createdAt: Number(row.created_at),
  };
}

/** `kind, n` rows (what the deepest frame of each active execution waits for) as the gauges' counts. */
export function toActiveCounts(rows: Row[]): { active: number; waiting: Record<string, number> } {
  let active = 0;
  const waiting: Record<string, number> = {};
  for (const row of rows) {
    active += Number(row.n);
    if (row.kind !== null && row.kind !== undefined) waiting[String(row.kind)] = Number(row.n);
  }
  return { active, waiting };
}
