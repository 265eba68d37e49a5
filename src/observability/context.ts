// What the current unit of work is about — the HTTP request, account, flow, execution, step and
// trace span — carried through async calls, so every log line and span is labelled without
// passing it around. Requests enter it through Fastify's diagnostics channel (http.ts); engine
// sprints and effects through the runtime observer.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Span } from '@opentelemetry/api';

export interface WorkContext {
  requestId?: string;
  accountSid?: string;
  flowSid?: string;
  executionSid?: string;
  step?: string;
  span?: Span;
}

export const workContext = new AsyncLocalStorage<WorkContext>();

export function currentWork(): WorkContext | undefined {
  return workContext.getStore();
}

/** Runs `fn` in a context that extends the current one with `fields`. */
export function withWork<T>(fields: WorkContext, fn: () => T): T {
  return workContext.run({ ...workContext.getStore(), ...fields }, fn);
}

/** Adds fields to the current context in place (e.g. the execution sid once a new one exists). */
export function annotateWork(fields: WorkContext): void {
  const store = workContext.getStore();
  if (store) Object.assign(store, fields);
}

/** The log fields of the current context: ids of what is being worked on and the trace. */
export function workLogFields(): Record<string, string> {
  const work = workContext.getStore();
  if (!work) return {};
  const fields: Record<string, string> = {};
  if (work.requestId) fields.requestId = work.requestId;
  if (work.accountSid) fields.accountSid = work.accountSid;
  if (work.flowSid) fields.flowSid = work.flowSid;
  if (work.executionSid) fields.executionSid = work.executionSid;
  if (work.step) fields.step = work.step;
  const spanContext = work.span?.spanContext();
  if (spanContext) {
    fields.traceId = spanContext.traceId;
    fields.spanId = spanContext.spanId;
  }
  return fields;
}
