// The chaos harness: runs the real server process (`switchboard serve`) under a steady load of
// REST creates, inbound messages and replies, kills it with SIGKILL at random moments, restarts
// it on the same data directory, and finally checks what the server promised:
//   - every acknowledged (2xx) execution exists (REST creates by SID, inbound by contact);
//   - no execution is left stuck: each waiting execution's timeout fires, exactly once;
//   - no step is duplicated (each widget of the linear flow transitions at most once);
//   - no outbound message is sent twice for one step (observed by a local webhook receiver, the
//     account's channel, which sees every send attempt — not only the ones the server recorded).
// Used by chaos.test.ts (a short run in npm test) and run-chaos.ts (`npm run chaos`, 20 kills).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAIN, SERVER_CWD, serverEnv } from '../support/server-env.ts';
import { freePort } from '../support/ports.ts';

const FLOW = readFileSync(new URL('./fixtures/chaos-flow.json', import.meta.url), 'utf8');
const ACCOUNT_SID = 'AC' + 'c4a05c4a05c4a05c4a05c4a05c4a05c4';
const AUTH_TOKEN = 'chaos-token-0123456789abcdef';
const FLOW_ADDRESS = '+15005550006';
const AUTH = 'Basic ' + Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64');
/** The flow's reply timeout (seconds, in the fixture) plus the scheduler's slack. */
const SETTLE_MS = 2_000 + 1_500;

export interface ChaosOptions {
  kills: number;
  /** A kill lands uniformly within this many ms after the server is ready. */
  minUpMs: number;
  maxUpMs: number;
  /** Concurrent clients generating load. */
  workers: number;
  seed?: number;
  log?: (line: string) => void;
  /** Run the servers on this PostgreSQL database (a fresh schema, dropped afterwards) instead of SQLite. */
  databaseUrl?: string;
  /** SQLite only: where the embedded store writes (--sqlite-writer). */
  sqliteWriter?: 'inline' | 'thread';
}

export interface ChaosReport {
  kills: number;
  acknowledgedCreates: number;
  acknowledgedInbound: number;
  acknowledgedReplies: number;
  executions: number;
  timeouts: number;
  replies: number;
  outboundAttempts: number;
  /** Every broken promise, described; empty when all hold. */
  violations: string[];
}

/** A small seeded generator (mulberry32) so a failing run can be replayed with its seed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The account's webhook channel endpoint: records every outbound message attempt. */
class Receiver {
  readonly attempts: { executionSid: string; body: string; token: string }[] = [];
  server: Server = createServer((req, res) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (text += chunk));
    req.on('end', () => {
      const form = new URLSearchParams(text);
      this.attempts.push({
        executionSid: form.get('ExecutionSid') ?? '',
        body: form.get('Body') ?? '',
        token: String(req.headers['i-twilio-idempotency-token'] ?? ''),
      });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ sid: 'SM' + String(this.attempts.length).padStart(32, '0') }));
    });
  });
  url = '';
  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/sms`;
  }
  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

class ServerProcess {
  child: ChildProcess | null = null;
  output = '';
  readonly dataDir: string;
  readonly port: number;
  readonly storeArgs: string[];
  constructor(dataDir: string, port: number, storeArgs: string[] = []) {
    this.dataDir = dataDir;
    this.port = port;
    this.storeArgs = storeArgs;
  }
  get base(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.output = '';
    const child = spawn(process.execPath, [MAIN, 'serve', '--data-dir', this.dataDir, ...this.storeArgs, '--port', String(this.port), '--dev', '--log-level', 'error'], {
      cwd: SERVER_CWD,
      env: serverEnv({ TWILIO_ACCOUNT_SID: ACCOUNT_SID, TWILIO_AUTH_TOKEN: AUTH_TOKEN }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    child.stdout!.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    // Generous: on a loaded CI machine a cold start (module loading, migrations) can take a while.
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode} at start:\n${this.output}`);
      try {
        // /readyz: the node listens (and /healthz answers) while it is still starting.
        const response = await fetch(`${this.base}/readyz`);
        if (response.ok) return;
      } catch {
        /* not listening yet */
      }
      await sleep(50);
    }
    throw new Error(`server did not become ready:\n${this.output}`);
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<number | null> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return child?.exitCode ?? null;
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill(signal);
    return exited;
  }
}

interface Api {
  call(method: string, path: string, form?: Record<string, string>): Promise<{ status: number; body: any }>;
}

function api(server: ServerProcess): Api {
  return {
    async call(method, path, form) {
      const response = await fetch(server.base + path, {
        method,
        headers: { authorization: AUTH, ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
        ...(form ? { body: new URLSearchParams(form).toString() } : {}),
        signal: AbortSignal.timeout(10_000),
      });
      const text = await response.text();
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        /* TwiML or empty */
      }
      return { status: response.status, body };
    },
  };
}

async function listAll(client: Api, path: string, key: string): Promise<any[]> {
  const items: any[] = [];
  let next: string | null = `${path}?PageSize=1000`;
  while (next) {
    const { status, body } = await client.call('GET', next);
    if (status !== 200) throw new Error(`GET ${next} answered ${status}: ${JSON.stringify(body)}`);
    items.push(...body[key]);
    next = body.meta.next_page_url ? new URL(body.meta.next_page_url).pathname + new URL(body.meta.next_page_url).search : null;
  }
  return items;
}

export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const seed = options.seed ?? Date.now();
  const rand = random(seed);
  const log = options.log ?? (() => undefined);
  log(`chaos seed ${seed}`);
  const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-chaos-'));
  const receiver = new Receiver();
  await receiver.start();
  const schema = `chaos_${process.pid}_${Math.floor(rand() * 1e9)}`;
  // A short lease: a killed node's claimed timers and effects are taken over by its successor sooner.
  const storeArgs = options.databaseUrl
    ? ['--database-url', options.databaseUrl, '--database-schema', schema, '--lease-ms', '2000']
    : ['--sqlite-writer', options.sqliteWriter ?? 'inline'];
  if (options.databaseUrl) log(`PostgreSQL schema ${schema}`);
  const server = new ServerProcess(dataDir, await freePort(), storeArgs);
  const client = api(server);
  const creates = new Map<string, string>(); // execution SID → contact
  const inboundContacts = new Set<string>();
  const replies: string[] = [];
  let contactCounter = 0;
  let kills = 0;
  try {
    await server.start();
    const flow = await client.call('POST', '/v2/Flows', { FriendlyName: 'chaos', Status: 'published', Definition: FLOW });
    if (flow.status !== 200 && flow.status !== 201) throw new Error(`flow create failed: ${JSON.stringify(flow.body)}`);
    const flowSid: string = flow.body.sid;
    const carrier = await client.call('POST', `/v1/Accounts/${ACCOUNT_SID}/Carrier`, { Channel: 'webhook', WebhookUrl: receiver.url });
    if (carrier.status !== 200) throw new Error(`carrier configuration failed: ${JSON.stringify(carrier.body)}`);

    // Load: each worker loops until told to stop; failures (the server is down) are expected.
    let running = true;
    const worker = async () => {
      while (running) {
        const choice = rand();
        const contact = `+1555${String(++contactCounter).padStart(7, '0')}`;
        try {
          if (choice < 0.4) {
            const { status, body } = await client.call('POST', `/v2/Flows/${flowSid}/Executions`, { To: contact, From: FLOW_ADDRESS });
            if (status >= 200 && status < 300) creates.set(body.sid, contact);
          } else if (choice < 0.75 || inboundContacts.size === 0) {
            const { status } = await client.call('POST', `/v1/Accounts/${ACCOUNT_SID}/Flows/${flowSid}`, { From: contact, To: FLOW_ADDRESS, Body: 'hello', MessageSid: 'SM' + randomHex() });
            if (status >= 200 && status < 300) inboundContacts.add(contact);
          } else {
            // A reply from a contact that texted earlier (it may find its execution waiting or ended).
            const known = [...inboundContacts];
            const who = known[Math.floor(rand() * known.length)]!;
            const { status } = await client.call('POST', `/v1/Accounts/${ACCOUNT_SID}/Flows/${flowSid}`, { From: who, To: FLOW_ADDRESS, Body: 'reply', MessageSid: 'SM' + randomHex() });
            if (status >= 200 && status < 300) replies.push(who);
          }
        } catch {
          await sleep(20); // the server is down or restarting
        }
      }
    };
    const workers = Array.from({ length: options.workers }, () => worker());

    for (let cycle = 0; cycle < options.kills; cycle++) {
      const upFor = options.minUpMs + Math.floor(rand() * (options.maxUpMs - options.minUpMs));
      await sleep(upFor);
      await server.kill('SIGKILL');
      kills++;
      log(`kill ${kills}/${options.kills} after ${upFor} ms (acknowledged: ${creates.size} creates, ${inboundContacts.size} inbound, ${replies.length} replies; ${receiver.attempts.length} messages)`);
      await server.start();
    }
    running = false;
    await Promise.all(workers);

    // Let every reply timeout fall due and every pending effect finish on the last process.
    const violations: string[] = [];
    const deadline = Date.now() + SETTLE_MS + 60_000;
    let executions: any[] = [];
    await sleep(SETTLE_MS);
    while (Date.now() < deadline) {
      executions = await listAll(client, `/v2/Flows/${flowSid}/Executions`, 'executions');
      if (executions.every((e) => e.status === 'ended')) break;
      await sleep(500);
    }

    for (const [sid, contact] of creates) {
      const { status } = await client.call('GET', `/v2/Flows/${flowSid}/Executions/${sid}`);
      if (status !== 200) violations.push(`acknowledged REST execution ${sid} (${contact}) is missing: GET answered ${status}`);
    }
    const contactsWithExecutions = new Set(executions.map((e) => e.contact_channel_address));
    for (const contact of inboundContacts) {
      if (!contactsWithExecutions.has(contact)) violations.push(`acknowledged inbound message from ${contact} has no execution`);
    }
    for (const execution of executions) {
      if (execution.status !== 'ended') violations.push(`execution ${execution.sid} is stuck (${execution.status})`);
    }

    let timeouts = 0;
    let replied = 0;
    for (const execution of executions) {
      const steps = await listAll(client, `/v2/Flows/${flowSid}/Executions/${execution.sid}/Steps`, 'steps');
      const from = steps.map((s) => s.transitioned_from);
      const repeated = from.filter((name, i) => from.indexOf(name) !== i);
      if (repeated.length > 0) violations.push(`execution ${execution.sid} has duplicated steps from ${[...new Set(repeated)].join(', ')}`);
      const askSteps = steps.filter((s) => s.transitioned_from === 'ask');
      const timeoutSteps = askSteps.filter((s) => s.name === 'timeout');
      timeouts += timeoutSteps.length;
      replied += askSteps.filter((s) => s.name === 'incomingMessage').length;
      if (timeoutSteps.length > 1) violations.push(`execution ${execution.sid}: the timeout fired ${timeoutSteps.length} times`);
      const sentQuestion = receiver.attempts.some((a) => a.executionSid === execution.sid && a.body === 'question');
      if (execution.status === 'ended' && sentQuestion && askSteps.length !== 1) {
        violations.push(`execution ${execution.sid}: waited for a reply but left 'ask' ${askSteps.length} times`);
      }
    }

    const perStep = new Map<string, number>();
    const perToken = new Map<string, number>();
    for (const attempt of receiver.attempts) {
      const key = `${attempt.executionSid} ${attempt.body}`;
      perStep.set(key, (perStep.get(key) ?? 0) + 1);
      if (attempt.token) perToken.set(attempt.token, (perToken.get(attempt.token) ?? 0) + 1);
    }
    for (const [key, count] of perStep) if (count > 1) violations.push(`message '${key}' was sent ${count} times for one step`);
    for (const [token, count] of perToken) if (count > 1) violations.push(`idempotency token ${token} was sent ${count} times`);

    return {
      kills,
      acknowledgedCreates: creates.size,
      acknowledgedInbound: inboundContacts.size,
      acknowledgedReplies: replies.length,
      executions: executions.length,
      timeouts,
      replies: replied,
      outboundAttempts: receiver.attempts.length,
      violations: violations.map((v) => `${v} (seed ${seed})`),
    };
  } finally {
    await server.kill('SIGKILL');
    await receiver.close();
    rmSync(dataDir, { recursive: true, force: true });
    if (options.databaseUrl) await dropSchema(options.databaseUrl, schema);
  }
}

async function dropSchema(databaseUrl: string, schema: string): Promise<void> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

function randomHex(): string {
  let text = '';
  for (let i = 0; i < 32; i++) text += Math.floor(Math.random() * 16).toString(16);
  return text;
}
