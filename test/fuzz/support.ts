// Shared set-up for the property suites: a server on an in-memory store with two accounts, a
// published flow and an execution per account, outbound HTTP answered by a local stub (no
// network), and the checks every property makes on every response:
//   never a 5xx; a 4xx always carries a Twilio error body; a rejected request leaves the store
//   exactly as it was (SQLite's total_changes() counts every row the connection wrote).
// FUZZ_RUNS is the total number of cases for one `npm run fuzz` (100,000); each property takes
// its share. npm test runs a short sample.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import type { LightMyRequestResponse } from 'fastify';
import { createApp, type App } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import type { Account } from '../../src/runtime/ports/store.ts';
import type { HttpLimits, OutboundHttp } from '../../src/runtime/ports/channel.ts';
import type { HttpRequestSpec } from '../../src/engine/types.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { basicAuth } from '../support/server.ts';

const TOTAL_RUNS = Number(process.env.FUZZ_RUNS ?? 1_500);

/** The number of cases for a property that takes `share` (0..1) of the whole budget. */
export function runs(share: number): number {
  return Math.max(10, Math.round(TOTAL_RUNS * share));
}

/** fast-check parameters: a fixed seed in npm test (reproducible), random for npm run fuzz. */
export function fcParams(share: number): { numRuns: number; seed?: number; endOnFailure: boolean } {
  const seed = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : process.env.FUZZ_RUNS ? undefined : 20260226;
  return { numRuns: runs(share), endOnFailure: true, ...(seed !== undefined ? { seed } : {}) };
}

/** Outbound HTTP answered locally: flows under fuzz never reach the network. */
class StubHttp implements OutboundHttp {
  async request(spec: HttpRequestSpec, _limits: HttpLimits) {
    if (spec.url.includes('fail')) return { kind: 'http-failed' as const, reason: 'network' as const, message: 'stub failure' };
    return { kind: 'http-response' as const, statusCode: 200, contentType: 'application/json', body: '{"ok":true,"n":1}' };
  }
}

export interface Tenant {
  account: Account;
  auth: string;
  flowSid: string;
  executionSid: string;
  stepSid: string;
}

export interface FuzzServer {
  app: App;
  store: SqliteStore;
  a: Tenant;
  b: Tenant;
  close(): Promise<void>;
}

const FIXTURES = new URL('../fixtures/flows/', import.meta.url);
export const ASK_FLOW = readFileSync(new URL('ask-and-wait.json', FIXTURES), 'utf8');

export async function startFuzzServer(): Promise<FuzzServer> {
  const store = new SqliteStore({ path: ':memory:' });
  // Dev mode: no rate limits, so every generated case is processed rather than refused with 429.
  const config = { ...loadConfig({ dev: true }, {}, { cwd: '/nonexistent' }), dataDir: ':memory:' };
  const app = await createApp(config, { store, http: new StubHttp() });
  const tenant = async (name: string): Promise<Tenant> => {
    const account = await app.accounts.create(name);
    const auth = basicAuth(account.sid, account.authToken);
    const flow = await app.server.inject({
      method: 'POST',
      url: '/v2/Flows',
      headers: { authorization: auth, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ FriendlyName: name, Status: 'published', Definition: ASK_FLOW }).toString(),
    });
    assert.equal(flow.statusCode, 201, flow.body);
    const flowSid = flow.json().sid as string;
    const execution = await app.server.inject({
      method: 'POST',
      url: `/v2/Flows/${flowSid}/Executions`,
      headers: { authorization: auth, 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'To=%2B15550001111&From=%2B15005550006',
    });
    assert.equal(execution.statusCode, 201, execution.body);
    const executionSid = execution.json().sid as string;
    await app.executions.idle();
    const steps = await app.server.inject({ method: 'GET', url: `/v2/Flows/${flowSid}/Executions/${executionSid}/Steps`, headers: { authorization: auth } });
    const stepSid = (steps.json().steps[0]?.sid as string | undefined) ?? 'FT' + '0'.repeat(32);
    return { account, auth, flowSid, executionSid, stepSid };
  };
  const a = await tenant('Tenant A');
  const b = await tenant('Tenant B');
  return { app, store, a, b, close: () => app.close() };
}

/** How many rows the store's connection has written so far. */
export function storeWrites(store: SqliteStore): number {
  return Number((store.db.prepare('SELECT total_changes() AS n').get() as { n: number }).n);
}

/** The properties every response must have. */
export function assertWireResponse(response: LightMyRequestResponse, what: string): void {
  assert.ok(response.statusCode < 500, `${what}: answered ${response.statusCode} ${response.body.slice(0, 500)}`);
  if (response.statusCode >= 400) {
    let body: Record<string, unknown>;
    try {
      body = response.json();
    } catch {
      assert.fail(`${what}: a ${response.statusCode} without a JSON body: ${response.body.slice(0, 200)}`);
    }
    assert.equal(typeof body.code, 'number', `${what}: error body without a numeric code: ${response.body.slice(0, 300)}`);
    assert.equal(typeof body.message, 'string', `${what}: error body without a message`);
    assert.equal(body.status, response.statusCode, `${what}: error body status differs from HTTP status`);
    assert.match(String(body.more_info), /^https:\/\/www\.twilio\.com\/docs\/errors\/\d+$/, `${what}: more_info`);
  }
}

/**
 * Sends a request and checks the wire properties; when it is rejected (4xx) the store must be
 * untouched. Background work is drained first so only this request's writes are counted.
 */
export async function probe(
  server: FuzzServer,
  request: { method: string; url: string; headers?: Record<string, string>; payload?: string | Buffer },
): Promise<LightMyRequestResponse> {
  await server.app.executions.idle();
  const before = storeWrites(server.store);
  const response = await server.app.server.inject({ method: request.method as 'GET', url: request.url, headers: request.headers ?? {}, ...(request.payload !== undefined ? { payload: request.payload } : {}) });
  const what = `${request.method} ${request.url.slice(0, 200)}`;
  assertWireResponse(response, what);
  if (response.statusCode >= 400) {
    await server.app.executions.idle();
    assert.equal(storeWrites(server.store), before, `${what}: rejected with ${response.statusCode} but the store changed (${response.body.slice(0, 200)})`);
  }
  return response;
}

/** Real exported flows from ../shared/flows when present (never copied into the repo), else our fixtures. */
export function sampleFlows(): { name: string; json: unknown }[] {
  const shared = new URL('../../../shared/flows/', import.meta.url);
  const flows: { name: string; json: unknown }[] = [];
  if (existsSync(shared)) {
    for (const name of readdirSync(shared).filter((n) => n.endsWith('.json')).sort()) {
      try {
        const json = JSON.parse(readFileSync(new URL(name, shared), 'utf8')) as Record<string, unknown>;
        flows.push({ name, json: json.definition ?? json });
      } catch {
        /* not JSON (templates): skipped */
      }
    }
  }
  for (const name of readdirSync(FIXTURES).filter((n) => n.endsWith('.json')).sort()) {
    flows.push({ name, json: JSON.parse(readFileSync(new URL(name, FIXTURES), 'utf8')) });
  }
  return flows;
}

export const FORM_HEADERS = (auth: string) => ({ authorization: auth, 'content-type': 'application/x-www-form-urlencoded' });
