// KeyedMutex: one caller at a time per key, results and errors passed through unchanged.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { KeyedMutex } from '../../src/runtime/keyed-mutex.ts';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('KeyedMutex', () => {
  it('runs callers of one key one after another, other keys beside them', async () => {
    const mutex = new KeyedMutex();
    const log: string[] = [];
    const job = (name: string) => async () => {
      log.push(`${name} start`);
      await tick();
      log.push(`${name} end`);
      return name;
    };
    const results = await Promise.all([mutex.run('a', job('a1')), mutex.run('a', job('a2')), mutex.run('b', job('b1'))]);
    assert.deepEqual(results, ['a1', 'a2', 'b1']);
    assert.ok(log.indexOf('a1 end') < log.indexOf('a2 start'), log.join(', '));
    assert.ok(log.indexOf('b1 start') < log.indexOf('a1 end'), `b1 waited for a1: ${log.join(', ')}`);
  });

  it('a failure reaches its caller only, and the next caller of the key still runs', async () => {
    const mutex = new KeyedMutex();
    const failed = mutex.run('a', async () => {
      throw new Error('boom');
    });
    const next = mutex.run('a', async () => 'after');
    await assert.rejects(failed, /boom/);
    assert.equal(await next, 'after');
    assert.equal(await mutex.run('a', async () => 'again'), 'again');
  });
});
