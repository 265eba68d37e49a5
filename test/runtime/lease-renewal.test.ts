// A node's claims run out a lease after its last renewal that landed. When a renewal fails (the
// database was away for a moment) the heartbeat tries again within a quarter second, not a third of
// a lease later: other nodes sweep for expired claims every second once the database is back.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { WorkLeases } from '../../src/runtime/leases.ts';
import type { Store } from '../../src/runtime/ports/store.ts';

it('a failed lease renewal is tried again promptly', async () => {
  const renewals: number[] = [];
  let failures = 1;
  const started = Date.now();
  const store = {
    renewLeases: async () => {
      renewals.push(Date.now() - started);
      if (failures-- > 0) throw new Error('Connection terminated unexpectedly');
    },
    releaseLeases: async () => undefined,
  } as unknown as Store;
  const leases = new WorkLeases(store, { nodeId: 'n1', leaseMs: 3000, now: Date.now });
  leases.hold('effect', 'EF1');
  leases.start();
  try {
    await new Promise((resolve) => setTimeout(resolve, 1700));
    // The beat at 1 s fails; the next try comes ~250 ms later instead of at 2 s.
    assert.equal(renewals.length, 2, `renewals at ${renewals.join(', ')} ms`);
    assert.ok(renewals[1]! - renewals[0]! < 600, `retried after ${renewals[1]! - renewals[0]!} ms`);
  } finally {
    await leases.stop();
  }
});
