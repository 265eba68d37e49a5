// `test --record` starts the recorded test's clock when the execution started, so a flow that reads
// the time passes as recorded (it ran at a fixed fake clock before, and failed at once).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCliInProcess } from '../support/cli-in-process.ts';
import { startTestServer, FORM, form, type TestServer } from '../support/server.ts';
import { testCommand } from '../../src/cli/test.ts';

/** Runs a command in this process with its console captured (test/support/cli-in-process.ts). */
async function cli(command: (argv: string[]) => Promise<number>, args: string[]): Promise<{ code: number; out: string }> {
  const run = await runCliInProcess(command, args, process.cwd());
  return { code: run.code, out: run.stdout + run.stderr };
}

const definition = {
  description: 'says the time',
  states: [
    { name: 'Trigger', type: 'trigger', transitions: [{ event: 'incomingMessage', next: 'hour' }, { event: 'incomingCall' }, { event: 'incomingConversationMessage' }, { event: 'incomingRequest' }, { event: 'incomingParent' }], properties: { offset: { x: 0, y: 0 } } },
    { name: 'hour', type: 'send-message', transitions: [{ event: 'sent' }, { event: 'failed' }], properties: { offset: { x: 0, y: 100 }, from: '{{flow.channel.address}}', to: '{{contact.channel.address}}', body: "It is {{ 'now' | date: '%Y-%m-%d %H:%M' }}" } },
  ],
  initial_state: 'Trigger',
  flags: { allow_concurrent_calls: true },
};

describe('test --record: the clock', () => {
  let server: TestServer;
  let flowSid = '';
  let dir = '';
  before(async () => {
    server = await startTestServer({ listen: true, now: () => Date.parse('2026-05-04T22:30:00Z') });
    flowSid = (await server.app.flows.create(server.account.sid, { friendlyName: 'Clock', status: 'published', definition })).sid;
    const r = await server.app.server.inject({ method: 'POST', url: `/simulator/Flows/${flowSid}/Messages`, headers: { authorization: server.auth, ...FORM }, payload: form({ From: '+15550002222', Body: 'hi' }) });
    assert.equal(r.statusCode, 201, r.body);
    await server.app.executions.idle();
    dir = mkdtempSync(join(tmpdir(), 'sb-record-clock-'));
  });
  after(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes the execution start as the test clock, and the recorded test passes', async () => {
    const out = join(dir, 'clock.test.yaml');
    writeFileSync(join(dir, 'clock.json'), JSON.stringify(definition));
    const creds = ['--base-url', server.baseUrl, '--account-sid', server.account.sid, '--auth-token', server.account.authToken];
    const recorded = await cli(testCommand, ['--record', '--flow', flowSid, '--contact', '+15550002222', '--out', out, '--flow-file', join(dir, 'clock.json'), ...creds]);
    assert.equal(recorded.code, 0, recorded.out);
    const text = readFileSync(out, 'utf8');
    assert.match(text, /clock: 2026-05-04T22:30:00Z/);
    assert.match(text, /It is 2026-05-04 22:30/);
    const run = await cli(testCommand, [out, '--no-color']);
    assert.equal(run.code, 0, run.out);
  });
});
