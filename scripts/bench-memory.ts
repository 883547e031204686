/**
 * Memory and time at scale: peak resident memory (RSS), seconds per stage and ARI of the CLI's default run
 * (`eval --dropout 0`, every stage, full epochs) on synthetic labelled sets (`npm run make:synthetic`, made
 * when absent) of N cells x 2,000 genes, one process each, one at a time.
 *
 *   npm run bench:memory                              # 10,000, 30,000 and 100,000 cells
 *   npm run bench:memory -- --cells 10000,30000 [--genes 2000] [--types 12] [--seed 1] [--backend wasm]
 *   npm run bench:memory -- --subsets                 # the older check: first 1k/4k/10k cells of the mouse
 *                                                     # brain data, epochs cut (memory only)
 *
 * The CLI reads the 10x MatrixMarket folder: under tsx, importing h5wasm (the HDF5 reader) alone adds about
 * 700 MB of RSS, which would hide the pipeline's own memory (plain Node: about 80 MB).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { defaultSyntheticDir } from './lib/synthetic-files.ts';

const args = process.argv.slice(2);
const flag = (name: string, fallback: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : fallback;
};

interface EvalReport {
  cells: number;
  genes: number;
  ari?: number;
  nClusters: number;
  iterations: number;
  peakRssMb: number;
  peakRssAt?: string;
  seconds: Record<string, number>;
}

function runEval(cliArgs: string[]): EvalReport | string {
  const child = spawnSync('npx', ['tsx', 'src/cli/scgnn.ts', 'eval', ...cliArgs, '--quiet'], {
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  const last = child.stdout.trim().split('\n').pop() ?? '';
  if (child.status !== 0 || !last.startsWith('{')) return child.stderr.slice(-1500);
  return JSON.parse(last) as EvalReport;
}

const STAGES = ['load', 'ltmg', 'feature-ae', 'graph', 'cluster', 'cluster-ae', 'impute'] as const;

function synthetic(): void {
  const sizes = flag('cells', '10000,30000,100000').split(',').map(Number);
  const genes = Number(flag('genes', '2000'));
  const types = Number(flag('types', '12'));
  const seed = Number(flag('seed', '1'));
  const backend = flag('backend', 'wasm');
  console.log(
    `CLI default run (\`eval --dropout 0\`, backend ${backend}) on synthetic sets of ${genes} genes, ${types} types, ` +
      `seed ${seed}\n`,
  );
  console.log(
    `| cells | genes kept | peak RSS (MB) | peak at | MB per 1,000 cells | ${STAGES.join(' | ')} | total (s) | iterations | clusters | ARI |`,
  );
  console.log(`|${' --- |'.repeat(STAGES.length + 10)}`);
  for (const cells of sizes) {
    const dir = defaultSyntheticDir({ cells, genes, types, seed });
    if (!existsSync(join(dir, 'labels.csv'))) {
      const made = spawnSync(
        'npx',
        [
          'tsx',
          'scripts/make-synthetic.ts',
          '--cells',
          `${cells}`,
          '--genes',
          `${genes}`,
          '--types',
          `${types}`,
          '--seed',
          `${seed}`,
        ],
        { encoding: 'utf8', stdio: ['ignore', 'ignore', 'inherit'] },
      );
      if (made.status !== 0) {
        console.error(`${cells} cells: make:synthetic failed`);
        continue;
      }
    }
    const r = runEval([
      join(dir, 'filtered_feature_bc_matrix'),
      '--labels',
      join(dir, 'labels.csv'),
      '--dropout',
      '0',
      '--seed',
      `${seed}`,
      '--backend',
      backend,
    ]);
    if (typeof r === 'string') {
      console.error(`${cells} cells failed:\n${r}`);
      continue;
    }
    const secs = STAGES.map((s) => (r.seconds[s] ?? 0).toFixed(0));
    console.log(
      `| ${r.cells} | ${r.genes} | ${r.peakRssMb} | ${r.peakRssAt ?? '-'} | ${((r.peakRssMb / r.cells) * 1000).toFixed(0)} | ${secs.join(' | ')} | ${(r.seconds.total ?? 0).toFixed(0)} | ${r.iterations} | ${r.nClusters} | ${r.ari?.toFixed(3) ?? '-'} |`,
    );
  }
}

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

async function subsets(): Promise<void> {
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
}

if (args.includes('--subsets')) await subsets();
else synthetic();
