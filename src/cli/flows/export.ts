// `switchboard flows export FW…`: a server flow (or one revision of it) as Studio export JSON, on stdout
// or in --out. Exported into the file flows.manifest.json tracks for that flow, the manifest records what
// the file now holds (its `synced` hash, as a pull does): pull and push then see the file as that revision,
// not as local edits. A tracked file edited since it was last synced is not overwritten unless --force, as
// pull refuses it; a file of no manifest is overwritten as ever (a scratch copy). A new file in a flows
// folder follows test --record's rule (flows-folder.ts): never a second file of a tracked flow, nor another
// flow's file; the file of a flow the folder does not track yet becomes its tracked file.
import { dirname, resolve } from 'node:path';
import { existsSync, lstatSync, writeFileSync } from 'node:fs';
import { isServerSide } from '../flows-diff-args.ts';
import type { FlowsContext } from './context.ts';
import { definitionJson } from './files.ts';
import { flowsFolderPlace, flowsFolderRefusal, shownPath, trackFlowFile, type FolderPlace } from './flows-folder.ts';
import { localEdits, MANIFEST, markSynced, readManifest, type ManifestEntry } from './manifest.ts';
import { resolveSide, serverSideProblem } from './side.ts';

/**
 * The manifest entry that tracks `out`: in --dir's manifest (under any key naming it), else in the manifest
 * beside it. Null when none does.
 */
function trackingEntry(dir: string, out: string): { folder: string; key: string; entry: ManifestEntry } | null {
  for (const folder of [dir, dirname(out)]) {
    if (!existsSync(resolve(folder, MANIFEST))) continue;
    const manifest = readManifest(folder);
    const key = Object.keys(manifest.flows).find((k) => resolve(folder, k) === resolve(out));
    if (key !== undefined) return { folder, key, entry: manifest.flows[key]! };
  }
  return null;
}

export async function flowsExport({ values, positionals, dir, json, client }: FlowsContext): Promise<number> {
  const sid = positionals[0];
  if (!sid) {
    console.error('switchboard flows export: give the flow SID (FW…)');
    return 2;
  }
  // A malformed SID would be read as a file name ("cannot read FWbad"): say what a flow SID looks like.
  const problem = serverSideProblem(sid);
  if (problem) {
    console.error(`switchboard flows export: ${problem}`);
    return 2;
  }
  // A friendly name (flows pull takes one) is no file either: say what export takes.
  if (!isServerSide(sid) && !existsSync(sid)) {
    console.error(`switchboard flows export: '${sid}' is not a flow SID (FW followed by 32 hex characters), nor a file: flows list shows each flow's SID`);
    return 2;
  }
  const side = await resolveSide(values.revision ? `${sid}@${values.revision}` : sid, client);
  if ('notDefinition' in side) throw new Error(`${sid}: not a flow definition: ${side.notDefinition}`);
  if (values.out) {
    const out = values.out;
    const flow = side.flow;
    // Checked before anything is written: a manifest that cannot be read stops the export, as it does pull.
    const tracking = trackingEntry(dir, out);
    // The file of another flow, or (a new file) one a flows folder would take for a second flow: as test --record --flow-file.
    let place: FolderPlace | null = null;
    if (flow && tracking?.entry.sid !== undefined && tracking.entry.sid !== flow.sid) {
      place = { folder: tracking.folder, is: 'another flow', sid: tracking.entry.sid, friendlyName: tracking.entry.friendlyName };
    } else if (flow && !tracking && !lstatSync(out, { throwIfNoEntry: false })) {
      place = flowsFolderPlace(resolve(out), flow, dir);
    }
    const refused = flow && flowsFolderRefusal(resolve(out), place, flow, (file) => `Export into ${file} (--out ${file}), or keep this copy outside the flows folder`);
    if (refused) {
      console.error(`switchboard flows export: ${refused}; nothing was written`);
      return 2;
    }
    // A tracked file holding local edits (changed since it was last pulled, pushed or exported into) is not lost unasked.
    const edited = tracking && !values.force ? localEdits(out, tracking.entry, side.definition) : null;
    if (edited) {
      console.error(`${out}: not overwritten with ${side.label}: ${edited}`);
      console.error('nothing was exported: the file may hold local changes the export would lose (push them, or save them elsewhere); --force overwrites it');
      return 2;
    }
    writeFileSync(out, definitionJson(side.definition));
    let tracked = '';
    if (flow && place?.is === 'untracked') {
      trackFlowFile(place.folder, resolve(out), flow, side.definition);
      tracked = ` (now its tracked file: ${shownPath(resolve(place.folder, MANIFEST))} records it for ${flow.friendlyName}, so flows push updates that flow)`;
    } else if (flow && tracking && tracking.entry.sid === flow.sid) {
      markSynced(tracking.folder, out, side.definition);
      tracked = ` (its tracked file: ${MANIFEST} records that it holds this revision, so pull and push see it as that revision, not as local edits)`;
    }
    if (!json) console.log(`exported ${side.label} → ${out}${tracked}`);
  } else {
    process.stdout.write(definitionJson(side.definition));
  }
  return 0;
}
