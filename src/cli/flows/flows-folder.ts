// Where a flow file written by `test --record --flow-file` or `flows export --out` lands in the flows-as-code
// layout. In a flows folder (beside a flows.manifest.json, or the flow directory itself) `flows push` takes
// every .json file for a flow: a file written there for a flow the manifest tracks under another name would
// be created as a second flow, and one written over another flow's tracked file would overwrite that flow.
import { existsSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { MANIFEST, readManifest, syncedHash, writeManifest } from './manifest.ts';

export interface FolderFlow {
  sid: string;
  friendlyName: string;
}

/**
 * What a flow file at `file` (absolute) for `flow` is in its flows folder (`flowsDir`, the flow directory, or
 * a folder with a manifest), or null outside one: the file the manifest tracks for this flow (or for its
 * friendly name, with no SID), the file it tracks for another flow, a file beside this flow's tracked one,
 * or a file of a flow the folder does not track yet.
 */
export type FolderPlace =
  | { folder: string; is: 'tracked' }
  | { folder: string; is: 'another flow'; sid: string; friendlyName: string }
  | { folder: string; is: 'second file'; tracked: string }
  | { folder: string; is: 'untracked' };

export function flowsFolderPlace(file: string, flow: FolderFlow, flowsDir: string): FolderPlace | null {
  const folder = dirname(file);
  if (!file.endsWith('.json') || basename(file) === MANIFEST) return null;
  if (!existsSync(join(folder, MANIFEST)) && folder !== resolve(flowsDir)) return null;
  const manifest = readManifest(folder);
  const entry = manifest.flows[basename(file)];
  if (entry) {
    if (entry.sid === undefined || entry.sid === flow.sid) return { folder, is: 'tracked' };
    return { folder, is: 'another flow', sid: entry.sid, friendlyName: entry.friendlyName };
  }
  const entries = Object.entries(manifest.flows);
  const known = entries.find(([, v]) => v.sid === flow.sid) ?? entries.find(([, v]) => v.sid === undefined && v.friendlyName === flow.friendlyName);
  if (known) return { folder, is: 'second file', tracked: join(folder, known[0]) };
  return { folder, is: 'untracked' };
}

/** A path as the user would type it: relative to the working directory. */
export function shownPath(file: string): string {
  return relative(process.cwd(), file) || file;
}

/**
 * Why writing `file` for `flow` is refused (its place is another flow's file, or a second file of this flow),
 * or null. `secondFileAdvice` says what to do instead of a second file, given the tracked one (shown).
 */
export function flowsFolderRefusal(file: string, place: FolderPlace | null, flow: FolderFlow, secondFileAdvice: (tracked: string) => string): string | null {
  if (place?.is === 'another flow') {
    return `${shownPath(file)} is the file ${shownPath(join(place.folder, MANIFEST))} tracks for ${place.friendlyName} (${place.sid}): flows push would overwrite that flow with ${flow.friendlyName}, so keep this one elsewhere`;
  }
  if (place?.is === 'second file') {
    return (
      `${shownPath(file)} is in a flows folder, and ${shownPath(join(place.folder, MANIFEST))} tracks ${shownPath(place.tracked)} for ${flow.friendlyName} (${flow.sid}): ` +
      `flows push would create ${shownPath(file)} as a second flow. ${secondFileAdvice(shownPath(place.tracked))}`
    );
  }
  return null;
}

/**
 * Adds the flow's entry for `file` (just written with `definition` from the server) to the manifest of `folder`,
 * so that flows push updates the flow; synced to that JSON, as a pull records it (manifest.ts, markSynced).
 */
export function trackFlowFile(folder: string, file: string, flow: FolderFlow, definition: unknown): void {
  const manifest = readManifest(folder);
  manifest.flows[basename(file)] = { friendlyName: flow.friendlyName, sid: flow.sid, synced: syncedHash(definition) };
  writeManifest(folder, manifest);
}
