// GET /metrics: Prometheus text format, unauthenticated like most exporters — bind the server to a
// private interface or filter /metrics at the proxy when it must not be public.
import type { FastifyInstance } from 'fastify';
import type { Metrics } from '../../observability/metrics.ts';

export function registerMetricsRoute(app: FastifyInstance, metrics: Metrics): void {
  app.route({
    method: 'GET',
    url: '/metrics',
    config: { auth: false, probe: true },
    logLevel: 'warn', // scraped every few seconds: not logged at info
    handler: async (_request, reply) => {
      reply.type(metrics.contentType);
      return metrics.text();
    },
  });
}
