// Which server flow each local file is, and which file each server flow is: a file is the flow its
// manifest entry gives the SID of while the server has that SID; otherwise (another server: SIDs differ
// between servers) the friendly name finds it, never by chance when several flows share it. Flows that
// share a name get a file each on a pull (the later ones with part of their SID in the name).
import { basename, join, relative } from 'node:path';
import type { ListedFlow } from '../../flowtest/studio-client.ts';
import { manifestKeyProblem } from '../manifest-paths.ts';
import { MANIFEST, type Manifest } from './manifest.ts';

export function friendlyNameFor(dir: string, file: string, manifest: Manifest): string {
  const key = relative(dir, file);
  return manifest.flows[key]?.friendlyName ?? basename(file).replace(/\.json$/, '');
}

/**
 * Which server flow each local file is (undefined: none yet). The manifest's SID decides when the server
 * has that flow; otherwise (another server, or a file never pulled or pushed) the friendly name does,
 * among the flows no manifest entry holds and no earlier file took — so two files of one name never
 * land on one flow.
 */
export function matchFiles(dir: string, files: string[], manifest: Manifest, remote: ListedFlow[]): Map<string, ListedFlow | undefined> {
  const bySid = new Map(remote.map((flow) => [flow.sid, flow]));
  const holder = manifestHolders(manifest, remote);
  const taken = new Set<string>();
  const matched = new Map<string, ListedFlow | undefined>();
  for (const file of files) {
    const key = relative(dir, file);
    const sid = manifest.flows[key]?.sid;
    if (sid && holder.get(sid) === key) {
      matched.set(file, bySid.get(sid));
      continue;
    }
    const name = friendlyNameFor(dir, file, manifest);
    const flow = remote.find((f) => f.friendlyName === name && !holder.has(f.sid) && !taken.has(f.sid));
    if (flow) taken.add(flow.sid);
    matched.set(file, flow);
  }
  return matched;
}

/** Server flows the manifest holds, and which file (relative to --dir) holds each. */
function manifestHolders(manifest: Manifest, remote: ListedFlow[]): Map<string, string> {
  const sids = new Set(remote.map((flow) => flow.sid));
  const holder = new Map<string, string>();
  for (const [key, entry] of Object.entries(manifest.flows)) {
    if (entry.sid && sids.has(entry.sid) && !holder.has(entry.sid)) holder.set(entry.sid, key);
  }
  return holder;
}

/**
 * Files matchFiles would match by friendly name (the manifest gives them no SID this server has) while
 * several server flows of that name are free to take: which one the file is cannot be told, and taking
 * the first listed would update (or compare with) a flow chosen by chance.
 */
export function ambiguousFiles(dir: string, files: string[], manifest: Manifest, remote: ListedFlow[]): { file: string; name: string; sids: string[] }[] {
  const holder = manifestHolders(manifest, remote);
  const found = [];
  for (const file of files) {
    const key = relative(dir, file);
    const sid = manifest.flows[key]?.sid;
    if (sid && holder.get(sid) === key) continue;
    const name = friendlyNameFor(dir, file, manifest);
    const sids = remote.filter((f) => f.friendlyName === name && !holder.has(f.sid)).map((f) => f.sid);
    if (sids.length > 1) found.push({ file, name, sids });
  }
  return found;
}

/** ambiguousFiles() in words: each file, the flows it could be, and how to say which one. */
export function ambiguityText(command: string, dir: string, found: { file: string; name: string; sids: string[] }[]): string {
  const lines = found.map(({ file, name, sids }) => {
    const key = relative(dir, file);
    const how =
      manifestKeyProblem(dir, key) === null
        ? `give it the SID of its flow in the manifest (e.g. ${JSON.stringify({ [key]: { friendlyName: name, sid: sids[0] } }).slice(1, -1)})`
        : `move it into ${dir} and give it the SID of its flow in the manifest`;
    return `${file}: ${sids.length} flows on the server are named '${name}' (${sids.join(', ')}) and ${join(dir, MANIFEST)} gives this file none of their SIDs, so which one it is cannot be told: ${how}, or rename the other flows on the server`;
  });
  return `${lines.join('\n')}\nnothing was ${command === 'push' ? 'pushed' : 'compared'}: a file whose friendly name several server flows have is not matched by chance`;
}

/** A friendly name as a file name's stem (`test --record` names the files it adds with it too). */
export function slug(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '') || 'flow';
}

/**
 * The file (relative to --dir) each pulled flow is written to, stable from one pull to the next: the
 * file the manifest gives its SID; else a manifest file of its name whose SID this server does not
 * have (pulled from another server); else <slug>.json, or <slug>-<end of its SID>.json when that
 * name is taken — by another flow of the same name (the older one keeps the plain name) or another
 * name with the same slug.
 */
export function pullFileNames(pulled: ListedFlow[], manifest: Manifest, serverSids: Set<string>): Map<string, string> {
  const files = new Map<string, string>();
  // Files the manifest gives to flows this server has: theirs, whether pulled now or not.
  const held = new Set<string>();
  for (const [file, entry] of Object.entries(manifest.flows)) {
    if (!entry.sid || !serverSids.has(entry.sid)) continue;
    held.add(file);
    if (!files.has(entry.sid) && pulled.some((f) => f.sid === entry.sid)) files.set(entry.sid, file);
  }
  const used = new Set([...held, ...files.values()]);
  const oldestFirst = pulled.filter((f) => !files.has(f.sid)).sort((a, b) => a.dateCreated.localeCompare(b.dateCreated) || a.sid.localeCompare(b.sid));
  for (const flow of oldestFirst) {
    const adopted = Object.entries(manifest.flows).find(([file, entry]) => entry.friendlyName === flow.friendlyName && !used.has(file))?.[0];
    const base = slug(flow.friendlyName);
    const file = adopted ?? [`${base}.json`, `${base}-${flow.sid.slice(-8).toLowerCase()}.json`, `${base}-${flow.sid.toLowerCase()}.json`].find((f) => !used.has(f) && !Object.hasOwn(manifest.flows, f)) ?? `${base}-${flow.sid.toLowerCase()}.json`;
    files.set(flow.sid, file);
    used.add(file);
  }
  return files;
}
