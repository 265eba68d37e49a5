// The OpenTelemetry SDK's tracer, for a node whose spans leave the process (tracing.ts loads this module only then):
// an OTLP/HTTP exporter when an endpoint is configured, and the exporter a test passes in.
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AlwaysOnSampler, BasicTracerProvider, BatchSpanProcessor, ParentBasedSampler, SimpleSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import type { Tracing, TracingOptions } from './tracing.ts';

export function exportingTracing(options: TracingOptions): Tracing {
  const processors: SpanProcessor[] = [];
  if (options.otlpEndpoint) processors.push(new BatchSpanProcessor(new OTLPTraceExporter({ url: options.otlpEndpoint })));
  if (options.exporter) processors.push(new SimpleSpanProcessor(options.exporter));
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': options.serviceName }),
    spanProcessors: processors,
    sampler: new ParentBasedSampler({ root: new AlwaysOnSampler() }),
  });
  // The provider is used directly rather than registered globally: each app owns its own.
  return { tracer: provider.getTracer('switchboard'), exporting: true, shutdown: () => provider.shutdown() };
}
