// `simulate FW…` and `call FW…` on a flow that was never published: nothing can run (only test users
// run drafts), and both commands say so instead of printing nothing (simulate) or "the flow hung up"
// (call).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { callCommand } from '../../src/cli/call.ts';

const main = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

const DEFINITION = {
  description: 'draft',
  initial_state: 'Trigger',
  states: [
    { name: 'Trigger', type: 'trigger', transitions: [{ event: 'incomingMessage', next: 'hello' }, { event: 'incomingCall', next: 'hello' }], properties: { offset: { x: 0, y: 0 } } },
    {
      name: 'hello',
      type: 'send-message',
      transitions: [{ event: 'sent' }, { event: 'failed' }],
      properties: { offset: { x: 0, y: 200 }, from: '{{flow.channel.address}}', to: '{{contact.channel.address}}', body: 'hello' },
    },
  ],
};

describe('simulate / call on a flow never published', () => {
  let dir = '';
  let flowSid = '';
  let savedUrl: string | undefined;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sb-unpublished-'));
    // The SQLite data directory is the subject: CI's DATABASE_URL must not send it to PostgreSQL.
    savedUrl = process.env.DATABASE_URL;
    delete process.env.DATABASE_URL;
    const app = await createApp(loadConfig({ 'data-dir': dir }));
    try {
      const { account } = await app.accounts.ensureStartupAccount(undefined);
      flowSid = (await app.flows.create(account.sid, { friendlyName: 'draft', status: 'draft', definition: DEFINITION })).sid;
    } finally {
      await app.close();
    }
  });
  after(() => {
    if (savedUrl !== undefined) process.env.DATABASE_URL = savedUrl;
    rmSync(dir, { recursive: true, force: true });
  });

  it('simulate says nothing ran because the flow was never published', async () => {
    const { DATABASE_URL: _ignored, ...env } = process.env;
    const child = spawn(process.execPath, [main, 'simulate', flowSid, '--from', '+15550001111'], {
      env: { ...env, SWITCHBOARD_DATA_DIR: dir, TWILIO_ACCOUNT_SID: '', TWILIO_AUTH_TOKEN: '' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.stdin.end('hi\n\n');
    const code = await new Promise((resolve) => child.on('close', resolve));
    assert.equal(code, 0, stderr);
    assert.match(stdout, /✗ The flow has never been published, so nothing ran/);
  });

  it('call says so instead of calling', async () => {
    const out: string[] = [];
    const saved = console.log;
    console.log = (...parts: unknown[]) => void out.push(parts.map(String).join(' '));
    let code: number;
    try {
      code = await callCommand(flowSid, { 'data-dir': dir });
    } finally {
      console.log = saved;
    }
    assert.equal(code, 1);
    assert.match(out.join('\n'), /✗ The flow has never been published, so nothing ran/);
    assert.doesNotMatch(out.join('\n'), /hung up/);
  });
});
