// A reply that came hours after its question: replay and `test --record` move the clock to when the
// reply's step was recorded, so a message that prints the hour after it reads as it did live (the
// clock used to stay at the question's time: a false divergence, and a recorded test that failed).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCliInProcess } from '../support/cli-in-process.ts';
import { startTestServer, FORM, form, type TestServer } from '../support/server.ts';
import { testCommand } from '../../src/cli/test.ts';
import { replayCommand } from '../../src/cli/replay.ts';
import { deriveInputs, type RecordedStep } from '../../src/flowtest/derive.ts';

/** Runs a command in this process with its console captured (test/support/cli-in-process.ts). */
async function cli(command: (argv: string[]) => Promise<number>, args: string[]): Promise<{ code: number; out: string }> {
  const run = await runCliInProcess(command, args, process.cwd());
  return { code: run.code, out: run.stdout + run.stderr };
}

const definition = {
  description: 'asks, then says the hour',
  states: [
    { name: 'Trigger', type: 'trigger', transitions: [{ event: 'incomingMessage', next: 'ask' }, { event: 'incomingCall' }, { event: 'incomingConversationMessage' }, { event: 'incomingRequest' }, { event: 'incomingParent' }], properties: { offset: { x: 0, y: 0 } } },
    { name: 'ask', type: 'send-and-wait-for-reply', transitions: [{ event: 'incomingMessage', next: 'hour' }, { event: 'timeout' }, { event: 'deliveryFailure' }], properties: { offset: { x: 0, y: 100 }, from: '{{flow.channel.address}}', body: 'Ready?', timeout: '86400' } },
    { name: 'hour', type: 'send-message', transitions: [{ event: 'sent' }, { event: 'failed' }], properties: { offset: { x: 0, y: 200 }, from: '{{flow.channel.address}}', to: '{{contact.channel.address}}', body: "Hour {{ 'now' | date: '%H' }}" } },
  ],
  initial_state: 'Trigger',
  flags: { allow_concurrent_calls: true },
};

describe('replay and --record: a reply 3 hours after the question', () => {
  let server: TestServer;
  let now = Date.parse('2026-05-04T08:15:00Z');
  let flowSid = '';
  let executionSid = '';
  let dir = '';
  const creds = () => ['--base-url', server.baseUrl, '--account-sid', server.account.sid, '--auth-token', server.account.authToken];
  before(async () => {
    server = await startTestServer({ listen: true, now: () => now });
    flowSid = (await server.app.flows.create(server.account.sid, { friendlyName: 'Late', status: 'published', definition })).sid;
    for (const body of ['hi', 'yes']) {
      const r = await server.app.server.inject({ method: 'POST', url: `/simulator/Flows/${flowSid}/Messages`, headers: { authorization: server.auth, ...FORM }, payload: form({ From: '+15550002222', Body: body }) });
      assert.equal(r.statusCode, 201, r.body);
      executionSid = JSON.parse(r.body).execution_sid;
      await server.app.executions.idle();
      now += 3 * 3_600_000;
    }
    dir = mkdtempSync(join(tmpdir(), 'sb-late-reply-'));
  });
  after(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('ran live at the reply\'s hour', async () => {
    const r = await server.app.server.inject({ method: 'GET', url: `/replay/Flows/${flowSid}/Executions/${executionSid}`, headers: { authorization: server.auth } });
    assert.equal(r.statusCode, 200, r.body);
    const body = JSON.parse(r.body);
    assert.deepEqual(body.original.messages, ['Ready?', 'Hour 11']);
    assert.deepEqual(body.replay.messages, ['Ready?', 'Hour 11']);
    assert.equal(body.diverged, false, JSON.stringify(body));
  });

  it('switchboard replay --fail-on-divergence reports no divergence against the same revision', async () => {
    const run = await cli(replayCommand, [executionSid, '--flow', flowSid, '--fail-on-divergence', ...creds()]);
    assert.equal(run.code, 0, run.out);
    assert.match(run.out, /same path/);
  });

  it('test --record writes the 3 hours as a wait before the reply, and the recorded test passes', async () => {
    const out = join(dir, 'late.test.yaml');
    writeFileSync(join(dir, 'late.json'), JSON.stringify(definition));
    const recorded = await cli(testCommand, ['--record', '--flow', flowSid, '--contact', '+15550002222', '--out', out, '--flow-file', join(dir, 'late.json'), ...creds()]);
    assert.equal(recorded.code, 0, recorded.out);
    const text = readFileSync(out, 'utf8');
    assert.match(text, /clock: 2026-05-04T08:15:00Z/);
    assert.match(text, /- wait: 3h\n\s*- send: yes/);
    assert.match(text, /Hour 11/);
    const run = await cli(testCommand, [out, '--no-color']);
    assert.equal(run.code, 0, run.out);
  });
});

describe('deriveInputs: waits before replies', () => {
  const step = (event: string, at: number, from = 'ask'): RecordedStep => ({ from, event, to: event === 'timeout' ? 'Ended' : 'hour', type: 'send-and-wait-for-reply', context: event === 'incomingMessage' ? { inbound: { Body: 'yes' } } : {}, at });
  const start = Date.parse('2026-05-04T08:15:00Z');
  const trigger = { message: { Body: 'hi', From: '+1', To: '+2' } };

  it('never goes backwards, and stops short of a reply timeout that had not fired', () => {
    const early = deriveInputs(trigger, [step('incomingMessage', start - 5000)], { startedAt: start });
    assert.deepEqual(early.script, [{ send: 'yes' }]);
    // The widget times out after 1 hour: a reply stamped later (clock skew) still comes before it.
    const def = { initial_state: 'Trigger', states: [{ name: 'ask', type: 'send-and-wait-for-reply', transitions: [], properties: { timeout: '3600' } }] } as never;
    const late = deriveInputs(trigger, [step('incomingMessage', start + 2 * 3_600_000)], { startedAt: start, definition: def });
    assert.deepEqual(late.script, [{ wait: '3599s' }, { send: 'yes' }]);
    assert.ok(late.elapsed.has(late.script[0]!));
    // After a fired timeout the clock is at the timeout: the next reply waits only for the rest.
    const after = deriveInputs(trigger, [step('timeout', start + 3_600_000), step('incomingMessage', start + 90 * 60_000, 'ask')], { startedAt: start, definition: def });
    assert.deepEqual(after.script, [{ wait: '3600s' }, { wait: '30m' }, { send: 'yes' }]);
    assert.equal(after.elapsed.has(after.script[0]!), false);
  });
});
