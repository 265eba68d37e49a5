// Requests: a server span and rate/latency metrics per route pattern, and the request's ids in
// the work context of its handler (so engine work it triggers is labelled with them).
import { tracingChannel } from 'node:diagnostics_channel';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Context, type Span, type Tracer } from '@opentelemetry/api';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { workContext, type WorkContext } from './context.ts';
import type { Metrics } from './metrics.ts';
import type { ActivityCounter } from '../lib/activity.ts';

interface RequestObservation {
  span: Span;
  started: bigint;
}

const observations = new WeakMap<FastifyRequest, RequestObservation>();

let handlerContextBound = false;

/**
 * Fastify publishes each route handler on the 'fastify.request.handler' tracing channel; binding
 * our async store to it runs the handler (and all it awaits) inside the request's work context.
 * The channel is process-wide, so this is done once.
 */
function bindHandlerContext(): void {
  if (handlerContextBound) return;
  handlerContextBound = true;
  tracingChannel<unknown, { request: FastifyRequest }>('fastify.request.handler').start.bindStore(workContext, (message): WorkContext => {
    const request = message.request;
    const account = (request as { account?: { sid?: string } | null }).account;
    return {
      requestId: String(request.id),
      ...(account?.sid ? { accountSid: account.sid } : {}),
      ...(observations.get(request) ? { span: observations.get(request)!.span } : {}),
    };
  });
}

/** A caller's W3C `traceparent` header, so Switchboard's spans join the caller's trace. */
export function remoteParent(header: string | string[] | undefined): Context {
  const match = typeof header === 'string' ? /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/.exec(header.trim()) : null;
  if (!match || /^0+$/.test(match[1]!) || /^0+$/.test(match[2]!)) return ROOT_CONTEXT;
  return trace.setSpanContext(ROOT_CONTEXT, { traceId: match[1]!, spanId: match[2]!, traceFlags: parseInt(match[3]!, 16) & 1, isRemote: true });
}

function routeOf(request: FastifyRequest): string {
  return request.routeOptions.url ?? 'unmatched';
}

export function observeHttp(app: FastifyInstance, tracer: Tracer, metrics: Metrics, activity: ActivityCounter): void {
  bindHandlerContext();
  app.addHook('onRequest', async (request) => {
    const route = routeOf(request);
    const span = tracer.startSpan(
      `${request.method} ${route}`,
      {
        kind: SpanKind.SERVER,
        attributes: { 'http.request.method': request.method, 'http.route': route, 'url.path': request.url.split('?')[0] ?? '', 'switchboard.request_id': String(request.id) },
      },
      remoteParent(request.headers.traceparent),
    );
    observations.set(request, { span, started: process.hrtime.bigint() });
  });
  app.addHook('onResponse', async (request, reply) => {
    const observation = observations.get(request);
    const route = routeOf(request);
    const labels = { method: request.method, route };
    if ((request.routeOptions.config as { probe?: boolean } | undefined)?.probe !== true) activity.tick();
    metrics.httpRequests.inc({ ...labels, status_code: String(reply.statusCode) });
    if (!observation) return;
    metrics.httpDuration.observe(labels, Number(process.hrtime.bigint() - observation.started) / 1e9);
    observation.span.setAttribute('http.response.status_code', reply.statusCode);
    if (request.account?.sid) observation.span.setAttribute('switchboard.account_sid', request.account.sid);
    if (reply.statusCode >= 500) observation.span.setStatus({ code: SpanStatusCode.ERROR });
    observation.span.end();
  });
}
