// The runner on hundreds of generated flows (no timing assertions; speed belongs in benchmarks):
// each flow is a chain of set-variables, a question, a split on the reply and an HTTP call, with a
// test file whose expectations follow from the generator. Every test must pass and every flow must
// get its own coverage entry.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { runFiles } from '../../src/flowtest/runner.ts';
import { textReport } from '../../src/flowtest/reporters.ts';

const FLOWS = 300;

function flow(i: number) {
  const steps = (i % 5) + 1; // 1–5 set-variables widgets
  const states: object[] = [
    { name: 'Trigger', type: 'trigger', transitions: [{ event: 'incomingMessage', next: 'v0' }, { event: 'incomingRequest', next: 'v0' }], properties: {} },
  ];
  for (let s = 0; s < steps; s++) {
    states.push({ name: `v${s}`, type: 'set-variables', transitions: [{ event: 'next', next: s + 1 < steps ? `v${s + 1}` : 'ask' }], properties: { variables: [{ key: `k${s}`, value: `{{flow.variables.k${s - 1} | default: ${i}}}-${s}` }] } });
  }
  states.push(
    { name: 'ask', type: 'send-and-wait-for-reply', transitions: [{ event: 'incomingMessage', next: 'route' }, { event: 'timeout', next: 'bye' }, { event: 'deliveryFailure' }], properties: { from: '{{flow.channel.address}}', body: `Flow ${i}: yes or no?`, timeout: String(60 * (i % 7 + 1)) } },
    {
      name: 'route',
      type: 'split-based-on',
      transitions: [
        { event: 'noMatch', next: 'bye' },
        { event: 'match', next: 'call', conditions: [{ friendly_name: 'yes', arguments: ['{{widgets.ask.inbound.Body}}'], type: 'equal_to', value: 'yes' }] },
      ],
      properties: { input: '{{widgets.ask.inbound.Body}}' },
    },
    { name: 'call', type: 'make-http-request', transitions: [{ event: 'success', next: 'done' }, { event: 'failed', next: 'bye' }], properties: { method: 'POST', url: `https://api.example.com/flows/${i}`, content_type: 'application/json;charset=utf-8', body: '{"n": {{flow.variables.k0}}}' } },
    { name: 'done', type: 'send-message', transitions: [{ event: 'sent' }, { event: 'failed' }], properties: { from: '{{flow.channel.address}}', to: '{{contact.channel.address}}', body: 'Done: {{widgets.call.parsed.ref}}' } },
    { name: 'bye', type: 'send-message', transitions: [{ event: 'sent' }, { event: 'failed' }], properties: { from: '{{flow.channel.address}}', to: '{{contact.channel.address}}', body: 'Bye' } },
  );
  return { description: `generated ${i}`, initial_state: 'Trigger', states, flags: { allow_concurrent_calls: true } };
}

function tests(i: number) {
  const sets = Array.from({ length: (i % 5) + 1 }, (_, s) => `v${s}`);
  return {
    flow: `flow-${i}.json`,
    mocks: { http: [{ method: 'POST', url: `https://api.example.com/flows/${i}`, body: { ref: `R${i}` } }] },
    tests: [
      { name: 'yes', trigger: { message: { body: 'hi' } }, script: [{ send: 'yes' }], expect: { messages: [`Flow ${i}: yes or no?`, `Done: R${i}`], path: ['Trigger', ...sets, 'ask', 'route', 'call', 'done'], variables: { k0: `${i}-0` }, end: 'completed' } },
      { name: 'no', trigger: { request: { parameters: { n: i } } }, script: [{ send: 'no' }], expect: { messages: [`Flow ${i}: yes or no?`, 'Bye'], data: { n: i }, end: 'completed' } },
      { name: 'timeout', trigger: { message: { body: 'hi' } }, script: [{ wait: `${60 * (i % 7 + 1)}s` }], expect: { messages: [`Flow ${i}: yes or no?`, 'Bye'], steps: [`Trigger -incomingMessage-> v0`, ...sets.map((s, n) => `${s} -next-> ${sets[n + 1] ?? 'ask'}`), 'ask -timeout-> bye', 'bye -sent-> Ended'] } },
    ],
  };
}

describe('runner at scale', () => {
  it(`runs ${FLOWS} generated flows (${FLOWS * 3} tests), all passing, with coverage for each flow`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-scale-'));
    try {
      const files: string[] = [];
      for (let i = 0; i < FLOWS; i++) {
        writeFileSync(join(dir, `flow-${i}.json`), JSON.stringify(flow(i)));
        const file = join(dir, `flow-${i}.test.yaml`);
        writeFileSync(file, stringify(tests(i)));
        files.push(file);
      }
      const summary = runFiles(files);
      assert.equal(summary.failed, 0, textReport({ ...summary, results: summary.results.filter((r) => r.status === 'failed').slice(0, 5) }));
      assert.equal(summary.passed, FLOWS * 3);
      assert.equal(summary.coverage.length, FLOWS);
      for (const c of summary.coverage) {
        assert.equal(c.widgets.missed.length, 0, `${c.flow}: ${c.widgets.missed.join(', ')}`);
        // Only the never-failing branches stay untaken: deliveryFailure, call.failed, done.failed, bye.failed.
        assert.deepEqual(c.transitions.missed.map((t) => `${t.widget}.${t.event}`).sort(), ['ask.deliveryFailure', 'bye.failed', 'call.failed', 'done.failed']);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
