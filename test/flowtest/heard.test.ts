// What `heard` lists for a call, as the README says: each Say's text, a Play as "[play URL]", digits
// played as "[digits …]", once each whatever the loop (a Gather's prompt too). The README said only
// "heard (calls)", so a test author wrote the Play's URL alone and could not tell why it failed.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runFiles } from '../../src/flowtest/runner.ts';
import { textReport } from '../../src/flowtest/reporters.ts';

const at = { offset: { x: 0, y: 0 } };
const flow = {
  description: 'what the caller hears',
  initial_state: 'Trigger',
  flags: { allow_concurrent_calls: true },
  states: [
    { name: 'Trigger', type: 'trigger', transitions: [{ event: 'incomingMessage' }, { event: 'incomingCall', next: 'hello' }, { event: 'incomingRequest' }], properties: at },
    { name: 'hello', type: 'say-play', transitions: [{ event: 'audioComplete', next: 'music' }], properties: { ...at, say: 'Hi {{trigger.call.From}}', loop: 2 } },
    { name: 'music', type: 'say-play', transitions: [{ event: 'audioComplete', next: 'tones' }], properties: { ...at, play: 'https://cdn.example.com/hold.mp3', loop: 1 } },
    { name: 'tones', type: 'say-play', transitions: [{ event: 'audioComplete', next: 'ask' }], properties: { ...at, digits: '1w2' } },
    { name: 'ask', type: 'gather-input-on-call', transitions: [{ event: 'keypress' }, { event: 'speech' }, { event: 'timeout' }], properties: { ...at, play: 'https://cdn.example.com/menu.mp3', timeout: 5, number_of_digits: 1 } },
  ],
};

describe('heard', () => {
  it('lists Say text, [play URL] and [digits …], once each', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-heard-'));
    try {
      writeFileSync(join(dir, 'flow.json'), JSON.stringify(flow));
      const file = join(dir, 'heard.test.yaml');
      writeFileSync(
        file,
        [
          'flow: flow.json',
          'tests:',
          '  - name: hears the menu',
          '    trigger: { call: { from: "+15551230001" } }',
          '    script: [{ digits: "1" }]',
          '    expect:',
          '      heard: ["Hi +15551230001", "[play https://cdn.example.com/hold.mp3]", "[digits 1w2]", "[play https://cdn.example.com/menu.mp3]"]',
          '',
        ].join('\n'),
      );
      const summary = runFiles([file]);
      assert.equal(summary.passed, 1, textReport(summary));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
