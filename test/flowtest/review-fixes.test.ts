// Regressions found in review of `switchboard test` and `replay`: each would let a test go green
// (or red) while the server behaves otherwise.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runFiles } from '../../src/flowtest/runner.ts';
import { textReport } from '../../src/flowtest/reporters.ts';
import { play } from '../../src/flowtest/run-test.ts';
import { replayExecution } from '../../src/flowtest/replay.ts';
import type { FlowDefinition } from '../../src/definition/types.ts';

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

  it('replay reports the same path for the recording and the replay', () => {
    const flow = { path: 'flow.json', definition: LOOP_FLOW as unknown as FlowDefinition, warnings: [] };
    const { sim } = play({ file: 'x', flow, test: { name: 't', trigger: { message: { body: 'hi' } }, script: [{ wait: '60s' }, { wait: '60s' }] }, subflows: new Map() });
    const report = replayExecution(
      { executionSid: 'FN' + 'a'.repeat(32), flowSid: 'FW' + 'a'.repeat(32), revision: 1, context: sim.observation().context, steps: sim.recordedSteps, endedManually: false },
      { revision: 1, definition: flow.definition },
    );
    assert.deepEqual(report.original.path, ['Trigger', 'ask', 'ask', 'ask']);
    assert.deepEqual(report.replay.path, ['Trigger', 'ask', 'ask', 'ask']);
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

const main = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const cli = (args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) =>
  spawnSync(process.execPath, [main, ...args], { cwd, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', ...env }, timeout: 60_000 });

/** Says the hour (in the configured time zone), then waits for a reply with no timeout of its own. */
const CLOCK_FLOW = {
  description: 'time of day',
  states: [
    trigger({ incomingMessage: 'hour' }),
    { name: 'hour', type: 'send-message', transitions: [{ event: 'sent', next: 'ask' }, { event: 'failed' }], properties: { offset: { x: 0, y: 100 }, from: '{{flow.channel.address}}', to: '{{contact.channel.address}}', body: "{{ 'now' | date: '%Y-%m-%d %H:%M' }}" } },
    {
      name: 'ask',
      type: 'send-and-wait-for-reply',
      transitions: [{ event: 'incomingMessage' }, { event: 'timeout', next: 'late' }, { event: 'deliveryFailure' }],
      properties: { offset: { x: 0, y: 200 }, from: '{{flow.channel.address}}', body: 'Reply?' },
    },
    { name: 'late', type: 'send-message', transitions: [{ event: 'sent' }, { event: 'failed' }], properties: { offset: { x: 0, y: 300 }, from: '{{flow.channel.address}}', to: '{{contact.channel.address}}', body: 'Too late' } },
  ],
  initial_state: 'Trigger',
  flags: { allow_concurrent_calls: true },
};

describe('switchboard test runs under the project configuration', () => {
  const TEST = `flow: flow.json
tests:
  - name: ny evening, short reply timeout
    trigger: { message: { body: hi } }
    script: [{ wait: 60s }]
    expect:
      messages: ["2030-01-07 04:00", "Reply?", "Too late"]
      end: completed
`;

  it('takes the time zone and default reply timeout from flags, the environment and switchboard.config.yaml', () => {
    const p = project(CLOCK_FLOW, TEST);
    try {
      const defaults = cli(['test', 'x.test.yaml'], p.dir);
      assert.equal(defaults.status, 1, 'UTC and a 3600 s reply timeout: the test fails');
      const flags = cli(['test', 'x.test.yaml', '--timezone', 'America/New_York', '--default-reply-timeout', '60'], p.dir);
      assert.equal(flags.status, 0, flags.stdout + flags.stderr);
      const env = cli(['test', 'x.test.yaml'], p.dir, { SWITCHBOARD_TIMEZONE: 'America/New_York', SWITCHBOARD_DEFAULT_REPLY_TIMEOUT: '60' });
      assert.equal(env.status, 0, env.stdout + env.stderr);
      writeFileSync(join(p.dir, 'switchboard.config.yaml'), 'timezone: America/New_York\ndefaultReplyTimeout: 60\n');
      const file = cli(['test', 'x.test.yaml'], p.dir);
      assert.equal(file.status, 0, file.stdout + file.stderr);
      const bad = cli(['test', 'x.test.yaml', '--timezone', 'Mars/Base'], p.dir);
      assert.equal(bad.status, 2);
      assert.match(bad.stderr, /--timezone must be an IANA time zone .*'Mars\/Base'/);
    } finally {
      p.done();
    }
  });

  it('applies the step limits', () => {
    const p = project(LOOP_FLOW, `flow: flow.json
tests:
  - name: loops
    trigger: { message: { body: hi } }
    script: [{ wait: 60s }, { wait: 60s }, { wait: 60s }]
    expect: { path: [Trigger, ask, ask, ask, ask], end: waiting }
`);
    try {
      assert.equal(cli(['test', 'x.test.yaml'], p.dir).status, 0);
      const limited = cli(['test', 'x.test.yaml', '--max-same-widget', '2'], p.dir);
      assert.equal(limited.status, 1);
      assert.match(limited.stdout, /81001/);
    } finally {
      p.done();
    }
  });
});

describe('clock: when a test starts', () => {
  it('sets the simulated clock per file or per test, and refuses dates that do not exist', () => {
    const p = project(CLOCK_FLOW, `flow: flow.json
clock: 2026-05-04T18:30:00-04:00
tests:
  - name: file clock
    trigger: { message: { body: hi } }
    expect: { messages: ["2026-05-04 22:30", "Reply?"] }
  - name: test clock
    clock: 2026-12-31T23:59:00Z
    trigger: { message: { body: hi } }
    expect: { messages: ["2026-12-31 23:59", "Reply?"] }
`);
    try {
      const summary = runFiles([p.file]);
      assert.equal(summary.failed, 0, textReport(summary));
      writeFileSync(p.file, readFileSync(p.file, 'utf8').replace('2026-12-31T23:59:00Z', '2026-02-30T10:00:00Z'));
      const bad = runFiles([p.file]);
      assert.equal(bad.failed, 1);
      // The test with the bad clock fails; the file's other test still runs.
      assert.deepEqual(bad.results.map((r) => r.status), ['passed', 'failed']);
      assert.match(bad.results[1]!.failures[0]!.message, /tests\.1\.clock: "2026-02-30T10:00:00Z" is not a date and time that exists/);
      writeFileSync(p.file, readFileSync(p.file, 'utf8').replace('2026-02-30T10:00:00Z', '2026-02-03 10:00'));
      assert.match(runFiles([p.file]).results[1]!.failures[0]!.message, /tests\.1\.clock: must be a date and time with its UTC offset, like 2026-05-04T18:30:00-04:00/);
    } finally {
      p.done();
    }
  });
});

describe('coverage: each split condition is its own item', () => {
  it('a condition never taken is missed even when another condition leads to the same widget', () => {
    const flow = {
      description: 'two conditions, one target',
      states: [
        trigger({ incomingMessage: 'check' }),
        {
          name: 'check',
          type: 'split-based-on',
          transitions: [
            { event: 'noMatch' },
            { event: 'match', next: 'yes', conditions: [{ friendly_name: 'is yes', arguments: ['{{trigger.message.Body}}'], type: 'equal_to', value: 'yes' }] },
            { event: 'match', next: 'yes', conditions: [{ friendly_name: 'is y', arguments: ['{{trigger.message.Body}}'], type: 'equal_to', value: 'y' }] },
          ],
          properties: { offset: { x: 0, y: 100 }, input: '{{trigger.message.Body}}' },
        },
        { name: 'yes', type: 'send-message', transitions: [{ event: 'sent' }, { event: 'failed' }], properties: { offset: { x: 0, y: 200 }, from: '{{flow.channel.address}}', to: '{{contact.channel.address}}', body: 'OK' } },
      ],
      initial_state: 'Trigger',
      flags: { allow_concurrent_calls: true },
    };
    const p = project(flow, `flow: flow.json
tests:
  - name: yes
    trigger: { message: { body: "yes" } }
    expect: { path: [Trigger, check, yes] }
`);
    try {
      const summary = runFiles([p.file]);
      assert.equal(summary.failed, 0, textReport(summary));
      const missed = summary.coverage[0]!.transitions.missed.filter((t) => t.widget === 'check');
      assert.deepEqual(missed.map((t) => [t.event, t.condition ?? null, t.index]), [['noMatch', null, 0], ['match', 'is y', 2]]);
    } finally {
      p.done();
    }
  });
});

describe('triggers: Conversations messages and subflows', () => {
  const flow = {
    description: 'conversations and subflow starts',
    states: [
      trigger({ incomingConversationMessage: 'ask', incomingParent: 'greet' }),
      {
        name: 'ask',
        type: 'send-and-wait-for-reply',
        transitions: [{ event: 'incomingMessage', next: 'echo' }, { event: 'timeout' }, { event: 'deliveryFailure' }],
        properties: { offset: { x: 0, y: 100 }, from: '{{flow.channel.address}}', body: 'Hi {{trigger.conversation.Author}} in {{trigger.conversation.ConversationSid}}: {{trigger.conversation.Body}}?', timeout: '60' },
      },
      { name: 'echo', type: 'send-message', transitions: [{ event: 'sent' }, { event: 'failed' }], properties: { offset: { x: 0, y: 200 }, from: '{{flow.channel.address}}', to: '{{contact.channel.address}}', body: 'You said {{widgets.ask.inbound.Body}} ({{widgets.ask.inbound.Author}})' } },
      { name: 'greet', type: 'send-message', transitions: [{ event: 'sent' }, { event: 'failed' }], properties: { offset: { x: 0, y: 300 }, from: '{{flow.channel.address}}', to: '{{contact.channel.address}}', body: 'Hello {{trigger.parent.parameters.name}} via {{trigger.message.Body}}' } },
    ],
    initial_state: 'Trigger',
    flags: { allow_concurrent_calls: true },
  };

  it('starts a flow from a Conversations message and a subflow from its parameters; an unwired trigger fails', () => {
    const p = project(flow, `flow: flow.json
tests:
  - name: conversation
    trigger: { conversation: { body: help, from: alice, conversationSid: CH00000000000000000000000000000abc } }
    script: [{ send: later }]
    expect:
      messages: ["Hi alice in CH00000000000000000000000000000abc: help?", "You said later (alice)"]
      path: [Trigger, ask, echo]
      end: completed
  - name: subflow
    trigger: { parent: { parameters: { name: Ann }, trigger: { message: { Body: pizza } } } }
    expect: { messages: ["Hello Ann via pizza"], path: [Trigger, greet], end: completed }
  - name: message trigger on a conversations flow
    trigger: { message: { body: hi } }
    expect: { end: completed }
  - name: meant to do nothing
    trigger: { message: { body: hi } }
    expect: { path: [Trigger] }
`);
    try {
      const summary = runFiles([p.file]);
      const [conversation, subflow, unwired, intended] = summary.results;
      assert.equal(conversation!.status, 'passed', textReport(summary));
      assert.equal(subflow!.status, 'passed', textReport(summary));
      assert.equal(unwired!.status, 'failed');
      assert.match(unwired!.failures[0]!.message, /the flow's Trigger has no next for incomingMessage: the execution ends at once \(the flow starts from: conversation, parent\)/);
      assert.equal(intended!.status, 'passed', textReport(summary));
    } finally {
      p.done();
    }
  });
});

describe('inbound messages in flow tests', () => {
  it('carry NumSegments as Twilio counts it, not always 1', () => {
    const echo = {
      description: 'echo the segments',
      states: [
        trigger({ incomingMessage: 'tell' }),
        { name: 'tell', type: 'send-message', transitions: [{ event: 'sent' }, { event: 'failed' }], properties: { offset: { x: 0, y: 100 }, from: '{{flow.channel.address}}', to: '{{contact.channel.address}}', body: 'segments {{trigger.message.NumSegments}}' } },
      ],
      initial_state: 'Trigger',
      flags: { allow_concurrent_calls: true },
    };
    const p = project(echo, `flow: flow.json
tests:
  - name: a long message
    trigger: { message: { body: "${'x'.repeat(161)}" } }
    expect: { messages: ["segments 2"] }
  - name: a short one
    trigger: { message: { body: "hi" } }
    expect: { messages: ["segments 1"] }
`);
    try {
      const summary = runFiles([p.file]);
      assert.equal(summary.failed, 0, textReport(summary));
      assert.equal(summary.passed, 2);
    } finally {
      p.done();
    }
  });
});

describe('flow tests under the configuration', () => {
  it('--liquid-object-format reaches the engine, as serve passes it', async () => {
    const { simulationOptionsFrom } = await import('../../src/flowtest/simulation.ts');
    const { engineRules } = await import('../../src/cli/test.ts');
    const rules = engineRules({ 'liquid-object-format': 'map' } as never, {});
    assert.equal(simulationOptionsFrom(rules).limits?.objectFormat, 'map');
    assert.equal(simulationOptionsFrom(engineRules({} as never, {})).limits?.objectFormat, 'json');
  });
  it('--set-variables-typing (or its variable) reaches the engine; infer by default', async () => {
    const { simulationOptionsFrom } = await import('../../src/flowtest/simulation.ts');
    const { engineRules } = await import('../../src/cli/test.ts');
    assert.equal(simulationOptionsFrom(engineRules({ 'set-variables-typing': 'string' } as never, {})).limits?.variableTyping, 'string');
    assert.equal(simulationOptionsFrom(engineRules({} as never, { SWITCHBOARD_SET_VARIABLES_TYPING: 'string' })).limits?.variableTyping, 'string');
    assert.equal(simulationOptionsFrom(engineRules({} as never, {})).limits?.variableTyping, 'infer');
  });
});
