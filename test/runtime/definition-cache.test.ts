// The runtime caches parsed flow definitions per flow revision. A long-running server sees an
// unbounded number of revisions (every publish, every flow a CI run creates): the cache must stay
// bounded, also when entries come from picking the revision a new execution runs.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { FlowService } from '../../src/runtime/flows.ts';
import { DEFAULT_RUNTIME_OPTIONS, ExecutionService } from '../../src/runtime/executions.ts';
import type { MessageChannel, OutboundHttp } from '../../src/runtime/ports/channel.ts';
import type { RevisionSelector } from '../../src/runtime/ports/store.ts';

const askAndWait = JSON.parse(readFileSync(new URL('../fixtures/flows/ask-and-wait.json', import.meta.url), 'utf8'));

describe('definition cache', () => {
  it('evicts old revisions once many new ones have run', async () => {
    const store = new SqliteStore({ path: ':memory:' });
    try {
      const accountSid = 'AC' + '0'.repeat(32);
      await store.createAccount({ sid: accountSid, authToken: 'x'.repeat(32), friendlyName: 'a', dateCreated: Date.now() });
      const flows = new FlowService(store, { now: Date.now } as never);
      const flow = await flows.create(accountSid, { friendlyName: 'ask', status: 'published', definition: askAndWait });
      // Not started: it runs sprints but carries no effects out.
      const executions = new ExecutionService(store, { name: 'none' } as MessageChannel, {} as OutboundHttp, { ...DEFAULT_RUNTIME_OPTIONS, now: Date.now });
      const first = await executions.create(accountSid, flow.sid, { to: '+15550000000', from: '+15559990000' }, 'error');
      // Every later create sees a "newly published" revision number, as after many publishes: the
      // flow row names it, and reading that revision gives revision 1's definition.
      const getFlow = store.getFlow.bind(store);
      const getRevision = store.getRevision.bind(store);
      let published = 1;
      const numericReads: number[] = [];
      store.getFlow = async (account: string, sid: string) => {
        const record = await getFlow(account, sid);
        return record ? { ...record, revision: published + 1, publishedRevision: ++published } : record;
      };
      store.getRevision = async (account: string, sid: string, selector: RevisionSelector) => {
        if (typeof selector === 'number') numericReads.push(selector);
        const revision = await getRevision(account, sid, typeof selector === 'number' ? 1 : selector);
        return revision && typeof selector === 'number' ? { ...revision, revision: selector } : revision;
      };
      for (let i = 1; i <= 1100; i++) await executions.create(accountSid, flow.sid, { to: `+1555${String(i).padStart(7, '0')}`, from: '+15559990000' }, 'error');
      numericReads.length = 0;
      await executions.end(accountSid, flow.sid, first.execution.sid);
      assert.deepEqual(numericReads, [1], 'revision 1 was evicted from the cache and read again');
    } finally {
      await store.close();
    }
  });
});
