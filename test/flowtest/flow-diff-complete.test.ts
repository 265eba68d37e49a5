// `flows diff` shows every change that alters what a flow does, and shows it legibly: a split
// condition's `arguments` (what the split evaluates), a long value changed near its end (a window
// around the difference instead of two identical cut-off prefixes), a long condition value; key order
// is no change. `sameDefinition` (what `flows push` decides on) sees any difference at all.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { FlowDefinition } from '../../src/definition/types.ts';
import { canonicalJson, clipPair, diffFlows, diffText, sameDefinition } from '../../src/flowtest/flow-diff.ts';

const LONG = 'Thank you for your order. We will text you when it leaves the kitchen. Reply STOP to opt out; reply HELP for help. Message and data rates may apply, depending on your provider.';

function flow(options: { args?: unknown; value?: string; body?: string; next?: string; extra?: Record<string, unknown> } = {}): FlowDefinition {
  return {
    description: 'menu',
    initial_state: 'Trigger',
    flags: { allow_concurrent_calls: true },
    states: [
      { name: 'Trigger', type: 'trigger', transitions: [{ event: 'incomingMessage', next: 'split' }], properties: { offset: { x: 0, y: 0 } } },
      {
        name: 'split',
        type: 'split-based-on',
        transitions: [
          { event: 'noMatch', next: 'thanks' },
          {
            event: 'match',
            next: options.next ?? 'thanks',
            conditions: [{ friendly_name: 'yes', arguments: (options.args ?? ['{{flow.variables.answer}}']) as string[], type: 'equal_to', value: options.value ?? 'yes' }],
          },
        ],
        properties: { input: '{{flow.variables.answer}}', offset: { x: 0, y: 200 } },
      },
      { name: 'thanks', type: 'send-message', transitions: [{ event: 'sent' }, { event: 'failed' }], properties: { from: '{{flow.channel.address}}', to: '{{contact.channel.address}}', body: options.body ?? LONG, ...options.extra } },
    ],
  };
}

const lines = (before: FlowDefinition, after: FlowDefinition) => diffFlows(before, after).widgets.flatMap((w) => (w.kind === 'changed' ? w.details : [`${w.kind} ${w.widget}`]));

describe('flows diff: changes that alter behaviour all show', () => {
  it("a split condition's arguments changed is a change, the transition keeping its name", () => {
    const before = flow();
    const after = flow({ args: ['{{trigger.message.Body}}'] });
    const diff = diffFlows(before, after);
    assert.equal(diff.same, false);
    assert.deepEqual(lines(before, after), ['condition match (yes): yes: "{{flow.variables.answer}}" equal_to "yes" → yes: "{{trigger.message.Body}}" equal_to "yes"']);
    assert.doesNotMatch(diffText(diff, { before: 'a', after: 'b' }), /no changes/);
    // Arguments that are not one string show as their JSON.
    assert.deepEqual(lines(before, flow({ args: [] })), ['condition match (yes): yes: "{{flow.variables.answer}}" equal_to "yes" → yes: [] equal_to "yes"']);
  });

  it('arguments changed together with the target: one transition, two lines', () => {
    assert.deepEqual(lines(flow(), flow({ args: ['{{trigger.message.Body}}'], next: 'split' })), [
      'transition match (yes): → thanks now → split',
      'condition match (yes): yes: "{{flow.variables.answer}}" equal_to "yes" → yes: "{{trigger.message.Body}}" equal_to "yes"',
    ]);
  });

  it('a long condition value changed past the first 117 characters is a change', () => {
    const value = 'x'.repeat(150);
    const [line] = lines(flow({ value: value + 'a' }), flow({ value: value + 'b' }));
    assert.ok(line, 'the change is reported');
    const [before, after] = line!.replace(/^condition match \(yes\): /, '').split(' → ');
    assert.match(before!, /a"…?$/);
    assert.match(after!, /b"…?$/);
  });

  it("the flow's settings and widget properties of any type are reported", () => {
    const after = flow({ extra: { timeout: 30, media_url: ['a.png'], service: { sid: 'MG1' } } });
    after.initial_state = 'split';
    after.description = 'menu v2';
    after.flags = { allow_concurrent_calls: false };
    const diff = diffFlows(flow({ extra: { timeout: 60, media_url: [], service: { sid: 'MG0' } } }), after);
    assert.deepEqual(diff.flow, ['initial_state: Trigger → split', 'description: "menu" → "menu v2"', 'flags: {"allow_concurrent_calls":true} → {"allow_concurrent_calls":false}']);
    assert.deepEqual(diff.widgets, [{ kind: 'changed', widget: 'thanks', type: 'send-message', details: ['media_url: [] → ["a.png"]', 'service: {"sid":"MG0"} → {"sid":"MG1"}', 'timeout: 60 → 30'] }]);
  });

  it('properties that differ only in key order are no change', () => {
    const a = flow({ extra: { media_url: { url: 'x', kind: 'y' } } });
    const b = flow({ extra: { media_url: { kind: 'y', url: 'x' } } });
    assert.equal(diffFlows(a, b).same, true);
    assert.equal(sameDefinition(a, b), true);
    assert.equal(canonicalJson({ b: 1, a: [{ d: 1, c: 2 }] }), '{"a":[{"c":2,"d":1}],"b":1}');
  });
});

describe('flows diff: a long value changed near its end', () => {
  it('shows a window around the first difference on both sides, so they read differently', () => {
    const changed = LONG.replace('provider.', 'carrier.');
    const [line] = lines(flow(), flow({ body: changed }));
    const [before, after] = line!.replace(/^body: /, '').split(' → ');
    assert.notEqual(before, after);
    assert.match(before!, /^….*provider\."$/);
    assert.match(after!, /^….*carrier\."$/);
    assert.ok(Array.from(before!).length <= 120 && Array.from(after!).length <= 120, line);
  });

  it('a difference early in a long value keeps the plain cut from the start', () => {
    const [line] = lines(flow(), flow({ body: 'No' + LONG.slice(5) }));
    assert.match(line!, /^body: "Thank you .*…$/);
    assert.match(line!, / → "No you .*…$/);
  });

  it('clipPair: short texts untouched, windows cut on both ends, a prefix stays visible, characters kept whole', () => {
    assert.deepEqual(clipPair('"a"', '"b"'), ['"a"', '"b"']);
    const base = 'y'.repeat(400);
    const [a, b] = clipPair(base.slice(0, 150) + 'A' + base.slice(151), base.slice(0, 150) + 'B' + base.slice(151));
    assert.match(a, /^…y+Ay+…$/);
    assert.match(b, /^…y+By+…$/);
    assert.equal(Array.from(a).length, 120);
    // One side a prefix of the other: the shorter one shows its end, the longer what follows.
    const [short, long] = clipPair(base.slice(0, 200), base.slice(0, 200) + ' and more');
    assert.match(short, /^…y+$/);
    assert.match(long, /^…y+ and more$/);
    // Emoji (outside the BMP) are never halved.
    const emoji = '😀'.repeat(130);
    const [e1, e2] = clipPair(emoji + '1', emoji + '2');
    assert.doesNotMatch(e1 + e2, /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/);
    assert.match(e1, /1$/);
    assert.match(e2, /2$/);
  });
});

describe('sameDefinition: any difference at all, shown or not', () => {
  it('sees offsets, $schema, widget order and next "" that the readable diff leaves out', () => {
    const base = flow();
    const moved = flow();
    (moved.states[1]!.properties.offset as { x: number }).x = 50;
    const schema = { ...flow(), $schema: 'https://example.com/schema' };
    const reordered = { ...flow(), states: [...flow().states].reverse() };
    const emptyNext = flow();
    emptyNext.states[2]!.transitions[0]!.next = '';
    for (const [label, other] of [['offset', moved], ['$schema', schema], ['widget order', reordered], ['next ""', emptyNext]] as const) {
      const diff = diffFlows(base, other);
      assert.equal(diff.same, true, label);
      assert.equal(diff.identical, false, label);
      assert.equal(sameDefinition(base, other), false, label);
      assert.match(diffText(diff, { before: 'a', after: 'b' }), /no changes to widgets or transitions; the JSON differs otherwise/, label);
    }
    assert.equal(diffFlows(base, flow()).identical, true);
    assert.equal(diffText(diffFlows(base, flow()), { before: 'a', after: 'b' }), '--- a\n+++ b\n  no changes to widgets or transitions');
  });
});

describe('sameDefinition: an integer beyond 2^53, as a file holds it and as a Switchboard keeps it', () => {
  // JSON.parse rounds 12345678901234567890 in a file to 12345678901234567000; the CLI sends that, and the
  // server keeps it as the string "12345678901234567000" (its digits): without this, the two never matched.
  const withValue = (value: unknown): FlowDefinition => flow({ extra: { big: { id: value, list: [value] } } });

  it('the number and the string of its digits are the same value; any other difference still counts', () => {
    const fromFile = JSON.parse('12345678901234567890') as number;
    assert.equal(sameDefinition(withValue(fromFile), withValue('12345678901234567000')), true);
    assert.equal(sameDefinition(withValue(-fromFile), withValue('-12345678901234567000')), true);
    assert.equal(diffFlows(withValue(fromFile), withValue('12345678901234567000')).identical, true);
    assert.equal(canonicalJson({ n: fromFile }), canonicalJson({ n: '12345678901234567000' }));
    // Another number, a safe integer and its text, a float and its text: different values.
    assert.equal(sameDefinition(withValue(fromFile), withValue('12345678901234567001')), false);
    assert.equal(sameDefinition(withValue(42), withValue('42')), false);
    assert.equal(sameDefinition(withValue(1e21), withValue('1e+21')), false);
    assert.equal(sameDefinition(withValue(0.5), withValue('0.5')), false);
  });
});

describe('sameDefinition and diffFlows: a lone surrogate, as a file holds it and as a Switchboard keeps it (U+FFFD)', () => {
  it('the same text; another character is a difference', () => {
    const lone = JSON.parse('"lone \\ud800 surrogate"') as string;
    assert.equal(lone.isWellFormed(), false);
    const replaced = 'lone \ufffd surrogate';
    const withText = (text: string): FlowDefinition => ({ ...flow({ body: text, extra: { [text]: [text] } }), description: text });
    assert.equal(sameDefinition(withText(lone), withText(replaced)), true);
    const diff = diffFlows(withText(lone), withText(replaced));
    assert.deepEqual([diff.same, diff.identical, diff.flow, diff.widgets], [true, true, [], []]);
    assert.equal(sameDefinition(withText(lone), withText('lone ? surrogate')), false);
    assert.deepEqual(diffFlows(withText(lone), withText('lone ? surrogate')).flow, [`description: "${replaced}" → "lone ? surrogate"`]);
  });
});
