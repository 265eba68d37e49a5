// OpenTelemetry tracing. Spans are always created (so logs carry trace and span ids); they are
// exported only when an OTLP endpoint is configured, or to the exporter a test passes in.
import { randomFillSync } from 'node:crypto';
import { TraceFlags, context as otelContext, isSpanContextValid, trace, type Context, type Span, type SpanOptions, type Tracer } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AlwaysOnSampler, BasicTracerProvider, BatchSpanProcessor, ParentBasedSampler, SimpleSpanProcessor, type SpanExporter, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';

export interface TracingOptions {
  serviceName: string;
  /** OTLP/HTTP traces URL; export is off when unset. */
  otlpEndpoint?: string | undefined;
  /** Exports every span as it ends (tests). */
  exporter?: SpanExporter;
}

export interface Tracing {
  tracer: Tracer;
  /** Whether spans leave the process. */
  exporting: boolean;
  shutdown(): Promise<void>;
}

export function createTracing(options: TracingOptions): Tracing {
  const processors: SpanProcessor[] = [];
  if (options.otlpEndpoint) processors.push(new BatchSpanProcessor(new OTLPTraceExporter({ url: options.otlpEndpoint })));
  if (options.exporter) processors.push(new SimpleSpanProcessor(options.exporter));
  if (processors.length === 0) return { tracer: new IdOnlyTracer(), exporting: false, shutdown: async () => undefined };
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': options.serviceName }),
    spanProcessors: processors,
    sampler: new ParentBasedSampler({ root: new AlwaysOnSampler() }),
  });
  // The provider is used directly rather than registered globally: each app owns its own.
  return {
    tracer: provider.getTracer('switchboard'),
    exporting: processors.length > 0,
    shutdown: () => provider.shutdown(),
  };
}

/**
 * The tracer when no span leaves the process. Its spans are not recorded: they carry a trace id (the
 * parent's, or a new one) and a span id of their own for the logs, and nothing else, as the SDK's do
 * under an always-off sampler, without the SDK's sampling, span-limit and metrics work per span (a
 * twentieth of a create's CPU in a profile, for spans nobody sees).
 */
export class IdOnlyTracer implements Tracer {
  startSpan(_name: string, _options?: SpanOptions, parentContext: Context = otelContext.active()): Span {
    const parent = trace.getSpanContext(parentContext);
    const traceId = parent && isSpanContextValid(parent) ? parent.traceId : randomId(16);
    return trace.wrapSpanContext({ traceId, spanId: randomId(8), traceFlags: TraceFlags.NONE });
  }

  startActiveSpan<F extends (span: Span) => unknown>(name: string, ...rest: [F] | [SpanOptions, F] | [SpanOptions, Context, F]): ReturnType<F> {
    const fn = rest[rest.length - 1] as F;
    const options = rest.length > 1 ? (rest[0] as SpanOptions) : undefined;
    const parentContext = rest.length > 2 ? (rest[1] as Context) : otelContext.active();
    const span = this.startSpan(name, options, parentContext);
    return otelContext.with(trace.setSpan(parentContext, span), fn as (span: Span) => ReturnType<F>, undefined, span);
  }
}

// Random bytes for ids, drawn from the OS a pool at a time; an id of all zeros is invalid in W3C, so never one.
const pool = Buffer.alloc(4096);
const ZERO_SPAN_ID = '0'.repeat(16);
const ZERO_TRACE_ID = '0'.repeat(32);
let poolAt = pool.length;
function randomId(bytes: 8 | 16): string {
  for (;;) {
    if (poolAt + bytes > pool.length) {
      randomFillSync(pool);
      poolAt = 0;
    }
    const id = pool.toString('hex', poolAt, (poolAt += bytes));
    if (id !== (bytes === 8 ? ZERO_SPAN_ID : ZERO_TRACE_ID)) return id;
  }
}

export { trace };
