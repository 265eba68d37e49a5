// Answers that take time arrive on the simulated clock as they would on a server, and what the script
// does meanwhile meets the flow still waiting for them:
//   - a `calls` mock that nobody answers (no-answer) rings for the widget's timeout first (60 s when it
//     sets none), as the simulator phone rings it; busy, failed and canceled end at once, as the phone's
//     Reject does;
//   - a mock's `delay` keeps the request out: a text the script sends within it reaches the flow in the
//     request's widget, which ignores it (81002) as a server does, and the run notes it; a caller on hold
//     acts once the flow talks to them again.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runFiles } from '../../src/flowtest/runner.ts';
import { textReport } from '../../src/flowtest/reporters.ts';
import type { TestResult } from '../../src/flowtest/run-test.ts';
import { callThenTextFlow } from '../support/flows.ts';

const say = (name: string, body: string, next?: string) => ({
  name,
  type: 'send-message',
  transitions: [{ event: 'sent', ...(next ? { next } : {}) }, { event: 'failed' }],
  properties: { offset: { x: 0, y: 300 }, from: '{{flow.channel.address}}', to: '{{contact.channel.address}}', body },
});

const TIME = "{{ 'now' | date: '%H:%M:%S' }}";

const callFlow = (timeout?: number) =>
  callThenTextFlow('call the contact, text them how it went', {
    widgets: { answered: 'answered', busy: 'busy', noAnswer: 'noAnswer', failed: 'failed' },
    timeout,
    body: (name) => `${name} {{widgets.dial.CallStatus}} at ${TIME}`,
  });

const HTTP_THEN_ASK = {
  description: 'a slow request, then a question',
  initial_state: 'Trigger',
  flags: { allow_concurrent_calls: true },
  states: [
    { name: 'Trigger', type: 'trigger', transitions: [{ event: 'incomingRequest', next: 'http' }], properties: { offset: { x: 0, y: 0 } } },
    {
      name: 'http',
      type: 'make-http-request',
      transitions: [{ event: 'success', next: 'ask' }, { event: 'failed' }],
      properties: { offset: { x: 0, y: 100 }, method: 'GET', url: 'https://api.example.com/slow', content_type: 'application/json;charset=utf-8' },
    },
    {
      name: 'ask',
      type: 'send-and-wait-for-reply',
      transitions: [{ event: 'incomingMessage', next: 'thanks' }, { event: 'timeout' }, { event: 'deliveryFailure' }],
      properties: { offset: { x: 0, y: 200 }, from: '{{flow.channel.address}}', body: `question at ${TIME}`, timeout: '60' },
    },
    say('thanks', 'thanks for {{widgets.ask.inbound.Body}}'),
  ],
};

const IVR_WITH_LOOKUP = {
  description: 'a menu, a slow lookup, another menu',
  initial_state: 'Trigger',
  flags: { allow_concurrent_calls: true },
  states: [
    { name: 'Trigger', type: 'trigger', transitions: [{ event: 'incomingCall', next: 'menu' }], properties: { offset: { x: 0, y: 0 } } },
    { name: 'menu', type: 'gather-input-on-call', transitions: [{ event: 'keypress', next: 'lookup' }, { event: 'speech' }, { event: 'timeout' }], properties: { offset: { x: 0, y: 100 }, say: 'Account number?' } },
    {
      name: 'lookup',
      type: 'make-http-request',
      transitions: [{ event: 'success', next: 'confirm' }, { event: 'failed' }],
      properties: { offset: { x: 0, y: 200 }, method: 'GET', url: 'https://api.example.com/account', content_type: 'application/json;charset=utf-8' },
    },
    { name: 'confirm', type: 'gather-input-on-call', transitions: [{ event: 'keypress' }, { event: 'speech' }, { event: 'timeout' }], properties: { offset: { x: 0, y: 300 }, say: 'Press 1 to confirm' } },
  ],
};

/** Runs `tests` (YAML, the list under `tests:`) against `flow`; the results. */
function run(flow: unknown, tests: string): TestResult[] {
  const dir = mkdtempSync(join(tmpdir(), 'sb-in-flight-'));
  try {
    writeFileSync(join(dir, 'flow.json'), JSON.stringify(flow));
    const file = join(dir, 'x.test.yaml');
    writeFileSync(file, `flow: flow.json\ntests:\n${tests}`);
    const summary = runFiles([file]);
    for (const result of summary.results) assert.deepEqual(result.observation?.problems ?? [], [], textReport(summary));
    return summary.results;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const bodies = (result: TestResult) => result.observation!.messages.map((m) => m.body);

describe('a call nobody answers rings for the widget\'s timeout, as on the server', () => {
  it('no-answer: noAnswer comes after the timeout (5 s), or after 60 s when the widget sets none', () => {
    const [five] = run(callFlow(5), '  - name: rings out\n    trigger: { request: {} }\n    mocks: { calls: [{ answer: no-answer }] }\n');
    assert.deepEqual(bodies(five!), ['noAnswer no-answer at 09:00:05']);
    const [sixty] = run(callFlow(), '  - name: rings out\n    trigger: { request: {} }\n    mocks: { calls: [{ answer: no-answer }] }\n');
    assert.deepEqual(bodies(sixty!), ['noAnswer no-answer at 09:01:00']);
  });

  it('busy, failed and canceled end at once, as the phone\'s Reject; an answer comes at once', () => {
    for (const [answer, event] of [['busy', 'busy'], ['failed', 'failed'], ['canceled', 'failed']] as const) {
      const [result] = run(callFlow(5), `  - name: ${answer}\n    trigger: { request: {} }\n    mocks: { calls: [{ answer: ${answer} }] }\n`);
      assert.deepEqual(bodies(result!), [`${event} ${answer} at 09:00:00`]);
    }
    const [answered] = run(callFlow(5), '  - name: answered\n    trigger: { request: {} }\n');
    assert.deepEqual(answered!.observation!.path, ['Trigger', 'dial', 'answered']);
  });

  it('a text while the call rings reaches the flow in the call widget: ignored, and noted', () => {
    const [result] = run(callFlow(5), '  - name: texts meanwhile\n    trigger: { request: {} }\n    mocks: { calls: [{ answer: no-answer }] }\n    script:\n      - wait: 2s\n      - send: hello\n');
    assert.deepEqual(bodies(result!), ['noAnswer no-answer at 09:00:05']);
    assert.ok(result!.observation!.diagnostics.some((d) => d.code === 81002), JSON.stringify(result!.observation!.diagnostics));
    assert.match(result!.notes?.join('\n') ?? '', /script\[1\] \(send: "hello"\) came while the call widget 'dial' placed was ringing \(2 s into its 5 s timeout\)/);
  });
});

describe('a delayed response is on its way while the script goes on, as on the server', () => {
  const mocks = "    mocks: { http: [{ url: 'https://api.example.com/slow', body: {}, delay: 4s }] }\n";

  it('a reply 1 s into a 4 s request is ignored (81002), and the run says why; the question then waits', () => {
    const [result] = run(HTTP_THEN_ASK, `  - name: replies too soon\n    trigger: { request: {} }\n${mocks}    script:\n      - wait: 1s\n      - send: pizza\n`);
    const observed = result!.observation!;
    assert.deepEqual(observed.path, ['Trigger', 'http', 'ask']);
    assert.equal(observed.end, 'waiting');
    assert.deepEqual(bodies(result!), ['question at 09:00:04']);
    assert.ok(observed.diagnostics.some((d) => d.code === 81002 && d.widget === 'http'), JSON.stringify(observed.diagnostics));
    assert.deepEqual(result!.notes, [
      "script[1] (send: \"pizza\") came while the request of widget 'http' was out (1 s into its 4 s mock's `delay`): the flow was not waiting for a message, so it ignored it (81002), as a server does; to act after the answer, `wait: 3s` first",
    ]);
  });

  it('a reply after the response answers the question; with no script the response still arrives', () => {
    const [after] = run(HTTP_THEN_ASK, `  - name: replies after\n    trigger: { request: {} }\n${mocks}    script:\n      - wait: 5s\n      - send: pizza\n`);
    assert.deepEqual(bodies(after!), ['question at 09:00:04', 'thanks for pizza']);
    assert.equal(after!.notes, undefined);
    const [quiet] = run(HTTP_THEN_ASK, `  - name: no script\n    trigger: { request: {} }\n${mocks}`);
    assert.deepEqual(bodies(quiet!), ['question at 09:00:04']);
  });

  it('an inline expect within the delay sees the flow in the request\'s widget', () => {
    const [result] = run(HTTP_THEN_ASK, `  - name: looks meanwhile\n    trigger: { request: {} }\n${mocks}    script:\n      - wait: 1s\n      - expect: { path: [Trigger, http], messages: [] }\n      - wait: 3s\n      - expect: { path: [Trigger, http, ask] }\n`);
    assert.equal(result!.status, 'passed', JSON.stringify(result!.failures));
  });

  it('a caller on hold during a lookup presses keys once the flow asks again', () => {
    const [result] = run(
      IVR_WITH_LOOKUP,
      "  - name: two menus\n    trigger: { call: {} }\n    mocks: { http: [{ url: 'https://api.example.com/account', body: {}, delay: 3s }] }\n    script:\n      - digits: '42'\n      - digits: '1'\n",
    );
    assert.equal(result!.status, 'passed', JSON.stringify(result!.failures));
    assert.deepEqual(result!.observation!.steps.map((s) => `${s.from} -${s.event}->`), ['Trigger -incomingCall->', 'menu -keypress->', 'lookup -success->', 'confirm -keypress->']);
    assert.equal(result!.observation!.steps.at(-1)!.at - result!.observation!.steps[0]!.at, 3000);
  });
});
