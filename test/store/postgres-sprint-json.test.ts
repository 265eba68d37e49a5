// The PostgreSQL store's sprint documents (no database needed): JSON jsonb accepts, a sprint it
// cannot take refused alone, and the error a refused sprint's caller sees.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { StoreConflictError, type SprintWrite } from '../../src/runtime/ports/store.ts';
import { DomainError } from '../../src/runtime/errors.ts';
import { outcomeOf, sprintError, sprintJson } from '../../src/store/postgres/sprint-json.ts';

function write(contactChannelAddress: string, state: unknown = {}): SprintWrite {
  const execution = {
    sid: 'FN00000000000000000000000000000001',
    accountSid: 'AC00000000000000000000000000000001',
    flowSid: 'FW00000000000000000000000000000001',
    flowVersion: 1,
    contactSid: 'FX00000000000000000000000000000001',
    contactChannelAddress,
    channelAddress: '+15559990000',
    status: 'active',
    initiatedBy: 'API',
    state,
    dateCreated: 1,
    dateUpdated: null,
  } as SprintWrite['execution'];
  return { execution, isNew: true, exclusive: true, steps: [], timersToAdd: [], timersToCancel: [], effectsToAdd: [], effectsDone: [] };
}

/** The contact address as the document carries it. */
const address = (json: string | Error) => (JSON.parse(json as string) as { execution: string[] }).execution[5];

describe('PostgreSQL sprint JSON', () => {
  it('writes a lone surrogate as U+FFFD, leaving pairs and escaped backslashes as they are', () => {
    assert.equal(address(sprintJson(write('a\ud800b\udfffc'))), 'a\ufffdb\ufffdc');
    assert.equal(address(sprintJson(write('\\\ud83d'))), '\\\ufffd', 'a surrogate after an escaped backslash');
    assert.equal(address(sprintJson(write('\ud83d\ude00 \\ud800'))), '\ud83d\ude00 \\ud800', 'a pair, and the text "\\ud800"');
    // A state is stored as JSON text of its own: its escape is kept (the column is TEXT, not jsonb).
    const json = sprintJson(write('+1', { note: '\ud800' })) as string;
    assert.equal(JSON.parse((JSON.parse(json) as { execution: string[] }).execution[9]!).note, '\ud800');
  });

  it('refuses a sprint holding a NUL, or one that cannot be serialised, alone', () => {
    const nul = sprintJson(write('+1\u00002'));
    assert.ok(nul instanceof Error && (nul as { code?: string }).code === '22021');
    const unserialisable = sprintJson(write('+1', { n: 1n }));
    assert.ok(unserialisable instanceof TypeError);
  });

  it('a value PostgreSQL refuses is an invalid parameter; a NUL and an unknown failure keep their codes', () => {
    const w = write('+1');
    const tooBig = sprintError(outcomeOf(Object.assign(new Error('index row size 8016 exceeds btree version 4 maximum 2704'), { code: '54000' })), w);
    assert.ok(tooBig instanceof DomainError && tooBig.kind === 'invalid-parameter');
    assert.equal((tooBig as DomainError & { code?: string }).code, '54000');
    const malformed = sprintError(outcomeOf(Object.assign(new Error('invalid input syntax for type json'), { code: '22P02' })), w);
    assert.ok(malformed instanceof DomainError && malformed.kind === 'invalid-parameter');
    const nul = sprintError({ ok: false, code: '22021', message: 'NUL', constraint: null }, w);
    assert.ok(!(nul instanceof DomainError) && (nul as { code?: string }).code === '22021');
    const other = sprintError(outcomeOf(Object.assign(new Error('fk'), { code: '23503', constraint: 'steps_execution_sid_fkey' })), w);
    assert.ok(!(other instanceof DomainError) && (other as { constraint?: string }).constraint === 'steps_execution_sid_fkey');
    const active = sprintError({ ok: false, code: '23505', message: 'dup', constraint: 'executions_one_active' }, w);
    assert.ok(active instanceof StoreConflictError && active.reason === 'active-execution');
  });
});
