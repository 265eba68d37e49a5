// `npm run chaos`: the long chaos run — 20 SIGKILLs under load (CHAOS_KILLS / CHAOS_SEED override).
import { runChaos } from './chaos.ts';

const report = await runChaos({
  kills: Number(process.env.CHAOS_KILLS ?? 20),
  minUpMs: 300,
  maxUpMs: 2_500,
  workers: 8,
  ...(process.env.CHAOS_SEED ? { seed: Number(process.env.CHAOS_SEED) } : {}),
  log: (line) => console.log(line),
});
console.log(JSON.stringify({ ...report, violations: report.violations.length }, null, 2));
if (report.violations.length > 0) {
  console.error(report.violations.join('\n'));
  process.exitCode = 1;
} else {
  console.log('chaos: every promise held');
}
