// `switchboard flows …`: flows as code. Definitions live as plain Studio export JSON files (one
// flow per file, the format Twilio's console exports), with flows.manifest.json mapping each file
// to its friendly name, to the SID it has on the server last pulled from or pushed to, and to a hash
// of the JSON it held then (flows/manifest.ts; flows/match.ts says which flow a file is).
// pull/push/diff/export/import talk to any Studio-compatible API. This module checks the usage and
// hands each subcommand to its module under flows/, imported when it runs (as commands.ts does the
// commands): `flows list` loads neither the validator nor the differ.
import { StudioClient, type Connection } from '../flowtest/studio-client.ts';
import { CONNECTION_HELP, parseSubcommand, remoteConnector, reportFailure, usageFailure } from './remote.ts';
import { extraArguments, unknownCommandMessage } from './stray-arguments.ts';
import { parseMaxWarnings } from './validate-report.ts';
import { FLOWS_OPTIONS, type FlowsContext } from './flows/context.ts';
import { CONFIG_KEYS } from '../config.ts';
import { resolveConfig, type Flags } from '../config/model.ts';
import { readVarsFile } from './vars-file.ts';
import type { JsonObject } from '../engine/types.ts';

/** Arguments each subcommand takes after its name (the others take any number of files or flows; diff checks its own). */
const ARGUMENTS: Record<string, number> = { list: 0, export: 1, import: 1 };

/** Options only one subcommand takes: given to another, they would be ignored without a word. */
/** The subcommands that take --vars (pull does not: it never writes a server's substituted flow over a template, flows/pull.ts). */
const VARS_COMMANDS = ['validate', 'import', 'diff', 'push'];
const OWN_SWITCHES: Record<string, string[]> = { all: ['diff'], pair: ['diff'], 'force-status': ['push'], force: ['pull', 'push', 'export'], quiet: ['validate'], 'max-warnings': ['validate'] };

export const FLOWS_USAGE = `Usage: switchboard flows <command> [options]

Commands:
  list                              the server's flows
  pull [FW…|NAME…]                  write the server's flows (all by default) to --dir as JSON files; a
                                    file that already holds the same definition is left as it is. A file
                                    edited since it was last pulled or pushed (the manifest keeps a hash
                                    of that JSON) is not overwritten: the pull stops before writing
                                    anything and names the files (exit 2); --force overwrites them. One
                                    whose flow has not changed on the server since is kept as it is. A
                                    template (a file with deploy-time \${…} placeholders, or last pushed
                                    with --vars) is never overwritten, not even with --force: the server
                                    holds it filled in (flows diff --vars FILE shows the server's changes).
                                    A file renamed since the last pull or push (as push follows it, below)
                                    is pulled to its new name, and its manifest entry moves there
  push [files…]                     create or update the server's flows from local files (matched by the
                                    manifest's SID, else by friendly name; a name several server flows
                                    have is refused, exit 2, until the manifest gives the file its SID):
                                    a flow is updated when its JSON differs in any way, also one diff
                                    does not show; --status draft|published, --message TEXT, --dry-run.
                                    Without --status a new flow is a draft and an updated one keeps its
                                    status: pushing to a published flow publishes the change (--status
                                    draft keeps it a draft). --status applies to new and changed flows;
                                    an unchanged flow keeps its status (and gets no revision) unless
                                    --force-status. A flow changed on the server since its file was last
                                    pulled or pushed (its definition is neither the manifest's synced one,
                                    nor the file's, nor one the file held in a commit of HEAD) and whose
                                    change the file does not hold (merged in by hand), or deleted there,
                                    is not overwritten: the push sends nothing and names the flows
                                    (exit 2; --dry-run too); --force overwrites them. A file the manifest
                                    has no SID and hash for, or matched by name (another server), is
                                    pushed as before; with no SID in the manifest, with a warning (not
                                    with --force) when the flow's definition it replaces is none the
                                    repository held. A file renamed
                                    since the last pull or push (git reports the rename, or it holds what
                                    the old file held then) updates the old file's flow and takes over
                                    its manifest entry (diff and --dry-run say so); without a certain
                                    match it is a new flow, and push warns that a tracked file is gone
                                    and how to carry its SID over. A
                                    file still holding deploy-time \${…} placeholders (a flow kept as a
                                    Terraform template) is refused (exit 1, nothing sent; --dry-run too):
                                    --vars FILE fills them in (the manifest records the flow as pushed,
                                    filled in, and the check above compares filled-in definitions), or
                                    leave a flow Terraform deploys out by naming the files to push
  diff [files…]                     what changed, in words: widgets (type, properties), transitions, split
                                    conditions (name, arguments, operator, value, order), initial_state,
                                    description, flags. Local files (every file in --dir by default) against
                                    the server, as push would send them, saying which flows changed on the
                                    server since the last pull or push (push refuses those); flows only on
                                    the server are listed, and count as a difference when the manifest
                                    tracks them (their file is missing) or with --all. A template (a file
                                    with deploy-time \${…} placeholders) is compared as written, and diff
                                    says so: --vars FILE compares it filled in, as push sends it
  diff A B                          two sides against each other: FW…, FW…@N (revision), FW…@published, or
                                    a file; two files outside --dir, or any two with --pair
  validate [files…]                 check local files (--remote: also with the server's Validate API): a
                                    line per file with its errors and warnings, then a count of the files
                                    checked, valid and invalid, and of the warnings. --quiet: only the
                                    invalid files and their errors, and the count (--json lists every
                                    file, with the count as "summary"); --max-warnings N: more than N
                                    warnings in all fail the check (exit 1), as eslint's does
  export FW… [--revision N] [--out FILE]   the definition as Studio export JSON (stdout by default).
                                    --out into a file a manifest tracks: one edited since it was last
                                    pulled or pushed is not overwritten (exit 2, nothing written; --force
                                    overwrites it); the flow's own file is recorded as holding what was
                                    exported, as a pull records it. A file no manifest tracks is overwritten.
                                    A new file in a flows folder (--dir, or one with a manifest) only as the
                                    flow's tracked file (it becomes one if the flow has none there): push
                                    would create any other as a second flow; nor another flow's file (exit 2)
  import FILE [--name NAME] [--status draft|published]   create a new flow from a file, named NAME,
                                    else a saved Flow resource's friendly_name, else the file's name

Options:
  --dir DIR       where flow files live (default ./flows)
  --layout        diff: also report moved widgets (canvas offsets)
  --all           diff: every flow on the server must have a local file (the account is the repo's alone)
  --pair          diff: compare the two arguments with each other, also two files of --dir
  --force-status  push: set --status on unchanged flows too (a new revision of each whose status differs)
  --force         pull: overwrite local files edited since they were last pulled or pushed; push:
                  overwrite flows changed on the server since then; export: overwrite such an edited file
  --quiet         validate: print only invalid files (their errors, not warnings) and the count
  --max-warnings N   validate: exit 1 when the files have more than N warnings in all
  --vars FILE     validate, import, diff, push: values (a JSON or YAML mapping) for the files' deploy-time
                  \${…} placeholders (flows kept as Terraform templates), substituted before they are
                  checked, compared or sent

Exit codes (like diff(1), so a script can tell an answer from a failure):
  0  done; diff: no changes; validate: every file valid
  1  diff: the flows differ (also only where push would send what diff does not show, such as
     canvas offsets), a file is no flow definition (the others are still compared), or a flow the
     manifest tracks has no file (with --all: any flow only on the server); validate: a definition
     is not valid, or more warnings than --max-warnings; push, import: not sent, a definition is not
     valid; push: a file holds deploy-time \${…} placeholders (none or not all given with --vars)
  2  bad usage, no flow directory, a file that cannot be read, validate/push: no flow files in --dir, the
     server refused (credentials, no such flow or revision), pull, export: local edits it would overwrite
     (nothing is written), push: changes made on the server it would overwrite (nothing is sent),
     push/diff: a file whose friendly name several server flows have (nothing is sent), export: --out a
     second file of a flow in a flows folder, or another flow's file (nothing is written)
  3  the server could not be reached

${CONNECTION_HELP}`;

/** Each subcommand's module, imported when it runs. */
export const SUBCOMMANDS: Record<string, (context: FlowsContext) => Promise<number>> = {
  list: async (context) => (await import('./flows/list.ts')).flowsList(context),
  pull: async (context) => (await import('./flows/pull.ts')).flowsPull(context),
  push: async (context) => (await import('./flows/push.ts')).flowsPush(context),
  diff: async (context) => (await import('./flows/diff.ts')).flowsDiff(context),
  validate: async (context) => (await import('./flows/validate.ts')).flowsValidate(context),
  export: async (context) => (await import('./flows/export.ts')).flowsExport(context),
  import: async (context) => (await import('./flows/import.ts')).flowsImport(context),
};

export async function flowsCommand(argv: string[]): Promise<number> {
  const { sub, problem, values, positionals } = parseSubcommand(argv, FLOWS_OPTIONS);
  if (problem) return usageFailure(problem);
  if (!sub || values.help || sub === 'help') {
    // Asked for, the usage is the answer (stdout, 0); missing a subcommand, it is the error (stderr, 2).
    if (!(sub || values.help)) {
      console.error(FLOWS_USAGE);
      return 2;
    }
    console.log(FLOWS_USAGE);
    return 0;
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
  const foreign = Object.entries(OWN_SWITCHES).find(([name, commands]) => given(name) && !commands.includes(sub));
  if (foreign) return usageFailure(`flows ${sub} does not take --${foreign[0]} (flows ${foreign[1].join(', ').replace(/, (?=[^,]*$)/, ' and ')} ${foreign[1].length === 1 ? 'does' : 'do'})`);
  const maxWarnings = parseMaxWarnings(values['max-warnings']);
  if ('problem' in maxWarnings) return usageFailure(maxWarnings.problem);
  if (values['force-status'] && status === undefined) return usageFailure('flows push --force-status sets --status on unchanged flows: give --status draft or published with it');
  // Not pull: a template is left as it is (the server holds it filled in); push records the definition as pushed.
  if (values.vars !== undefined && !VARS_COMMANDS.includes(sub)) return usageFailure(`flows ${sub} does not take --vars (flows ${VARS_COMMANDS.join(', ')} do)`);
  let vars: JsonObject | undefined;
  if (values.vars !== undefined) {
    const read = readVarsFile(values.vars);
    if ('problem' in read) return usageFailure(read.problem);
    vars = read.vars;
  }
  let connected: StudioClient | null = null;
  let connection: () => Connection;
  let liquidVersion: string;
  try {
    connection = remoteConnector(values);
    // Local checks warn as the server this project configures would (--liquid-version).
    liquidVersion = resolveConfig(CONFIG_KEYS, values as Flags, process.env).values.liquidVersion;
  } catch (error) {
    return reportFailure(`flows ${sub}`, error);
  }
  const client = async () => (connected ??= await StudioClient.connect(connection()));
  const color = process.stdout.isTTY === true && !process.env.NO_COLOR;
  try {
    const run = Object.hasOwn(SUBCOMMANDS, sub) ? SUBCOMMANDS[sub] : undefined;
    if (!run) {
      console.error(`${unknownCommandMessage('switchboard flows: ', sub, Object.keys(SUBCOMMANDS))}\n\n${FLOWS_USAGE}`);
      return 2;
    }
    return await run({ values, positionals, dir: values.dir, json: values.json, color, status, maxWarnings: maxWarnings.max, validation: { liquidVersion }, vars, client });
  } catch (error) {
    // 1 is an answer here (the flows differ, a definition is invalid): every failure is 2, or 3 unreached.
    return reportFailure(`flows ${sub}`, error);
  }
}
