// What one replay may cost, both of its runs together (the target revision and the execution's own, for
// the effect comparison). The engine bounds each sprint (LIQUID_LIMITS: nodes, memory units, a 2 s fuse),
// but a replay runs every recorded sprint of an execution twice: a few hundred sprints each just under
// their budget held a server's event loop for minutes. So a replay also has
//  - a Liquid allowance shared by all its sprints (deterministic: counted template nodes and memory units,
//    the engine's own measures), passed into the engine with every sprint;
//  - a fuse on the time its work takes, measured here between sprints (the engine reads no clock): the CPU
//    time of the event loop's thread over the replay's own stretches of work, so neither the requests that
//    run while it yields nor other processes on a busy machine count against it (a legitimate replay does
//    not fail on a loaded CI machine; on an idle one it is the wall-clock time the loop is held).
// Either one spent ends the replay with ReplayTooCostly: no partial report.
import { LiquidAllowance, LIQUID_LIMITS } from '../engine/liquid/limits.ts';
import { threadCpuMs } from '../lib/thread-cpu.ts';

export interface ReplayLimits {
  /** Template nodes all the replay's renders may run together. */
  liquidNodes: number;
  /** liquidjs memory units all its renders may use together. */
  liquidMemory: number;
  /** Milliseconds of work (CPU time of the event loop's thread) all the replay's stretches may take together. */
  busyMs: number;
}

/**
 * Ten sprints' worth of Liquid work each (LIQUID_LIMITS.sprintNodes, sprintMemory) and 5 s of work: an
 * ordinary execution of 1,000 steps replays in a tenth of a second and renders a few nodes per widget.
 */
export const REPLAY_LIMITS: Readonly<ReplayLimits> = Object.freeze({
  liquidNodes: 10 * LIQUID_LIMITS.sprintNodes,
  liquidMemory: 10 * LIQUID_LIMITS.sprintMemory,
  busyMs: 5_000,
});

/** The replay ran out of its budget: `limit` says which one. */
export class ReplayTooCostly extends Error {
  readonly limit: 'liquid' | 'time';
  constructor(limit: 'liquid' | 'time', what: string) {
    super(`replay too costly: ${what} exceeded`);
    this.name = 'ReplayTooCostly';
    this.limit = limit;
  }
}

/** One replay's budget. `clock` (ms) measures the stretches of work; the engine never sees it. */
export class ReplayBudget {
  readonly limits: Readonly<ReplayLimits>;
  readonly liquid: LiquidAllowance;
  /** Milliseconds of work so far (the finished stretches). */
  busyMs = 0;
  readonly #clock: () => number;
  #since: number | null = null;

  constructor(limits: Partial<ReplayLimits> = {}, clock: () => number = threadCpuMs) {
    this.limits = Object.freeze({ ...REPLAY_LIMITS, ...limits });
    this.liquid = new LiquidAllowance(this.limits.liquidNodes, this.limits.liquidMemory);
    this.#clock = clock;
  }

  /** A stretch of work starts (the replay has the event loop). */
  resume(): void {
    this.#since ??= this.#clock();
  }

  /** The stretch ends (before the replay yields the event loop). */
  pause(): void {
    if (this.#since === null) return;
    this.busyMs += this.#clock() - this.#since;
    this.#since = null;
  }

  /** Work so far, the current stretch included. */
  spentMs(): number {
    return this.busyMs + (this.#since === null ? 0 : this.#clock() - this.#since);
  }

  /** Between sprints: throws ReplayTooCostly once a limit is passed. */
  check(): void {
    if (this.liquid.spent !== null) throw new ReplayTooCostly('liquid', `the replay's Liquid budget (${this.liquid.spent}, both runs together)`);
    if (this.spentMs() > this.limits.busyMs) throw new ReplayTooCostly('time', `the replay's time budget (${this.limits.busyMs} ms of work, both runs together)`);
  }
}
