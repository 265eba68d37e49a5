// Regressions found in review of `switchboard test` and `replay`: each would let a test go green
// (or red) while the server behaves otherwise.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runFiles } from '../../src/flowtest/runner.ts';
import { textReport } from '../../src/flowtest/reporters.ts';

const trigger = (next: Record<string, string> = {}) => ({
  name: 'Trigger',
  type: 'trigger',
  transitions: ['incomingMessage', 'incomingCall', 'incomingConversationMessage', 'incomingRequest', 'incomingParent'].map((event) => ({ event, ...(next[event] ? { next: next[event] } : {}) })),
  properties: { offset: { x: 0, y: 0 } },
});

/** ask waits for a reply; its timeout leads back to itself, a reply to `bye`. */
export const LOOP_FLOW = {
  description: 'ask again on timeout',
  states: [
    trigger({ incomingMessage: 'ask' }),
    {
      name: 'ask',
      type: 'send-and-wait-for-reply',
      transitions: [{ event: 'incomingMessage', next: 'bye' }, { event: 'timeout', next: 'ask' }, { event: 'deliveryFailure' }],
      properties: { offset: { x: 0, y: 100 }, from: '{{flow.channel.address}}', body: 'Still there?', timeout: '60' },
    },
    { name: 'bye', type: 'send-message', transitions: [{ event: 'sent' }, { event: 'failed' }], properties: { offset: { x: 0, y: 200 }, from: '{{flow.channel.address}}', to: '{{contact.channel.address}}', body: 'Bye' } },
  ],
  initial_state: 'Trigger',
  flags: { allow_concurrent_calls: true },
};

/** A folder with flow.json and x.test.yaml; returns the test file's path. */
export function project(flow: unknown, testYaml: string): { dir: string; file: string; done: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'sb-flowtest-'));
  writeFileSync(join(dir, 'flow.json'), JSON.stringify(flow, null, 2));
  const file = join(dir, 'x.test.yaml');
  writeFileSync(file, testYaml);
  return { dir, file, done: () => rmSync(dir, { recursive: true, force: true }) };
}

describe('path: a widget that transitions to itself', () => {
  it('counts every entry, so a path missing the repeat fails', () => {
    const p = project(LOOP_FLOW, `flow: flow.json
tests:
  - name: short path
    trigger: { message: { body: hi } }
    script: [{ wait: 60s }]
    expect: { path: [Trigger, ask], end: waiting }
  - name: full path
    trigger: { message: { body: hi } }
    script: [{ wait: 60s }, { wait: 60s }, { send: ok }]
    expect: { path: [Trigger, ask, ask, ask, bye], end: completed }
`);
    try {
      const summary = runFiles([p.file]);
      assert.equal(summary.results[0]!.status, 'failed', textReport(summary));
      assert.deepEqual(summary.results[0]!.observation!.path, ['Trigger', 'ask', 'ask']);
      assert.equal(summary.results[1]!.status, 'passed', textReport(summary));
    } finally {
      p.done();
    }
  });

  it('--update writes the path with the repeat', () => {
    const p = project(LOOP_FLOW, `flow: flow.json
tests:
  - name: short path
    trigger: { message: { body: hi } }
    script: [{ wait: 60s }]
    expect: { path: [Trigger, ask], end: waiting }
`);
    try {
      runFiles([p.file], { update: true });
      assert.match(readFileSync(p.file, 'utf8'), /path: \[Trigger, ask, ask\]/);
      assert.equal(runFiles([p.file]).failed, 0);
    } finally {
      p.done();
    }
  });
});

describe('requests: the URL of an expectation', () => {
  const HTTP_FLOW = {
    description: 'one GET with a query',
    states: [
      trigger({ incomingMessage: 'lookup' }),
      {
        name: 'lookup',
        type: 'make-http-request',
        transitions: [{ event: 'success' }, { event: 'failed' }],
        properties: { offset: { x: 0, y: 100 }, method: 'GET', content_type: 'application/x-www-form-urlencoded;charset=utf-8', url: 'https://api.example.com/orders?status=open&limit=5' },
      },
    ],
    initial_state: 'Trigger',
    flags: { allow_concurrent_calls: true },
  };
  const run = (url: string) => {
    const p = project(HTTP_FLOW, `flow: flow.json
mocks:
  http: [{ url: https://api.example.com/orders, body: {} }]
tests:
  - name: t
    trigger: { message: { body: hi } }
    expect: { requests: [{ method: GET, url: ${JSON.stringify(url)} }], end: completed }
`);
    try {
      return runFiles([p.file]).results[0]!;
    } finally {
      p.done();
    }
  };

  it('checks the query string (in any order); the mock without one still answers', () => {
    assert.equal(run('https://api.example.com/orders?status=open&limit=5').status, 'passed');
    assert.equal(run('https://api.example.com/orders?limit=5&status=open').status, 'passed');
    assert.equal(run('/orders\\?status=open/').status, 'passed');
    assert.equal(run('https://api.example.com/orders?*').status, 'passed');
    assert.equal(run('https://api.example.com/orders?status=closed&limit=5').status, 'failed');
    assert.equal(run('https://api.example.com/orders').status, 'failed');
    assert.equal(run('https://api.example.com/orders?status=open').status, 'failed');
    assert.equal(run('https://api.example.com/ord*').status, 'passed');
  });
});

describe('--update repairs failing expectations and nothing else', () => {
  const pizza = JSON.parse(readFileSync(new URL('../../examples/flows/pizza-order.json', import.meta.url), 'utf8'));
  const mocks = `mocks:
  functions: [{ name: price, body: { price: 12 } }]
  http: [{ method: POST, url: https://api.pizza.example/orders, status: 201, body: { id: "ORD-42" } }]
`;

  it('keeps the fields it does not need to change, fixes inline expects, leaves passing tests alone', () => {
    const before = `flow: flow.json
${mocks}tests:
  - name: fields kept
    trigger: { message: { body: hi } }
    script:
      - expect: { messages: [{ body: "wrong", to: "+15551230001", status: sent }] }
      - send: l
    expect:
      requests:
        - { method: POST, url: https://pizza-1234.twil.io/price }
        - { method: POST, url: https://api.pizza.example/wrong, body: '/"size": "L"/' }
      variables: { size: "M", nothere: null }
      end: completed
  - name: passing without expectations
    trigger: { message: { body: hi } }
  - name: passing
    trigger: { message: { body: hi } }
    expect: { path: [Trigger, ask_size] }
`;
    const p = project(pizza, before);
    try {
      const first = runFiles([p.file]);
      assert.equal(first.failed, 1, textReport(first));
      runFiles([p.file], { update: true });
      const after = readFileSync(p.file, 'utf8');
      assert.equal(
        after,
        before
          .replace('body: "wrong", to: "+15551230001"', 'body: "Hi! What size pizza? Reply S, M or L.", to: "+15551230001"')
          .replace('url: https://api.pizza.example/wrong,', 'url: https://api.pizza.example/orders,')
          .replace('size: "M"', 'size: "L"'),
      );
      const again = runFiles([p.file]);
      assert.equal(again.failed, 0, textReport(again));
    } finally {
      p.done();
    }
  });

  it('a check that fails because the value is now unset becomes null ("not set"), which then holds', () => {
    const p = project(pizza, `flow: flow.json
${mocks}tests:
  - name: gone
    trigger: { message: { body: hi } }
    expect: { variables: { size: "L" } }
`);
    try {
      runFiles([p.file], { update: true });
      assert.match(readFileSync(p.file, 'utf8'), /variables: \{ size: null \}/);
      assert.equal(runFiles([p.file]).failed, 0);
    } finally {
      p.done();
    }
  });
});
