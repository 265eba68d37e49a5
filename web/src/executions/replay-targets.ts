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

/**
 * The picker's choices: the latest and the published revision by name, then the flow's other revisions,
 * newest first. A revision already named above is not listed again (the latest one was offered twice, as
 * "the latest revision (3, draft)" and "revision 3").
 */
export function replayTargetOptions(revisions: Revision[]): { value: string; label: string }[] {
  const labels = replayTargetLabels(revisions);
  const named = new Set([newest(revisions)?.revision, newest(revisions, 'published')?.revision]);
  const others = revisions.filter((r) => !named.has(r.revision)).sort((a, b) => b.revision - a.revision);
  return [
    { value: 'LatestRevision', label: labels.latest },
    { value: 'LatestPublished', label: labels.published },
    ...others.map((r) => ({ value: String(r.revision), label: `revision ${r.revision}` })),
  ];
}
