// Percentiles over raw samples (nearest-rank), for latencies measured outside autocannon.
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export function summarise(samples: number[]): { count: number; p50: number; p99: number; max: number; mean: number } {
  const sorted = Float64Array.from(samples).sort();
  const list = Array.from(sorted);
  const sum = list.reduce((a, b) => a + b, 0);
  return {
    count: list.length,
    p50: percentile(list, 50),
    p99: percentile(list, 99),
    max: list.length ? list[list.length - 1]! : Number.NaN,
    mean: list.length ? sum / list.length : Number.NaN,
  };
}
