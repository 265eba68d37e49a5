// `switchboard flows …`: flows as code. Definitions live as plain Studio export JSON files (one
// flow per file, the format Twilio's console exports), with flows.manifest.json mapping each file
// to its friendly name and to the SID it has on the server last pulled from or pushed to. A file
// is that flow while the server has the SID; on another server (SIDs differ between servers) the
// friendly name finds it. Flows that share a name get a file each (the later ones with part of
// their SID in the name). pull/push/diff/export/import talk to any Studio-compatible API.
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import type { FlowDefinition } from '../definition/types.ts';
import { isPlainObject, parseDefinitionFile, unwrapFlowResource } from '../definition/parse.ts';
import { validateDefinition } from '../definition/validate.ts';
import { canonicalJson, diffFlows, diffText, sameDefinition } from '../flowtest/flow-diff.ts';
import { StudioClient, type Connection, type ListedFlow, type RemoteFlow } from '../flowtest/studio-client.ts';
import { CONNECTION_HELP, CONNECTION_OPTIONS, parseSubcommand, remoteConnector, reportFailure, table, usageFailure } from './remote.ts';
import { extraArguments } from './stray-arguments.ts';
import { manifestKeyProblem } from './manifest-paths.ts';
import { diffPlan } from './flows-diff-args.ts';
import { serverOnlyFlows, untrackedSummary } from './flows-server-only.ts';
import { fileLines, parseMaxWarnings, summarize, summaryLine, tooManyWarningsText, type FileReport } from './validate-report.ts';

/** Arguments each subcommand takes after its name (the others take any number of files or flows; diff checks its own). */
const ARGUMENTS: Record<string, number> = { list: 0, export: 1, import: 1 };

/** Options only one subcommand takes: given to another, they would be ignored without a word. */
const OWN_SWITCHES: Record<string, string> = { all: 'diff', pair: 'diff', 'force-status': 'push', quiet: 'validate', 'max-warnings': 'validate' };

export const FLOWS_USAGE = `Usage: switchboard flows <command> [options]

Commands:
  list                              the server's flows
  pull [FW…|NAME…]                  write the server's flows (all by default) to --dir as JSON files; a
                                    file that already holds the same definition is left as it is
  push [files…]                     create or update the server's flows from local files (matched by the
                                    manifest's SID, else by friendly name): a flow is updated when its JSON
                                    differs in any way, also one diff does not show; --status
                                    draft|published, --message TEXT, --dry-run. Without --status a new
                                    flow is a draft and an updated one keeps its status: pushing to a
                                    published flow publishes the change (--status draft keeps it a draft).
                                    --status applies to new and changed flows; an unchanged flow keeps its
                                    status (and gets no revision) unless --force-status
  diff [files…]                     what changed, in words: widgets (type, properties), transitions, split
                                    conditions (name, arguments, operator, value, order), initial_state,
                                    description, flags. Local files (every file in --dir by default) against
                                    the server, as push would send them; flows only on the server are
                                    listed, and count as a difference when the manifest tracks them (their
                                    file is missing) or with --all
  diff A B                          two sides against each other: FW…, FW…@N (revision), FW…@published, or
                                    a file; two files outside --dir, or any two with --pair
  validate [files…]                 check local files (--remote: also with the server's Validate API): a
                                    line per file with its errors and warnings, then a count of the files
                                    checked, valid and invalid, and of the warnings. --quiet: only the
                                    invalid files and their errors, and the count (--json lists every
                                    file, with the count as "summary"); --max-warnings N: more than N
                                    warnings in all fail the check (exit 1), as eslint's does
  export FW… [--revision N] [--out FILE]   the definition as Studio export JSON (stdout by default)
  import FILE [--name NAME] [--status draft|published]   create a new flow from a file, named NAME,
                                    else a saved Flow resource's friendly_name, else the file's name

Options:
  --dir DIR       where flow files live (default ./flows)
  --layout        diff: also report moved widgets (canvas offsets)
  --all           diff: every flow on the server must have a local file (the account is the repo's alone)
  --pair          diff: compare the two arguments with each other, also two files of --dir
  --force-status  push: set --status on unchanged flows too (a new revision of each whose status differs)
  --quiet         validate: print only invalid files (their errors, not warnings) and the count
  --max-warnings N   validate: exit 1 when the files have more than N warnings in all

Exit codes (like diff(1), so a script can tell an answer from a failure):
  0  done; diff: no changes; validate: every file valid
  1  diff: the flows differ (also only where push would send what diff does not show, such as
     canvas offsets), a file is no flow definition (the others are still compared), or a flow the
     manifest tracks has no file (with --all: any flow only on the server); validate: a definition
     is not valid, or more warnings than --max-warnings; push, import: not sent, a definition is not
     valid
  2  bad usage, no flow directory, a file that cannot be read, validate/push: no flow files in --dir, or
     the server refused (credentials, no such flow or revision)
  3  the server could not be reached

${CONNECTION_HELP}`;

const MANIFEST = 'flows.manifest.json';

interface Manifest {
  flows: Record<string, { friendlyName: string; sid?: string }>;
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
    if (!isPlainObject(entry) || (entry.friendlyName !== undefined && typeof entry.friendlyName !== 'string') || (entry.sid !== undefined && typeof entry.sid !== 'string')) {
      throw new Error(`${path}: the entry ${JSON.stringify(key)} is not {"friendlyName": "…", "sid": "FW…"}`);
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
function sameJsonFile(path: string, value: unknown): boolean {
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

export function slug(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '') || 'flow';
}

/** Stable JSON for files in git: two-space indent, trailing newline. */
export function definitionJson(definition: FlowDefinition): string {
  return JSON.stringify(definition, null, 2) + '\n';
}

function localFiles(dir: string, given: string[]): string[] {
  if (given.length) return given;
  if (!existsSync(dir)) throw new Error(`no flow directory '${dir}' (use --dir, or pull first)`);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (error) {
    throw new Error(`cannot read the flow directory '${dir}': ${whyUnreadable(error)}`);
  }
  return names.filter((f) => f.endsWith('.json') && f !== MANIFEST).sort().map((f) => join(dir, f));
}

/** Why a file could not be read, in words (the system's message when it is none of the usual reasons). */
function whyUnreadable(error: unknown): string {
  const code = (error as { code?: string }).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'it is a directory';
  if (code === 'ENOTDIR') return 'a part of the path is not a directory';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return (error as Error).message;
}

/** A flow file's text, or why it cannot be read. */
function readFlowFile(path: string): { text: string } | { unreadable: string } {
  try {
    return { text: readFileSync(path, 'utf8') };
  } catch (error) {
    return { unreadable: whyUnreadable(error) };
  }
}

interface ReadDefinition {
  definition: FlowDefinition | null;
  /** A saved Flow resource's friendly_name (friendlyName as twilio-cli prints it), when the file is one. */
  friendlyName?: string;
  /** Set when the file could not be read at all (then errors holds the same sentence). */
  unreadable?: string;
  errors: string[];
  warnings: string[];
}

function readDefinition(path: string): ReadDefinition {
  const file = readFlowFile(path);
  if ('unreadable' in file) return { definition: null, unreadable: file.unreadable, errors: [`cannot read the file: ${file.unreadable}`], warnings: [] };
  // A Flow resource saved from the API (`{definition: …}`) is taken as its definition, as simulate and the console do.
  const parsed = parseDefinitionFile(file.text);
  if (!parsed.ok) return { definition: null, errors: [`#: ${parsed.error}`], warnings: [] };
  const result = validateDefinition(structuredClone(parsed.definition));
  const friendlyName = resourceFriendlyName(file.text);
  return {
    definition: result.valid && result.definition ? parsed.definition : null,
    ...(friendlyName ? { friendlyName } : {}),
    errors: result.errors.map((e) => `${e.property_path}: ${e.message}`),
    warnings: result.warnings.map((w) => `${w.property_path}: ${w.message}`),
  };
}

/** The friendly name a Flow resource file (parseDefinitionFile takes its definition) carries, if any. */
function resourceFriendlyName(text: string): string | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch {
    return undefined;
  }
  if (!isPlainObject(value) || unwrapFlowResource(value) === value) return undefined;
  const name = value.friendly_name ?? value.friendlyName;
  return typeof name === 'string' && name.trim() !== '' ? name : undefined;
}

function friendlyNameFor(dir: string, file: string, manifest: Manifest): string {
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
  /** Server flows the manifest holds, and which file holds each. */
  const holder = new Map<string, string>();
  for (const [key, entry] of Object.entries(manifest.flows)) {
    if (entry.sid && bySid.has(entry.sid) && !holder.has(entry.sid)) holder.set(entry.sid, key);
  }
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

/** One side of a diff: its definition, or (a file that is no JSON object, or nested too deep) why there is none. */
type Side = { label: string; definition: FlowDefinition } | { label: string; notDefinition: string };

/** "FW…", "FW…@3", "FW…@published", or a file. */
async function resolveSide(spec: string, client: () => Promise<StudioClient>): Promise<Side> {
  const m = /^(FW[0-9a-fA-F]{32})(?:@(\w+))?$/.exec(spec);
  if (!m) {
    const read = readDefinition(spec);
    if (!read.definition) {
      if (read.unreadable !== undefined) throw new Error(`cannot read ${spec}: ${read.unreadable}`);
      // An invalid definition can still be diffed, but not one that is no JSON object or is nested too deep:
      // that is an invalid definition (1, as validate and push say), not a failure to stop at.
      const parsed = parseDefinitionFile(readFileSync(spec, 'utf8'));
      if (!parsed.ok) return { label: spec, notDefinition: parsed.error };
      return { label: spec, definition: parsed.definition };
    }
    return { label: spec, definition: read.definition };
  }
  const c = await client();
  const [, sid, rev] = m;
  let flow: RemoteFlow;
  if (!rev) flow = await c.getFlow(sid!);
  else if (/^\d+$/.test(rev)) flow = await c.getRevision(sid!, Number(rev));
  else if (rev === 'published') flow = await c.getRevision(sid!, 'LatestPublished');
  else if (rev === 'latest' || rev === 'draft') flow = await c.getRevision(sid!, 'LatestRevision');
  else throw new Error(`'${spec}': the revision must be a number, published or latest`);
  return { label: `${flow.friendlyName} (${sid} revision ${flow.revision})`, definition: flow.definition };
}

export async function flowsCommand(argv: string[]): Promise<number> {
  const { sub, problem, values, positionals } = parseSubcommand(argv, {
    ...CONNECTION_OPTIONS,
    dir: { type: 'string', default: 'flows' },
    status: { type: 'string' },
    message: { type: 'string' },
    'dry-run': { type: 'boolean', default: false },
    remote: { type: 'boolean', default: false },
    revision: { type: 'string' },
    out: { type: 'string' },
    name: { type: 'string' },
    layout: { type: 'boolean', default: false },
    all: { type: 'boolean', default: false },
    pair: { type: 'boolean', default: false },
    'force-status': { type: 'boolean', default: false },
    quiet: { type: 'boolean' },
    'max-warnings': { type: 'string' },
  });
  if (problem) return usageFailure(problem);
  if (!sub || values.help || sub === 'help') {
    console.log(FLOWS_USAGE);
    return sub || values.help ? 0 : 2;
  }
  const extra = extraArguments(`flows ${sub}`, positionals, ARGUMENTS[sub] ?? Infinity);
  if (extra) return usageFailure(extra);
  const status = values.status;
  if (status !== undefined && status !== 'draft' && status !== 'published') {
    console.error(`switchboard flows ${sub}: --status must be draft or published`);
    return 2;
  }
  // A switch counts when on, a string option (--max-warnings) when given at all.
  const given = (name: string) => ![undefined, false].includes(values[name as keyof typeof values] as undefined | boolean);
  const foreign = Object.entries(OWN_SWITCHES).find(([name, command]) => given(name) && command !== sub);
  if (foreign) return usageFailure(`flows ${sub} does not take --${foreign[0]} (flows ${foreign[1]} does)`);
  const maxWarnings = parseMaxWarnings(values['max-warnings']);
  if ('problem' in maxWarnings) return usageFailure(maxWarnings.problem);
  if (values['force-status'] && status === undefined) return usageFailure('flows push --force-status sets --status on unchanged flows: give --status draft or published with it');
  let connected: StudioClient | null = null;
  let connection: () => Connection;
  try {
    connection = remoteConnector(values);
  } catch (error) {
    return reportFailure(`flows ${sub}`, error);
  }
  const client = async () => (connected ??= await StudioClient.connect(connection()));
  const dir = values.dir;
  const json = values.json;
  const color = process.stdout.isTTY === true && !process.env.NO_COLOR;
  try {
    switch (sub) {
      case 'list': {
        const flows = await (await client()).listFlows();
        // A flow never updated has no date_updated: its last change is its creation, so that shows.
        const rows = flows.map((flow) => ({ ...flow, updated: flow.dateUpdated ?? flow.dateCreated }));
        // --json keeps its documented shape.
        const listed = flows.map(({ sid, friendlyName, status, revision, dateUpdated }) => ({ sid, friendlyName, status, revision, dateUpdated }));
        console.log(json ? JSON.stringify(listed, null, 2) : table(rows as unknown as Record<string, unknown>[], [
          { key: 'sid', title: 'sid' },
          { key: 'friendlyName', title: 'name' },
          { key: 'status', title: 'status' },
          { key: 'revision', title: 'revision' },
          { key: 'updated', title: 'updated' },
        ]));
        return 0;
      }
      case 'pull': {
        const c = await client();
        const all = await c.listFlows();
        const wanted = positionals.length ? all.filter((f) => positionals.includes(f.sid) || positionals.includes(f.friendlyName)) : all;
        const missing = positionals.filter((p) => !all.some((f) => f.sid === p || f.friendlyName === p));
        if (missing.length) throw new Error(`no flow named ${missing.join(', ')} on ${c.connection.baseUrl}`);
        mkdirSync(dir, { recursive: true });
        const manifest = readManifest(dir);
        const fileNames = pullFileNames(wanted, manifest, new Set(all.map((f) => f.sid)));
        // A file of the flow's own name can be a symbolic link too (committed, not in the manifest): checked before anything is written.
        for (const file of fileNames.values()) {
          const problem = manifestKeyProblem(dir, file);
          if (problem) throw new Error(`${join(dir, file)} ${problem}: not written`);
        }
        const pulled = [];
        for (const summary of wanted) {
          const flow = await c.getFlow(summary.sid);
          const file = fileNames.get(flow.sid)!;
          // A manifest entry in a subfolder (checked above to stay inside --dir).
          mkdirSync(dirname(join(dir, file)), { recursive: true });
          // A file holding this definition already (formatted by hand, keys in another order) is left alone: no git noise.
          const written = !sameJsonFile(join(dir, file), flow.definition);
          if (written) writeFileSync(join(dir, file), definitionJson(flow.definition));
          manifest.flows[file] = { friendlyName: flow.friendlyName, sid: flow.sid };
          pulled.push({ file: join(dir, file), sid: flow.sid, friendlyName: flow.friendlyName, revision: flow.revision, status: flow.status, written });
          if (!json) console.log(`pulled ${flow.friendlyName} (${flow.sid}, revision ${flow.revision}, ${flow.status}) → ${join(dir, file)}${written ? '' : ' (already up to date, file left as it is)'}`);
        }
        writeManifest(dir, manifest);
        if (json) console.log(JSON.stringify(pulled, null, 2));
        return 0;
      }
      case 'push': {
        const files = localFiles(dir, positionals);
        // As validate: a push of nothing from the wrong folder must not pass for a deployment.
        if (!files.length) {
          console.error(`switchboard flows push: no flow files in ${dir}`);
          return 2;
        }
        const manifest = readManifest(dir);
        const reads = new Map(files.map((f) => [f, readDefinition(f)]));
        const invalid = files.filter((f) => !reads.get(f)!.definition);
        const unreadable = invalid.some((f) => reads.get(f)!.unreadable !== undefined);
        const dryRun = values['dry-run'];
        if (invalid.length) {
          for (const f of invalid) {
            const r = reads.get(f)!;
            if (r.unreadable !== undefined) console.error(`${f}: not pushed, cannot read the file: ${r.unreadable}`);
            else console.error(`${f}: not pushed, the definition is not valid:\n  ${r.errors.slice(0, 8).join('\n  ')}`);
          }
          // The valid files are held back too (a push sends every file or none): say so, not only what is wrong.
          const others = files.length - invalid.length;
          const plan = dryRun && !unreadable && others > 0;
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
        const valid = files.filter((f) => reads.get(f)!.definition);
        const c = await client();
        const remote = await c.listFlows();
        const matches = matchFiles(dir, files, manifest, remote);
        const results = [];
        for (const file of valid) {
          const definition = reads.get(file)!.definition!;
          const name = friendlyNameFor(dir, file, manifest);
          const match = matches.get(file);
          let action: string;
          let sid = match?.sid ?? null;
          let revision = match?.revision ?? null;
          let change: PushChange;
          if (!match) {
            action = 'created';
            change = { definitionChanged: true, status: status ?? 'draft', previousStatus: null };
            if (!values['dry-run']) {
              const created = await c.createFlow(name, change.status as 'draft' | 'published', definition, values.message);
              sid = created.sid;
              revision = created.revision;
            }
          } else {
            const current = await c.getFlow(match.sid);
            // Any difference at all is pushed, also one the readable diff leaves out (offsets, `$schema`, order).
            change = pushChange(current, definition, status, values['force-status']);
            action = change.definitionChanged || change.status !== change.previousStatus ? 'updated' : 'unchanged';
            if (action === 'updated' && !values['dry-run']) {
              const updated = await c.updateFlow(match.sid, change.status as 'draft' | 'published', definition, values.message ? { commitMessage: values.message } : {});
              revision = updated.revision;
            }
          }
          // Only files inside --dir are recorded, as readManifest would accept them next time.
          if (sid && !values['dry-run'] && dir && manifestKeyProblem(dir, relative(dir, file)) === null) {
            manifest.flows[relative(dir, file)] = { friendlyName: name, sid };
          }
          results.push({ file, friendlyName: name, action, sid, revision, ...change });
          if (!json) console.log(`${values['dry-run'] ? 'would be ' : ''}${action}: ${name}${sid ? ` (${sid}${revision !== null ? `, revision ${revision}` : ''})` : ''} ← ${file}${pushChangeText(action, change, values['dry-run'])}`);
        }
        if (!values['dry-run'] && existsSync(dir)) writeManifest(dir, manifest);
        if (json) console.log(JSON.stringify(results, null, 2));
        return invalid.length ? 1 : 0;
      }
      case 'diff': {
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
        const show = (before: Side, after: Side) => {
          if ('notDefinition' in before || 'notDefinition' in after) {
            if ('notDefinition' in before) notCompared(before);
            if ('notDefinition' in after && after.label !== before.label) notCompared(after);
            return;
          }
          const diff = diffFlows(before.definition, after.definition, { layout: values.layout });
          // Also a difference diff's words leave out (offsets, order, unused fields): push would send it.
          changed ||= !diff.identical;
          if (json) outputs.push({ before: before.label, after: after.label, ...diff });
          else console.log(diffText(diff, { before: before.label, after: after.label }, color) + '\n');
        };
        if (plan.mode === 'pair') {
          show(await resolveSide(plan.sides[0], client), await resolveSide(plan.sides[1], client));
        } else {
          const manifest = readManifest(dir);
          const remote = await (await client()).listFlows();
          const files = localFiles(dir, plan.files);
          const matches = matchFiles(dir, files, manifest, remote);
          for (const file of files) {
            const name = friendlyNameFor(dir, file, manifest);
            const local = await resolveSide(file, client);
            const match = matches.get(file);
            if ('notDefinition' in local) {
              notCompared(local);
              continue;
            }
            if (!match) {
              changed = true;
              if (json) outputs.push({ before: null, after: file, new: true });
              else console.log(`+++ ${file}\n  new flow '${name}': not on the server yet\n`);
              continue;
            }
            show(await resolveSide(match.sid, client), local);
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
      case 'validate': {
        const files = localFiles(dir, positionals);
        // A check of nothing must not pass: a CI job pointed at the wrong folder would stay green.
        if (!files.length) {
          console.error(`switchboard flows validate: no flow files in ${dir}`);
          return 2;
        }
        const reports: FileReport[] = [];
        for (const file of files) {
          const read = readDefinition(file);
          let errors = read.errors;
          if (read.definition && values.remote) errors = await (await client()).validate(basename(file), read.definition);
          const report = { file, valid: errors.length === 0, errors, warnings: read.warnings, unreadable: read.unreadable !== undefined };
          reports.push(report);
          if (!json) for (const line of fileLines(report, values.quiet === true)) console.log(line);
        }
        const summary = summarize(reports, maxWarnings.max);
        if (json) console.log(JSON.stringify({ files: reports.map(({ unreadable: _, ...fields }) => fields), summary }, null, 2));
        else console.log(summaryLine(summary));
        const tooMany = tooManyWarningsText(summary);
        if (tooMany) console.error(`switchboard flows validate: ${tooMany}`);
        // Every file is still listed; a file that could not be read is a failure, not an answer.
        return summary.unreadable ? 2 : summary.invalid || tooMany ? 1 : 0;
      }
      case 'export': {
        const sid = positionals[0];
        if (!sid) {
          console.error('switchboard flows export: give the flow SID (FW…)');
          return 2;
        }
        const side = await resolveSide(values.revision ? `${sid}@${values.revision}` : sid, client);
        if ('notDefinition' in side) throw new Error(`${sid}: not a flow definition: ${side.notDefinition}`);
        if (values.out) {
          writeFileSync(values.out, definitionJson(side.definition));
          if (!json) console.log(`exported ${side.label} → ${values.out}`);
        } else {
          process.stdout.write(definitionJson(side.definition));
        }
        return 0;
      }
      case 'import': {
        const file = positionals[0];
        if (!file) {
          console.error('switchboard flows import: give the flow file to import');
          return 2;
        }
        const read = readDefinition(file);
        if (read.unreadable !== undefined) {
          console.error(`switchboard flows import: cannot read ${file}: ${read.unreadable}`);
          return 2;
        }
        if (!read.definition) {
          console.error(`switchboard flows import: ${file} is not a valid flow definition:\n  ${read.errors.slice(0, 8).join('\n  ')}`);
          return 1;
        }
        // A saved Flow resource keeps the name it had; an explicit --name still wins.
        const name = values.name ?? read.friendlyName ?? basename(file).replace(/\.json$/, '');
        const created = await (await client()).createFlow(name, (status as 'draft' | 'published') ?? 'draft', read.definition, values.message);
        if (json) console.log(JSON.stringify({ sid: created.sid, friendlyName: created.friendlyName, revision: created.revision, status: created.status }, null, 2));
        else console.log(`imported ${file} as ${created.friendlyName} (${created.sid}, revision ${created.revision}, ${created.status})`);
        return 0;
      }
      default:
        console.error(`switchboard flows: unknown command '${sub}'\n\n${FLOWS_USAGE}`);
        return 2;
    }
  } catch (error) {
    // 1 is an answer here (the flows differ, a definition is invalid): every failure is 2, or 3 unreached.
    return reportFailure(`flows ${sub}`, error);
  }
}
