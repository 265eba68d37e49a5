// Versioned schema migrations for the embedded store. Each entry runs once, in order, inside a
// transaction; PRAGMA user_version records how far a database has come.

export const SQLITE_MIGRATIONS: readonly string[] = [
  // 1: accounts, keys, settings, flows, revisions, test users
  `
  CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  CREATE TABLE accounts (
    sid TEXT PRIMARY KEY,
    auth_token TEXT NOT NULL,
    friendly_name TEXT NOT NULL,
    date_created INTEGER NOT NULL
  );
  CREATE TABLE api_keys (
    sid TEXT PRIMARY KEY,
    account_sid TEXT NOT NULL REFERENCES accounts(sid),
    friendly_name TEXT NOT NULL,
    secret_hash TEXT NOT NULL,
    date_created INTEGER NOT NULL
  );
  CREATE TABLE flows (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    sid TEXT NOT NULL UNIQUE,
    account_sid TEXT NOT NULL,
    friendly_name TEXT NOT NULL,
    status TEXT NOT NULL,
    revision INTEGER NOT NULL,
    published_revision INTEGER,
    commit_message TEXT,
    author_sid TEXT,
    valid INTEGER NOT NULL,
    errors TEXT NOT NULL,
    warnings TEXT NOT NULL,
    test_users TEXT NOT NULL DEFAULT '[]',
    date_created INTEGER NOT NULL,
    date_updated INTEGER
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
    valid INTEGER NOT NULL,
    errors TEXT NOT NULL,
    warnings TEXT NOT NULL,
    date_created INTEGER NOT NULL,
    date_updated INTEGER,
    PRIMARY KEY (flow_sid, revision)
  );
  `,
  // 2: executions, steps, timers, pending effects (the outbox). Rows hang off their flow and
  // execution with ON DELETE CASCADE: deleting a flow removes its executions and everything below.
  `
  CREATE TABLE executions (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
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
    date_created INTEGER NOT NULL,
    date_updated INTEGER
  );
  CREATE INDEX executions_by_flow ON executions(account_sid, flow_sid, seq);
  CREATE UNIQUE INDEX executions_one_active ON executions(flow_sid, contact_channel_address, channel_address)
    WHERE status = 'active';
  CREATE TABLE steps (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
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
    date_created INTEGER NOT NULL,
    date_updated INTEGER
  );
  CREATE INDEX steps_by_execution ON steps(execution_sid, seq);
  CREATE TABLE timers (
    id TEXT PRIMARY KEY,
    execution_sid TEXT NOT NULL REFERENCES executions(sid) ON DELETE CASCADE,
    account_sid TEXT NOT NULL,
    due_at INTEGER NOT NULL
  );
  CREATE INDEX timers_by_due ON timers(due_at, id);
  CREATE INDEX timers_by_execution ON timers(execution_sid);
  CREATE TABLE pending_effects (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    execution_sid TEXT NOT NULL REFERENCES executions(sid) ON DELETE CASCADE,
    account_sid TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );
  CREATE INDEX pending_effects_by_execution ON pending_effects(execution_sid);
  `,
  // 3: the same multi-node columns PostgreSQL has (one port, one runtime): an execution version
  // for optimistic concurrency, and leases on timers and effects. A single process never
  // contends, but the runtime claims and fences the same way on both backends.
  `
  ALTER TABLE executions ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
  ALTER TABLE timers ADD COLUMN lease_owner TEXT;
  ALTER TABLE timers ADD COLUMN lease_until INTEGER;
  ALTER TABLE pending_effects ADD COLUMN lease_owner TEXT;
  ALTER TABLE pending_effects ADD COLUMN lease_until INTEGER;
  CREATE INDEX timers_claimed ON timers(lease_until) WHERE lease_until IS NOT NULL;
  `,
  // 4: receipts of inbound webhooks already run (Twilio retries carry the same idempotency token)
  // and the engine's warnings and errors as Debugger alerts.
  `
  CREATE TABLE inbound_receipts (
    account_sid TEXT NOT NULL,
    key TEXT NOT NULL,
    received_at INTEGER NOT NULL,
    PRIMARY KEY (account_sid, key)
  );
  CREATE INDEX inbound_receipts_by_time ON inbound_receipts(received_at);
  CREATE TABLE alerts (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    sid TEXT NOT NULL UNIQUE,
    account_sid TEXT NOT NULL,
    flow_sid TEXT NOT NULL,
    execution_sid TEXT NOT NULL,
    log_level TEXT NOT NULL,
    error_code INTEGER NOT NULL,
    text TEXT NOT NULL,
    date_created INTEGER NOT NULL
  );
  CREATE INDEX alerts_by_account ON alerts(account_sid, seq);
  CREATE INDEX alerts_by_time ON alerts(date_created);
  `,
  // 5: "one active execution per contact pair" becomes configurable: an execution that holds the
  // pair's slot has active_slot '' (unique among active ones); one that does not uses its own SID.
  `
  ALTER TABLE executions ADD COLUMN active_slot TEXT NOT NULL DEFAULT '';
  DROP INDEX executions_one_active;
  CREATE UNIQUE INDEX executions_one_active ON executions(flow_sid, contact_channel_address, channel_address, active_slot)
    WHERE status = 'active';
  CREATE INDEX executions_active_by_pair ON executions(flow_sid, contact_channel_address, channel_address, seq)
    WHERE status = 'active';
  `,
  // 6: executions expire by their creation time, read off an index on the active ones, instead of by
  // a timer row each (one index entry against a row and three index entries, written on every create
  // and deleted on every end). The expiry timers ('EX…') go.
  `
  DELETE FROM timers WHERE substr(id, 1, 2) = 'EX';
  CREATE INDEX executions_active_by_age ON executions(date_created, sid) WHERE status = 'active';
  `,
  // 7: due timers are found among the unclaimed ones only. On an index of all of them, each claim read
  // past every timer already claimed and still being fired (up to 2,048 in a burst), a table row each,
  // to find the free ones; the claimed ones whose lease ran out come off timers_claimed.
  `
  CREATE INDEX timers_unclaimed_by_due ON timers(due_at, id) WHERE lease_until IS NULL;
  DROP INDEX timers_by_due;
  `,  // 8: the carrier's send ledger leaves the settings table for a table of its own, where each record
  // names its account and execution: it goes with either, and is pruned once its execution is over.
  // Records that name neither (a conversation or task creation no effect waits on any more) are dropped.
  `
  CREATE TABLE channel_records (
    key TEXT PRIMARY KEY,
    account_sid TEXT NOT NULL,
    execution_sid TEXT NOT NULL,
    value TEXT NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE INDEX channel_records_by_account ON channel_records(account_sid);
  CREATE INDEX channel_records_by_execution ON channel_records(execution_sid);
  CREATE INDEX channel_records_by_time ON channel_records(updated_at);
  INSERT INTO channel_records (key, account_sid, execution_sid, value, updated_at)
    SELECT key, json_extract(value, '$.accountSid'), json_extract(value, '$.executionSid'), value,
      CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
    FROM settings
    WHERE (substr(key, 1, 9) = 'inflight:' OR substr(key, 1, 12) = 'carrier-msg:') AND json_valid(value)
      AND json_type(value, '$.accountSid') = 'text' AND json_type(value, '$.executionSid') = 'text';
  INSERT INTO channel_records (key, account_sid, execution_sid, value, updated_at)
    SELECT s.key, r.account_sid, r.execution_sid, s.value, r.updated_at
    FROM settings s JOIN channel_records r ON r.key = 'inflight:' || substr(s.key, 14)
    WHERE substr(s.key, 1, 13) = 'carrier-seen:';
  INSERT INTO channel_records (key, account_sid, execution_sid, value, updated_at)
    SELECT s.key, e.account_sid, e.sid, s.value, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
    FROM settings s JOIN pending_effects p ON p.id = substr(s.key, 14) JOIN executions e ON e.sid = p.execution_sid
    WHERE substr(s.key, 1, 13) IN ('carrier-conv:', 'carrier-task:');
  DELETE FROM settings
    WHERE substr(key, 1, 9) = 'inflight:' OR substr(key, 1, 12) = 'carrier-msg:' OR substr(key, 1, 13) IN ('carrier-seen:', 'carrier-conv:', 'carrier-task:');
  `,
  // 9: one execution's alerts (the console's execution page, /v1/Alerts?ResourceSid=) are read off an
  // index of their own: on alerts_by_account a page read past every newer alert of the account, and
  // an execution without alerts past all of them. The account leads so the planner prefers it to
  // alerts_by_account without statistics (two equal columns against one).
  `
  CREATE INDEX alerts_by_execution ON alerts(account_sid, execution_sid, seq);
  `,
  // 10: ended executions are deleted a retention after they started (--execution-retention), oldest
  // first and a batch at a time, read off an index of the ended ones: no other index has them by age.
  `
  CREATE INDEX executions_ended_by_age ON executions(date_created, sid) WHERE status = 'ended';
  `,
  // 11: a flow's executions by contact (?ContactAddress=, the console's Contact search) are read off an
  // index of their own, in list order (seq): on executions_by_flow a page read past every newer
  // execution of the flow, and a contact without executions past all of them. The account leads so
  // the planner prefers it to executions_by_flow without statistics (three equal columns against two).
  `
  CREATE INDEX executions_by_contact ON executions(account_sid, flow_sid, contact_channel_address, seq);
  `,
  // 12: a call webhook finds the execution driving its CallSid off an index of the active executions'
  // calls (call_sid, the state's callSid, written with every execution row): its contact pair need not
  // be the call's (Start Conversation moves it; Make Outgoing Call may call other addresses), and a
  // scan of the flow's active executions cost every new call tens of milliseconds. Callback tokens
  // are keyed by a secret of the account's own that rotating its auth token leaves alone; existing
  // accounts get their auth token as it, so the tokens already handed to live calls still verify.
  `
  ALTER TABLE accounts ADD COLUMN callback_secret TEXT NOT NULL DEFAULT '';
  UPDATE accounts SET callback_secret = auth_token;
  ALTER TABLE executions ADD COLUMN call_sid TEXT;
  UPDATE executions SET call_sid = json_extract(state, '$.callSid')
    WHERE status = 'active' AND instr(state, '"callSid"') > 0 AND json_valid(state)
      AND json_type(state, '$.callSid') = 'text' AND json_extract(state, '$.callSid') <> '';
  CREATE INDEX executions_active_by_call ON executions(flow_sid, call_sid, seq) WHERE status = 'active' AND call_sid IS NOT NULL;
  `,
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
  ALTER TABLE accounts ADD COLUMN previous_callback_secret_until INTEGER;
  `,
];
