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
];
