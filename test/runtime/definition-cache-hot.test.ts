// A busy node runs many revisions at once (every publish, every flow a CI run creates): past the
// definition cache's bound, the revisions in use stay cached and only the coldest are read again.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { RuntimeContext } from '../../src/runtime/runtime-context.ts';
import { DEFAULT_RUNTIME_OPTIONS } from '../../src/runtime/executions.ts';
import { DEFINITION_CACHE_ENTRIES, Sprints } from '../../src/runtime/sprints.ts';
import type { MessageChannel } from '../../src/runtime/ports/channel.ts';
import type { RevisionRecord, Store } from '../../src/runtime/ports/store.ts';

const definition = JSON.parse(readFileSync(new URL('../fixtures/flows/ask-and-wait.json', import.meta.url), 'utf8'));
const ACCOUNT = 'AC' + '0'.repeat(32);
const FLOW = 'FW' + '0'.repeat(32);
const HOT = 1;

describe('definition cache under many revisions', () => {
  it('keeps a revision in use cached while more revisions than the bound come and go', async () => {
    const reads = new Map<number, number>();
    const store = {
      getRevision: async (_account: string, _flow: string, revision: number) => {
        reads.set(revision, (reads.get(revision) ?? 0) + 1);
        return { revision, definition } as unknown as RevisionRecord;
      },
    } as unknown as Store;
    const sprints = new Sprints(new RuntimeContext(store, {} as MessageChannel, { ...DEFAULT_RUNTIME_OPTIONS, now: Date.now }), { dispatch: () => undefined, wakeBy: () => undefined });
    const cold = DEFINITION_CACHE_ENTRIES * 3;
    for (let revision = 2; revision < 2 + cold; revision++) {
      await sprints.definition(ACCOUNT, FLOW, revision);
      await sprints.definition(ACCOUNT, FLOW, HOT);
    }
    assert.equal(reads.get(HOT), 1, 'the hot revision is read once');
    assert.equal(reads.size, 1 + cold, 'every other revision once');
    // The cache stayed bounded: the first cold revisions went and are read again.
    await sprints.definition(ACCOUNT, FLOW, 2);
    assert.equal(reads.get(2), 2);
  });
});
