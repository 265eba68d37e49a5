// A node's claims run out a lease after its last renewal that landed. When a renewal fails (the
// database was away for a moment) the heartbeat tries again within a quarter second, not a third of
// a lease later: other nodes sweep for expired claims every second once the database is back.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { WorkLeases } from '../../src/runtime/leases.ts';
import type { Store } from '../../src/runtime/ports/store.ts';

it('a failed lease renewal is tried again promptly', async (t) => {
  // On mock timers: on a busy machine real ones fire late, and a late retry read as a missing one.
  t.mock.timers.enable({ apis: ['setInterval', 'setTimeout', 'Date'], now: 0 });
  const renewals: number[] = [];
  let failures = 1;
  const store = {
    renewLeases: async () => {
      renewals.push(Date.now());
      if (failures-- > 0) throw new Error('Connection terminated unexpectedly');
    },
    releaseLeases: async () => undefined,
  } as unknown as Store;
  const leases = new WorkLeases(store, { nodeId: 'n1', leaseMs: 3000, now: Date.now });
  leases.hold('effect', 'EF1');
  leases.start();
  // Advances the clock by `ms`, letting the renewal's failure be handled (promise turns) on the way.
  const elapse = async (ms: number) => {
    for (let i = 0; i < ms / 50; i++) {
      t.mock.timers.tick(50);
      for (let turn = 0; turn < 5; turn++) await Promise.resolve();
    }
  };
  try {
    await elapse(1700);
    // The beat at 1 s fails; the next try comes 250 ms later instead of at 2 s.
    assert.deepEqual(renewals, [1000, 1250], `renewals at ${renewals.join(', ')} ms`);
    await elapse(1300);
    assert.deepEqual(renewals, [1000, 1250, 2000, 3000], 'then the heartbeat goes on as before');
  } finally {
    await leases.stop();
  }
});
