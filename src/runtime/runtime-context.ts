// What the parts of the execution runtime share (executions.ts wires them together): the store, the
// channel, the options, this node's claims, the per-key locks, the rate limits, whether the node is
// running, and the work in flight that idle() and stop() wait for. One explicit object, passed to
// each part, instead of one part reaching into another's state.
import type { EngineLimits } from '../engine/types.ts';
import { DomainError } from './errors.ts';
import { KeyedMutex } from './keyed-mutex.ts';
import { DEFAULT_LEASE_MS, WorkLeases, newNodeId } from './leases.ts';
import { ExecutionRateLimiter, type RateKind, type RateLimits } from './rate-limiter.ts';
import type { HttpLimits, MessageChannel } from './ports/channel.ts';
import { NO_OBSERVER, type RuntimeObserver } from './ports/observer.ts';
import type { Store } from './ports/store.ts';

export interface RuntimeOptions {
  now: () => number;
  limits?: Partial<EngineLimits>;
  http: HttpLimits;
  /** Studio ends executions 30 days after they start. */
  maxExecutionAgeMs: number;
  /** Ended executions are deleted with their steps this long after they started (Twilio: 30 days, the default); 0 = kept. */
  executionRetentionMs?: number | undefined;
  /** Metrics, traces and logs of sprints and effects (src/observability); none by default. */
  observer?: RuntimeObserver;
  /** New executions per second per account (Studio: 100 inbound, 20 REST); 0 = unlimited. */
  rateLimits: RateLimits;
  /**
   * Studio's rule: one active execution per flow and contact pair (a second v2 create is a 409,
   * v1 returns the active one). Off: creates always start a new execution and an inbound message
   * goes to the pair's newest active one.
   */
  oneActivePerContact: boolean;
  /** Many nodes on one store: this node's id in claims, and how long a claim lasts unrenewed. */
  nodeId?: string | undefined;
  leaseMs?: number | undefined;
  /**
   * How long stop() keeps trying to write effect results the store refused (it is down): past it they
   * are given up, and their effects are carried out again by whichever node takes them over.
   */
  stopDrainMs?: number | undefined;
  /**
   * Effect results (and carrier ledger writes) this node may hold while the store refuses them; past
   * it, new effects are left in the outbox for a node that can record them (bounded memory).
   */
  maxUnwrittenResults?: number | undefined;
}

export const DEFAULT_RUNTIME_OPTIONS: Omit<RuntimeOptions, 'now'> = {
  http: { timeoutMs: 10_000, maxBodyBytes: 64 * 1024 },
  maxExecutionAgeMs: 30 * 24 * 3600 * 1000,
  // Off by default: self-hosted load tests and CI should not be throttled; set 100/20 for Studio's limits.
  rateLimits: { inboundPerSecond: 0, restPerSecond: 0 },
  oneActivePerContact: true,
};

/** A refused inbound execution's alert: at most one per account and flow in this long. */
export const RATE_ALERT_INTERVAL_MS = 1000;
/** Account + flow pairs whose last rate-limit alert is remembered (bounded memory under many flows). */
export const MAX_RATE_ALERT_KEYS = 10_000;

export class RuntimeContext {
  readonly store: Store;
  readonly channel: MessageChannel;
  readonly options: RuntimeOptions;
  readonly observer: RuntimeObserver;
  /** Multi-node: this node's claims on timers and effects. */
  readonly leases: WorkLeases;
  /** Per contact pair (starting executions) and per execution (sprints). */
  readonly locks = new KeyedMutex();
  /** Until start() and again from stop(): no new work is taken on. */
  stopped = true;
  /** Sprints, effects and timer rounds under way (idle() waits for them). */
  readonly inFlight = new Set<Promise<unknown>>();
  /** The same work by the execution it is for (a timer round is for none): idleFor() waits for one execution's. */
  readonly #byExecution = new Map<string, Set<Promise<void>>>();
  readonly #rates: ExecutionRateLimiter;
  /** When each account + flow last had a rate-limit alert (rateAlertDue), least recently alerted first. */
  readonly #rateAlerts = new Map<string, number>();

  constructor(store: Store, channel: MessageChannel, options: RuntimeOptions) {
    this.store = store;
    this.channel = channel;
    this.options = options;
    this.observer = options.observer ?? NO_OBSERVER;
    this.#rates = new ExecutionRateLimiter(options.rateLimits ?? DEFAULT_RUNTIME_OPTIONS.rateLimits, options.now);
    this.leases = new WorkLeases(store, { nodeId: options.nodeId ?? newNodeId(), leaseMs: options.leaseMs ?? DEFAULT_LEASE_MS, now: options.now });
  }

  /** Counts `promise` as work in flight until it settles, as `executionSid`'s when given; returns it. */
  track<T>(promise: Promise<T>, executionSid?: string): Promise<T> {
    // The sets hold a promise of nothing, never the work's result (an execution record, its state):
    // a long-lived set's stale slots can keep what they point at alive through young-generation GCs.
    const settled = () => {
      this.inFlight.delete(done);
      if (executionSid === undefined) return;
      const mine = this.#byExecution.get(executionSid);
      mine?.delete(done);
      // Emptied entries go: the map holds only executions with work out.
      if (mine?.size === 0) this.#byExecution.delete(executionSid);
    };
    const done: Promise<void> = promise.then(settled, settled);
    this.inFlight.add(done);
    if (executionSid !== undefined) {
      const mine = this.#byExecution.get(executionSid);
      if (mine) mine.add(done);
      else this.#byExecution.set(executionSid, new Set([done]));
    }
    return promise;
  }

  /** The work in flight for one execution (its sprints and effects), as of now. */
  inFlightFor(executionSid: string): Promise<void>[] {
    const mine = this.#byExecution.get(executionSid);
    return mine ? [...mine] : [];
  }

  /** Takes one new execution from the account's per-second allowance ('rate-limited' when none is left). */
  takeRate(kind: RateKind, accountSid: string): void {
    if (!this.#rates.tryTake(kind, accountSid)) {
      throw new DomainError('rate-limited', `Too many new executions per second for account ${accountSid}`);
    }
  }

  /**
   * Whether a refused inbound execution of this account's flow gets an alert now: at most one a
   * second per account and flow on this node (a flood of refusals must not become a flood of writes).
   * Remembers the last MAX_RATE_ALERT_KEYS pairs; the longest unalerted one is forgotten first.
   */
  rateAlertDue(accountSid: string, flowSid: string): boolean {
    const key = `${accountSid}|${flowSid}`;
    const now = this.options.now();
    const last = this.#rateAlerts.get(key);
    if (last !== undefined && now - last < RATE_ALERT_INTERVAL_MS && now >= last) return false;
    this.#rateAlerts.delete(key); // re-inserted: the map stays ordered by last alert
    this.#rateAlerts.set(key, now);
    if (this.#rateAlerts.size > MAX_RATE_ALERT_KEYS) this.#rateAlerts.delete(this.#rateAlerts.keys().next().value!);
    return true;
  }
}

/** The lock key of a flow's contact pair (starting an execution, routing an inbound message or call). */
export function contactKey(flowSid: string, contact: string, channel: string): string {
  return `${flowSid}|${contact}|${channel}`;
}
