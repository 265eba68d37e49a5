// Gives memory back to the OS once a node is quiet after a burst. V8 grows its young generation
// under a burst (a timer burst, a spike of creates) and, once the garbage is gone, keeps the freed
// pages pooled and resident: measured, a node back at a 30 MB heap held 400 MB of RSS indefinitely,
// while V8's own memory reducer shrank the heap but never released the pool. Only a memory-reducing
// ("last resort") collection hands the pool back; this runs one when the node has done no work for
// whole intervals in a row and the RSS has grown by a set amount since the last one. Quiet means
// idle, not lightly loaded: the collection pauses the thread for tens of milliseconds, which a node
// serving even 1,000 messages a second (a few percent busy) felt in its p99. Idle is told by the work
// done (see ActivityCounter), not by the event loop's utilisation, which an idle node on a virtual
// machine can read as 2-4%.
import { performance } from 'node:perf_hooks';
import v8 from 'node:v8';
import vm from 'node:vm';
import type { ActivityCounter } from '../lib/activity.ts';

/** What the reclaimer reads and does: the real process's (nodeMemoryProbe) or a test's. */
export interface MemoryProbe {
  rss(): number;
  /** Units of work (sprints, API requests) done since the previous call. */
  workSinceLastCall(): number;
  /** A memory-reducing full collection (it returns pooled pages to the OS). */
  reclaim(): void;
}

export interface ReclaimerOptions {
  /** RSS growth since the last reclaim (or start) that makes one worth its pause. */
  growthBytes: number;
  /** How often to look. */
  intervalMs: number;
  /** Quiet intervals in a row before a reclaim. */
  quietIntervals: number;
  /** At most one reclaim this often, whatever happens. */
  minGapMs: number;
  now: () => number;
  /** Told of each reclaim (a log line, a metric). */
  onReclaim?: (event: { before: number; after: number; pauseMs: number }) => void;
}

export type CheckOutcome = 'busy' | 'small' | 'too-soon' | 'reclaimed';

export class MemoryReclaimer {
  readonly #probe: MemoryProbe;
  readonly #options: ReclaimerOptions;
  #floor: number;
  #lastReclaim = Number.NEGATIVE_INFINITY;
  #quietRun = 0;
  #timer: NodeJS.Timeout | null = null;

  constructor(probe: MemoryProbe, options: ReclaimerOptions) {
    this.#probe = probe;
    this.#options = options;
    this.#floor = probe.rss();
    probe.workSinceLastCall(); // starts the first interval's count
  }

  start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => this.check(), this.#options.intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }

  /** One look: reclaims if the node was quiet over the last intervals and has grown enough. */
  check(): CheckOutcome {
    const work = this.#probe.workSinceLastCall();
    const rss = this.#probe.rss();
    // Memory V8 gave back on its own lowers the mark the next growth is measured from.
    this.#floor = Math.min(this.#floor, rss);
    this.#quietRun = work === 0 ? this.#quietRun + 1 : 0;
    if (this.#quietRun < this.#options.quietIntervals) return 'busy';
    if (rss - this.#floor < this.#options.growthBytes) return 'small';
    const now = this.#options.now();
    if (now - this.#lastReclaim < this.#options.minGapMs) return 'too-soon';
    const started = performance.now();
    this.#probe.reclaim();
    const pauseMs = performance.now() - started;
    const after = this.#probe.rss();
    this.#lastReclaim = now;
    // What is still resident afterwards is in use (or not V8's to give): growth counts from here,
    // so memory that cannot be returned does not trigger a collection every interval.
    this.#floor = after;
    this.#options.onReclaim?.({ before: rss, after, pauseMs });
    return 'reclaimed';
  }
}

/**
 * The probe of this process, its work counted by `activity`. The collection needs V8's gc() with
 * options, which is exposed only under --expose-gc: when the process was not started with it, the
 * flag is set just long enough to take gc() from a fresh context (the main context and any later
 * ones stay without it).
 */
export function nodeMemoryProbe(activity: ActivityCounter): MemoryProbe {
  const gc = exposedGc();
  return {
    rss: () => process.memoryUsage.rss(),
    workSinceLastCall: () => activity.takeCount(),
    reclaim: () => gc({ type: 'major', execution: 'sync', flavor: 'last-resort' }),
  };
}

type GcFunction = (options?: { type: 'major' | 'minor'; execution: 'sync' | 'async'; flavor?: 'regular' | 'last-resort' }) => void;

let processGc: GcFunction | null = null;

function exposedGc(): GcFunction {
  if (processGc) return processGc;
  const global = (globalThis as { gc?: GcFunction }).gc;
  if (typeof global === 'function') return (processGc = global);
  v8.setFlagsFromString('--expose-gc');
  try {
    processGc = vm.runInNewContext('gc') as GcFunction;
  } finally {
    v8.setFlagsFromString('--no-expose-gc');
  }
  return processGc;
}
