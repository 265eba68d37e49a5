// `switchboard flows diff` on split widgets: a split's `match` transitions are named by their
// condition in both files alike, so removing, adding, renaming or reordering one reports that change
// and nothing else.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FlowDefinition, Transition } from '../../src/definition/types.ts';
import { diffFlows, diffText } from '../../src/flowtest/flow-diff.ts';

const main = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

const match = (name: string, value: string, next: string): Transition => ({
  event: 'match',
  next,
  conditions: [{ friendly_name: name, arguments: ['{{trigger.message.Body}}'], type: 'equal_to', value }],
});

/** A menu: a split on the reply with the given match transitions. */
function menu(matches: Transition[]): FlowDefinition {
  const send = (name: string, body: string) => ({
    name,
    type: 'send-message' as const,
    transitions: [{ event: 'sent' }, { event: 'failed' }],
    properties: { from: '{{flow.channel.address}}', to: '{{contact.channel.address}}', body },
  });
  return {
    description: 'menu',
    initial_state: 'Trigger',
    flags: { allow_concurrent_calls: true },
    states: [
      { name: 'Trigger', type: 'trigger', transitions: [{ event: 'incomingMessage', next: 'split' }], properties: {} },
      { name: 'split', type: 'split-based-on', transitions: [{ event: 'noMatch', next: 'help' }, ...matches], properties: { input: '{{trigger.message.Body}}' } },
      { name: 'setvars', type: 'set-variables', transitions: [{ event: 'next' }], properties: { variables: [{ key: 'choice', value: '1' }] } },
      send('hours', 'Open 11-23'),
      send('help', 'Reply 1 or 2'),
    ],
  };
}

const details = (before: FlowDefinition, after: FlowDefinition) => {
  const diff = diffFlows(before, after);
  return diff.widgets.flatMap((w) => (w.kind === 'changed' ? w.details.map((d) => `${w.widget}: ${d}`) : [`${w.kind} ${w.widget}`]));
};

describe('flows diff: split conditions', () => {
  const digit = match('digit', '1', 'setvars');
  const two = match('two', '2', 'hours');

  it('removing the second match transition reports that one removed, not the first removed and re-added', () => {
    assert.deepEqual(details(menu([digit, two]), menu([digit])), ['split: transition match (two) → hours removed']);
    const text = diffText(diffFlows(menu([digit, two]), menu([digit])), { before: 'a.json', after: 'b.json' });
    assert.equal(text, ['--- a.json', '+++ b.json', '~ split (split-based-on)', '    transition match (two) → hours removed'].join('\n'));
  });

  it('adding a second match transition reports only the added one; the first keeps its name', () => {
    assert.deepEqual(details(menu([digit]), menu([digit, two])), ['split: transition match (two) → hours added']);
    assert.deepEqual(details(menu([two]), menu([digit, two])), ['split: transition match (digit) → setvars added']);
  });

  it('a lone match transition is named by its condition too', () => {
    assert.deepEqual(details(menu([digit]), menu([match('digit', '1', 'hours')])), ['split: transition match (digit): → setvars now → hours']);
    const added = diffFlows({ ...menu([]), states: menu([]).states.filter((s) => s.name !== 'split') }, menu([digit]));
    const split = added.widgets.find((w) => w.widget === 'split');
    assert.deepEqual(split, { kind: 'added', widget: 'split', type: 'split-based-on', transitions: ['noMatch → help', 'match (digit) → setvars'] });
  });

  it('a changed value, a new target, a renamed condition and a new order are each reported once', () => {
    assert.deepEqual(details(menu([digit, two]), menu([digit, match('two', '3', 'hours')])), ['split: condition match (two): two: "{{trigger.message.Body}}" equal_to "2" → two: "{{trigger.message.Body}}" equal_to "3"']);
    assert.deepEqual(details(menu([digit, two]), menu([digit, match('two', '2', 'setvars')])), ['split: transition match (two): → hours now → setvars']);
    assert.deepEqual(details(menu([digit, two]), menu([digit, match('second', '2', 'hours')])), ['split: condition match (two): two: "{{trigger.message.Body}}" equal_to "2" → second: "{{trigger.message.Body}}" equal_to "2"']);
    // The first condition that matches wins, so the order is behaviour.
    assert.deepEqual(details(menu([digit, two]), menu([two, digit])), ['split: order of conditions: match (digit), match (two) → match (two), match (digit)']);
    assert.equal(diffFlows(menu([digit, two]), menu([match('digit', '1', 'setvars'), match('two', '2', 'hours')])).same, true);
  });

  it('conditions that share a name are told apart by what they test', () => {
    const a = match('digit', '1', 'setvars');
    const b = match('digit', '2', 'hours');
    assert.deepEqual(details(menu([a, b]), menu([a])), ['split: transition match (digit) → hours removed']);
    assert.deepEqual(details(menu([a, b]), menu([b])), ['split: transition match (digit) → setvars removed']);
  });

  it('switchboard flows diff a.json b.json prints only the removed transition and exits 1', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-flow-diff-'));
    try {
      writeFileSync(join(dir, 'a.json'), JSON.stringify(menu([digit, two]), null, 2));
      writeFileSync(join(dir, 'b.json'), JSON.stringify(menu([digit]), null, 2));
      const result = spawnSync(process.execPath, [main, 'flows', 'diff', 'a.json', 'b.json'], { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 60_000 });
      assert.equal(result.status, 1, result.stderr);
      assert.match(result.stdout, /~ split \(split-based-on\)\n {4}transition match \(two\) → hours removed\n/);
      assert.doesNotMatch(result.stdout, /setvars/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('flows diff: a widget name used twice', () => {
  const digit = match('digit', '1', 'setvars');
  /** The menu with a second `setvars` (another value), inserted `at` the given index. */
  const withDuplicate = (at: number) => {
    const flow = menu([digit]);
    flow.states.splice(at, 0, { name: 'setvars', type: 'set-variables', transitions: [{ event: 'next' }], properties: { variables: [{ key: 'choice', value: '2' }] } });
    return flow;
  };

  it('shows the copy as added, marked a duplicate, not as a change to the original (wherever it stands)', () => {
    for (const at of [1, 3, 5]) {
      const diff = diffFlows(menu([digit]), withDuplicate(at));
      assert.deepEqual(diff.widgets, [{ kind: 'added', widget: 'setvars', type: 'set-variables', transitions: ['next → Ended'], duplicate: true }], `at ${at}`);
      assert.equal(diffText(diff, { before: 'a.json', after: 'b.json' }), ['--- a.json', '+++ b.json', '+ setvars (set-variables) [duplicate name]', '    next → Ended'].join('\n'));
    }
  });

  it('a duplicate taken out is removed, marked a duplicate; a unique widget added or removed is not marked', () => {
    const diff = diffFlows(withDuplicate(3), menu([digit]));
    assert.deepEqual(diff.widgets, [{ kind: 'removed', widget: 'setvars', type: 'set-variables', duplicate: true }]);
    assert.match(diffText(diff, { before: 'a.json', after: 'b.json' }), /^- setvars \(set-variables\) \[duplicate name\]$/m);
    const fewer = menu([digit]);
    fewer.states = fewer.states.filter((s) => s.name !== 'hours');
    assert.deepEqual(diffFlows(menu([digit]), fewer).widgets, [{ kind: 'removed', widget: 'hours', type: 'send-message' }]);
  });
});

describe('flows diff: an invalid definition (a file edited by hand, a draft saved invalid)', () => {
  const digit = match('digit', '1', 'setvars');
  /** The menu with `change` made to a copy, typed loosely: these are the shapes a definition should not have. */
  const broken = (change: (flow: { states: unknown[] } & Record<string, unknown>) => void) => {
    const flow = structuredClone(menu([digit])) as unknown as { states: unknown[] } & Record<string, unknown>;
    change(flow);
    return flow as unknown as FlowDefinition;
  };
  const states = (flow: { states: unknown[] }) => flow.states as { name: string; transitions: unknown[] | null }[];
  const shapes: Record<string, Parameters<typeof broken>[0]> = {
    'a null transition': (f) => states(f)[1]!.transitions!.splice(1, 0, null),
    'transitions null': (f) => (states(f)[4]!.transitions = null),
    'a null widget': (f) => (f.states[3] = null),
    'a widget without a name': (f) => delete (f.states[3] as { name?: string }).name,
    'conditions that are no list': (f) => ((states(f)[1]!.transitions![1] as { conditions: unknown }).conditions = { value: '1' }),
    'a null condition': (f) => ((states(f)[1]!.transitions![1] as { conditions: unknown[] }).conditions = [null]),
    'no widget list': (f) => delete (f as { states?: unknown }).states,
  };

  for (const [name, change] of Object.entries(shapes)) {
    it(`${name}: compared as far as it can be read, the rest said, never a crash`, () => {
      for (const [before, after, side] of [[menu([digit]), broken(change), 'the second (+++)'], [broken(change), menu([digit]), 'the first (---)']] as const) {
        const diff = diffFlows(before, after);
        assert.equal(diff.same, false);
        assert.equal(diff.identical, false);
        assert.ok(diff.flow.some((line) => line.startsWith(`${side}: 1 part `) && line.includes('not compared: an invalid definition')), diff.flow.join('\n'));
        assert.match(diffText(diff, { before: 'a.json', after: 'b.json' }), /cannot be read and is not compared/);
      }
      // The same broken file on both sides is no change.
      const same = diffFlows(broken(change), broken(change));
      assert.deepEqual([same.same, same.identical, same.flow], [true, true, []]);
    });
  }

  it('what can still be read is reported: a widget whose transitions became null loses them', () => {
    const diff = diffFlows(menu([digit]), broken(shapes['transitions null']!));
    assert.deepEqual(diff.widgets, [{ kind: 'changed', widget: 'help', type: 'send-message', details: ['transition sent → Ended removed', 'transition failed → Ended removed'] }]);
  });

  it('switchboard flows diff a.json b.json with a null transition in one exits 1 and says so (it crashed with exit 2)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-flow-diff-'));
    try {
      writeFileSync(join(dir, 'a.json'), JSON.stringify(menu([digit]), null, 2));
      writeFileSync(join(dir, 'b.json'), JSON.stringify(broken(shapes['a null transition']!), null, 2));
      const result = spawnSync(process.execPath, [main, 'flows', 'diff', 'a.json', 'b.json'], { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 60_000 });
      assert.equal(result.status, 1, result.stderr);
      assert.equal(result.stderr, '');
      assert.match(result.stdout, /^~ the second \(\+\+\+\): 1 part .* cannot be read and is not compared: an invalid definition \(flows validate says where\)$/m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
