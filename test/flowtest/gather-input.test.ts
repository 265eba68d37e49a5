// Flow tests drive a Gather as Twilio would carry out its TwiML: words spoken into a menu that listens
// for keys only (its "User said something" unwired) are not heard, so the menu times out; with
// "stop gathering on keypress" off, # is gathered like any other key.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runFiles } from '../../src/flowtest/runner.ts';
import { textReport } from '../../src/flowtest/reporters.ts';

function menuFlow(properties: Record<string, unknown>, wired: string[]): unknown {
  const events = ['keypress', 'speech', 'timeout'];
  return {
    description: 'menu',
    initial_state: 'Trigger',
    flags: { allow_concurrent_calls: true },
    states: [
      { name: 'Trigger', type: 'trigger', transitions: [{ event: 'incomingCall', next: 'menu' }], properties: { offset: { x: 0, y: 0 } } },
      { name: 'menu', type: 'gather-input-on-call', transitions: events.map((event) => (wired.includes(event) ? { event, next: `on_${event}` } : { event })), properties: { offset: { x: 0, y: 100 }, say: 'Press or say one', ...properties } },
      ...wired.map((event) => ({ name: `on_${event}`, type: 'say-play', transitions: [{ event: 'audioComplete' }], properties: { offset: { x: 0, y: 200 }, say: `got ${event}` } })),
    ],
  };
}

function runTest(flow: unknown, test: string[]): ReturnType<typeof runFiles> {
  const dir = mkdtempSync(join(tmpdir(), 'sb-flowtest-gather-'));
  try {
    writeFileSync(join(dir, 'menu.json'), JSON.stringify(flow));
    writeFileSync(join(dir, 'menu.test.yaml'), ['flow: menu.json', 'tests:', ...test].join('\n'));
    return runFiles([join(dir, 'menu.test.yaml')]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('flow tests: gather-input-on-call', () => {
  it('speech into a keys-only menu times out; with speech wired it is speech', () => {
    const keysOnly = runTest(menuFlow({}, ['keypress', 'timeout']), [
      '  - name: words are not heard',
      '    trigger: { call: {} }',
      '    script: [{ speech: "one" }]',
      '    expect: { path: [Trigger, menu, on_timeout], heard: ["Press or say one", "got timeout"] }',
    ]);
    assert.equal(keysOnly.failed, 0, textReport(keysOnly));
    assert.equal(keysOnly.passed, 1);
    const withSpeech = runTest(menuFlow({}, ['keypress', 'speech', 'timeout']), [
      '  - name: words are heard',
      '    trigger: { call: {} }',
      '    script: [{ speech: "one" }]',
      '    expect: { path: [Trigger, menu, on_speech], widgets: { menu: { SpeechResult: "one" } } }',
    ]);
    assert.equal(withSpeech.failed, 0, textReport(withSpeech));
    assert.equal(withSpeech.passed, 1);
  });
  it('stop_gather false: # is an ordinary key', () => {
    const summary = runTest(menuFlow({ stop_gather: false, finish_on_key: '#' }, ['keypress']), [
      '  - name: all keys are gathered',
      '    trigger: { call: {} }',
      '    script: [{ digits: "12#3" }]',
      '    expect: { path: [Trigger, menu, on_keypress], widgets: { menu: { Digits: "12#3", FinishedOnKey: "" } } }',
    ]);
    assert.equal(summary.failed, 0, textReport(summary));
    assert.equal(summary.passed, 1);
  });
});
