// `switchboard simulate` on flows a Conversations message starts: what the flow sends from a bot name
// ("Bot") is written in the conversation, so it prints as the flow's reply (it printed `[from Bot]`, an
// SMS from "Bot"); and `--to CH…` drives a flow wiring both incomingMessage and
// incomingConversationMessage (the Flex pattern) down its conversation branch. The real binary runs in a
// child process.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

function flowFile(trigger: { message?: string; conversation?: string }): string {
  const send = (name: string, from: string, y: number) => ({
    name,
    type: 'send-message',
    transitions: [{ event: 'sent' }, { event: 'failed' }],
    properties: { offset: { x: 0, y }, from, to: '{{contact.channel.address}}', body: `${name} says hi` },
  });
  return JSON.stringify({
    description: 'simulate conversation',
    initial_state: 'Trigger',
    flags: { allow_concurrent_calls: true },
    states: [
      {
        name: 'Trigger',
        type: 'trigger',
        properties: { offset: { x: 0, y: 0 } },
        transitions: [
          { event: 'incomingMessage', ...(trigger.message ? { next: trigger.message } : {}) },
          { event: 'incomingCall' },
          { event: 'incomingConversationMessage', ...(trigger.conversation ? { next: trigger.conversation } : {}) },
          { event: 'incomingRequest' },
          { event: 'incomingParent' },
        ],
      },
      send('sms', '{{flow.channel.address}}', 200),
      send('bot', 'Bot', 400),
    ],
  });
}

/** Types one line into `simulate`, quits, and answers what it printed. */
async function simulate(file: string, dataDir: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env = { ...process.env, SWITCHBOARD_DATA_DIR: dataDir, TWILIO_ACCOUNT_SID: '', TWILIO_AUTH_TOKEN: '', SWITCHBOARD_DEV: '' };
  const child = spawn(process.execPath, [main, 'simulate', file, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const timer = setTimeout(() => child.kill(), 60_000);
  const closed = new Promise<number | null>((resolve) => child.on('close', (code) => (clearTimeout(timer), resolve(code))));
  child.stdin.write('hi\n');
  const deadline = Date.now() + 15_000;
  while (!/ended\)/.test(stdout) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  child.stdin.end('\n');
  return { code: await closed, stdout, stderr };
}

describe('switchboard simulate: flows a Conversations message starts', () => {
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'sb-simulate-conversation-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('a send from "Bot" prints as the reply in the conversation', async () => {
    const file = join(dir, 'conversation-only.json');
    writeFileSync(file, flowFile({ conversation: 'bot' }));
    const run = await simulate(file, join(dir, 'data'), ['--from', '+15550002222']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /Trigger —incomingConversationMessage→ bot/);
    assert.match(run.stdout, /^ {2}← bot says hi$/m, run.stdout);
  });

  it('--to CH… takes the conversation branch of a flow wiring both', async () => {
    const file = join(dir, 'both.json');
    writeFileSync(file, flowFile({ message: 'sms', conversation: 'bot' }));
    const run = await simulate(file, join(dir, 'data'), ['--from', 'web-visitor', '--to', 'CH' + 'c'.repeat(32)]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /Trigger —incomingConversationMessage→ bot/, run.stdout);
    assert.match(run.stdout, /^ {2}← bot says hi$/m, run.stdout);
  });
});
