// OpenTelemetry tracing. Spans are always created (so logs carry trace and span ids); they are
// exported only when an OTLP endpoint is configured, or to the exporter a test passes in. The SDK that
// records and exports them (./exporting-tracer.ts) is loaded only then: a node that exports nothing starts
// without it (a tenth of the server's module loading).
import { randomFillSync } from 'node:crypto';
import { TraceFlags, context as otelContext, isSpanContextValid, trace, type Context, type Span, type SpanOptions, type Tracer } from '@opentelemetry/api';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';

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

export async function createTracing(options: TracingOptions): Promise<Tracing> {
  if (!options.otlpEndpoint && !options.exporter) return { tracer: new IdOnlyTracer(), exporting: false, shutdown: async () => undefined };
  const { exportingTracing } = await import('./exporting-tracer.ts');
  return exportingTracing(options);
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
