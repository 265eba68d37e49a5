// Scenario 5: many executions waiting in the store. One real execution is made through the runtime
// (REST create on the benchmark flow: it asks and waits, with a reply timer; the 30-day cap needs no row);
// its rows are then cloned in SQL into N executions, each with its own sids, contact and timers, and
// the state's own ids rewritten so every clone is a valid waiting execution. Then: restart to
// ready and RSS of a Switchboard process on that store (baseline: the same on the one-execution
// store), and K reply timers made due in the same second, fired with their lag measured from the
// database (date_updated of each execution minus the due time).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { createApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { startChild } from '../lib/child.ts';
import { BENCH_FLOW, UNLIMITED_RATES, type BenchContext, type Scenario } from '../lib/context.ts';
import { figure } from '../lib/report.ts';
import { summarise } from '../lib/stats.ts';
import type { SwitchboardInfo } from '../lib/switchboard-load.ts';

const MB = 1024 * 1024;

/** The server's answer to 'memory' (after a full GC): RSS, heap in use, peak RSS of its life. */
interface Memory {
  rss: number;
  heapUsed: number;
  maxRss: number;
  reclaims: number;
}

/** Makes one waiting execution the real way and returns the data directory. */
async function seedTemplate(dataDir: string): Promise<void> {
  const app = await createApp(loadConfig({ ...UNLIMITED_RATES, 'data-dir': dataDir }, {}), { logger: false });
  try {
    const { account } = await app.accounts.ensureStartupAccount();
    const flow = await app.flows.create(account.sid, {
      friendlyName: 'waiting benchmark',
      status: 'published',
      definition: JSON.parse(readFileSync(BENCH_FLOW, 'utf8')),
      commitMessage: undefined,
      authorSid: undefined,
    });
    await app.executions.create(account.sid, flow.sid, { to: '+16660000000', from: '+15005550006', parameters: { name: 'Ada' } }, 'error');
    await app.executions.idle();
  } finally {
    await app.close();
  }
}

interface Template {
  sid: string;
  contact: string;
  replyTimer: string;
}

/** Clones the one execution into `count` more, in chunks of one transaction each. */
function cloneExecutions(db: DatabaseSync, count: number, log: (m: string) => void): Template {
  const row = db.prepare(`SELECT sid, contact_channel_address AS contact FROM executions`).get() as { sid: string; contact: string };
  const timer = db.prepare(`SELECT id FROM timers WHERE execution_sid = ? AND id LIKE 'TM%'`).get(row.sid) as { id: string } | undefined;
  if (!timer) throw new Error('the template execution has no reply timer: is the benchmark flow waiting?');
  const template: Template = { sid: row.sid, contact: row.contact, replyTimer: timer.id };
  const columns = (db.prepare(`PRAGMA table_info(executions)`).all() as { name: string }[]).map((c) => c.name).filter((c) => c !== 'seq');
  const hex = `printf('%032x', n.i)`;
  const contact = `printf('+1666%07d', n.i)`;
  const rewrite = (expr: string) => `replace(replace(replace(${expr}, '${template.sid}', 'FN' || ${hex}), '${template.replyTimer}', 'TM' || ${hex}), '${template.contact}', ${contact})`;
  const mapped: Record<string, string> = {
    sid: `'FN' || ${hex}`,
    contact_sid: `'FC' || ${hex}`,
    contact_channel_address: contact,
    state: rewrite('e.state'),
    context: rewrite('e.context'),
  };
  const select = columns.map((c) => mapped[c] ?? `e.${c}`).join(', ');
  const stepColumns = (db.prepare(`PRAGMA table_info(steps)`).all() as { name: string }[]).map((c) => c.name).filter((c) => c !== 'seq');
  const stepMapped: Record<string, string> = { sid: `'FT' || printf('%08x', s.seq) || printf('%024x', n.i)`, execution_sid: `'FN' || ${hex}`, context: rewrite('s.context') };
  const stepSelect = stepColumns.map((c) => stepMapped[c] ?? `s.${c}`).join(', ');
  const range = `WITH RECURSIVE n(i) AS (SELECT ? UNION ALL SELECT i + 1 FROM n WHERE i < ?)`;
  const insertExecutions = db.prepare(`${range} INSERT INTO executions (${columns.join(', ')}) SELECT ${select} FROM n, executions e WHERE e.sid = '${template.sid}'`);
  const insertSteps = db.prepare(`${range} INSERT INTO steps (${stepColumns.join(', ')}) SELECT ${stepSelect} FROM n, steps s WHERE s.execution_sid = '${template.sid}'`);
  const insertTimers = db.prepare(
    `${range} INSERT INTO timers (id, execution_sid, account_sid, due_at)
     SELECT substr(t.id, 1, 2) || ${hex}, 'FN' || ${hex}, t.account_sid, t.due_at FROM n, timers t WHERE t.execution_sid = '${template.sid}'`,
  );
  const chunk = 50_000;
  for (let from = 1; from <= count; from += chunk) {
    const to = Math.min(count, from + chunk - 1);
    db.exec('BEGIN');
    insertExecutions.run(from, to);
    insertSteps.run(from, to);
    insertTimers.run(from, to);
    db.exec('COMMIT');
    if (to % 200_000 === 0 || to === count) log(`  cloned ${to.toLocaleString('en-US')} executions`);
  }
  return template;
}

export const waiting: Scenario = {
  id: 5,
  title: 'Many waiting executions: RSS, restart to ready, timeouts due in the same second',
  async run(ctx: BenchContext) {
    const executions = ctx.pick({ full: 1_000_000, quick: 20_000, smoke: 1_000 });
    const dueTogether = ctx.pick({ full: 100_000, quick: 2_000, smoke: 100 });
    const dataDir = ctx.scratch('waiting');
    const dbPath = join(dataDir, 'switchboard.db');
    await seedTemplate(dataDir);

    // Baseline: the same server on the one-execution store.
    const small = await startChild<SwitchboardInfo>('switchboard.ts', ['--data-dir', dataDir]);
    const smallMemory = await small.ask<Memory>({ type: 'memory' });
    await small.stop();

    const seeding = performance.now();
    const db = new DatabaseSync(dbPath);
    db.exec('PRAGMA journal_mode = WAL');
    db.exec('PRAGMA busy_timeout = 10000');
    db.exec('PRAGMA synchronous = NORMAL'); // seeding only; the server under test uses FULL
    cloneExecutions(db, executions, ctx.log);
    db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
    ctx.log(`  seeded ${executions.toLocaleString('en-US')} waiting executions in ${((performance.now() - seeding) / 1000).toFixed(1)}s`);

    // The first start after bulk seeding also pays for the OS writing the new file back; the
    // figure is a restart: that server stopped, and a new one started on the same store.
    const first = await startChild<SwitchboardInfo>('switchboard.ts', ['--data-dir', dataDir], { timeoutMs: 120_000 });
    await first.stop();
    const big = await startChild<SwitchboardInfo>('switchboard.ts', ['--data-dir', dataDir], { timeoutMs: 120_000 });
    try {
      const bigMemory = await big.ask<Memory>({ type: 'memory' });
      // The floor: how late a plain setTimeout fires in this server while it waits with nothing due. Measured
      // before the burst, not at its due time: there it queued behind the burst's first batch (19 ms once).
      const timerFloor = await big.ask<{ lagMs: number }>({ type: 'timerLag', at: Date.now() + 200 });
      // K reply timers due in the same second, two seconds from now.
      const dueAt = Date.now() + 2000;
      db.prepare(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) UPDATE timers SET due_at = ? WHERE id IN (SELECT 'TM' || printf('%032x', i) FROM n)`).run(dueTogether, dueAt);
      ctx.log(`  ${dueTogether.toLocaleString('en-US')} timers due at the same moment`);
      const remaining = db.prepare(`SELECT COUNT(*) AS n FROM timers WHERE due_at = ?`);
      const deadline = Date.now() + (ctx.quick ? 60_000 : 300_000);
      let left = dueTogether;
      while (Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        left = Number((remaining.get(dueAt) as { n: number }).n);
        if (left === 0) break;
      }
      const lags = (
        db.prepare(
          `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
           SELECT e.date_updated - ? AS lag FROM executions e WHERE e.sid IN (SELECT 'FN' || printf('%032x', i) FROM n) AND e.date_updated >= ?`,
        ).all(dueTogether, dueAt, dueAt) as { lag: number }[]
      ).map((r) => Number(r.lag));
      const lag = summarise(lags);
      const afterMemory = await big.ask<Memory>({ type: 'memory' });
      // A node holds on to what V8 pooled during the burst until it has been idle for two intervals,
      // when its memory reclaimer hands it back (src/observability/memory-reclaimer.ts): the RSS to size for.
      const settle = ctx.pick({ full: 20_000, quick: 20_000, smoke: 2_000 });
      await new Promise((resolve) => setTimeout(resolve, settle));
      const idleMemory = await big.ask<Memory>({ type: 'memory' });
      const dbSize = Number((db.prepare(`SELECT page_count * page_size AS bytes FROM pragma_page_count(), pragma_page_size()`).get() as { bytes: number }).bytes);
      db.close();
      return {
        id: 5,
        title: this.title,
        status: 'ok',
        ...(ctx.quick
          ? { scaled: `${ctx.mode.toUpperCase()}, SCALED DOWN: ${executions.toLocaleString('en-US')} waiting executions and ${dueTogether.toLocaleString('en-US')} timers due together instead of 1,000,000 and 100,000` }
          : {}),
        figures: [
          figure(`RSS with ${executions.toLocaleString('en-US')} waiting executions (ready)`, bigMemory.rss / MB, 'MB', {
            baseline: { name: 'same server, 1 execution', value: smallMemory.rss / MB },
            target: { of: 'value', op: '<', value: 300 },
          }),
          figure('RSS right after the timeouts fired', afterMemory.rss / MB, 'MB', {
            baseline: { name: 'same server, 1 execution', value: smallMemory.rss / MB },
          }),
          figure(`RSS ${settle / 1000} s after the timeouts fired (idle)`, idleMemory.rss / MB, 'MB', {
            baseline: { name: 'same server, 1 execution', value: smallMemory.rss / MB },
            target: { of: 'value', op: '<', value: 300 },
          }),
          figure('peak RSS (start, ready, burst)', idleMemory.maxRss / MB, 'MB', {
            baseline: { name: 'same server, 1 execution', value: smallMemory.maxRss / MB },
          }),
          figure('first start after seeding (spawn to listening)', first.readyMs, 'ms', { baseline: { name: 'same server, 1 execution', value: small.readyMs } }),
          figure('restart to ready (spawn to listening)', big.readyMs, 'ms', {
            baseline: { name: 'same server, 1 execution', value: small.readyMs },
            target: { of: 'value', op: '<', value: 2000 },
          }),
          figure(`timeout lag p99 (${dueTogether.toLocaleString('en-US')} due together)`, lag.p99, 'ms', {
            baseline: { name: 'plain setTimeout lag in the server', value: Math.max(1, timerFloor.lagMs) },
            target: { of: 'value', op: '<', value: 1000 },
          }),
          figure('timeout lag p50', lag.p50, 'ms', { baseline: { name: 'plain setTimeout lag in the server', value: Math.max(1, timerFloor.lagMs) } }),
          figure('timeouts not fired', dueTogether - lags.length, 'timers', { target: { of: 'value', op: '<=', value: 0 } }),
        ],
        notes: [
          `V8 heap in use after a full GC: ${(bigMemory.heapUsed / MB).toFixed(0)} MB when ready, ${(afterMemory.heapUsed / MB).toFixed(0)} MB right after the timeouts fired, ${(idleMemory.heapUsed / MB).toFixed(0)} MB once idle. Right after a burst the RSS is mostly young-generation pages V8 keeps pooled; the node's memory reclaimer (--memory-reclaim-mb) hands them back once it has been idle for two 5-second intervals (reclaims: ${afterMemory.reclaims} by the end of the burst, ${idleMemory.reclaims} once idle).`,
          `Store: ${(dbSize / MB).toFixed(0)} MB SQLite file; ${left} of the due timers still pending at the end; last timeout fired ${lag.max.toFixed(0)} ms after its due time.`,
          'Lag = the execution’s date_updated (written by the sprint the timeout caused) minus the due time; the plain setTimeout baseline is floored at 1 ms.',
        ],
      };
    } finally {
      await big.stop();
    }
  },
};
