// Set Variables' "Parse as JSON object" (reference §2.3: its JSON name and place are UNCONFIRMED; a secondary source
// calls it `parse_as_json: true`). The engine honours it on the widget as on a variable, so the validator must not
// call the widget-level key ignored: it says the name is a guess and which spelling real exports use.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { validateDefinition } from '../../src/definition/validate.ts';
import type { JsonObject } from '../../src/engine/types.ts';
import { triggerFlow } from '../support/flows.ts';
import { startFlow } from './helpers.ts';

const flow = triggerFlow('parse', 'incomingRequest', 'vars', [
  { name: 'vars', type: 'set-variables', properties: { parse_as_json: true, variables: [{ key: 'cfg', value: '{"a":{"b":2}}' }] }, transitions: [{ event: 'next' }] },
]);

describe('Set Variables parse_as_json on the widget (§2.3)', () => {
  it('is honoured by the engine: the value becomes an object', () => {
    const { result } = startFlow(flow, 'incomingRequest', { request: { from: '+15005550006', to: '+15551230001', parameters: {} } });
    assert.deepEqual((result.state.frames[0]!.variables as JsonObject).cfg, { a: { b: 2 } });
  });

  it('is not reported as ignored by the validator, which names the exports\' spelling instead', () => {
    const result = validateDefinition(flow);
    assert.equal(result.valid, true);
    const warning = result.warnings.find((w) => w.property_path === '#/states/1/properties/parse_as_json');
    assert.ok(warning, JSON.stringify(result.warnings));
    assert.doesNotMatch(warning.message, /ignored/);
    assert.match(warning.message, /UNCONFIRMED/);
    assert.match(warning.message, /"type": "json_object"/);
  });

  it('a key the engine does not read is still reported as ignored', () => {
    const other = triggerFlow('parse', 'incomingRequest', 'vars', [
      { name: 'vars', type: 'set-variables', properties: { parse_as_jsn: true, variables: [{ key: 'k', value: 'v' }] }, transitions: [{ event: 'next' }] },
    ]);
    const warning = validateDefinition(other).warnings.find((w) => w.property_path === '#/states/1/properties/parse_as_jsn');
    assert.ok(warning);
    assert.match(warning.message, /ignored/);
  });
});
