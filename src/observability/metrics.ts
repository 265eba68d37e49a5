// Prometheus metrics (prom-client), one registry per app so several apps in one process (tests)
// never collide. Names follow Prometheus conventions: base units, _total counters.
import type { Wait } from '../engine/types.ts';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics, type GaugeConfiguration, type MetricObjectWithValues, type MetricValue } from 'prom-client';

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const LAG_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300];
/** How long a scrape waits for the store's execution count: well inside Prometheus' 10 s scrape timeout. */
const COUNT_TIMEOUT_MS = 2000;
/**
 * Every kind of wait, each a series even at 0 (a dashboard's query finds it before the first such execution).
 * Typed from the engine's Wait: a new kind not listed here fails to compile.
 */
const WAITING_KINDS = ['reply', 'effect', 'subflow', 'call', 'virtual-agent'] as const satisfies readonly Wait['kind'][];
type Unlisted = Exclude<Wait['kind'], (typeof WAITING_KINDS)[number]>;
const everyKindListed: [Unlisted] extends [never] ? true : never = true;
void everyKindListed;

type ExecutionCounts = { active: number; waiting: Record<string, number> };

/** The promise's value, or null when it fails or has not settled within `ms`. */
function within<T>(promise: Promise<T>, ms: number): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<null>((resolve) => (timer = setTimeout(resolve, ms, null)));
  return Promise.race([promise.catch(() => null), late]).finally(() => clearTimeout(timer));
}

/**
 * A gauge filled at each scrape by `fill`; when fill reports no value its samples are left out of that
 * scrape. prom-client's reset() would leave a label-less gauge at 0, a wrong value that looks real.
 */
class OmittableGauge<T extends string> extends Gauge<T> {
  readonly #fill: (gauge: Gauge<T>) => Promise<boolean>;

  constructor(configuration: GaugeConfiguration<T>, fill: (gauge: Gauge<T>) => Promise<boolean>) {
    super(configuration);
    this.#fill = fill;
  }

  override async get(): Promise<MetricObjectWithValues<MetricValue<T>>> {
    const known = await this.#fill(this);
    const metric = await super.get();
    return known ? metric : { ...metric, values: [] };
  }
}

export class Metrics {
  readonly registry = new Registry();

  readonly httpRequests = new Counter({
    name: 'switchboard_http_requests_total',
    help: 'HTTP requests answered, by method, route pattern and status code',
    labelNames: ['method', 'route', 'status_code'] as const,
    registers: [this.registry],
  });
  readonly httpDuration = new Histogram({
    name: 'switchboard_http_request_duration_seconds',
    help: 'Time to answer an HTTP request, by method and route pattern',
    labelNames: ['method', 'route'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly executionsStarted = new Counter({
    name: 'switchboard_executions_started_total',
    help: 'Executions started, by flow and trigger',
    labelNames: ['flow_sid', 'trigger'] as const,
    registers: [this.registry],
  });
  readonly executionsEnded = new Counter({
    name: 'switchboard_executions_ended_total',
    help: 'Executions ended, by flow, trigger and reason (completed, manual, expired, error)',
    labelNames: ['flow_sid', 'trigger', 'reason'] as const,
    registers: [this.registry],
  });
  readonly steps = new Counter({
    name: 'switchboard_steps_total',
    help: 'Steps (widget transitions) taken, by widget type',
    labelNames: ['widget_type'] as const,
    registers: [this.registry],
  });
  /** Where the two gauges below read their values when scraped (the observer's running counts). */
  #localCounts: (() => { active: number; waiting: Readonly<Record<string, number>> }) | null = null;
  readonly executionsActive = new Gauge({
    name: 'switchboard_executions_active',
    help: 'Active executions: on the embedded store, those active when this node started and those it has run since',
    registers: [this.registry],
    collect: () => {
      const counts = this.#localCounts?.();
      if (counts) this.executionsActive.set(counts.active);
    },
  });
  readonly executionsWaiting = new Gauge({
    name: 'switchboard_executions_waiting',
    help: 'Active executions parked on a widget, by what they wait for (reply, effect, subflow, call, virtual-agent); on the embedded store, those this node has run since it started',
    labelNames: ['waiting_for'] as const,
    registers: [this.registry],
    collect: () => {
      const counts = this.#localCounts?.();
      if (counts) for (const [kind, count] of Object.entries(counts.waiting)) this.executionsWaiting.set({ waiting_for: kind }, count);
    },
  });
  /** Counting locally cannot fail: 0, so the series is there on SQLite too (countExecutionsWith replaces it). */
  readonly executionsScrapeError = new Gauge({
    name: 'switchboard_executions_scrape_error',
    help: '1 when the store did not count active executions for this scrape; always 0 here: this node counts them itself',
    registers: [this.registry],
  });
  readonly timerLag = new Histogram({
    name: 'switchboard_timer_lag_seconds',
    help: 'How late durable timers (reply timeouts, the age cap) fired after they were due',
    buckets: LAG_BUCKETS,
    registers: [this.registry],
  });
  readonly storeDuration = new Histogram({
    name: 'switchboard_store_operation_duration_seconds',
    help: 'Store (database) operation latency, by operation',
    labelNames: ['backend', 'operation'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly storeErrors = new Counter({
    name: 'switchboard_store_errors_total',
    help: 'Store operations that failed, by operation',
    labelNames: ['backend', 'operation'] as const,
    registers: [this.registry],
  });
  readonly upstreamDuration = new Histogram({
    name: 'switchboard_upstream_request_duration_seconds',
    help: 'Outbound work latency: messages through the channel, HTTP widgets and Functions, conversations',
    labelNames: ['kind'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly upstreamErrors = new Counter({
    name: 'switchboard_upstream_errors_total',
    help: 'Outbound work that failed, by kind and reason (HTTP failures, 4xx/5xx answers, rejected messages)',
    labelNames: ['kind', 'reason'] as const,
    registers: [this.registry],
  });

  readonly memoryReclaims = new Counter({
    name: 'switchboard_memory_reclaims_total',
    help: 'Memory-reducing GCs run once the node was idle after a burst (--memory-reclaim-mb)',
    registers: [this.registry],
  });
  readonly memoryReclaimedBytes = new Counter({
    name: 'switchboard_memory_reclaimed_bytes_total',
    help: 'RSS those GCs handed back to the OS',
    registers: [this.registry],
  });

  constructor(options: { processMetrics?: boolean; defaultLabels?: Record<string, string> } = {}) {
    if (options.defaultLabels) this.registry.setDefaultLabels(options.defaultLabels);
    if (options.processMetrics) collectDefaultMetrics({ register: this.registry, prefix: 'switchboard_' });
  }

  /** Work a scrape waits for (up to COUNT_TIMEOUT_MS) before rendering: the observer's check for deleted flows. */
  #beforeScrape: (() => Promise<void>) | null = null;

  /** The gauges read these counts when scraped, instead of being set on every sprint. */
  countExecutionsLocally(counts: () => { active: number; waiting: Readonly<Record<string, number>> }): void {
    this.#localCounts = counts;
  }

  /**
   * The active/waiting gauges read a count (the store's, across nodes) at each scrape instead of being set.
   * A count that fails or takes longer than `timeoutMs` leaves those two gauges out of that scrape and sets
   * switchboard_executions_scrape_error to 1: the rest of /metrics still answers while the database is down.
   */
  countExecutionsWith(count: () => Promise<ExecutionCounts>, options: { timeoutMs?: number } = {}): void {
    this.dropExecutionGauges();
    const registers = [this.registry];
    const timeoutMs = options.timeoutMs ?? COUNT_TIMEOUT_MS;
    // A query still running (a hung database) is waited on again by the next scrape, never doubled.
    let running: Promise<ExecutionCounts> | null = null;
    const query = () => (running ??= count().finally(() => (running = null)));
    // One answer per scrape serves the three gauges (a scrape collects them all at once); a later scrape asks anew.
    let scrape: Promise<ExecutionCounts | null> | null = null;
    const counted = () => (scrape ??= within(query(), timeoutMs).finally(() => (scrape = null)));
    new Gauge({
      name: 'switchboard_executions_scrape_error',
      help: `1 when the store did not count active executions (failed, or took over ${timeoutMs} ms) for this scrape: switchboard_executions_active and _waiting are left out of it`,
      registers,
      async collect() {
        this.set((await counted()) ? 0 : 1);
      },
    });
    new OmittableGauge(
      { name: 'switchboard_executions_active', help: 'Active executions (all nodes, counted by the store)', registers },
      async (gauge) => {
        const counts = await counted();
        if (counts) gauge.set(counts.active);
        return counts !== null;
      },
    );
    new OmittableGauge(
      {
        name: 'switchboard_executions_waiting',
        help: 'Active executions parked on a widget, by what they wait for (all nodes, counted by the store)',
        labelNames: ['waiting_for'] as const,
        registers,
      },
      async (gauge) => {
        const counts = await counted();
        // Every known kind, and any other the store's rows hold (a newer node's, during a rolling upgrade).
        if (counts) for (const kind of new Set([...WAITING_KINDS, ...Object.keys(counts.waiting)])) gauge.set({ waiting_for: kind }, counts.waiting[kind] ?? 0);
        return counts !== null;
      },
    );
  }

  /** For shared stores that cannot count: no gauge rather than a wrong per-node one. */
  dropExecutionGauges(): void {
    this.registry.removeSingleMetric('switchboard_executions_active');
    this.registry.removeSingleMetric('switchboard_executions_waiting');
    this.registry.removeSingleMetric('switchboard_executions_scrape_error');
  }

  /** Runs `work` before each scrape renders; a scrape waits for it COUNT_TIMEOUT_MS at most, and never fails by it. */
  beforeScrape(work: () => Promise<void>): void {
    this.#beforeScrape = work;
  }

  /**
   * Drops the per-flow series (executions started and ended) of flows that no longer exist: a deleted
   * flow's counters go, as any deleted entity's do in Prometheus, instead of piling up with flow churn.
   */
  async forgetFlows(flowSids: ReadonlySet<string>): Promise<void> {
    for (const counter of [this.executionsStarted, this.executionsEnded] as Counter<string>[]) {
      for (const { labels } of (await counter.get()).values) if (flowSids.has(String(labels.flow_sid))) counter.remove(labels);
    }
  }

  async text(): Promise<string> {
    if (this.#beforeScrape) await within(this.#beforeScrape(), COUNT_TIMEOUT_MS);
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
