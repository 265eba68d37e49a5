// The Replay picker's labels for LatestRevision and LatestPublished: the latest revision is called a
// draft only when it is one (it always said "draft", also when the newest revision was the published one).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Revision } from '../../web/src/api/types.ts';
import { replayTargetLabels, replayTargetOptions } from '../../web/src/executions/replay-targets.ts';

function revision(n: number, status: Revision['status']): Revision {
  return { sid: 'FW00000000000000000000000000000000', friendly_name: 'f', definition: null, status, revision: n, commit_message: null, valid: true, errors: null, date_created: '', date_updated: null };
}

describe('Replay picker labels', () => {
  it('the newest revision, published: not called a draft', () => {
    const labels = replayTargetLabels([revision(2, 'published'), revision(1, 'draft')]);
    assert.equal(labels.latest, 'the latest revision (2, published)');
    assert.equal(labels.published, 'the published revision (2)');
  });

  it('a draft saved after the publish is the latest revision', () => {
    const labels = replayTargetLabels([revision(1, 'published'), revision(3, 'draft'), revision(2, 'published')]);
    assert.equal(labels.latest, 'the latest revision (3, draft)');
    assert.equal(labels.published, 'the published revision (2)');
  });

  it('a flow never published, and revisions still loading', () => {
    assert.deepEqual(replayTargetLabels([revision(1, 'draft')]), { latest: 'the latest revision (1, draft)', published: 'the published revision (none yet)' });
    assert.deepEqual(replayTargetLabels([]), { latest: 'the latest revision', published: 'the published revision' });
  });

  it('lists each revision once: the latest and the published by name, the others by number, newest first', () => {
    const options = replayTargetOptions([revision(1, 'published'), revision(3, 'draft'), revision(2, 'published'), revision(4, 'draft')]);
    assert.deepEqual(
      options.map((o) => [o.value, o.label]),
      [
        ['LatestRevision', 'the latest revision (4, draft)'],
        ['LatestPublished', 'the published revision (2)'],
        ['3', 'revision 3'],
        ['1', 'revision 1'],
      ],
    );
    // The latest revision is the published one: named once, as both.
    assert.deepEqual(replayTargetOptions([revision(2, 'published'), revision(1, 'draft')]).map((o) => o.value), ['LatestRevision', 'LatestPublished', '1']);
  });
});
