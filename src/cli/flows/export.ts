// `switchboard flows export FW…`: a server flow (or one revision of it) as Studio export JSON, on stdout
// or in --out. Exported into the file flows.manifest.json tracks for that flow, the manifest records what
// the file now holds (its `synced` hash, as a pull does): pull and push then see the file as that revision,
// not as local edits.
import { existsSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { isServerSide } from '../flows-diff-args.ts';
import type { FlowsContext } from './context.ts';
import { definitionJson } from './files.ts';
import { MANIFEST, readManifest, syncedHash, writeManifest } from './manifest.ts';
import { resolveSide, serverSideProblem } from './side.ts';

/** The manifest key of `out` when --dir's manifest tracks it as the file of flow `sid`, else null. */
function trackedKey(dir: string, out: string, sid: string): string | null {
  if (!existsSync(resolve(dir, MANIFEST))) return null;
  const manifest = readManifest(dir);
  const key = Object.keys(manifest.flows).find((k) => resolve(dir, k) === resolve(out));
  return key !== undefined && manifest.flows[key]!.sid === sid ? key : null;
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
    // Checked before anything is written: a manifest that cannot be read stops the export, as it does pull.
    const key = isServerSide(sid) ? trackedKey(dir, values.out, sid.split('@')[0]!) : null;
    writeFileSync(values.out, definitionJson(side.definition));
    if (key !== null) {
      // As a pull that wrote this definition: no `server` hash, no `vars` mark (the file is no template now).
      const manifest = readManifest(dir);
      const { server: _, vars: __, ...entry } = manifest.flows[key]!;
      manifest.flows[key] = { ...entry, synced: syncedHash(side.definition) };
      writeManifest(dir, manifest);
    }
    if (!json) {
      const tracked = key === null ? '' : ` (its tracked file: ${MANIFEST} records that it holds this revision, so pull and push see it as that revision, not as local edits)`;
      console.log(`exported ${side.label} → ${values.out}${tracked}`);
    }
  } else {
    process.stdout.write(definitionJson(side.definition));
  }
  return 0;
}
