// A signed-in console whose server keeps its store in a SQLite file, for browser tests that restart the
// server under the page: the new process finds the database as it was and nothing of the old one's memory.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { createApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import type { TestServer } from '../support/server.ts';
import { closeSignedInConsole, openSignedInConsole, type Browser } from './browser.ts';

export interface ConsoleOnDisk {
  server: TestServer;
  browser: Browser;
  page: Page;
  /** The store's file, in a directory of its own (`dataDir`). */
  dbPath: string;
  dataDir: string;
}

/** openSignedInConsole on a store in a fresh directory named after `prefix`; close with closeConsoleOnDisk. */
export async function openConsoleOnDisk(prefix: string): Promise<ConsoleOnDisk> {
  const dataDir = mkdtempSync(join(tmpdir(), prefix));
  const dbPath = join(dataDir, 'switchboard.db');
  try {
    const { server, browser, page } = await openSignedInConsole({ server: { store: new SqliteStore({ path: dbPath }) }, timeoutMs: 15_000 });
    return { server, browser, page, dbPath, dataDir };
  } catch (error) {
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
}

export async function closeConsoleOnDisk(session: Partial<ConsoleOnDisk>): Promise<void> {
  await closeSignedInConsole(session);
  if (session.dataDir) rmSync(session.dataDir, { recursive: true, force: true });
}

/**
 * Serves again on the port and database of `server`, which the caller has closed (the restart of a node):
 * returns the server to use from now on, with the same account.
 */
export async function serveAgain(server: TestServer, dbPath: string): Promise<TestServer> {
  const port = Number(new URL(server.baseUrl).port);
  const app = await createApp({ ...loadConfig({}, {}), dataDir: ':memory:', inboundExecutionRate: 0, restExecutionRate: 0 }, { store: new SqliteStore({ path: dbPath }) });
  await app.accounts.ensureStartupAccount();
  await app.server.listen({ port, host: '127.0.0.1' });
  return { ...server, app, close: () => app.close() };
}
