/**
 * Quality and speed benchmark: the CLI's `eval` (published protocol: 10 % of non-zero raw entries zeroed,
 * seed 1) on every labelled dataset in ../shared/data, one process each, printed beside the reference figures
 * of the scGNN tools and a standard Leiden pipeline (measured on this machine; see the issue / README).
 *
 *   npm run bench:eval                      # all datasets
 *   npm run bench:eval -- goolam klein      # datasets whose folder name contains one of the words
 *   npm run bench:eval -- --dropout 0       # clustering only
 *   npm run bench:eval -- --thin 0.2        # the thinning protocol instead of the dropout, with a second
 *                                           # table: scGNN / no imputation / MAGIC-like per dataset
 *   npm run bench:eval -- --json            # raw JSON lines
 *   extra CLI parameters after `--`, e.g. npm run bench:eval -- goolam -- --iterations 3
 *   another seed (also seeds the dropout):   npm run bench:eval -- -- --seed 2
 *   medians over seeds (and their spread):   npm run bench:eval -- -- --seeds 1-5
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

interface Reference {
  folder: string;
  cells: number;
  leidenAri: number;
  magicL1: number;
  scgnnBestAri: number;
  scgnnBestL1: number | null;
  scgnn1PaperSeconds: number | null;
}

/** Reference figures (seed 1, 2-core machine): Leiden ARI, MAGIC-like median L1, best scGNN ARI / median L1. */
const REFERENCE: Reference[] = [
  {
    folder: 'goolam_smartseq2_top2000',
    cells: 124,
    leidenAri: 0.543,
    magicL1: 0.86,
    scgnnBestAri: 0.276,
    scgnnBestL1: 0.515,
    scgnn1PaperSeconds: 635,
  },
  {
    folder: 'cellbench_dropseq_3cl',
    cells: 225,
    leidenAri: 0.775,
    magicL1: 0.461,
    scgnnBestAri: 0.794,
    scgnnBestL1: 0.388,
    scgnn1PaperSeconds: 879,
  },
  {
    folder: 'cellbench_celseq2_3cl',
    cells: 274,
    leidenAri: 1.0,
    magicL1: 0.471,
    scgnnBestAri: 0.977,
    scgnnBestL1: 0.504,
    scgnn1PaperSeconds: 924,
  },
  {
    folder: 'chung_breast_top2000',
    cells: 317,
    leidenAri: 0.513,
    magicL1: 1.286,
    scgnnBestAri: 0.35,
    scgnnBestL1: null,
    scgnn1PaperSeconds: null,
  },
  {
    folder: 'klein2015_subset1000_top900',
    cells: 1000,
    leidenAri: 0.82,
    magicL1: 0.422,
    scgnnBestAri: 0.364,
    scgnnBestL1: null,
    scgnn1PaperSeconds: null,
  },
  {
    folder: 'mouse_bladder_han2018_top2000',
    cells: 2746,
    leidenAri: 0.673,
    magicL1: 0.599,
    scgnnBestAri: 0.439,
    scgnnBestL1: null,
    scgnn1PaperSeconds: null,
  },
  {
    folder: 'ifnb_kang2018_2800',
    cells: 2800,
    leidenAri: 0.472,
    magicL1: 0.548,
    scgnnBestAri: 0.264,
    scgnnBestL1: null,
    scgnn1PaperSeconds: null,
  },
  {
    folder: 'worm_neuron_cao2017',
    cells: 4186,
    leidenAri: 0.41,
    magicL1: 0.658,
    scgnnBestAri: 0,
    scgnnBestL1: null,
    scgnn1PaperSeconds: null,
  },
  {
    folder: 'pbmc4k_10x_top2000',
    cells: 4271,
    leidenAri: 0.573,
    magicL1: 0.58,
    scgnnBestAri: 0,
    scgnnBestL1: null,
    scgnn1PaperSeconds: null,
  },
];

const argv = process.argv.slice(2);
const split = argv.indexOf('--');
const own = split >= 0 ? argv.slice(0, split) : argv;
const extra = split >= 0 ? argv.slice(split + 1) : [];
const json = own.includes('--json');
const dropoutAt = own.indexOf('--dropout');
const dropout = dropoutAt >= 0 ? own[dropoutAt + 1]! : '0.1';
const thinAt = own.indexOf('--thin');
const thin = thinAt >= 0 ? own[thinAt + 1]! : null;
if (thin !== null && dropoutAt >= 0) {
  console.error('--thin and --dropout cannot be combined');
  process.exit(2);
}
const words = own.filter(
  (a, i) => !a.startsWith('--') && own[i - 1] !== '--dropout' && own[i - 1] !== '--thin',
);
const chosen = REFERENCE.filter((r) => words.length === 0 || words.some((w) => r.folder.includes(w)));

/** The thinning protocol's figures of one imputation (null where not scored). */
interface ThinFigures {
  thinGeneCorr: number | null;
  thinCellCorr: number | null;
  thinFalseSignal: number | null;
}

const rows: string[] = [];
const thinRows: string[] = [];
const aris: number[] = [];
const leidens: number[] = [];
for (const ref of chosen) {
  const dir = `../shared/data/${ref.folder}`;
  if (!existsSync(dir)) continue;
  const args = [
    'tsx',
    'src/cli/scgnn.ts',
    'eval',
    `${dir}/counts.csv.gz`,
    '--labels',
    `${dir}/labels.csv`,
    ...(extra.includes('--seed') || extra.includes('--seeds') ? [] : ['--seed', '1']),
    ...(thin !== null ? ['--thin', thin] : ['--dropout', dropout]),
    '--quiet',
    ...extra,
  ];
  const child = spawnSync('npx', args, { encoding: 'utf8', maxBuffer: 1 << 26 });
  const last = child.stdout.trim().split('\n').pop() ?? '';
  if (child.status !== 0 || !last.startsWith('{')) {
    console.error(`${ref.folder}: failed\n${child.stderr.slice(-2000)}`);
    continue;
  }
  const r = JSON.parse(last) as {
    ari: number;
    nmi: number;
    nClusters: number;
    medianL1?: number;
    seconds: { total: number; load: number };
    peakRssMb: number;
    iterations: number;
    /** With --seeds: [min, max] per figure (the figures above are then medians). */
    spread?: Record<string, [number, number]>;
  } & Partial<ThinFigures> & { references?: { none: ThinFigures; magic: ThinFigures } };
  if (json) console.log(JSON.stringify({ dataset: ref.folder, ...r }));
  aris.push(r.ari);
  leidens.push(ref.leidenAri);
  const bestL1 = Math.min(ref.magicL1, ref.scgnnBestL1 ?? Infinity);
  const l1 =
    r.medianL1 === undefined
      ? '-'
      : `${r.medianL1.toFixed(3)} ${r.medianL1 <= 0.9 * bestL1 ? '✓' : '✗'} (≤ ${(0.9 * bestL1).toFixed(3)})`;
  const range = r.spread?.ari ? ` [${r.spread.ari[0].toFixed(3)}, ${r.spread.ari[1].toFixed(3)}]` : '';
  const ari = `${r.ari.toFixed(3)}${range} ${r.ari >= ref.scgnnBestAri ? '✓' : '✗'} (≥ ${ref.scgnnBestAri.toFixed(3)}; Leiden ${ref.leidenAri.toFixed(3)})`;
  const total = r.seconds.total + r.seconds.load;
  const speed = ref.scgnn1PaperSeconds
    ? `${total.toFixed(1)} (${(ref.scgnn1PaperSeconds / total).toFixed(0)}x faster than ${ref.scgnn1PaperSeconds} s)`
    : total.toFixed(1);
  rows.push(
    `| ${ref.folder} | ${ref.cells} | ${ari} | ${r.nClusters} | ${l1} | ${speed} | ${r.iterations} | ${r.peakRssMb} |`,
  );
  if (thin !== null && r.references) {
    const ours: ThinFigures = {
      thinGeneCorr: r.thinGeneCorr ?? null,
      thinCellCorr: r.thinCellCorr ?? null,
      thinFalseSignal: r.thinFalseSignal ?? null,
    };
    const { none, magic } = r.references;
    // A figure can be absent: no false-signal entries (celseq2), so neither a value nor a median.
    const f = (v: number | null | undefined): string => (v == null ? '-' : v.toFixed(3));
    const three = (key: keyof ThinFigures): string => [ours, none, magic].map((x) => f(x[key])).join(' / ');
    // scGNN's gene correlation above both references, and less false signal than the MAGIC-like diffusion.
    const beats =
      ours.thinGeneCorr !== null &&
      ours.thinGeneCorr > (none.thinGeneCorr ?? -Infinity) &&
      ours.thinGeneCorr > (magic.thinGeneCorr ?? -Infinity) &&
      // No false-signal entries at all (every gene detected in >= 2 % of each type): nothing to compare.
      ((ours.thinFalseSignal == null && magic.thinFalseSignal == null) ||
        (ours.thinFalseSignal != null &&
          magic.thinFalseSignal != null &&
          ours.thinFalseSignal < magic.thinFalseSignal));
    thinRows.push(
      `| ${ref.folder} | ${three('thinGeneCorr')} | ${three('thinCellCorr')} | ${three('thinFalseSignal')} | ${beats ? '✓' : '✗'} |`,
    );
  }
}
if (!json) {
  const seedFlag = extra.includes('--seeds') ? '--seeds' : '--seed';
  const seedAt = extra.indexOf(seedFlag);
  const seed = seedAt >= 0 ? extra[seedAt + 1] : '1';
  const rest = extra.filter((a, i) => a !== seedFlag && extra[i - 1] !== seedFlag);
  const which = seedFlag === '--seeds' ? `medians over seeds ${seed} [ARI min, max]` : `seed ${seed}`;
  const protocol = thin !== null ? `thinning ${thin}` : `dropout ${dropout}`;
  console.log(`scgnn eval, ${which}, ${protocol}${rest.length ? `, extra: ${rest.join(' ')}` : ''}\n`);
  console.log(
    '| dataset | cells | ARI (target) | clusters | median L1 (target) | seconds | iterations | peak RSS MB |',
  );
  console.log('|---|---|---|---|---|---|---|---|');
  for (const r of rows) console.log(r);
  const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  console.log(
    `\nmean ARI ${mean(aris).toFixed(4)} vs Leiden mean ${mean(leidens).toFixed(4)} over ${aris.length} datasets (per dataset, unrounded: ${aris.map((a) => a.toFixed(4)).join(' ')})`,
  );
  if (thin !== null) {
    console.log(
      `\nthinning ${thin}: scGNN / no imputation / MAGIC-like (kNN diffusion, t = 3), on every entry against ` +
        `ln(1 + ${thin} x full-depth count); ✓: scGNN's gene corr above both and its false signal below MAGIC-like's\n`,
    );
    console.log('| dataset | gene corr | cell corr | false signal | ✓ |');
    console.log('|---|---|---|---|---|');
    for (const r of thinRows) console.log(r);
  }
}
