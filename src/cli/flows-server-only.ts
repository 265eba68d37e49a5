// Flows the server has and no local file was compared with, for `flows diff`: on an account the repo
// shares with others most are someone else's, so they do not make the check fail — unless the manifest
// tracks one whose file is gone (that is a deleted file, a real difference), or --all asks for every one.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ListedFlow } from '../flowtest/studio-client.ts';

type ManifestEntries = Record<string, { friendlyName: string; sid?: string }>;

export interface ServerOnly {
  /** Flows a manifest entry holds while its file is missing: the file was deleted (or never committed). */
  tracked: { flow: ListedFlow; file: string }[];
  /** Flows no local file or manifest entry has: someone else's on a shared account, or not pulled yet. */
  untracked: ListedFlow[];
}

/**
 * Splits the server flows `unmatched` by the local files. An entry holds a flow by its SID, or — on a
 * server that does not have its SID (SIDs differ between servers) — by friendly name, as `flows pull`
 * would give that flow the entry's file back.
 */
export function serverOnlyFlows(dir: string, entries: ManifestEntries, remote: ListedFlow[], unmatched: ListedFlow[]): ServerOnly {
  const serverSids = new Set(remote.map((flow) => flow.sid));
  const missing = Object.entries(entries).filter(([file]) => !existsSync(join(dir, file)));
  const claimed = new Map<string, string>();
  const open = (flow: ListedFlow) => unmatched.includes(flow) && !claimed.has(flow.sid);
  for (const [file, entry] of missing) {
    const flow = entry.sid && serverSids.has(entry.sid)
      ? remote.find((f) => f.sid === entry.sid && open(f))
      : remote.find((f) => f.friendlyName === entry.friendlyName && open(f));
    if (flow) claimed.set(flow.sid, file);
  }
  return {
    tracked: unmatched.filter((flow) => claimed.has(flow.sid)).map((flow) => ({ flow, file: claimed.get(flow.sid)! })),
    untracked: unmatched.filter((flow) => !claimed.has(flow.sid)),
  };
}

/** How many names the summary line shows before "and N more" (--json lists every one). */
const SHOWN = 10;

/** One paragraph for the untracked flows: a count and their names (in order), not a block each. */
export function untrackedSummary(flows: ListedFlow[]): string {
  const sorted = [...flows].sort((a, b) => a.friendlyName.localeCompare(b.friendlyName) || a.sid.localeCompare(b.sid));
  const names = sorted.slice(0, SHOWN).map((flow) => `'${flow.friendlyName}'`).join(', ');
  const more = flows.length > SHOWN ? `, and ${flows.length - SHOWN} more (--json lists them all)` : '';
  const count = flows.length === 1 ? '1 flow on the server has' : `${flows.length} flows on the server have`;
  return `${count} no local file and no manifest entry, so ${flows.length === 1 ? 'it is' : 'they are'} not part of this check (--all counts them; flows pull NAME fetches one): ${names}${more}`;
}
