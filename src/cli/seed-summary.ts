/** `eval --seeds`: several runs of one dataset summarised as one report (medians and spreads). */

/** Figures summarised over seeds (median, and min-max as the spread). */
const SEED_FIGURES = [
  'ari',
  'nmi',
  'silhouette',
  'nClusters',
  'iterations',
  'medianL1',
  'meanL1',
  'cosine',
  'rmse',
];

function median(values: readonly number[]): number {
  const v = [...values].sort((a, b) => a - b);
  const h = v.length >> 1;
  return v.length % 2 ? v[h]! : (v[h - 1]! + v[h]!) / 2;
}

/**
 * The reports of several seeds as one: every run (with its seed), and per figure the median (at the top
 * level, where a single run has it) and the spread [min, max]. Figures missing or null in a run are left out.
 */
export function summariseSeeds(
  runs: readonly { seed: number; report: Record<string, unknown> }[],
): Record<string, unknown> {
  const first = runs[0]!.report;
  const out: Record<string, unknown> = { dataset: first.dataset, cells: first.cells, genes: first.genes };
  const spread: Record<string, [number, number]> = {};
  for (const key of SEED_FIGURES) {
    const values = runs.map((r) => r.report[key]).filter((v): v is number => typeof v === 'number');
    if (values.length === 0) continue;
    out[key] = median(values);
    spread[key] = [Math.min(...values), Math.max(...values)];
  }
  // Seconds per run (median) and the largest peak memory, so a summary reads like one run where it can.
  const secs = (key: string) =>
    median(runs.map((r) => (r.report.seconds as Record<string, number> | undefined)?.[key] ?? 0));
  out.seconds = { load: secs('load'), total: secs('total') };
  out.peakRssMb = Math.max(...runs.map((r) => Number(r.report.peakRssMb ?? 0)));
  out.seeds = runs.map((r) => r.seed);
  out.spread = spread;
  out.runs = runs.map((r) => ({ seed: r.seed, ...r.report }));
  return out;
}
