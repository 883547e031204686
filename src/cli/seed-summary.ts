/** `eval --seeds`: several runs of one dataset summarised as one report (medians and spreads). */

/** The thinning protocol's figures (for the pipeline at the top level, and for each of `references`). */
const THIN_FIGURES = ['thinGeneCorr', 'thinCellCorr', 'thinFalseSignal'];

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
  ...THIN_FIGURES,
  'thinFalseEntries',
  'bulkProportionMae',
];

/** Nested figures, summarised in the same shape: `references.none.thinGeneCorr` and so on. */
const NESTED_FIGURES: Record<string, readonly string[]> = { references: THIN_FIGURES };

function median(values: readonly number[]): number {
  const v = [...values].sort((a, b) => a - b);
  const h = v.length >> 1;
  return v.length % 2 ? v[h]! : (v[h - 1]! + v[h]!) / 2;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Median and [min, max] of each of `figures` over the objects that have it as a number. */
function summariseFigures(
  objects: readonly Record<string, unknown>[],
  figures: readonly string[],
): { medians: Record<string, number>; spread: Record<string, [number, number]> } {
  const medians: Record<string, number> = {};
  const spread: Record<string, [number, number]> = {};
  for (const key of figures) {
    const values = objects.map((o) => o[key]).filter((v): v is number => typeof v === 'number');
    if (values.length === 0) continue;
    medians[key] = median(values);
    spread[key] = [Math.min(...values), Math.max(...values)];
  }
  return { medians, spread };
}

/**
 * The reports of several seeds as one: every run (with its seed), and per figure the median (at the top
 * level, where a single run has it) and the spread [min, max]. Figures missing or null in a run are left out.
 * Nested figures (`references.<name>.<figure>`) get their medians and spreads in the same shape, under
 * `references` and `spread.references`.
 */
export function summariseSeeds(
  runs: readonly { seed: number; report: Record<string, unknown> }[],
): Record<string, unknown> {
  const first = runs[0]!.report;
  const reports = runs.map((r) => r.report);
  const out: Record<string, unknown> = { dataset: first.dataset, cells: first.cells, genes: first.genes };
  if (first.thin !== undefined) out.thin = first.thin;
  const top = summariseFigures(reports, SEED_FIGURES);
  Object.assign(out, top.medians);
  const spread: Record<string, unknown> = { ...top.spread };
  for (const [group, figures] of Object.entries(NESTED_FIGURES)) {
    const groups = reports.map((r) => r[group]).filter(isObject);
    const medians: Record<string, unknown> = {};
    const spreads: Record<string, unknown> = {};
    for (const name of new Set(groups.flatMap((g) => Object.keys(g)))) {
      const sub = summariseFigures(groups.map((g) => g[name]).filter(isObject), figures);
      if (Object.keys(sub.medians).length === 0) continue;
      medians[name] = sub.medians;
      spreads[name] = sub.spread;
    }
    if (Object.keys(medians).length === 0) continue;
    out[group] = medians;
    spread[group] = spreads;
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
