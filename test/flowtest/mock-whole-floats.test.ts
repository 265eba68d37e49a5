// A mock body given as an object keeps the floats the test file writes (`price: 10.0`): the engine reads an HTTP
// response's 10.0 as Ruby's JSON does, a float printing `10.0`, so a flow test agrees with the API it stands in for.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runFiles } from '../../src/flowtest/runner.ts';
import { textReport } from '../../src/flowtest/reporters.ts';
import { parseTestFile } from '../../src/flowtest/load.ts';

const flow = {
  description: 'price',
  initial_state: 'Trigger',
  flags: { allow_concurrent_calls: true },
  states: [
    { name: 'Trigger', type: 'trigger', transitions: [{ event: 'incomingMessage', next: 'quote' }, { event: 'incomingCall' }, { event: 'incomingRequest' }], properties: { offset: { x: 0, y: 0 } } },
    { name: 'quote', type: 'make-http-request', transitions: [{ event: 'success', next: 'tell' }, { event: 'failed' }], properties: { offset: { x: 0, y: 100 }, method: 'GET', content_type: 'application/json', url: 'https://api.example.com/quote' } },
    {
      name: 'tell',
      type: 'send-message',
      transitions: [{ event: 'sent' }, { event: 'failed' }],
      properties: { offset: { x: 0, y: 200 }, from: '{{flow.channel.address}}', to: '{{contact.channel.address}}', body: '{{widgets.quote.parsed.price}} {{widgets.quote.parsed.items[0].qty}} {{widgets.quote.parsed.count}} {{widgets.quote.parsed.rate}}' },
    },
  ],
};

function run(name: string, text: string): ReturnType<typeof runFiles> {
  const dir = mkdtempSync(join(tmpdir(), 'sb-floats-'));
  try {
    writeFileSync(join(dir, 'flow.json'), JSON.stringify(flow));
    writeFileSync(join(dir, name), text);
    return runFiles([join(dir, name)]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('flow test mock bodies keep the floats the file writes', () => {
  it('YAML: 10.0 and 1e3 reach the flow as floats, 3 as an integer, 2.5 as it is', () => {
    const summary = run('quote.test.yaml', [
      'flow: flow.json',
      'tests:',
      '  - name: prints the price as the API writes it',
      '    trigger: { message: { body: hi } }',
      '    mocks:',
      '      http:',
      '        - { url: "https://api.example.com/quote", body: { price: 10.0, items: [{ qty: 1e3 }], count: 3, rate: 2.5 } }',
      '    expect:',
      '      messages: ["10.0 1000.0 3 2.5"]',
      '',
    ].join('\n'));
    assert.equal(summary.failed, 0, textReport(summary));
    assert.equal(summary.passed, 1);
  });

  it('JSON: the same', () => {
    const file = {
      flow: 'flow.json',
      tests: [{ name: 'prints the price as the API writes it', trigger: { message: { body: 'hi' } }, mocks: { http: [{ url: 'https://api.example.com/quote', body: 'BODY' }] }, expect: { messages: ['10.0 1000.0 3 2.5'] } }],
    };
    const text = JSON.stringify(file).replace('"BODY"', '{"price": 10.0, "items": [{"qty": 1E3}], "count": 3, "rate": 2.5}');
    const summary = run('quote.test.json', text);
    assert.equal(summary.failed, 0, textReport(summary));
    assert.equal(summary.passed, 1);
  });

  it('the parsed file holds plain numbers (schema checks and expectations see 10)', () => {
    const parsed = parseTestFile('x.test.yaml', 'flow: f.json\ntests:\n  - name: n\n    trigger: { message: { body: hi } }\n    mocks: { http: [{ url: "u", body: { price: 10.0 } }] }\n');
    const body = (parsed.file.tests[0]!.mocks!.http![0] as { body: { price: unknown } }).body;
    assert.equal(body.price, 10);
  });
});
