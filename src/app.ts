// The composition root: opens the store, builds the services and the HTTP server.
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildServer } from './api/server.ts';
import { AccountService } from './runtime/accounts.ts';
import { FlowService } from './runtime/flows.ts';
import type { Store } from './runtime/ports/store.ts';
import { SqliteStore } from './store/sqlite/sqlite-store.ts';
import type { SwitchboardConfig } from './config.ts';

export interface App {
  server: FastifyInstance;
  store: Store;
  accounts: AccountService;
  flows: FlowService;
  close(): Promise<void>;
}

export function openStore(config: Pick<SwitchboardConfig, 'dataDir'>): Store {
  return new SqliteStore({ path: config.dataDir === ':memory:' ? ':memory:' : join(config.dataDir, 'switchboard.db') });
}

export async function createApp(config: SwitchboardConfig, options: { store?: Store; now?: () => number; logger?: boolean | object } = {}): Promise<App> {
  const store = options.store ?? openStore(config);
  const now = options.now ?? Date.now;
  const accounts = new AccountService(store, now);
  const flows = new FlowService(store, { now, invalidDefinitions: config.invalidDefinitions });
  const server = await buildServer({
    store,
    accounts,
    flows,
    config: { publicBaseUrl: config.publicBaseUrl, bodyLimit: config.bodyLimit, logger: options.logger ?? false },
  });
  return {
    server,
    store,
    accounts,
    flows,
    async close() {
      await server.close();
      await store.close();
    },
  };
}
