// Helpers for the carrier tests: a Switchboard server listening on a real port with its account
// on the Twilio carrier (pointed at the local fake), flow builders, polling and step listings.
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, afterEach, before, beforeEach } from 'node:test';
import type { AddressInfo } from 'node:net';
import { createApp, type App, type AppOptions } from '../../src/app.ts';
import { loadConfig, type SwitchboardConfig } from '../../src/config.ts';
import type { Account, Store } from '../../src/runtime/ports/store.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { basicAuth } from '../support/server.ts';
export { freePort } from '../support/ports.ts';
import { FakeTwilio } from '../support/fake-twilio.ts';
import { contextOf } from '../../src/runtime/execution-context.ts';

export const UPSTREAM_SID = 'AC' + 'a1'.repeat(16);
export const UPSTREAM_TOKEN = 'upstream-auth-token-0123456789ab';
export const NUMBER = '+15005550006';
export const CONTACT = '+15551230001';

export interface CarrierServer {
  app: App;
  account: Account;
  auth: string;
  baseUrl: string;
  fake: FakeTwilio;
  close(): Promise<void>;
}

type FakeOptions = Partial<ConstructorParameters<typeof FakeTwilio>[0]>;
type ServerOptions = NonNullable<Parameters<typeof startCarrierServer>[1]>;

export async function startFake(options: FakeOptions = {}): Promise<FakeTwilio> {
  return new FakeTwilio({ accountSid: UPSTREAM_SID, authToken: UPSTREAM_TOKEN, ...options }).start();
}

/** A server on 127.0.0.1 whose account sends through `fake`. */
export async function startCarrierServer(
  fake: FakeTwilio,
  options: { config?: Partial<SwitchboardConfig>; store?: SqliteStore; app?: AppOptions; carrier?: Record<string, string>; port?: number } = {},
): Promise<CarrierServer> {
  // Dev mode lets the carrier reach the fake Twilio on 127.0.0.1 (the outbound policy refuses loopback otherwise).
  const config = { ...loadConfig({}, {}), dataDir: ':memory:', dev: true, ...options.config };
  const store = options.store ?? new SqliteStore({ path: ':memory:' });
  const app = await createApp(config, {
    store,
    carrier: { rest: { timeoutMs: 500, retry: { attempts: 3, baseDelayMs: 10, maxDelayMs: 50 } }, reconcileDelayMs: 0 },
    ...options.app,
  });
  const { account } = await app.accounts.ensureStartupAccount();
  await app.server.listen({ port: options.port ?? 0, host: '127.0.0.1' });
  const baseUrl = `http://127.0.0.1:${(app.server.server.address() as AddressInfo).port}`;
  const auth = basicAuth(account.sid, account.authToken);
  const res = await app.server.inject({
    method: 'POST',
    url: `/v1/Accounts/${account.sid}/Carrier`,
    headers: { authorization: auth, 'content-type': 'application/x-www-form-urlencoded' },
    // Another channel takes none of the Twilio fields (they would be refused).
    payload: new URLSearchParams(
      options.carrier?.Channel && options.carrier.Channel !== 'twilio'
        ? options.carrier
        : {
            Channel: 'twilio',
            UpstreamAccountSid: UPSTREAM_SID,
            AuthToken: UPSTREAM_TOKEN,
            ApiBaseUrl: fake.baseUrl,
            ConversationsBaseUrl: fake.baseUrl,
            ...(config.publicBaseUrl ? {} : { StatusCallbackBaseUrl: baseUrl }),
            ...options.carrier,
          },
    ).toString(),
  });
  assert.equal(res.statusCode, 200, res.body);
  return { app, account, auth, baseUrl, fake, close: () => app.close() };
}

/**
 * Registers, in the enclosing describe, hooks that start a fake Twilio and a carrier server on it
 * before each test (before all of them with `once`) and close both afterwards; `use` receives the
 * pair when it starts. `server` may prepare the fake (TaskRouter workspaces, ...) and returns the
 * server's options; it runs after any hooks registered before this call.
 */
export function useCarrierServer(
  use: (started: { fake: FakeTwilio; server: CarrierServer }) => void,
  options: { fake?: FakeOptions; server?: (fake: FakeTwilio) => ServerOptions | Promise<ServerOptions>; once?: boolean } = {},
): void {
  let fake: FakeTwilio | undefined;
  let server: CarrierServer | undefined;
  (options.once ? before : beforeEach)(async () => {
    fake = await startFake(options.fake);
    server = await startCarrierServer(fake, await options.server?.(fake));
    use({ fake, server });
  });
  (options.once ? after : afterEach)(async () => {
    await server?.close();
    await fake?.close();
    server = fake = undefined;
  });
}

export type State = { name: string; type: string; transitions: { event: string; next?: string }[]; properties: Record<string, unknown> };

export function flow(states: State[], triggerNext: Partial<Record<'incomingMessage' | 'incomingCall' | 'incomingConversationMessage' | 'incomingRequest', string>>) {
  return {
    description: 'carrier test flow',
    initial_state: 'Trigger',
    flags: { allow_concurrent_calls: true },
    states: [
      {
        name: 'Trigger',
        type: 'trigger',
        properties: { offset: { x: 0, y: 0 } },
        transitions: ['incomingMessage', 'incomingCall', 'incomingConversationMessage', 'incomingRequest', 'incomingParent'].map((event) => ({
          event,
          ...(triggerNext[event as keyof typeof triggerNext] ? { next: triggerNext[event as keyof typeof triggerNext] } : {}),
        })),
      },
      ...states,
    ],
  };
}

export function sendMessage(name: string, properties: Record<string, unknown>, next: { sent?: string; failed?: string } = {}): State {
  return {
    name,
    type: 'send-message',
    properties: { offset: { x: 0, y: 0 }, from: '{{flow.channel.address}}', to: '{{contact.channel.address}}', ...properties },
    transitions: [
      { event: 'sent', ...(next.sent ? { next: next.sent } : {}) },
      { event: 'failed', ...(next.failed ? { next: next.failed } : {}) },
    ],
  };
}

export function sendAndWait(name: string, properties: Record<string, unknown>, next: { incomingMessage?: string; timeout?: string; deliveryFailure?: string } = {}): State {
  return {
    name,
    type: 'send-and-wait-for-reply',
    properties: { offset: { x: 0, y: 0 }, from: '{{flow.channel.address}}', timeout: '3600', ...properties },
    transitions: (['incomingMessage', 'timeout', 'deliveryFailure'] as const).map((event) => ({ event, ...(next[event] ? { next: next[event] } : {}) })),
  };
}

export async function createFlow(server: CarrierServer, definition: object): Promise<string> {
  const created = await server.app.flows.create(server.account.sid, { friendlyName: 'carrier', status: 'published', definition: definition as never });
  return created.sid;
}

export async function waitFor<T>(what: string, probe: () => Promise<T | null | undefined | false> | T | null | undefined | false, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Starts an execution of the flow through the REST API (POST /v2/Flows/{sid}/Executions) with `fields`; the response. */
export function restExecution(server: CarrierServer, flowSid: string, fields: Record<string, string>) {
  return server.app.server.inject({
    method: 'POST',
    url: `/v2/Flows/${flowSid}/Executions`,
    headers: { authorization: server.auth, 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams(fields).toString(),
  });
}

/** The sid of the flow's first execution, once there is one. */
export async function firstExecution(server: CarrierServer, flowSid: string): Promise<string> {
  return waitFor('the execution', async () => (await server.app.store.listExecutions(server.account.sid, flowSid, {}, { pageSize: 1 })).items[0]?.sid);
}

/** The sid of the flow's execution, once there is one; there must be only one. */
export async function onlyExecution(server: CarrierServer, flowSid: string): Promise<string> {
  const page = await waitFor('an execution', async () => {
    const list = await server.app.store.listExecutions(server.account.sid, flowSid, {}, { pageSize: 10 });
    return list.items.length > 0 ? list : null;
  });
  assert.equal(page.items.length, 1);
  return page.items[0]!.sid;
}

export async function waitForEnd(server: CarrierServer, executionSid: string, what = 'the execution to end'): Promise<void> {
  await waitFor(what, async () => (await server.app.store.getExecutionBySid(executionSid))?.status === 'ended');
}

/**
 * Posts a signed inbound SMS (CONTACT to NUMBER unless `from`/`to` say otherwise) to the flow's
 * webhook as Twilio would, and waits for the execution it starts (the flow's only one) to end.
 */
export async function textAndWaitForEnd(server: CarrierServer, flowSid: string, body: string, options: { from?: string; to?: string; extra?: Record<string, string> } = {}): Promise<string> {
  const answer = await server.fake.postSigned(webhookUrl(server, flowSid), server.fake.inboundMessageParams(options.from ?? CONTACT, options.to ?? NUMBER, body, options.extra));
  assert.equal(answer.status, 200, answer.body);
  const executionSid = await onlyExecution(server, flowSid);
  await waitForEnd(server, executionSid);
  return executionSid;
}

export async function stepList(app: App, accountSid: string, flowSid: string, executionSid: string): Promise<string[]> {
  const page = await app.store.listSteps(accountSid, flowSid, executionSid, { pageSize: 1000 });
  return page.items.map((s) => `${s.transitionedFrom} -${s.name}-> ${s.transitionedTo}`);
}

/** A widget's outputs from the execution context. */
export async function widgetOutputs(app: App, executionSid: string, widget: string): Promise<Record<string, any>> {
  const execution = await app.store.getExecutionBySid(executionSid);
  const widgets = ((execution ? contextOf(execution) : undefined) as { widgets?: Record<string, any> } | undefined)?.widgets ?? {};
  assert.ok(widgets[widget], `no outputs for ${widget}`);
  return widgets[widget];
}

/** The flow webhook URL as Twilio would call it. */
export function webhookUrl(server: CarrierServer, flowSid: string, base = server.baseUrl): string {
  return `${base}/v1/Accounts/${server.account.sid}/Flows/${flowSid}`;
}

/**
 * Makes each of the store's channel-record reads and writes take a database's round trip (30 ms), so
 * concurrent ledger lookups overlap as they would on PostgreSQL.
 */
export function slowChannelRecords(store: Store, ms = 30): void {
  const roundTrip = () => new Promise((resolve) => setTimeout(resolve, ms));
  const [get, put, insert] = [store.getChannelRecord.bind(store), store.putChannelRecord.bind(store), store.insertChannelRecord.bind(store)];
  store.getChannelRecord = async (key) => (await roundTrip(), get(key));
  store.putChannelRecord = async (record) => (await roundTrip(), put(record));
  store.insertChannelRecord = async (record) => (await roundTrip(), insert(record));
}

/** A webhook channel's gateway: its URL (on 127.0.0.1, ending in /sms), the forms POSTed to it, and close(). */
export interface Gateway {
  url: string;
  received: Record<string, string>[];
  close(): Promise<void>;
}

/** Starts a gateway answering every POST 201 with `answer()` as JSON. */
export async function startGateway(answer: () => object): Promise<Gateway> {
  const received: Record<string, string>[] = [];
  const gateway = http.createServer(async (req, res) => {
    let text = '';
    for await (const chunk of req) text += chunk;
    received.push(Object.fromEntries(new URLSearchParams(text)));
    res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify(answer()));
  });
  await new Promise<void>((resolve) => gateway.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(gateway.address() as AddressInfo).port}/sms`,
    received,
    close: () => {
      gateway.closeAllConnections();
      return new Promise<void>((resolve) => gateway.close(() => resolve()));
    },
  };
}
