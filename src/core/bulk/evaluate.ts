/**
 * Scoring a deconvolution against known proportions (pseudo-bulk made from labelled cells, scripts/make-pseudobulk.ts):
 * each cluster stands for the true label most of its cells carry, the clusters' proportions are summed per label,
 * and the error of a sample is the mean absolute difference from the true fractions over the labels.
 */
import { splitFields } from '../../io/delimited-tokenizer.ts';
import type { Deconvolution } from './types.ts';

/** One line of a truth file: the true fraction of `label`'s cells in bulk sample `sample`. */
export interface ProportionTruth {
  readonly sample: string;
  readonly label: string;
  readonly proportion: number;
}

export interface ProportionError {
  readonly perSample: { readonly sample: string; readonly mae: number }[];
  /** Mean of the per-sample errors. */
  readonly mae: number;
  /** The true label each cluster was mapped to (null for a cluster without cells). */
  readonly clusterLabel: (string | null)[];
}

/** Label of the mass of clusters that have no cell to map them (counted as error against a truth of 0). */
export const UNMAPPED = '(cluster without cells)';

/**
 * Mean absolute error of the estimated proportions against the truth (see the file comment). `clusterLabels`
 * are the run's clusters of the single-cell cells, `trueLabels` their true labels (same order). A majority tie is
 * broken by the label that sorts first. Every sample of the deconvolution must have truth lines.
 */
export function proportionError(
  deconv: Pick<Deconvolution, 'proportions' | 'nClusters' | 'sampleIds'>,
  clusterLabels: Int32Array,
  trueLabels: readonly string[],
  truth: readonly ProportionTruth[],
): ProportionError {
  const { nClusters, sampleIds, proportions } = deconv;
  if (clusterLabels.length !== trueLabels.length)
    throw new RangeError(`${clusterLabels.length} cluster labels for ${trueLabels.length} true labels`);
  const votes = Array.from({ length: nClusters }, () => new Map<string, number>());
  clusterLabels.forEach((k, i) => {
    if (k >= 0 && k < nClusters) votes[k]!.set(trueLabels[i]!, (votes[k]!.get(trueLabels[i]!) ?? 0) + 1);
  });
  const clusterLabel = votes.map((v) => {
    let best: string | null = null;
    let most = 0;
    for (const [label, n] of v)
      if (n > most || (n === most && best !== null && label < best)) [best, most] = [label, n];
    return best;
  });
  const bySample = new Map<string, Map<string, number>>();
  for (const t of truth) {
    const m = bySample.get(t.sample) ?? new Map<string, number>();
    m.set(t.label, (m.get(t.label) ?? 0) + t.proportion);
    bySample.set(t.sample, m);
  }
  const labels = new Set<string>(truth.map((t) => t.label));
  for (const label of clusterLabel) if (label !== null) labels.add(label);
  const perSample = sampleIds.map((sample, s) => {
    const truthOf = bySample.get(sample);
    if (!truthOf) throw new RangeError(`the truth has no line for bulk sample "${sample}"`);
    const estimate = new Map<string, number>();
    for (let k = 0; k < nClusters; k++) {
      const p = proportions[s * nClusters + k]!;
      if (clusterLabel[k] === null && p === 0) continue;
      const label = clusterLabel[k] ?? UNMAPPED;
      estimate.set(label, (estimate.get(label) ?? 0) + p);
    }
    const all = new Set([...labels, ...estimate.keys()]);
    let sum = 0;
    for (const label of all) sum += Math.abs((estimate.get(label) ?? 0) - (truthOf.get(label) ?? 0));
    return { sample, mae: sum / all.size };
  });
  const mae = perSample.reduce((a, p) => a + p.mae, 0) / Math.max(1, perSample.length);
  return { perSample, mae, clusterLabel };
}

/** Parse a truth CSV with the header `sample,label,proportion` (comma or tab; quotes allowed). */
export function parseProportionTruth(text: string, name = 'truth.csv'): ProportionTruth[] {
  const lines = text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .map((line, i) => ({ line, no: i + 1 }))
    .filter((l) => l.line.trim() !== '');
  if (lines.length === 0) throw new RangeError(`${name}: the file is empty`);
  const delim = lines[0]!.line.includes('\t') ? '\t' : ',';
  const header = splitFields(lines[0]!.line, delim).fields.map((f) => f.toLowerCase());
  const col = (what: string): number => {
    const i = header.indexOf(what);
    if (i < 0)
      throw new RangeError(`${name}: the header has no "${what}" column (expected sample,label,proportion)`);
    return i;
  };
  const [cs, cl, cp] = [col('sample'), col('label'), col('proportion')];
  return lines.slice(1).map(({ line, no }) => {
    const f = splitFields(line, delim).fields;
    const proportion = Number(f[cp]);
    if (f.length !== header.length || !Number.isFinite(proportion) || proportion < 0 || f[cp] === '')
      throw new RangeError(`${name}, line ${no}: expected ${header.length} fields with a proportion >= 0`);
    return { sample: f[cs]!, label: f[cl]!, proportion };
  });
}
