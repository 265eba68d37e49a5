/**
 * The bounds on Liquid work: the limits of every render, and the budgets renders share (a sprint's, and an
 * allowance several sprints share), counted through liquidjs' two limiters so that the same flow and events
 * fail or pass the same way on any node (see liquid.ts' header, "DoS").
 */
import type { Context } from 'liquidjs';
import { MAX_TEMPLATE_LENGTH } from '../../definition/liquid-syntax.ts';
import { MAX_LOOP_ITERATIONS } from './loop-tags.ts';
import { MAX_OUTPUT_BYTES } from './output.ts';

/** Limits applied to every render. */
export const LIQUID_LIMITS = Object.freeze({
  /** Max UTF-8 bytes of a rendered template (Studio: "a rendered template at most 16 KB"). */
  maxOutputBytes: MAX_OUTPUT_BYTES,
  /** Max characters of a template source (liquidjs parseLimit). */
  maxTemplateLength: MAX_TEMPLATE_LENGTH,
  /**
   * Template nodes one render may run, loop bodies counted each time round: the deterministic bound on a
   * render's work (a wall-clock budget would fail the same template on a cold or busy node and pass it on a
   * warm one, and replays and flow tests would disagree with the run).
   */
  maxRenderNodes: 100_000,
  /**
   * Fuse per sprint, ms of the rendering thread's CPU time: only a template whose few nodes each do enormous
   * work gets this far within the deterministic budgets; no flow's template comes near it. CPU time, not
   * wall-clock: on a loaded machine a sprint of 100 ms of work took over 2 s, its widget failed, and a replay
   * answered "diverged" where an idle machine answered the truth (see LiquidBudget.fuseBlown).
   */
  renderFuseMs: 2_000,
  /**
   * liquidjs' allocation units (characters, array slots: a range, a sort, a split each count their length)
   * per render: a few passes over a 64 kB HTTP body (Studio's response cap) fit, `(1..500000) | sort` does not.
   */
  memoryLimit: 200_000,
  /**
   * What all the renders of one sprint (the work one event causes) may use together: a Set Variables of
   * 150 pairs looping through a Split would otherwise hold the event loop for seconds within the step cap.
   * Real flows use a few thousand nodes and units per sprint.
   */
  sprintNodes: 300_000,
  sprintMemory: 600_000,
  /** Parsed-template cache bounds. */
  cacheEntries: 2000,
  cacheTotalChars: 8 * 1024 * 1024,
  /** Iterations per loop. */
  maxLoopIterations: MAX_LOOP_ITERATIONS,
});

type ContextLimiters = NonNullable<ConstructorParameters<typeof Context>[3]>;
export type ContextLimiter = NonNullable<ContextLimiters['renderLimit']>;

/**
 * The Liquid work one sprint may do across all its renders (see LIQUID_LIMITS.sprintNodes). The engine makes
 * one per sprint and passes it with every render; a render without one gets its own.
 */
export class LiquidBudget {
  nodes = 0;
  memory = 0;
  /**
   * The wall-clock time (liquidjs' `now`) before which the fuse cannot have blown: set by the sprint's first
   * rendered node, moved on by fuseBlown. Read for free at every node; the CPU clock only once it is passed.
   */
  fuseAt: number | null = null;
  /** Work several sprints share besides (a replay's), when the caller gives one. */
  readonly allowance: LiquidAllowance | undefined;
  /** The fuse, ms of CPU time (LIQUID_LIMITS.renderFuseMs; tests of the counted budgets set it out of reach). */
  readonly fuseMs: number;
  /** The caller's CPU clock (the engine reads none of its own); without one the fuse counts wall-clock time. */
  readonly #cpuClock: (() => number) | undefined;
  #cpuAtStart = 0;
  #wallAtStart = 0;
  constructor(allowance?: LiquidAllowance, fuseMs: number = LIQUID_LIMITS.renderFuseMs, cpuClock?: () => number) {
    this.allowance = allowance;
    this.fuseMs = fuseMs;
    this.#cpuClock = cpuClock;
  }

  /** The sprint's first node, at wall-clock `now`, lights the fuse. */
  lightFuse(now: number): void {
    this.#cpuAtStart = this.#cpuClock?.() ?? 0;
    this.#wallAtStart = now;
    this.fuseAt = now + this.fuseMs;
  }

  /**
   * Past fuseAt: whether the thread has spent fuseMs of CPU time since the sprint's first node. If not (the
   * machine is busy and others had the CPU), fuseAt moves on by what is left: a thread's CPU time never runs
   * ahead of the wall clock, so nothing is missed until then.
   */
  fuseBlown(now: number): boolean {
    const spent = this.#cpuClock ? this.#cpuClock() - this.#cpuAtStart : now - this.#wallAtStart;
    const left = this.fuseMs - spent;
    if (left < 0) return true;
    this.fuseAt = now + left;
    return false;
  }
}

/**
 * The Liquid work many sprints may do together (a replay's two runs): every render counts against it as well
 * as against its render's and its sprint's budgets. Once it is spent every further render fails (84003) at
 * its first node, so the sprint under way ends quickly; the caller, which made it, sees `spent` between
 * sprints and stops. Deterministic, like the other budgets: no clock.
 */
export class LiquidAllowance {
  nodes = 0;
  memory = 0;
  readonly maxNodes: number;
  readonly maxMemory: number;
  /** What ran out (once something has). */
  spent: string | null = null;
  constructor(maxNodes: number, maxMemory: number) {
    this.maxNodes = maxNodes;
    this.maxMemory = maxMemory;
  }
  /** Marks the allowance spent; the error ends the render. */
  exhaust(what: string): Error {
    this.spent ??= what;
    return limitError(what);
  }
}

const limitError = (what: string) => new Error(`template render limit exceeded (${what})`);

/**
 * liquidjs' two limiters for one render in one object, counting against the render's and the sprint's
 * budgets: liquidjs only ever calls `renderLimit.check` and `memoryLimit.use`. It calls `check` with the
 * current time before every template node it renders (loop bodies included), so counting those calls
 * measures the render's work deterministically; the time it passes serves only the fuse. `use` is
 * liquidjs' allocation accounting (ranges, array filters, string filters).
 */
export class RenderLimits {
  nodes = 0;
  memory = 0;
  readonly sprint: LiquidBudget;
  constructor(sprint: LiquidBudget) {
    this.sprint = sprint;
  }
  check(now: number): void {
    const sprint = this.sprint;
    if (sprint.fuseAt === null) sprint.lightFuse(now);
    if (++this.nodes > LIQUID_LIMITS.maxRenderNodes) throw limitError(`more than ${LIQUID_LIMITS.maxRenderNodes} nodes rendered`);
    if (++sprint.nodes > LIQUID_LIMITS.sprintNodes) throw limitError(`more than ${LIQUID_LIMITS.sprintNodes} nodes rendered in one step's work`);
    if (now > sprint.fuseAt! && sprint.fuseBlown(now)) throw limitError(`over ${sprint.fuseMs} ms of rendering in one step's work`);
    const shared = sprint.allowance;
    if (shared && ++shared.nodes > shared.maxNodes) throw shared.exhaust(`more than ${shared.maxNodes} nodes rendered in all`);
  }
  use(count: number): void {
    const n = +count;
    if (!(n > 0)) return;
    if ((this.memory += n) > LIQUID_LIMITS.memoryLimit) throw limitError(`more than ${LIQUID_LIMITS.memoryLimit} memory units`);
    if ((this.sprint.memory += n) > LIQUID_LIMITS.sprintMemory) throw limitError(`more than ${LIQUID_LIMITS.sprintMemory} memory units in one step's work`);
    const shared = this.sprint.allowance;
    if (shared && (shared.memory += n) > shared.maxMemory) throw shared.exhaust(`more than ${shared.maxMemory} memory units in all`);
  }
}
