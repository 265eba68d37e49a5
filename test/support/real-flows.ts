// Shared by the tests that run every real exported flow in ../shared/flows through the simulator
// (test/runtime/real-flows.test.ts for messages, test/voice/real-flows.test.ts for calls): the
// local HTTP server that stands in for the Internet, the HTTP port that sends everything to it,
// the app each flow runs in, and how a run's errors are collected and excused.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp, type App } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { FetchHttp } from '../../src/channels/http/fetch-http.ts';
import { OutboundPolicy } from '../../src/channels/http/outbound-policy.ts';
import type { HttpLimits, OutboundHttp } from '../../src/runtime/ports/channel.ts';
import type { ExecutionState, HttpRequestSpec, JsonObject } from '../../src/engine/types.ts';
import type { FlowDefinition } from '../../src/definition/types.ts';
import type { Account, FlowRecord, StepRecord } from '../../src/runtime/ports/store.ts';

export const SHARED_FLOWS_DIR = new URL('../../../shared/flows/', import.meta.url);

export interface FlowError {
  code: number;
  message: string;
  widgetType?: string;
}

/** An error this sandbox causes on purpose, allowed only with its reason. */
export interface EnvironmentError {
  reason: string;
  allows(file: string, error: { code: number; message: string }): boolean;
}

export function environmentReason(allowed: EnvironmentError[], file: string, error: { code: number; message: string }): string | undefined {
  return allowed.find((entry) => entry.allows(file, error))?.reason;
}

/** A real node:http server on 127.0.0.1 that every outbound request of the flows is sent to; `handle` answers. */
export abstract class LocalServer {
  readonly server: Server = createServer((req, res) => this.handle(req, res));
  base = '';
  protected abstract handle(req: IncomingMessage, res: ServerResponse): void;
  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** FetchHttp with every URL's scheme, credentials and host rewritten to the local server. */
export class RewritingHttp implements OutboundHttp {
  readonly inner = new FetchHttp({ policy: new OutboundPolicy({ allow: ['127.0.0.1'] }) });
  readonly endpoint: { base: string };
  constructor(endpoint: { base: string }) {
    this.endpoint = endpoint;
  }
  async request(spec: HttpRequestSpec, limits: HttpLimits) {
    let url: URL;
    try {
      url = new URL(spec.url);
    } catch (error) {
      return { kind: 'http-failed' as const, reason: 'network' as const, message: `Invalid URL: ${(error as Error).message}` };
    }
    return this.inner.request({ ...spec, url: new URL(url.pathname + url.search, this.endpoint.base).toString() }, limits);
  }
}

/** An in-memory app whose invalid definitions are kept as drafts, so a rejected real flow can still be run by a test user. */
export async function startRealFlowsApp(http: OutboundHttp, now: () => number): Promise<{ app: App; account: Account }> {
  // The local endpoint standing in for the flows' external apps listens on loopback (refused outside dev mode).
  const config = { ...loadConfig({}, {}), dataDir: ':memory:', invalidDefinitions: 'save-as-draft' as const, httpAllow: ['127.0.0.1'] };
  const app = await createApp(config, { store: new SqliteStore({ path: ':memory:' }), now, http });
  const { account } = await app.accounts.ensureStartupAccount();
  await app.server.ready();
  return { app, account };
}

/**
 * Creates the flow published; when FlowService's default (strict) validation refuses it, creates it
 * as a draft run by `contact` as a test user, and says why it was rejected.
 */
export async function createPublishedOrDraft(app: App, account: Account, file: string, definition: unknown, contact: string): Promise<{ flow: FlowRecord; rejected?: string }> {
  try {
    return { flow: await app.flows.create(account.sid, { friendlyName: file.slice(0, 64), status: 'published', definition }) };
  } catch (error) {
    const rejected = JSON.stringify((error as { details?: unknown }).details ?? (error as Error).message).slice(0, 300);
    const flow = await app.flows.create(account.sid, { friendlyName: file.slice(0, 64), status: 'draft', definition });
    await app.store.setTestUsers(account.sid, flow.sid, [contact]);
    return { flow, rejected };
  }
}

/** The trigger state: the initial state, or the first state of type trigger. */
export function triggerOf(definition: FlowDefinition) {
  return definition.states.find((s) => s.name === definition.initial_state) ?? definition.states.find((s) => s.type === 'trigger');
}

/** The errors of a run: each step context's `error`, and the end reason when it is an error no step recorded. */
export function runErrors(steps: StepRecord[], state: ExecutionState): FlowError[] {
  const errors: FlowError[] = [];
  for (const step of steps) {
    const error = (step.context as JsonObject | null)?.error as { code?: number; message?: string } | undefined;
    if (error && typeof error.code === 'number') errors.push({ code: error.code, message: error.message ?? '', widgetType: step.type });
  }
  const end = state.endReason;
  if (end?.kind === 'error' && !errors.some((e) => e.code === end.code && e.message === end.message)) errors.push({ code: end.code, message: end.message });
  return errors;
}

/** A step as the tests print it: `from -event-> to`. */
export function stepPath(steps: StepRecord[]): string[] {
  return steps.map((s) => `${s.transitionedFrom} -${s.name}-> ${s.transitionedTo}`);
}
