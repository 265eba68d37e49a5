// A TwiML Redirect hands the call to another app: on Twilio the call stays up under it, and the app
// hands it back with FlowEvent=return (its query parameters become outputs) or the widget's timer
// fires. A flow test used to end the call at the widget ("TwiML ran out"), so neither `return` nor
// `timeout` could be tested; now `wait:` fires the timer and the `return:` step hands the call back.
// Replay and --record recover both from the steps.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { play } from '../../src/flowtest/run-test.ts';
import { runFiles } from '../../src/flowtest/runner.ts';
import { textReport } from '../../src/flowtest/reporters.ts';
import { replayExecution, replayText } from '../../src/flowtest/replay.ts';
import { testFromRecording } from '../../src/flowtest/record.ts';
import { deriveInputs } from '../../src/flowtest/derive.ts';
import type { FlowDefinition } from '../../src/definition/types.ts';
import type { JsonObject } from '../../src/engine/types.ts';
import type { TestCase } from '../../src/flowtest/types.ts';

const say = (name: string, text: string, y: number) => ({ name, type: 'say-play', transitions: [{ event: 'audioComplete' }], properties: { offset: { x: 0, y }, say: text } });
const send = (name: string, body: string, y: number) => ({
  name,
  type: 'send-message',
  transitions: [{ event: 'sent' }, { event: 'failed' }],
  properties: { offset: { x: 400, y }, from: '{{flow.channel.address}}', to: '{{contact.channel.address}}', body },
});

const definition = {
  description: 'hand the call to an IVR app',
  initial_state: 'Trigger',
  flags: { allow_concurrent_calls: true },
  states: [
    { name: 'Trigger', type: 'trigger', transitions: [{ event: 'incomingMessage', next: 'chatApp' }, { event: 'incomingCall', next: 'ivrApp' }, { event: 'incomingRequest' }], properties: { offset: { x: 0, y: 0 } } },
    {
      name: 'ivrApp',
      type: 'add-twiml-redirect',
      transitions: [{ event: 'return', next: 'back' }, { event: 'timeout', next: 'late' }, { event: 'fail' }],
      properties: { offset: { x: 0, y: 100 }, url: 'https://ivr.example.com/start', method: 'POST', timeout: '60' },
    },
    say('back', 'Welcome back {{widgets.ivrApp.customer}}', 200),
    say('late', 'The app did not answer', 200),
    {
      name: 'chatApp',
      type: 'add-twiml-redirect',
      transitions: [{ event: 'return', next: 'chatBack' }, { event: 'timeout', next: 'chatLate' }, { event: 'fail' }],
      properties: { offset: { x: 400, y: 100 }, url: 'https://bot.example.com/sms', method: 'POST', timeout: '300' },
    },
    send('chatBack', 'Back from the bot: {{widgets.chatApp.topic}}', 200),
    send('chatLate', 'The bot did not answer', 300),
  ],
} as unknown as FlowDefinition;

const flow = { path: 'redirect.json', definition, warnings: [] };
const run = (test: Omit<TestCase, 'name'>) => play({ file: 'x', flow, test: { name: 't', ...test }, subflows: new Map() });

describe('TwiML Redirect in flow tests', () => {
  it('the call stays with the app until `return:` hands it back; its parameters become outputs', () => {
    const { sim, failures } = run({ trigger: { call: {} } });
    assert.deepEqual(failures, []);
    assert.equal(sim.observation().end, 'waiting', 'the call is with the app, not over');
    const back = run({ trigger: { call: {} }, script: [{ return: { customer: 'Ann' } }] });
    assert.deepEqual(back.failures, []);
    const seen = back.sim.observation();
    assert.deepEqual(seen.path, ['Trigger', 'ivrApp', 'back']);
    assert.deepEqual(seen.heard, ['Welcome back Ann']);
    assert.deepEqual((seen.context.widgets as JsonObject).ivrApp, { customer: 'Ann' });
  });

  it('`wait:` past the timeout takes `timeout`', () => {
    const early = run({ trigger: { call: {} }, script: [{ wait: '59s' }] });
    assert.equal(early.sim.observation().end, 'waiting');
    const { sim } = run({ trigger: { call: {} }, script: [{ wait: '60s' }] });
    assert.deepEqual(sim.observation().path, ['Trigger', 'ivrApp', 'late']);
    assert.deepEqual(sim.observation().heard, ['The app did not answer']);
  });

  it("a message execution's TwiML Redirect waits too, and `return: true` hands it back", () => {
    const { sim, failures } = run({ trigger: { message: { body: 'hi' } }, script: [{ return: { topic: 'billing' } }] });
    assert.deepEqual(failures, []);
    assert.deepEqual(sim.observation().messages.map((m) => m.body), ['Back from the bot: billing']);
    const late = run({ trigger: { message: { body: 'hi' } }, script: [{ wait: '5m' }] });
    assert.deepEqual(late.sim.observation().messages.map((m) => m.body), ['The bot did not answer']);
  });

  it('`return:` with nothing waiting fails the test', () => {
    const { failures } = run({ trigger: { call: {} }, script: [{ return: true }, { return: true }] });
    assert.equal(failures.length, 1);
    assert.match(failures[0]!.message, /script\[1\].*the execution already ended|no TwiML Redirect is waiting/);
  });

  it('in a test file (schema: return is true or a map of strings)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-redirect-'));
    try {
      writeFileSync(join(dir, 'redirect.json'), JSON.stringify(definition));
      writeFileSync(
        join(dir, 'redirect.test.yaml'),
        [
          'flow: redirect.json',
          'tests:',
          '  - name: the IVR app hands the call back',
          '    trigger: { call: {} }',
          '    script:',
          '      - return: { customer: Ann }',
          '    expect: { heard: ["Welcome back Ann"], widgets: { ivrApp: { customer: Ann } }, end: completed }',
          '  - name: the IVR app keeps the call',
          '    trigger: { call: {} }',
          '    script: [{ wait: 2m }]',
          '    expect: { path: [Trigger, ivrApp, late] }',
          '  - name: the bot hands the message back',
          '    trigger: { message: { body: hi } }',
          '    script: [{ return: true }]',
          '    expect: { messages: ["Back from the bot: "] }',
          '',
        ].join('\n'),
      );
      const summary = runFiles([join(dir, 'redirect.test.yaml')]);
      assert.equal(summary.failed, 0, textReport(summary));
      assert.equal(summary.passed, 3);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('replay and --record recover the return (with its parameters) and the timeout', () => {
    for (const script of [[{ return: { customer: 'Ann' } }], [{ wait: '60s' }]] as TestCase['script'][]) {
      const { sim } = run({ trigger: { call: {} }, script });
      const steps = sim.recordedSteps;
      const context = sim.observation().context;
      const inputs = deriveInputs(context.trigger as JsonObject, steps, { definition });
      assert.deepEqual(inputs.script, script);
      const source = { executionSid: 'FN' + 'a'.repeat(32), flowSid: 'FW' + 'a'.repeat(32), revision: 1, context, steps, endedManually: false, ended: !sim.active };
      const report = replayExecution(source, { revision: 1, definition });
      assert.equal(report.diverged, false, replayText(report));
      const recorded = testFromRecording({ executionSid: source.executionSid, status: sim.active ? 'active' : 'ended', context, steps, definition }, { flowPath: 'redirect.json' });
      assert.deepEqual(recorded.tests[0]!.script, script);
    }
  });

  it('replay and --record recover a Liquid timeout from when it fired, and the hand-off of timeout "0"', () => {
    // On a call the app keeps the caller (the simulated call ends there); a message execution hands off.
    for (const [widget, timeout, trigger, script] of [
      ['ivrApp', '{{ 30 | plus: 30 }}', { call: {} }, [{ wait: '60s' }]],
      ['chatApp', '0', { message: { body: 'hi' } }, [{ wait: '5s' }]],
    ] as [string, string, TestCase['trigger'], TestCase['script']][]) {
      const variant = structuredClone(definition) as unknown as { states: { name: string; properties: Record<string, unknown> }[] };
      variant.states.find((s) => s.name === widget)!.properties.timeout = timeout;
      const def = variant as unknown as FlowDefinition;
      const { sim } = play({ file: 'x', flow: { path: 'redirect.json', definition: def, warnings: [] }, test: { name: 't', trigger, script }, subflows: new Map() });
      // As the store keeps them: with their times (the simulation's own steps have them).
      const steps = sim.recordedSteps.map((step, i) => ({ ...step, at: sim.steps[i]!.at }));
      assert.ok(steps.some((s) => s.from === widget && s.event === (timeout === '0' ? 'handedOff' : 'timeout')), JSON.stringify(steps));
      const context = sim.observation().context;
      const inputs = deriveInputs(context.trigger as JsonObject, steps, { definition: def, startedAt: steps[0]?.at });
      assert.deepEqual(inputs.script, script);
      const source = { executionSid: 'FN' + 'a'.repeat(32), flowSid: 'FW' + 'a'.repeat(32), revision: 1, context, steps, endedManually: false, ended: !sim.active };
      const report = replayExecution(source, { revision: 1, definition: def });
      assert.equal(report.diverged, false, replayText(report));
    }
  });
});
