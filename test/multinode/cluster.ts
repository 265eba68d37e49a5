// A cluster of real Switchboard processes for the multi-node tests: `node src/cli/main.ts serve`
// on free ports, all on one PostgreSQL schema; a local "customer server" the flow calls; and a
// load driver that texts the flow webhook as many contacts, each message to a random node.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { freePort } from '../support/ports.ts';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
export const FLOW_ADDRESS = '+15005550006';

export interface ClusterNode {
  name: string;
  port: number;
  base: string;
  child: ChildProcess;
  output: string[];
  alive: boolean;
  exited: Promise<number | null>;
}

export interface NodeEnv {
  databaseUrl: string;
  schema: string;
  accountSid: string;
  authToken: string;
  leaseMs: number;
}

/** Starts one `switchboard serve` process and resolves once it listens. */
// Generous: on a loaded 2-core machine a node's start (Node, TypeScript stripping, migrations) has taken >20 s.
const START_TIMEOUT_MS = 60_000;

export async function startNode(name: string, env: NodeEnv): Promise<ClusterNode> {
  const port = await freePort();
  const child = spawn(process.execPath, [MAIN, 'serve', '--port', String(port), '--host', '127.0.0.1'], {
    env: {
      ...process.env,
      DATABASE_URL: env.databaseUrl,
      SWITCHBOARD_DATABASE_SCHEMA: env.schema,
      SWITCHBOARD_DB_POOL_SIZE: '8',
      SWITCHBOARD_LEASE_MS: String(env.leaseMs),
      SWITCHBOARD_NODE_ID: `${name}:${randomBytes(2).toString('hex')}`,
      SWITCHBOARD_HTTP_ALLOW: '127.0.0.1',
      SWITCHBOARD_METRICS: 'false',
      // The load is the point here, not Studio's per-account throttling.
      SWITCHBOARD_INBOUND_EXECUTION_RATE: '0',
      SWITCHBOARD_REST_EXECUTION_RATE: '0',
      TWILIO_ACCOUNT_SID: env.accountSid,
      TWILIO_AUTH_TOKEN: env.authToken,
      LOG_LEVEL: 'error',
      SWITCHBOARD_LOG_FORMAT: 'json',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const node: ClusterNode = {
    name,
    port,
    base: `http://127.0.0.1:${port}`,
    child,
    output,
    alive: true,
    exited: new Promise((resolve) => child.once('exit', (code) => ((node.alive = false), resolve(code)))),
  };
  await new Promise<void>((resolve, reject) => {
    // A node that does not come up is killed, so that a failed start leaves no process holding the test open.
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${name} did not start within ${START_TIMEOUT_MS / 1000} s:\n${output.join('')}`));
    }, START_TIMEOUT_MS);
    const onData = (chunk: Buffer) => {
      output.push(chunk.toString());
      if (output.join('').includes('listening on')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    void node.exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${code}) before listening:\n${output.join('')}`));
    });
  });
  return node;
}

/** SIGTERM (graceful: drains, releases claims) and waits for the exit. */
export async function stopNode(node: ClusterNode): Promise<void> {
  if (!node.alive) return;
  node.child.kill('SIGTERM');
  const timer = setTimeout(() => node.child.kill('SIGKILL'), 15_000);
  await node.exited;
  clearTimeout(timer);
}

// One keep-alive agent per run keeps the load from exhausting ephemeral ports.
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

export interface HttpReply {
  status: number;
  body: string;
}

export function request(url: string, options: { method?: string; auth?: string; form?: Record<string, string> } = {}): Promise<HttpReply> {
  const body = options.form ? new URLSearchParams(options.form).toString() : undefined;
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method: options.method ?? (body ? 'POST' : 'GET'),
        agent,
        headers: {
          ...(options.auth ? { authorization: options.auth } : {}),
          ...(body ? { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) } : {}),
        },
        timeout: 30_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    if (body) req.write(body);
    req.end();
  });
}

export function basic(sid: string, token: string): string {
  return 'Basic ' + Buffer.from(`${sid}:${token}`).toString('base64');
}

/** The flow's "customer server": records every request the flow makes to it. */
export class CustomerServer {
  readonly hits: { path: string; body: Record<string, string> }[] = [];
  #server: http.Server | null = null;
  url = '';

  async start(): Promise<void> {
    this.#server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        let body: Record<string, string> = {};
        try {
          body = JSON.parse(Buffer.concat(chunks).toString() || '{}');
        } catch {
          /* recorded empty */
        }
        this.hits.push({ path: req.url ?? '', body });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      });
    });
    await new Promise<void>((resolve) => this.#server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.#server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.#server ? this.#server.close(() => resolve()) : resolve()));
  }
}

/**
 * The test flow: every message is answered ("ack <body>"). The contact's last message (its body
 * ends in "-last") moves the execution to a short wait; when that timer fires the flow tells the
 * customer server (make-http-request) and says goodbye. Waits before the last message are long,
 * so a busy machine never times a conversation out half-way (Studio drops messages that reach an
 * execution outside a wait widget, which would look like a loss).
 */
export function relayFlow(customerUrl: string, lingerSeconds: number): object {
  const ack = (widget: string) => ({
    from: '{{flow.channel.address}}',
    body: `ack {{widgets.${widget}.inbound.Body | default: widgets.ask.inbound.Body | default: trigger.message.Body}}`,
  });
  return {
    description: 'multi-node test: ack every message, report and say bye after the last',
    initial_state: 'Trigger',
    flags: { allow_concurrent_calls: true },
    states: [
      {
        name: 'Trigger',
        type: 'trigger',
        transitions: [
          { event: 'incomingMessage', next: 'ask' },
          { event: 'incomingCall' },
          { event: 'incomingConversationMessage' },
          { event: 'incomingRequest' },
          { event: 'incomingParent' },
        ],
        properties: { offset: { x: 0, y: 0 } },
      },
      {
        name: 'ask',
        type: 'send-and-wait-for-reply',
        transitions: [
          { event: 'incomingMessage', next: 'check' },
          { event: 'timeout', next: 'done' },
          { event: 'deliveryFailure' },
        ],
        properties: { offset: { x: 0, y: 100 }, ...ack('ask'), timeout: '300' },
      },
      {
        name: 'check',
        type: 'split-based-on',
        transitions: [
          { event: 'noMatch', next: 'ask' },
          {
            event: 'match',
            next: 'linger',
            conditions: [{ friendly_name: 'last', arguments: ['{{widgets.ask.inbound.Body}}'], type: 'contains', value: '-last' }],
          },
        ],
        properties: { offset: { x: 0, y: 200 }, input: '{{widgets.ask.inbound.Body}}' },
      },
      {
        name: 'linger',
        type: 'send-and-wait-for-reply',
        transitions: [
          { event: 'incomingMessage', next: 'linger' },
          { event: 'timeout', next: 'done' },
          { event: 'deliveryFailure' },
        ],
        properties: { offset: { x: 0, y: 300 }, ...ack('linger'), timeout: String(lingerSeconds) },
      },
      {
        name: 'done',
        type: 'make-http-request',
        transitions: [
          { event: 'success', next: 'bye' },
          { event: 'failed', next: 'bye' },
        ],
        properties: {
          offset: { x: 0, y: 400 },
          method: 'POST',
          url: `${customerUrl}/done`,
          content_type: 'application/json',
          body: '{"contact":"{{contact.channel.address}}","started_by":"{{trigger.message.MessageSid}}"}',
        },
      },
      {
        name: 'bye',
        type: 'send-message',
        transitions: [{ event: 'sent' }, { event: 'failed' }],
        properties: { offset: { x: 0, y: 500 }, from: '{{flow.channel.address}}', to: '{{contact.channel.address}}', body: 'bye' },
      },
    ],
  };
}

export interface Sent {
  contact: string;
  body: string;
  /** One entry per attempt: the node it went to and whether that node acknowledged it. */
  attempts: { node: string; acked: boolean }[];
}

/**
 * Texts the flow webhook as `contacts` contacts, `perContact` messages each (the last one's body
 * ends in "-last"): contacts in parallel, each contact's messages one after another, every
 * message to a random live node. A message whose node died under it is sent again to another
 * node (as a load balancer would), so every message is acknowledged once in the end.
 * `onProgress` sees the count of finished messages.
 */
export async function drive(options: {
  nodes: ClusterNode[];
  accountSid: string;
  authToken: string;
  flowSid: string;
  contacts: number;
  perContact: number;
  onProgress?: (done: number) => void;
}): Promise<Sent[]> {
  const sent: Sent[] = [];
  const auth = basic(options.accountSid, options.authToken);
  let done = 0;
  const contact = async (i: number) => {
    const address = '+1555' + String(7_000_000 + i);
    for (let m = 1; m <= options.perContact; m++) {
      const record: Sent = { contact: address, body: `c${i}-m${m}${m === options.perContact ? '-last' : ''}`, attempts: [] };
      sent.push(record);
      while (!record.attempts.some((a) => a.acked)) {
        if (record.attempts.length >= 5) throw new Error(`${record.body}: no node acknowledged it`);
        const live = options.nodes.filter((n) => n.alive);
        const node = live[Math.floor(Math.random() * live.length)]!;
        const attempt = { node: node.name, acked: false };
        record.attempts.push(attempt);
        try {
          const messageSid = 'SM' + randomBytes(16).toString('hex');
          const reply = await request(`${node.base}/v1/Accounts/${options.accountSid}/Flows/${options.flowSid}`, {
            auth,
            form: { MessageSid: messageSid, AccountSid: options.accountSid, From: address, To: FLOW_ADDRESS, Body: record.body },
          });
          attempt.acked = reply.status === 200;
          if (!attempt.acked) throw new Error(`${node.name} answered ${reply.status}: ${reply.body}`);
        } catch (error) {
          // Only a node dying under the request is expected; then it may or may not have happened.
          if (!/ECONNRESET|ECONNREFUSED|socket hang up|EPIPE/.test(String(error))) throw error;
          node.alive = false;
        }
      }
      options.onProgress?.(++done);
    }
  };
  await Promise.all(Array.from({ length: options.contacts }, (_, i) => contact(i)));
  return sent;
}

export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
