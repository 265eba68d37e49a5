// `executions steps` and `test --record` read every page of steps too, not the first 5000.
// `executions show` of an active execution with more steps than the CLI's Steps read (5000) used to say
// where it waited from the first 5000 only: a widget it had long left. It now takes where it waits from
// the server's state (ExecutionSummaries, one request), or, on a server without that API, reads through
// every page of steps keeping only the newest.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { executionsCommand, WaitingTracker } from '../../src/cli/executions.ts';
import { testCommand } from '../../src/cli/test.ts';
import { runCliInProcess } from '../support/cli-in-process.ts';
import { FORM, form, startTestServer, type TestServer } from '../support/server.ts';
import { triggerFlow } from '../support/flows.ts';
import { proxyWithout } from '../support/missing-paths-proxy.ts';

const at = (y: number) => ({ offset: { x: 0, y } });
const ROUNDS = 2000;
const PAUSE_EVERY = 250;

/**
 * Counts to ROUNDS (three steps a round: 6000 steps and more), then asks and waits for the reply. Every
 * PAUSE_EVERY rounds it waits for a message to go on: one sprint of thousands of steps overflows the
 * engine's stack.
 */
const counting = triggerFlow('counting', 'incomingMessage', 'count', [
  { name: 'count', type: 'set-variables', properties: { ...at(100), variables: [{ key: 'n', value: '{{flow.variables.n | default: 0 | plus: 1}}' }] }, transitions: [{ event: 'next', next: 'enough' }] },
  {
    name: 'enough',
    type: 'split-based-on',
    properties: { ...at(200), input: '{{flow.variables.n}}' },
    transitions: [
      { event: 'noMatch', next: 'breather' },
      { event: 'match', next: 'ask', conditions: [{ friendly_name: 'done', arguments: ['{{flow.variables.n}}'], type: 'greater_than', value: String(ROUNDS - 1) }] },
    ],
  },
  {
    name: 'breather',
    type: 'split-based-on',
    properties: { ...at(300), input: `{{flow.variables.n | modulo: ${PAUSE_EVERY}}}` },
    transitions: [
      { event: 'noMatch', next: 'count' },
      { event: 'match', next: 'pause', conditions: [{ friendly_name: 'pause', arguments: [`{{flow.variables.n | modulo: ${PAUSE_EVERY}}}`], type: 'equal_to', value: '0' }] },
    ],
  },
  { name: 'pause', type: 'send-and-wait-for-reply', properties: { ...at(400), from: '{{flow.channel.address}}', body: 'More?', timeout: '3600' }, transitions: [{ event: 'incomingMessage', next: 'count' }, { event: 'timeout' }, { event: 'deliveryFailure' }] },
  { name: 'ask', type: 'send-and-wait-for-reply', properties: { ...at(500), from: '{{flow.channel.address}}', body: 'Done counting. Name?', timeout: '3600' }, transitions: [{ event: 'incomingMessage' }, { event: 'timeout' }, { event: 'deliveryFailure' }] },
]);

describe('executions show: an active execution with more than 5000 steps', () => {
  let s: TestServer;
  let older: { baseUrl: string; close: () => Promise<void> };
  let flowSid = '';
  let sid = '';
  const cli = (args: string[], baseUrl = s.baseUrl) => runCliInProcess(executionsCommand, [...args, '--base-url', baseUrl, '--account-sid', s.account.sid, '--auth-token', s.account.authToken], process.cwd());

  before(async () => {
    s = await startTestServer({ listen: true, config: { maxSteps: 10_000 } });
    // An older Switchboard, without ExecutionSummaries: the steps must decide.
    older = await proxyWithout(s.baseUrl, (path) => path.includes('/ExecutionSummaries'));
    flowSid = (await s.app.flows.create(s.account.sid, { friendlyName: 'counting', status: 'published', definition: counting })).sid;
    const text = async () => {
      const res = await s.app.server.inject({ method: 'POST', url: `/simulator/Flows/${flowSid}/Messages`, headers: { authorization: s.auth, ...FORM }, payload: form({ From: '+15551230001', Body: 'go' }) });
      assert.equal(res.statusCode, 201, res.body);
      await s.app.executions.idle();
      return res.json();
    };
    sid = (await text()).execution_sid;
    for (let i = 0; i < ROUNDS / PAUSE_EVERY - 1; i++) assert.equal((await text()).execution_sid, sid);
    const stored = await s.app.store.getExecution(s.account.sid, flowSid, sid);
    assert.equal(stored?.status, 'active');
    const steps = (stored?.state as { stepCount?: number } | undefined)?.stepCount ?? 0;
    assert.ok(steps > 6000, `only ${steps} steps`);
  });
  after(async () => {
    await older?.close();
    await s?.close();
  });

  it('says the widget it waits at, from the server', async () => {
    const show = await cli(['show', sid, '--flow', flowSid]);
    assert.equal(show.code, 0, show.stderr);
    assert.match(show.stdout, /^ {2}status: {3}active\n {2}waiting: {2}at ask\n/m);
    const json = JSON.parse((await cli(['show', sid, '--flow', flowSid, '--json'])).stdout);
    assert.deepEqual(json.waitingAt, { widget: 'ask', subflowPath: [] });
  });

  it('executions steps lists every step, past the 5000 it read once', async () => {
    const listed = JSON.parse((await cli(['steps', sid, '--flow', flowSid, '--json'])).stdout) as { transitionedTo: string }[];
    const stored = await s.app.store.getExecution(s.account.sid, flowSid, sid);
    assert.equal(listed.length, (stored?.state as { stepCount: number }).stepCount);
    assert.ok(listed.some((step) => step.transitionedTo === 'ask'), 'the step into ask, past the 5000th, is listed');
  });

  it('test --record records the whole execution: its path ends where it waits, every reply an input', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-record-long-'));
    try {
      const record = await runCliInProcess(
        testCommand,
        ['--record', '--flow', flowSid, '--execution', sid, '--out', 'long.test.yaml', '--base-url', s.baseUrl, '--account-sid', s.account.sid, '--auth-token', s.account.authToken],
        dir,
      );
      assert.equal(record.code, 0, record.stderr);
      const recorded = parseYaml(readFileSync(join(dir, 'long.test.yaml'), 'utf8'));
      const tests = (recorded.tests ?? [recorded]) as { expect: { path: string[] } }[];
      const path = tests[0]!.expect.path;
      assert.equal(path.at(-1), 'ask');
      assert.equal(path.filter((widget) => widget === 'pause').length, ROUNDS / PAUSE_EVERY - 1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('says the widget it waits at from all its steps, on a server without the summaries', async () => {
    const json = JSON.parse((await cli(['show', sid, '--flow', flowSid, '--json'], older.baseUrl)).stdout);
    assert.deepEqual(json.waitingAt, { widget: 'ask', subflowPath: [] });
  });
});

describe('WaitingTracker', () => {
  it('keeps the newest main-flow step and the subflow steps under it', () => {
    const tracker = new WaitingTracker();
    const step = (sid: string, to: string, parent: string | null = null) => tracker.add({ sid, transitionedTo: to, parentStepSid: parent });
    step('a', 'run_sub');
    step('b', 'sub_ask', 'a');
    assert.deepEqual(tracker.waiting, { widget: 'sub_ask', subflowPath: ['run_sub'] });
    step('c', 'after');
    // A step under an older main-flow step changes nothing.
    step('d', 'late', 'a');
    assert.deepEqual(tracker.waiting, { widget: 'after', subflowPath: [] });
    assert.equal(tracker.last?.sid, 'c');
  });
});
