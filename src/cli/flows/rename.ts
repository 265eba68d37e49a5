// A flow file renamed in the repository (git mv flows/a.json flows/b.json) is the same flow: `flows push`,
// `flows diff` and `flows pull` follow the rename, so the push updates the flow the manifest gave the old file
// instead of creating a new one beside it (and a pull writes it to b.json, not back to a.json), and the manifest
// entry moves to the new name. A rename is followed only
// when it is certain, between a manifest entry whose file is gone and a file the manifest has no entry for:
//   - git reports it as a rename (git diff --find-renames) from the last commit that held the old file
//     (HEAD when it still does: a git mv not committed yet) to the working tree, or in the commit that
//     removed the old file;
//   - else (no git, or a plain mv git does not know of yet) the new file holds exactly the JSON the old one
//     held when last pulled or pushed (the entry's synced hash), and no other gone entry or new file has it.
// Otherwise nothing is guessed (the new file is a new flow, as before) and renameWarning() says how to
// carry the SID over by hand.
import { runGit } from './git.ts';
import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { manifestKeyProblem } from '../manifest-paths.ts';
import { fileSyncedHash, MANIFEST, syncedHash, type Manifest } from './manifest.ts';
import { substituteTemplateVars } from '../../definition/template-vars.ts';
import type { JsonObject } from '../../engine/types.ts';
import { readFlowFile } from '../unreadable-file.ts';

/** syncedHash() of the file's definition filled in with `vars` (as push --vars records it), or null. */
function filledHash(path: string, vars: JsonObject): string | null {
  const file = readFlowFile(path);
  return 'definition' in file ? syncedHash(substituteTemplateVars(file.definition, vars).value) : null;
}

export interface Rename {
  /** The old file's manifest key (relative to --dir), whose file is gone. */
  from: string;
  /** The new file's key. */
  to: string;
  /** How the rename was found: git reports it, or the new file holds the JSON last synced from the old one. */
  by: 'git' | 'synced hash';
}

export interface Renames {
  /** By the new file's key. */
  renames: Map<string, Rename>;
  /** Manifest keys with a SID whose file is gone, and the files with no entry, that no certain rename paired. */
  gone: string[];
  added: string[];
}

/**
 * The renames among `files` (the files a push or diff reads) and the manifest's entries whose file is gone.
 * `vars` (--vars FILE): an entry last pushed with them holds the hash of the template filled in (push.ts), so a
 * new file's is taken filled in with them too.
 */
export function findRenames(dir: string, files: string[], manifest: Manifest, vars?: JsonObject): Renames {
  // A file named on the command line that is not there (a typo) is no rename's target: push and diff say it cannot be read.
  const added = files.filter((file) => existsSync(file)).map((file) => relative(dir, file)).filter((key) => manifestKeyProblem(dir, key) === null && !Object.hasOwn(manifest.flows, key));
  const gone = Object.keys(manifest.flows).filter((key) => manifestKeyProblem(dir, key) === null && !existsSync(join(dir, key)));
  const renames = new Map<string, Rename>();
  if (!added.length || !gone.length) return { renames, gone: gone.filter((key) => manifest.flows[key]!.sid), added };
  const pair = (from: string, to: string, by: Rename['by']) => {
    renames.set(to, { from, to, by });
    gone.splice(gone.indexOf(from), 1);
    added.splice(added.indexOf(to), 1);
  };
  for (const from of [...gone]) {
    const to = gitRename(dir, from, new Set(added));
    if (to !== null) pair(from, to, 'git');
  }
  // Without git: the same JSON as last synced, on exactly one side each.
  const hashes = new Map(added.map((key) => [key, fileSyncedHash(join(dir, key))]));
  const filled = new Map(vars ? added.map((key) => [key, filledHash(join(dir, key), vars)]) : []);
  for (const from of [...gone]) {
    const synced = manifest.flows[from]!.synced;
    if (synced === undefined || gone.filter((key) => manifest.flows[key]!.synced === synced).length !== 1) continue;
    const held = manifest.flows[from]!.vars ? filled : hashes;
    const holders = added.filter((key) => held.get(key) === synced);
    if (holders.length === 1) pair(from, holders[0]!, 'synced hash');
  }
  return { renames, gone: gone.filter((key) => manifest.flows[key]!.sid), added };
}

/** The manifest with each renamed entry under its new key (a copy: the manifest read is left as it is). */
export function withRenames(manifest: Manifest, renames: Map<string, Rename>): Manifest {
  const flows = { ...manifest.flows };
  for (const { from, to } of renames.values()) {
    flows[to] = flows[from]!;
    delete flows[from];
  }
  return { flows };
}

/**
 * What push and diff say when tracked files vanished while new ones appeared and no rename between them is
 * certain: a new file is pushed as a new flow and the old flow stays on the server; what pull says then: the old
 * flow is written back under its old name, beside the new file. Null when there is nothing to say.
 */
export function renameWarning(dir: string, manifest: Manifest, found: Renames, command: 'push' | 'pull' = 'push'): string | null {
  if (!found.gone.length || !found.added.length) return null;
  const gone = found.gone.map((key) => `${join(dir, key)} (${manifest.flows[key]!.friendlyName}, ${manifest.flows[key]!.sid})`).join(', ');
  const added = found.added.map((key) => join(dir, key)).join(', ');
  const [from, to] = [found.gone[0]!, found.added[0]!];
  const [one, many] = [found.added.length === 1, found.gone.length > 1];
  const outcome =
    command === 'push'
      ? `a push creates a new flow for ${one ? 'it' : 'each'} and leaves the old ${many ? 'flows' : 'flow'} on the server`
      : `a pull writes the old ${many ? 'flows' : 'flow'} back under ${many ? 'their' : 'its'} old ${many ? 'names' : 'name'}, beside ${one ? 'it' : 'them'}`;
  return (
    `warning: ${join(dir, MANIFEST)} tracks ${gone}, which ${many ? 'are' : 'is'} gone, while ${added} ` +
    `${one ? 'has' : 'have'} no manifest entry: ${outcome}. If a file was renamed, move its entry to the new name in the manifest ` +
    `(e.g. ${JSON.stringify(from)} → ${JSON.stringify(to)}, keeping its "sid") so the ${command} ${command === 'push' ? 'updates that flow' : 'writes to it'}; ` +
    `a rename git reports (git mv) is followed by itself`
  );
}

/** The new key git reports `from` renamed to (one of `added`), or null: no git, no repository, or no such rename. */
function gitRename(dir: string, from: string, added: Set<string>): string | null {
  const git = (...args: string[]) => runGit(dir, args).toString('utf8');
  /** The renames of `git diff --find-renames --name-status -z …`, paths relative to --dir: old → new. */
  const renamed = (...range: string[]) => {
    const fields = git('diff', '--find-renames', '--name-status', '-z', '--relative', ...range, '--', '.').split('\0');
    const found = new Map<string, string>();
    for (let i = 0; i < fields.length; ) {
      const status = fields[i++]!;
      if (/^[RC]/.test(status)) {
        const [old, now] = [fields[i++]!, fields[i++]!];
        if (status.startsWith('R')) found.set(old, now);
      } else if (status) i++;
    }
    return found;
  };
  try {
    let base = 'HEAD';
    try {
      git('cat-file', '-e', `HEAD:./${from}`);
    } catch {
      // Committed: the commit that removed the file, and the one before it.
      const removed = git('rev-list', '-1', 'HEAD', '--', from).trim();
      if (!removed) return null;
      const to = renamed(`${removed}^`, removed).get(from);
      if (to !== undefined && added.has(to)) return to;
      base = `${removed}^`;
    }
    const to = renamed(base).get(from);
    return to !== undefined && added.has(to) ? to : null;
  } catch {
    return null;
  }
}
