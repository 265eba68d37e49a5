// What the console's event streams already sent, so each poll of the store reports only what is new:
// one execution's steps and status (ExecutionWatch), and a simulator contact's conversation with a
// flow (ConversationWatch). Both stop looking at an execution once its end has been sent, and keep
// only what the simulator still holds: a console tab left open on a busy contact for days costs no
// more per poll than one opened a minute ago.
import type { ExecutionRecord, PageResult, StepRecord } from '../../runtime/ports/store.ts';
import type { ApiContext } from '../context.ts';
import { stepBody, v2Execution } from '../representations/executions.ts';
import { entryJson } from './simulator.ts';
import type { TranscriptEntry } from '../../channels/simulator/simulator-channel.ts';
import { evictOldest } from '../../lib/evict-oldest.ts';

export type SseEvent = { event: string; data: unknown };

type WatchContext = Pick<ApiContext, 'store' | 'simulator'>;

/** Messages of a flow a simulator stream keeps while it waits to learn whether they are its contact's. */
const MAX_ELSEWHERE_MESSAGES = 500;

/** Remembers what a stream already sent about one execution and reports only what is new. */
export class ExecutionWatch {
  readonly sid: string;
  #lastPosition: string | null = null;
  #lastVersion = '';
  /** The stamp's version read before the execution and its steps were last read (null: never read). */
  #readAt: number | null = null;
  #over = false;

  constructor(sid: string) {
    this.sid = sid;
  }

  /**
   * True once the execution's end (or its deletion) has been sent: an ended execution takes no more
   * steps and never changes again, so there is nothing left to poll it for.
   */
  get over(): boolean {
    return this.#over;
  }

  async poll(ctx: Pick<ApiContext, 'store'>, accountSid: string, flowSid: string, base: string): Promise<SseEvent[]> {
    if (this.#over) return [];
    // Polled every quarter second while active: the execution (its state up to the context limit) and its
    // steps are read only once its stamp has moved. Every sprint bumps it and writes its steps with it, so
    // an unmoved stamp means no new step and the same execution. It is read before them: a sprint landing
    // in between moves it past what is kept, and the next poll reads what that sprint wrote.
    const stamp = await ctx.store.getExecutionStamp(accountSid, flowSid, this.sid);
    if (stamp !== null && stamp.version === this.#readAt) return [];
    const events: SseEvent[] = [];
    let execution: ExecutionRecord | null = null; // no stamp: deleted, and its steps with it
    if (stamp !== null) {
      await this.#newSteps(ctx, accountSid, flowSid, base, events);
      execution = await ctx.store.getExecution(accountSid, flowSid, this.sid);
      this.#readAt = stamp.version;
    }
    if (execution) {
      const ended = execution.status === 'ended';
      // One sprint writes its steps and the end together: the last steps may have been written after the
      // read above, and are read once more before the execution is let go.
      if (ended) await this.#newSteps(ctx, accountSid, flowSid, base, events);
      // New steps usually mean a new context too, so the execution is sent along with them.
      const version = `${execution.status}|${execution.dateUpdated ?? ''}`;
      if (version !== this.#lastVersion || events.length > 0) {
        this.#lastVersion = version;
        events.push({ event: 'execution', data: v2Execution(base, execution) });
      }
      this.#over = ended;
    } else {
      if (this.#lastVersion !== 'deleted') events.push({ event: 'execution-deleted', data: { sid: this.sid } });
      this.#lastVersion = 'deleted';
      this.#over = true;
    }
    return events;
  }

  async #newSteps(ctx: Pick<ApiContext, 'store'>, accountSid: string, flowSid: string, base: string, events: SseEvent[]): Promise<void> {
    for (;;) {
      const page: PageResult<StepRecord> = await ctx.store.listSteps(accountSid, flowSid, this.sid, {
        pageSize: 200,
        cursor: this.#lastPosition === null ? undefined : { direction: 'after', position: this.#lastPosition },
      });
      for (const step of page.items) events.push({ event: 'step', data: stepBody(base, 'v2', step) });
      if (page.lastPosition !== null) this.#lastPosition = page.lastPosition;
      if (!page.hasMore || page.items.length === 0) return;
    }
  }
}

export interface ConversationWhere {
  accountSid: string;
  flowSid: string;
  contact: string;
  flowAddress: string;
  /** Base of the URLs in the events. */
  base: string;
}

/**
 * The simulator conversation of one contact with a flow: messages both ways, and the steps and status
 * of every execution those messages belong to. Call `close()` when the stream ends.
 */
export class ConversationWatch {
  readonly #ctx: WatchContext;
  readonly #where: ConversationWhere;
  /** What was sent of each message the simulator still holds (its status and execution). */
  readonly #sentStatus = new Map<string, string>();
  /** The contact's executions not yet over. */
  readonly #watches = new Map<string, ExecutionWatch>();
  /**
   * Executions whose end was sent, so a message naming them does not watch them again; only those some
   * held message still names are kept, so it is no larger than the transcript and `#elsewhere` together.
   */
  readonly #over = new Set<string>();
  /**
   * The contact's executions also write elsewhere (a Send Message to another number, a conversation the
   * flow opened with them), into other transcripts than flow|contact: such messages of this flow are kept
   * as they are recorded and shown once they turn out to be the contact's (their execution is watched,
   * or they are to or from the contact). Held by reference, so their status moves on here too. It
   * starts with the flow's recent messages, so those sent before the stream opened show as well.
   */
  readonly #elsewhere = new Map<string, TranscriptEntry>();
  readonly #unsubscribe: () => void;

  constructor(ctx: WatchContext, where: ConversationWhere, recent: Iterable<TranscriptEntry>) {
    this.#ctx = ctx;
    this.#where = where;
    for (const entry of recent) this.#keep(entry);
    this.#unsubscribe = ctx.simulator.onMessage((entry) => this.#keep(entry));
  }

  close(): void {
    this.#unsubscribe();
  }

  /** How much it holds: messages it remembers sending, executions watched and over (tests check it stays bounded). */
  get holding(): { messages: number; watching: number; over: number } {
    return { messages: this.#sentStatus.size, watching: this.#watches.size, over: this.#over.size };
  }

  async poll(): Promise<SseEvent[]> {
    const { accountSid, flowSid, contact, flowAddress, base } = this.#where;
    const events: SseEvent[] = [];
    const held = new Set<string>();
    const named = new Set<string>();
    const hold = (entry: TranscriptEntry) => {
      held.add(entry.sid);
      if (entry.executionSid) named.add(entry.executionSid);
    };
    for (const entry of this.#ctx.simulator.transcript(flowAddress, contact)) {
      if (entry.flowSid !== flowSid) continue;
      hold(entry);
      this.#show(entry, events);
    }
    const active = await this.#ctx.store.findActiveExecution(flowSid, contact, flowAddress);
    if (active && active.accountSid === accountSid) this.#watch(active.sid);
    for (const entry of this.#elsewhere.values()) {
      hold(entry);
      const contacts = entry.to === contact || entry.from === contact;
      if (contacts || (entry.executionSid !== null && this.#ours(entry.executionSid))) this.#show(entry, events);
    }
    for (const watch of [...this.#watches.values()]) {
      events.push(...(await watch.poll(this.#ctx, accountSid, flowSid, base)));
      if (watch.over) {
        this.#watches.delete(watch.sid);
        this.#over.add(watch.sid);
      }
    }
    // Messages the simulator no longer holds cannot change or show again; nor can executions no message names
    // be named again (one not named at all was found active, and is not any more).
    for (const sid of this.#sentStatus.keys()) if (!held.has(sid)) this.#sentStatus.delete(sid);
    for (const sid of this.#over) if (!named.has(sid)) this.#over.delete(sid);
    return events;
  }

  #keep(entry: TranscriptEntry): void {
    if (entry.flowSid !== this.#where.flowSid) return;
    this.#elsewhere.set(entry.sid, entry);
    evictOldest(this.#elsewhere, MAX_ELSEWHERE_MESSAGES);
  }

  #ours(executionSid: string): boolean {
    return this.#watches.has(executionSid) || this.#over.has(executionSid);
  }

  #watch(executionSid: string): void {
    if (!this.#ours(executionSid)) this.#watches.set(executionSid, new ExecutionWatch(executionSid));
  }

  #show(entry: TranscriptEntry, events: SseEvent[]): void {
    // Sent again when its status changes or an inbound message learns its execution.
    const shown = `${entry.status}|${entry.executionSid ?? ''}`;
    if (this.#sentStatus.get(entry.sid) !== shown) {
      this.#sentStatus.set(entry.sid, shown);
      events.push({ event: 'message', data: entryJson(entry) });
    }
    if (entry.executionSid) this.#watch(entry.executionSid);
  }
}
