// The order a group-committed batch applies its sprints in. Two nodes' batches run side by side, each one
// transaction: a batch that starts executions for contacts P1 then P2 while another node's starts P2 then P1
// deadlocks on the one-active-per-pair index (and their row updates likewise), and PostgreSQL only notices
// after deadlock_timeout (1 s), stalling every sprint of both batches. Applied in one order everywhere, by
// the flow, contact and channel of the execution, the second batch waits for the first instead. The sort
// is stable: a pair's sprints (an execution's versions, an end and the start after it) keep their order.
import type { SprintWrite } from '../../runtime/ports/store.ts';

function pairKey(write: SprintWrite): string {
  const execution = write.execution;
  return `${execution.flowSid}\u0000${execution.contactChannelAddress}\u0000${execution.channelAddress}`;
}

/** The indices of `writes` in lock order. */
export function lockOrder(writes: readonly SprintWrite[]): number[] {
  const keys = writes.map(pairKey);
  // Plain code-unit comparison: the same order on every node whatever its locale.
  return keys.map((_, i) => i).sort((a, b) => (keys[a]! < keys[b]! ? -1 : keys[a]! > keys[b]! ? 1 : a - b));
}
