// `requests` expectations on a Make HTTP Request's body. A failing one showed the request made as
// `POST https://…` only, so a test checking the body could not see the body the flow sent. A JSON
// body could only be checked as its exact text (the template's spaces and newlines) or a /regex/:
// an object matches the body read as JSON, as `widgets` matches outputs.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runFiles } from '../../src/flowtest/runner.ts';
import { textReport } from '../../src/flowtest/reporters.ts';
import { loadTestFile } from '../../src/flowtest/load.ts';
import { updateExpectations } from '../../src/flowtest/update-expectations.ts';
import { readFileSync } from 'node:fs';

const flow = {
  description: 'POST a JSON order',
  initial_state: 'Trigger',
  flags: { allow_concurrent_calls: true },
  states: [
    { name: 'Trigger', type: 'trigger', transitions: [{ event: 'incomingMessage', next: 'post_order' }, { event: 'incomingCall' }, { event: 'incomingRequest' }], properties: { offset: { x: 0, y: 0 } } },
    {
      name: 'post_order',
      type: 'make-http-request',
      transitions: [{ event: 'success', next: 'ok' }, { event: 'failed' }],
      properties: {
        offset: { x: 0, y: 100 },
        method: 'POST',
        content_type: 'application/json;charset=utf-8',
        url: 'https://api.example.com/orders',
        body: '{\n  "item": "{{trigger.message.Body}}",\n  "qty": 2,\n  "customer": { "phone": "{{contact.channel.address}}" }\n}',
      },
    },
    { name: 'ok', type: 'send-message', transitions: [{ event: 'sent' }, { event: 'failed' }], properties: { offset: { x: 0, y: 200 }, from: '{{flow.channel.address}}', to: '{{contact.channel.address}}', body: 'order {{widgets.post_order.parsed.id}}' } },
  ],
};

function run(expectRequests: string, inspect?: (file: string) => void): ReturnType<typeof runFiles> {
  const dir = mkdtempSync(join(tmpdir(), 'sb-request-expect-'));
  try {
    writeFileSync(join(dir, 'flow.json'), JSON.stringify(flow));
    writeFileSync(
      join(dir, 'order.test.yaml'),
      [
        'flow: flow.json',
        'tests:',
        '  - name: posts the order',
        '    trigger: { message: { body: pizza, from: "+15551230001" } }',
        '    mocks:',
        '      http: [{ method: POST, url: "https://api.example.com/orders", status: 201, body: { id: ORD-1 } }]',
        '    expect:',
        `      requests: ${expectRequests}`,
        '',
      ].join('\n'),
    );
    inspect?.(join(dir, 'order.test.yaml'));
    return runFiles([join(dir, 'order.test.yaml')]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('requests expectations', () => {
  it('a failing body shows the body the flow sent, and the widget that sent it', () => {
    const summary = run(`[{ method: POST, url: "https://api.example.com/orders", body: '{"item":"pizza"}' }]`);
    assert.equal(summary.failed, 1);
    const report = textReport(summary, { color: false });
    assert.match(report, /- POST https:\/\/api\.example\.com\/orders body "\{\\"item\\":\\"pizza\\"\}"/, report);
    assert.match(report, /\+ post_order: POST https:\/\/api\.example\.com\/orders body "\{\\n {2}\\"item\\": \\"pizza\\",/, report);
  });

  it('a failing URL alone shows no body', () => {
    const summary = run(`[{ method: POST, url: "https://api.example.com/order" }]`);
    assert.equal(summary.failed, 1);
    const report = textReport(summary, { color: false });
    assert.match(report, /\+ post_order: POST https:\/\/api\.example\.com\/orders\n/, report);
  });

  it('an object body matches the JSON sent: the keys it gives, strings exact or /regex/', () => {
    let loadErrors: unknown;
    const summary = run(`[{ url: "https://api.example.com/orders", body: { item: pizza, qty: 2, customer: { phone: '/^\\+1555/' } } }]`, (file) => {
      try {
        loadTestFile(file);
      } catch (error) {
        loadErrors = error;
      }
    });
    assert.equal(loadErrors, undefined);
    assert.equal(summary.failed, 0, textReport(summary));
    assert.equal(summary.passed, 1);
  });

  it('an object body that differs fails, shows the body sent as JSON and where it differs', () => {
    const summary = run(`[{ url: "https://api.example.com/orders", body: { item: pizza, qty: 3 } }]`);
    assert.equal(summary.failed, 1);
    const report = textReport(summary, { color: false });
    assert.match(report, /- https:\/\/api\.example\.com\/orders body \{"item":"pizza","qty":3\}\n/, report);
    assert.match(report, /\+ post_order: POST https:\/\/api\.example\.com\/orders body \{"item":"pizza","qty":2,"customer":\{"phone":"\+15551230001"\}\}\n/, report);
    assert.match(report, /^ {4}requests\[0\]: body\.qty: expected 3, got 2$/m, report);
    const list = textReport(run(`[{ body: { customer: { phone: "+1", zip: "94110" } } }]`), { color: false });
    assert.match(list, /requests\[0\]: body\.customer\.phone: expected "\+1", got "\+15551230001"/, list);
    // Another request's body is not where this one differs.
    const other = textReport(run(`[{ url: "https://api.example.com/other", body: { qty: 3 } }]`), { color: false });
    assert.doesNotMatch(other, /requests\[0\]:/, other);
  });

  it('an object body never matches a body that is not JSON', () => {
    const summary = run(`[{ url: "https://api.example.com/orders", body: {} }]`);
    assert.equal(summary.passed, 1, textReport(summary));
    const json = flow.states[1]!.properties.body;
    flow.states[1]!.properties.body = 'item={{trigger.message.Body}}';
    try {
      assert.equal(run(`[{ url: "https://api.example.com/orders", body: {} }]`).failed, 1);
    } finally {
      flow.states[1]!.properties.body = json;
    }
  });

  it('--update keeps an object body as an object, with the keys it checks', () => {
    let updated = '';
    run(`[{ url: "https://api.example.com/orders", body: { item: '/burger/', qty: 2, extra: 1 } }]`, (file) => {
      updateExpectations([file], runFiles([file]).results);
      updated = readFileSync(file, 'utf8');
    });
    assert.match(updated, /body: \{ item: 'pizza', qty: 2, extra: null \}/, updated);
  });
});
