// At start the runtime frees only claims whose owner is certainly gone — a crashed earlier run on this
// host, an earlier runtime of this process — and leaves a live process's claims alone (a server
// running while `switchboard simulate FW…` starts a runtime on the same SQLite file), and those of an
// owner it cannot judge: another host's (a server in another container on the same volume) or a
// configured --node-id. Those run out after a lease; `serve` frees its predecessor's (test/ops/serve-data-dir-lock).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { isAbandonedOwner, newNodeId } from '../../src/runtime/leases.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';

const SELF = `${hostname()}:${process.pid}:aaaaaa`;
/** A pid that certainly ended: a child that has exited. */
const deadPid = spawnSync(process.execPath, ['-e', '0']).pid!;

describe('abandoned claims', () => {
  it('judges owners by host and process', () => {
    assert.equal(isAbandonedOwner(SELF, SELF), false, 'this runtime');
    assert.equal(isAbandonedOwner(newNodeId(), SELF), true, 'an earlier runtime of this process');
    assert.equal(isAbandonedOwner(`${hostname()}:${process.pid}:bbbbbb`, SELF), false, "this host name and pid, but not an id this process made: another container's pid 1");
    assert.equal(isAbandonedOwner(`${hostname()}:${process.ppid}:cccccc`, SELF), false, 'a live process on this host');
    assert.equal(isAbandonedOwner(`${hostname()}:${deadPid}:dddddd`, SELF), true, 'a process that has exited');
    assert.equal(isAbandonedOwner(`elsewhere.example:${deadPid}:eeeeee`, SELF), false, 'another host: its pids say nothing here');
    assert.equal(isAbandonedOwner('node-7', SELF), false, 'a configured id: nothing tells whether it lives');
  });

  it('the SQLite store releases exactly the owners it is told are gone', async () => {
    const store = new SqliteStore({ path: ':memory:' });
    try {
      const account = 'AC' + '1'.repeat(32);
      await store.createAccount({ sid: account, authToken: 't'.repeat(32), friendlyName: 'a', dateCreated: 0 });
      const flow = { sid: 'FW' + '1'.repeat(32), accountSid: account, friendlyName: 'f', status: 'published' as const, revision: 1, publishedRevision: 1, commitMessage: null, authorSid: null, valid: true, errors: [], warnings: [], dateCreated: 0, dateUpdated: null };
      await store.createFlow(flow, { ...flow, flowSid: flow.sid, definition: { description: '', initial_state: 'Trigger', flags: { allow_concurrent_calls: true }, states: [] } } as never);
      const execution = (n: number) => ({ sid: 'FN' + String(n).repeat(32), accountSid: account, flowSid: flow.sid, flowVersion: 1, contactSid: 'FC' + '1'.repeat(32), contactChannelAddress: `+1555000000${n}`, channelAddress: '+15559990000', status: 'active' as const, initiatedBy: 'x', state: {}, context: {}, dateCreated: n, dateUpdated: null });
      const live = `${hostname()}:${process.ppid}:live00`;
      const dead = `${hostname()}:${deadPid}:dead00`;
      for (const [n, owner] of [[1, live], [2, dead]] as const) {
        const exec = execution(n);
        await store.writeSprint({ execution: exec, isNew: true, exclusive: true, steps: [], timersToAdd: [], timersToCancel: [], effectsToAdd: [{ id: `EF${n}`, executionSid: exec.sid, accountSid: account, payload: {}, createdAt: 0 }], effectsDone: [], effectLease: { owner, until: Date.now() + 60_000 } });
      }
      await store.releaseAbandonedClaims((owner) => isAbandonedOwner(owner, SELF));
      const claimable = await store.claimEffects(Date.now(), { owner: SELF, until: Date.now() + 60_000 }, 10);
      assert.deepEqual(claimable.map((e) => e.id), ['EF2'], "only the dead process's effect is free to take");
    } finally {
      await store.close();
    }
  });
});
