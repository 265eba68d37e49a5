// Observability for one app: logger, metrics, tracing and the runtime observer, built from the
// configuration. createApp wires it in; `switchboard serve` turns on output and process metrics.
import type { DestinationStream, Logger } from 'pino';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { SwitchboardConfig } from '../config.ts';
import { createLogger } from './logger.ts';
import { Metrics } from './metrics.ts';
import { createTracing, type Tracing } from './tracing.ts';
import { TelemetryObserver, type TelemetryObserverOptions } from './runtime-observer.ts';
import { ActivityCounter } from '../lib/activity.ts';

export interface ObservabilityOptions {
  /** Log output: false is silent (tests' default), true is stdout, or a stream to capture lines. */
  log?: boolean | DestinationStream;
  /** Node process metrics (CPU, memory, event loop) on /metrics. */
  processMetrics?: boolean;
  /** Receives every span as it ends, in addition to the configured OTLP exporter (tests). */
  spanExporter?: SpanExporter;
  /** How scrapes check that flows seen here still exist (tests check at every scrape). */
  flowCheck?: TelemetryObserverOptions['flowCheck'];
}

export interface Observability {
  logger: Logger;
  metrics: Metrics;
  tracing: Tracing;
  observer: TelemetryObserver;
  /** The node's work (sprints, API requests), for chores that must tell idle from lightly loaded. */
  activity: ActivityCounter;
  shutdown(): Promise<void>;
}

type ObservabilityConfig = Pick<SwitchboardConfig, 'logLevel' | 'logFormat' | 'otlpEndpoint' | 'serviceName'>;

export async function createObservability(config: ObservabilityConfig, options: ObservabilityOptions = {}): Promise<Observability> {
  const log = options.log ?? false;
  const logger = createLogger({
    level: log === false ? 'silent' : config.logLevel,
    format: config.logFormat,
    ...(typeof log === 'object' ? { destination: log } : {}),
  });
  // prom-client adds default labels when /metrics is rendered, not on each inc/observe: no hot-path cost.
  const metrics = new Metrics({ processMetrics: options.processMetrics ?? false, defaultLabels: { service: config.serviceName } });
  const tracing = await createTracing({
    serviceName: config.serviceName,
    otlpEndpoint: config.otlpEndpoint,
    ...(options.spanExporter ? { exporter: options.spanExporter } : {}),
  });
  const activity = new ActivityCounter();
  const observer = new TelemetryObserver(tracing.tracer, metrics, logger, activity, options.flowCheck ? { flowCheck: options.flowCheck } : {});
  return {
    logger,
    metrics,
    tracing,
    observer,
    activity,
    async shutdown() {
      await tracing.shutdown();
      logger.flush?.();
    },
  };
}

export { observeHttp } from './http.ts';
export { timedStore } from './store-timing.ts';
export { Metrics } from './metrics.ts';
