// The store a command other than `serve` works on (accounts, keys, carrier, simulate/call of a FlowSid):
// the configured one, as serve opens it, except that a schema an older Switchboard made is refused,
// never migrated. These commands run beside a server, perhaps of that older version, whose data a
// migration may move away from under it (schema-upgrade.ts). An empty store is still created.
import { openStore } from '../app.ts';
import type { Store } from '../runtime/ports/store.ts';
import { SchemaUpgradeNeededError } from '../store/schema-upgrade.ts';

/** As serve opens it (PostgreSQL when a database URL is configured, else SQLite), refusing an older schema. */
export function openCliStore(config: Parameters<typeof openStore>[0]): Store {
  return openStore(config, 'refuse');
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
