// `switchboard flows push`: creates or updates the server's flows from the local files, every file or
// none (an invalid one holds back the rest, and so does a flow changed on the server since the last pull
// or push, drift.ts, unless --force), and records them in the manifest. --status goes with a change.
import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { FlowDefinition } from '../../definition/types.ts';
import { sameDefinition } from '../../flowtest/flow-diff.ts';
import { manifestKeyProblem } from '../manifest-paths.ts';
import type { FlowsContext } from './context.ts';
import { localFiles, readDefinition } from './files.ts';
import { fileSyncedHash, readManifest, syncedHash, writeManifest } from './manifest.ts';
import { ambiguityText, ambiguousFiles, friendlyNameFor, matchFiles } from './match.ts';
import { deletedEntries, deletedOnServer, flowAsChanged, nameMatchLost, nameMatchText, serverChangeLost, shallowHistoryNote, syncedEntry } from './drift.ts';
import type { RemoteFlow } from '../../flowtest/studio-client.ts';
import { findRenames, renameWarning, withRenames } from './rename.ts';

/** What a push does to one flow: its definition, its status (before and after; null before: a new flow). */
interface PushChange {
  definitionChanged: boolean;
  status: string;
  previousStatus: string | null;
  /** --status asked for another status, which an unchanged flow does not get without --force-status. */
  statusNotApplied?: string;
}

/**
 * --status goes with a change: a flow whose definition is the same keeps its status (a new revision of
 * every flow in the directory, each marked with the commit message, is not what a push of one change
 * means) unless `force` says to set it anyway.
 */
function pushChange(current: { definition: FlowDefinition; status: string }, definition: FlowDefinition, status: string | undefined, force: boolean): PushChange {
  const definitionChanged = !sameDefinition(current.definition, definition);
  const wanted = status ?? current.status;
  if (wanted === current.status || definitionChanged || force) return { definitionChanged, status: wanted, previousStatus: current.status };
  return { definitionChanged, status: current.status, previousStatus: current.status, statusNotApplied: wanted };
}

/** The end of a push line: what changes (definition, status), or why a status asked for was not set. */
function pushChangeText(action: string, change: PushChange, dryRun: boolean): string {
  if (action === 'created') return change.status === 'published' ? ': published' : ': a draft';
  const status = change.previousStatus !== change.status ? `the status ${change.previousStatus} → ${change.status}` : '';
  if (action === 'updated') return change.definitionChanged ? `: the definition${status ? `, and ${status}` : ''}` : `: ${status} only (the definition is the same)`;
  if (change.statusNotApplied) {
    return `; the status ${dryRun ? 'would stay' : 'stays'} ${change.status} (--status ${change.statusNotApplied} applies to changed flows; add --force-status to set it on this one too)`;
  }
  return '';
}

/**
 * Why a file with deploy-time placeholders left is not pushed, and the ways out: its values (--vars), or,
 * for a flow Terraform deploys, a push of the other files only (`others`: there are other files to name).
 */
function placeholderRefusal(file: string, placeholders: string[], varsFile: string | undefined, others: boolean): string {
  const which = `${placeholders.length === 1 ? 'the placeholder' : 'the placeholders'} ${placeholders.join(', ')}`;
  const why = varsFile === undefined
    ? `it holds deploy-time template ${placeholders.length === 1 ? 'placeholder' : 'placeholders'} ${placeholders.join(', ')} (a flow kept as a Terraform template), and the flow would fail at run time with ${placeholders.length === 1 ? 'it' : 'them'} unfilled`
    : `--vars ${varsFile} has no value for ${which} (no such name, or not a plain reference), and the flow would fail at run time with ${placeholders.length === 1 ? 'it' : 'them'} unfilled`;
  const ways = [
    varsFile === undefined ? 'push with --vars FILE (a JSON or YAML mapping of their values) to fill them in' : `give ${placeholders.length === 1 ? 'its value' : 'their values'} in ${varsFile}`,
    `or deploy this flow with Terraform and leave it out of the push${others ? ' by naming the files to push (flows push FILE…)' : ''}`,
  ];
  return `${file}: not pushed, ${why}: ${ways.join(', ')}`;
}

/** The warning for a file the manifest gives no SID, matched by friendly name with a flow whose definition this repository never held (drift.ts, nameMatchLost); --force leaves it out. */
function nameMatchWarning(dir: string, file: string, current: RemoteFlow, dryRun: boolean): string {
  return (
    `warning: ${file}: ${dryRun ? 'would overwrite' : 'overwrites'} ${current.friendlyName} (${current.sid}), ${nameMatchText(dir, current)}: ` +
    `a flow of the same name made elsewhere, or changed on the server? Revision ${current.revision} keeps it (flows export ${current.sid} --revision ${current.revision}); ` +
    `flows diff ${file} shows what the push replaces, and --force leaves out this warning`
  );
}

export async function flowsPush({ values, positionals, dir, json, status, validation, vars, client }: FlowsContext): Promise<number> {
  const files = localFiles(dir, positionals);
  // As validate: a push of nothing from the wrong folder must not pass for a deployment.
  if (!files.length) {
    console.error(`switchboard flows push: no flow files in ${dir}`);
    return 2;
  }
  const read = readManifest(dir);
  // A file renamed since the last pull or push (rename.ts) is its old flow: its entry moves to the new name.
  const renamed = findRenames(dir, files, read, vars);
  const manifest = withRenames(read, renamed.renames);
  /** The rename warning, once the server's flows are known (`deleted`: gone files whose flow is gone from it too, left out). */
  const noteRenames = (deleted = new Set<string>()) => {
    const note = renameWarning(dir, read, { ...renamed, gone: renamed.gone.filter((key) => !deleted.has(key)) });
    if (note) console.error(note);
  };
  /** The old name of a renamed file, as a path (undefined: not renamed). */
  const previous = (file: string) => {
    const rename = renamed.renames.get(relative(dir, file));
    return rename ? join(dir, rename.from) : undefined;
  };
  const reads = new Map(files.map((f) => [f, readDefinition(f, validation, vars)]));
  // What each file held as it was read: once pushed, the manifest records it (a later pull may replace it until it is edited).
  // A template pushed with --vars records the definition as pushed (substituted): what the server holds, and what drift.ts compares.
  const hashes = new Map(files.map((f) => [f, reads.get(f)!.substituted ? syncedHash(reads.get(f)!.definition) : fileSyncedHash(f)]));
  // A file still holding deploy-time placeholders (a Terraform template) would become a flow that fails at run
  // time (a request to the URL `${hours_api}`): refused as an invalid one is, unless --vars fills them all in.
  const templated = files.filter((f) => reads.get(f)!.definition && reads.get(f)!.placeholders.length);
  const invalid = files.filter((f) => !reads.get(f)!.definition || templated.includes(f));
  const unreadable = invalid.some((f) => reads.get(f)!.unreadable !== undefined);
  const dryRun = values['dry-run'];
  if (invalid.length) {
    // The valid files are held back too (a push sends every file or none): say so, not only what is wrong.
    const others = files.length - invalid.length;
    const plan = dryRun && !unreadable && others > 0;
    // A push stopped here never asks the server: the rename warning comes first, as it is.
    if (!plan) noteRenames();
    for (const f of invalid) {
      const r = reads.get(f)!;
      if (r.unreadable !== undefined) console.error(`${f}: not pushed, cannot read the file: ${r.unreadable}`);
      else if (templated.includes(f)) console.error(placeholderRefusal(f, r.placeholders, values.vars, files.length > 1 || !positionals.length));
      else console.error(`${f}: not pushed, the definition is not valid:\n  ${r.errors.slice(0, 8).join('\n  ')}`);
    }
    // Several refused files end with a count too, so the verdict does not hide among their errors.
    if (others === 0 && files.length > 1) console.error(`nothing ${dryRun ? 'would be' : 'was'} pushed: none of the ${files.length} files can be pushed`);
    if (others > 0) {
      console.error(
        `nothing ${dryRun ? 'would be' : 'was'} pushed: ${invalid.length} of ${files.length} files cannot be pushed, and a push sends every file or none` +
          (plan ? `; once ${invalid.length === 1 ? 'it is' : 'they are'} fixed, the push would be:` : ` (${others} other ${others === 1 ? 'file' : 'files'} held back)`),
      );
    }
    if (!plan) return unreadable ? 2 : 1;
  }
  const valid = files.filter((f) => !invalid.includes(f));
  const c = await client();
  const remote = await c.listFlows();
  if (!invalid.length || dryRun) noteRenames(deletedEntries(read, remote));
  const ambiguous = ambiguousFiles(dir, files, manifest, remote);
  if (ambiguous.length) {
    console.error(ambiguityText('push', dir, ambiguous));
    return 2;
  }
  const matches = matchFiles(dir, files, manifest, remote);
  // Every flow is fetched before anything is sent: a change made on the server since the last pull or
  // push (drift.ts) holds back the whole push, as an invalid file does, unless --force.
  const currents = new Map<string, RemoteFlow>();
  for (const file of valid) {
    const match = matches.get(file);
    if (match) currents.set(file, await c.getFlow(match.sid));
  }
  const drifted: string[] = [];
  /** The files refused for a server definition no commit of theirs holds (not those deleted on the server). */
  const changedOnServer: string[] = [];
  if (!values.force) {
    for (const file of valid) {
      const current = currents.get(file);
      const entry = syncedEntry(dir, file, manifest, matches.get(file));
      if (!current || !entry) continue;
      if (await serverChangeLost(c, entry, current, reads.get(file)!.definition!, file, previous(file), vars)) {
        drifted.push(`${file}: not pushed: ${flowAsChanged(current)}, a change made on the server since the file was last pulled or pushed, which the file does not hold`);
        changedOnServer.push(file);
      }
    }
    for (const [file, sid] of deletedOnServer(dir, valid, manifest, matches, remote)) {
      drifted.push(`${file}: not pushed: its flow ${friendlyNameFor(dir, file, manifest)} (${sid}) was deleted on the server since the file was last pulled or pushed, and a push would create it again`);
    }
  }
  if (drifted.length) {
    for (const line of drifted) console.error(line);
    // In a shallow clone the refusal may be this repository's own earlier push, from a commit the clone lacks.
    const shallow = changedOnServer.length ? shallowHistoryNote(dir, changedOnServer) : null;
    if (shallow) console.error(shallow);
    const n = changedOnServer.length;
    const gone = drifted.length - n;
    const changes = n
      ? `${n === 1 ? 'a flow' : `${n} flows`} changed on the server since the last pull or push, ` +
        `and the push would overwrite ${n === 1 ? 'that change' : 'those changes'} (flows diff shows the server's side: bring it into the files, then push again)`
      : '';
    // A deletion is not brought into a file: the file (and its manifest entry) goes, or --force creates the flow again.
    const deletions = gone
      ? `${gone === 1 ? 'a flow' : `${gone} flows`} the manifest tracks ${gone === 1 ? 'was' : 'were'} deleted on the server since, and the push would create ` +
        `${gone === 1 ? 'it' : 'them'} again (to keep ${gone === 1 ? 'it' : 'them'} deleted, remove ${gone === 1 ? 'its file' : 'their files'} and manifest ${gone === 1 ? 'entry' : 'entries'})`
      : '';
    const forced = n && gone ? 'overwrites and creates them' : n ? `overwrites ${n === 1 ? 'it' : 'them'}` : `creates ${gone === 1 ? 'it' : 'them'} again`;
    console.error(`nothing ${dryRun ? 'would be' : 'was'} pushed: ${[changes, deletions].filter(Boolean).join('; ')}; --force ${forced}${dryRun ? ', and would push:' : ''}`);
    if (!dryRun) return 2;
  }
  // A file the manifest gives no SID, matched by friendly name, is not refused (the manifest knows nothing of that flow),
  // but a definition this repository never held is said before it is overwritten: it may be another flow of that name.
  if (!values.force) {
    for (const file of valid) {
      const current = currents.get(file);
      if (current && (await nameMatchLost(c, dir, file, manifest, current, reads.get(file)!.definition!, previous(file), vars))) console.error(nameMatchWarning(dir, file, current, dryRun));
    }
  }
  const results = [];
  for (const file of valid) {
    const definition = reads.get(file)!.definition!;
    const name = friendlyNameFor(dir, file, manifest);
    const match = matches.get(file);
    let action: string;
    let sid = match?.sid ?? null;
    let revision = match?.revision ?? null;
    let change: PushChange;
    /** The definition the server holds once this file is pushed (null: a dry run). */
    let held: FlowDefinition | null = null;
    if (!match) {
      action = 'created';
      change = { definitionChanged: true, status: status ?? 'draft', previousStatus: null };
      if (!values['dry-run']) {
        const created = await c.createFlow(name, change.status as 'draft' | 'published', definition, values.message);
        sid = created.sid;
        revision = created.revision;
        held = created.definition;
      }
    } else {
      const current = currents.get(file)!;
      // Any difference at all is pushed, also one the readable diff leaves out (offsets, `$schema`, order).
      change = pushChange(current, definition, status, values['force-status']);
      action = change.definitionChanged || change.status !== change.previousStatus ? 'updated' : 'unchanged';
      held = current.definition;
      if (action === 'updated' && !values['dry-run']) {
        const updated = await c.updateFlow(match.sid, change.status as 'draft' | 'published', definition, values.message ? { commitMessage: values.message } : {});
        revision = updated.revision;
        held = updated.definition;
      }
    }
    // Only files inside --dir are recorded, as readManifest would accept them next time.
    if (sid && !values['dry-run'] && dir && manifestKeyProblem(dir, relative(dir, file)) === null) {
      const synced = hashes.get(file) ?? undefined;
      // What the server holds, when its hash is not the file's (a saved Flow resource's is the whole file's).
      const server = held ? syncedHash(held) : undefined;
      // A template pushed with --vars is marked so: a pull leaves the file as it is (the server holds it filled in).
      const template = reads.get(file)!.substituted ? { vars: true } : {};
      manifest.flows[relative(dir, file)] = { friendlyName: name, sid, synced, ...(server !== undefined && server !== synced ? { server } : {}), ...template };
    }
    const renamedFrom = previous(file);
    results.push({ file, friendlyName: name, action, sid, revision, ...change, ...(renamedFrom !== undefined ? { renamedFrom } : {}) });
    const from = renamedFrom !== undefined ? ` (renamed from ${renamedFrom})` : '';
    if (!json) console.log(`${values['dry-run'] ? 'would be ' : ''}${action}: ${name}${sid ? ` (${sid}${revision !== null ? `, revision ${revision}` : ''})` : ''} ← ${file}${from}${pushChangeText(action, change, values['dry-run'])}`);
  }
  if (!values['dry-run'] && existsSync(dir)) writeManifest(dir, manifest);
  if (json) console.log(JSON.stringify(results, null, 2));
  if (drifted.length) return 2;
  return invalid.length ? 1 : 0;
}
