// The "did you mean" of a mistyped command (unknownCommandMessage, every command's): a word cut short
// names every command it begins, before any nearer-looking name by edit distance (`accounts rotate`
// named 'create', three edits away, rather than the two rotate-… commands it begins).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { closestNames } from '../../src/lib/closest-name.ts';
import { unknownCommandMessage } from '../../src/cli/stray-arguments.ts';

const ACCOUNTS = ['create', 'list', 'rotate-token', 'rotate-callback-secret', 'delete'];

describe('closestNames', () => {
  it('a word cut short: every name it begins, in their order, before a name nearer by edit distance', () => {
    assert.deepEqual(closestNames('rotate', ACCOUNTS), ['rotate-token', 'rotate-callback-secret']);
    assert.deepEqual(closestNames('rotate-t', ACCOUNTS), ['rotate-token']);
    assert.deepEqual(closestNames('ROTATE-C', ACCOUNTS), ['rotate-callback-secret']);
    assert.deepEqual(closestNames('cre', ACCOUNTS), ['create']);
    assert.deepEqual(closestNames('migrate', ['migrate-store', 'serve', 'backup']), ['migrate-store']);
  });

  it('a name it equals (case aside) is the one answer, though others begin with it', () => {
    assert.deepEqual(closestNames('LIST', ['list-all', 'list']), ['list']);
  });

  it('otherwise a swap of letters, then the closest by edit distance, then nothing', () => {
    assert.deepEqual(closestNames('tets', ['test', 'flows']), ['test']);
    assert.deepEqual(closestNames('lst', ACCOUNTS), ['list']);
    assert.deepEqual(closestNames('delte', ACCOUNTS), ['delete']);
    assert.deepEqual(closestNames('zzzzzzzz', ACCOUNTS), []);
    assert.deepEqual(closestNames('', ACCOUNTS), []);
  });
});

describe('unknownCommandMessage', () => {
  it('names one command, or two (or more) the word begins', () => {
    assert.equal(unknownCommandMessage('switchboard accounts: ', 'rotate', ACCOUNTS), "switchboard accounts: unknown command 'rotate' (did you mean 'rotate-token' or 'rotate-callback-secret'?)");
    assert.equal(unknownCommandMessage('x: ', 'c', ['carrier', 'config', 'call']), "x: unknown command 'c' (did you mean 'carrier', 'config' or 'call'?)");
    assert.equal(unknownCommandMessage('switchboard flows: ', 'lst', ['list', 'pull']), "switchboard flows: unknown command 'lst' (did you mean 'list'?)");
    assert.equal(unknownCommandMessage('x: ', 'zzzzzzzz', ACCOUNTS), "x: unknown command 'zzzzzzzz'");
  });
});
