// `switchboard test --record --flow FW… [--contact +1555…|--execution FN…] --out tests/x.test.yaml`:
// reads a conversation from a server (the simulator transcript, the execution's context and
// steps) and writes it as a test file, saving the flow definition next to it when asked.
import { existsSync, lstatSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { configFlagOptions } from '../config.ts';
import { parseDefinitionFile } from '../definition/parse.ts';
import type { FlowDefinition } from '../definition/types.ts';
import type { JsonObject } from '../engine/types.ts';
import { diffFlows } from '../flowtest/flow-diff.ts';
import { LoadError, parseTestFile } from '../flowtest/load.ts';
import { checkRecordable, flowFileText, recordSubflows, stepsFromApi, testFileYaml, testFromRecording } from '../flowtest/record.ts';
import { ApiFailure, StudioClient, type RemoteFlow } from '../flowtest/studio-client.ts';
import { remoteConnector, reportFailure, usageFailure } from './remote.ts';
import { sidArgument } from './sid-argument.ts';
import { booleanWithValue, extraArguments, parseStrict, switchWithWord } from './stray-arguments.ts';
import { markSynced, readManifest, syncedHash, writeManifest } from './flows/manifest.ts';
import { flowsFolderPlace, flowsFolderRefusal, trackFlowFile } from './flows/flows-folder.ts';
import { slug } from './flows/match.ts';
import { makeDirectories } from '../lib/make-directories.ts';

export const RECORD_USAGE = `Usage: switchboard test --record --flow FW… [--contact +1555…|--execution FN…] --out FILE [options]

Turns a run in the simulator into a test file: the trigger, the replies, the HTTP and Function
answers become the test's input and mocks; the messages, path and end become its expectations.
Each subflow it ran is saved beside the test (the revision that ran) and named under mocks.subflows.

Options:
  --flow FW…             the flow (required)
  --execution FN…        the execution to record (default: the newest, for --contact if given)
  --contact ADDRESS      the simulated contact (e.g. +15551230001)
  --out FILE             the test file to write (e.g. tests/order.test.yaml; required)
  --flow-file FILE       the flow file the test names; written, if missing, from the revision the
                         execution ran (default: the file flows/flows.manifest.json maps to the flow,
                         else flows/<name>.json, added to the manifest for flows push); into a
                         flows folder only as the flow's tracked file (it becomes one if the flow
                         has none there): flows push would create any other as a second flow
  --name TEXT            the test's name
  --base-url URL --account-sid AC… --auth-token … (or --api-key/--api-secret; env TWILIO_*)`;

const FLOWS_DIR = 'flows';

/**
 * The flows-as-code file of this flow: the one flows.manifest.json maps to it (by SID or friendly
 * name), else flows/<name>.json, added to the manifest so that `flows push` later updates this flow
 * instead of creating one named after the file. A flows/<name>.json the manifest does not track is
 * taken when it holds the flow that ran (a project that keeps its flows without a manifest, such as
 * examples/), else left alone for the next free name (flows/<name>-2.json).
 */
function manifestFlowFile(dir: string, flow: { sid: string; friendlyName: string }, ran: FlowDefinition): string {
  const manifest = readManifest(dir);
  const entries = Object.entries(manifest.flows);
  const known = entries.find(([, v]) => v.sid === flow.sid) ?? entries.find(([, v]) => v.friendlyName === flow.friendlyName);
  if (known) return join(dir, known[0]);
  let file = `${slug(flow.friendlyName)}.json`;
  const entry = manifest.flows[file] ? undefined : lstatSync(join(dir, file), { throwIfNoEntry: false });
  // A regular file only: a symbolic link is never taken, and never written through.
  const same = entry !== undefined && entry.isFile() && sameBehaviour(join(dir, file), ran);
  // lstat, not exists: a dangling symbolic link is taken too (writing the new file would follow it).
  if (!same) for (let n = 2; manifest.flows[file] || lstatSync(join(dir, file), { throwIfNoEntry: false }); n++) file = `${slug(flow.friendlyName)}-${n}.json`;
  manifest.flows[file] = { friendlyName: flow.friendlyName, sid: flow.sid };
  makeDirectories(dir);
  writeManifest(dir, manifest);
  return join(dir, file);
}

/**
 * The revision an execution ran, or the flow as it is now when that revision is gone (a server that
 * keeps only recent revisions): the recording still gets written, and says which one it used.
 */
async function revisionOrLatest(client: StudioClient, flow: RemoteFlow, revision: number) {
  try {
    return await client.getRevision(flow.sid, revision);
  } catch (error) {
    if (!(error instanceof ApiFailure) || error.status !== 404) throw error;
    console.log(`note: revision ${revision}, the one the execution ran, is no longer on the server; recorded against revision ${flow.revision}, so check the test replays it`);
    return flow;
  }
}

/** Whether a local flow file has the widgets, transitions and settings of `definition` (canvas layout aside). */
function sameBehaviour(file: string, definition: FlowDefinition): boolean {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return false;
  }
  const parsed = parseDefinitionFile(text);
  // Not even a list of widgets (a broken file): not what ran, and nothing diffFlows could compare.
  return parsed.ok && Array.isArray(parsed.definition.states) && diffFlows(parsed.definition, definition).same;
}

/** Why `switchboard test` would refuse a test file with this text (its schema, its clocks), or null. */
function schemaProblems(path: string, text: string): string | null {
  try {
    const { invalid } = parseTestFile(path, text);
    return invalid.size ? [...invalid.values()].flat().join('\n  ') : null;
  } catch (error) {
    if (error instanceof LoadError) return error.message;
    throw error;
  }
}

export async function recordCommand(argv: string[]): Promise<number> {
  const options = {
    flow: { type: 'string' },
    execution: { type: 'string' },
    contact: { type: 'string' },
    out: { type: 'string' },
    'flow-file': { type: 'string' },
    name: { type: 'string' },
    'base-url': { type: 'string' },
    'account-sid': { type: 'string' },
    'auth-token': { type: 'string' },
    'api-key': { type: 'string' },
    'api-secret': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
    // Every command takes every configuration flag (a script may pass one set to all); recording uses none.
    ...configFlagOptions(),
  } as const;
  // As every command reads its arguments: a mistyped option is named with the closest one (`--flwo` →
  // --flow), a stray argument or a switch given a value in a sentence, not in parseArgs' words.
  const early = booleanWithValue(argv, options);
  if (early) return usageFailure(early);
  const { values, positionals, tokens } = parseStrict({ args: argv, allowPositionals: true, strict: true, allowNegative: true, tokens: true, options });
  const stray = switchWithWord(tokens, options) ?? extraArguments('test --record', positionals, 0);
  if (stray) return usageFailure(stray);
  if (values.help) {
    console.log(RECORD_USAGE);
    return 0;
  }
  if (!values.flow || !values.out) {
    console.error(`switchboard test --record: --flow and --out are required\n\n${RECORD_USAGE}`);
    return 2;
  }
  // Checked here, not sent: the server's answer to a malformed SID is a 404 that does not say it is malformed.
  for (const [prefix, option] of [['FW', 'flow'], ['FN', 'execution']] as const) {
    const given = values[option];
    if (given === undefined) continue;
    const checked = sidArgument(prefix, given, `--${option}`);
    if ('problem' in checked) {
      console.error(`switchboard test --record: ${checked.problem}`);
      return 2;
    }
    values[option] = checked.sid;
  }
  try {
    const client = await StudioClient.connect(remoteConnector(values)());
    const flow = await client.getFlow(values.flow);
    let executionSid = values.execution;
    if (!executionSid) {
      // The server filters by contact, so a contact's last execution is found however many others came after it.
      const executions = await client.listExecutions(values.flow, { limit: 200, ...(values.contact ? { contact: values.contact } : {}) });
      const match = executions.find((e) => !values.contact || e.contactChannelAddress === values.contact);
      if (!match) {
        console.error(`switchboard test --record: flow ${values.flow} has no execution${values.contact ? ` for ${values.contact}` : ''} to record`);
        return 2;
      }
      executionSid = String(match.sid);
    }
    const execution = await client.getExecution(values.flow, executionSid);
    // The revision the execution ran, not the flow's latest: a flow edited since would not replay it.
    const ran = typeof execution.flowVersion === 'number' && execution.flowVersion !== flow.revision
      ? await revisionOrLatest(client, flow, execution.flowVersion)
      : flow;
    // A draft saved invalid (which test users run) makes no test that loads: said before anything is written.
    checkRecordable(`flow ${flow.sid}`, ran, executionSid);
    const context = await client.getExecutionContext(values.flow, executionSid);
    const steps = stepsFromApi(await client.listSteps(values.flow, executionSid));
    let transcript: string[] | undefined;
    const contact = String(execution.contactChannelAddress ?? values.contact ?? '');
    try {
      const messages = await client.raw('GET', `/simulator/Flows/${values.flow}/Messages`, { Contact: contact });
      const sent = ((messages.messages ?? []) as JsonObject[])
        .filter((m) => m.execution_sid === executionSid && m.direction !== 'inbound')
        .map((m) => String(m.body ?? ''));
      // Executions started through the flow webhook (a real number, a webchat) have no simulator
      // transcript: the steps' outbound outputs stand in, as on a server without the simulator.
      if (sent.length) transcript = sent;
    } catch (error) {
      if (!(error instanceof ApiFailure) || error.status !== 404) throw error;
      // Not a Switchboard simulator (e.g. the real Twilio): the steps' outbound outputs stand in.
    }
    const out = resolve(values.out);
    // A --flow-file written into a flows folder, untracked, would be a second flow on the next push: refused before anything is written.
    const given = values['flow-file'] !== undefined && !existsSync(resolve(values['flow-file'])) ? flowsFolderPlace(resolve(values['flow-file']), flow, FLOWS_DIR) : null;
    const refused = given && flowsFolderRefusal(resolve(values['flow-file']!), given, flow, (tracked) => `Leave --flow-file out to use ${tracked}, or keep the revision the execution ran outside the flows folder`);
    if (refused) {
      console.error(`switchboard test --record: ${refused} (--flow-file ${relative(process.cwd(), join(dirname(out), basename(values['flow-file']!)))}, beside the test); nothing was written`);
      return 2;
    }
    // Each subflow it ran (the revision that ran) goes beside the test, named under mocks.subflows.
    const { subflows, log } = await recordSubflows(client, ran.definition, steps, out, executionSid);
    for (const line of log) console.log(line);
    const flowFile = resolve(values['flow-file'] ?? manifestFlowFile(FLOWS_DIR, flow, ran.definition));
    if (!existsSync(flowFile)) {
      makeDirectories(dirname(flowFile));
      writeFileSync(flowFile, flowFileText(ran.definition));
      if (given?.is === 'untracked') trackFlowFile(given.folder, flowFile, flow, ran.definition);
      else markSynced(given ? given.folder : FLOWS_DIR, flowFile, ran.definition);
      console.log(`wrote ${relative(process.cwd(), flowFile)} (flow ${flow.sid}, revision ${ran.revision}, the one the execution ran)`);
    } else {
      const kept = relative(process.cwd(), flowFile);
      if (!sameBehaviour(flowFile, ran.definition)) {
        // The test runs the local file: if it is not what ran, the recorded expectations may not hold.
        console.error(
          `warning: ${kept} differs from revision ${ran.revision}, the one the execution ran, and is kept as it is: the test may not match what ran ` +
            `(switchboard flows export ${flow.sid} --revision ${ran.revision} --out ${kept} writes that revision)`,
        );
      } else if (ran.revision !== flow.revision) {
        console.log(`note: the execution ran revision ${ran.revision}; ${kept} is kept as it is`);
      }
    }
    const notes: string[] = [];
    const file = testFromRecording(
      { executionSid, status: execution.status === 'active' ? 'active' : 'ended', context, steps, definition: ran.definition, ...(transcript ? { transcript } : {}), subflows, startedAt: execution.dateCreated as unknown as Date | string | null },
      { flowPath: relative(dirname(out), flowFile) || flowFile, ...(values.name ? { name: values.name } : {}), notes },
    );
    for (const note of notes) console.log(`note: ${note}`);
    const yaml = testFileYaml(file, [`Recorded from execution ${executionSid} of flow ${values.flow} (${client.connection.baseUrl}).`, 'Review the mocks and expectations, then keep it with your flows.']);
    // A recorded test must load again: one that would not (a value the recorder failed to fit) is not written.
    const unloadable = schemaProblems(out, yaml);
    if (unloadable) {
      console.error(`switchboard test --record: the test recorded from execution ${executionSid} would not load, so it is not written:\n  ${unloadable}`);
      return 2;
    }
    makeDirectories(dirname(out));
    writeFileSync(out, yaml);
    const scriptSteps = file.tests[0]!.script?.length ?? 0;
    const messages = file.tests[0]!.expect?.messages?.length ?? 0;
    console.log(`wrote ${relative(process.cwd(), out)}: ${scriptSteps} script ${scriptSteps === 1 ? 'step' : 'steps'}, ${messages} ${messages === 1 ? 'message' : 'messages'} expected`);
    return 0;
  } catch (error) {
    return reportFailure('test --record', error);
  }
}
