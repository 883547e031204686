/**
 * Pseudo-bulk with known cell-type fractions from a labelled single-cell dataset, to test bulk deconvolution
 * (issue 13). A stratified, seeded share of the cells is held out; the rest stays the single-cell data set, and
 * the bulk samples are pooled from the held-out cells only, so the single-cell side never saw a bulk cell.
 *
 *   npm run make:pseudobulk -- --data ../shared/data/klein2015_subset1000_top900 --out .bench/pseudobulk/klein
 *        [--holdout 0.3] [--samples 10] [--cells 500] [--seed 1]
 *
 * Reads `counts.csv.gz` and `labels.csv` of --data (the layout of ../shared/data, any orientation the loader
 * detects) and writes into --out:
 *   counts.csv.gz  the kept cells' counts, in the source's orientation (genes x cells stays genes x cells)
 *   labels.csv     the source's label lines of the kept cells (its header and extra columns kept)
 *   bulk.csv       genes x samples: each sample is the summed raw counts of --cells cells drawn with
 *                  replacement from the held-out cells, the labels' shares drawn from Dirichlet(1)
 *   truth.csv      sample,label,proportion: the realised fraction of each label's cells in each sample
 * Give the single-cell run `counts.csv.gz` (with `labels.csv`) and the bulk file separately: the folder as a
 * whole holds several tables, which the loader refuses as ambiguous.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { csrSelect, transposeCsr, type CsrMatrix } from '../src/core/matrix/csr.ts';
import { createRng, type Rng } from '../src/core/rng.ts';
import { dirichlet } from '../src/core/synthetic/distributions.ts';
import { splitFields } from '../src/io/delimited-tokenizer.ts';
import { loadDataset } from '../src/io/load.ts';
import { inputFileFromPath } from '../src/io/node-input.ts';
import { csvField } from '../src/io/writers/csv-writers.ts';

const USAGE =
  'usage: npm run make:pseudobulk -- --data DIR --out DIR [--holdout 0.3] [--samples 10] [--cells 500] [--seed 1]';

interface Options {
  readonly data: string;
  readonly out: string;
  readonly holdout: number;
  readonly samples: number;
  readonly cells: number;
  readonly seed: number;
}

function options(): Options | null {
  const { values: a } = parseArgs({
    options: {
      data: { type: 'string' },
      out: { type: 'string' },
      holdout: { type: 'string', default: '0.3' },
      samples: { type: 'string', default: '10' },
      cells: { type: 'string', default: '500' },
      seed: { type: 'string', default: '1' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (a.help) return null;
  if (!a.data || !a.out) throw new Error(`--data and --out are required\n${USAGE}`);
  const num = (name: string, v: string, ok: (x: number) => boolean): number => {
    const x = Number(v);
    if (v.trim() === '' || !Number.isFinite(x) || !ok(x)) throw new Error(`--${name}: bad value "${v}"`);
    return x;
  };
  return {
    data: a.data,
    out: a.out,
    holdout: num('holdout', a.holdout, (x) => x > 0 && x < 1),
    samples: num('samples', a.samples, (x) => Number.isInteger(x) && x >= 1),
    cells: num('cells', a.cells, (x) => Number.isInteger(x) && x >= 1),
    seed: num('seed', a.seed, Number.isInteger),
  };
}

/** A count as text: integers as they are, other values to 7 significant digits. */
function formatValue(v: number): string {
  return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(7)));
}

/** In-place Fisher-Yates shuffle. */
function shuffle(a: number[], rng: Rng): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
}

/** A delimited table: header then one row per row id, from a CSR matrix (rows x cols) written densely. */
function tableCsv(m: CsrMatrix, rowIds: readonly string[], colIds: readonly string[]): Buffer {
  const parts: string[] = [',' + colIds.map(csvField).join(',') + '\n'];
  const line = new Array<string>(m.nCols);
  for (let r = 0; r < m.nRows; r++) {
    line.fill('0');
    for (let p = m.indptr[r]!; p < m.indptr[r + 1]!; p++) line[m.indices[p]!] = formatValue(m.values[p]!);
    parts.push(csvField(rowIds[r]!) + ',' + line.join(',') + '\n');
  }
  return gzipSync(parts.join(''));
}

async function main(): Promise<void> {
  const o = options();
  if (!o) {
    console.log(USAGE);
    return;
  }
  const countsPath = join(o.data, 'counts.csv.gz');
  const labelsPath = join(o.data, 'labels.csv');
  const ds = await loadDataset([await inputFileFromPath(countsPath), await inputFileFromPath(labelsPath)]);
  if (!ds.labels) throw new Error(`${labelsPath} was not read as a labels file`);
  const { counts, cellIds, geneIds } = ds.matrix;
  const labels = ds.labels.labels;
  const orientation = ds.orientation?.chosen ?? 'genes-x-cells';
  console.log(
    `${o.data}: ${counts.nRows} cells x ${counts.nCols} genes (${orientation} on disk), ` +
      `${ds.labels.nMatched} labelled, ${ds.labels.classes.length} labels`,
  );

  // Stratified hold-out: the same share of every label, drawn by a seeded shuffle; unlabelled cells stay.
  const rng = createRng(o.seed);
  const split = rng.fork('holdout');
  const byLabel = new Map<string, number[]>();
  labels.forEach((l, i) => {
    if (l === null) return;
    const list = byLabel.get(l);
    if (list) list.push(i);
    else byLabel.set(l, [i]);
  });
  const heldOut = new Uint8Array(counts.nRows);
  const heldByLabel = new Map<string, number[]>();
  for (const label of [...byLabel.keys()].sort()) {
    const cells = byLabel.get(label)!;
    shuffle(cells, split);
    const n = Math.round(o.holdout * cells.length);
    const held = cells.slice(0, n).sort((a, b) => a - b);
    for (const i of held) heldOut[i] = 1;
    if (held.length > 0) heldByLabel.set(label, held);
  }
  const kept = Array.from({ length: counts.nRows }, (_, i) => i).filter((i) => !heldOut[i]);
  const bulkLabels = [...heldByLabel.keys()];
  console.log(
    `held out ${counts.nRows - kept.length} cells (${bulkLabels.map((l) => `${l} ${heldByLabel.get(l)!.length}`).join(', ')}); ` +
      `kept ${kept.length}`,
  );

  // Bulk samples: label shares ~ Dirichlet(1), cells drawn with replacement from that label's held-out cells.
  const draw = rng.fork('bulk');
  const S = o.samples;
  const G = counts.nCols;
  const bulk = new Float64Array(G * S);
  const truth: string[] = ['sample,label,proportion\n'];
  const sampleIds = Array.from({ length: S }, (_, s) => `bulk_${s + 1}`);
  for (let s = 0; s < S; s++) {
    const p = dirichlet(bulkLabels.length, 1, draw);
    const drawn = new Array<number>(bulkLabels.length).fill(0);
    for (let n = 0; n < o.cells; n++) {
      let x = draw.next();
      let k = 0;
      while (k < bulkLabels.length - 1 && x >= p[k]!) x -= p[k++]!;
      drawn[k]!++;
      const cells = heldByLabel.get(bulkLabels[k]!)!;
      const i = cells[draw.int(cells.length)]!;
      for (let q = counts.indptr[i]!; q < counts.indptr[i + 1]!; q++)
        bulk[counts.indices[q]! * S + s]! += counts.values[q]!;
    }
    bulkLabels.forEach((l, k) => truth.push(`${sampleIds[s]},${csvField(l)},${drawn[k]! / o.cells}\n`));
  }

  mkdirSync(o.out, { recursive: true });
  const keptCounts = csrSelect(
    counts,
    kept,
    Array.from({ length: G }, (_, g) => g),
  );
  const keptIds = kept.map((i) => cellIds[i]!);
  writeFileSync(
    join(o.out, 'counts.csv.gz'),
    orientation === 'genes-x-cells'
      ? tableCsv(transposeCsr(keptCounts), geneIds, keptIds)
      : tableCsv(keptCounts, keptIds, geneIds),
  );
  // labels.csv: the source's lines of the kept cells, and its header line if it has one.
  const keptSet = new Set(keptIds);
  const allIds = new Set(cellIds);
  const labelLines = readFileSync(labelsPath, 'utf8').split(/\r?\n/);
  const delim = (labelLines[0] ?? '').includes('\t') && !(labelLines[0] ?? '').includes(',') ? '\t' : ',';
  const keptLines = labelLines.filter((line, n) => {
    if (line.trim() === '') return false;
    const id = splitFields(line, delim).fields[0] ?? '';
    return keptSet.has(id) || (n === 0 && !allIds.has(id));
  });
  writeFileSync(join(o.out, 'labels.csv'), keptLines.join('\n') + '\n');
  const bulkLines = ['gene,' + sampleIds.join(',') + '\n'];
  for (let g = 0; g < G; g++) {
    const row: string[] = [csvField(geneIds[g]!)];
    for (let s = 0; s < S; s++) row.push(formatValue(bulk[g * S + s]!));
    bulkLines.push(row.join(',') + '\n');
  }
  writeFileSync(join(o.out, 'bulk.csv'), bulkLines.join(''));
  writeFileSync(join(o.out, 'truth.csv'), truth.join(''));
  console.log(
    `wrote ${o.out}: counts.csv.gz (${kept.length} cells), labels.csv, bulk.csv (${G} genes x ${S} samples of ` +
      `${o.cells} cells), truth.csv`,
  );
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
