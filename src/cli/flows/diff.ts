// `switchboard flows diff`: what changed, in words, between the local files and the server (as push
// would send them), or between two sides (flows-diff-args.ts tells which). Exit 1 when anything differs.
import { join, relative } from 'node:path';
import { diffFlows, diffText } from '../../flowtest/flow-diff.ts';
import { diffPlan, isServerSide } from '../flows-diff-args.ts';
import { serverOnlyFlows, untrackedSummary } from '../flows-server-only.ts';
import { usageFailure } from '../remote.ts';
import type { FlowsContext } from './context.ts';
import { definitionPlaceholders, filePlaceholders, localFiles, serverPlaceholdersNote } from './files.ts';
import { MANIFEST, readManifest } from './manifest.ts';
import { ambiguityText, ambiguousFiles, friendlyNameFor, matchFiles } from './match.ts';
import { resolveSide, serverSideProblem, type Side } from './side.ts';
import { deletedEntries, deletedOnServer, flowAsChanged, nameMatchLost, nameMatchText, serverChangeLost, syncedEntry } from './drift.ts';
import { findRenames, renameWarning, withRenames } from './rename.ts';

/** A file with deploy-time `${…}` placeholders left (a Terraform template) and what was given for them. */
interface Template {
  file: string;
  /** The placeholders left: all of them without --vars, those its values lack with it. */
  placeholders: string[];
  /** --vars FILE, when given. */
  varsFile: string | undefined;
}

/**
 * What diff says about a template compared as written (`compared`; else a new flow): its placeholders differ
 * from the server's filled-in values, and push refuses it, until --vars gives their values.
 */
function templateNote({ file, placeholders, varsFile }: Template, compared: boolean): string {
  const list = placeholders.join(', ');
  if (varsFile !== undefined) return `--vars ${varsFile} has no value for ${list} in ${file}${compared ? ', compared as written' : ''}: flows push refuses the file until it does`;
  return compared
    ? `${file} is a template (deploy-time placeholders ${list}), compared as written: give --vars FILE (their values) to compare it filled in, as push --vars sends it`
    : `${file} is a template (deploy-time placeholders ${list}): flows push refuses it without --vars FILE (their values)`;
}

/** A server side holding unfilled deploy-time placeholders (a template pushed without its values): its note follows the diff. */
interface ServerTemplate {
  /** The flow as the diff names it: name (SID revision N). */
  label: string;
  placeholders: string[];
  /** How the file compared fills them in (none: two server sides). */
  remedy?: string;
}

/**
 * `side` as a ServerTemplate when it is a server flow whose definition holds placeholders, else null; `file`, the
 * other side when it is a file, as compared (filled in with --vars), says how a push fills them in.
 */
function serverTemplate(side: Side, file: Side | null, varsFile: string | undefined): ServerTemplate | null {
  if (!('definition' in side)) return null;
  const placeholders = definitionPlaceholders(side.definition);
  if (!placeholders.length) return null;
  if (file === null || !('definition' in file)) return { label: side.label, placeholders };
  const left = definitionPlaceholders(file.definition);
  const same = left.length === placeholders.length && left.every((p) => placeholders.includes(p));
  const remedy = !left.length
    ? varsFile !== undefined ? `flows push --vars ${varsFile} sends ${file.label} with them filled in` : `flows push sends ${file.label}, which has none`
    : varsFile === undefined
      ? `${file.label} holds ${same ? 'them' : left.join(', ')} too: flows push --vars FILE (their values) sends it filled in`
      : `${file.label} holds ${left.join(', ')} still: give ${left.length === 1 ? 'its value' : 'their values'} in ${varsFile}, and flows push --vars ${varsFile} sends it filled in`;
  return { label: side.label, placeholders, remedy };
}

export async function flowsDiff({ values, positionals, dir, json, color, vars, client }: FlowsContext): Promise<number> {
  /** The file's placeholders left (filePlaceholders with --vars), as a Template, or null when there are none. */
  const template = (file: string): Template | null => {
    const placeholders = filePlaceholders(file, vars);
    return placeholders.length ? { file, placeholders, varsFile: values.vars } : null;
  };
  const plan = diffPlan(positionals, dir, { pair: values.pair, all: values.all });
  if ('problem' in plan) return usageFailure(plan.problem);
  let changed = false;
  const outputs: unknown[] = [];
  /** A side that is no flow definition, reported in its place: an invalid definition is a 1, as validate says. */
  const notCompared = (side: { label: string; notDefinition: string }) => {
    changed = true;
    console.error(`${side.label}: not compared, not a flow definition: ${side.notDefinition}`);
    if (json) outputs.push({ file: side.label, notDefinition: side.notDefinition });
  };
  /** `serverChanged`: the server's flow changed since the file was last pulled or pushed (drift.ts), said after the diff. */
  /** `templated`: a side that is a file with placeholders left, compared with a server flow (its note follows the diff). */
  /** `servers`: server sides that hold unfilled placeholders themselves (serverTemplate), said after the diff too. */
  /** `nameOnly`: the file is matched with the flow by friendly name only and push would replace a definition it never held (drift.ts nameMatchText). */
  interface Notes {
    serverChanged?: string | null;
    renamedFrom?: string;
    templated?: Template | null;
    servers?: ServerTemplate[];
    nameOnly?: string | null;
  }
  const show = (before: Side, after: Side, { serverChanged = null, renamedFrom, templated = null, servers = [], nameOnly = null }: Notes = {}) => {
    if ('notDefinition' in before || 'notDefinition' in after) {
      if ('notDefinition' in before) notCompared(before);
      if ('notDefinition' in after && after.label !== before.label) notCompared(after);
      return;
    }
    const diff = diffFlows(before.definition, after.definition, { layout: values.layout });
    // Also a difference diff's words leave out (offsets, order, unused fields): push would send it.
    changed ||= !diff.identical;
    const placeholders = templated && !diff.identical ? { placeholders: templated.placeholders } : {};
    // One server side's placeholders (the usual case: a file against its flow); two server sides each by label.
    const onServer = !servers.length ? {} : servers.length === 1 ? { serverPlaceholders: servers[0]!.placeholders } : { serverPlaceholders: Object.fromEntries(servers.map((t) => [t.label, t.placeholders])) };
    if (json) outputs.push({ before: before.label, after: after.label, ...diff, ...(serverChanged ? { serverChanged: true } : {}), ...(renamedFrom !== undefined ? { renamedFrom } : {}), ...placeholders, ...onServer, ...(nameOnly ? { matchedByName: true } : {}) });
    else {
      const renamed = renamedFrom !== undefined ? `\n  ${after.label} is ${renamedFrom} renamed: flows push updates this flow and moves its manifest entry to the new name` : '';
      // A template compared as written differs from its flow at every placeholder: said once, with the way to compare it filled in.
      const unfilled = templated && !diff.identical ? `\n  ${templateNote(templated, true)}` : '';
      const unfilledOnServer = servers.map((t) => `\n  ${serverPlaceholdersNote(t.label, t.placeholders, t.remedy)}`).join('');
      // Offsets are left out of a diff that has other changes too, without a word: a file that took every change shown
      // still differs (and push still refuses to overwrite a server's change that moved widgets). Said in one line.
      const moved = values.layout || diff.same ? 0 : diffFlows(before.definition, after.definition, { layout: true }).widgets.filter((w) => w.kind === 'changed' && w.details.some((d) => d.startsWith('offset:'))).length;
      const layout = moved ? `\n  also ${moved} ${moved === 1 ? 'widget' : 'widgets'} moved on the canvas (--layout shows ${moved === 1 ? 'it' : 'them'}), which flows push would send` : '';
      const byName = nameOnly ? `\n  ${nameOnly}: flows push overwrites it, with a warning` : '';
      const note = layout + renamed + unfilled + unfilledOnServer + byName + (serverChanged ? `\n  the server's flow changed since the file was last pulled or pushed (${serverChanged}): flows push refuses to overwrite it without --force` : '');
      console.log(diffText(diff, { before: before.label, after: after.label }, color) + note + '\n');
    }
  };
  if (plan.mode === 'pair') {
    // Both checked before either is fetched: a mistyped SID is bad usage, not a file that cannot be read.
    const problem = plan.sides.map(serverSideProblem).find((p) => p !== null);
    if (problem) {
      console.error(`switchboard flows diff: ${problem}`);
      return 2;
    }
    const [a, b] = plan.sides;
    // A file compared with a server flow: the note a template gets in a diff against the server (two files are both as written).
    const templated = isServerSide(a) !== isServerSide(b) ? template(isServerSide(a) ? b : a) : null;
    const sides = [await resolveSide(a, client, vars), await resolveSide(b, client, vars)] as const;
    // A server side holding placeholders itself is said too, with how the file on the other side (if one) fills them in.
    const servers = ([0, 1] as const).flatMap((i) => {
      if (!isServerSide(plan.sides[i])) return [];
      const other = isServerSide(plan.sides[1 - i]!) ? null : sides[1 - i]!;
      return [serverTemplate(sides[i], other, values.vars)].filter((t) => t !== null);
    }).filter((t, i, all) => all.findIndex((u) => u.label === t.label) === i);
    show(sides[0], sides[1], { templated, servers });
  } else {
    const read = readManifest(dir);
    const remote = await (await client()).listFlows();
    const files = localFiles(dir, plan.files);
    // As push: a file renamed since the last pull or push (rename.ts) is compared with its old flow.
    const renamed = findRenames(dir, files, read, vars);
    const manifest = withRenames(read, renamed.renames);
    // A gone file whose flow was deleted on the server too is not said to leave its flow there.
    const goneThere = deletedEntries(read, remote);
    const renameNote = renameWarning(dir, read, { ...renamed, gone: renamed.gone.filter((key) => !goneThere.has(key)) });
    if (renameNote) console.error(renameNote);
    const ambiguous = ambiguousFiles(dir, files, manifest, remote);
    if (ambiguous.length) {
      console.error(ambiguityText('diff', dir, ambiguous));
      return 2;
    }
    const matches = matchFiles(dir, files, manifest, remote);
    // A tracked flow deleted on the server is no new flow: push refuses to create it again (drift.ts).
    const deleted = deletedOnServer(dir, files, manifest, matches, remote);
    for (const file of files) {
      const name = friendlyNameFor(dir, file, manifest);
      const local = await resolveSide(file, client, vars);
      const match = matches.get(file);
      if ('notDefinition' in local) {
        notCompared(local);
        continue;
      }
      if (!match) {
        changed = true;
        const gone = deleted.get(file);
        const templated = template(file);
        const unfilled = templated ? `\n  ${templateNote(templated, false)}` : '';
        if (json) outputs.push({ before: null, after: file, new: true, ...(gone ? { deletedOnServer: gone } : {}), ...(templated ? { placeholders: templated.placeholders } : {}) });
        else if (gone) {
          console.log(
            `+++ ${file}\n  its flow ${name} (${gone}) was deleted on the server since the file was last pulled or pushed: ` +
              `flows push refuses to create it again without --force (remove the file and its manifest entry to keep it deleted)${unfilled}\n`,
          );
        } else console.log(`+++ ${file}\n  new flow '${name}': not on the server yet${unfilled}\n`);
        continue;
      }
      const current = await (await client()).getFlow(match.sid);
      const entry = syncedEntry(dir, file, manifest, match);
      const rename = renamed.renames.get(relative(dir, file));
      const previous = rename ? join(dir, rename.from) : undefined;
      const drifted = entry !== null && (await serverChangeLost(await client(), entry, current, local.definition, file, previous, vars));
      const server: Side = { label: `${current.friendlyName} (${match.sid} revision ${current.revision})`, definition: current.definition };
      const unfilled = serverTemplate(server, local, values.vars);
      // A flow matched by friendly name only whose definition this repository never held: push warns as it overwrites it.
      const nameOnly = (await nameMatchLost(await client(), dir, file, manifest, current, local.definition, previous, vars)) ? `the server's flow is ${nameMatchText(dir, current)}` : null;
      show(server, local, { serverChanged: drifted ? flowAsChanged(current) : null, renamedFrom: previous, templated: template(file), servers: unfilled ? [unfilled] : [], nameOnly });
    }
    // Named files narrow the check to them: the server's other flows are not asked about.
    if (!plan.files.length) {
      const matched = new Set([...matches.values()].map((flow) => flow?.sid));
      const only = serverOnlyFlows(dir, manifest.flows, remote, remote.filter((f) => !matched.has(f.sid)));
      const counted = values.all ? [...only.tracked, ...only.untracked.map((flow) => ({ flow, file: null }))] : only.tracked;
      changed ||= counted.length > 0;
      for (const { flow, file } of counted) {
        const where = file === null ? 'no local file' : `${MANIFEST} tracks it as ${join(dir, file)}, but there is no such file`;
        if (json) outputs.push({ before: `${flow.friendlyName} (${flow.sid})`, after: null, onlyOnServer: true, sid: flow.sid, friendlyName: flow.friendlyName, manifestFile: file, counted: true });
        else console.log(`--- ${flow.friendlyName} (${flow.sid} revision ${flow.revision})\n  only on the server: ${where} (flows pull ${flow.sid} fetches it)\n`);
      }
      if (!values.all && only.untracked.length) {
        if (json) {
          for (const flow of only.untracked) outputs.push({ before: `${flow.friendlyName} (${flow.sid})`, after: null, onlyOnServer: true, sid: flow.sid, friendlyName: flow.friendlyName, manifestFile: null, counted: false });
        } else {
          console.log(untrackedSummary(only.untracked));
        }
      }
    }
  }
  if (json) console.log(JSON.stringify(outputs, null, 2));
  // Like diff(1): 1 when something differs, so scripts can gate on it (failures are 2 or 3).
  return changed ? 1 : 0;
}
