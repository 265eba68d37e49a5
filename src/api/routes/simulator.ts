// The simulator's API (authenticated like the rest): text a flow as a contact, read the
// conversation, list the Flex hand-offs (tasks), and make the next message to an address fail.
import type { ApiContext } from '../context.ts';
import type { Routes } from '../server.ts';
import { errors } from '../wire/errors.ts';
import { enumValue, optionalString, requiredQuery, requiredString, stringList, type Form } from '../wire/form.ts';
import { formatDate } from '../wire/dates.ts';
import { flowSidParam } from '../wire/path-params.ts';
import { bodyTooLong } from '../../lib/sms-segments.ts';
import { SIMULATOR_FLOW_ADDRESS, type SimulatedTask, type TranscriptEntry } from '../../channels/simulator/simulator-channel.ts';

/** Longer than any phone number, channel address (whatsapp:…, messenger:…) or identity. */
const MAX_ADDRESS_LENGTH = 256;

/**
 * A contact address from the form. One with a leading space is refused: it is almost always a
 * `+` sent unencoded (`curl -d From=+1555…`), which a form decodes as a space, and it would
 * otherwise start a conversation with ' 1555…' that no later `Contact=%2B1555…` query finds. So is
 * one over 256 characters: the simulator keeps addresses in memory (transcripts, failures to come).
 */
export function contactAddress(form: Form, name: string): string {
  const value = requiredString(form, name);
  if (value.length > MAX_ADDRESS_LENGTH) throw errors.invalidParameter(name, `is ${value.length} characters long; an address is at most ${MAX_ADDRESS_LENGTH}`);
  if (/^\s/.test(value)) {
    throw errors.invalidParameter(name, `'${value}' starts with a space: a '+' sent unencoded in a form arrives as a space; URL-encode it (%2B, or curl --data-urlencode '${name}=+${value.trim()}')`);
  }
  return value;
}

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

export function registerSimulator(routes: Routes, ctx: ApiContext): void {
  routes.add('POST', '/simulator/Flows/:Sid/Messages', async (request, reply) => {
    const flowSid = flowSidParam(request);
    const from = contactAddress(request.form, 'From');
    const to = optionalString(request.form, 'To') ?? SIMULATOR_FLOW_ADDRESS;
    const body = optionalString(request.form, 'Body') ?? '';
    // As Twilio takes no longer text; it also keeps one request from filling the transcripts.
    if (bodyTooLong(body)) throw errors.bodyTooLong();
    if (!(await ctx.store.getFlow(request.account.sid, flowSid))) throw errors.notFound(`/simulator/Flows/${flowSid}`);
    // Into a conversation Start Conversation made: To is it, or the contact texts its proxy number while
    // an execution is in it (after that, texts reach the flow as plain messages again).
    const conversationSid = ctx.simulator.conversationFor(request.account.sid, flowSid, from, to);
    const inConversation = conversationSid !== null && (conversationSid === to || (await ctx.store.findActiveExecutionSid(flowSid, from, conversationSid)) !== null);
    const conversation = inConversation ? ctx.simulator.inboundConversation(conversationSid, from, to, body) : null;
    const params = conversation?.params ?? ctx.simulator.inbound(request.account.sid, flowSid, from, to, body, stringList(request.form, 'MediaUrl') ?? []);
    const { executionSid } = await ctx.executions.inboundMessage(request.account.sid, flowSid, params, conversation ? 'incomingConversationMessage' : 'incomingMessage');
    if (executionSid) ctx.simulator.linkExecution(to, from, params.MessageSid!, executionSid, conversation?.conversationSid);
    await ctx.executions.idle();
    reply.code(201);
    // Only this flow's messages: another account may use the same addresses in the simulator.
    return { message_sid: params.MessageSid, execution_sid: executionSid, messages: ctx.simulator.transcript(to, from).filter((m) => m.flowSid === flowSid).map(entryJson) };
  });

  routes.add('GET', '/simulator/Flows/:Sid/Messages', async (request) => {
    const flowSid = flowSidParam(request);
    const query = request.query as Record<string, string | undefined>;
    const contact = requiredQuery(query, 'Contact');
    if (!(await ctx.store.getFlow(request.account.sid, flowSid))) throw errors.notFound(`/simulator/Flows/${flowSid}`);
    const flowAddress = query.FlowAddress ?? SIMULATOR_FLOW_ADDRESS;
    return { messages: ctx.simulator.transcript(flowAddress, contact).filter((m) => m.flowSid === flowSid).map(entryJson) };
  });

  // send-to-flex hand-offs the simulator took in place of TaskRouter (this account's only).
  routes.add('GET', '/simulator/Tasks', async (request) => {
    const query = request.query as Record<string, string | undefined>;
    const tasks = ctx.simulator.tasks(request.account.sid).filter((task) => (!query.ExecutionSid || task.executionSid === query.ExecutionSid) && (!query.FlowSid || task.flowSid === query.FlowSid));
    return { tasks: tasks.map(taskJson) };
  });

  routes.add('POST', '/simulator/Failures', async (request) => {
    const to = contactAddress(request.form, 'To');
    const kind = enumValue(request.form, 'Kind', ['send', 'delivery'] as const, true);
    ctx.simulator.failNext(to, kind, request.account.sid);
    return { to, kind };
  });
}
