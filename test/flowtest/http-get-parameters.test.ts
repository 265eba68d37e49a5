// A Make HTTP Request GET sends its `parameters` in the query (the runtime's buildRequest). A flow
// test requested the bare URL: a mock with the query never matched, and `requests` showed no query,
// although the server requests /validate-city?city=oakland&language=es_US.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runFiles } from '../../src/flowtest/runner.ts';
import { textReport } from '../../src/flowtest/reporters.ts';
import { buildRequest } from '../../src/channels/http/fetch-http.ts';
import { requestedUrl } from '../../src/flowtest/simulation.ts';

const flow = {
  description: 'GET with parameters',
  initial_state: 'Trigger',
  flags: { allow_concurrent_calls: true },
  states: [
    { name: 'Trigger', type: 'trigger', transitions: [{ event: 'incomingMessage', next: 'validateCity' }, { event: 'incomingCall' }, { event: 'incomingRequest' }], properties: { offset: { x: 0, y: 0 } } },
    {
      name: 'validateCity',
      type: 'make-http-request',
      transitions: [{ event: 'success', next: 'ok' }, { event: 'failed' }],
      properties: {
        offset: { x: 0, y: 100 },
        method: 'GET',
        content_type: 'application/x-www-form-urlencoded;charset=utf-8',
        url: 'https://api.example.com/validate-city',
        parameters: [{ key: 'city', value: '{{trigger.message.Body}}' }, { key: 'language', value: 'es_US' }],
      },
    },
    { name: 'ok', type: 'send-message', transitions: [{ event: 'sent' }, { event: 'failed' }], properties: { offset: { x: 0, y: 200 }, from: '{{flow.channel.address}}', to: '{{contact.channel.address}}', body: 'valid: {{widgets.validateCity.parsed.valid}}' } },
  ],
};

describe('Make HTTP Request GET parameters in flow tests', () => {
  it('the mock with the query matches and `requests` shows the URL the server requests', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-get-params-'));
    try {
      writeFileSync(join(dir, 'flow.json'), JSON.stringify(flow));
      writeFileSync(
        join(dir, 'city.test.yaml'),
        [
          'flow: flow.json',
          'tests:',
          '  - name: validates the city',
          '    trigger: { message: { body: oakland } }',
          '    mocks:',
          '      http:',
          '        - { method: GET, url: "https://api.example.com/validate-city?city=oakland&language=es_US", body: { valid: true } }',
          '    expect:',
          '      messages: ["valid: true"]',
          '      requests: [{ method: GET, url: "https://api.example.com/validate-city?language=es_US&city=oakland" }]',
          '',
        ].join('\n'),
      );
      const summary = runFiles([join(dir, 'city.test.yaml')]);
      assert.equal(summary.failed, 0, textReport(summary));
      assert.equal(summary.passed, 1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is the runtime client’s URL', () => {
    const spec = { method: 'GET', url: 'https://api.example.com/validate-city?x=1', contentType: 'application/json', parameters: [{ key: 'city', value: 'san josé' }], addTwilioAuth: false };
    assert.equal(requestedUrl(spec), buildRequest(spec).url.href);
    assert.equal(requestedUrl(spec), 'https://api.example.com/validate-city?x=1&city=san+jos%C3%A9');
    assert.equal(requestedUrl({ ...spec, method: 'POST' }), 'https://api.example.com/validate-city?x=1');
    assert.equal(requestedUrl({ ...spec, url: 'not a url' }), 'not a url');
  });
});
