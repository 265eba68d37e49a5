// A message or variable that differs from the expected text by a doubled space, a trailing space or
// the newlines a Liquid tag left showed two lines that read the same: the failure now says where they
// differ, with the whitespace there made visible.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runFiles } from '../../src/flowtest/runner.ts';
import { junitReport, textReport } from '../../src/flowtest/reporters.ts';
import { textDifference, textDistance } from '../../src/flowtest/text-difference.ts';

const flow = {
  description: 'greeting',
  initial_state: 'Trigger',
  flags: { allow_concurrent_calls: true },
  states: [
    { name: 'Trigger', type: 'trigger', transitions: [{ event: 'incomingMessage', next: 'remember' }, { event: 'incomingCall' }, { event: 'incomingRequest' }], properties: { offset: { x: 0, y: 0 } } },
    {
      name: 'remember',
      type: 'set-variables',
      transitions: [{ event: 'next', next: 'intro' }],
      properties: { offset: { x: 0, y: 100 }, variables: [{ key: 'name', value: '{% if trigger.message.Body %}\n{{trigger.message.Body}}\n{% endif %}' }] },
    },
    { name: 'intro', type: 'send-message', transitions: [{ event: 'sent', next: 'greet' }, { event: 'failed' }], properties: { offset: { x: 0, y: 150 }, from: '{{flow.channel.address}}', to: '{{contact.channel.address}}', body: 'Acme Pizza here.' } },
    { name: 'greet', type: 'send-message', transitions: [{ event: 'sent' }, { event: 'failed' }], properties: { offset: { x: 0, y: 200 }, from: '{{flow.channel.address}}', to: '{{contact.channel.address}}', body: 'Hello {{trigger.message.Body}},  welcome back to Acme Pizza.' } },
  ],
};

describe('where nearly equal texts differ', () => {
  it('names the character and shows the spaces', () => {
    assert.equal(textDifference('rate J-77 provided today', 'rate J-77  provided today'), 'they differ at character 11 (spaces shown as ·): expected "rate·J-77·provided·tod…", got "rate·J-77··provided·tod…"');
    assert.equal(textDifference('Order ORD-42 confirmed', 'Order ORD-43 confirmed'), 'they differ at character 12: expected "Order ORD-42 confirmed", got "Order ORD-43 confirmed"');
    assert.equal(textDifference('a\u00a0b', 'a b'), 'they differ at character 2 (spaces shown as ·): expected "a\\u00a0b", got "a·b"');
    assert.equal(textDifference('Hi Ann', 'Hi Ann '), 'they differ only in the whitespace around the text: expected nothing around it, got "·" after it');
    assert.equal(textDifference('same', 'same'), undefined);
    assert.equal(textDifference('totally different', 'nothing alike at all'), undefined);
  });

  it('says so under a failing message and variable, in the text and JUnit reports', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-text-difference-'));
    try {
      writeFileSync(join(dir, 'flow.json'), JSON.stringify(flow));
      const file = join(dir, 'greet.test.yaml');
      writeFileSync(
        file,
        [
          'flow: flow.json',
          'tests:',
          '  - name: greets',
          '    trigger: { message: { body: Ann } }',
          '    script:',
          '      - expect: { messages: { contains: ["Hello Ann, welcome back to Acme Pizza."] } }',
          '    expect:',
          '      messages: ["Acme Pizza here", "Hello Ann, welcome back to Acme Pizza."]',
          '      variables: { name: Ann }',
          '      heard: ["/never/"]',
          '',
        ].join('\n'),
      );
      const summary = runFiles([file]);
      const text = textReport(summary, { color: false });
      assert.match(text, /^ {4}messages\[0\]: they differ after character 15: expected "…e Pizza here", got "…e Pizza here\."$/m, text);
      assert.match(text, /^ {4}messages\[1\]: they differ at character 12 \(spaces shown as ·\): expected "Hello·Ann,·welcome·back…", got "Hello·Ann,··welcome·back…"$/m, text);
      assert.match(text, /^ {4}they differ only in the whitespace around the text: expected nothing around it, got "\\n" before it and "\\n" after it \(a Liquid tag on a line of its own leaves its newline: \{%- … -%\} trims it\)$/m, text);
      // Among several messages (a contains list), the first it nearly matches, named by its widget.
      assert.match(text, /^ {4}messages\[0\] against greet's: they differ at character 12 \(spaces shown as ·\): expected "Hello·Ann,·welcome·back…", got "Hello·Ann,··welcome·back…"$/m, text);
      // A /regex/ is no text to compare character by character.
      assert.doesNotMatch(text, /heard\[0\]/, text);
      assert.match(junitReport(summary), /messages\[1\]: they differ at character 12/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('among several messages it nearly matches, sets the expected one against the closest (the earlier on a tie)', () => {
    assert.equal(textDistance('Order 43 is ready', 'Order 42 is ready!'), 2);
    assert.equal(textDistance('Order 43 is ready', 'Order 43 is ready.'), 1);
    assert.equal(textDistance('kitten', 'sitting'), 3);
    const send = (name: string, next: string | undefined, y: number, body: string) => ({ name, type: 'send-message', transitions: [{ event: 'sent', ...(next ? { next } : {}) }, { event: 'failed' }], properties: { offset: { x: 0, y }, from: '{{flow.channel.address}}', to: '{{contact.channel.address}}', body } });
    const orders = {
      ...flow,
      states: [
        { ...flow.states[0]!, transitions: [{ event: 'incomingMessage', next: 'first' }, { event: 'incomingCall' }, { event: 'incomingRequest' }] },
        send('first', 'second', 100, 'Order 43 is ready for pickup today!!'),
        send('second', 'third', 200, 'Order 43 is ready for pickup today.'),
        send('third', undefined, 300, 'Order 43 is ready for pickup today?'),
      ],
    };
    const dir = mkdtempSync(join(tmpdir(), 'sb-text-difference-'));
    try {
      writeFileSync(join(dir, 'flow.json'), JSON.stringify(orders));
      const file = join(dir, 'orders.test.yaml');
      writeFileSync(
        file,
        [
          'flow: flow.json',
          'tests:',
          '  - name: closest',
          '    trigger: { message: { body: hi } }',
          '    expect:',
          '      messages: { contains: ["Order 43 is ready for pickup today"] }',
          '',
        ].join('\n'),
      );
      const text = textReport(runFiles([file]), { color: false });
      // first's is 2 characters away, second's and third's 1 each: second's, the earlier of those.
      assert.match(text, /^ {4}messages\[0\] against second's: they differ after character 34: expected "…pickup today", got "…pickup today\."$/m, text);
      assert.doesNotMatch(text, /against (first|third)'s/, text);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
