// Findings from writing flow tests for real flows in CI: why a failure transition was taken, lists
// checked as "these, in this order", coverage limited to the flows whose tests ran, mocks that
// nearly matched a request, schema errors in words (and one bad test not stopping the others), and
// what --update did.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runFiles } from '../../src/flowtest/runner.ts';
import { jsonReport, junitReport, tapReport, textReport } from '../../src/flowtest/reporters.ts';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const main = here('../../src/cli/main.ts');
const PIZZA_FLOW = here('../../examples/flows/pizza-order.json');
const SUB = 'FW' + '1'.repeat(32);

/** A scratch folder with the pizza flow as pizza.json; `files` written into it. */
function scratch(files: Record<string, string>): { dir: string; path: (name: string) => string; done: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'sb-ci-review-'));
  copyFileSync(PIZZA_FLOW, join(dir, 'pizza.json'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return { dir, path: (name) => join(dir, name), done: () => rmSync(dir, { recursive: true, force: true }) };
}

function cli(args: string[], cwd: string) {
  return spawnSync(process.execPath, [main, 'test', '--no-color', ...args], { cwd, encoding: 'utf8', env: { PATH: process.env.PATH ?? '' }, timeout: 60_000 });
}

const state = (name: string, type: string, transitions: object[], properties: object) => ({ name, type, transitions, properties: { offset: { x: 0, y: 0 }, ...properties } });
const flow = (states: object[]) => JSON.stringify({ description: 'ci review', states, initial_state: 'Trigger', flags: { allow_concurrent_calls: true } });

/** A parent whose Run Subflow calls a child whose HTTP widget has no failure transition wired. */
const PARENT = flow([
  state('Trigger', 'trigger', [{ event: 'incomingMessage', next: 'run_subflow_system_down' }, { event: 'incomingCall' }, { event: 'incomingRequest' }], {}),
  state('run_subflow_system_down', 'run-subflow', [{ event: 'completed', next: 'ok' }, { event: 'failed', next: 'sorry' }], { flow_sid: SUB, flow_revision: 'LatestPublished', parameters: [] }),
  state('ok', 'send-message', [{ event: 'sent' }, { event: 'failed' }], { from: '{{flow.channel.address}}', to: '{{contact.channel.address}}', body: 'All good.' }),
  state('sorry', 'send-message', [{ event: 'sent' }, { event: 'failed' }], { from: '{{flow.channel.address}}', to: '{{contact.channel.address}}', body: 'We are down.' }),
]);
const CHILD = flow([
  state('Trigger', 'trigger', [{ event: 'incomingParent', next: 'boom' }], {}),
  state('boom', 'make-http-request', [{ event: 'success' }, { event: 'failed' }], { method: 'GET', content_type: 'application/json;charset=utf-8', url: 'https://status.example/health' }),
]);

describe('flow tests in CI: review findings', () => {
  it('shows why each failure transition on the path was taken, in text, TAP, JUnit and JSON; a missing output lists what the widget has', () => {
    const p = scratch({
      'parent.json': PARENT,
      'child.json': CHILD,
      'down.test.yaml': [
        'flow: parent.json',
        'tests:',
        '  - name: system down',
        '    trigger: { message: { body: hi } }',
        `    mocks: { subflows: { ${SUB}: child.json }, http: [{ url: "https://status.example/health", status: 503, body: "maintenance" }] }`,
        '    expect:',
        '      path: [Trigger, run_subflow_system_down, ok]',
        '      widgets: { run_subflow_system_down: { eror: 1 } }',
        '',
      ].join('\n'),
    });
    try {
      const summary = runFiles([p.path('down.test.yaml')]);
      assert.equal(summary.failed, 1);
      const text = textReport(summary);
      const reason = "Make HTTP Request 'boom': the server answered with status 503 (error 81014)";
      assert.match(text, /failure transitions taken:/);
      assert.ok(text.includes(`run_subflow_system_down -failed-> sorry\n        ✗ ${reason}`), text);
      // The subflow's own failing step, marked as the subflow's.
      assert.ok(text.includes(`(subflow ${SUB}) boom -failed-> Ended`), text);
      assert.ok(tapReport(summary).includes(`✗ ${reason}`));
      assert.ok(junitReport(summary).includes(`✗ ${reason.replaceAll("'", '&apos;')}`));
      const json = JSON.parse(jsonReport(summary));
      assert.deepEqual(json.tests[0].failureSteps.find((s: { subflow?: string }) => !s.subflow), { step: 'run_subflow_system_down -failed-> sorry', reason });
      // The misspelt output: the keys the widget does have are listed.
      assert.match(text, /widgets\.run_subflow_system_down\.eror is not set \(widgets\.run_subflow_system_down has: error\)/);
    } finally {
      p.done();
    }
  });

  it('a direct HTTP failure gives its status and body; a passing test prints no reasons', () => {
    const p = scratch({
      'pizza.test.yaml': [
        'flow: pizza.json',
        'mocks:',
        '  functions: [{ name: price, body: { price: 12 } }]',
        'tests:',
        '  - name: order API down',
        '    trigger: { message: { body: "pizza please" } }',
        '    mocks: { http: [{ method: POST, url: "https://api.pizza.example/orders", status: 503, body: "try later" }] }',
        '    script: [{ send: "L" }]',
        '    expect: { end: waiting }',
        '  - name: order API down, expected',
        '    trigger: { message: { body: "pizza please" } }',
        '    mocks: { http: [{ method: POST, url: "https://api.pizza.example/orders", status: 503, body: "try later" }] }',
        '    script: [{ send: "L" }]',
        '    expect: { steps: { contains: ["place_order -failed-> apologise"] } }',
        '',
      ].join('\n'),
    });
    try {
      const summary = runFiles([p.path('pizza.test.yaml')]);
      assert.deepEqual(summary.results.map((r) => r.status), ['failed', 'passed']);
      const text = textReport(summary);
      assert.match(text, /^ {6}place_order -failed-> apologise\n {8}✗ HTTP 503: try later$/m);
      assert.equal((text.match(/failure transitions taken/g) ?? []).length, 1);
    } finally {
      p.done();
    }
  });

  it('path, steps, heard, messages and requests take { contains: [...] }: these in this order; an exact list says it is exact', () => {
    const p = scratch({
      'pizza.test.yaml': [
        'flow: pizza.json',
        'mocks:',
        '  functions: [{ name: price, body: { price: 12 } }]',
        '  http: [{ method: POST, url: "https://api.pizza.example/*", status: 201, body: { id: ORD-42 } }]',
        'tests:',
        '  - name: contains, in order',
        '    trigger: { message: { body: "pizza please" } }',
        '    script: [{ send: "L" }, { expect: { path: { contains: [ask_size, price] } } }]',
        '    expect:',
        '      path: { contains: [Trigger, price, confirm] }',
        '      steps: { contains: ["check_size -match-> remember_size", { from: place_order, event: success }] }',
        '      messages: { contains: ["/^Order ORD-42/"] }',
        '      requests: { contains: [{ method: POST }] }',
        '  - name: contains, wrong order',
        '    trigger: { message: { body: "pizza please" } }',
        '    script: [{ send: "L" }]',
        '    expect: { path: { contains: [confirm, price] } }',
        '  - name: exact list, too short',
        '    trigger: { message: { body: "pizza please" } }',
        '    script: [{ send: "L" }]',
        '    expect: { steps: ["place_order -success-> confirm"] }',
        '',
      ].join('\n'),
    });
    try {
      const summary = runFiles([p.path('pizza.test.yaml')]);
      assert.deepEqual(summary.results.map((r) => r.status), ['passed', 'failed', 'failed'], textReport(summary));
      const [, order, exact] = summary.results;
      assert.equal(order!.failures[0]!.message, 'path (contains): not all found in this order — 1 of 2 in order among the 7 there');
      assert.equal(
        exact!.failures[0]!.message,
        'steps differ (expected 1, got 7; the list is exact — to check only that these appear in this order, write steps: { contains: [...] })',
      );
      // --update leaves a `contains` list as written: the run cannot say which of its items to put there.
      const updated = runFiles([p.path('pizza.test.yaml')], { update: true });
      assert.deepEqual(updated.updated, [p.path('pizza.test.yaml')]);
      const after = readFileSync(p.path('pizza.test.yaml'), 'utf8');
      assert.match(after, /expect: \{ path: \{ contains: \[confirm, price\] \} \}/);
      assert.doesNotMatch(after, /"place_order -success-> confirm"\] \}/);
    } finally {
      p.done();
    }
  });

  it('coverage covers only flows with a test that ran (--grep); JSON holds coverage only with --coverage', () => {
    const p = scratch({
      'parent.json': PARENT,
      'child.json': CHILD,
      'tests/pizza.test.yaml': ['flow: ../pizza.json', 'tests:', '  - name: pizza greets', '    trigger: { message: { body: hi } }', '    expect: { messages: ["Hi! What size pizza? Reply S, M or L."] }', ''].join('\n'),
      'tests/parent.test.yaml': ['flow: ../parent.json', 'tests:', '  - name: parent', '    trigger: { message: { body: hi } }', `    mocks: { subflows: { ${SUB}: ../child.json }, http: [{ url: "https://status.example/health" }] }`, ''].join('\n'),
    });
    try {
      const grep = runFiles([p.path('tests/pizza.test.yaml'), p.path('tests/parent.test.yaml')], { grep: /pizza/ });
      assert.deepEqual(grep.coverage.map((c) => c.flow), [p.path('pizza.json')]);
      const all = runFiles([p.path('tests/pizza.test.yaml'), p.path('tests/parent.test.yaml')]);
      assert.deepEqual(all.coverage.map((c) => c.flow).sort(), [p.path('child.json'), p.path('parent.json'), p.path('pizza.json')].sort());

      const plain = cli(['--reporter', 'json'], p.dir);
      assert.equal(plain.status, 0, plain.stdout + plain.stderr);
      assert.equal('coverage' in JSON.parse(plain.stdout), false);
      const covered = cli(['--reporter', 'json', '--coverage', '--grep', 'pizza'], p.dir);
      assert.equal(covered.status, 0, covered.stdout + covered.stderr);
      // The whole of stdout is the JSON: no coverage text after it.
      assert.deepEqual(JSON.parse(covered.stdout).coverage.map((c: { flow: string }) => c.flow), ['pizza.json']);
      const text = cli(['--coverage', '--grep', 'pizza'], p.dir);
      assert.match(text.stdout, /Coverage \(flows with a test matching --grep pizza\)\n {2}pizza\.json /);
      assert.doesNotMatch(text.stdout, /parent\.json|child\.json/);
    } finally {
      p.done();
    }
  });

  it('an unmocked request names the mock it nearly matched, and the unused mock names the request', () => {
    const p = scratch({
      'pizza.test.yaml': [
        'flow: pizza.json',
        'mocks:',
        '  functions: [{ name: price, body: { price: 12 } }]',
        'tests:',
        '  - name: GET instead of POST',
        '    trigger: { message: { body: "pizza please" } }',
        '    mocks: { http: [{ method: GET, url: "https://api.pizza.example/orders", status: 201 }] }',
        '    script: [{ send: "L" }]',
        '    expect: { steps: { contains: ["place_order -success-> confirm"] } }',
        '  - name: URL typo',
        '    trigger: { message: { body: "pizza please" } }',
        '    mocks: { http: [{ method: POST, url: "https://api.pizza.example/order", status: 201 }, { url: "https://elsewhere.example/completely/different/path" }] }',
        '    script: [{ send: "L" }]',
        '    expect: { steps: { contains: ["place_order -success-> confirm"] } }',
        '',
      ].join('\n'),
    });
    try {
      const [method, typo] = runFiles([p.path('pizza.test.yaml')]).results;
      assert.match(method!.failures[0]!.message, /POST https:\/\/api\.pizza\.example\/orders — add an entry under mocks\.http \(mocks\.http\[0\] has this URL but method GET\)$/);
      assert.deepEqual(method!.notes, ["mocks.http[0] (GET https://api.pizza.example/orders) matched no request — POST https://api.pizza.example/orders (widget 'place_order') has its URL but another method"]);
      assert.match(typo!.failures[0]!.message, /\(closest mock URL: mocks\.http\[0\] https:\/\/api\.pizza\.example\/order\)$/);
      assert.equal(typo!.notes![0], "mocks.http[0] (POST https://api.pizza.example/order) matched no request — the nearest request is POST https://api.pizza.example/orders (widget 'place_order')");
      // A mock nowhere near the request is not offered.
      assert.equal(typo!.notes![1], 'mocks.http[1] (any method https://elsewhere.example/completely/different/path) matched no request');

      // A mock whose `times` ran out: the second request to the same URL names it.
      writeFileSync(
        p.path('twice.json'),
        flow([
          state('Trigger', 'trigger', [{ event: 'incomingMessage', next: 'first' }, { event: 'incomingCall' }, { event: 'incomingRequest' }], {}),
          state('first', 'make-http-request', [{ event: 'success', next: 'second' }, { event: 'failed' }], { method: 'GET', content_type: 'application/json;charset=utf-8', url: 'https://x.example/n' }),
          state('second', 'make-http-request', [{ event: 'success' }, { event: 'failed' }], { method: 'GET', content_type: 'application/json;charset=utf-8', url: 'https://x.example/n' }),
        ]),
      );
      writeFileSync(p.path('twice.test.yaml'), 'flow: twice.json\ntests:\n  - name: twice\n    trigger: { message: { body: hi } }\n    mocks: { http: [{ url: "https://x.example/n", times: 1 }] }\n');
      const [usedUp] = runFiles([p.path('twice.test.yaml')]).results;
      assert.match(usedUp!.failures[0]!.message, /widget 'second': GET https:\/\/x\.example\/n — add an entry under mocks\.http \(mocks\.http\[0\] matches it but has answered its 1 request \(times: 1\)\)$/);
    } finally {
      p.done();
    }
  });

  it('schema errors: did you mean, a duration by example, line and column; the file\'s other tests still run', () => {
    const p = scratch({
      'pizza.test.yaml': [
        'flow: pizza.json',
        'tests:',
        '  - name: typo',
        '    trigger: { message: { body: hi } }',
        '    script:',
        '      - speach: "sales"',
        '      - wait: "2 hours"',
        '    expect: { steps: [{ frm: Trigger }] }',
        '  - name: fine',
        '    trigger: { message: { body: hi } }',
        '    expect: { path: [Trigger, ask_size] }',
        '',
      ].join('\n'),
    });
    try {
      const summary = runFiles([p.path('pizza.test.yaml')]);
      assert.deepEqual(summary.results.map((r) => [r.name, r.status]), [['typo', 'failed'], ['fine', 'passed']]);
      assert.equal(
        summary.results[0]!.failures[0]!.message,
        [
          `${p.path('pizza.test.yaml')}: tests.0 does not match the flow test schema:`,
          "  tests.0.script.0: unknown field 'speach' (did you mean 'speech'?), at line 6, column 9",
          '  tests.0.script.1.wait: must be a duration like 90s, 2m, 1h or 1h30m (or a number of seconds), at line 7, column 9',
          "  tests.0.expect.steps.0: unknown field 'frm' (did you mean 'from'?), at line 8, column 25",
        ].join('\n'),
      );
      // A problem outside the tests still stops the file, said the same way.
      writeFileSync(p.path('pizza.test.yaml'), 'flow: pizza.json\nmoks: {}\ntests: [{ name: a, trigger: { message: {} } }]\n');
      const file = runFiles([p.path('pizza.test.yaml')]);
      assert.equal(file.results[0]!.name, '(load)');
      assert.match(file.results[0]!.failures[0]!.message, /does not match the flow test schema:\n {2}\(top level\): unknown field 'moks' \(did you mean 'mocks'\?\), at line 2, column 1$/);
    } finally {
      p.done();
    }
  });

  it('a YAML file under tests/ that is no test (a --vars file kept there) is failed saying why it was read; a test file keeps the plain schema message', () => {
    const p = scratch({
      'tests/deploy.yaml': 'hours_api: https://hours.example.com\nteam: { id: support }\n',
      'tests/pizza.test.yaml': 'moks: {}\n',
    });
    try {
      const run = cli([], p.dir);
      assert.equal(run.status, 1, run.stdout + run.stderr);
      assert.match(
        run.stdout,
        /tests\/deploy\.yaml: does not match the flow test schema:\n(?: {6}.*\n)+ {4}\(it has neither 'flow' nor 'tests': every YAML file under a tests\/ folder is read as a flow test; keep other YAML, such as a --vars file, outside it\)\n/,
      );
      // A file named as a test is one whatever it holds: no such note.
      assert.equal(run.stdout.match(/it has neither/g)?.length, 1, run.stdout);
    } finally {
      p.done();
    }
  });

  it('--update says how many expectations it rewrote and what the re-run found', () => {
    const p = scratch({
      'tests/pizza.test.yaml': [
        'flow: ../pizza.json',
        'tests:',
        '  - name: greets',
        '    trigger: { message: { body: hi } }',
        '    expect: { messages: ["Hello"], end: completed }',
        '  - name: cannot be repaired',
        '    trigger: { message: { body: hi } }',
        '    expect: { path: { contains: [confirm] } }',
        '',
      ].join('\n'),
    });
    try {
      const run = cli(['--update'], p.dir);
      assert.equal(run.status, 1, run.stdout + run.stderr);
      assert.match(run.stdout, /^updated 2 expectations in tests\/pizza\.test\.yaml\nre-ran: 1 of 2 tests still failing:\n✗ tests\/pizza\.test\.yaml › cannot be repaired\n/m);
      const fixed = cli(['--update', '--grep', 'greets'], p.dir);
      assert.equal(fixed.status, 0, fixed.stdout + fixed.stderr);
      assert.doesNotMatch(fixed.stdout, /updated|re-ran/);
      writeFileSync(p.path('tests/pizza.test.yaml'), readFileSync(p.path('tests/pizza.test.yaml'), 'utf8').replace('end: waiting', 'end: expired'));
      const again = cli(['--update', '--grep', 'greets'], p.dir);
      assert.equal(again.status, 0, again.stdout + again.stderr);
      assert.match(again.stdout, /^updated 1 expectation in tests\/pizza\.test\.yaml\nre-ran: all pass \(1 test\)$/m);
      const none = cli(['--update', '--grep', 'cannot'], p.dir);
      assert.equal(none.status, 1);
      assert.match(none.stdout, /--update changed nothing: none of the 1 failing test has an expectation it can rewrite/);
    } finally {
      p.done();
    }
  });
});
