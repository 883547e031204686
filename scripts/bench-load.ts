/**
 * Benchmark: load + preprocessing time and peak memory on the 10,000-cell dataset in ../shared/data, from
 * the CSV and from the same matrix written as a 10x MatrixMarket v3 folder. Each case runs in its own Node
 * process so its peak resident memory (maxRSS) is its own.
 *
 *   npm run bench:load            # prints a table
 *   npm run bench:load -- --json  # one JSON object per case
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { csrBytes, nnz } from '../src/core/matrix/csr.ts';
import { preprocess, preprocessDefaults } from '../src/core/preprocess/preprocess.ts';
import { loadDataset } from '../src/io/load.ts';
import { inputFileFromPath, inputFilesFromFolder } from '../src/io/node-input.ts';

const DATA_REL = '../shared/data/mouse_brain_10x_10k_subset_unlabeled/counts.csv.gz';
const DATA = resolve(DATA_REL);
const WORK = resolve('.bench');

interface CaseResult {
  case: string;
  cells: number;
  genes: number;
  nnz: number;
  loadSeconds: number;
  preprocessSeconds: number;
  keptCells: number;
  keptGenes: number;
  matrixMb: number;
  peakRssMb: number;
  baselineRssMb: number;
}

/** Write the CSV's matrix as a 10x v3 folder (done once, outside the timed cases). */
function ensureTenxFolder(): string {
  const dir = join(WORK, 'mouse_brain_10k_mtx');
  if (existsSync(join(dir, 'matrix.mtx.gz'))) return dir;
  mkdirSync(dir, { recursive: true });
  const lines = gunzipSync(readFileSync(DATA)).toString('utf8').trim().split('\n');
  const cells = lines[0]!.split(',').slice(1);
  const triplets: string[] = [];
  const genes: string[] = [];
  lines.slice(1).forEach((line, g) => {
    const fields = line.split(',');
    genes.push(`${fields[0]}\t${fields[0]}\tGene Expression`);
    for (let c = 1; c < fields.length; c++)
      if (fields[c] !== '0') triplets.push(`${g + 1} ${c} ${Number(fields[c])}`);
  });
  const header = `%%MatrixMarket matrix coordinate integer general\n%metadata_json: {}\n${genes.length} ${cells.length} ${triplets.length}\n`;
  writeFileSync(join(dir, 'matrix.mtx.gz'), gzipSync(header + triplets.join('\n') + '\n'));
  writeFileSync(join(dir, 'features.tsv.gz'), gzipSync(genes.join('\n') + '\n'));
  writeFileSync(join(dir, 'barcodes.tsv.gz'), gzipSync(cells.join('\n') + '\n'));
  return dir;
}

async function runCase(name: string): Promise<CaseResult> {
  const baselineRssMb = process.resourceUsage().maxRSS / 1024;
  const files =
    name === 'csv'
      ? [await inputFileFromPath(DATA)]
      : await inputFilesFromFolder(join(WORK, 'mouse_brain_10k_mtx'));
  const t0 = performance.now();
  const ds = await loadDataset(files);
  const t1 = performance.now();
  const pre = preprocess(ds.matrix, preprocessDefaults);
  const t2 = performance.now();
  const m = ds.matrix.counts;
  return {
    case: name === 'csv' ? 'CSV.gz (genes x cells)' : '10x MatrixMarket v3 (.gz)',
    cells: m.nRows,
    genes: m.nCols,
    nnz: nnz(m),
    loadSeconds: (t1 - t0) / 1000,
    preprocessSeconds: (t2 - t1) / 1000,
    keptCells: pre.summary.output.nCells,
    keptGenes: pre.summary.output.nGenes,
    matrixMb: csrBytes(m) / 1024 ** 2,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    baselineRssMb,
  };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const one = args.indexOf('--case');
  if (one >= 0) {
    console.log(JSON.stringify(await runCase(args[one + 1]!)));
    return;
  }
  ensureTenxFolder();
  const results: CaseResult[] = [];
  for (const name of ['csv', 'mtx']) {
    const child = spawnSync(process.execPath, [...process.execArgv, process.argv[1]!, '--case', name], {
      encoding: 'utf8',
    });
    if (child.status !== 0) throw new Error(`case ${name} failed:\n${child.stderr}`);
    const result = JSON.parse(child.stdout.trim().split('\n').pop()!) as CaseResult;
    results.push(result);
    if (args.includes('--json')) console.log(JSON.stringify(result));
  }
  if (args.includes('--json')) return;
  console.log(`Load + preprocessing, ${DATA_REL}\n(Node ${process.version}, one process per case)\n`);
  console.log(
    '| input | cells x genes | non-zeros | load (s) | preprocess (s) | kept cells x genes | CSR matrix (MB) | peak RSS (MB) |',
  );
  console.log('|---|---|---|---|---|---|---|---|');
  for (const r of results) {
    console.log(
      `| ${r.case} | ${r.cells} x ${r.genes} | ${r.nnz} | ${r.loadSeconds.toFixed(2)} | ${r.preprocessSeconds.toFixed(2)} | ` +
        `${r.keptCells} x ${r.keptGenes} | ${r.matrixMb.toFixed(1)} | ${r.peakRssMb.toFixed(0)} (Node baseline ${r.baselineRssMb.toFixed(0)}) |`,
    );
  }
}

await main();
