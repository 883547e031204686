/**
 * Memory scaling: peak resident memory of the CLI (`eval --dropout 0.1`, every stage) on the first 1,000,
 * 4,000 and 10,000 cells of the 10,000-cell dataset in ../shared/data, one process each. Epoch counts are cut
 * (`--params`) because memory, not quality, is measured here; the data structures are the same.
 *
 *   npm run bench:memory
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';

const SOURCE = '../shared/data/mouse_brain_10x_10k_subset_unlabeled/counts.csv.gz';
const WORK = '.bench';
const SIZES = [1000, 4000, 10000];

const params = {
  featureAe: { pretrain: { epochs: 3, batchSize: 1024 }, iteration: { epochs: 1, batchSize: 1024 } },
  clusterAe: { epochs: 1, batchSize: 1024 },
  graphAe: { epochs: 3 },
  impute: { train: { epochs: 2, batchSize: 1024 } },
  iterations: { max: 2 },
};

function subset(nCells: number): string {
  const path = join(WORK, `mouse_brain_first${nCells}.csv.gz`);
  if (existsSync(path)) return path;
  mkdirSync(WORK, { recursive: true });
  const lines = gunzipSync(readFileSync(SOURCE)).toString('utf8').trim().split('\n');
  const cut = lines.map((line) =>
    line
      .split(',')
      .slice(0, nCells + 1)
      .join(','),
  );
  writeFileSync(path, gzipSync(cut.join('\n') + '\n'));
  return path;
}

mkdirSync(WORK, { recursive: true });
const paramsPath = join(WORK, 'memory-params.json');
writeFileSync(paramsPath, JSON.stringify(params));
console.log(`Peak memory of \`scgnn eval\` (every stage, epochs cut), first N cells of ${SOURCE}\n`);
console.log('| cells | genes kept | peak RSS (MB) | MB per 1,000 cells | seconds |');
console.log('|---|---|---|---|---|');
for (const n of SIZES) {
  const input = subset(n);
  const child = spawnSync(
    'npx',
    ['tsx', 'src/cli/scgnn.ts', 'eval', input, '--params', paramsPath, '--quiet'],
    {
      encoding: 'utf8',
      maxBuffer: 1 << 26,
    },
  );
  const last = child.stdout.trim().split('\n').pop() ?? '';
  if (child.status !== 0 || !last.startsWith('{')) {
    console.error(`${n} cells failed:\n${child.stderr.slice(-1500)}`);
    continue;
  }
  const r = JSON.parse(last) as {
    cells: number;
    genes: number;
    peakRssMb: number;
    seconds: { total: number };
  };
  console.log(
    `| ${r.cells} | ${r.genes} | ${r.peakRssMb} | ${((r.peakRssMb / r.cells) * 1000).toFixed(0)} | ${r.seconds.total.toFixed(1)} |`,
  );
}
