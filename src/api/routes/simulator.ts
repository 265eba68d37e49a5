// The simulator's API (authenticated like the rest): text a flow as a contact, read the
// conversation, list the Flex hand-offs (tasks), make the next message to an address fail (or not), and end a
// virtual agent's session in a conversation (Connect Virtual Agent, Conversations channel) as its agent would.
// A text's answer holds the conversation so far (`messages`) and what the execution it ran sent
// elsewhere meanwhile (`other_messages`: to another number, or from a conversation's proxy number).
// It waits for that execution's work only (its sprints and effects), for up to SIMULATOR_WAIT_MS: one
// flow's slow webhook must not hold up every other text on the node. What comes later is in the GET.
import type { ApiContext } from '../context.ts';
import type { Routes } from '../server.ts';
import { errors } from '../wire/errors.ts';
import { enumValue, optionalString, requiredQuery, stringList } from '../wire/form.ts';
import { contactAddress, optionalAddress, simulatorAddress } from '../wire/addresses.ts';
import { formatDate } from '../wire/dates.ts';
import { flowSidParam } from '../wire/path-params.ts';
import { isSid } from '../../runtime/ids.ts';
import { webhookParam } from './webhook-params.ts';
import type { ExecutionState, JsonObject } from '../../engine/types.ts';
import { VIRTUAL_AGENT_STATUSES } from '../../engine/widgets/connect-virtual-agent-conversations.ts';
import { single } from '../wire/query.ts';
import { bodyTooLong } from '../../lib/sms-segments.ts';
import { SIMULATOR_FLOW_ADDRESS, type SimulatedTask, type TranscriptEntry } from '../../channels/simulator/simulator-channel.ts';
import { textFlow, UNPUBLISHED_NOTICE, UNWIRED_NOTICE } from '../../channels/simulator/texting.ts';
import { loadCarrierConfig } from '../../channels/twilio/carrier-config.ts';

/** A simulator message as the API shows it (also in the console's event streams). */
export function entryJson(entry: TranscriptEntry) {
  return {
    sid: entry.sid,
    direction: entry.direction,
    from: entry.from,
    to: entry.to,
    body: entry.body,
    media_url: entry.mediaUrl,
    status: entry.status,
    execution_sid: entry.executionSid,
    date_created: formatDate(entry.dateCreated),
    content_sid: entry.contentSid ?? null,
    /** A message the flow posted into a conversation: the Attributes it gave (JSON text); null for any other. */
    attributes: entry.attributes ?? null,
    /** The simulator's recording order across transcripts: what sorts messages of one second. */
    sequence: entry.sequence ?? null,
  };
}

function taskJson(task: SimulatedTask) {
  return {
    sid: task.sid,
    account_sid: task.accountSid,
    flow_sid: task.flowSid,
    execution_sid: task.executionSid,
    workflow_sid: task.workflowSid,
    task_channel: task.taskChannel,
    attributes: task.attributes,
    priority: task.priority,
    timeout: task.timeout,
    date_created: formatDate(task.dateCreated),
  };
}

/**
 * How long a text's answer waits for the work its execution does (an HTTP request still out at the
 * end answers with the messages so far; the rest appear in the transcript as they are sent).
 */
export const SIMULATOR_WAIT_MS = 5_000;


export function registerSimulator(routes: Routes, ctx: ApiContext): void {
  routes.add('POST', '/simulator/Flows/:Sid/Messages', async (request, reply) => {
    const flowSid = flowSidParam(request);
    const from = contactAddress(request.form, 'From');
    const to = optionalAddress(request.form, 'To') ?? SIMULATOR_FLOW_ADDRESS;
    const body = optionalString(request.form, 'Body') ?? '';
    // As Twilio takes no longer text; it also keeps one request from filling the transcripts.
    if (bodyTooLong(body)) throw errors.bodyTooLong();
    const flow = await ctx.store.getFlow(request.account.sid, flowSid);
    if (!flow) throw errors.notFound(`/simulator/Flows/${flowSid}`);
    // What the flow sends meanwhile outside this conversation (to another number, or into a
    // conversation from its proxy number) is not in its transcript: it is collected as it is sent.
    const sent: TranscriptEntry[] = [];
    const stopCollecting = ctx.simulator.onMessage((entry) => {
      if (entry.flowSid === flowSid && entry.direction !== 'inbound') sent.push(entry);
    });
    let texted: Awaited<ReturnType<typeof textFlow>>;
    try {
      texted = await textFlow(
        { store: ctx.store, simulator: ctx.simulator, inbound: (account, sid, fields, trigger) => ctx.executions.inboundMessage(account, sid, fields, trigger) },
        flow,
        from,
        to,
        body,
        stringList(request.form, 'MediaUrl') ?? [],
      );
      if (texted.executionSid) await ctx.executions.idleFor(texted.executionSid, SIMULATOR_WAIT_MS);
    } finally {
      stopCollecting();
    }
    const { params, executionSid, start } = texted;
    reply.code(201);
    // Only this flow's messages: another account may use the same addresses in the simulator.
    const messages = ctx.simulator.transcript(to, from).filter((m) => m.flowSid === flowSid);
    const here = new Set(messages.map((m) => m.sid));
    return {
      message_sid: params.MessageSid,
      execution_sid: executionSid,
      messages: messages.map(entryJson),
      other_messages: executionSid ? sent.filter((m) => m.executionSid === executionSid && !here.has(m.sid)).map(entryJson) : [],
      ...(start === 'unwired' ? { notice: { code: 'trigger-not-wired', message: UNWIRED_NOTICE } } : {}),
      ...(start === 'unpublished' && !executionSid ? { notice: { code: 'flow-not-published', message: UNPUBLISHED_NOTICE } } : {}),
    };
  });

  routes.add('GET', '/simulator/Flows/:Sid/Messages', async (request) => {
    const flowSid = flowSidParam(request);
    const query = request.query as Record<string, unknown>;
    // Checked as the POST's From is: an unencoded '+' (a space) named nobody's transcript, silently empty.
    const contact = simulatorAddress('Contact', requiredQuery(query, 'Contact'));
    if (!(await ctx.store.getFlow(request.account.sid, flowSid))) throw errors.notFound(`/simulator/Flows/${flowSid}`);
    // The first of repeated values, as everywhere (an array named no transcript: always empty).
    const flowAddress = simulatorAddress('FlowAddress', single(query.FlowAddress, 'FlowAddress') ?? SIMULATOR_FLOW_ADDRESS);
    return { messages: ctx.simulator.transcript(flowAddress, contact).filter((m) => m.flowSid === flowSid).map(entryJson) };
  });

  // The virtual agent that has the execution's conversation ends its session: VirtualAgentStatus (completed,
  // live-agent-handoff or failed; default completed) and any other fields (VirtualAgentProviderData as JSON text,
  // VirtualAgentError, VirtualAgentErrorCode…) are what the agent reports, the widget's outputs. 409 when the
  // execution is not in a session (still connecting, or the widget left), and when the account's carrier is the
  // Twilio carrier or the webhook channel: its sessions belong to a real connector, which ends them. Answers as
  // a text does: the conversation's messages once the work the end caused is done (up to SIMULATOR_WAIT_MS).
  routes.add('POST', '/simulator/Flows/:Sid/Executions/:ExecutionSid/VirtualAgent', async (request) => {
    const flowSid = flowSidParam(request);
    const path = request.url.split('?')[0]!;
    const { ExecutionSid: executionSid } = request.params as { ExecutionSid: string };
    if (!isSid('FN', executionSid)) throw errors.notFound(path);
    const execution = await ctx.store.getExecutionBySid(executionSid);
    if (!execution || execution.accountSid !== request.account.sid || execution.flowSid !== flowSid) throw errors.notFound(path);
    const status = enumValue(request.form, 'VirtualAgentStatus', VIRTUAL_AGENT_STATUSES, false) ?? 'completed';
    const { channel } = await loadCarrierConfig(ctx.store, request.account.sid);
    if (channel !== 'simulator') {
      throw errors.conflict(
        `Account ${request.account.sid} sends through the ${channel} channel, not the simulator: its virtual agent sessions belong to a real connector, which ends them`,
        { channel },
      );
    }
    const wait = execution.status === 'active' ? (execution.state as ExecutionState).frames.at(-1)?.wait : undefined;
    if (wait?.kind !== 'virtual-agent') throw errors.conflict(`Execution ${executionSid} is not in a virtual agent session (Connect Virtual Agent on the Conversations channel)`);
    const params: JsonObject = {};
    // Checked as a flow webhook's parameters are (a NUL, an over-long SID: 400 naming it), before anything changes.
    for (const name of Object.keys(request.form)) if (name !== 'VirtualAgentStatus') params[name] = webhookParam(name, optionalString(request.form, name) ?? '');
    params.VirtualAgentStatus = status;
    // The contact's transcript as they see it, as a text's answer and GET …/Messages hold it: an SMS contact's
    // from the number they texted, not the conversation's own view (to/from CH…).
    const contact = execution.contactChannelAddress;
    const view = ctx.simulator.contactViewOf(wait.conversationSid, contact);
    ctx.simulator.endAgentSession(wait.conversationSid, wait.sessionId);
    await ctx.executions.virtualAgentEnded(executionSid, wait.sessionId, params);
    await ctx.executions.idleFor(executionSid, SIMULATOR_WAIT_MS);
    const after = await ctx.store.getExecutionBySid(executionSid);
    const messages = ctx.simulator.transcript(view, contact).filter((m) => m.flowSid === flowSid);
    return { execution_sid: executionSid, session_id: wait.sessionId, status, execution_status: after?.status ?? 'ended', messages: messages.map(entryJson) };
  });

  // send-to-flex hand-offs the simulator took in place of TaskRouter (this account's only).
  routes.add('GET', '/simulator/Tasks', async (request) => {
    const query = request.query as Record<string, unknown>;
    const executionSid = single(query.ExecutionSid);
    const flowSid = single(query.FlowSid);
    const tasks = ctx.simulator.tasks(request.account.sid).filter((task) => (!executionSid || task.executionSid === executionSid) && (!flowSid || task.flowSid === flowSid));
    return { tasks: tasks.map(taskJson) };
  });

  // Arms the next message to an address to fail (Kind=send or delivery), or disarms it (Kind=none);
  // `kind` in the answer is what is armed now (null: nothing). The GET reads it back.
  routes.add('POST', '/simulator/Failures', async (request) => {
    const to = contactAddress(request.form, 'To');
    const kind = enumValue(request.form, 'Kind', ['send', 'delivery', 'none'] as const, true);
    if (kind === 'none') {
      ctx.simulator.clearFailure(to, request.account.sid);
      return { to, kind: null };
    }
    ctx.simulator.failNext(to, kind, request.account.sid);
    return { to, kind };
  });

  routes.add('GET', '/simulator/Failures', async (request) => {
    const to = simulatorAddress('To', requiredQuery(request.query as Record<string, unknown>, 'To'));
    return { to, kind: ctx.simulator.armedFailure(to, request.account.sid) };
  });
}
