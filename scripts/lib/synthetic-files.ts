/**
 * Write a generated synthetic dataset (src/core/synthetic) as the files `npm run make:synthetic` produces:
 *
 *   filtered_feature_bc_matrix.h5   10x v3 HDF5 (CSC by cell)
 *   filtered_feature_bc_matrix/     10x v3 MatrixMarket folder (matrix.mtx.gz, barcodes.tsv.gz, features.tsv.gz)
 *   labels.csv                      cell,label (barcode, type name)
 *   pseudotime.csv                  cell,pseudotime for the trajectory's cells (header only when there is none)
 *   truth.json                      parameters, zero fraction, type sizes, markers, trajectory
 */
import { createWriteStream, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { SyntheticDataset } from '../../src/core/synthetic/synthetic.ts';
import { writeTenxH5 } from '../../src/io/tenx-h5-writer.ts';
import { writeTenxMtx } from '../../src/io/tenx-mtx-writer.ts';

export interface SyntheticFiles {
  readonly h5: string;
  readonly mtxDir: string;
  readonly labels: string;
  readonly pseudotime: string;
  readonly truth: string;
  /** Seconds spent writing each output. */
  readonly seconds: { readonly h5: number; readonly mtx: number; readonly other: number };
}

/** Default output folder of a run: `.bench/synthetic/c{N}-g{G}-t{T}-s{S}`. */
export function defaultSyntheticDir(o: {
  cells: number;
  genes: number;
  types: number;
  seed: number;
}): string {
  return join('.bench', 'synthetic', `c${o.cells}-g${o.genes}-t${o.types}-s${o.seed}`);
}

/** Lines written a thousand at a time, through a stream (100,000 cells need no giant string). */
async function writeLines(path: string, header: string, lines: Iterable<string>): Promise<void> {
  async function* chunks(): AsyncGenerator<string> {
    yield `${header}\n`;
    let batch: string[] = [];
    for (const line of lines) {
      batch.push(line);
      if (batch.length === 1000) {
        yield `${batch.join('\n')}\n`;
        batch = [];
      }
    }
    if (batch.length) yield `${batch.join('\n')}\n`;
  }
  await pipeline(chunks(), createWriteStream(path));
}

function* labelLines(d: SyntheticDataset): Generator<string> {
  for (let c = 0; c < d.cellIds.length; c++) yield `${d.cellIds[c]},${d.typeNames[d.cellType[c]!]}`;
}

function* pseudotimeLines(d: SyntheticDataset): Generator<string> {
  for (let c = 0; c < d.cellIds.length; c++)
    if (!Number.isNaN(d.pseudotime[c]!)) yield `${d.cellIds[c]},${d.pseudotime[c]!.toFixed(5)}`;
}

/** Library size summary: mean, coefficient of variation and quantiles. */
function librarySizes(d: SyntheticDataset): Record<string, number> {
  const { indptr, values, nRows } = d.counts;
  const libs = new Float64Array(nRows);
  for (let c = 0; c < nRows; c++) for (let k = indptr[c]!; k < indptr[c + 1]!; k++) libs[c]! += values[k]!;
  const mean = libs.reduce((a, b) => a + b, 0) / nRows;
  const sd = Math.sqrt(libs.reduce((a, b) => a + (b - mean) ** 2, 0) / nRows);
  libs.sort();
  const q = (p: number): number => libs[Math.min(nRows - 1, Math.floor(p * nRows))]!;
  return {
    mean,
    cv: sd / mean,
    min: libs[0]!,
    q05: q(0.05),
    median: q(0.5),
    q95: q(0.95),
    max: libs[nRows - 1]!,
  };
}

/** The truth.json object. */
export function syntheticTruth(d: SyntheticDataset): Record<string, unknown> {
  const o = d.options;
  const nnz = d.counts.indptr[d.counts.nRows]!;
  const path = d.trajectory.map((t) => d.typeNames[t]!);
  return {
    generator: 'scgnn-web make-synthetic (src/core/synthetic/synthetic.ts)',
    options: o,
    cells: o.cells,
    genes: o.genes,
    nonZeros: nnz,
    zeroFraction: { target: o.zeroTarget, expected: d.expectedZeroFraction, achieved: d.zeroFraction },
    scale: d.scale,
    librarySize: librarySizes(d),
    types: d.typeNames.map((name, t) => ({
      name,
      cells: d.typeSizes[t],
      proportion: d.typeSizes[t]! / o.cells,
      onTrajectory: d.trajectory.includes(t),
      markers: d.markers[t]!.genes.map((g, i) => ({
        id: d.geneIds[g],
        name: d.geneNames[g],
        index: g,
        fold: Number(d.markers[t]!.folds[i]!.toFixed(4)),
      })),
    })),
    trajectory: {
      types: path,
      anchors: path.map((_, k) => (path.length > 1 ? k / (path.length - 1) : 0)),
      note:
        'Cells of these types carry a pseudotime within their stretch of the path (pseudotime.csv); their mean ' +
        "profile interpolates linearly between the two nearest anchors' type profiles.",
    },
  };
}

/** Write every output of `d` into `dir` (created if needed). */
export async function writeSyntheticFiles(dir: string, d: SyntheticDataset): Promise<SyntheticFiles> {
  mkdirSync(dir, { recursive: true });
  const files = {
    h5: join(dir, 'filtered_feature_bc_matrix.h5'),
    mtxDir: join(dir, 'filtered_feature_bc_matrix'),
    labels: join(dir, 'labels.csv'),
    pseudotime: join(dir, 'pseudotime.csv'),
    truth: join(dir, 'truth.json'),
  };
  const { counts } = d;
  const t0 = performance.now();
  await writeTenxH5(files.h5, {
    shape: [counts.nCols, counts.nRows],
    barcodes: d.cellIds,
    featureIds: d.geneIds,
    featureNames: d.geneNames,
    data: counts.values,
    indices: counts.indices,
    indptr: counts.indptr,
  });
  const t1 = performance.now();
  await writeTenxMtx(files.mtxDir, {
    counts,
    barcodes: d.cellIds,
    featureIds: d.geneIds,
    featureNames: d.geneNames,
  });
  const t2 = performance.now();
  await writeLines(files.labels, 'cell,label', labelLines(d));
  await writeLines(files.pseudotime, 'cell,pseudotime', pseudotimeLines(d));
  writeFileSync(files.truth, `${JSON.stringify(syntheticTruth(d), null, 2)}\n`);
  const t3 = performance.now();
  return { ...files, seconds: { h5: (t1 - t0) / 1000, mtx: (t2 - t1) / 1000, other: (t3 - t2) / 1000 } };
}

/** Size in bytes of a file, or of everything inside a folder. */
export function sizeOf(path: string): number {
  const s = statSync(path);
  if (!s.isDirectory()) return s.size;
  return readdirSync(path).reduce((a, f) => a + sizeOf(join(path, f)), 0);
}
