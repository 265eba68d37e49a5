// Keys a Gather does not take (past its number of digits, after its finish key) and words into a Gather
// that listens for keys only were dropped without a word: a `digits: "12"` meant for two menus passed
// '1' to the first and nothing to the second. The test now notes what the caller said that was not heard.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runFiles } from '../../src/flowtest/runner.ts';
import { textReport } from '../../src/flowtest/reporters.ts';

const at = { offset: { x: 0, y: 0 } };
const flow = {
  description: 'two menus',
  initial_state: 'Trigger',
  flags: { allow_concurrent_calls: true },
  states: [
    { name: 'Trigger', type: 'trigger', transitions: [{ event: 'incomingMessage' }, { event: 'incomingCall', next: 'menu' }, { event: 'incomingRequest' }], properties: at },
    { name: 'menu', type: 'gather-input-on-call', transitions: [{ event: 'keypress', next: 'pin' }, { event: 'speech' }, { event: 'timeout' }], properties: { ...at, say: 'Press 1', number_of_digits: 1, timeout: 5 } },
    { name: 'pin', type: 'gather-input-on-call', transitions: [{ event: 'keypress', next: 'bye' }, { event: 'speech' }, { event: 'timeout', next: 'bye' }], properties: { ...at, say: 'Your PIN, then hash', finish_on_key: '#', timeout: 5 } },
    { name: 'bye', type: 'say-play', transitions: [{ event: 'audioComplete' }], properties: { ...at, say: 'Bye' } },
  ],
};

function notes(script: string[]): { notes: string[]; report: string; widgets: Record<string, Record<string, unknown>> } {
  const dir = mkdtempSync(join(tmpdir(), 'sb-unheard-'));
  try {
    writeFileSync(join(dir, 'flow.json'), JSON.stringify(flow));
    const file = join(dir, 'menu.test.yaml');
    writeFileSync(file, ['flow: flow.json', 'tests:', '  - name: menus', '    trigger: { call: { from: "+15551230001" } }', '    script:', ...script.map((s) => `      - ${s}`), ''].join('\n'));
    const summary = runFiles([file]);
    const context = summary.results[0]!.observation?.context as { widgets?: Record<string, Record<string, unknown>> } | undefined;
    return { notes: summary.results[0]!.notes ?? [], report: textReport(summary), widgets: context?.widgets ?? {} };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('what the caller says that no Gather hears', () => {
  it('keys past the number of digits or the finish key are noted', () => {
    assert.deepEqual(notes(['digits: "12"', 'digits: "4321#9"']).notes, [
      `script[0] (digits: "12"): the Gather ended after 1 key (its number of digits): '2' was not heard (give the next Gather its keys in a digits step of their own)`,
      `script[1] (digits: "4321#9"): the Gather ended after its finish key '#': '9' was not heard (give the next Gather its keys in a digits step of their own)`,
    ]);
  });

  it('words into a keys-only Gather are noted; a finish key after the last digit is not', () => {
    const run = notes(['digits: "1#"', 'speech: "one two three"']);
    // The Gather ended at its one digit: the '#' after it did not end it (no FinishedOnKey).
    assert.deepEqual([run.widgets.menu?.Digits, run.widgets.menu?.FinishedOnKey], ['1', '']);
    assert.deepEqual(run.notes, [
      `script[1] (speech: "one two three"): the Gather listens for keys only (its flow wires no 'speech' transition), so the words were not heard and it timed out`,
    ]);
    assert.deepEqual(notes(['digits: "1"', 'digits: "4321#"']).notes, []);
  });
});
