// A dollar sign written right before a Liquid tag ("Total: ${{flow.variables.total}}", common in
// price messages) is text plus Liquid, not a deploy-time `${var}` placeholder: no warning. Real
// placeholders (`${workflow_sids.master}`, `x-${env}`) still get theirs.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { validateDefinition } from '../../src/definition/validate.ts';
import { state, variant } from './fixtures.ts';

describe('validateDefinition: "$" before Liquid', () => {
  it('a price written as ${{…}} is not a deploy-time placeholder', () => {
    const res = validateDefinition(variant((f) => void (state(f, 'send_1').properties.body = 'Total: ${{flow.variables.total}}, paid ${{ widgets.http_1.parsed.amount }}.')));
    assert.deepEqual(res.errors, []);
    assert.deepEqual(res.warnings, []);
  });

  it('a ${{…}} whole value in a typed field is checked as Liquid, not waved through as a placeholder', () => {
    const res = validateDefinition(variant((f) => void (state(f, 'gather_1').properties.timeout = '${{flow.variables.t}}')));
    assert.equal(res.valid, false);
    assert.ok(res.errors.some((e) => e.property_path === '#/states/2/properties/timeout'), JSON.stringify(res.errors));
  });

  it('a ${var} next to Liquid still warns', () => {
    const res = validateDefinition(variant((f) => void (state(f, 'send_1').properties.body = '${greeting} {{contact.channel.address}}')));
    assert.equal(res.valid, true);
    assert.ok(res.warnings.some((w) => w.property_path === '#/states/1/properties/body' && /deploy-time template placeholder \$\{greeting\}/.test(w.message)), JSON.stringify(res.warnings));
  });
});
