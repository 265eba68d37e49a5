// Taking conversations back from virtual agents before their executions go without a sprint: deleting an
// execution, a flow, or a whole account. The engine's own disconnect effect only runs when a flow leaves the
// widget; a deletion skips that, and a connector on the Twilio carrier would go on answering in a real
// Conversation. Best effort, as that effect: a failure is the channel's to report, and the deletion goes on.
import type { ExecutionState, VirtualAgentSession } from '../engine/types.ts';
import type { SendContext } from './ports/channel.ts';
import type { ExecutionRecord, Store } from './ports/store.ts';

/** Ends one virtual agent session (a channel's disconnectVirtualAgent, bound to its account's carrier). */
export type AgentDisconnect = (context: SendContext, session: VirtualAgentSession) => Promise<void>;

const AGENT_PAGE = 100;

/** Ends the sessions an execution's frames wait on; how many. */
export async function releaseExecutionAgents(record: ExecutionRecord, disconnect: AgentDisconnect): Promise<number> {
  let released = 0;
  for (const frame of (record.state as ExecutionState).frames) {
    const wait = frame.wait;
    if (wait?.kind !== 'virtual-agent') continue;
    const context = { accountSid: record.accountSid, flowSid: record.flowSid, executionSid: record.sid, channelAddress: record.channelAddress };
    await disconnect(context, { conversationSid: wait.conversationSid, sessionId: wait.sessionId }).catch(() => undefined);
    released++;
  }
  return released;
}

/** Ends the sessions of a flow's active executions; how many. An execution that connects an agent meanwhile keeps it. */
export async function releaseFlowAgents(store: Pick<Store, 'activeExecutionsWithAgents'>, accountSid: string, flowSid: string, disconnect: AgentDisconnect): Promise<number> {
  let released = 0;
  for (let after: string | undefined; ; ) {
    const page = await store.activeExecutionsWithAgents(accountSid, flowSid, AGENT_PAGE, after);
    for (const record of page) released += await releaseExecutionAgents(record, disconnect);
    if (page.length < AGENT_PAGE) return released;
    after = page.at(-1)!.sid;
  }
}

/** Ends the sessions of every flow of an account; how many. */
export async function releaseAccountAgents(store: Pick<Store, 'activeExecutionsWithAgents' | 'listFlows'>, accountSid: string, disconnect: AgentDisconnect): Promise<number> {
  let released = 0;
  for (let cursor: string | undefined; ; ) {
    const page = await store.listFlows(accountSid, { pageSize: AGENT_PAGE, ...(cursor ? { cursor: { direction: 'after' as const, position: cursor } } : {}) });
    for (const flow of page.items) released += await releaseFlowAgents(store, accountSid, flow.sid, disconnect);
    if (!page.hasMore || !page.lastPosition) return released;
    cursor = page.lastPosition;
  }
}
