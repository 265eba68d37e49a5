// A real `switchboard serve` process killed (SIGKILL) while a message request is in flight to the
// fake Twilio, then restarted on the same data directory: each step's message is sent at most
// once. If Twilio got the request, the restarted server finds the message upstream and the step
// continues on `sent`; if the request was lost, the step is `failed` and nothing is re-sent.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { serverEnv } from '../support/server-env.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { basicAuth } from '../support/server.ts';
import type { Fault, FakeTwilio } from '../support/fake-twilio.ts';
import { CONTACT, NUMBER, UPSTREAM_SID, UPSTREAM_TOKEN, flow, freePort, sendAndWait, sendMessage, startFake, waitFor } from './helpers.ts';

const LOCAL_SID = 'AC' + 'e5'.repeat(16);
const LOCAL_TOKEN = 'local-token-0123456789abcdef0123';
const AUTH = basicAuth(LOCAL_SID, LOCAL_TOKEN);
const main = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

class ServerProcess {
  child: ChildProcess | null = null;
  output = '';
  readonly port: number;
  readonly dataDir: string;
  constructor(port: number, dataDir: string) {
    this.port = port;
    this.dataDir = dataDir;
  }

  get base(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.output = '';
    this.child = spawn(process.execPath, [main, 'serve', '--port', String(this.port), '--host', '127.0.0.1', '--data-dir', this.dataDir], {
      env: serverEnv({ TWILIO_ACCOUNT_SID: LOCAL_SID, TWILIO_AUTH_TOKEN: LOCAL_TOKEN, LOG_LEVEL: 'warn', PUBLIC_BASE_URL: '', SWITCHBOARD_DEV: 'true' }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout!.on('data', (chunk) => (this.output += chunk));
    this.child.stderr!.on('data', (chunk) => (this.output += chunk));
    await waitFor('the server to listen', () => this.output.includes('listening on'), 20_000).catch((error) => {
      throw new Error(`${error.message}\n${this.output}`);
    });
  }

  async kill(): Promise<void> {
    const child = this.child!;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    this.child = null;
  }

  async stop(): Promise<void> {
    if (!this.child) return;
    const child = this.child;
    this.child = null;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }

  async api(method: string, path: string, form?: Record<string, string>): Promise<any> {
    const response = await fetch(this.base + path, {
      method,
      headers: { authorization: AUTH, ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      ...(form ? { body: new URLSearchParams(form).toString() } : {}),
    });
    const text = await response.text();
    assert.ok(response.ok, `${method} ${path}: ${response.status} ${text}`);
    return text ? JSON.parse(text) : null;
  }
}

const noted = { name: 'noted', type: 'set-variables', properties: { offset: { x: 0, y: 0 }, variables: [] }, transitions: [{ event: 'next' }] };
const greetFlow = flow([sendMessage('greet', { body: 'Your code is 1234' }, { failed: 'noted' }), noted], { incomingMessage: 'greet' });

async function crashDuringSend(fake: FakeTwilio, fault: Fault): Promise<{ steps: string[]; outputs: any; server: ServerProcess }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-crash-'));
  const server = new ServerProcess(await freePort(), dataDir);
  try {
    await server.start();
    await server.api('POST', `/v1/Accounts/${LOCAL_SID}/Carrier`, {
      Channel: 'twilio',
      UpstreamAccountSid: UPSTREAM_SID,
      AuthToken: UPSTREAM_TOKEN,
      ApiBaseUrl: fake.baseUrl,
      StatusCallbackBaseUrl: server.base,
    });
    const created = await server.api('POST', '/v2/Flows', { FriendlyName: 'crash', Status: 'published', Definition: JSON.stringify(greetFlow) });
    const flowSid: string = created.sid;

    fake.failNext(fault);
    const requested = fake.nextCreate();
    const webhook = await fake.postSigned(`${server.base}/v1/Accounts/${LOCAL_SID}/Flows/${flowSid}`, fake.inboundMessageParams(CONTACT, NUMBER, 'code please'));
    assert.equal(webhook.status, 200);
    await requested;
    // The request is on the wire and unanswered: the process dies here.
    await server.kill();

    await server.start();
    const executions = await server.api('GET', `/v2/Flows/${flowSid}/Executions`);
    assert.equal(executions.executions.length, 1);
    const executionSid: string = executions.executions[0].sid;
    await waitFor(
      'the restarted server to settle the step',
      async () => (await server.api('GET', `/v2/Flows/${flowSid}/Executions/${executionSid}`)).status === 'ended',
      15_000,
    ).catch((error) => {
      throw new Error(`${error.message}\n${server.output}`);
    });
    const steps = await server.api('GET', `/v2/Flows/${flowSid}/Executions/${executionSid}/Steps`);
    const context = await server.api('GET', `/v2/Flows/${flowSid}/Executions/${executionSid}/Context`);
    return {
      steps: steps.steps.map((s: any) => `${s.transitioned_from} -${s.name}-> ${s.transitioned_to}`).reverse(),
      outputs: context.context.widgets?.greet,
      server,
    };
  } finally {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

describe('Twilio carrier: a server killed in the middle of sending', () => {
  const fakes: FakeTwilio[] = [];
  after(async () => {
    for (const fake of fakes) await fake.close();
  });

  it('Twilio got the request: after the restart the message is found upstream, the step is sent, nothing is re-sent', async () => {
    // No status callbacks: one reaching the dying server first would settle the send without the lookup tested here.
    const fake = await startFake({ callbacks: 'manual' });
    fakes.push(fake);
    const { steps, outputs } = await crashDuringSend(fake, { kind: 'created-then-hang' });
    assert.equal(fake.creates('Messages').length, 1, 'exactly one send request');
    assert.equal(fake.messages.length, 1);
    assert.ok(steps.includes('greet -sent-> Ended'), steps.join('\n'));
    assert.equal(outputs.outbound.Sid, fake.messages[0]!.sid);
    assert.ok(fake.requests.some((r) => r.method === 'GET' && r.path.endsWith('/Messages.json')), 'reconciled by a lookup');
  });

  it('the request was lost: after the restart the step is failed and the message is not re-sent', async () => {
    const fake = await startFake();
    fakes.push(fake);
    const { steps, outputs, server } = await crashDuringSend(fake, { kind: 'hang' });
    assert.match(server.output, /reconciled send: not found upstream/, 'the operator is told');
    assert.equal(fake.creates('Messages').length, 1, 'only the lost request, no second send');
    assert.equal(fake.messages.length, 0);
    assert.ok(steps.includes('greet -failed-> noted'), steps.join('\n'));
    assert.equal(outputs.outbound.ErrorCode, 30008);
  });

  it('an undelivered report acknowledged while the send was unanswered still takes deliveryFailure after the restart', async () => {
    const fake = await startFake({ callbacks: 'manual' });
    fakes.push(fake);
    const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-crash-'));
    const server = new ServerProcess(await freePort(), dataDir);
    try {
      await server.start();
      await server.api('POST', `/v1/Accounts/${LOCAL_SID}/Carrier`, { Channel: 'twilio', UpstreamAccountSid: UPSTREAM_SID, AuthToken: UPSTREAM_TOKEN, ApiBaseUrl: fake.baseUrl, StatusCallbackBaseUrl: server.base });
      const askFlow = flow([sendAndWait('ask', { body: 'Still there?', to: '{{contact.channel.address}}' }, { deliveryFailure: 'noted' }), noted], { incomingRequest: 'ask' });
      const flowSid: string = (await server.api('POST', '/v2/Flows', { FriendlyName: 'ask', Status: 'published', Definition: JSON.stringify(askFlow) })).sid;

      // Twilio creates the message and reports it undelivered while its 201 is still on the way.
      fake.failNext({ kind: 'created-then-hang' });
      const requested = fake.nextCreate();
      const executionSid: string = (await server.api('POST', `/v2/Flows/${flowSid}/Executions`, { To: CONTACT, From: NUMBER })).sid;
      await requested;
      const message = fake.messages[0]!;
      const report = await fake.postSigned(message.statusCallback!, { MessageSid: message.sid, MessageStatus: 'undelivered', ErrorCode: '30003', AccountSid: UPSTREAM_SID });
      assert.equal(report.status, 204);
      await server.kill();

      await server.start();
      await waitFor('the report to be applied after the restart', async () => (await server.api('GET', `/v2/Flows/${flowSid}/Executions/${executionSid}`)).status === 'ended', 20_000).catch((error) => {
        throw new Error(`${error.message}\n${server.output}`);
      });
      const steps = await server.api('GET', `/v2/Flows/${flowSid}/Executions/${executionSid}/Steps`);
      assert.ok(steps.steps.some((s: any) => s.name === 'deliveryFailure' && s.transitioned_from === 'ask'), JSON.stringify(steps.steps.map((s: any) => s.name)));
      const context = await server.api('GET', `/v2/Flows/${flowSid}/Executions/${executionSid}/Context`);
      assert.equal(context.context.widgets.ask.outbound.Sid, message.sid);
      assert.equal(context.context.widgets.ask.outbound.Status, 'undelivered');
      assert.equal(fake.creates('Messages').length, 1, 'not re-sent');
    } finally {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
