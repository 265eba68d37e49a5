// `npm run chaos`: the long chaos run — 20 SIGKILLs under load (CHAOS_KILLS / CHAOS_SEED override),
// on SQLite, then on PostgreSQL when DATABASE_URL is set.
import { runChaos } from './chaos.ts';

const stores: [string, string | undefined][] = [['SQLite', undefined]];
if (process.env.DATABASE_URL) stores.push(['PostgreSQL', process.env.DATABASE_URL]);
else console.log('DATABASE_URL is not set: the PostgreSQL run is skipped');
for (const [name, databaseUrl] of stores) {
  console.log(`--- ${name}`);
  const report = await runChaos({
    kills: Number(process.env.CHAOS_KILLS ?? 20),
    minUpMs: 300,
    maxUpMs: 2_500,
    workers: 8,
    ...(process.env.CHAOS_SEED ? { seed: Number(process.env.CHAOS_SEED) } : {}),
    ...(databaseUrl ? { databaseUrl } : {}),
    log: (line) => console.log(line),
  });
  console.log(JSON.stringify({ ...report, violations: report.violations.length }, null, 2));
  if (report.violations.length > 0) {
    console.error(report.violations.join('\n'));
    process.exitCode = 1;
  } else {
    console.log(`chaos (${name}): every promise held`);
  }
}
