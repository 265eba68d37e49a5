// test --record of a Connect Virtual Agent session in a conversation that left by timeout: the recorded test waits
// (until the recorded step, as the contact's message to the agent put the timeout off) and passes; it used to have
// no script step, so the replayed session never ended and the test failed at the timeout.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCliInProcess } from '../support/cli-in-process.ts';
import { startTestServer, FORM, form, type TestServer } from '../support/server.ts';
import { testCommand } from '../../src/cli/test.ts';
import { wiredTriggerFlow } from '../support/flows.ts';

const at = (y: number) => ({ offset: { x: 0, y } });
const say = (name: string, body: string, y: number) => ({ name, type: 'send-message', properties: { ...at(y), from: 'Bot', to: '{{contact.channel.address}}', body }, transitions: [{ event: 'sent' }, { event: 'failed' }] });
// The contact writes to the agent 100 s in (no step records it), and the 300 s timeout passes 301 s later.
const definition = wiredTriggerFlow('virtual agent', { incomingConversationMessage: 'agent' }, [
  { name: 'agent', type: 'connect-virtual-agent-v2', properties: { ...at(200), channel: 'conversations', connector_name: 'va', timeout: '300' },
    transitions: [{ event: 'completed', next: 'done' }, { event: 'live-agent-handoff' }, { event: 'hangup' }, { event: 'failed' }, { event: 'paused' }, { event: 'timeout', next: 'gone' }] },
  say('done', 'Done', 400),
  say('gone', "Bye at {{ 'now' | date: '%H:%M:%S' }}", 1000),
]);
async function cli(command: (argv: string[]) => Promise<number>, args: string[]) {
  const run = await runCliInProcess(command, args, process.cwd());
  return { code: run.code, out: run.stdout + run.stderr };
}
describe('test --record: Connect Virtual Agent in a conversation', () => {
  let server: TestServer;
  let now = Date.parse('2026-06-01T00:00:00Z');
  let flowSid = '';
  before(async () => {
    server = await startTestServer({ listen: true, now: () => now });
    flowSid = (await server.app.flows.create(server.account.sid, { friendlyName: 'va', status: 'published', definition })).sid;
  });
  after(() => server.close());
  it('writes a test whose session times out when the recorded one did', async () => {
    const text = async (Body: string) => (await server.app.server.inject({ method: 'POST', url: `/simulator/Flows/${flowSid}/Messages`, headers: { authorization: server.auth, ...FORM }, payload: form({ From: 'v1', To: 'CH' + '1'.padStart(32, '0'), Body }) })).json();
    const { execution_sid } = await text('hello');
    now += 100_000; await text('more');
    now += 301_000; await server.app.executions.fireDueTimers(); await server.app.executions.idle();
    const dir = mkdtempSync(join(tmpdir(), 'probe-'));
    const out = join(dir, 'va.test.yaml');
    writeFileSync(join(dir, 'va.json'), JSON.stringify(definition));
    const creds = ['--base-url', server.baseUrl, '--account-sid', server.account.sid, '--auth-token', server.account.authToken];
    const rec = await cli(testCommand, ['--record', '--flow', flowSid, '--execution', execution_sid, '--out', out, '--flow-file', join(dir, 'va.json'), ...creds]);
    try {
      assert.equal(rec.code, 0, rec.out);
      const recorded = readFileSync(out, 'utf8');
      assert.match(recorded, /script:\n\s*- outage: 401s\n/);
      assert.match(recorded, /Bye at 00:06:41/);
      const run = await cli(testCommand, [out, '--no-color']);
      assert.equal(run.code, 0, run.out);
      assert.match(run.out, /1 passed, 0 failed/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
