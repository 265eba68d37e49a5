// retryOnConflict: a unit of work that lost a race is run again, up to a bound; nested loops (inbound
// routing around a sprint's delivery, both retrying 'version') do not multiply their bounds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { retryOnConflict } from '../../src/runtime/conflicts.ts';
import { StoreConflictError } from '../../src/runtime/ports/store.ts';

test('a conflict of a listed reason is retried until the work succeeds', async () => {
  let calls = 0;
  const result = await retryOnConflict(['version'], async () => {
    if (++calls < 3) throw new StoreConflictError('version', 'lost the race');
    return 'done';
  });
  assert.equal(result, 'done');
  assert.equal(calls, 3);
});

test('other errors and unlisted reasons go straight through', async () => {
  let calls = 0;
  await assert.rejects(retryOnConflict(['version'], async () => {
    calls++;
    throw new StoreConflictError('duplicate-inbound', 'taken');
  }), (e: unknown) => e instanceof StoreConflictError && e.reason === 'duplicate-inbound');
  assert.equal(calls, 1);
});

test('an inner loop that gave up is not retried by an outer loop for the same reason', async () => {
  let inner = 0;
  let outer = 0;
  await assert.rejects(
    retryOnConflict(['active-execution', 'version'], async () => {
      outer++;
      return retryOnConflict(['version'], async () => {
        inner++;
        throw new StoreConflictError('version', 'always loses');
      }, 4);
    }, 5),
    (e: unknown) => e instanceof StoreConflictError && e.reason === 'version',
  );
  assert.equal(inner, 4, 'the inner bound, not 4 x 5');
  assert.equal(outer, 1);
});

test('the outer loop still retries its own reasons that the inner loop does not handle', async () => {
  let outer = 0;
  const result = await retryOnConflict(['active-execution', 'version'], async () => {
    outer++;
    return retryOnConflict(['version'], async () => {
      if (outer < 3) throw new StoreConflictError('active-execution', 'ended meanwhile');
      return 'routed';
    }, 4);
  }, 5);
  assert.equal(result, 'routed');
  assert.equal(outer, 3);
});
