// Copies everything one store holds into another, through the Store port only, so any backend
// can be copied to any other (SQLite → PostgreSQL is what `switchboard migrate-store` is for).
// Order and identity are kept: SIDs, revision numbers, dates, and the listing order of flows,
// executions and steps (each is inserted oldest first, so the target's keyset order matches), and
// inbound receipts with their received times, so a webhook retried across the move is not run twice.
import {
  StoreConflictError,
  type AlertRecord,
  type ExecutionRecord,
  type FlowListItem,
  type InboundReceipt,
  type PageRequest,
  type PageResult,
  type PendingEffect,
  type RevisionRecord,
  type StepRecord,
  type Store,
  type NewExecutionSprint,
  type TimerRecord,
} from '../runtime/ports/store.ts';

export interface CopyCounts {
  settings: number;
  accounts: number;
  apiKeys: number;
  flows: number;
  revisions: number;
  testUsers: number;
  executions: number;
  steps: number;
  timers: number;
  pendingEffects: number;
  /**
   * Debugger alerts: of executions that still exist (an alert outlives a deleted execution; those are
   * not copied), and flows' own (an inbound execution the rate limit refused), all of them.
   */
  alerts: number;
  /**
   * Inbound receipts (a webhook already run, kept 7 days so Twilio's retry of it is not run again), of
   * the accounts copied, with their received times.
   */
  receipts: number;
  /** The carrier's send ledger (in-flight sends, claimed message SIDs, delivery reports). */
  channelRecords: number;
}

export class TargetNotEmptyError extends Error {}

const PAGE = 500;
const EVERYTHING = 1_000_000_000;

/** Every item of a keyset-paged list, in the list's own order. */
async function all<T>(list: (page: PageRequest) => Promise<PageResult<T>>): Promise<T[]> {
  const items: T[] = [];
  let page = await list({ pageSize: PAGE });
  items.push(...page.items);
  while (page.hasMore && page.lastPosition !== null) {
    page = await list({ pageSize: PAGE, cursor: { direction: 'after', position: page.lastPosition } });
    items.push(...page.items);
  }
  return items;
}

/** An account's inbound receipts, a page at a time, in the store's key order. */
async function* receiptPages(store: Store, accountSid: string): AsyncGenerator<InboundReceipt[]> {
  for (let page = await store.listInboundReceipts(accountSid, PAGE); page.length > 0; ) {
    yield page;
    if (page.length < PAGE) return;
    page = await store.listInboundReceipts(accountSid, PAGE, page.at(-1)!.key);
  }
}

function groupBy<T extends { executionSid: string }>(rows: T[]): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const row of rows) map.set(row.executionSid, [...(map.get(row.executionSid) ?? []), row]);
  return map;
}

/** Counts what a store holds, the same way copyStore walks it (to verify a copy). */
export async function countStore(store: Store): Promise<CopyCounts> {
  const counts = zero();
  counts.settings = (await store.listSettings()).length;
  const accounts = await store.listAccounts();
  counts.accounts = accounts.length;
  counts.apiKeys = (await store.listApiKeys()).length;
  for (const account of accounts) {
    for (const flow of await all((page) => store.listFlows(account.sid, page))) {
      counts.flows++;
      counts.revisions += (await all((page) => store.listRevisions(account.sid, flow.sid, page))).length;
      counts.testUsers += ((await store.getTestUsers(account.sid, flow.sid)) ?? []).length;
      for (const execution of await all((page) => store.listExecutions(account.sid, flow.sid, {}, page))) {
        counts.executions++;
        counts.steps += (await all((page) => store.listSteps(account.sid, flow.sid, execution.sid, page))).length;
      }
    }
  }
  counts.timers = (await store.dueTimers(Number.MAX_SAFE_INTEGER, EVERYTHING)).length;
  counts.pendingEffects = (await store.pendingEffects(EVERYTHING)).length;
  counts.channelRecords = (await store.listChannelRecords('', EVERYTHING)).length;
  for (const account of accounts) {
    for (const alert of await all((page) => store.listAlerts(account.sid, {}, page))) {
      if (isFlowAlert(alert) || (await store.getExecutionBySid(alert.executionSid))) counts.alerts++;
    }
    for await (const page of receiptPages(store, account.sid)) counts.receipts += page.length;
  }
  return counts;
}

/** A flow's own alert (Store.addAlerts: no execution raised it), which names the flow as its resource. */
function isFlowAlert(alert: AlertRecord): boolean {
  return alert.executionSid === alert.flowSid;
}

/** Flows' own alerts written at once, at most (one insert each). */
const FLOW_ALERTS_PER_WRITE = 500;

function zero(): CopyCounts {
  return { settings: 0, accounts: 0, apiKeys: 0, flows: 0, revisions: 0, testUsers: 0, executions: 0, steps: 0, timers: 0, pendingEffects: 0, alerts: 0, receipts: 0, channelRecords: 0 };
}

/** Writes an execution that may not hold its contact pair's slot (one-active-per-contact was off). */
async function importExecution(to: Store, write: NewExecutionSprint): Promise<void> {
  try {
    await to.writeSprint(write);
  } catch (error) {
    if (!(error instanceof StoreConflictError && error.reason === 'active-execution')) throw error;
    await to.writeSprint({ ...write, exclusive: false });
  }
}

/**
 * Copies `from` into `to`, which must be empty (no accounts, no settings). Nothing may be
 * running on either store meanwhile. `onProgress` hears one line per flow.
 */
export async function copyStore(from: Store, to: Store, onProgress: (line: string) => void = () => undefined): Promise<CopyCounts> {
  if ((await to.listAccounts()).length > 0 || (await to.listSettings()).length > 0) {
    throw new TargetNotEmptyError('the target store already holds data; copy into an empty database or schema');
  }
  const counts = zero();
  for (const { key, value } of await from.listSettings()) {
    await to.setSetting(key, value);
    counts.settings++;
  }
  const accounts = await from.listAccounts();
  for (const account of accounts) {
    await to.createAccount(account);
    counts.accounts++;
  }
  for (const key of await from.listApiKeys()) {
    await to.createApiKey(key);
    counts.apiKeys++;
  }
  // Timers and effects are listed store-wide; hand each execution its own.
  const timers = groupBy<TimerRecord>(await from.dueTimers(Number.MAX_SAFE_INTEGER, EVERYTHING));
  const effects = groupBy<PendingEffect>(await from.pendingEffects(EVERYTHING));

  for (const account of accounts) {
    const flows = (await all((page) => from.listFlows(account.sid, page))).reverse(); // oldest first
    for (const flow of flows) {
      await copyFlow(from, to, flow, counts);
      const executions: ExecutionRecord[] = (await all((page) => from.listExecutions(account.sid, flow.sid, {}, page))).reverse();
      for (const execution of executions) {
        const steps: StepRecord[] = await all((page) => from.listSteps(account.sid, flow.sid, execution.sid, page));
        const own = timers.get(execution.sid) ?? [];
        const pending = effects.get(execution.sid) ?? [];
        // One transaction per execution: it lands whole or not at all. Claims are not copied:
        // whichever node starts first takes the timers and effects up.
        await importExecution(to, { execution, isNew: true, exclusive: true, steps, timersToAdd: own, timersToCancel: [], effectsToAdd: pending, effectsDone: [] });
        counts.executions++;
        counts.steps += steps.length;
        counts.timers += own.length;
        counts.pendingEffects += pending.length;
      }
      onProgress(`flow ${flow.sid} (${flow.friendlyName}): ${executions.length} execution(s)`);
    }
    // Alerts last, oldest first, each with its execution (alerts are written in sprints), a flow's
    // own in runs written together (addAlerts): the target lists them in the source's order.
    const alerts: AlertRecord[] = (await all((page) => from.listAlerts(account.sid, {}, page))).reverse();
    let flowAlerts: AlertRecord[] = [];
    const writeFlowAlerts = async () => {
      await to.addAlerts(flowAlerts);
      counts.alerts += flowAlerts.length;
      flowAlerts = [];
    };
    for (const alert of alerts) {
      if (isFlowAlert(alert)) {
        flowAlerts.push(alert);
        if (flowAlerts.length >= FLOW_ALERTS_PER_WRITE) await writeFlowAlerts();
        continue;
      }
      const execution = await to.getExecutionBySid(alert.executionSid);
      if (!execution) continue;
      if (flowAlerts.length > 0) await writeFlowAlerts();
      // Nothing runs on the target yet (see above): no other writer to check the version against.
      await to.writeSprint({ execution, isNew: false, expectedVersion: 'unchecked', steps: [], timersToAdd: [], timersToCancel: [], effectsToAdd: [], effectsDone: [], alerts: [alert] });
      counts.alerts++;
    }
    if (flowAlerts.length > 0) await writeFlowAlerts();
    // Receipts as they were (received times kept): a webhook Twilio retries after the move is still one
    // this store ran, answered as a duplicate and not run again; each expires when it would have.
    for await (const page of receiptPages(from, account.sid)) {
      await to.addInboundReceipts(page);
      counts.receipts += page.length;
    }
  }
  for (const record of await from.listChannelRecords('', EVERYTHING)) {
    await to.putChannelRecord(record);
    counts.channelRecords++;
  }
  return counts;
}

async function copyFlow(from: Store, to: Store, listed: FlowListItem, counts: CopyCounts): Promise<void> {
  // Lists leave out definitions and validation reports: the head and each revision are read whole, one at a time.
  const flow = await from.getFlow(listed.accountSid, listed.sid);
  if (!flow) throw new Error(`flow ${listed.sid} was deleted during the copy`);
  const numbers = (await all((page) => from.listRevisions(flow.accountSid, flow.sid, page))).map((r) => r.revision).sort((a, b) => a - b);
  if (numbers.length === 0) throw new Error(`flow ${flow.sid} has no revisions`);
  const revision = async (n: number): Promise<RevisionRecord> => {
    const found = await from.getRevision(flow.accountSid, flow.sid, n);
    if (!found) throw new Error(`revision ${n} of flow ${flow.sid} was deleted during the copy`);
    return found;
  };
  // The head is written as it stands now; each later revision re-asserts the same head.
  await to.createFlow(flow, await revision(numbers[0]!));
  for (const n of numbers.slice(1)) await to.saveFlowRevision(flow, await revision(n));
  const testUsers = (await from.getTestUsers(flow.accountSid, flow.sid)) ?? [];
  if (testUsers.length > 0) await to.setTestUsers(flow.accountSid, flow.sid, testUsers);
  counts.flows++;
  counts.revisions += numbers.length;
  counts.testUsers += testUsers.length;
}
