// The names the editor's property panel shows: the spec's own words for each property (its `label`, else its
// description up to the first ';', ':' or ' ('), the raw key shown beside them by the panel.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { WIDGET_SPECS } from '../../src/definition/widget-specs.ts';
import { propertyHelp, propertyLabel } from '../../web/src/editor/property-label.ts';

describe('propertyLabel', () => {
  it("takes the description's words before a parenthesis, a semicolon or a colon", () => {
    assert.equal(propertyLabel('say', { description: 'Text to speak (Liquid, SSML)' }), 'Text to speak');
    assert.equal(propertyLabel('body', { description: 'Message text (Liquid); required unless a content template is used' }), 'Message text');
    assert.equal(propertyLabel('from', { description: 'Sender: phone number, Messaging Service SID or chat identity' }), 'Sender');
    assert.equal(propertyLabel('finish_on_key', { description: 'Key that ends input' }), 'Key that ends input');
  });

  it("prefers the spec's label, and falls back to the key when there are no words", () => {
    assert.equal(propertyLabel('speech_timeout', { description: '"auto" or seconds as a string', label: 'Speech timeout' }), 'Speech timeout');
    assert.equal(propertyLabel('x', { description: '' }), 'x');
  });

  it('keeps the description as help only when it says more than the label', () => {
    assert.equal(propertyHelp('say', { description: 'Text to speak (Liquid, SSML)' }), 'Text to speak (Liquid, SSML)');
    assert.equal(propertyHelp('loop', { description: 'Times to repeat' }), null);
    assert.equal(propertyHelp('speech_timeout', { description: '"auto" or seconds as a string', label: 'Speech timeout' }), '"auto" or seconds as a string');
  });

  it('gives every property of every widget a short name, no two alike in one widget', () => {
    for (const [type, spec] of Object.entries(WIDGET_SPECS)) {
      const seen = new Map<string, string>();
      for (const [key, prop] of Object.entries(spec.properties)) {
        if (key === 'offset') continue;
        const label = propertyLabel(key, prop);
        const where = `${type}.${key}: “${label}”`;
        assert.ok(label.length > 0 && label.length <= 50, `${where} is a name, not a sentence`);
        assert.match(label, /^[A-Z]/, `${where} starts with a capital`);
        assert.ok(!label.includes(','), `${where} is one name, not a list of values`);
        assert.ok(!seen.has(label.toLowerCase()), `${where} is also ${type}.${seen.get(label.toLowerCase())}'s name`);
        seen.set(label.toLowerCase(), key);
      }
    }
  });
});
