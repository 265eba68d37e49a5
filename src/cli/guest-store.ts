// The store as `simulate` and `call` see a data directory (or database) a server may be using. They
// are guests there: they must carry out only their own executions' work, since what the server's
// executions send must go through the server's simulator (its transcripts, its console), not into
// this process's, which nobody watches. So the runtime's shared chores see nothing of the others'
// work (no due timers, no orphaned effects, no executions past their age, no abandoned claims, no
// stored delivery reports), and the timers of executions started here are kept here: the server would
// otherwise race this process to fire them. Effects need nothing: a sprint writes them claimed by the node that carries them out.
// When the guest closes, the timers still pending are written to the store, where the server fires
// them (a process killed outright loses them; its executions then wait until ended).
import type { ChannelRecord, Lease, Store, SprintWrite, TimerRecord } from '../runtime/ports/store.ts';
import { isConflict } from '../runtime/conflicts.ts';

interface HeldTimer {
  timer: TimerRecord;
  /** Until when the runtime's claim on it runs (null: unclaimed). */
  claimedUntil: number | null;
}

/** How often a pending timer's write at close is tried when a sprint of its execution races it. */
const FLUSH_ATTEMPTS = 5;

export function guestStore(inner: Store): Store {
  /** Executions started through this store, and the timers they set that have not fired. */
  const own = new Set<string>();
  const timers = new Map<string, HeldTimer>();

  const dropTimersOf = (executionSid: string) => {
    for (const [id, held] of timers) if (held.timer.executionSid === executionSid) timers.delete(id);
  };

  async function writeSprint(write: SprintWrite): Promise<void> {
    const sid = write.execution.sid;
    if (!write.isNew && !own.has(sid)) return inner.writeSprint(write);
    // A timer fired here has no row to consume: its claim is this process's alone.
    const consumesHeld = write.consumes?.kind === 'timer' && timers.has(write.consumes.id);
    await inner.writeSprint({ ...write, timersToAdd: [], ...(consumesHeld ? { consumes: undefined } : {}) });
    own.add(sid);
    for (const id of write.timersToCancel) timers.delete(id);
    if (write.execution.status !== 'active') return dropTimersOf(sid);
    const cancelled = new Set(write.timersToCancel);
    for (const timer of write.timersToAdd) if (!cancelled.has(timer.id)) timers.set(timer.id, { timer, claimedUntil: null });
  }

  async function claimDueTimers(now: number, lease: Lease, limit: number): Promise<TimerRecord[]> {
    const due = [...timers.values()]
      .filter((held) => held.timer.dueAt <= now && (held.claimedUntil === null || held.claimedUntil < now))
      .sort((a, b) => a.timer.dueAt - b.timer.dueAt || a.timer.id.localeCompare(b.timer.id))
      .slice(0, limit);
    for (const held of due) held.claimedUntil = lease.until;
    return due.map((held) => held.timer);
  }

  async function nextTimerDue(): Promise<number | null> {
    let next: number | null = null;
    for (const { timer, claimedUntil } of timers.values()) {
      const at = claimedUntil !== null && claimedUntil > timer.dueAt ? claimedUntil : timer.dueAt;
      if (next === null || at < next) next = at;
    }
    return next;
  }

  async function renewLeases(lease: Lease, held: { timers: string[]; effects: string[] }): Promise<void> {
    const shared: string[] = [];
    for (const id of held.timers) {
      const mine = timers.get(id);
      if (mine) mine.claimedUntil = lease.until;
      else shared.push(id);
    }
    return inner.renewLeases(lease, { timers: shared, effects: held.effects });
  }

  async function releaseLeases(owner: string): Promise<void> {
    for (const held of timers.values()) held.claimedUntil = null;
    return inner.releaseLeases(owner);
  }

  async function deleteTimer(id: string): Promise<void> {
    if (timers.delete(id)) return;
    return inner.deleteTimer(id);
  }

  async function deleteExecution(accountSid: string, flowSid: string, executionSid: string): Promise<boolean> {
    dropTimersOf(executionSid);
    return inner.deleteExecution(accountSid, flowSid, executionSid);
  }

  /**
   * Only this process's executions' channel records: a listing is how stored work is found (the
   * delivery reports the server has yet to apply), and the others' are the server's to carry out.
   * Records read by key (claims of a message or call SID) stay shared.
   */
  async function listChannelRecords(prefix: string, limit: number, after?: string): Promise<ChannelRecord[]> {
    const mine: ChannelRecord[] = [];
    let cursor = after;
    for (;;) {
      const page = await inner.listChannelRecords(prefix, limit, cursor);
      for (const record of page) {
        if (!own.has(record.executionSid)) continue;
        mine.push(record);
        if (mine.length === limit) return mine;
      }
      if (page.length < limit) return mine;
      cursor = page.at(-1)!.key;
    }
  }

  /** Hands the timers still pending to the store (a sprint that changes nothing but adds them). */
  async function flushTimers(): Promise<void> {
    const byExecution = new Map<string, TimerRecord[]>();
    for (const { timer } of timers.values()) byExecution.set(timer.executionSid, [...(byExecution.get(timer.executionSid) ?? []), timer]);
    timers.clear();
    for (const [sid, pending] of byExecution) {
      for (let attempt = 1; attempt <= FLUSH_ATTEMPTS; attempt++) {
        const loaded = await inner.loadExecution(sid);
        if (!loaded || loaded.record.status !== 'active') break;
        try {
          await inner.writeSprint({ execution: loaded.record, isNew: false, steps: [], timersToAdd: pending, timersToCancel: [], effectsToAdd: [], effectsDone: [], expectedVersion: loaded.version });
          break;
        } catch (error) {
          if (!isConflict(error, 'version') || attempt === FLUSH_ATTEMPTS) throw error;
        }
      }
    }
  }

  async function close(): Promise<void> {
    try {
      await flushTimers();
    } finally {
      await inner.close();
    }
  }

  const overrides: Partial<Record<keyof Store, unknown>> = {
    writeSprint,
    claimDueTimers,
    nextTimerDue,
    renewLeases,
    releaseLeases,
    deleteTimer,
    deleteExecution,
    listChannelRecords,
    close,
    // The others' work: not this process's to take on.
    claimEffects: async () => [],
    expiredExecutions: async () => [],
    activeExecutionsOnCalls: async () => ({ executions: [], scannedTo: null }),
    oldestActiveExecution: async () => null,
    pruneHistory: async () => 0,
    releaseAbandonedClaims: undefined,
    onWork: undefined,
  };
  return new Proxy(inner, {
    get(target, property) {
      if (Object.hasOwn(overrides, property)) return overrides[property as keyof Store];
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
