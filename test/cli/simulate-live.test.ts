// `switchboard simulate` prints what the flow does as it happens, not only after the next typed line:
// a reply timeout's message and steps come while nobody types. The real binary runs in a child
// process, fed line by line.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

const TRIGGER_REST = [{ event: 'incomingCall' }, { event: 'incomingConversationMessage' }, { event: 'incomingRequest' }, { event: 'incomingParent' }];

function send(name: string, body: string, extra: Record<string, unknown> = {}) {
  return {
    name,
    type: 'send-message',
    transitions: [{ event: 'sent' }, { event: 'failed' }],
    properties: { offset: { x: 0, y: 400 }, from: '{{flow.channel.address}}', to: '{{contact.channel.address}}', body, ...extra },
  };
}

function flowFile(states: Record<string, unknown>[]): string {
  const first = states[0]!.name as string;
  return JSON.stringify({
    description: 'simulate live output',
    initial_state: 'Trigger',
    flags: { allow_concurrent_calls: true },
    states: [{ name: 'Trigger', type: 'trigger', transitions: [{ event: 'incomingMessage', next: first }, ...TRIGGER_REST], properties: { offset: { x: 0, y: 0 } } }, ...states],
  });
}

/** A simulate process: lines are typed into it one at a time; `until` waits for its output to match. */
class Simulation {
  readonly child: ChildProcessWithoutNullStreams;
  stdout = '';
  stderr = '';
  readonly closed: Promise<number | null>;

  constructor(file: string, dataDir: string, extra: string[] = []) {
    const env = { ...process.env, SWITCHBOARD_DATA_DIR: dataDir, TWILIO_ACCOUNT_SID: '', TWILIO_AUTH_TOKEN: '', SWITCHBOARD_DEV: '' };
    this.child = spawn(process.execPath, [main, 'simulate', file, '--from', '+15550001111', ...extra], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout.setEncoding('utf8').on('data', (chunk: string) => (this.stdout += chunk));
    this.child.stderr.setEncoding('utf8').on('data', (chunk: string) => (this.stderr += chunk));
    const timer = setTimeout(() => this.child.kill(), 60_000);
    this.closed = new Promise((resolve) => this.child.on('close', (code) => (clearTimeout(timer), resolve(code))));
  }

  type(line: string): void {
    this.child.stdin.write(`${line}\n`);
  }

  async until(pattern: RegExp, ms = 15_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!pattern.test(this.stdout)) {
      if (Date.now() > deadline) assert.fail(`no ${pattern} within ${ms} ms in:\n${this.stdout}\n${this.stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async quit(): Promise<number | null> {
    this.child.stdin.end('\n');
    return this.closed;
  }
}

describe('switchboard simulate: live output', () => {
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'sb-simulate-live-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("prints a reply timeout's message, steps and the end while nobody types", async () => {
    const file = join(dir, 'timeout.json');
    writeFileSync(
      file,
      flowFile([
        {
          name: 'ask',
          type: 'send-and-wait-for-reply',
          transitions: [{ event: 'incomingMessage', next: 'thanks' }, { event: 'timeout', next: 'late' }, { event: 'deliveryFailure' }],
          properties: { offset: { x: 0, y: 200 }, from: '{{flow.channel.address}}', body: 'Still there?', timeout: '1' },
        },
        send('thanks', 'thanks'),
        send('late', 'timed out'),
      ]),
    );
    const simulation = new Simulation(file, join(dir, 'data'));
    simulation.type('go');
    await simulation.until(/← Still there\?/);
    // Nothing typed: the timeout fires a second later, and all it does is printed.
    await simulation.until(/\(execution FN[0-9a-f]{32} ended\)/);
    assert.match(simulation.stdout, /← timed out/);
    assert.match(simulation.stdout, /ask —timeout→ late/);
    // The next text starts a new execution, whose question is printed once.
    simulation.type('again');
    await simulation.until(/Still there\?[\s\S]*Still there\?/);
    assert.equal(await simulation.quit(), 0, simulation.stderr);
    assert.equal(simulation.stdout.match(/← timed out/g)?.length, 1, simulation.stdout);
  });

  it('prints messages to other numbers with their recipient, and media URLs', async () => {
    const file = join(dir, 'elsewhere.json');
    writeFileSync(
      file,
      flowFile([
        { ...send('notify', 'New lead: {{trigger.message.From}}', { to: '+15559998888', media_url: 'https://example.com/card.png' }), transitions: [{ event: 'sent', next: 'picture' }, { event: 'failed' }] },
        send('picture', '', { media_url: 'https://example.com/a.png' }),
      ]),
    );
    const simulation = new Simulation(file, join(dir, 'data'));
    simulation.type('hi');
    await simulation.until(/ended\)/);
    assert.equal(await simulation.quit(), 0, simulation.stderr);
    assert.match(simulation.stdout, /^ {2}← \[to \+15559998888\] New lead: \+15550001111 \[media: https:\/\/example\.com\/card\.png\]$/m);
    assert.match(simulation.stdout, /^ {2}← \[media: https:\/\/example\.com\/a\.png\]$/m);
  });

  it('shows what the flow writes in a conversation it started, and sends the replies there', async () => {
    const file = join(dir, 'conversation.json');
    writeFileSync(
      file,
      flowFile([
        {
          name: 'open',
          type: 'start-conversation',
          transitions: [{ event: 'created', next: 'ask' }, { event: 'failed' }],
          properties: {
            offset: { x: 0, y: 100 },
            conversation_service_sid: 'IS' + 'b'.repeat(32),
            participants: [{ type: 'sms', messaging_binding_address: '{{contact.channel.address}}', messaging_binding_proxy_address: '+15557770000' }],
          },
        },
        {
          name: 'ask',
          type: 'send-and-wait-for-reply',
          transitions: [{ event: 'incomingMessage', next: 'thanks' }, { event: 'timeout' }, { event: 'deliveryFailure' }],
          properties: { offset: { x: 0, y: 200 }, from: '{{flow.channel.address}}', body: 'Which size?', timeout: '60' },
        },
        send('thanks', 'Got {{widgets.ask.inbound.Body}}'),
      ]),
    );
    const simulation = new Simulation(file, join(dir, 'data'));
    simulation.type('order');
    // The notice follows the message's line, maybe in a later chunk of the child's output.
    await simulation.until(/← \[from \+15557770000\] Which size\?\n {4}\(in a conversation: replies now go to \+15557770000\)/);
    simulation.type('large');
    await simulation.until(/← \[from \+15557770000\] Got large/);
    await simulation.until(/replies go to \+15005550006 again/);
    assert.equal(await simulation.quit(), 0, simulation.stderr);
    assert.equal(simulation.stdout.match(/\(execution FN[0-9a-f]{32} ended\)/g)?.length, 1, `one execution only:\n${simulation.stdout}`);
    assert.equal(simulation.stdout.match(/Which size\?/g)?.length, 1, 'a conversation message is printed once (it is on two transcripts)');
  });
});
