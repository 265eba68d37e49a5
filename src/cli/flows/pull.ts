// `switchboard flows pull`: writes the server's flows (all, or those named) to the flow directory and
// records them in the manifest. Nothing is written while any file holds local edits the pull would lose;
// a template (deploy-time `${…}` placeholders, or pushed with --vars) is never written over. A file renamed
// since the last pull or push (rename.ts, as push and diff follow it) is written under its new name.
import { lstatSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { RemoteFlow } from '../../flowtest/studio-client.ts';
import { manifestKeyProblem } from '../manifest-paths.ts';
import type { FlowsContext } from './context.ts';
import { definitionJson, definitionPlaceholders, filePlaceholders, localFiles, serverPlaceholdersNote } from './files.ts';
import { localEdits, MANIFEST, readManifest, sameJsonFile, syncedHash, writeManifest } from './manifest.ts';
import { pullFileNames } from './match.ts';
import { makeDirectories } from '../../lib/make-directories.ts';
import { findRenames, renameWarning, withRenames, type Rename } from './rename.ts';

export async function flowsPull({ values, positionals, dir, json, client }: FlowsContext): Promise<number> {
  const c = await client();
  const all = await c.listFlows();
  const wanted = positionals.length ? all.filter((f) => positionals.includes(f.sid) || positionals.includes(f.friendlyName)) : all;
  const missing = positionals.filter((p) => !all.some((f) => f.sid === p || f.friendlyName === p));
  if (missing.length) throw new Error(`no flow named ${missing.join(', ')} on ${c.connection.baseUrl}`);
  makeDirectories(dir);
  const read = readManifest(dir);
  // A tracked file renamed since the last pull or push (git mv, or its JSON as last synced; rename.ts) is its flow's
  // file: pulled to the new name, its entry moved there, as push would. Only the flows pulled now are moved.
  const pulledSids = new Set(wanted.map((flow) => flow.sid));
  const found = findRenames(dir, localFiles(dir, []), read);
  const renames = new Map<string, Rename>([...found.renames].filter(([, { from }]) => pulledSids.has(read.flows[from]!.sid!)));
  // Gone files whose flows this pull writes back, beside new files no certain rename paired with them.
  const renameNote = renameWarning(dir, read, { ...found, gone: found.gone.filter((key) => pulledSids.has(read.flows[key]!.sid!)) }, 'pull');
  if (renameNote) console.error(renameNote);
  const manifest = withRenames(read, renames);
  /** The old name of the file a flow is pulled to, when it was renamed (as a path), else undefined. */
  const renamedFrom = (file: string) => {
    const rename = renames.get(file);
    return rename ? join(dir, rename.from) : undefined;
  };
  const fileNames = pullFileNames(wanted, manifest, new Set(all.map((f) => f.sid)));
  // A file of the flow's own name can be a symbolic link too (committed, not in the manifest): checked before anything is written.
  for (const file of fileNames.values()) {
    const problem = manifestKeyProblem(dir, file);
    if (problem) throw new Error(`${join(dir, file)} ${problem}: not written`);
  }
  const fetched: RemoteFlow[] = [];
  for (const summary of wanted) fetched.push(await c.getFlow(summary.sid));
  // A flow kept as a Terraform template (a file with deploy-time placeholders, or one last pushed with --vars) is
  // never overwritten, not even with --force: the server holds it filled in, and the file would lose its placeholders.
  const templates = new Map<string, string[]>();
  for (const flow of fetched) {
    const file = fileNames.get(flow.sid)!;
    if (!lstatSync(join(dir, file), { throwIfNoEntry: false })) continue;
    const placeholders = filePlaceholders(join(dir, file));
    if (placeholders.length || manifest.flows[file]?.vars) templates.set(flow.sid, placeholders);
  }
  // Local edits are never overwritten unasked: every file is checked before any is written. An edited
  // file whose flow the server still holds as last pulled or pushed has nothing to take in: kept as it is.
  const kept = new Set<string>();
  const edited = values.force ? [] : fetched.flatMap((flow) => {
    const file = fileNames.get(flow.sid)!;
    if (templates.has(flow.sid)) return [];
    const entry = manifest.flows[file];
    const why = localEdits(join(dir, file), entry, flow.definition);
    if (!why) return [];
    const server = syncedHash(flow.definition);
    if (entry?.synced !== undefined && entry.sid === flow.sid && (server === entry.synced || server === entry.server)) {
      kept.add(flow.sid);
      return [];
    }
    return [{ file: join(dir, file), flow, why }];
  });
  if (edited.length) {
    for (const { file, flow, why } of edited) console.error(`${file}: not overwritten with ${flow.friendlyName} (${flow.sid}, revision ${flow.revision}): ${why}`);
    console.error(
      `nothing was pulled: ${edited.length === 1 ? 'a file' : `${edited.length} files`} may hold local changes the pull would lose ` +
        '(push them, or save them elsewhere); --force overwrites them',
    );
    return 2;
  }
  const pulled = [];
  for (const flow of fetched) {
    const file = fileNames.get(flow.sid)!;
    const template = templates.get(flow.sid);
    const from = renamedFrom(file);
    const moved = from !== undefined ? { renamedFrom: from } : {};
    const renamed = from !== undefined ? ` (renamed from ${from}: its manifest entry moves to the new name)` : '';
    // A flow that holds deploy-time placeholders unfilled on the server (a template pushed without its values, by
    // another tool or flows import): it fails at run time, and a file pulled from it is a template push refuses.
    const unfilled = definitionPlaceholders(flow.definition);
    const onServer = unfilled.length ? { serverPlaceholders: unfilled } : {};
    const flowName = `${flow.friendlyName} (${flow.sid}, revision ${flow.revision})`;
    if (template) {
      // Its manifest entry stays as it is too: the drift check still knows what was last pushed.
      pulled.push({ file: join(dir, file), sid: flow.sid, friendlyName: flow.friendlyName, revision: flow.revision, status: flow.status, written: false, kept: 'template', ...moved, ...onServer });
      if (!json) {
        const what = template.length ? `holds deploy-time placeholders (${template.join(', ')})` : 'was last pushed with --vars';
        // The server's flow is not always the template filled in: it may hold the placeholders too, or be the very same JSON.
        const held = !unfilled.length
          ? `which holds it filled in; flows diff --vars FILE ${join(dir, file)} shows the server's changes, if any`
          : sameJsonFile(join(dir, file), flow.definition)
            ? 'which holds the same JSON, placeholders and all'
            : `which holds it otherwise, not filled in either; flows diff ${join(dir, file)} shows how`;
        console.log(`kept ${join(dir, file)}${renamed}: a flow kept as a template (it ${what}), not overwritten with ${flowName}, ${held}`);
        if (unfilled.length) console.log(`note: ${join(dir, file)}: ${serverPlaceholdersNote(flowName, unfilled, 'flows push --vars FILE (their values) sends the file filled in')}`);
      }
      continue;
    }
    if (kept.has(flow.sid)) {
      pulled.push({ file: join(dir, file), sid: flow.sid, friendlyName: flow.friendlyName, revision: flow.revision, status: flow.status, written: false, kept: 'local edits', ...moved });
      if (!json) console.log(`kept ${join(dir, file)}${renamed}: edited since the last pull or push, and ${flow.friendlyName} (${flow.sid}, revision ${flow.revision}) has not changed on the server since (flows push sends the edits)`);
      continue;
    }
    // A manifest entry in a subfolder (checked above to stay inside --dir).
    makeDirectories(dirname(join(dir, file)));
    // A file holding this definition already (formatted by hand, keys in another order) is left alone: no git noise.
    const written = !sameJsonFile(join(dir, file), flow.definition);
    if (written) writeFileSync(join(dir, file), definitionJson(flow.definition));
    manifest.flows[file] = { friendlyName: flow.friendlyName, sid: flow.sid, synced: syncedHash(flow.definition) };
    pulled.push({ file: join(dir, file), sid: flow.sid, friendlyName: flow.friendlyName, revision: flow.revision, status: flow.status, written, ...moved, ...onServer });
    if (!json) console.log(`pulled ${flow.friendlyName} (${flow.sid}, revision ${flow.revision}, ${flow.status}) → ${join(dir, file)}${renamed}${written ? '' : ' (already up to date, file left as it is)'}`);
    // The file now holds the placeholders too: push refuses it until --vars gives their values, and later pulls keep it.
    if (!json && unfilled.length) {
      const remedy = `${join(dir, file)} holds ${unfilled.length === 1 ? 'it' : 'them'} too, so flows push refuses it without --vars FILE (their values), which fills ${unfilled.length === 1 ? 'it' : 'them'} in, and later pulls keep it as a template`;
      console.log(`note: ${join(dir, file)}: ${serverPlaceholdersNote(flowName, unfilled, remedy)}`);
    }
  }
  // A pull of every flow that finds a tracked one gone (deleted on the server, as push would say) names it:
  // its file stays, and nothing else would tell that it is left over.
  if (!positionals.length && !json) {
    const sids = new Set(all.map((flow) => flow.sid));
    const entries = Object.entries(manifest.flows);
    if (entries.some(([, entry]) => entry.sid !== undefined && sids.has(entry.sid))) {
      for (const [file, entry] of entries) {
        if (entry.sid === undefined || sids.has(entry.sid) || !lstatSync(join(dir, file), { throwIfNoEntry: false })) continue;
        console.log(
          `note: ${join(dir, file)}: its flow ${entry.friendlyName} (${entry.sid}) is no longer on the server (deleted there): ` +
            `remove the file and its manifest entry to keep it deleted; flows push --force creates it again`,
        );
      }
    }
  }
  writeManifest(dir, manifest);
  if (json) console.log(JSON.stringify(pulled, null, 2));
  return 0;
}
