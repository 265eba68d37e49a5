// The revisions diff names the widget each run of shown lines is in (web/src/flows/line-diff.ts
// widgetOfLine): line numbers alone did not say which widget's "body" changed.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { prettyJson, widgetOfLine } from '../../web/src/flows/line-diff.ts';

const definition = {
  description: 'two widgets',
  states: [
    { name: 'Trigger', type: 'trigger', transitions: [{ event: 'incomingMessage', next: 'say "hi"' }], properties: { offset: { x: 0, y: 0 } } },
    // Its name after its properties, as some exports write it; a property named "name" deeper in.
    { type: 'send-message', transitions: [{ event: 'sent' }], properties: { body: 'Hello', attributes: { name: 'not the widget' } }, name: 'say "hi"' },
  ],
  initial_state: 'Trigger',
  flags: { allow_concurrent_calls: true },
};
const lines = prettyJson(definition).split('\n');
const at = (text: string) => lines.findIndex((line) => line.includes(text));

describe('the widget a line of a definition is in', () => {
  it('names the widget of a line inside it, wherever its name is written', () => {
    assert.equal(widgetOfLine(lines, at('"next": "say')), 'Trigger');
    assert.equal(widgetOfLine(lines, at('"body": "Hello"')), 'say "hi"');
    assert.equal(widgetOfLine(lines, at('"not the widget"')), 'say "hi"');
    assert.equal(widgetOfLine(lines, at('"name": "say')), 'say "hi"');
  });

  it('names none outside the widgets', () => {
    assert.equal(widgetOfLine(lines, at('"description"')), null);
    assert.equal(widgetOfLine(lines, at('"initial_state"')), null);
    assert.equal(widgetOfLine(lines, at('"allow_concurrent_calls"')), null);
    assert.equal(widgetOfLine(lines, 0), null);
  });

  it('counts a widget’s braces as its own', () => {
    const opening = lines.indexOf('    {');
    assert.equal(widgetOfLine(lines, opening), 'Trigger');
    const closing = lines.findIndex((line, i) => i > opening && /^ {4}\},$/.test(line));
    assert.equal(widgetOfLine(lines, closing), 'Trigger');
  });
});
