// Who may upgrade a store's schema. Only `serve` migrates: a CLI command run beside a server of an
// older version must not move data under it (migration 8 moved the send ledger out of the table the
// older server still wrote it to, and a message was sent twice). Such commands open with 'refuse'.

/**
 * What opening a store does with a schema an older Switchboard made. 'migrate' (the default):
 * upgrade it. 'refuse': leave it as it is and fail with SchemaUpgradeNeededError. An empty database
 * (no schema at all) is created either way: no older server can be using it.
 */
export type SchemaUpgrade = 'migrate' | 'refuse';

export class SchemaUpgradeNeededError extends Error {
  readonly applied: number;
  readonly expected: number;

  /** `where`: the store, for people ("the database /data/switchboard.db"), no secrets. */
  constructor(where: string, applied: number, expected: number) {
    super(
      `${where} has schema version ${applied}, older than this Switchboard's (${expected}), and only serve upgrades it: ` +
        'stop every older Switchboard server using it, then start `switchboard serve` of this version once',
    );
    this.name = 'SchemaUpgradeNeededError';
    this.applied = applied;
    this.expected = expected;
  }
}
