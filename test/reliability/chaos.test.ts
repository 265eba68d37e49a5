// The short chaos run for npm test: the real server process, SIGKILLed 3 times under load.
// The long one (20 kills) is `npm run chaos`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runChaos } from './chaos.ts';

test('SIGKILL under load: acknowledged executions survive, timeouts fire once, no step or message is duplicated', { timeout: 300_000 }, async () => {
  const report = await runChaos({ kills: 3, minUpMs: 300, maxUpMs: 1_200, workers: 4 });
  assert.deepEqual(report.violations, []);
  assert.equal(report.kills, 3);
  // The run must have exercised what it checks: work acknowledged, waits timed out and answered.
  assert.ok(report.acknowledgedCreates > 0 && report.acknowledgedInbound > 0, JSON.stringify(report));
  assert.ok(report.timeouts > 0, `no timeout fired: ${JSON.stringify(report)}`);
  assert.ok(report.outboundAttempts > 0, JSON.stringify(report));
});

test('the same with the SQLite writer thread (--sqlite-writer thread)', { timeout: 300_000 }, async () => {
  const report = await runChaos({ kills: 3, minUpMs: 300, maxUpMs: 1_200, workers: 4, sqliteWriter: 'thread' });
  assert.deepEqual(report.violations, []);
  assert.ok(report.acknowledgedCreates > 0 && report.acknowledgedInbound > 0 && report.timeouts > 0, JSON.stringify(report));
});

test('the same on PostgreSQL (DATABASE_URL)', { timeout: 300_000, skip: process.env.DATABASE_URL ? false : 'DATABASE_URL is not set: PostgreSQL chaos run skipped' }, async () => {
  const report = await runChaos({ kills: 3, minUpMs: 300, maxUpMs: 1_200, workers: 4, databaseUrl: process.env.DATABASE_URL! });
  assert.deepEqual(report.violations, []);
  assert.ok(report.acknowledgedCreates > 0 && report.acknowledgedInbound > 0 && report.timeouts > 0, JSON.stringify(report));
});
