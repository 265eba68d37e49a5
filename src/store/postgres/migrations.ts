// Versioned schema migrations for the PostgreSQL store, applied by migrate.ts: each runs once, in order,
// under an advisory lock, so nodes starting together migrate exactly once; schema_migrations records
// how far a schema has come. Times are epoch milliseconds (BIGINT) and JSON is kept as TEXT so every
// value round-trips byte for byte, as in the SQLite store.

import { jsonbOfText } from './jsonb-text.ts';

/** An index on a table that may already hold many rows: built CONCURRENTLY, so writes to it go on meanwhile. */
export interface ConcurrentIndex {
  readonly name: string;
  readonly unique?: boolean;
  /** What follows the name: `ON table(columns) [WHERE ...]`. */
  readonly on: string;
}

/**
 * A migration that builds indexes on existing tables. `sql` runs in the migration's transaction (with
 * its version's record); each index is then built CONCURRENTLY, outside any transaction (PostgreSQL
 * allows no other way); `then` (optional: drops what the indexes replace) runs in a last transaction,
 * which marks the migration complete. Indexes on a table the same migration creates belong in `sql`:
 * nobody sees that table before the commit.
 */
export interface StagedMigration {
  readonly sql: string;
  readonly indexes: readonly ConcurrentIndex[];
  readonly then?: string;
}

/** A plain string runs whole in one transaction. */
export type PostgresMigration = string | StagedMigration;

export function createIndexSql(index: ConcurrentIndex, concurrently: boolean): string {
  return `CREATE ${index.unique ? 'UNIQUE ' : ''}INDEX ${concurrently ? 'CONCURRENTLY ' : ''}${index.name} ${index.on}`;
}

/**
 * The migration as one transaction, indexes built the plain way: for an empty schema (nobody can be
 * waiting on its tables) and what Switchboard before staged migrations ran.
 */
export function inlineSql(migration: PostgresMigration): string {
  if (typeof migration === 'string') return migration;
  return [migration.sql, ...migration.indexes.map((index) => `${createIndexSql(index, false)};`), migration.then ?? ''].join('\n');
}

/**
 * What switchboard_apply_sprint writes beside the execution row: steps, timers, effects and alerts, in the
 * order given. Migrations 5 and 12 define the function with the same tail (12 only changes the row itself).
 */
const SPRINT_CHILD_ROWS = `    INSERT INTO steps (sid, account_sid, flow_sid, execution_sid, parent_step_sid, name, context,
      transitioned_from, transitioned_to, type, date_created, date_updated)
    SELECT s->>0, s->>1, s->>2, s->>3, s->>4, s->>5, s->>6, s->>7, s->>8, s->>9, (s->>10)::bigint, (s->>11)::bigint
      FROM jsonb_array_elements(w->'steps') WITH ORDINALITY AS t(s, n) ORDER BY n;
    IF jsonb_array_length(w->'timersToCancel') > 0 THEN
      DELETE FROM timers WHERE execution_sid = w->>'sid' AND id IN (SELECT jsonb_array_elements_text(w->'timersToCancel'));
    END IF;
    INSERT INTO timers (id, execution_sid, account_sid, due_at)
    SELECT t->>0, t->>1, t->>2, (t->>3)::bigint FROM jsonb_array_elements(w->'timersToAdd') AS x(t);
    IF jsonb_array_length(w->'effectsDone') > 0 THEN
      DELETE FROM pending_effects WHERE execution_sid = w->>'sid' AND id IN (SELECT jsonb_array_elements_text(w->'effectsDone'));
    END IF;
    IF p->>7 = 'ended' THEN DELETE FROM pending_effects WHERE execution_sid = w->>'sid'; END IF;
    INSERT INTO pending_effects (id, execution_sid, account_sid, payload, created_at, lease_owner, lease_until)
    SELECT e->>0, e->>1, e->>2, e->>3, (e->>4)::bigint, e->>5, (e->>6)::bigint
      FROM jsonb_array_elements(w->'effects') WITH ORDINALITY AS t(e, n) ORDER BY n;
    INSERT INTO alerts (sid, account_sid, flow_sid, execution_sid, log_level, error_code, text, date_created)
    SELECT a->>0, a->>1, a->>2, a->>3, a->>4, (a->>5)::integer, a->>6, (a->>7)::bigint
      FROM jsonb_array_elements(w->'alerts') WITH ORDINALITY AS t(a, n) ORDER BY n;`;

export const POSTGRES_MIGRATIONS: readonly PostgresMigration[] = [
  // 1: accounts, keys, settings, flows, revisions, test users
  `
  CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  CREATE TABLE accounts (
    sid TEXT PRIMARY KEY,
    auth_token TEXT NOT NULL,
    friendly_name TEXT NOT NULL,
    date_created BIGINT NOT NULL
  );
  CREATE TABLE api_keys (
    sid TEXT PRIMARY KEY,
    account_sid TEXT NOT NULL REFERENCES accounts(sid),
    friendly_name TEXT NOT NULL,
    secret_hash TEXT NOT NULL,
    date_created BIGINT NOT NULL
  );
  CREATE TABLE flows (
    seq BIGSERIAL PRIMARY KEY,
    sid TEXT NOT NULL UNIQUE,
    account_sid TEXT NOT NULL,
    friendly_name TEXT NOT NULL,
    status TEXT NOT NULL,
    revision INTEGER NOT NULL,
    published_revision INTEGER,
    commit_message TEXT,
    author_sid TEXT,
    valid BOOLEAN NOT NULL,
    errors TEXT NOT NULL,
    warnings TEXT NOT NULL,
    test_users TEXT NOT NULL DEFAULT '[]',
    date_created BIGINT NOT NULL,
    date_updated BIGINT
  );
  CREATE INDEX flows_by_account ON flows(account_sid, seq);
  CREATE TABLE flow_revisions (
    flow_sid TEXT NOT NULL,
    revision INTEGER NOT NULL,
    account_sid TEXT NOT NULL,
    friendly_name TEXT NOT NULL,
    definition TEXT NOT NULL,
    status TEXT NOT NULL,
    commit_message TEXT,
    author_sid TEXT,
    valid BOOLEAN NOT NULL,
    errors TEXT NOT NULL,
    warnings TEXT NOT NULL,
    date_created BIGINT NOT NULL,
    date_updated BIGINT,
    PRIMARY KEY (flow_sid, revision)
  );
  `,
  // 2: executions (with a version for optimistic concurrency), steps, timers and pending effects
  // (with leases, so a node's claimed work passes to another node when it dies).
  `
  CREATE TABLE executions (
    seq BIGSERIAL PRIMARY KEY,
    sid TEXT NOT NULL UNIQUE,
    account_sid TEXT NOT NULL,
    flow_sid TEXT NOT NULL REFERENCES flows(sid) ON DELETE CASCADE,
    flow_version INTEGER NOT NULL,
    contact_sid TEXT NOT NULL,
    contact_channel_address TEXT NOT NULL,
    channel_address TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('active', 'ended')),
    initiated_by TEXT NOT NULL,
    state TEXT NOT NULL,
    context TEXT NOT NULL,
    date_created BIGINT NOT NULL,
    date_updated BIGINT,
    version INTEGER NOT NULL DEFAULT 1
  );
  CREATE INDEX executions_by_flow ON executions(account_sid, flow_sid, seq);
  CREATE UNIQUE INDEX executions_one_active ON executions(flow_sid, contact_channel_address, channel_address)
    WHERE status = 'active';
  CREATE TABLE steps (
    seq BIGSERIAL PRIMARY KEY,
    sid TEXT NOT NULL UNIQUE,
    account_sid TEXT NOT NULL,
    flow_sid TEXT NOT NULL,
    execution_sid TEXT NOT NULL REFERENCES executions(sid) ON DELETE CASCADE,
    parent_step_sid TEXT,
    name TEXT NOT NULL,
    context TEXT NOT NULL,
    transitioned_from TEXT NOT NULL,
    transitioned_to TEXT NOT NULL,
    type TEXT NOT NULL,
    date_created BIGINT NOT NULL,
    date_updated BIGINT
  );
  CREATE INDEX steps_by_execution ON steps(execution_sid, seq);
  CREATE TABLE timers (
    id TEXT PRIMARY KEY,
    execution_sid TEXT NOT NULL REFERENCES executions(sid) ON DELETE CASCADE,
    account_sid TEXT NOT NULL,
    due_at BIGINT NOT NULL,
    lease_owner TEXT,
    lease_until BIGINT
  );
  CREATE INDEX timers_by_due ON timers(due_at, id);
  CREATE INDEX timers_by_execution ON timers(execution_sid);
  CREATE INDEX timers_claimed ON timers(lease_until) WHERE lease_until IS NOT NULL;
  CREATE TABLE pending_effects (
    seq BIGSERIAL PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    execution_sid TEXT NOT NULL REFERENCES executions(sid) ON DELETE CASCADE,
    account_sid TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    lease_owner TEXT,
    lease_until BIGINT
  );
  CREATE INDEX pending_effects_by_execution ON pending_effects(execution_sid);
  `,
  // 3: receipts of inbound webhooks already run (Twilio retries carry the same idempotency token)
  // and the engine's warnings and errors as Debugger alerts.
  `
  CREATE TABLE inbound_receipts (
    account_sid TEXT NOT NULL,
    key TEXT NOT NULL,
    received_at BIGINT NOT NULL,
    PRIMARY KEY (account_sid, key)
  );
  CREATE INDEX inbound_receipts_by_time ON inbound_receipts(received_at);
  CREATE TABLE alerts (
    seq BIGSERIAL PRIMARY KEY,
    sid TEXT NOT NULL UNIQUE,
    account_sid TEXT NOT NULL,
    flow_sid TEXT NOT NULL,
    execution_sid TEXT NOT NULL,
    log_level TEXT NOT NULL,
    error_code INTEGER NOT NULL,
    text TEXT NOT NULL,
    date_created BIGINT NOT NULL
  );
  CREATE INDEX alerts_by_account ON alerts(account_sid, seq);
  CREATE INDEX alerts_by_time ON alerts(date_created);
  `,
  // 4: "one active execution per contact pair" becomes configurable: an execution that holds the
  // pair's slot has active_slot '' (unique among active ones); one that does not uses its own SID.
  // The new unique index is built beside the old one, which it then replaces under its name.
  {
    sql: `ALTER TABLE executions ADD COLUMN active_slot TEXT NOT NULL DEFAULT '';`,
    indexes: [
      { name: 'executions_one_active_by_slot', unique: true, on: `ON executions(flow_sid, contact_channel_address, channel_address, active_slot) WHERE status = 'active'` },
      { name: 'executions_active_by_pair', on: `ON executions(flow_sid, contact_channel_address, channel_address, seq) WHERE status = 'active'` },
    ],
    then: `
    DROP INDEX executions_one_active;
    ALTER INDEX executions_one_active_by_slot RENAME TO executions_one_active;
    `,
  },
  // 5: group commit in one round trip. A batch of sprints arrives as one JSON document whose values
  // are the rows' parameters exactly as the Node side made them (JSON columns as text, so they stay
  // byte for byte). The whole batch runs in one block first; only if a sprint fails is that block
  // rolled back and the batch run again with a block (a subtransaction) per sprint, so that one fails
  // alone, with its SQLSTATE. (A subtransaction per sprint every time would also do, but PostgreSQL
  // keeps at most 64 of a transaction's in its snapshots: past that every other session's visibility
  // checks look them up, a known slowdown, and a batch can hold hundreds of sprints.) Conflicts the
  // runtime retries use codes of their own: SB001 duplicate inbound, SB002 stale claim, SB003
  // version, SB004 missing execution.
  `
  CREATE FUNCTION switchboard_apply_sprint(w jsonb) RETURNS void LANGUAGE plpgsql AS $fn$
  DECLARE
    p jsonb;
    changed integer;
  BEGIN
    IF w ? 'receipt' THEN
      p := w->'receipt';
      INSERT INTO inbound_receipts (account_sid, key, received_at) VALUES (p->>0, p->>1, (p->>2)::bigint) ON CONFLICT DO NOTHING;
      GET DIAGNOSTICS changed = ROW_COUNT;
      IF changed = 0 THEN RAISE EXCEPTION 'inbound % was already run', p->>1 USING ERRCODE = 'SB001'; END IF;
    END IF;
    IF w ? 'consumes' THEN
      p := w->'consumes';
      IF p->>0 = 'timer' THEN
        PERFORM 1 FROM timers WHERE id = p->>1 AND execution_sid = w->>'sid' AND lease_owner = p->>2 FOR UPDATE;
      ELSE
        PERFORM 1 FROM pending_effects WHERE id = p->>1 AND execution_sid = w->>'sid' AND lease_owner = p->>2 FOR UPDATE;
      END IF;
      IF NOT FOUND THEN RAISE EXCEPTION '% % is no longer held by %', p->>0, p->>1, p->>2 USING ERRCODE = 'SB002'; END IF;
    END IF;
    p := w->'execution';
    IF (w->>'isNew')::boolean THEN
      INSERT INTO executions (sid, account_sid, flow_sid, flow_version, contact_sid, contact_channel_address,
        channel_address, status, initiated_by, state, context, date_created, date_updated, active_slot)
      VALUES (p->>0, p->>1, p->>2, (p->>3)::integer, p->>4, p->>5, p->>6, p->>7, p->>8, p->>9, p->>10,
        (p->>11)::bigint, (p->>12)::bigint, p->>13);
    ELSE
      UPDATE executions SET flow_version = (p->>3)::integer, contact_sid = p->>4, contact_channel_address = p->>5,
          channel_address = p->>6, status = p->>7, initiated_by = p->>8, state = p->>9, context = p->>10,
          date_updated = (p->>12)::bigint, version = version + 1
        WHERE sid = p->>0 AND account_sid = p->>1 AND flow_sid = p->>2
          AND (w->>'expectedVersion' IS NULL OR version = (w->>'expectedVersion')::integer);
      GET DIAGNOSTICS changed = ROW_COUNT;
      IF changed = 0 THEN
        IF w->>'expectedVersion' IS NOT NULL THEN
          RAISE EXCEPTION 'execution % changed since version % (or is gone)', p->>0, w->>'expectedVersion' USING ERRCODE = 'SB003';
        END IF;
        RAISE EXCEPTION 'execution % does not exist', p->>0 USING ERRCODE = 'SB004';
      END IF;
    END IF;
${SPRINT_CHILD_ROWS}  END
  $fn$;

  CREATE FUNCTION switchboard_apply_sprints(batch jsonb, channel text) RETURNS jsonb LANGUAGE plpgsql AS $fn$
  DECLARE
    w jsonb;
    outcomes jsonb := '[]'::jsonb;
    soonest bigint;
    failed_constraint text;
    all_applied boolean := false;
  BEGIN
    SELECT MIN((value->>'wake')::bigint) INTO soonest FROM jsonb_array_elements(batch) WHERE value ? 'wake';
    BEGIN
      FOR w IN SELECT value FROM jsonb_array_elements(batch) LOOP
        PERFORM switchboard_apply_sprint(w);
      END LOOP;
      all_applied := true;
    EXCEPTION WHEN OTHERS THEN
      all_applied := false; -- rolled back: run again, one block per sprint
    END;
    IF all_applied THEN
      SELECT jsonb_agg(jsonb_build_object('ok', true)) INTO outcomes FROM jsonb_array_elements(batch);
    ELSE
      soonest := NULL;
      FOR w IN SELECT value FROM jsonb_array_elements(batch) LOOP
        BEGIN
          PERFORM switchboard_apply_sprint(w);
          IF w ? 'wake' THEN soonest := LEAST(COALESCE(soonest, (w->>'wake')::bigint), (w->>'wake')::bigint); END IF;
          outcomes := outcomes || jsonb_build_array(jsonb_build_object('ok', true));
        EXCEPTION WHEN OTHERS THEN
          GET STACKED DIAGNOSTICS failed_constraint = CONSTRAINT_NAME;
          outcomes := outcomes || jsonb_build_array(jsonb_build_object('ok', false, 'code', SQLSTATE, 'message', SQLERRM, 'constraint', failed_constraint));
        END;
      END LOOP;
    END IF;
    -- Delivered at COMMIT: other nodes look at the timer queue now rather than at their next poll.
    IF soonest IS NOT NULL THEN PERFORM pg_notify(channel, soonest::text); END IF;
    RETURN COALESCE(outcomes, '[]'::jsonb);
  END
  $fn$;
  `,
  // 6: executions expire by their creation time, read off an index on the active ones, instead of by
  // a timer row each (SQLite migration 6). The expiry timers ('EX…') go.
  {
    sql: `DELETE FROM timers WHERE substr(id, 1, 2) = 'EX';`,
    indexes: [{ name: 'executions_active_by_age', on: `ON executions(date_created, sid) WHERE status = 'active'` }],
  },
  // 7: due timers are found among the unclaimed ones only (SQLite migration 7): on an index of all of
  // them, each claim read past every timer already claimed and still being fired, a heap row each.
  {
    sql: '',
    indexes: [{ name: 'timers_unclaimed_by_due', on: 'ON timers(due_at, id) WHERE lease_until IS NULL' }],
    then: 'DROP INDEX timers_by_due;',
  },
  // 8: the carrier's send ledger leaves the settings table for a table of its own (SQLite migration 8).
  // Keys in byte order ("C"): a listing by key prefix reads a range of the primary key. A ledger row may
  // hold a NUL or a lone surrogate (a message body, an HTTP response) that a plain ::jsonb refuses,
  // which would roll the migration back and keep the node from starting: jsonbOfText reads past them
  // (only the account and execution are read; the value is copied as it was).
  `
  CREATE TABLE channel_records (
    key TEXT COLLATE "C" PRIMARY KEY,
    account_sid TEXT NOT NULL,
    execution_sid TEXT NOT NULL,
    value TEXT NOT NULL,
    updated_at BIGINT NOT NULL
  );
  CREATE INDEX channel_records_by_account ON channel_records(account_sid);
  CREATE INDEX channel_records_by_execution ON channel_records(execution_sid);
  CREATE INDEX channel_records_by_time ON channel_records(updated_at);
  INSERT INTO channel_records (key, account_sid, execution_sid, value, updated_at)
    SELECT key, v->>'accountSid', v->>'executionSid', value, (extract(epoch FROM now()) * 1000)::bigint
    FROM (SELECT key, value, ${jsonbOfText('value')} AS v FROM settings WHERE key LIKE 'inflight:%' OR key LIKE 'carrier-msg:%') ledger
    WHERE jsonb_typeof(v->'accountSid') = 'string' AND jsonb_typeof(v->'executionSid') = 'string';
  INSERT INTO channel_records (key, account_sid, execution_sid, value, updated_at)
    SELECT s.key, r.account_sid, r.execution_sid, s.value, r.updated_at
    FROM settings s JOIN channel_records r ON r.key = 'inflight:' || substr(s.key, 14)
    WHERE s.key LIKE 'carrier-seen:%';
  INSERT INTO channel_records (key, account_sid, execution_sid, value, updated_at)
    SELECT s.key, e.account_sid, e.sid, s.value, (extract(epoch FROM now()) * 1000)::bigint
    FROM settings s JOIN pending_effects p ON p.id = substr(s.key, 14) JOIN executions e ON e.sid = p.execution_sid
    WHERE s.key LIKE 'carrier-conv:%' OR s.key LIKE 'carrier-task:%';
  DELETE FROM settings
    WHERE key LIKE 'inflight:%' OR key LIKE 'carrier-msg:%' OR key LIKE 'carrier-seen:%' OR key LIKE 'carrier-conv:%' OR key LIKE 'carrier-task:%';
  `,
  // 9: one execution's alerts are read off an index of their own (SQLite migration 9): on
  // alerts_by_account a page read past every newer alert of the account.
  { sql: '', indexes: [{ name: 'alerts_by_execution', on: 'ON alerts(account_sid, execution_sid, seq)' }] },
  // 10: ended executions are deleted a retention after they started, read off an index of the ended
  // ones by age (SQLite migration 10).
  { sql: '', indexes: [{ name: 'executions_ended_by_age', on: `ON executions(date_created, sid) WHERE status = 'ended'` }] },
  // 11: a flow's executions by contact (?ContactAddress=) are read off an index of their own, in list
  // order (SQLite migration 11): on executions_by_flow a page read past every newer execution of the flow.
  { sql: '', indexes: [{ name: 'executions_by_contact', on: 'ON executions(account_sid, flow_sid, contact_channel_address, seq)' }] },
  // 12: a call webhook finds the execution driving its CallSid off an index of the active executions'
  // calls (SQLite migration 12): call_sid, the state's callSid, which switchboard_apply_sprint now
  // writes with every execution row (the 15th parameter, executionInsertParams). The state is TEXT:
  // jsonbOfText reads it past escapes jsonb refuses. Callback tokens are keyed by a secret of the
  // account's own, which rotating its auth token leaves alone: existing accounts get their auth token
  // as it, so the tokens already handed to live calls still verify.
  {
    sql: `
  ALTER TABLE accounts ADD COLUMN callback_secret TEXT;
  UPDATE accounts SET callback_secret = auth_token;
  ALTER TABLE accounts ALTER COLUMN callback_secret SET NOT NULL;
  ALTER TABLE executions ADD COLUMN call_sid TEXT;
  UPDATE executions e SET call_sid = NULLIF(found.v ->> 'callSid', '')
    FROM (SELECT sid, ${jsonbOfText('state')} AS v FROM executions WHERE status = 'active' AND strpos(state, '"callSid"') > 0) found
    WHERE e.sid = found.sid AND jsonb_typeof(found.v -> 'callSid') = 'string';
  CREATE OR REPLACE FUNCTION switchboard_apply_sprint(w jsonb) RETURNS void LANGUAGE plpgsql AS $fn$
  DECLARE
    p jsonb;
    changed integer;
    row_call_sid text;
  BEGIN
    IF w ? 'receipt' THEN
      p := w->'receipt';
      INSERT INTO inbound_receipts (account_sid, key, received_at) VALUES (p->>0, p->>1, (p->>2)::bigint) ON CONFLICT DO NOTHING;
      GET DIAGNOSTICS changed = ROW_COUNT;
      IF changed = 0 THEN RAISE EXCEPTION 'inbound % was already run', p->>1 USING ERRCODE = 'SB001'; END IF;
    END IF;
    IF w ? 'consumes' THEN
      p := w->'consumes';
      IF p->>0 = 'timer' THEN
        PERFORM 1 FROM timers WHERE id = p->>1 AND execution_sid = w->>'sid' AND lease_owner = p->>2 FOR UPDATE;
      ELSE
        PERFORM 1 FROM pending_effects WHERE id = p->>1 AND execution_sid = w->>'sid' AND lease_owner = p->>2 FOR UPDATE;
      END IF;
      IF NOT FOUND THEN RAISE EXCEPTION '% % is no longer held by %', p->>0, p->>1, p->>2 USING ERRCODE = 'SB002'; END IF;
    END IF;
    p := w->'execution';
    -- A node of an older version sends rows without the call SID (they end at active_slot): read off the state.
    row_call_sid := CASE WHEN jsonb_array_length(p) > 14 THEN p->>14
      WHEN strpos(p->>9, '"callSid"') > 0 THEN NULLIF(${jsonbOfText("(p->>9)")} ->> 'callSid', '') END;
    IF (w->>'isNew')::boolean THEN
      INSERT INTO executions (sid, account_sid, flow_sid, flow_version, contact_sid, contact_channel_address,
        channel_address, status, initiated_by, state, context, date_created, date_updated, active_slot, call_sid)
      VALUES (p->>0, p->>1, p->>2, (p->>3)::integer, p->>4, p->>5, p->>6, p->>7, p->>8, p->>9, p->>10,
        (p->>11)::bigint, (p->>12)::bigint, p->>13, row_call_sid);
    ELSE
      UPDATE executions SET flow_version = (p->>3)::integer, contact_sid = p->>4, contact_channel_address = p->>5,
          channel_address = p->>6, status = p->>7, initiated_by = p->>8, state = p->>9, context = p->>10,
          date_updated = (p->>12)::bigint, call_sid = row_call_sid, version = version + 1
        WHERE sid = p->>0 AND account_sid = p->>1 AND flow_sid = p->>2
          AND (w->>'expectedVersion' IS NULL OR version = (w->>'expectedVersion')::integer);
      GET DIAGNOSTICS changed = ROW_COUNT;
      IF changed = 0 THEN
        IF w->>'expectedVersion' IS NOT NULL THEN
          RAISE EXCEPTION 'execution % changed since version % (or is gone)', p->>0, w->>'expectedVersion' USING ERRCODE = 'SB003';
        END IF;
        RAISE EXCEPTION 'execution % does not exist', p->>0 USING ERRCODE = 'SB004';
      END IF;
    END IF;
${SPRINT_CHILD_ROWS}
  END
  $fn$;
  `,
    indexes: [{ name: 'executions_active_by_call', on: `ON executions(flow_sid, call_sid, seq) WHERE status = 'active' AND call_sid IS NOT NULL` }],
  },
  // 13: no schema change; a marker that turns older nodes unready (they stop serving and firing timers)
  // before an upgraded one writes what they would misread: inbound message receipts are now per flow
  // (msg:<FlowSid>:<MessageSid>; an older node checks only the MessageSid, so a retry reaching it would run
  // again), and Connect Virtual Agent v1 now waits for its action after a hangup on a timer an older node
  // does not handle (it would drop the timer and leave the execution active).
  `
  SELECT 1;
  `,
  // 14: an account's callback secret can be rotated (accounts rotate-callback-secret): the one it
  // replaced stays accepted until a time, so the callback URLs live calls hold keep working. Older
  // nodes would key and check tokens by the new secret alone.
  `
  ALTER TABLE accounts ADD COLUMN previous_callback_secret TEXT;
  ALTER TABLE accounts ADD COLUMN previous_callback_secret_until BIGINT;
  `,
];
