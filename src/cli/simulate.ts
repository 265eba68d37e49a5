// `switchboard simulate <FlowSid|flow.json> --from +1555…`: chat with a flow in the terminal.
// A flow file runs on an in-memory store; a FlowSid runs against the data directory's store.
// Each outbound message and each step is printed as it happens (a reply timeout's too, while nobody
// types; `/timeout` makes the wait for a reply time out now), a failure with its reason. A local developer tool, it runs in dev mode like `npm start`
// (`serve --dev`): flows may call localhost and private addresses. --strict-outbound (or --no-dev)
// applies the server's default policy.
// While a virtual agent has the contact's conversation (Connect Virtual Agent, Conversations channel) a hint
// line says so, and `/agent [completed|live-agent-handoff|failed] [provider data]` ends its session as the agent
// would (the simulator's VirtualAgent action); other lines are still texts, the agent's to read.
import { createInterface } from 'node:readline/promises';
import { stdin, stdout } from 'node:process';
import { localToolFlags, openSimulation, triggerLeadsOn } from './flow-file.ts';
import { SimulationOutput } from './simulate-output.ts';
import { textFlow, UNPUBLISHED_NOTICE, UNWIRED_NOTICE } from '../channels/simulator/texting.ts';
import { BODY_TOO_LONG_CODE, BODY_TOO_LONG_MESSAGE, bodyTooLong } from '../lib/sms-segments.ts';
import { VIRTUAL_AGENT_STATUSES } from '../engine/widgets/connect-virtual-agent-conversations.ts';
import type { App } from '../app.ts';
import type { Account } from '../runtime/ports/store.ts';
import type { ExecutionState } from '../engine/types.ts';

type Flags = Record<string, string | boolean | undefined>;

/** The command that ends a virtual agent's session in the conversation. */
export const AGENT_COMMAND = '/agent';

/** The command that makes what waits for the contact's reply time out now, rather than after its `timeout`. */
export const TIMEOUT_COMMAND = '/timeout';

/** The hint printed when a virtual agent takes the conversation (`connector`: the widget's connector name). */
export function agentHint(connector: string): string {
  return `  (a virtual agent${connector ? ` (${connector})` : ''} has the conversation: your texts go to it. End its session with ${AGENT_COMMAND} completed | live-agent-handoff | failed, then any provider data, e.g. ${AGENT_COMMAND} live-agent-handoff {"AgentHandoffParameters":{"queue":"billing"}} (${AGENT_COMMAND} alone = completed))`;
}

/**
 * A typed line as the end of a virtual agent's session: `/agent [status] [provider data]` (the simulator's
 * VirtualAgent fields), as `switchboard call` reads a relay session's end. Null for a line that is not the
 * command (a text), 'not understood' for the command with a word that is no status.
 */
export function agentEndRequest(line: string): Record<string, string> | null | 'not understood' {
  const text = line.trim();
  if (text !== AGENT_COMMAND && !text.startsWith(`${AGENT_COMMAND} `)) return null;
  const rest = text.slice(AGENT_COMMAND.length).trim();
  if (rest === '') return { VirtualAgentStatus: 'completed' };
  const [, first = '', data = ''] = /^(\S*)\s*([\s\S]*)$/.exec(rest)!;
  if ((VIRTUAL_AGENT_STATUSES as readonly string[]).includes(first)) return { VirtualAgentStatus: first, ...(data ? { VirtualAgentProviderData: data } : {}) };
  // Provider data alone (JSON): the session completed; a word that is no status is not understood.
  return /^[{["]/.test(rest) ? { VirtualAgentStatus: 'completed', VirtualAgentProviderData: rest } : 'not understood';
}

/** The virtual agent session the execution is in (its last frame waits on one), if any. */
async function agentSessionOf(app: App, executionSid: string | null): Promise<{ sessionId: string; connector: string } | null> {
  if (!executionSid) return null;
  const execution = await app.store.getExecutionBySid(executionSid);
  const wait = execution?.status === 'active' ? (execution.state as ExecutionState).frames.at(-1)?.wait : undefined;
  if (wait?.kind !== 'virtual-agent') return null;
  return { sessionId: wait.sessionId, connector: app.simulator.agentSession(wait.conversationSid)?.connectorName ?? '' };
}

/**
 * Fires now the timer of what the execution waits on for the contact (a Send & Wait For Reply, or a virtual
 * agent's reply timeout), as the timer loop fires it when due: the widget leaves by `timeout`. False when the
 * execution waits for no reply (ended, busy, or a subflow's other wait).
 */
async function timeOutReply(app: App, executionSid: string | null): Promise<boolean> {
  if (!executionSid) return false;
  const execution = await app.store.getExecutionBySid(executionSid);
  const wait = execution?.status === 'active' ? (execution.state as ExecutionState).frames.at(-1)?.wait : undefined;
  if (wait?.kind !== 'reply' && wait?.kind !== 'virtual-agent') return false;
  // Its row goes first, so it does not fire again when due (one a timer loop holds then finds the wait gone).
  await app.store.deleteTimer(wait.timerId);
  await app.executions.deliver(executionSid, { type: 'timer', timerId: wait.timerId });
  return true;
}

/** Ends the execution's virtual agent session through the simulator API; its refusal's message, or null. */
async function endAgentSession(app: App, account: Account, flowSid: string, executionSid: string, fields: Record<string, string>): Promise<string | null> {
  const res = await app.server.inject({
    method: 'POST',
    url: `/simulator/Flows/${flowSid}/Executions/${executionSid}/VirtualAgent`,
    headers: { authorization: 'Basic ' + Buffer.from(`${account.sid}:${account.authToken}`).toString('base64'), 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams(fields).toString(),
  });
  if (res.statusCode < 400) return null;
  return (res.json() as { message?: string }).message ?? res.body;
}

export async function simulateCommand(target: string | undefined, flags: Flags): Promise<number> {
  const opened = await openSimulation('simulate', target, localToolFlags(flags));
  if (typeof opened === 'number') return opened;
  const { app, account, flowSid, from, to, stored } = opened;
  const output = new SimulationOutput(app, account.sid, flowSid, { contact: from, flowAddress: to });
  const rl = createInterface({ input: stdin, output: stdout, terminal: stdin.isTTY });
  // Ctrl-C quits as Ctrl-D does: the app closes, so the executions' pending timers are handed to the store.
  const quit = () => rl.close();
  process.once('SIGINT', quit);
  rl.on('SIGINT', quit);
  try {
    console.log(`Texting flow ${flowSid} as ${from} (flow address ${to}). ${TIMEOUT_COMMAND} times out a wait for your reply; empty line or Ctrl-D to quit.`);
    /** The execution the contact's last text started or reached, and the agent session whose hint was printed. */
    let latest: string | null = null;
    let hinted: string | null = null;
    const hintAgent = async () => {
      const session = await agentSessionOf(app, latest);
      if (session && session.sessionId !== hinted) console.log(agentHint(session.connector));
      hinted = session?.sessionId ?? null;
    };
    for await (const line of rl) {
      if (line.trim() === '') break;
      // A script piped in is not echoed by a terminal: the transcript shows what the contact sent.
      if (!stdin.isTTY) console.log(`  → ${line}`);
      const flow = await app.store.getFlow(account.sid, flowSid);
      if (!flow) {
        console.error(`switchboard simulate: flow ${flowSid} no longer exists`);
        return 1;
      }
      await output.print(); // up to date first: where the reply goes depends on what has ended
      if (line.trim() === TIMEOUT_COMMAND) {
        if (await timeOutReply(app, latest)) {
          await app.executions.idle();
          await output.print();
          await hintAgent();
        } else console.log('    (nothing waits for your reply now)');
        continue;
      }
      const agentEnd = agentEndRequest(line);
      if (agentEnd !== null) {
        const session = await agentSessionOf(app, latest);
        if (agentEnd === 'not understood') console.log(`    (not understood: ${AGENT_COMMAND} completed | live-agent-handoff | failed, then any provider data)`);
        else if (!session || !latest) console.log('    (no virtual agent has the conversation now)');
        else {
          const refused = await endAgentSession(app, account, flowSid, latest, agentEnd);
          console.log(refused ? `    ✗ ${refused}` : `    (virtual agent session ended: ${agentEnd.VirtualAgentStatus})`);
          await app.executions.idle();
          await output.print();
          await hintAgent();
        }
        continue;
      }
      // As the simulator's HTTP route (and Twilio) refuse it: nothing reaches the flow, a waiting execution waits on.
      if (bodyTooLong(line)) {
        console.log(`    ✗ not sent: ${BODY_TOO_LONG_MESSAGE} (${BODY_TOO_LONG_CODE}; this one has ${line.length})`);
        continue;
      }
      // As the console's Chat does: a Conversations-only Trigger gets the text as a conversation message.
      // A reply to a conversation the flow writes in goes to it (its proxy number), as from the phone.
      const { executionSid, start } = await textFlow(
        { store: app.store, simulator: app.simulator, inbound: (accountSid, sid, params, trigger) => app.executions.inboundMessage(accountSid, sid, params, trigger) },
        flow,
        from,
        output.replyAddress,
        line,
      );
      output.follow(executionSid);
      if (executionSid) latest = executionSid;
      await app.executions.idle();
      await output.print();
      await hintAgent();
      if (start === 'unwired') {
        console.log(`    ✗ ${UNWIRED_NOTICE}`);
        if (await triggerLeadsOn(app.store, flow, from, ['incomingCall'])) console.log(`    (it takes calls: switchboard call ${target} runs it)`);
      }
      if (start === 'unpublished' && !executionSid) console.log(`    ✗ ${UNPUBLISHED_NOTICE}`);
    }
    // Quitting mid-conversation: say where the flow was left (a flow file's run goes with this process).
    await output.print();
    const left = latest ? await app.store.getExecutionBySid(latest) : null;
    const at = left?.status === 'active' ? (left.state as ExecutionState).frames.at(-1)?.current : null;
    if (left && at) console.log(`    (quit with execution ${left.sid} waiting at ${at}${stored ? '; it stays active in the store' : ''})`);
    return 0;
  } finally {
    process.removeListener('SIGINT', quit);
    rl.close();
    await output.close();
    await app.close();
  }
}
