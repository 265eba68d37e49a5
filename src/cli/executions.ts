// `switchboard executions list|show|steps|end`: a flow's executions over the REST API, as
// readable tables or --json.
import type { JsonObject } from '../engine/types.ts';
import { StudioClient } from '../flowtest/studio-client.ts';
import { CONNECTION_HELP, CONNECTION_OPTIONS, parseSubcommand, remoteConnector, reportFailure, table, usageFailure } from './remote.ts';
import { extraArguments } from './stray-arguments.ts';

export const EXECUTIONS_USAGE = `Usage: switchboard executions <command> --flow FW… [options]

Commands:
  list [--limit N] [--since ISO-DATE] [--contact ADDRESS]
                                        the flow's executions, newest first; --contact: only
                                        that contact's (its address exactly as stored, e.g.
                                        +15551234567, whatsapp:+15551234567, client:alice;
                                        a Switchboard extension: on a server without it, such
                                        as Twilio, those among the newest listed, with a warning)
  show FN…                              one execution and its context
  steps FN…                             the steps: from, event, to
  end FN…                               end an active execution

${CONNECTION_HELP}`;

const iso = (value: unknown) => (value instanceof Date ? value.toISOString() : value === null || value === undefined ? '' : String(value));

/**
 * ContactAddress is a Switchboard extension: a server without it (the real Twilio) lists every
 * execution. Rather than show other contacts' executions as this one's, keep only the contact's and
 * say that they are only those among the newest listed.
 */
function onlyTheContacts(listed: JsonObject[], contact: string): JsonObject[] {
  const matching = listed.filter((e) => e.contactChannelAddress === contact);
  if (matching.length < listed.length) {
    console.error(`switchboard executions list: warning: the server ignored --contact (a Switchboard extension); showing ${contact}'s executions among the ${listed.length} newest only`);
  }
  return matching;
}

export async function executionsCommand(argv: string[]): Promise<number> {
  const { sub, problem, values, positionals } = parseSubcommand(argv, {
    ...CONNECTION_OPTIONS,
    flow: { type: 'string' },
    limit: { type: 'string' },
    since: { type: 'string' },
    contact: { type: 'string' },
  });
  if (problem) return usageFailure(problem);
  if (!sub || values.help || sub === 'help') {
    console.log(EXECUTIONS_USAGE);
    return sub || values.help ? 0 : 2;
  }
  // list takes no argument, show/steps/end the execution's SID.
  const extra = extraArguments(`executions ${sub}`, positionals, sub === 'list' ? 0 : ['show', 'steps', 'end'].includes(sub) ? 1 : Infinity);
  if (extra) return usageFailure(extra);
  if (!values.flow) {
    console.error(`switchboard executions ${sub}: --flow FW… is required`);
    return 2;
  }
  const needsSid = sub !== 'list';
  const sid = positionals[0];
  if (needsSid && !sid) {
    console.error(`switchboard executions ${sub}: give the execution SID (FN…)`);
    return 2;
  }
  try {
    const client = await StudioClient.connect(remoteConnector(values)());
    switch (sub) {
      case 'list': {
        const limit = values.limit ? Number(values.limit) : 50;
        if (!Number.isInteger(limit) || limit < 1) {
          console.error('switchboard executions list: --limit must be a positive whole number');
          return 2;
        }
        const since = values.since ? new Date(values.since) : undefined;
        if (since && Number.isNaN(since.getTime())) {
          console.error(`switchboard executions list: --since '${values.since}' is not a date (use e.g. 2026-05-01 or 2026-05-01T09:00:00Z)`);
          return 2;
        }
        // Even an empty --contact goes to the server, whose error says what an address looks like.
        const contact = values.contact !== undefined ? { contact: values.contact } : {};
        const listed = await client.listExecutions(values.flow, { limit, ...(since ? { from: since } : {}), ...contact });
        const list = values.contact === undefined ? listed : onlyTheContacts(listed, values.contact);
        if (values.json) console.log(JSON.stringify(list, null, 2));
        else
          console.log(
            table(
              list.map((e) => ({ ...e, dateCreated: iso(e.dateCreated) })),
              [
                { key: 'sid', title: 'sid' },
                { key: 'status', title: 'status' },
                { key: 'contactChannelAddress', title: 'contact' },
                { key: 'dateCreated', title: 'created' },
              ],
            ),
          );
        return 0;
      }
      case 'show': {
        const execution = await client.getExecution(values.flow, sid!);
        const context = await client.getExecutionContext(values.flow, sid!);
        if (values.json) console.log(JSON.stringify({ ...execution, context }, null, 2));
        else {
          console.log(
            [
              `Execution ${execution.sid}`,
              `  flow:     ${execution.flowSid}`,
              `  status:   ${execution.status}`,
              `  contact:  ${execution.contactChannelAddress}`,
              `  created:  ${iso(execution.dateCreated)}`,
              `  updated:  ${iso(execution.dateUpdated)}`,
              'Context:',
              ...JSON.stringify(context, null, 2).split('\n').map((l) => `  ${l}`),
            ].join('\n'),
          );
        }
        return 0;
      }
      case 'steps': {
        const steps = await client.listSteps(values.flow, sid!);
        if (values.json) console.log(JSON.stringify(steps, null, 2));
        else
          console.log(
            table(
              steps.map((s: JsonObject) => ({ ...s, dateCreated: iso(s.dateCreated), sub: s.parentStepSid ? 'subflow' : '' })),
              [
                { key: 'dateCreated', title: 'at' },
                { key: 'transitionedFrom', title: 'from' },
                { key: 'name', title: 'event' },
                { key: 'transitionedTo', title: 'to' },
                { key: 'sub', title: '' },
              ],
            ),
          );
        return 0;
      }
      case 'end': {
        const ended = await client.endExecution(values.flow, sid!);
        console.log(values.json ? JSON.stringify(ended, null, 2) : `execution ${ended.sid} is ${ended.status}`);
        return 0;
      }
      default:
        console.error(`switchboard executions: unknown command '${sub}'\n\n${EXECUTIONS_USAGE}`);
        return 2;
    }
  } catch (error) {
    return reportFailure(`executions ${sub}`, error);
  }
}
