import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { isLegacyDefinition, migrateDefinition } from '../../src/definition/migrate.ts';
import { validateDefinition } from '../../src/definition/validate.ts';
import { baseFlow } from './fixtures.ts';

const legacy = () => JSON.parse(readFileSync(new URL('../fixtures/flows/legacy-pre-2019.json', import.meta.url), 'utf8'));

describe('migrateDefinition (legacy pre-2019 shape, §8)', () => {
  it('detects the legacy shape and leaves current definitions alone', () => {
    assert.equal(isLegacyDefinition(legacy()), true);
    assert.equal(isLegacyDefinition(baseFlow()), false);
    const current = baseFlow();
    const res = migrateDefinition(current);
    assert.equal(res.migrated, false);
    assert.equal(res.definition, current);
    assert.deepEqual(res.notes, []);
  });

  it('maps every CamelCase type to its current type string', () => {
    const { definition, migrated } = migrateDefinition(legacy());
    assert.equal(migrated, true);
    assert.deepEqual(
      definition.states.map((s) => [s.name, s.type]),
      [
        ['Trigger', 'trigger'],
        ['ask_name', 'send-and-wait-for-reply'],
        ['menu', 'gather-input-on-call'],
        ['remember', 'set-variables'],
        ['route', 'split-based-on'],
        ['greet', 'send-message'],
        ['hours', 'say-play'],
        ['log_call', 'make-http-request'],
        ['notify', 'run-function'],
        ['agent', 'send-to-flex'],
      ],
    );
  });

  it('rewrites next from state SIDs to state names and drops null next', () => {
    const { definition } = migrateDefinition(legacy());
    const trigger = definition.states[0];
    assert.deepEqual(trigger.transitions, [
      { event: 'incomingMessage', next: 'ask_name' },
      { event: 'incomingCall', next: 'menu' },
      { event: 'incomingRequest' },
    ]);
    const route = definition.states.find((s) => s.name === 'route')!;
    assert.equal(route.transitions[0].next, 'menu');
    assert.equal(route.transitions[1].next, 'hours');
    assert.equal(route.transitions[1].conditions?.[0].type, 'equal_to');
    assert.equal('conditions' in route.transitions[0], false, 'empty legacy conditions are dropped');
  });

  it('adds initial_state and flags, drops sids, uuids, nulls and legacy-only keys', () => {
    const { definition, notes } = migrateDefinition(legacy());
    assert.equal(definition.initial_state, 'Trigger');
    assert.deepEqual(definition.flags, { allow_concurrent_calls: false });
    const text = JSON.stringify(definition);
    assert.doesNotMatch(text, /"sid"|"uuid"|null|save_response_as|flow_url/);
    assert.deepEqual(Object.keys(definition.states[0].properties), ['offset']);
    assert.ok(notes.some((n) => /initial_state set to "Trigger"/.test(n)));
    assert.ok(notes.some((n) => /allow_concurrent_calls: false/.test(n)));
  });

  it('produces a definition that validates cleanly', () => {
    const { definition } = migrateDefinition(legacy());
    const res = validateDefinition(definition);
    assert.deepEqual(res.errors, []);
    // send-and-wait `timeout: 3600` (integer) survives migration: fine, as in any export (the engine converts it).
    assert.deepEqual(res.warnings, []);
  });

  it('is idempotent', () => {
    const once = migrateDefinition(legacy()).definition;
    const twice = migrateDefinition(once);
    assert.equal(twice.migrated, false);
    assert.deepEqual(twice.definition, once);
  });

  it('keeps a next SID that names no state, with a note, so validation reports it', () => {
    const def = legacy();
    def.states[6].transitions[0].next = 'FF' + 'e'.repeat(31) + 'f';
    const { definition, notes } = migrateDefinition(def);
    assert.equal(definition.states[6].transitions[0].next, 'FF' + 'e'.repeat(31) + 'f');
    assert.ok(notes.some((n) => /Widget "hours": next "FF/.test(n)));
    assert.equal(validateDefinition(definition).valid, false);
  });

  it('keeps unknown CamelCase types (validation then rejects them)', () => {
    const def = legacy();
    def.states[6].type = 'Conference';
    const { definition, notes } = migrateDefinition(def);
    assert.equal(definition.states[6].type, 'Conference');
    assert.ok(notes.some((n) => /"Conference" has no known current equivalent/.test(n)));
  });
});
