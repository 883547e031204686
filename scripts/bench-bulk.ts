/**
 * Bulk integration benchmark (issue 13): pseudo-bulk samples from held-out cells of labelled datasets, then the
 * CLI's `eval` on the remaining cells without and with the bulk matrix, per seed. Prints the proportion error
 * (mean absolute, estimated cluster proportions mapped to labels by majority; see src/core/bulk/evaluate.ts)
 * and the ARI and median L1 of both runs.
 *
 *   npm run bench:bulk                                     # celseq2 and klein, seeds 1-5, 10 % dropout
 *   npm run bench:bulk -- dropseq klein --seeds 1-2 --dropout 0
 *   npm run bench:bulk -- --json                           # one JSON line per run as well
 *
 * Each seed makes its own split and bulk samples (`make:pseudobulk --seed S`: 30 % of the cells held out,
 * stratified; 10 samples of 500 held-out cells each, label shares from Dirichlet(1)) under
 * .bench/pseudobulk/<dataset>-s<S>/, and runs `eval --seed S` on the kept cells, so the single-cell input never
 * contains a cell that went into a bulk sample.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';

const argv = process.argv.slice(2);
const flag = (name: string, fallback: string): string => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1]! : fallback;
};
const json = argv.includes('--json');
const dropout = flag('dropout', '0.1');
const seedSpec = flag('seeds', '1-5');
const [lo, hi] = seedSpec.includes('-')
  ? seedSpec.split('-').map(Number)
  : [Number(seedSpec), Number(seedSpec)];
const seeds = Array.from({ length: hi! - lo! + 1 }, (_, i) => lo! + i);
const words = argv.filter((a, i) => !a.startsWith('--') && !argv[i - 1]?.match(/^--(dropout|seeds)$/));
const folders = readdirSync('../shared/data').filter((f) =>
  (words.length ? words : ['celseq2', 'klein']).some((w) => f.includes(w)),
);

interface EvalOut {
  ari: number;
  nClusters: number;
  medianL1?: number;
  bulkProportionMae?: number;
  bulkGenesMatched?: number;
  seconds: { total: number };
}

function run(cmd: string[]): string {
  const child = spawnSync('npx', ['tsx', ...cmd], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (child.status !== 0) throw new Error(`${cmd.join(' ')} failed:\n${child.stderr.slice(-2000)}`);
  return child.stdout;
}

function evalRun(dir: string, seed: number, bulk: boolean): EvalOut {
  const args = ['src/cli/scgnn.ts', 'eval', `${dir}/counts.csv.gz`, '--labels', `${dir}/labels.csv`];
  args.push('--seed', String(seed), '--dropout', dropout, '--quiet');
  if (bulk) args.push('--bulk', `${dir}/bulk.csv`, '--bulk-truth', `${dir}/truth.csv`);
  const last = run(args).trim().split('\n').pop() ?? '';
  return JSON.parse(last) as EvalOut;
}

const median = (v: number[]): number => {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const f3 = (v: number | undefined): string => (v === undefined ? '-' : v.toFixed(3));

console.log(`pseudo-bulk, ${dropout} dropout, seeds ${seeds.join(', ')}`);
console.log(
  '| dataset | seed | proportion MAE | ARI without bulk (k) | ARI with bulk (k) | median L1 without / with |',
);
console.log('| --- | --- | --- | --- | --- | --- |');
for (const folder of folders) {
  const data = `../shared/data/${folder}`;
  if (!existsSync(`${data}/labels.csv`)) continue;
  const per: { mae: number; without: number; with: number }[] = [];
  for (const seed of seeds) {
    const dir = `.bench/pseudobulk/${folder}-s${seed}`;
    run(['scripts/make-pseudobulk.ts', '--data', data, '--out', dir, '--seed', String(seed)]);
    const without = evalRun(dir, seed, false);
    const withBulk = evalRun(dir, seed, true);
    if (json) console.log(JSON.stringify({ dataset: folder, seed, without, with: withBulk }));
    per.push({ mae: withBulk.bulkProportionMae ?? NaN, without: without.ari, with: withBulk.ari });
    console.log(
      `| ${folder} | ${seed} | ${f3(withBulk.bulkProportionMae)} | ${f3(without.ari)} (${without.nClusters}) | ` +
        `${f3(withBulk.ari)} (${withBulk.nClusters}) | ${f3(without.medianL1)} / ${f3(withBulk.medianL1)} |`,
    );
  }
  console.log(
    `| ${folder} | median | ${f3(median(per.map((p) => p.mae)))} | ${f3(median(per.map((p) => p.without)))} | ` +
      `${f3(median(per.map((p) => p.with)))} | |`,
  );
}
