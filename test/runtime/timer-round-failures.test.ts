// A timer round whose store reads fail (claiming due timers, looking for executions past the age cap) is
// logged, as a failed chore, and the round goes on; while the store keeps failing, once a minute per part,
// not every second. These failures used to vanish: only a metric counted them.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the timer loop when the store fails', () => {
  it('logs each failing part of the round once, and keeps going round', async () => {
    const lines: { chore?: string; msg?: string; err?: { message?: string } }[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        for (const line of String(chunk).split('\n')) if (line.trim()) lines.push(JSON.parse(line));
        done();
      },
    });
    const store = new SqliteStore({ path: ':memory:' });
    const app = await createApp({ ...loadConfig({}, {}), dataDir: ':memory:', logFormat: 'json' }, { store, observability: { log: sink } });
    try {
      await sleep(100); // the start-up round
      let rounds = 0;
      // Something is due, so each round claims; the claim and the age-cap look both fail.
      store.nextTimerDue = async () => {
        rounds++;
        return 0;
      };
      store.claimDueTimers = async () => {
        throw new Error('database on fire');
      };
      store.expiredExecutions = async () => {
        throw new Error('database on fire');
      };
      for (const deadline = Date.now() + 10_000; rounds < 4 && Date.now() < deadline; ) await sleep(50);
      assert.ok(rounds >= 4, `the loop kept going round (${rounds} rounds)`);
      const failures = lines.filter((line) => line.msg?.includes('chore failed'));
      assert.deepEqual(failures.map((line) => line.chore).sort(), ['expire old executions', 'fire due timers'], JSON.stringify(failures));
      for (const line of failures) assert.equal(line.err?.message, 'database on fire');
    } finally {
      await app.close();
    }
  });
});
