// BENCH_SWITCHBOARD_FLAGS: the settings every benchmark server runs with, recorded in the result.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { serverFlags } from '../../bench/lib/report.ts';

describe('benchmark server flags', () => {
  it('reads name=value pairs, with or without the leading dashes', () => {
    assert.deepEqual(serverFlags({ BENCH_SWITCHBOARD_FLAGS: ' sqlite-writer=thread  --read-cache-ms=0 ' }), { 'sqlite-writer': 'thread', 'read-cache-ms': '0' });
    assert.deepEqual(serverFlags({}), {});
  });

  it('refuses a pair without a value, rather than running with defaults unnoticed', () => {
    assert.throws(() => serverFlags({ BENCH_SWITCHBOARD_FLAGS: 'sqlite-writer' }), /expected name=value, got "sqlite-writer"/);
  });
});
