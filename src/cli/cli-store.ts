// The store a command other than `serve` works on (accounts, keys, carrier, simulate/call of a FlowSid):
// the configured one, as serve opens it, except that a schema an older Switchboard made is refused,
// never migrated. These commands run beside a server, perhaps of that older version, whose data a
// migration may move away from under it (schema-upgrade.ts). An empty store is still created, except
// by the commands that only read or change what is already there (see missingStore).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { openStore } from '../app.ts';
import type { Store } from '../runtime/ports/store.ts';
import { SchemaUpgradeNeededError } from '../store/schema-upgrade.ts';

/** As serve opens it (PostgreSQL when a database URL is configured, else SQLite), refusing an older schema. */
export function openCliStore(config: Parameters<typeof openStore>[0]): Promise<Store> {
  return openStore(config, 'refuse');
}

/**
 * Why the configured store is not there to read, or null when it is (or may be: PostgreSQL, memory).
 * A command that looks up something in the store (a flow, an account) must not leave a new, empty
 * SQLite database behind in a mistyped --data-dir, and should say where it looked.
 */
export function missingStore(config: { dataDir: string; databaseUrl?: string | undefined }): string | null {
  if (config.databaseUrl || config.dataDir === ':memory:') return null;
  if (existsSync(join(config.dataDir, 'switchboard.db'))) return null;
  return `there is no Switchboard store in ${config.dataDir} (--data-dir, SWITCHBOARD_DATA_DIR or dataDir in the config file)`;
}

/** Prints why a store was refused (one line, as serve's startup errors), if that is what `error` is. */
export function reportSchemaRefusal(error: unknown): boolean {
  if (!(error instanceof SchemaUpgradeNeededError)) return false;
  console.error(`switchboard: ${error.message}`);
  return true;
}

/** Runs a command; a store refused for its older schema ends it with that line and exit code 1. */
export async function refusingOlderSchema(command: () => Promise<number>): Promise<number> {
  try {
    return await command();
  } catch (error) {
    if (reportSchemaRefusal(error)) return 1;
    throw error;
  }
}
