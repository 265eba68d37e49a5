// flows.manifest.json, the flow directory's record of its files: each file's friendly name, the SID it
// has on the server last pulled from or pushed to, and a hash of the JSON it held then (so a pull never
// overwrites local edits unasked). Read and written here alone, by `flows` and `test --record`.
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { isPlainObject } from '../../definition/parse.ts';
import type { FlowDefinition } from '../../definition/types.ts';
import { canonicalJson } from '../../flowtest/flow-diff.ts';
import { manifestKeyProblem } from '../manifest-paths.ts';

export const MANIFEST = 'flows.manifest.json';

export interface ManifestEntry {
  friendlyName: string;
  sid?: string;
  /**
   * syncedHash(): the JSON the file held when it was last pulled or pushed (or exported into it). A pull overwrites a file
   * that differs from the server's only while it still holds that (no local edits); manifests of older
   * versions have none.
   */
  synced?: string;
  /**
   * syncedHash() of the definition the server held after the last push, when that is not `synced`: the
   * file is a saved Flow resource ({definition: …}, whose hash is the whole file's), or the server
   * stored the definition otherwise than it was sent. Either hash is the server "as last synced" (drift.ts).
   */
  server?: string;
  /**
   * The file was last pushed with `--vars`: a template whose deploy-time placeholders were filled in, so `synced`
   * (and the server) hold the substituted definition. A pull never writes the server's flow over such a file.
   */
  vars?: boolean;
}

export interface Manifest {
  flows: Record<string, ManifestEntry>;
}

/** A hash of a flow file's JSON, key order and formatting aside (what `synced` records); text that is no JSON by its bytes. */
export function syncedHash(value: unknown): string {
  return `sha256:${createHash('sha256').update(canonicalJson(value)).digest('hex')}`;
}

/** syncedHash() of the file's JSON (its text when it is no JSON), or null when there is no file to read. */
export function fileSyncedHash(path: string): string | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return null;
  }
  try {
    return syncedHash(JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text));
  } catch {
    return `sha256-text:${createHash('sha256').update(text).digest('hex')}`;
  }
}

/**
 * The flow directory's manifest (none yet: empty). One that is no manifest, or names a file outside
 * the directory (manifest-paths.ts), is refused whole, by every command: nothing is read or written.
 */
export function readManifest(dir: string): Manifest {
  const path = join(dir, MANIFEST);
  // Commands write the manifest back: a symbolic link in its place must not lead them out of --dir.
  const linked = manifestKeyProblem(dir, MANIFEST);
  if (linked) throw new Error(`${path} ${linked}`);
  if (!existsSync(path)) return { flows: {} };
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`${path}: ${error instanceof SyntaxError ? 'not valid JSON' : 'cannot read the file'}: ${(error as Error).message}`);
  }
  if (!isPlainObject(value) || !isPlainObject(value.flows)) throw new Error(`${path}: not a flows manifest (expected {"flows": {"<file>.json": {"friendlyName": …, "sid": …}}})`);
  for (const [key, entry] of Object.entries(value.flows)) {
    const problem = manifestKeyProblem(dir, key);
    if (problem) throw new Error(`${path}: the entry ${JSON.stringify(key)} ${problem}: manifest entries name files inside ${dir}, relative to it`);
    if (
      !isPlainObject(entry) ||
      (entry.friendlyName !== undefined && typeof entry.friendlyName !== 'string') ||
      (entry.sid !== undefined && typeof entry.sid !== 'string') ||
      (entry.synced !== undefined && typeof entry.synced !== 'string') ||
      (entry.server !== undefined && typeof entry.server !== 'string') ||
      (entry.vars !== undefined && typeof entry.vars !== 'boolean')
    ) {
      throw new Error(`${path}: the entry ${JSON.stringify(key)} is not {"friendlyName": "…", "sid": "FW…", "synced": "sha256:…"}`);
    }
  }
  return value as unknown as Manifest;
}

export function writeManifest(dir: string, manifest: Manifest): void {
  const sorted = Object.fromEntries(Object.entries(manifest.flows).sort(([a], [b]) => a.localeCompare(b)));
  // The same entries in a file formatted otherwise are kept as they are: no git noise.
  if (sameJsonFile(join(dir, MANIFEST), { flows: sorted })) return;
  writeFileSync(join(dir, MANIFEST), JSON.stringify({ flows: sorted }, null, 2) + '\n');
}

/** Whether the file at `path` exists and its JSON is `value` (key order and formatting aside). */
export function sameJsonFile(path: string, value: unknown): boolean {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return false;
  }
  try {
    return canonicalJson(JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text)) === canonicalJson(value);
  } catch {
    return false;
  }
}

/**
 * Why writing the server's `definition` to `path` (a pull, or an export into a tracked file) would lose local
 * edits, or null when it would not: no file, the same JSON already, or the JSON last pulled or pushed (the
 * manifest's `synced`). A file
 * the manifest has no such record of (a manifest of an older version, a file it does not list) is
 * taken as edited: whether it is cannot be told, and only --force risks it.
 */
export function localEdits(path: string, entry: ManifestEntry | undefined, definition: FlowDefinition): string | null {
  if (!lstatSync(path, { throwIfNoEntry: false })) return null;
  if (sameJsonFile(path, definition)) return null;
  const local = fileSyncedHash(path);
  if (entry?.synced !== undefined && local === entry.synced) return null;
  if (entry?.synced !== undefined) return 'it was edited since it was last pulled or pushed';
  if (entry) return `${MANIFEST} does not record what it held when last pulled or pushed (written by an older version), so local edits cannot be ruled out`;
  return `${MANIFEST} does not list it: it was not written by a pull or push`;
}

/**
 * Records in `dir`'s manifest that its file at `file` (a path; nothing when no entry tracks it) holds the JSON
 * written from the server (`synced`), as a pull does, so a later `flows pull` does not take it for a local edit
 * and refuse to update it. The entry is then a pulled one: no `server` hash, and no `vars` mark (an entry last
 * pushed with --vars as a template, whose file was gone or overwritten): the file holds the server's filled-in
 * definition, not a template, and a pull that took it for one would keep it as it is for good.
 */
export function markSynced(dir: string, file: string, definition: unknown): void {
  const manifest = readManifest(dir);
  const key = Object.keys(manifest.flows).find((k) => resolve(dir, k) === resolve(file));
  if (key === undefined) return;
  const { server: _, vars: __, ...entry } = manifest.flows[key]!;
  manifest.flows[key] = { ...entry, synced: syncedHash(definition) };
  writeManifest(dir, manifest);
}
