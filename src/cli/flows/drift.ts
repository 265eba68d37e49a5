// Whether a server flow changed since its file was last pulled or pushed, in a way `flows push` would
// overwrite: the manifest's `synced` hash says what the file and the server held then. A flow counts as
// changed on the server ("drifted") only when all of these hold, so that a CI checkout whose manifest is
// never committed back after a push is not stopped on every push:
//   - the manifest records a `synced` hash for the file and the file is matched by the manifest's SID
//     (on another server, matched by friendly name, that hash is about another server's flow);
//   - the server's definition is not the file's (nothing to overwrite) nor the synced one (a plain push;
//     also the manifest's `server` hash, what the server held after the last push when that differs);
//   - it is no version of the file that the checked-out git history holds (HEAD's commits): a definition
//     pushed from an earlier commit is the repository's own, however stale the manifest is — the git
//     "fast-forward". Without git only the manifest's hash counts; a shallow clone (CI's actions/checkout
//     fetches one commit by default) holds only the versions of its own commits, so the refusal says so
//     (shallowHistoryNote) and names the ways out;
//   - the file does not hold the server's change: each field the server changed since the definition
//     last synced (its revision whose hash is the manifest's, found among the flow's latest revisions) is
//     in the file as the server has it — states matched by name, transitions by event — as a file the
//     server's change was merged into by hand (what the refusal asks) holds it, its own edits beside.
// A template pushed with --vars (deploy-time `${…}` placeholders) is compared filled in: the file, and each of its
// committed versions with the same values (the manifest's hash is of the definition as pushed, push.ts).
// A flow the manifest tracks whose SID the server no longer has, while the server has others of the
// manifest's SIDs (so it is the server the manifest was synced with), was deleted there: a push would
// create it again.
import { basename, dirname, join, relative } from 'node:path';
import type { FlowDefinition } from '../../definition/types.ts';
import { isPlainObject, parseDefinitionFile } from '../../definition/parse.ts';
import { canonicalJson, sameDefinition } from '../../flowtest/flow-diff.ts';
import { ApiFailure, type ListedFlow, type RemoteFlow, type StudioClient } from '../../flowtest/studio-client.ts';
import { runGit } from './git.ts';
import { MANIFEST, syncedHash, type Manifest, type ManifestEntry } from './manifest.ts';
import { substituteTemplateVars } from '../../definition/template-vars.ts';
import type { JsonObject } from '../../engine/types.ts';

/** How many of a file's commits are looked at (newest first) for the server's definition. */
const HISTORY_COMMITS = 500;
/** How many of the flow's revisions before the current one are fetched (newest first) for the one last synced. */
const SYNCED_REVISIONS = 20;

/** The file's manifest entry when it has a synced hash and the file is matched by its SID (the server last synced with), else null. */
export function syncedEntry(dir: string, file: string, manifest: Manifest, match: ListedFlow | undefined): ManifestEntry | null {
  const entry = manifest.flows[relative(dir, file)];
  return match && entry?.synced !== undefined && entry.sid === match.sid ? entry : null;
}

/**
 * Whether `server` (the definition the flow the file is matched with by its manifest SID holds now)
 * changed since the last pull or push in a way pushing `local` would lose (the module's comment says when).
 */
function serverChanged(entry: ManifestEntry, server: FlowDefinition, local: FlowDefinition, file: string, previous?: string, vars?: JsonObject): boolean {
  if (sameDefinition(server, local)) return false;
  const hash = syncedHash(server);
  if (hash === entry.synced || hash === entry.server) return false;
  return !committedVersions(file, vars).has(hash) && (previous === undefined || !committedVersions(previous, vars).has(hash));
}

/**
 * serverChanged(), and then whether the file holds the server's change all the same (the module's comment
 * says how): what `flows push` refuses and `flows diff` notes. `previous`: the file's name before a rename
 * (rename.ts), whose commits count as the file's own. `vars` (--vars FILE): `local` is the template filled in with
 * them, and so is each committed version before it is compared (the server holds what was pushed filled in).
 */
export async function serverChangeLost(client: StudioClient, entry: ManifestEntry, current: RemoteFlow, local: FlowDefinition, file: string, previous?: string, vars?: JsonObject): Promise<boolean> {
  if (!serverChanged(entry, current.definition, local, file, previous, vars)) return false;
  const base = await syncedRevision(client, current, entry);
  return base === null || !holdsChange(base, current.definition, local);
}

/**
 * Whether pushing `local` replaces a definition of `current`, a flow the file is matched with by friendly name
 * while the manifest gives the file no SID at all (a first push to a server that already has flows, a manifest
 * written by hand or never committed, as CI's), that this repository never held: none the manifest's hash records,
 * nor a committed version of the file, nor one whose change the file holds (serverChangeLost). Not refused (the
 * manifest knows nothing of this flow) but said: it may be another flow that shares the name, or one changed on the
 * server. A file whose manifest SID is another server's (a folder pushed to staging, then production) is not
 * checked: its pushes to the other server are recorded nowhere, so each would be taken for a change.
 */
export async function nameMatchLost(client: StudioClient, dir: string, file: string, manifest: Manifest, current: RemoteFlow, local: FlowDefinition, previous?: string, vars?: JsonObject): Promise<boolean> {
  const entry = manifest.flows[relative(dir, file)];
  if (entry?.sid !== undefined || sameDefinition(current.definition, local)) return false;
  return serverChangeLost(client, entry ?? { friendlyName: current.friendlyName }, current, local, file, previous, vars);
}

/** Why nameMatchLost() holds, in words: how the file was matched, and what its flow's definition is not. */
export function nameMatchText(dir: string, current: RemoteFlow): string {
  const when = current.dateUpdated ? `, updated ${current.dateUpdated.replace(/\.\d+Z$/, 'Z')}` : '';
  return `matched by friendly name only (${join(dir, MANIFEST)} gives the file no SID), whose definition (revision ${current.revision}${when}) is none this file held when last pulled or pushed, nor in a commit`;
}

/** The definition of the flow's newest revision before the current one whose hash is the manifest's synced (or server) one; null when none of the latest is. */
async function syncedRevision(client: StudioClient, current: RemoteFlow, entry: ManifestEntry): Promise<FlowDefinition | null> {
  // Revisions are numbered one by one: fetched by number, newest first, not listed (a flow may have thousands).
  for (let revision = current.revision - 1; revision >= Math.max(1, current.revision - SYNCED_REVISIONS); revision--) {
    let definition: FlowDefinition;
    try {
      definition = (await client.getRevision(current.sid, revision)).definition;
    } catch (error) {
      if (error instanceof ApiFailure && error.status === 404) continue;
      throw error;
    }
    const hash = syncedHash(definition);
    if (hash === entry.synced || hash === entry.server) return definition;
  }
  return null;
}

const same = (a: unknown, b: unknown) => (a === undefined || b === undefined ? a === b : canonicalJson(a) === canonicalJson(b));

/** Whether every item of each list is an object with a distinct string `key`. */
const keyedBy = (key: string, ...lists: unknown[][]) =>
  lists.every((list) => {
    const keys = list.map((item) => (isPlainObject(item) && typeof item[key] === 'string' ? item[key] : null));
    return !keys.includes(null) && new Set(keys).size === keys.length;
  });

/**
 * Whether `local` holds the change from `base` to `server`: where the server changed something, the
 * file has it as the server does; elsewhere the file may differ (its own edits). Objects are compared
 * key by key, lists of states by name and of transitions by event (each distinct); any other list whole.
 */
export function holdsChange(base: unknown, server: unknown, local: unknown): boolean {
  if (same(base, server) || same(server, local)) return true;
  if (isPlainObject(base) && isPlainObject(server) && isPlainObject(local)) {
    return [...new Set([...Object.keys(base), ...Object.keys(server), ...Object.keys(local)])].every((key) => holdsChange(base[key], server[key], local[key]));
  }
  if (Array.isArray(base) && Array.isArray(server) && Array.isArray(local)) {
    const key = ['name', 'event'].find((k) => keyedBy(k, base, server, local));
    if (key === undefined) return false;
    const byKey = (list: unknown[]) => new Map(list.map((item) => [(item as Record<string, string>)[key]!, item]));
    const [b, s, l] = [byKey(base), byKey(server), byKey(local)];
    return [...new Set([...b.keys(), ...s.keys(), ...l.keys()])].every((k) => holdsChange(b.get(k), s.get(k), l.get(k)));
  }
  return false;
}

/**
 * The manifest's keys whose flow was deleted on the server: it has none of their SIDs, though it has others of the
 * manifest's (it is the server the manifest was synced with). A gone file among them was no rename's source: the
 * rename warnings (rename.ts) leave it out, since its flow is not left on the server.
 */
export function deletedEntries(manifest: Manifest, remote: ListedFlow[]): Set<string> {
  const sids = new Set(remote.map((flow) => flow.sid));
  const entries = Object.entries(manifest.flows);
  if (!entries.some(([, entry]) => entry.sid !== undefined && sids.has(entry.sid))) return new Set();
  return new Set(entries.filter(([, entry]) => entry.sid !== undefined && !sids.has(entry.sid)).map(([key]) => key));
}

/**
 * Files the manifest tracks (with a synced hash) whose flow was deleted on the server: it has none of
 * their SIDs, though it has others of the manifest's (it is the server the manifest was synced with).
 */
export function deletedOnServer(dir: string, files: string[], manifest: Manifest, matches: Map<string, ListedFlow | undefined>, remote: ListedFlow[]): Map<string, string> {
  const sids = new Set(remote.map((flow) => flow.sid));
  const entries = Object.values(manifest.flows);
  if (!entries.some((entry) => entry.sid !== undefined && sids.has(entry.sid))) return new Map();
  const deleted = new Map<string, string>();
  for (const file of files) {
    const entry = manifest.flows[relative(dir, file)];
    if (matches.get(file) || entry?.synced === undefined || entry.sid === undefined || sids.has(entry.sid)) continue;
    deleted.set(file, entry.sid);
  }
  return deleted;
}

/**
 * What a refusal adds when a refused file is in a shallow clone: the commits that would show its server
 * definition as one pushed from this repository may be the ones the clone lacks. Null in a full clone,
 * outside git or without it.
 */
export function shallowHistoryNote(dir: string, files: string[]): string | null {
  const shallow = files.some((file) => {
    try {
      return runGit(dirname(file) || '.', ['rev-parse', '--is-shallow-repository']).toString('utf8').trim() === 'true';
    } catch {
      return false;
    }
  });
  if (!shallow) return null;
  const manifest = join(dir, MANIFEST);
  return (
    `this checkout is a shallow clone (git rev-parse --is-shallow-repository): it lacks the earlier commits, so a ` +
    `definition pushed from one of them (by an earlier CI run that did not commit ${manifest} back) cannot be told ` +
    `from a change made on the server. Fetch the history (actions/checkout's fetch-depth: 0, or git fetch --unshallow), ` +
    `commit ${manifest} after each push, or push with --force when the server's flow holds nothing to keep`
  );
}

/** A server flow in a drift line: its name, SID, revision, when it was last updated and its commit message. */
export function flowAsChanged(flow: RemoteFlow): string {
  const when = flow.dateUpdated ? `, updated ${flow.dateUpdated.replace(/\.\d+Z$/, 'Z')}` : '';
  const message = flow.commitMessage ? `, "${flow.commitMessage}"` : '';
  return `${flow.friendlyName} (${flow.sid}) is now at revision ${flow.revision}${when}${message}`;
}

/**
 * syncedHash() of each definition the file held in the commits of HEAD that changed it (the newest
 * HISTORY_COMMITS): empty when git is missing, the file is in no repository, or nothing was committed.
 * With `vars`, each version's placeholders filled in with them, as a push would send it; a version with a
 * placeholder they have no value for was never pushed so (push refuses it), and is left out.
 */
function committedVersions(file: string, vars?: JsonObject): Set<string> {
  const hashes = new Set<string>();
  const git = (args: string[], input?: string) => runGit(dirname(file) || '.', args, input);
  let blobs: Buffer;
  try {
    const commits = git(['rev-list', `--max-count=${HISTORY_COMMITS}`, 'HEAD', '--', basename(file)]).toString('utf8').split('\n').filter(Boolean);
    if (!commits.length) return hashes;
    blobs = git(['cat-file', '--batch'], commits.map((commit) => `${commit}:./${basename(file)}\n`).join(''));
  } catch {
    return hashes;
  }
  // "<oid> blob <size>\n<content>\n" per commit, or "<name> missing\n".
  let at = 0;
  while (at < blobs.length) {
    const end = blobs.indexOf(0x0a, at);
    if (end < 0) break;
    const header = blobs.subarray(at, end).toString('utf8').split(' ');
    at = end + 1;
    if (header.length !== 3) continue;
    const size = Number(header[2]);
    const text = blobs.subarray(at, at + size).toString('utf8');
    at += size + 1;
    const parsed = parseDefinitionFile(text);
    if (!parsed.ok) continue;
    if (!vars) hashes.add(syncedHash(parsed.definition));
    else {
      const filled = substituteTemplateVars(parsed.definition, vars);
      if (!filled.left.length) hashes.add(syncedHash(filled.value));
    }
  }
  return hashes;
}
