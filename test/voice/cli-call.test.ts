// `switchboard call` as a user runs it: a flow file, keys and a recording typed on stdin.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { callerRequest } from '../../src/cli/call.ts';

const main = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const flow = fileURLToPath(new URL('./fixtures/ivr-menu.json', import.meta.url));

function run(args: string[], input: string) {
  const dir = mkdtempSync(join(tmpdir(), 'sb-call-'));
  try {
    const env = { ...process.env, SWITCHBOARD_DATA_DIR: dir, TWILIO_ACCOUNT_SID: '', TWILIO_AUTH_TOKEN: '' };
    return spawnSync(process.execPath, [main, ...args], { input, encoding: 'utf8', env, timeout: 60_000 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('switchboard call', () => {
  it('prints what the caller hears and the steps; keys, speech and a recording from stdin', () => {
    const result = run(['call', flow, '--from', '+15551230009'], 'what\n7\n');
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /← Welcome to Acme, \+15551230009\./);
    assert.match(result.stdout, /route_speech —noMatch→ vm/, 'typed words are speech');
    assert.match(result.stdout, /← Thanks, we got 7 seconds\./);
    assert.match(result.stdout, /call completed; execution FN[0-9a-f]{32} ended/);
  });

  it("a text the flow sends during the call is shown, marked as a text, before what the caller hears next", () => {
    const ivr = fileURLToPath(new URL('../../examples/flows/ivr.json', import.meta.url));
    const result = run(['call', ivr, '--from', '+15551230009', '--no-timeouts'], 'address\n');
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /← \[text\] Pizza Planet, 1 Galaxy Way\. See you soon!\n\s+← We have sent you our address\. Goodbye!/);
    assert.match(result.stdout, /text_address —sent→ address_sent/);
    // A text to someone else is marked with its recipient, as simulate marks it.
    const dir = mkdtempSync(join(tmpdir(), 'sb-call-text-'));
    try {
      const file = join(dir, 'notify.json');
      writeFileSync(
        file,
        JSON.stringify({
          description: 'texts the manager',
          initial_state: 'Trigger',
          flags: { allow_concurrent_calls: true },
          states: [
            { name: 'Trigger', type: 'trigger', transitions: [{ event: 'incomingCall', next: 'notify' }], properties: { offset: { x: 0, y: 0 } } },
            { name: 'notify', type: 'send-message', transitions: [{ event: 'sent', next: 'bye' }, { event: 'failed' }], properties: { offset: { x: 0, y: 100 }, from: '{{flow.channel.address}}', to: '+15557654321', body: 'Call from {{trigger.call.From}}' } },
            { name: 'bye', type: 'say-play', transitions: [{ event: 'audioComplete' }], properties: { offset: { x: 0, y: 200 }, say: 'Bye.' } },
          ],
        }),
      );
      const other = run(['call', file, '--from', '+15551230009'], '');
      assert.equal(other.status, 0, other.stderr);
      assert.match(other.stdout, /← \[text\] \[to \+15557654321\] Call from \+15551230009\n\s+← Bye\./);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('Ctrl-D hangs up: the execution ends with the call', () => {
    const result = run(['call', flow], '');
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /caller hung up/);
    assert.match(result.stdout, /execution FN[0-9a-f]{32} ended/);
  });

  it("a flow whose Trigger takes no calls: the call ends at once, and it is said why (as simulate says it for texts)", () => {
    const textOnly = fileURLToPath(new URL('../../examples/flows/pizza-order.json', import.meta.url));
    const result = run(['call', textOnly], '');
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /call completed: the flow hung up\n\s+· Trigger —incomingCall→ Ended\n\s+✗ The flow's Trigger does not handle incoming calls: Incoming Call leads to no widget, so the execution ended at once and the flow hung up\. Connect Incoming Call to start the flow from a call\.\n/);
    // A Trigger that takes calls gets no such line, even when the caller hangs up at once.
    assert.doesNotMatch(run(['call', flow], '').stdout, /does not handle incoming calls/);
  });

  it('a menu left without a line times out as on a phone and the call goes on; --no-timeouts waits for the line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-call-timeout-'));
    try {
      const file = join(dir, 'quick.json');
      const sayState = (name: string, say: string) => ({ name, type: 'say-play', transitions: [{ event: 'audioComplete' }], properties: { offset: { x: 0, y: 300 }, say } });
      writeFileSync(
        file,
        JSON.stringify({
          description: 'quick menu',
          initial_state: 'Trigger',
          flags: { allow_concurrent_calls: true },
          states: [
            { name: 'Trigger', type: 'trigger', transitions: [{ event: 'incomingCall', next: 'menu' }], properties: { offset: { x: 0, y: 0 } } },
            { name: 'menu', type: 'gather-input-on-call', transitions: [{ event: 'keypress' }, { event: 'speech' }, { event: 'timeout', next: 'nobody' }], properties: { offset: { x: 0, y: 100 }, say: 'Press a key.', timeout: 1 } },
            sayState('nobody', 'Nobody pressed anything.'),
          ],
        }),
      );
      // stdin stays open (a caller who types nothing); `type` is written once `after` has been printed.
      const call = (extra: string[], after?: { seen: RegExp; waitMs: number; type: string }) =>
        new Promise<string>((resolve) => {
          const env = { ...process.env, SWITCHBOARD_DATA_DIR: join(dir, `data${extra.length}`), TWILIO_ACCOUNT_SID: '', TWILIO_AUTH_TOKEN: '' };
          const child = spawn(process.execPath, [main, 'call', file, ...extra], { env, stdio: ['pipe', 'pipe', 'pipe'] });
          let stdout = '';
          let typed = false;
          child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
            stdout += chunk;
            if (after && !typed && after.seen.test(stdout)) {
              typed = true;
              setTimeout(() => {
                stdout += '<typed>';
                child.stdin.write(after.type);
              }, after.waitMs);
            }
          });
          const timer = setTimeout(() => child.kill(), 60_000);
          child.on('close', () => (clearTimeout(timer), resolve(stdout)));
        });
      const timedOut = await call([]);
      assert.match(timedOut, /times out in 1 s\)/);
      assert.match(timedOut, /\[timeout\] no input within 1 s\n\s+← Nobody pressed anything\./);
      assert.match(timedOut, /menu —timeout→ nobody/);
      assert.match(timedOut, /call completed; execution FN[0-9a-f]{32} ended/);
      // Timeouts off: 2.5 s of nothing moves nothing; the empty line typed then is the caller's silence.
      const waited = await call(['--no-timeouts'], { seen: /no input\)\n> $/, waitMs: 2500, type: '\n' });
      assert.doesNotMatch(waited, /times out in/);
      assert.match(waited, /<typed>[^]*← Nobody pressed anything\./, 'nothing happened before the line was typed');
      assert.doesNotMatch(waited, /\[timeout\]/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('maps typed lines to caller actions', () => {
    assert.deepEqual(callerRequest('input', '12#'), { action: 'Digits', fields: { Digits: '12#' } });
    assert.deepEqual(callerRequest('input', 'talk to sales'), { action: 'Speech', fields: { SpeechResult: 'talk to sales' } });
    assert.deepEqual(callerRequest('input', ''), { action: 'Silence', fields: {} });
    assert.deepEqual(callerRequest('record', '0'), { action: 'Silence', fields: {} });
    assert.deepEqual(callerRequest('record', ''), { action: 'Recording', fields: { Duration: '5' } });
    assert.equal(callerRequest('record', 'abc'), null);
    assert.deepEqual(callerRequest('dial', 'busy'), { action: 'Dial', fields: { Status: 'busy' } });
    assert.deepEqual(callerRequest('conversation-relay', ''), { action: 'ConversationRelay', fields: { SessionStatus: 'completed' } });
    assert.deepEqual(callerRequest('conversation-relay', 'failed'), { action: 'ConversationRelay', fields: { SessionStatus: 'failed' } });
    assert.deepEqual(callerRequest('conversation-relay', 'ended {"reason": "billing"}'), { action: 'ConversationRelay', fields: { SessionStatus: 'ended', HandoffData: '{"reason": "billing"}' } });
    assert.deepEqual(callerRequest('conversation-relay', '{"reason":"billing"}'), { action: 'ConversationRelay', fields: { SessionStatus: 'completed', HandoffData: '{"reason":"billing"}' } });
    assert.equal(callerRequest('conversation-relay', 'paused'), null, 'not a session status');
  });

  it('a ConversationRelay session: the prompt names it, and a typed status with handoff data ends it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-call-relay-'));
    try {
      const file = join(dir, 'relay.json');
      writeFileSync(
        file,
        JSON.stringify({
          description: 'relay',
          initial_state: 'Trigger',
          flags: { allow_concurrent_calls: true },
          states: [
            { name: 'Trigger', type: 'trigger', transitions: [{ event: 'incomingCall', next: 'relay' }], properties: { offset: { x: 0, y: 0 } } },
            { name: 'relay', type: 'run-conversation-relay', transitions: [{ event: 'success', next: 'bye' }, { event: 'failed' }], properties: { offset: { x: 0, y: 100 }, url: 'wss://relay.example/ws' } },
            { name: 'bye', type: 'say-play', transitions: [{ event: 'audioComplete' }], properties: { offset: { x: 0, y: 200 }, say: 'Session {{widgets.relay.SessionStatus}}: {{widgets.relay.HandoffData.reason}}.' } },
          ],
        }),
      );
      const result = run(['call', file], 'paused\nended {"reason":"billing"}\n');
      assert.equal(result.status, 0, result.stderr);
      assert.match(result.stdout, /talking to the ConversationRelay app at wss:\/\/relay\.example\/ws/);
      assert.match(result.stdout, /\(end the relay session: completed \| ended \| failed, then any handoff data/);
      assert.match(result.stdout, /\(not understood\)/);
      assert.match(result.stdout, /ConversationRelay session ended, handing off: \{"reason":"billing"\}/);
      assert.match(result.stdout, /relay —success→ bye/);
      assert.match(result.stdout, /← Session ended: billing\./);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runs in dev mode like simulate: a flow may call localhost; --strict-outbound applies the server policy', async () => {
    const server = createServer((request, response) => {
      request.resume();
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"answer": "42"}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const dir = mkdtempSync(join(tmpdir(), 'sb-call-dev-'));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/lookup`;
      const sayState = (name: string, say: string) => ({ name, type: 'say-play', transitions: [{ event: 'audioComplete' }], properties: { offset: { x: 0, y: 300 }, say } });
      const file = join(dir, 'local.json');
      writeFileSync(
        file,
        JSON.stringify({
          description: 'calls localhost',
          initial_state: 'Trigger',
          flags: { allow_concurrent_calls: true },
          states: [
            { name: 'Trigger', type: 'trigger', transitions: [{ event: 'incomingCall', next: 'lookup' }], properties: { offset: { x: 0, y: 0 } } },
            {
              name: 'lookup',
              type: 'make-http-request',
              transitions: [{ event: 'success', next: 'ok' }, { event: 'failed', next: 'blocked' }],
              properties: { offset: { x: 0, y: 100 }, method: 'GET', content_type: 'application/x-www-form-urlencoded;charset=utf-8', url },
            },
            sayState('ok', 'The answer is {{widgets.lookup.parsed.answer}}.'),
            sayState('blocked', 'The lookup failed.'),
          ],
        }),
      );
      // Async: this process's HTTP server must keep answering while the call runs.
      const call = (extra: string[]) =>
        new Promise<string>((resolve) => {
          const env = { ...process.env, SWITCHBOARD_DATA_DIR: join(dir, 'data'), TWILIO_ACCOUNT_SID: '', TWILIO_AUTH_TOKEN: '', SWITCHBOARD_DEV: '' };
          const child = spawn(process.execPath, [main, 'call', file, ...extra], { env, stdio: ['pipe', 'pipe', 'pipe'] });
          let stdout = '';
          child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
          child.stdin.end('');
          const timer = setTimeout(() => child.kill(), 60_000);
          child.on('close', () => (clearTimeout(timer), resolve(stdout)));
        });
      assert.match(await call([]), /← The answer is 42\./);
      const strict = await call(['--strict-outbound']);
      assert.match(strict, /← The lookup failed\./);
      assert.match(strict, /lookup —failed→ blocked\n\s+✗ .*(blocked|private|not allowed)/i);
    } finally {
      server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
