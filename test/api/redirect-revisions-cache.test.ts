// Whether a revision holds a TwiML Redirect is read once and kept, bounded: past the bound, a revision
// whose messages keep coming stays known while the older ones go.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mayRedirect, REDIRECT_REVISIONS_CACHED } from '../../src/api/routes/webhook-calls.ts';
import type { ApiContext } from '../../src/api/context.ts';
import type { RevisionRecord } from '../../src/runtime/ports/store.ts';

const ACCOUNT = 'AC' + '0'.repeat(32);
const FLOW = 'FW' + 'c'.repeat(32);
const HOT = 1;

describe('TwiML Redirect revisions known to a node', () => {
  it('keeps a revision in use known while more revisions than the bound come and go', async () => {
    const reads = new Map<number, number>();
    const store = {
      getRevision: async (_account: string, _flow: string, revision: number) => {
        reads.set(revision, (reads.get(revision) ?? 0) + 1);
        const type = revision === HOT ? 'add-twiml-redirect' : 'send-message';
        return { revision, definition: { initial_state: 'Trigger', states: [{ name: 'w', type, properties: {}, transitions: [] }] } } as unknown as RevisionRecord;
      },
    };
    const ctx = { store } as unknown as ApiContext;
    assert.equal(await mayRedirect(ctx, ACCOUNT, FLOW, HOT), true);
    const cold = REDIRECT_REVISIONS_CACHED + 200;
    for (let revision = 2; revision <= cold; revision++) {
      assert.equal(await mayRedirect(ctx, ACCOUNT, FLOW, revision), false);
      if (revision % 97 === 0) assert.equal(await mayRedirect(ctx, ACCOUNT, FLOW, HOT), true);
    }
    assert.equal(reads.get(HOT), 1, 'the revision in use is read once');
    // Bounded: the oldest went and is read again.
    await mayRedirect(ctx, ACCOUNT, FLOW, 2);
    assert.equal(reads.get(2), 2);
  });
});
