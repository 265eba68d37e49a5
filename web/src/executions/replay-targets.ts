// The Replay picker's wording for its two named targets. LatestRevision is the flow's newest
// revision, which is a draft only when one was saved after the last publish: the label says which
// (it always said "draft"), from the flow's revisions the execution page has loaded.
import type { Revision } from '../api/types.ts';

/** The newest of `revisions` (optionally only those with `status`), or null. */
function newest(revisions: Revision[], status?: Revision['status']): Revision | null {
  let found: Revision | null = null;
  for (const r of revisions) if ((status === undefined || r.status === status) && (!found || r.revision > found.revision)) found = r;
  return found;
}

/**
 * The picker's wording for LatestRevision and LatestPublished: the latest revision is a draft or the
 * published one, as the flow's revisions say (nothing is claimed while they are still loading).
 */
export function replayTargetLabels(revisions: Revision[]): { latest: string; published: string } {
  const latest = newest(revisions);
  const published = newest(revisions, 'published');
  return {
    latest: latest ? `the latest revision (${latest.revision}, ${latest.status})` : 'the latest revision',
    published: published ? `the published revision (${published.revision})` : revisions.length > 0 ? 'the published revision (none yet)' : 'the published revision',
  };
}
