// A sprint as the PostgreSQL store sends it to switchboard_apply_sprints (one JSON document per
// batch, its sprints' rows as arrays of parameters), and the error its caller sees when PostgreSQL
// refuses it. Serialised sprint by sprint, so that a sprint PostgreSQL cannot take fails alone.
import { StoreConflictError, versionToCheck, type SprintWrite } from '../../runtime/ports/store.ts';
import { DomainError } from '../../runtime/errors.ts';
import { effectInsertParams, alertInsertParams, executionInsertParams, stepParams } from '../sql-statements.ts';

export type SprintOutcome = { ok: true } | { ok: false; code: string; message: string; constraint: string | null };

/** A sprint as switchboard_apply_sprints reads it: each row's parameters, in column order. */
function sprintRow(write: SprintWrite): Record<string, unknown> {
  const execution = write.execution;
  const version = write.isNew ? null : versionToCheck(write);
  const soonest = write.wakeOthers && write.timersToAdd.length > 0 ? Math.min(...write.timersToAdd.map((t) => t.dueAt)) : undefined;
  return {
    sid: execution.sid,
    isNew: write.isNew,
    // An update's row keeps the active slot it has (the parameter is for inserts).
    execution: executionInsertParams(execution, !write.isNew || write.exclusive !== false),
    // switchboard_apply_sprint checks the version when there is one: 'unchecked' (copying a store) sends none.
    ...(version !== null ? { expectedVersion: version } : {}),
    ...(write.inboundReceipt ? { receipt: [write.inboundReceipt.accountSid, write.inboundReceipt.key, write.inboundReceipt.receivedAt] } : {}),
    ...(write.consumes ? { consumes: [write.consumes.kind, write.consumes.id, write.consumes.owner] } : {}),
    steps: write.steps.map(stepParams),
    timersToCancel: write.timersToCancel,
    timersToAdd: write.timersToAdd.map((timer) => [timer.id, timer.executionSid, timer.accountSid, timer.dueAt]),
    effectsDone: write.effectsDone,
    effects: write.effectsToAdd.map((effect) => effectInsertParams(effect, write.effectLease)),
    alerts: (write.alerts ?? []).map(alertInsertParams),
    ...(soonest !== undefined ? { wake: soonest } : {}),
  };
}

/**
 * A NUL character in some string of a sprint's JSON: JSON.stringify writes it as \u0000 (after a
 * backslash that is not itself escaped). jsonb refuses it, and so does every TEXT column.
 */
function hasNul(json: string): boolean {
  return json.includes('\\u0000') && /(?<!\\)(?:\\\\)*\\u0000/.test(json);
}

/** A \uD800-\uDFFF escape (not an escaped backslash followed by "ud800"); `$1` keeps the backslashes before it. */
const SURROGATE_ESCAPE = /(?<!\\)((?:\\\\)*)\\ud[89a-f][0-9a-f]{2}/g;

/**
 * JSON.stringify writes a lone UTF-16 surrogate (from a sliced string, an HTTP body, Liquid) as a
 * \udXXX escape, which jsonb refuses (22P02): it becomes U+FFFD, as node-postgres turns a lone
 * surrogate in a TEXT parameter into U+FFFD anyway. JSON.stringify writes a pair as the character
 * itself, never as escapes, so every such escape is a lone one. Scanned only when `\ud` occurs.
 */
function wellFormed(json: string): string {
  return json.includes('\\ud') ? json.replace(SURROGATE_ESCAPE, '$1\\ufffd') : json;
}

/**
 * PostgreSQL cannot store a NUL character in TEXT (SQLite can); code 22021 as PostgreSQL's own
 * refusal has, so the API answers 400 either way (src/api/wire/error-mapping.ts).
 */
function nulError(what: string): Error {
  return Object.assign(new Error(`${what} contains a NUL character (U+0000), which PostgreSQL cannot store`), { code: '22021' });
}

/** One sprint's JSON for the batch document, or why it cannot go (it then fails alone, before the batch). */
export function sprintJson(write: SprintWrite): string | Error {
  let json: string;
  try {
    json = JSON.stringify(sprintRow(write));
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
  if (hasNul(json)) return nulError(`the sprint of execution ${write.execution.sid}`);
  return wellFormed(json);
}

/** A pg error's SQLSTATE and constraint as an outcome, for sprintError. */
export function outcomeOf(error: unknown): Extract<SprintOutcome, { ok: false }> {
  const { code, constraint } = error as { code?: unknown; constraint?: unknown };
  return {
    ok: false,
    code: typeof code === 'string' ? code : '',
    message: error instanceof Error ? error.message : String(error),
    constraint: typeof constraint === 'string' ? constraint : null,
  };
}

/**
 * The error a failed sprint's caller sees: the runtime's conflicts as StoreConflictError, as from the
 * SQLite store; a value PostgreSQL refuses for what it is (class 22, data exception, e.g. malformed
 * input; class 54, a limit, e.g. an index row too big) as an invalid parameter (a 400 at the API, not a
 * 500), its SQLSTATE kept. A NUL (22021, 22P05) keeps its own error: the API names it.
 */
export function sprintError(outcome: Extract<SprintOutcome, { ok: false }>, write: SprintWrite): Error {
  switch (outcome.code) {
    case 'SB001':
      return new StoreConflictError('duplicate-inbound', outcome.message);
    case 'SB002':
      return new StoreConflictError('stale-claim', outcome.message);
    case 'SB003':
    // Two nodes' batches locking the same rows in different orders: run the sprint again from a fresh read.
    case '40P01':
    case '40001':
      return new StoreConflictError('version', outcome.message);
    case '23505':
      if (outcome.constraint === 'executions_one_active') {
        return new StoreConflictError('active-execution', `an execution is already active for ${write.execution.contactChannelAddress}`);
      }
      break;
    case '22021':
    case '22P05':
      break;
    default:
      if (outcome.code.startsWith('22') || outcome.code.startsWith('54')) {
        const refused = new DomainError('invalid-parameter', `A value of execution ${write.execution.sid} cannot be stored: ${outcome.message}`);
        return Object.assign(refused, { code: outcome.code });
      }
  }
  return Object.assign(new Error(outcome.message), { code: outcome.code, ...(outcome.constraint ? { constraint: outcome.constraint } : {}) });
}
