// `switchboard test --update` rewrites only the failing expectations: the text of what changes, and
// nothing else — flow-style sequences stay on one line, quotes and spacing of mocks, comments and
// blank lines stay byte for byte. Within a failing expectation what still holds stays as written.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { flowText, scalarText } from '../../src/flowtest/update-expectations.ts';

const main = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const pizzaFlow = fileURLToPath(new URL('../../examples/flows/pizza-order.json', import.meta.url));
const pizzaTests = fileURLToPath(new URL('../../examples/tests/pizza-order.test.yaml', import.meta.url));

function switchboardTest(args: string[], cwd: string) {
  return spawnSync(process.execPath, [main, 'test', '--no-color', ...args], { cwd, encoding: 'utf8', env: { PATH: process.env.PATH ?? '' }, timeout: 60_000 });
}

/** A scratch project: flows/pizza-order.json and tests/<name> holding `text`. */
function project(name: string, text: string): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'sb-update-'));
  mkdirSync(join(dir, 'flows'));
  mkdirSync(join(dir, 'tests'));
  copyFileSync(pizzaFlow, join(dir, 'flows', 'pizza-order.json'));
  const file = join(dir, 'tests', name);
  writeFileSync(file, text);
  return { dir, file };
}

/** Runs --update, checks that it said so and that the file then passes; the file's new text. */
function update(dir: string, file: string): string {
  const run = switchboardTest(['--update'], dir);
  assert.equal(run.status, 0, run.stdout + run.stderr);
  assert.match(run.stdout, /^updated \d+ expectations? in tests\/.*\nre-ran: all pass \(\d+ tests?\)$/m);
  const again = switchboardTest([], dir);
  assert.equal(again.status, 0, again.stdout + again.stderr);
  return readFileSync(file, 'utf8');
}

describe('switchboard test --update', () => {
  it('one wrong variable in the example file: only that value changes, the file is the example again byte for byte', () => {
    const original = readFileSync(pizzaTests, 'utf8');
    assert.match(original, /path: \[Trigger, ask_size, check_size, remember_size, price, place_order, confirm\]/);
    const broken = original.replace('variables: { size: "L" }', 'variables: { size: "XL" }');
    assert.notEqual(broken, original);
    const { dir, file } = project('pizza-order.test.yaml', broken.replaceAll('../flows/', '../flows/'));
    try {
      assert.equal(update(dir, file), original);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('edits in place: elements of a sequence, a block list, a subset of variables, comments and styles kept', () => {
    const before = [
      '# top comment',
      'flow: ../flows/pizza-order.json',
      'mocks:',
      '  functions: [{name: price, body: {price: 12}}]    # odd spacing kept',
      '  http:',
      '    - {method: POST, url: https://api.pizza.example/orders, status: 201, body: {id: "ORD-42"}}',
      '',
      'tests:',
      '  - name: one message wrong, the pattern before it kept',
      '    trigger: {message: {body: "hi"}}',
      '    script: [{send: "l"}]',
      '    expect:',
      '      messages:',
      '        - "/^Hi!/"            # still matches',
      "        - 'Order wrong text'  # wrong",
      '      path: [Trigger, ask_size, check_size, remember_size, price, place_order, confirm]',
      '      end: completed',
      '',
      '  - name: path too short',
      '    trigger: {message: {body: "hi"}}',
      '    script: [{send: "l"}]',
      '    expect:',
      '      path: [ Trigger, ask_size, check_size ]',
      '      end: completed',
      '',
      '  - name: block path with a wrong step',
      '    trigger: {message: {body: "hi"}}',
      '    script: [{send: "l"}]',
      '    expect:',
      '      path:',
      '        - Trigger',
      '        - ask_size',
      '        - wrong   # this one',
      '        - remember_size',
      '        - price',
      '        - place_order',
      '        - confirm',
      '      end: waiting   # wrong too',
      '',
      '  - name: too many messages',
      '    trigger: {message: {body: "hi"}}',
      '    expect:',
      '      messages: ["Hi! What size pizza? Reply S, M or L.", "extra", "more"]',
      '',
      '  - name: a message missing and a variable wrong',
      '    trigger: {message: {body: "hi"}}',
      '    script: [{send: "l"}]',
      '    expect:',
      '      messages:',
      '        - "Hi! What size pizza? Reply S, M or L."',
      '      variables:',
      '        size: "M"',
      '      widgets:',
      '        place_order: {status_code: 200, parsed: {id: "ORD-42"}}',
      '',
      '  - name: no expectations yet, passing so left alone',
      '    trigger:',
      '      message: {body: "hi"}',
      '',
      '  - {name: no expectations in a flow map, trigger: {message: {body: "hi"}}}',
      '',
      '  - name: empty expectations',
      '    trigger: {message: {body: "hi"}}',
      '    expect: {}',
      '',
    ].join('\n');
    const after = before
      .replace("- 'Order wrong text'  # wrong", "- 'Order ORD-42 confirmed: one L pizza, $12. Ready in 20 minutes.'  # wrong")
      .replace('path: [ Trigger, ask_size, check_size ]', 'path: [ Trigger, ask_size, check_size, remember_size, price, place_order, confirm ]')
      .replace('- wrong   # this one', '- check_size   # this one')
      .replace('end: waiting   # wrong too', 'end: completed   # wrong too')
      .replace('messages: ["Hi! What size pizza? Reply S, M or L.", "extra", "more"]', 'messages: ["Hi! What size pizza? Reply S, M or L."]')
      .replace(
        '        - "Hi! What size pizza? Reply S, M or L."\n      variables:\n        size: "M"\n',
        '        - "Hi! What size pizza? Reply S, M or L."\n        - "Order ORD-42 confirmed: one L pizza, $12. Ready in 20 minutes."\n      variables:\n        size: "L"\n',
      )
      .replace('{status_code: 200, parsed', '{status_code: 201, parsed');
    const { dir, file } = project('edits.test.yaml', before);
    try {
      assert.equal(update(dir, file), after);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('JSON test files are edited in place too', () => {
    const before = [
      '{',
      '  "flow": "../flows/pizza-order.json",',
      '  "tests": [',
      '    { "name": "wrong end", "trigger": { "message": { "body": "hi" } }, "expect": { "end": "completed", "path": ["Trigger"] } },',
      '    { "name": "fresh", "trigger": { "message": { "body": "hi" } } }',
      '  ]',
      '}',
      '',
    ].join('\n');
    // The passing test without expectations is left as it is.
    const after = before.replace('"expect": { "end": "completed", "path": ["Trigger"] }', '"expect": { "end": "waiting", "path": ["Trigger", "ask_size"] }');
    const { dir, file } = project('edits.test.json', before);
    try {
      assert.equal(update(dir, file), after);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('what cannot be edited in place (an anchor shared by two tests) is still updated correctly', () => {
    const before = [
      'flow: ../flows/pizza-order.json',
      'tests:',
      '  - name: first',
      '    trigger: {message: {body: "hi"}}',
      '    expect: &same {end: completed}',
      '  - name: second',
      '    trigger: {message: {body: "hi"}}',
      '    expect: *same',
      '',
    ].join('\n');
    const { dir, file } = project('anchors.test.yaml', before);
    try {
      const text = update(dir, file);
      assert.match(text, /end: waiting/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a variable name that neither the run nor the flow sets (a typo) is kept and reported with the closest name, not made a passing "not set"', () => {
    const before = [
      'flow: ../flows/pizza-order.json',
      'mocks:',
      '  functions: [{ name: price, body: { price: 12 } }]',
      '  http: [{ method: POST, url: https://api.pizza.example/orders, status: 201, body: { id: "ORD-42" } }]',
      'tests:',
      '  - name: a misspelt variable',
      '    trigger: { message: { body: "pizza please" } }',
      '    script:',
      '      - expect: { variables: { size: "M" } }',
      '      - send: "l"',
      '    expect:',
      '      variables: { sise: "L", size: "XL" }',
      '',
    ].join('\n');
    const { dir, file } = project('typo.test.yaml', before);
    try {
      const hint = "variables.sise: 'sise' is not a variable this flow sets (did you mean 'size'?)";
      const first = switchboardTest([], dir);
      assert.equal(first.status, 1);
      assert.ok(first.stdout.includes(hint), first.stdout);
      const run = switchboardTest(['--update'], dir);
      assert.equal(run.status, 1, run.stdout + run.stderr);
      // The real variable is repaired (not set yet at the first expect: the flow sets it later; then "L"), the typo kept.
      assert.equal(readFileSync(file, 'utf8'), before.replace('variables: { size: "M" }', 'variables: { size: null }').replace('size: "XL"', 'size: "L"'));
      assert.match(run.stdout, /^updated 2 expectations in tests\/typo\.test\.yaml\nre-ran: 1 of 1 test still failing:\n/m);
      assert.ok(run.stdout.slice(run.stdout.indexOf('re-ran:')).includes(hint), run.stdout);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('writes scalars that read back as themselves, in the quoting asked for where it can hold them', () => {
    assert.equal(scalarText('L', undefined, false), 'L');
    assert.equal(scalarText('L', 'QUOTE_DOUBLE', false), '"L"');
    assert.equal(scalarText("it's", 'QUOTE_SINGLE', false), "'it''s'");
    assert.equal(scalarText('a\nb', 'QUOTE_SINGLE', false), '"a\\nb"');
    for (const tricky of ['123', 'true', 'null', '~', '- x', 'a: b', 'a #b', '*x', '&x', '!x', '[x]', '{x}', '"x"', "'x'", ' x', 'x ', '', '@x', '%x', '|', '>']) {
      assert.equal(scalarText(tricky, undefined, false), JSON.stringify(tricky), tricky);
    }
    assert.equal(scalarText('a, b', undefined, false), 'a, b');
    assert.equal(scalarText('a, b', undefined, true), '"a, b"');
    assert.equal(flowText({ size: 'L', n: [1, 'x, y'] }, undefined), '{ size: L, n: [1, "x, y"] }');
    assert.equal(flowText(['a', { b: 1 }], undefined, { seq: true, map: false }), '[ a, {b: 1} ]');
  });
});
