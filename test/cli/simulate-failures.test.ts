// `switchboard simulate` is a local developer tool: it runs in dev mode like `npm start` (a flow may
// call an API on localhost; --strict-outbound applies the server's policy), and under every failure
// transition it prints why (the request blocked or refused, the HTTP status, the subflow not found):
// `post —failed→ bye` alone left the user guessing. The real binary runs in a child process (async,
// so this process's test API server keeps answering).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnCli, type SpawnedRun } from '../support/cli-spawn.ts';
import type { AddressInfo } from 'node:net';

const main = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

const TRIGGER_REST = [{ event: 'incomingCall' }, { event: 'incomingConversationMessage' }, { event: 'incomingRequest' }, { event: 'incomingParent' }];

function say(name: string, body: string) {
  return {
    name,
    type: 'send-message',
    transitions: [{ event: 'sent' }, { event: 'failed' }],
    properties: { offset: { x: 0, y: 400 }, from: '{{flow.channel.address}}', to: '{{contact.channel.address}}', body },
  };
}

/** Trigger → `first` → ok (sent "ok: …") or bye (sent "bye"). */
function flowFile(first: Record<string, unknown>): string {
  return JSON.stringify({
    description: 'simulate failure reasons',
    initial_state: 'Trigger',
    flags: { allow_concurrent_calls: true },
    states: [
      { name: 'Trigger', type: 'trigger', transitions: [{ event: 'incomingMessage', next: first.name }, ...TRIGGER_REST], properties: { offset: { x: 0, y: 0 } } },
      first,
      say('ok', 'ok: {{widgets.post.parsed.answer}}'),
      say('bye', 'bye'),
    ],
  });
}

function httpWidget(url: string) {
  return {
    name: 'post',
    type: 'make-http-request',
    transitions: [{ event: 'success', next: 'ok' }, { event: 'failed', next: 'bye' }],
    properties: { offset: { x: 0, y: 200 }, method: 'POST', content_type: 'application/json;charset=utf-8', body: '{"q": 1}', url },
  };
}

function simulate(file: string, extra: string[], dataDir: string, input = 'hi\n\n'): Promise<SpawnedRun> {
  return spawnCli(['simulate', file, '--from', '+15550001111', ...extra], dataDir, input, { SWITCHBOARD_DEV: '' });
}

describe('switchboard simulate: dev outbound policy and failure reasons', () => {
  let dir = '';
  let server: Server;
  let base = '';
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sb-simulate-'));
    server = createServer((request, response) => {
      request.resume();
      if (request.url === '/boom') {
        response.writeHead(500, { 'content-type': 'application/json' }).end('{"error": "database down"}');
        return;
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"answer": "42"}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    writeFileSync(join(dir, 'local.json'), flowFile(httpWidget(`${base}/answer`)));
    writeFileSync(join(dir, 'boom.json'), flowFile(httpWidget(`${base}/boom`)));
    writeFileSync(
      join(dir, 'subflow.json'),
      flowFile({
        name: 'post',
        type: 'run-subflow',
        transitions: [{ event: 'completed', next: 'ok' }, { event: 'failed', next: 'bye' }],
        properties: { offset: { x: 0, y: 200 }, flow_sid: 'FW00000000000000000000000000000000', flow_revision: 'LatestPublished' },
      }),
    );
  });
  after(async () => {
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  it('calls an API on localhost by default, as npm start (serve --dev) does', async () => {
    const result = await simulate(join(dir, 'local.json'), [], join(dir, 'data'));
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /post —success→ ok/);
    assert.match(result.stdout, /← ok: 42/);
  });

  it('--strict-outbound applies the server policy, and the blocked request is the reason shown under the failure', async () => {
    const result = await simulate(join(dir, 'local.json'), ['--strict-outbound'], join(dir, 'data'));
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /post —failed→ bye\n\s+✗ Outbound request blocked: 127\.0\.0\.1 is a private, loopback or reserved address/);
    const noDev = await simulate(join(dir, 'local.json'), ['--no-dev'], join(dir, 'data'));
    assert.match(noDev.stdout, /post —failed→ bye\n\s+✗ Outbound request blocked/);
  });

  it('an HTTP error status is the reason shown, with the start of the body', async () => {
    const result = await simulate(join(dir, 'boom.json'), [], join(dir, 'data'));
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /post —failed→ bye\n\s+✗ HTTP 500: \{"error": "database down"\}/);
  });

  it("an unresolved subflow's message is the reason shown", async () => {
    const result = await simulate(join(dir, 'subflow.json'), [], join(dir, 'data'));
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /post —failed→ bye\n\s+✗ .*FW00000000000000000000000000000000.*\(error 81024\)/);
  });

  it('a Conversations-only Trigger gets the text as a conversation message; an unwired one says why nothing ran', async () => {
    const conversations = JSON.stringify({
      description: 'conversations only',
      initial_state: 'Trigger',
      flags: { allow_concurrent_calls: true },
      states: [
        { name: 'Trigger', type: 'trigger', transitions: [{ event: 'incomingMessage' }, { event: 'incomingCall' }, { event: 'incomingConversationMessage', next: 'ok' }, { event: 'incomingRequest' }, { event: 'incomingParent' }], properties: { offset: { x: 0, y: 0 } } },
        say('ok', 'conversation says {{trigger.conversation.Body}}'),
      ],
    });
    writeFileSync(join(dir, 'conversations.json'), conversations);
    const ran = await simulate(join(dir, 'conversations.json'), [], join(dir, 'data-c'));
    assert.equal(ran.code, 0, ran.stderr);
    assert.match(ran.stdout, /← conversation says hi/);
    writeFileSync(join(dir, 'unwired.json'), conversations.replace('"incomingConversationMessage","next":"ok"', '"incomingConversationMessage"'));
    const unwired = await simulate(join(dir, 'unwired.json'), [], join(dir, 'data-u'));
    assert.equal(unwired.code, 0, unwired.stderr);
    assert.match(unwired.stdout, /✗ The flow's Trigger does not handle incoming messages/);
  });

  it('a text over 1,600 characters is refused as the simulator refuses it (21617), and the next one goes through', async () => {
    writeFileSync(join(dir, 'echo.json'), flowFile(say('echo', 'got {{trigger.message.Body | size}} characters')));
    const ran = await simulate(join(dir, 'echo.json'), [], join(dir, 'data-long'), `${'x'.repeat(1601)}\nhi\n\n`);
    assert.equal(ran.code, 0, ran.stderr);
    assert.match(ran.stdout, /✗ not sent: The concatenated message body exceeds the 1600 character limit\. \(21617; this one has 1601\)/);
    assert.equal([...ran.stdout.matchAll(/← got (\d+) characters/g)].map((m) => m[1]).join(','), '2', 'only "hi" reached the flow');
  });

  it('--help of simulate and call documents --strict-outbound, and that a file runs published', async () => {
    for (const command of ['simulate', 'call']) {
      const child = spawn(process.execPath, [main, command, '--help'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
      await new Promise((resolve) => child.on('close', resolve));
      assert.match(stdout, /--strict-outbound/, command);
      // publishFlowFile publishes it (a draft would run for nobody but test users).
      assert.match(stdout, /A file runs as a published flow/, command);
      assert.doesNotMatch(stdout, /draft/, command);
    }
  });
});
