// The flow test runner on passing and failing tests: expectations, diffs, mocks, subflows,
// reporters, coverage and --update.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { discover, runFiles } from '../../src/flowtest/runner.ts';
import { junitReport, tapReport, textReport, jsonReport } from '../../src/flowtest/reporters.ts';
import { coverageText } from '../../src/flowtest/coverage.ts';
import { parseDuration } from '../../src/flowtest/duration.ts';
import { matchesUrl, matchesText } from '../../src/flowtest/pattern.ts';
import { loadTestFile } from '../../src/flowtest/load.ts';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const EXAMPLE = here('../../examples/tests/pizza-order.test.yaml');
const EXAMPLE_FLOW = here('../../examples/flows/pizza-order.json');
const FAILING = here('./fixtures/failing.test.yaml');
const SUBFLOW = here('./fixtures/subflow.test.json');

describe('flow test runner', () => {
  it('runs the example project: every test passes, with full widget coverage', () => {
    const summary = runFiles([EXAMPLE]);
    assert.equal(summary.failed, 0, textReport(summary));
    assert.equal(summary.passed, 7);
    const coverage = summary.coverage.find((c) => c.flow === EXAMPLE_FLOW)!;
    assert.deepEqual(coverage.widgets, { total: 10, covered: 10, missed: [] });
    // Only the `failed` branches of the four send-message widgets are never taken.
    assert.deepEqual(
      coverage.transitions.missed.map((t) => `${t.widget}.${t.event}`),
      ['unknown_size.failed', 'confirm.failed', 'apologise.failed', 'no_answer.failed'],
    );
  });

  it('is deterministic: the same tests observe the same things whatever ran before them', () => {
    const strip = (summary: ReturnType<typeof runFiles>) => summary.results.filter((r) => r.file === EXAMPLE).map((r) => JSON.stringify(r.observation));
    const alone = strip(runFiles([EXAMPLE]));
    const after = strip(runFiles([FAILING, SUBFLOW, EXAMPLE]));
    assert.deepEqual(after, alone);
    assert.ok(alone.every((o) => o.includes('"MessageSid":"SMffffffff')), 'inbound SIDs are generated, not random');
  });

  it('reports failing tests with a message diff, the mismatched variable and end, unmocked requests and late script steps', () => {
    const summary = runFiles([FAILING]);
    assert.equal(summary.failed, 3);
    assert.equal(summary.skipped, 1);
    const text = textReport(summary);
    // messages: the changed line is shown as removed (expected) and added (actual)
    assert.match(text, /✗ .*failing\.test\.yaml › wrong confirmation text/);
    assert.match(text, /messages differ \(the 2nd of 2 does not match\)/);
    assert.match(text, /^ {8}ask_size: "Hi! What size pizza\? Reply S, M or L\."$/m);
    assert.match(text, /^ {6}\+ confirm: "Order ORD-7 confirmed: one S pizza, \$12\. Ready in 20 minutes\."$/m);
    assert.match(text, /^ {6}- "Order ORD-7 confirmed: one S pizza, \$10\. Ready in 20 minutes\."$/m);
    assert.match(text, /variables\.size differs\n\s+expected: "M"\n\s+actual: {3}"S"/);
    assert.match(text, /the execution's end differs\n\s+expected: "waiting"\n\s+actual: {3}"completed"/);
    // an unmocked request is named with its widget, method and URL; the widget then fails over
    assert.match(text, /unmocked HTTP request from widget 'place_order': POST https:\/\/api\.pizza\.example\/orders — add an entry under mocks\.http/);
    assert.match(text, /^ {6}- confirm\n {6}\+ apologise$/m);
    assert.match(text, /script\[1\] \(send: "M"\): the execution already ended \(completed\) at 'unknown_size'/);
    assert.match(text, /skipped for now \(skipped: waiting on the menu API\)/);
    assert.match(text, /4 tests: 0 passed, 3 failed, 1 skipped/);
  });

  it('counts one test as one test in the summary line ("1 test: 1 passed", not "1 tests")', () => {
    const summary = runFiles([EXAMPLE], { grep: /^orders a large pizza$/ });
    assert.equal(summary.results.length, 1);
    assert.match(textReport(summary), /^1 test: 1 passed, 0 failed \(\d+ ms\)$/m);
  });

  it('drives calls: what the caller hears, keys, speech, silence and hang-ups (the IVR example)', () => {
    const summary = runFiles([here('../../examples/tests/ivr.test.yaml')]);
    assert.equal(summary.failed, 0, textReport(summary));
    assert.equal(summary.passed, 5);
    const pressed = summary.results[0]!.observation!;
    assert.deepEqual(pressed.heard, [
      'Welcome to Pizza Planet. For opening hours press 1. To get our address by text message press 2.',
      'We are open every day from 11 am to 11 pm.',
    ]);
  });

  it('connects, queues and records calls as the dial, enqueue and record mocks say, each action with its own parameters', () => {
    const summary = runFiles([here('./fixtures/call-outcomes.test.yaml')]);
    assert.equal(summary.failed, 0, textReport(summary));
    assert.equal(summary.passed, 9);
    const widgets = (summary.results[0]!.observation!.context as { widgets: Record<string, Record<string, unknown>> }).widgets;
    // As the simulator phone sends them (DialBridged, QueueSid); no recording from a Dial that does not record.
    assert.deepEqual(Object.keys(widgets.dial_sales!).filter((k) => /^(Dial|Queue|Recording)/.test(k)).sort(), ['DialBridged', 'DialCallDuration', 'DialCallSid', 'DialCallStatus']);
    assert.deepEqual(Object.keys(widgets.queue!).filter((k) => /^(Dial|Queue|Recording)/.test(k)).sort(), ['QueueResult', 'QueueSid', 'QueueTime']);
    assert.deepEqual(Object.keys(widgets.voicemail!).filter((k) => /^(Dial|Queue|Recording|Digits)/.test(k)).sort(), ['RecordingDuration', 'RecordingSid', 'RecordingUrl']);
  });

  it('places outbound calls: answered, busy and refused (make-outgoing-call-v2 with call mocks)', () => {
    const summary = runFiles([here('./fixtures/outbound-call.test.yaml')]);
    assert.equal(summary.failed, 0, textReport(summary));
    assert.equal(summary.passed, 3);
    assert.deepEqual(summary.results[1]!.observation!.path, ['Trigger', 'dial', 'text']);
  });

  it('ends executions through the API (end: manual) and after 30 days (expired)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-flowtest-'));
    try {
      const definition = JSON.parse(readFileSync(EXAMPLE_FLOW, 'utf8'));
      definition.states.find((s: { name: string }) => s.name === 'ask_size').properties.timeout = String(45 * 86400);
      writeFileSync(join(dir, 'slow.json'), JSON.stringify(definition));
      writeFileSync(
        join(dir, 'ends.test.yaml'),
        [
          'flow: slow.json',
          'tests:',
          '  - name: ended by the API',
          '    trigger: { message: { body: hi } }',
          '    script: [{ end: manual }]',
          '    expect: { end: manual, path: [Trigger, ask_size] }',
          '  - name: still waiting after 29 days, expired after 30',
          '    trigger: { message: { body: hi } }',
          '    script: [{ wait: 29d }, { expect: { end: waiting } }, { wait: 1d }]',
          '    expect: { end: expired, messages: ["Hi! What size pizza? Reply S, M or L."] }',
        ].join('\n'),
      );
      const summary = runFiles([join(dir, 'ends.test.yaml')]);
      assert.equal(summary.failed, 0, textReport(summary));
      assert.equal(summary.passed, 2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('says when a call step has nothing to act on', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-flowtest-'));
    try {
      copyFileSync(here('../../examples/flows/ivr.json'), join(dir, 'ivr.json'));
      copyFileSync(EXAMPLE_FLOW, join(dir, 'pizza.json'));
      writeFileSync(join(dir, 'a.test.yaml'), 'flow: ivr.json\ntests:\n  - name: keys after the end\n    trigger: { call: {} }\n    script: [{ digits: "1" }, { digits: "2" }]\n    expect: { heard: ["/Welcome/", "We are open, wrongly"] }\n');
      writeFileSync(join(dir, 'b.test.yaml'), 'flow: pizza.json\ntests:\n  - name: keys in an SMS flow\n    trigger: { message: { body: hi } }\n    script: [{ digits: "1" }, { hangup: true }]\n');
      const text = textReport(runFiles(discover([dir])));
      assert.match(text, /script\[1\] \(digits: "2"\): the execution already ended \(completed\) at 'hours'/);
      assert.match(text, /heard differ \(the 2nd of 2 does not match\)\n.*\n {8}"Welcome to Pizza Planet[^\n]*\n {6}- "We are open, wrongly"\n {6}\+ "We are open every day from 11 am to 11 pm\."/);
      assert.match(text, /script\[0\] \(digits: "1"\): nothing is listening for the caller \(no Gather is waiting\) at 'ask_size'/);
      assert.match(text, /script\[1\] \(hangup: true\): there is no call to hang up/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("names the script step of a failing mid-script end expectation, as its other expectations' failures do", () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-flowtest-'));
    try {
      copyFileSync(EXAMPLE_FLOW, join(dir, 'pizza.json'));
      writeFileSync(join(dir, 'a.test.yaml'), 'flow: pizza.json\ntests:\n  - name: ends too early\n    trigger: { message: { body: hi } }\n    script:\n      - expect: { end: completed, path: [Trigger] }\n');
      const summary = runFiles(discover([dir]));
      assert.equal(summary.failed, 1);
      assert.deepEqual(summary.results[0]!.failures.map((f) => f.field), ['script[0].expect.path', 'script[0].expect.end']);
      const wanted = /script\[0\]\.expect\.end: the execution(?:'|&apos;)s end differs/;
      assert.match(textReport(summary), wanted);
      assert.match(junitReport(summary), wanted);
      assert.match(tapReport(summary), wanted);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names which entries of an equally long list do not match, rather than counts that agree', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-flowtest-'));
    try {
      copyFileSync(EXAMPLE_FLOW, join(dir, 'pizza.json'));
      const file = join(dir, 'counts.test.yaml');
      const tests = [
        ['all wrong', '["Hello?", "Bye?"]', 'messages differ (the 1st and 2nd of 2 do not match)'],
        ['one wrong', '["Hi! What size pizza? Reply S, M or L.", "Bye?"]', 'messages differ (the 2nd of 2 does not match)'],
        ['too few', '["Bye?"]', 'messages differ (expected 1, got 2; the list is exact — to check only that these appear in this order, write messages: { contains: [...] })'],
      ];
      const lines = ['flow: pizza.json', 'tests:'];
      for (const [name, messages] of tests) {
        lines.push(`  - name: ${name}`, '    trigger: { message: { body: hi } }', '    script:', '      - send: "XXL"', `    expect: { messages: ${messages} }`);
      }
      writeFileSync(file, lines.join('\n') + '\n');
      const summary = runFiles([file]);
      const messageFailures = summary.results.map((result) => [result.name, result.failures.find((f) => f.field === 'messages')?.message]);
      assert.deepEqual(
        messageFailures,
        tests.map(([name, , message]) => [name, message]),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('says when an expectation names a widget the flow does not have, with the closest name; --update leaves such a name alone', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-flowtest-'));
    try {
      copyFileSync(EXAMPLE_FLOW, join(dir, 'pizza.json'));
      const file = join(dir, 'typos.test.yaml');
      const text = [
        'flow: pizza.json',
        'tests:',
        '  - name: typos',
        '    trigger: { message: { body: hi } }',
        '    script:',
        '      - expect: { path: [Trigger, ask_sise] }',
        '    expect:',
        '      steps: ["Trigger -incomingMessage-> ask_sise"]',
        '      widgets:',
        '        ask_szie: { inbound: { Body: "L" } }',
        '        no_such_widget: { status_code: 200 }',
        '        ask_size: { inbound: { Body: "L" } }',
        '      end: waiting',
        '',
      ].join('\n');
      writeFileSync(file, text);
      const summary = runFiles([file]);
      const failures = summary.results[0]!.failures;
      const byField = (field: string) => failures.find((f) => f.field === field)?.message;
      assert.equal(byField('script[0].expect.path'), "script[0].expect.path differ (the 2nd of 2 does not match)\n'ask_sise' is not a widget in this flow (did you mean 'ask_size'?)");
      assert.equal(byField('steps'), "steps differ (the one there does not match)\n'ask_sise' is not a widget in this flow (did you mean 'ask_size'?)");
      assert.equal(byField('widgets.ask_szie'), "widgets.ask_szie: 'ask_szie' is not a widget in this flow (did you mean 'ask_size'?)");
      assert.equal(byField('widgets.no_such_widget'), "widgets.no_such_widget: 'no_such_widget' is not a widget in this flow");
      // A real widget without outputs yet says so.
      assert.equal(byField('widgets.ask_size'), "widgets.ask_size is not set: 'ask_size' has not finished (no outputs yet)");
      assert.match(textReport(summary), /^ {4}'ask_sise' is not a widget in this flow \(did you mean 'ask_size'\?\)$/m);

      // --update repairs the path, the steps and the real widget, but writes no "not set" for the typos.
      const updated = runFiles([file], { update: true });
      assert.deepEqual(updated.updated, [file]);
      const after = readFileSync(file, 'utf8');
      assert.match(after, /- expect: \{ path: \[Trigger, ask_size\] \}/);
      assert.match(after, /steps: \["Trigger -incomingMessage-> ask_size"\]/);
      assert.match(after, /^ {8}ask_szie: \{ inbound: \{ Body: "L" \} \}$/m);
      assert.match(after, /^ {8}no_such_widget: \{ status_code: 200 \}$/m);
      assert.match(after, /^ {8}ask_size: null$/m);
      const again = runFiles([file]).results[0]!.failures.map((f) => f.field);
      assert.deepEqual(again, ['widgets.ask_szie', 'widgets.no_such_widget']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('notes HTTP and Function mocks that answered no request, without failing the test', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-flowtest-'));
    try {
      copyFileSync(EXAMPLE_FLOW, join(dir, 'pizza.json'));
      const file = join(dir, 'mocks.test.yaml');
      writeFileSync(
        file,
        [
          'flow: pizza.json',
          'mocks:',
          '  functions: [{ name: price, body: { price: 12 } }]',
          '  http: [{ method: DELETE, url: "https://api.pizza.example/nowhere" }]',
          'tests:',
          '  - name: orders',
          '    trigger: { message: { body: hi } }',
          '    mocks:',
          '      http:',
          '        - { method: GET, url: "https://api.pizza.example/orders", status: 500 }',
          '        - { method: POST, url: "https://api.pizza.example/orders", status: 201, body: { id: "ORD-1" } }',
          '      functions: [{ name: prices, body: { price: 1 } }]',
          '    script: [{ send: "L" }]',
          '    expect: { end: completed, path: [Trigger, ask_size, check_size, remember_size, price, place_order, confirm] }',
          '  - name: asks',
          '    trigger: { message: { body: hi } }',
          '    expect: { end: waiting }',
          '',
        ].join('\n'),
      );
      const summary = runFiles([file]);
      assert.equal(summary.failed, 0, textReport(summary));
      assert.deepEqual(summary.results[0]!.notes, ['mocks.http[0] (GET https://api.pizza.example/orders) matched no request', 'mocks.functions[0] (name: prices) matched no request']);
      assert.deepEqual(summary.results[1]!.notes, ["the file's mocks.http[0] (DELETE https://api.pizza.example/nowhere) matched no request in any test"]);
      assert.match(textReport(summary), /✓ [^\n]* › orders [^\n]*\n {4}note: mocks\.http\[0\] \(GET https:\/\/api\.pizza\.example\/orders\) matched no request\n/);
      assert.match(tapReport(summary), /^ok 1 - [^\n]*\n# note: mocks\.http\[0\]/m);
      assert.match(junitReport(summary), /<system-out>note: mocks\.http\[0\] \(GET https:\/\/api\.pizza\.example\/orders\) matched no request\nnote: mocks\.functions\[0\]/);
      assert.deepEqual(JSON.parse(jsonReport(summary)).tests[1].notes, summary.results[1]!.notes);
      // With only some tests run, the file's mocks may be for the others: nothing is said of them.
      assert.equal(runFiles([file], { grep: /asks/ }).results[0]!.notes, undefined);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runs subflows from the files the test names, and reports a missing one through the failed transition', () => {
    const summary = runFiles([SUBFLOW]);
    assert.equal(summary.failed, 0, textReport(summary));
    const child = summary.coverage.find((c) => c.flow.endsWith('subflow-child.json'));
    assert.ok(child, 'the subflow has its own coverage entry');
    assert.equal(child.widgets.covered, 3);
    // The missing one is declared (`FW…: null`), not merely left out.
    assert.deepEqual(summary.results[1]!.observation!.path, ['Trigger', 'collect', 'oops']);
  });

  it('fails a test whose flow runs a subflow it does not provide, naming the widget and the SID; `missing` declares one absent', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-flowtest-'));
    try {
      copyFileSync(here('./fixtures/subflow-parent.json'), join(dir, 'parent.json'));
      copyFileSync(here('./fixtures/subflow-child.json'), join(dir, 'child.json'));
      const SID = 'FW11111111111111111111111111111111';
      writeFileSync(
        join(dir, 'sub.test.yaml'),
        [
          'flow: parent.json',
          'tests:',
          '  - name: forgot the subflow',
          '    trigger: { message: { body: hi } }',
          '    expect: { messages: ["Something went wrong."], end: completed }',
          '  - name: says the subflow is missing',
          '    trigger: { message: { body: hi } }',
          `    mocks: { subflows: { ${SID}: missing } }`,
          '    expect: { messages: ["Something went wrong."], path: [Trigger, collect, oops], end: completed }',
          '  - name: a test may provide what the file declares missing',
          '    trigger: { message: { body: hi } }',
          `    mocks: { subflows: { ${SID}: child.json } }`,
          '    script: [{ send: Ada }]',
          '    expect: { messages: ["Your name?", "Hello Ada!"], end: completed }',
        ].join('\n') + `\nmocks: { subflows: { ${SID}: null } }\n`,
      );
      // Without the file-level entry, only the first test's subflow is unmocked.
      writeFileSync(join(dir, 'bare.test.yaml'), 'flow: parent.json\ntests:\n  - name: no mocks at all\n    trigger: { message: { body: hi } }\n    expect: { messages: ["Something went wrong."], end: completed }\n');
      const declared = runFiles([join(dir, 'sub.test.yaml')]);
      assert.equal(declared.failed, 0, textReport(declared));
      assert.equal(declared.passed, 3);
      const bare = runFiles([join(dir, 'bare.test.yaml')]);
      assert.equal(bare.failed, 1);
      const failures = bare.results[0]!.failures;
      assert.equal(failures.length, 1, textReport(bare));
      assert.equal(failures[0]!.field, 'runner');
      assert.equal(
        failures[0]!.message,
        `unmocked subflow from widget 'collect': ${SID} (revision LatestPublished) — add an entry under mocks.subflows (${SID}: a flow file or an inline definition, or \`missing\` if the test means it not to exist)`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('writes JUnit XML, TAP and JSON that CI tools read', () => {
    const summary = runFiles([FAILING, EXAMPLE]);
    const xml = junitReport(summary);
    assert.match(xml, /^<\?xml version="1.0" encoding="UTF-8"\?>/);
    assert.match(xml, /<testsuites name="switchboard test" tests="11" failures="3" skipped="1"/);
    assert.match(xml, /<testcase name="wrong confirmation text" classname="[^"]*failing\.test\.yaml" time="[\d.]+">\s*<failure message="messages differ \(the 2nd of 2 does not match\)" type="AssertionError">/);
    assert.match(xml, /<skipped message="waiting on the menu API"\/>/);
    assert.equal((xml.match(/<testcase /g) ?? []).length, 11);
    const tap = tapReport(summary);
    assert.match(tap, /^TAP version 13\n1\.\.11\n/);
    assert.match(tap, /^not ok 1 - .*wrong confirmation text$/m);
    assert.match(tap, /^ok 4 - .*skipped for now # SKIP waiting on the menu API$/m);
    assert.match(tap, /^# fail 3$/m);
    const json = JSON.parse(jsonReport(summary));
    assert.equal(json.failed, 3);
    assert.equal(json.tests[0].failures[0].field, 'messages');
  });

  it('--update rewrites only the failing expectations, keeps comments, and the file then passes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-flowtest-'));
    try {
      copyFileSync(EXAMPLE_FLOW, join(dir, 'pizza.json'));
      const file = join(dir, 'pizza.test.yaml');
      writeFileSync(
        file,
        [
          '# my comment stays',
          'flow: pizza.json',
          'mocks:',
          '  functions: [{ name: price, body: { price: 12 } }]',
          '  http: [{ url: "https://api.pizza.example/orders", body: { id: "X1" } }]',
          'tests:',
          '  - name: golden',
          '    trigger: { message: { body: hi } }',
          '    script: [{ send: m }]',
          '    expect:',
          '      messages: ["old text"]',
          '      path: [Trigger, ask_size, "/./"]',
          '      end: completed # still right',
          '  - name: fresh',
          '    trigger: { message: { body: hi } }',
        ].join('\n'),
      );
      const first = runFiles([file], { update: true });
      assert.equal(first.failed, 1);
      assert.deepEqual(first.updated, [file]);
      const text = readFileSync(file, 'utf8');
      assert.match(text, /# my comment stays/);
      assert.match(text, /end: completed # still right/);
      assert.match(text, /Order X1 confirmed: one M pizza, \$12\./);
      const again = runFiles([file]);
      assert.equal(again.failed, 0, textReport(again));
      // A passing test is left as it is, even one without expectations.
      assert.equal(loadTestFile(file).file.tests[1]!.expect, undefined);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('explains files it cannot use: schema errors, broken YAML, missing flows, invalid flows', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-flowtest-'));
    try {
      copyFileSync(EXAMPLE_FLOW, join(dir, 'x.json'));
      writeFileSync(join(dir, 'schema.test.yaml'), 'flow: x.json\ntests:\n  - name: a\n    trigger: { sms: {} }\n    expect: { mesages: [] }\n');
      writeFileSync(join(dir, 'broken.test.yaml'), 'flow: [unclosed\n');
      writeFileSync(join(dir, 'broken.test.json'), '{\n  "flow": "x.json",\n  "tests": [],\n}\n');
      writeFileSync(join(dir, 'missing.test.yaml'), 'flow: nowhere.json\ntests: [{ name: a, trigger: { message: {} } }]\n');
      writeFileSync(join(dir, 'bad.json'), JSON.stringify({ initial_state: 'Nope', states: [] }));
      writeFileSync(join(dir, 'invalid.test.yaml'), 'flow: bad.json\ntests: [{ name: a, trigger: { message: {} } }]\n');
      const summary = runFiles(discover([dir]));
      assert.equal(summary.failed, 5);
      const text = textReport(summary);
      assert.match(text, /broken\.test\.json: not valid JSON at line 3, column 14 \(position 35\): a trailing comma before '\}'/);
      assert.match(text, /schema\.test\.yaml: tests\.0 does not match the flow test schema:\n\s+tests\.0\.trigger: unknown field 'sms', at line 4, column 16\n\s+tests\.0\.expect: unknown field 'mesages' \(did you mean 'messages'\?\), at line 5, column 15/);
      assert.match(text, /broken\.test\.yaml: not valid YAML/);
      assert.match(text, /nowhere\.json: flow file not found/);
      assert.match(text, /bad\.json: the flow definition is not valid:\n.*\n\s+#\/initial_state: initial_state "Nope" does not name a state/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('discovers *.test.* files anywhere and YAML under tests/', () => {
    const found = discover([here('../../examples')]).map((f) => f.replace(/\\/g, '/'));
    assert.ok(found.some((f) => f.endsWith('examples/tests/pizza-order.test.yaml')));
    assert.ok(!found.some((f) => f.endsWith('.json') && f.includes('/flows/')), 'flow files are not test files');
  });

  it('prints coverage as text', () => {
    const text = coverageText(runFiles([FAILING]).coverage, (p) => p.split('/').pop()!);
    assert.match(text, /pizza-order\.json {2}widgets 9\/10 \(90%\) {2}transitions 11\/20 \(55%\)/);
    assert.match(text, /never reached: no_answer/);
    assert.match(text, /not taken: ask_size -timeout-> no_answer/);
  });
});

describe('durations and patterns', () => {
  it('parses durations', () => {
    assert.equal(parseDuration('2h'), 7_200_000);
    assert.equal(parseDuration('1h30m'), 5_400_000);
    assert.equal(parseDuration(90), 90_000);
    assert.equal(parseDuration('500ms'), 500);
    assert.equal(parseDuration('1d'), 86_400_000);
    assert.throws(() => parseDuration('soon'), /not a duration/);
    assert.throws(() => parseDuration('2 hours'), /not a duration/);
  });
  it('matches text, regexes and URL globs', () => {
    assert.ok(matchesText('/^Order \\w+/', 'Order X1 ok'));
    assert.ok(!matchesText('Order', 'Order X1'));
    assert.ok(matchesUrl('https://api.example.com/orders/*', 'https://api.example.com/orders/42?x=1'));
    assert.ok(matchesUrl('https://api.example.com/orders', 'https://api.example.com/orders?x=1'));
    assert.ok(!matchesUrl('https://api.example.com/orders', 'https://api.example.com/orders/42'));
    assert.ok(matchesUrl('/orders\\/\\d+$/', 'https://x/orders/42'));
  });
  it("matches a mock's query with its parameters in any order, but not other values or extra parameters", () => {
    assert.ok(matchesUrl('https://api.example.com/items?a=x+y&b=2', 'https://api.example.com/items?b=2&a=x+y'));
    assert.ok(!matchesUrl('https://api.example.com/items?a=x&b=2', 'https://api.example.com/items?b=3&a=x'));
    assert.ok(!matchesUrl('https://api.example.com/items?a=x', 'https://api.example.com/items?a=x&b=2'));
  });
});
