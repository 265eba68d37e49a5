// `switchboard replay FN… --flow FW… [--revision N|published|latest] [--definition FILE]`:
// re-runs recorded executions' inputs against another revision (the current draft by default)
// on the server's pure engine and shows where the path, the outputs, the requests and what the
// caller heard diverge.
import type { JsonObject } from '../engine/types.ts';
import { replayText, type ReplayReport } from '../flowtest/replay.ts';
import { ApiFailure, StudioClient } from '../flowtest/studio-client.ts';
import { readFlowFile } from './unreadable-file.ts';
import { sidArgument } from './sid-argument.ts';
import { CONNECTION_HELP, CONNECTION_OPTIONS, parseSubcommand, remoteConnector, reportFailure, usageFailure } from './remote.ts';

/** Configuration flags that change how a flow runs: a replay takes the server's, not these. */
const ENGINE_FLAGS = ['timezone', 'default-reply-timeout', 'max-steps', 'max-same-widget', 'execution-max-age'];

export const REPLAY_USAGE = `Usage: switchboard replay FN… [FN…] --flow FW… [options]

Re-runs each execution's recorded inputs (trigger, replies, reply timeouts, HTTP and Function
answers) against another revision and shows where the path, the messages and the outputs diverge,
and where a widget requests (method, URL, body, parameters) or says (a call's TwiML) something else
than the revision the execution ran, replayed with the same answers.

Options:
  --flow FW…            the flow the executions belong to (required)
  --revision R          LatestRevision or latest (the newest revision, draft or not: default),
                        LatestPublished or published, or a revision number
  --definition FILE     replay against a local flow file (a Studio export, or a saved Flow resource)
                        instead of a saved revision; not with --revision
  --fail-on-divergence  exit 1 when any replay diverges (for CI)

The replay runs on the server under the server's configuration (time zone, default reply timeout,
step limits, execution age cap), with its clock starting when the execution started.

Exit codes: 0 replayed (diverging or not, without --fail-on-divergence); 1 a replay diverged, with
--fail-on-divergence; 2 bad usage, or the server refused (credentials, no such flow, execution or revision:
an execution it has not, or will not replay, is named and the others are replayed all the same);
3 the server could not be reached.

${CONNECTION_HELP}`;

function fromWire(body: JsonObject): ReplayReport {
  return {
    executionSid: String(body.execution_sid),
    flowSid: String(body.flow_sid),
    original: body.original as unknown as ReplayReport['original'],
    replay: body.replay as unknown as ReplayReport['replay'],
    diverged: body.diverged === true,
    divergence: body.divergence as unknown as ReplayReport['divergence'],
    stepDiff: body.step_diff as string[],
    messageDiff: body.message_diff as string[],
    outputDifferences: body.output_differences as unknown as ReplayReport['outputDifferences'],
    // A server before requests and TwiML were compared sends neither.
    effectDifferences: (body.effect_differences ?? []) as unknown as ReplayReport['effectDifferences'],
    effectsCompared: body.effects_compared === true,
    notes: body.notes as string[],
  };
}

export async function replayCommand(argv: string[]): Promise<number> {
  // No subcommand: parsed as one whose "subcommand" is the first execution SID.
  const { sub, problem, values, positionals: rest } = parseSubcommand(argv, {
    ...CONNECTION_OPTIONS,
    flow: { type: 'string' },
    revision: { type: 'string' },
    definition: { type: 'string' },
    'fail-on-divergence': { type: 'boolean', default: false },
  });
  if (problem) return usageFailure(problem);
  const positionals = sub === undefined ? rest : [sub, ...rest];
  if (values.help) {
    console.log(REPLAY_USAGE);
    return 0;
  }
  if (!values.flow || positionals.length === 0) {
    console.error(`switchboard replay: give one or more execution SIDs and --flow FW…\n\n${REPLAY_USAGE}`);
    return 2;
  }
  // Checked here, not sent: the server's answer to a malformed SID is a 404 that does not say it is malformed.
  const sids: string[] = [];
  for (const checked of [sidArgument('FW', values.flow, '--flow'), ...positionals.map((given) => sidArgument('FN', given))]) {
    if ('problem' in checked) {
      console.error(`switchboard replay: ${checked.problem}`);
      return 2;
    }
    sids.push(checked.sid);
  }
  const [flowSid, ...executionSids] = sids as [string, ...string[]];
  const local = ENGINE_FLAGS.filter((flag) => (values as Record<string, unknown>)[flag] !== undefined);
  if (local.length) {
    console.error(`switchboard replay: note: the replay runs on the server, under the server's configuration; ${local.map((f) => `--${f}`).join(', ')} ${local.length === 1 ? 'is' : 'are'} not used`);
  }
  if (values.definition !== undefined && values.revision !== undefined) {
    console.error('switchboard replay: give --revision or --definition, not both (the replay runs against one of them)');
    return 2;
  }
  const revision = values.revision === 'published' ? 'LatestPublished' : values.revision === 'latest' || values.revision === 'draft' ? 'LatestRevision' : values.revision;
  let definition: string | undefined;
  if (values.definition !== undefined) {
    // As `simulate` and `flows import` read a file: a saved Flow resource is its definition.
    const read = readFlowFile(values.definition);
    if (!('definition' in read)) {
      console.error(`switchboard replay: ${values.definition}: ${'unreadable' in read ? read.unreadable : `not a flow definition: ${read.notDefinition}`}`);
      return 2;
    }
    definition = JSON.stringify(read.definition);
  }
  const reports: ReplayReport[] = [];
  /** Executions the server would not replay (gone, or too costly): the others are replayed all the same. */
  const skipped: string[] = [];
  const print = () => {
    if (values.json) console.log(JSON.stringify(reports, null, 2));
    else {
      if (reports.length) console.log(reports.map(replayText).join('\n\n'));
      if (reports.length + skipped.length > 1) {
        const notReplayed = skipped.length ? `; ${skipped.length} could not be replayed (${skipped.join(', ')})` : '';
        console.log(`\n${reports.length} execution${reports.length === 1 ? '' : 's'} replayed: ${reports.filter((r) => r.diverged).length} diverged${notReplayed}`);
      }
    }
  };
  try {
    const client = await StudioClient.connect(remoteConnector(values)());
    for (const sid of executionSids) {
      const path = `/replay/Flows/${flowSid}/Executions/${sid}`;
      let body: JsonObject;
      try {
        body = definition
          ? await client.raw('POST', path, { Definition: definition })
          : await client.raw('GET', path, revision ? { Revision: revision } : {});
      } catch (error) {
        const problem = executionProblem(error, flowSid, sid);
        if (problem === undefined) throw error;
        console.error(`switchboard replay: ${sid}: ${problem}`);
        skipped.push(sid);
        continue;
      }
      const report = fromWire(body);
      // The server calls a posted definition 'Definition'; the file it came from says more.
      if (values.definition) report.replay.revision = values.definition;
      reports.push(report);
    }
  } catch (error) {
    // What was replayed before a failure that stops them all (the revision, the credentials, the server) is still shown.
    if (reports.length) print();
    return reportFailure('replay', error);
  }
  print();
  if (skipped.length) return 2;
  return values['fail-on-divergence'] && reports.some((r) => r.diverged) ? 1 : 0;
}

/**
 * Why the server would not replay this one execution, when the reason is its own (no such execution in
 * the flow, or one too costly or impossible to replay); undefined for a failure every replay would meet.
 */
function executionProblem(error: unknown, flowSid: string, sid: string): string | undefined {
  if (!(error instanceof ApiFailure)) return undefined;
  if (error.status === 404 && error.message.includes(`/Executions/${sid}`)) return `not found in flow ${flowSid} (error 20404)`;
  if (error.status === 400 && /^(replay too costly|This execution cannot be replayed)/.test(error.message)) return error.message;
  return undefined;
}
