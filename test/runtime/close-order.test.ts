// Shutdown closes the store even when an earlier step fails (handing back claims to a database that
// is gone): the data file is never left open, and the failure is still reported.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { createApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';

class FailingRelease extends SqliteStore {
  override async releaseLeases(): Promise<void> {
    throw new Error('database went away');
  }
}

it('closes the store even when releasing claims fails', async () => {
  const store = new FailingRelease({ path: ':memory:' });
  const app = await createApp({ ...loadConfig({}, {}), dataDir: ':memory:' }, { store });
  await app.server.ready();
  await assert.rejects(app.close(), /database went away/);
  assert.equal(store.db.isOpen, false, 'the store was closed after the failure');
});
