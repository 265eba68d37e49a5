// Starts a Switchboard app on an in-memory store for tests, with one account and optional socket.
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import type { LightMyRequestResponse as InjectResponse } from 'fastify';

export type { InjectResponse };
import { createApp, type App } from '../../src/app.ts';
import { loadConfig, type SwitchboardConfig } from '../../src/config.ts';
import type { Account } from '../../src/runtime/ports/store.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import type { StartTimer } from '../../src/channels/simulator/phone.ts';

export interface TestServer {
  app: App;
  account: Account;
  /** Basic auth header for `account`. */
  auth: string;
  /** Set when started with listen: true. */
  baseUrl: string;
  close(): Promise<void>;
}

export function basicAuth(username: string, password: string): string {
  return 'Basic ' + Buffer.from(`${username}:${password}`).toString('base64');
}

export async function startTestServer(
  options: { listen?: boolean; config?: Partial<SwitchboardConfig>; now?: () => number; store?: SqliteStore; phoneTimer?: StartTimer } = {},
): Promise<TestServer> {
  // Studio's execution rates are off here: tests check behaviour, not throttling (test/runtime/rate-limits.test.ts
  // and test/hostile/rate-limits.test.ts switch them on).
  const config = { ...loadConfig({}, {}), dataDir: ':memory:', inboundExecutionRate: 0, restExecutionRate: 0, ...options.config };
  const store = options.store ?? new SqliteStore({ path: ':memory:' });
  const app = await createApp(config, { store, ...(options.now ? { now: options.now } : {}), ...(options.phoneTimer ? { phoneTimer: options.phoneTimer } : {}) });
  const { account } = await app.accounts.ensureStartupAccount();
  let baseUrl = '';
  if (options.listen) {
    await app.server.listen({ port: 0, host: '127.0.0.1' });
    baseUrl = `http://127.0.0.1:${(app.server.server.address() as AddressInfo).port}`;
  } else {
    await app.server.ready();
  }
  return { app, account, auth: basicAuth(account.sid, account.authToken), baseUrl, close: () => app.close() };
}

/** A form body encoded the way twilio-node does (%20 for spaces, repeated keys). */
export function form(fields: Record<string, string | string[]>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(fields)) {
    for (const v of Array.isArray(value) ? value : [value]) params.append(key, v);
  }
  return params.toString();
}

export const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

/**
 * A test server with one published flow, and `post(url, formBody)` as its account: the set-up of the tests
 * that only need a flow to talk to.
 */
export async function startServerWithFlow(
  definition: unknown,
  options: Parameters<typeof startTestServer>[0] = {},
): Promise<{ server: TestServer; flowSid: string; post: (url: string, payload: string) => Promise<InjectResponse> }> {
  const server = await startTestServer(options);
  const flowSid = (await server.app.flows.create(server.account.sid, { friendlyName: 'test flow', status: 'published', definition: definition as never })).sid;
  const post = (url: string, payload: string) => server.app.server.inject({ method: 'POST', url, headers: { authorization: server.auth, ...FORM }, payload });
  return { server, flowSid, post };
}

/**
 * A contact's text to `flowSid` through the console's simulator (`POST /simulator/Flows/{Sid}/Messages`), checked
 * accepted (201), then the runtime left idle: the flow has done what the text started.
 */
export async function textThroughSimulator(t: TestServer, flowSid: string, from: string, body: string): Promise<void> {
  const texted = await t.app.server.inject({
    method: 'POST',
    url: `/simulator/Flows/${flowSid}/Messages`,
    headers: { authorization: t.auth, ...FORM },
    payload: new URLSearchParams({ From: from, Body: body }).toString(),
  });
  assert.equal(texted.statusCode, 201, texted.body);
  await t.app.executions.idle();
}
