// A reply timeout that fired late (the server was down when it fell due, or the timer loop was behind):
// the live sprint rendered the time it actually ran at, so replay and `test --record` fire the timer
// when the recorded timeout step says it ran, not when it was due (they used to report
// `- "timeout at …:57"  + "timeout at …:44"` against the same revision, and write a test that failed).
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
  description: 'asks, then says when it gave up',
  states: [
    { name: 'Trigger', type: 'trigger', transitions: [{ event: 'incomingMessage', next: 'ask' }, { event: 'incomingCall' }, { event: 'incomingConversationMessage' }, { event: 'incomingRequest' }, { event: 'incomingParent' }], properties: { offset: { x: 0, y: 0 } } },
    { name: 'ask', type: 'send-and-wait-for-reply', transitions: [{ event: 'incomingMessage', next: 'thanks' }, { event: 'timeout', next: 'gave_up' }, { event: 'deliveryFailure' }], properties: { offset: { x: 0, y: 100 }, from: '{{flow.channel.address}}', body: 'Ready?', timeout: '15' } },
    { name: 'gave_up', type: 'send-message', transitions: [{ event: 'sent', next: 'ask_again' }, { event: 'failed' }], properties: { offset: { x: 0, y: 200 }, from: '{{flow.channel.address}}', to: '{{contact.channel.address}}', body: "timeout at {{ 'now' | date: '%Y-%m-%dT%H:%M:%S' }}" } },
    { name: 'ask_again', type: 'send-and-wait-for-reply', transitions: [{ event: 'incomingMessage', next: 'thanks' }, { event: 'timeout' }, { event: 'deliveryFailure' }], properties: { offset: { x: 0, y: 300 }, from: '{{flow.channel.address}}', body: 'Still there?', timeout: '60' } },
    { name: 'thanks', type: 'send-message', transitions: [{ event: 'sent' }, { event: 'failed' }], properties: { offset: { x: 0, y: 400 }, from: '{{flow.channel.address}}', to: '{{contact.channel.address}}', body: "thanks at {{ 'now' | date: '%H:%M:%S' }}" } },
  ],
  initial_state: 'Trigger',
  flags: { allow_concurrent_calls: true },
};

/**
 * One execution: the question at `start`, its 15 s reply timeout fired `lateMs` after it fell due
 * (the clock moved on before the timer loop ran), then a reply `replyAfterMs` later.
 */
function scenario(name: string, start: string, lateMs: number, replyAfterMs: number, expected: { timeout: string; thanks: string; script: RegExp }) {
  describe(`replay and --record: ${name}`, () => {
    let server: TestServer;
    let now = Date.parse(start);
    let flowSid = '';
    let executionSid = '';
    let dir = '';
    const contact = '+15550003333';
    const creds = () => ['--base-url', server.baseUrl, '--account-sid', server.account.sid, '--auth-token', server.account.authToken];
    const post = async (body: string) => {
      const r = await server.app.server.inject({ method: 'POST', url: `/simulator/Flows/${flowSid}/Messages`, headers: { authorization: server.auth, ...FORM }, payload: form({ From: contact, Body: body }) });
      assert.equal(r.statusCode, 201, r.body);
      await server.app.executions.idle();
      return JSON.parse(r.body).execution_sid as string;
    };
    before(async () => {
      server = await startTestServer({ listen: true, now: () => now });
      flowSid = (await server.app.flows.create(server.account.sid, { friendlyName: 'Late timeout', status: 'published', definition })).sid;
      executionSid = await post('hi');
      now += 15_000 + lateMs;
      assert.equal(await server.app.executions.fireDueTimers(), 1);
      await server.app.executions.idle();
      now += replyAfterMs;
      assert.equal(await post('yes'), executionSid);
      dir = mkdtempSync(join(tmpdir(), 'sb-late-timeout-'));
    });
    after(async () => {
      await server?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('replays the same revision with no divergence', async () => {
      const r = await server.app.server.inject({ method: 'GET', url: `/replay/Flows/${flowSid}/Executions/${executionSid}`, headers: { authorization: server.auth } });
      assert.equal(r.statusCode, 200, r.body);
      const body = JSON.parse(r.body);
      const messages = ['Ready?', expected.timeout, 'Still there?', expected.thanks];
      assert.deepEqual(body.original.messages, messages);
      assert.deepEqual(body.replay.messages, messages);
      assert.equal(body.diverged, false, JSON.stringify(body));
      const run = await cli(replayCommand, [executionSid, '--flow', flowSid, '--fail-on-divergence', ...creds()]);
      assert.equal(run.code, 0, run.out);
      assert.match(run.out, /same path/);
    });

    it('test --record writes a test that passes', async () => {
      const out = join(dir, 'late.test.yaml');
      writeFileSync(join(dir, 'late.json'), JSON.stringify(definition));
      const recorded = await cli(testCommand, ['--record', '--flow', flowSid, '--execution', executionSid, '--out', out, '--flow-file', join(dir, 'late.json'), ...creds()]);
      assert.equal(recorded.code, 0, recorded.out);
      const text = readFileSync(out, 'utf8');
      assert.match(text, expected.script);
      assert.ok(text.includes(expected.timeout), text);
      assert.ok(text.includes(expected.thanks), text);
      const run = await cli(testCommand, [out, '--no-color']);
      assert.equal(run.code, 0, run.out);
    });
  });
}

// Down 13 s past the due time (a restart): due 22:12:44, fired 22:12:57.
scenario('a reply timeout fired 13 s late', '2026-05-04T22:12:29.400Z', 13_000, 20_000, {
  timeout: 'timeout at 2026-05-04T22:12:57',
  thanks: 'thanks at 22:13:17',
  script: /- outage: 28s\n\s*- wait: 20s\n\s*- send: yes/,
});
// No restart: due at 22:12:44.900, fired 300 ms later, in the next second.
scenario('a reply timeout fired 300 ms late, in the next second', '2026-05-04T22:12:29.900Z', 300, 5_000, {
  timeout: 'timeout at 2026-05-04T22:12:45',
  thanks: 'thanks at 22:12:50',
  script: /- outage: 16s\n\s*- wait: 5s\n\s*- send: yes/,
});
// On time: the recorded test keeps its plain wait.
scenario('a reply timeout fired when due', '2026-05-04T22:12:29.000Z', 0, 5_000, {
  timeout: 'timeout at 2026-05-04T22:12:44',
  thanks: 'thanks at 22:12:49',
  script: /- wait: 15s\n\s*- wait: 5s\n\s*- send: yes/,
});

describe('deriveInputs: a timeout that fired late', () => {
  const start = Date.parse('2026-05-04T08:15:00Z');
  const trigger = { message: { Body: 'hi', From: '+1', To: '+2' } };
  const def = { initial_state: 'Trigger', states: [{ name: 'ask', type: 'send-and-wait-for-reply', transitions: [], properties: { timeout: '15' } }] } as never;
  const timeout = (at: number): RecordedStep => ({ from: 'ask', event: 'timeout', to: 'Ended', type: 'send-and-wait-for-reply', context: {}, at });

  it('is an outage up to when the timeout step ran; one on time stays a wait', () => {
    assert.deepEqual(deriveInputs(trigger, [timeout(start + 15_000)], { startedAt: start, definition: def }).script, [{ wait: '15s' }]);
    assert.deepEqual(deriveInputs(trigger, [timeout(start + 28_000)], { startedAt: start, definition: def }).script, [{ outage: '28s' }]);
    assert.deepEqual(deriveInputs(trigger, [timeout(start + 15_250)], { startedAt: start, definition: def }).script, [{ outage: '15250ms' }]);
    // Without the timeline, the widget's timeout as before.
    assert.deepEqual(deriveInputs(trigger, [timeout(start + 28_000)], { definition: def }).script, [{ wait: '15s' }]);
  });
});
