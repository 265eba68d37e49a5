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
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { isPlainObject } from '../../definition/parse.ts';
import { localFiles } from './files.ts';
import { manifestKeyProblem } from '../manifest-paths.ts';
import { fileSyncedHash, MANIFEST, readManifest, syncedHash, type Manifest } from './manifest.ts';
import { substituteTemplateVars } from '../../definition/template-vars.ts';
import type { JsonObject } from '../../engine/types.ts';
import type { MovedFlow } from '../../flowtest/runner.ts';
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
function gitRename(dir: string, from: string, added: { has(key: string): boolean }): string | null {
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

/**
 * Where the flow file `missing` (a path that is not there, as a test file names it) went, or null when nothing
 * says: the rename a push would follow while the manifest still tracks the old name (findRenames: git, or the
 * JSON last synced); a rename git reports (the manifest already moved to the new name, or none); else the file
 * beside it the manifest now tracks the old file's flow under, or that holds its SID or friendly name (a Flow
 * resource), the flow known from the manifest's entry for the old name or the manifest as last committed.
 */
export function movedFlowFile(missing: string): MovedFlow | null {
  const dir = dirname(missing);
  const from = basename(missing);
  if (!existsSync(dir) || from === MANIFEST) return null;
  let manifest: Manifest;
  try {
    manifest = readManifest(dir);
  } catch {
    manifest = { flows: {} };
  }
  const files = localFiles(dir, []);
  const entry = manifest.flows[from];
  if (entry) {
    const rename = [...findRenames(dir, files, manifest).renames.values()].find((r) => r.from === from);
    if (rename) return { to: join(dir, rename.to), why: rename.by === 'git' ? 'git reports the rename' : `it holds the JSON ${from} held when last pulled or pushed` };
  }
  const renamed = gitRename(dir, from, { has: (key) => manifestKeyProblem(dir, key) === null && existsSync(join(dir, key)) });
  if (renamed !== null) return { to: join(dir, renamed), why: 'git reports the rename' };
  const flow = entry ?? committedManifest(dir, from)?.flows[from];
  if (!flow) return null;
  // The manifest tracks the flow under another name now (a push or pull followed the rename).
  const tracked = flow.sid ? Object.keys(manifest.flows).filter((key) => key !== from && manifest.flows[key]!.sid === flow.sid && existsSync(join(dir, key))) : [];
  if (tracked.length === 1) return { to: join(dir, tracked[0]!), why: `${MANIFEST} tracks its flow ${flow.friendlyName} (${flow.sid}) under that name now` };
  // A Flow resource file beside it holding the flow's SID, else its friendly name.
  const resources = files.map((file) => ({ file, resource: flowResource(file) })).filter(({ file, resource }) => resource && !Object.hasOwn(manifest.flows, basename(file)));
  const bySid = flow.sid ? resources.filter(({ resource }) => resource!.sid === flow.sid) : [];
  if (bySid.length === 1) return { to: bySid[0]!.file, why: `it holds the same flow, ${flow.sid}` };
  const byName = resources.filter(({ resource }) => resource!.friendlyName === flow.friendlyName);
  if (bySid.length === 0 && byName.length === 1) return { to: byName[0]!.file, why: `it holds a flow of the same friendly name, ${flow.friendlyName}` };
  return null;
}

/** The SID and friendly name a saved Flow resource file ({sid, friendly_name, definition}) holds, or null. */
function flowResource(path: string): { sid?: string; friendlyName?: string } | null {
  let value: unknown;
  try {
    const text = readFileSync(path, 'utf8');
    value = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch {
    return null;
  }
  if (!isPlainObject(value) || !isPlainObject(value.definition)) return null;
  const sid = typeof value.sid === 'string' ? value.sid : undefined;
  const name = value.friendly_name ?? value.friendlyName;
  return { ...(sid ? { sid } : {}), ...(typeof name === 'string' ? { friendlyName: name } : {}) };
}

/**
 * The manifest as committed when `file` (a key, gone now) was last there: HEAD's while it still holds the file,
 * else the one before the commit that removed it. Null without git, or when no commit held it.
 */
function committedManifest(dir: string, file: string): Manifest | null {
  const git = (...args: string[]) => runGit(dir, args).toString('utf8');
  try {
    let base = 'HEAD';
    try {
      git('cat-file', '-e', `HEAD:./${file}`);
    } catch {
      const removed = git('rev-list', '-1', 'HEAD', '--', file).trim();
      if (!removed) return null;
      base = `${removed}^`;
    }
    const value: unknown = JSON.parse(git('show', `${base}:./${MANIFEST}`));
    return isPlainObject(value) && isPlainObject(value.flows) ? (value as unknown as Manifest) : null;
  } catch {
    return null;
  }
}
