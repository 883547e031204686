/**
 * Quick check of the bulk deconvolution (issue 13) on pseudo-bulk made by scripts/make-pseudobulk.ts: the kept
 * cells' TRUE labels serve as the clusters, so the check measures the deconvolution alone (not the clustering).
 * The single-cell side is preprocessed as the pipeline does (gene filters, the --genes most variable genes, raw
 * counts kept), the bulk is deconvolved with the default parameters, and the per-sample mean absolute error of
 * the label fractions against truth.csv is printed. One process, seconds per dataset.
 *
 *   npm run make:pseudobulk -- --data ../shared/data/klein2015_subset1000_top900 --out .bench/pseudobulk/klein
 *   npx tsx scripts/bulk-check.ts .bench/pseudobulk/klein [more folders] [--genes 2000] [--backend cpu]
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { setupNodeBackend, tf } from '../src/cli/node-backend.ts';
import { matchBulkGenes, parseBulkMatrix } from '../src/core/bulk/bulk-matrix.ts';
import { bulkDefaults } from '../src/core/bulk/defaults.ts';
import { deconvolve } from '../src/core/bulk/deconvolve.ts';
import { parseProportionTruth, proportionError } from '../src/core/bulk/evaluate.ts';
import { createContext } from '../src/core/pipeline/context.ts';
import { preprocess, preprocessDefaults } from '../src/core/preprocess/preprocess.ts';
import { createRng } from '../src/core/rng.ts';
import type { BackendRequest } from '../src/engine/contract.ts';
import { loadDataset } from '../src/io/load.ts';
import { inputFileFromPath } from '../src/io/node-input.ts';

async function check(dir: string, nTopGenes: number): Promise<number> {
  const ds = await loadDataset([
    await inputFileFromPath(join(dir, 'counts.csv.gz')),
    await inputFileFromPath(join(dir, 'labels.csv')),
  ]);
  if (!ds.labels) throw new Error(`${dir}: labels.csv was not read as labels`);
  const pre = preprocess(ds.matrix, {
    ...preprocessDefaults,
    nTopGenes: nTopGenes > 0 ? nTopGenes : ds.matrix.geneIds.length,
    log1p: false,
  });
  const trueLabels = Array.from(pre.cellIndex, (i) => ds.labels!.labels[i] ?? '(none)');
  const classes = [...new Set(trueLabels)].sort();
  const labels = Int32Array.from(trueLabels, (l) => classes.indexOf(l));
  const bulk = parseBulkMatrix(readFileSync(join(dir, 'bulk.csv'), 'utf8'), 'bulk.csv');
  const truth = parseProportionTruth(readFileSync(join(dir, 'truth.csv'), 'utf8'));
  const match = matchBulkGenes(bulk, pre.geneIds, bulkDefaults);
  const t0 = performance.now();
  const out = await deconvolve(
    { raw: pre.matrix, scale: undefined, labels, nClusters: classes.length, bulk, match },
    bulkDefaults,
    createContext(tf, createRng(1)),
  );
  const seconds = (performance.now() - t0) / 1000;
  const err = proportionError(out, labels, trueLabels, truth);
  console.log(
    `${dir}: ${pre.matrix.nRows} cells x ${pre.matrix.nCols} genes (${match.scIndex.length} matched), ` +
      `${classes.length} labels, ${bulk.sampleIds.length} bulk samples; ${seconds.toFixed(2)} s, steps ` +
      `${out.steps.proportions}/${out.steps.profiles}/${out.steps.geneScale}`,
  );
  for (const [s, p] of err.perSample.entries()) {
    const est = classes
      .map((c, k) => `${c} ${out.proportions[s * classes.length + k]!.toFixed(3)}`)
      .join(' ');
    const tru = classes
      .map((c) => (truth.find((t) => t.sample === p.sample && t.label === c)?.proportion ?? 0).toFixed(3))
      .join(' ');
    console.log(`  ${p.sample.padEnd(8)} MAE ${p.mae.toFixed(4)}   estimate ${est}   truth ${tru}`);
  }
  console.log(`  mean MAE ${err.mae.toFixed(4)}`);
  return err.mae;
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    options: { genes: { type: 'string', default: '2000' }, backend: { type: 'string', default: 'cpu' } },
    allowPositionals: true,
  });
  if (positionals.length === 0)
    throw new Error('usage: npx tsx scripts/bulk-check.ts DIR [DIR...] [--genes 2000]');
  const info = await setupNodeBackend(values.backend as BackendRequest);
  console.log(`backend ${info.name}`);
  const maes: number[] = [];
  for (const dir of positionals) maes.push(await check(dir, Number(values.genes)));
  if (maes.length > 1)
    console.log(`mean over datasets ${(maes.reduce((a, b) => a + b, 0) / maes.length).toFixed(4)}`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
