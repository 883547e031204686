/**
 * Command-line parameters: each flag maps onto one field of ScgnnParams (or a run option). `--params FILE`
 * takes a JSON object of the same shape as ScgnnParams (any subset) for everything else.
 */
import { readFileSync } from 'node:fs';
import type { Orientation } from '../core/dataset.ts';
import type { ScgnnParamsOverride } from '../core/pipeline/params.ts';
import { mergeOverrides, presetByName, presets } from '../core/pipeline/presets.ts';
import type { BackendRequest } from '../engine/contract.ts';
import type { ComputeClass } from '../core/pipeline/compute-profile.ts';
import type { H5adX } from '../io/h5ad-writer.ts';

export interface CliOptions {
  readonly command: 'run' | 'eval' | 'ltmg';
  readonly input: string;
  readonly out?: string;
  readonly labels?: string;
  /** run / eval: a bulk RNA-seq matrix (genes x samples, CSV/TSV, .gz too) for scGNN 2.0's integration. */
  readonly bulk?: string;
  /** eval only: true cell-type proportions of the bulk samples (`sample,label,proportion`). */
  readonly bulkTruth?: string;
  readonly dropout: number;
  /** eval only: the thinning protocol's probability P (keep each count with probability P); null: none. */
  readonly thin: number | null;
  readonly backend: BackendRequest;
  readonly orientation: Orientation | 'auto';
  readonly layout: 'genes-x-cells' | 'cells-x-genes';
  /** What X holds in results.h5ad. */
  readonly h5adX: H5adX;
  readonly params: ScgnnParamsOverride;
  readonly quiet: boolean;
  /** Training profile (compute-profile.ts); null: the backend's class. */
  readonly computeProfile: ComputeClass | null;
  /** eval only: run once per seed (each seeds the dropout too) and report the medians; null: one run. */
  readonly seeds: readonly number[] | null;
}

/** "1-5", "1,3,7" or "2": distinct positive seeds in the order given. */
export function parseSeeds(text: string): number[] {
  const seeds: number[] = [];
  for (const part of text.split(',')) {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part);
    if (!m) throw new Error(`--seeds takes a range or a list, e.g. 1-5 or 1,3,7; got "${text}"`);
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    if (to < from || to - from >= 100)
      throw new Error(`--seeds: "${part.trim()}" is not a range of at most 100 seeds`);
    for (let s = from; s <= to; s++) if (!seeds.includes(s)) seeds.push(s);
  }
  return seeds;
}

export const USAGE = `scGNN Web command line

  npm run scgnn -- run  <input> --out <dir> [options]     run the pipeline, write the outputs
  npm run scgnn -- eval <input> --labels <labels.csv> [--dropout 0.1 | --thin 0.2] [options]
                                                          published protocol; JSON result on the last stdout line
  npm run scgnn -- ltmg <input> --out <file.tsv> [--mode reference|full]

<input>: a CSV/TSV(.gz) file, a 10x folder, a 10x .h5 or an .h5ad file.

Options:
  --seed N                 random seed (default 1)
  --seeds A-B|A,B,...      eval: one run per seed (each also seeds the dropout); prints every run, the
                           median and the spread (min-max) of each figure
  --thin P                 eval: binomial thinning instead of the dropout (0 < P < 1): keep each count
                           with probability P, run on the thinned counts and score the imputation on
                           every entry against ln(1 + P x full depth), beside no imputation and a
                           MAGIC-like diffusion (per-gene and per-cell correlation, false signal)
  --backend wasm|cpu|webgpu|auto
                           TensorFlow.js backend (default wasm; webgpu runs Dawn, on SwiftShader where
                           there is no GPU; auto: the fastest by probe)
  --orientation genes-x-cells|cells-x-genes   for CSV/TSV (default: detected)
  --layout cells-x-genes   imputed matrix layout (default genes-x-cells, as the reference)
  --h5ad-x imputed|raw     X of results.h5ad: the imputed values (default, ln(1 + x)) or the raw counts
  --compute-profile cpu|gpu
                           training profile (default: the backend's: gpu for a hardware GPU, else cpu);
                           gpu grows the autoencoders' batches with the data (reproduces a GPU run's
                           arithmetic on any backend)
  --preset NAME            ${presets.map((p) => p.name).join('|')} (default: default); flags and --params override it
  --iterations N           maximum EM iterations (default 3)
  --k N                    neighbours in the cell graph (default 10; --preset scgnn2: 5 % of the cells)
  --prune mean-std|isolation-forest|none
  --cluster louvainK|louvain|kmeans      clustering method (default louvainK)
  --n-clusters N           k for --cluster kmeans
  --graph-ae gcn|gat|none  graph autoencoder (default none: the feature embedding is clustered)
  --no-ltmg                skip the LTMG regulariser
  --ltmg-mode reference|full
  --no-cluster-ae          skip the cluster autoencoders
  --impute graph|scgnn1|closed-loop|none   imputation (default graph)
  --top-genes N            number of variable genes (default 2000)
  --bulk FILE              run, eval: bulk RNA-seq of the same tissue (genes x samples CSV/TSV, .gz too;
                           gene names as in the input): deconvolved into cell-type proportions per sample
                           and blended into the imputation (scGNN 2.0); writes bulk_proportions.csv,
                           bulk_profiles.csv and bulk_weights.csv
  --no-bulk-feedback       with --bulk: blend only the final imputation, not each iteration's targets
  --bulk-truth FILE        eval, with --bulk: the samples' true proportions (sample,label,proportion);
                           reports the mean absolute error of the estimated proportions
  --params FILE.json       any other parameter, as a JSON object shaped like ScgnnParams
  --quiet                  no progress on stderr
`;

function takeValue(args: string[], i: number, flag: string): string {
  const v = args[i + 1];
  if (v === undefined || v.startsWith('--')) throw new Error(`${flag} needs a value`);
  return v;
}

function int(v: string, flag: string): number {
  const n = Number(v);
  if (!Number.isInteger(n)) throw new Error(`${flag} needs an integer, got "${v}"`);
  return n;
}

export function parseCli(argv: string[]): CliOptions {
  const [command, ...rest] = argv;
  if (command !== 'run' && command !== 'eval' && command !== 'ltmg') throw new Error(USAGE);
  const positional: string[] = [];
  let out: string | undefined;
  let labels: string | undefined;
  let bulk: string | undefined;
  let bulkTruth: string | undefined;
  let dropout = command === 'eval' ? 0.1 : 0;
  let dropoutGiven = false;
  let thin: number | null = null;
  let backend: BackendRequest = 'wasm';
  let orientation: Orientation | 'auto' = 'auto';
  let layout: CliOptions['layout'] = 'genes-x-cells';
  let h5adX: H5adX = 'imputed';
  let quiet = false;
  let computeProfile: ComputeClass | null = null;
  let seeds: number[] | null = null;
  let fileParams: ScgnnParamsOverride = {};
  let presetParams: ScgnnParamsOverride = {};
  const p: Record<string, Record<string, unknown>> & { seed?: number } = {};
  const set = (group: string, key: string, value: unknown): void => {
    p[group] = { ...(p[group] ?? {}), [key]: value };
  };
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i]!;
    if (!a.startsWith('--')) {
      positional.push(a);
      continue;
    }
    const v = (): string => takeValue(rest, i++, a);
    switch (a) {
      case '--out':
        out = v();
        break;
      case '--labels':
        labels = v();
        break;
      case '--bulk':
        bulk = v();
        break;
      case '--bulk-truth':
        bulkTruth = v();
        break;
      case '--no-bulk-feedback':
        set('bulk', 'feedback', false);
        break;
      case '--dropout':
        dropout = Number(v());
        dropoutGiven = true;
        break;
      case '--thin':
        thin = Number(v());
        break;
      case '--seed':
        p.seed = int(v(), a);
        break;
      case '--backend':
        backend = v() as BackendRequest;
        break;
      case '--orientation':
        orientation = v() as Orientation;
        break;
      case '--layout':
        layout = v() as CliOptions['layout'];
        break;
      case '--h5ad-x':
        h5adX = v() as H5adX;
        if (h5adX !== 'imputed' && h5adX !== 'raw')
          throw new Error(`--h5ad-x must be imputed or raw, got "${h5adX}"`);
        break;
      case '--iterations':
        set('iterations', 'max', int(v(), a));
        break;
      case '--k':
        // A given k is a fixed k, also over a preset whose k follows the cell count (scgnn2).
        set('graph', 'k', int(v(), a));
        set('graph', 'kRule', 'fixed');
        break;
      case '--prune':
        set('graph', 'prune', v());
        break;
      case '--cluster':
        set('cluster', 'method', v());
        break;
      case '--n-clusters':
        set('cluster', 'k', int(v(), a));
        break;
      case '--graph-ae': {
        const m = v();
        if (m === 'none') set('graphAe', 'enabled', false);
        else {
          set('graphAe', 'enabled', true);
          set('graphAe', 'model', m);
        }
        break;
      }
      case '--no-ltmg':
        set('ltmg', 'enabled', false);
        break;
      case '--ltmg-mode':
      case '--mode':
        set('ltmg', 'mode', v());
        break;
      case '--no-cluster-ae':
        set('clusterAe', 'enabled', false);
        break;
      case '--impute': {
        const m = v();
        if (m === 'none') set('impute', 'enabled', false);
        else {
          set('impute', 'enabled', true);
          set('impute', 'mode', m);
        }
        break;
      }
      case '--top-genes':
        set('preprocess', 'nTopGenes', int(v(), a));
        break;
      case '--params':
        fileParams = JSON.parse(readFileSync(v(), 'utf8')) as ScgnnParamsOverride;
        break;
      case '--preset': {
        const name = v();
        const preset = presetByName(name);
        if (!preset)
          throw new Error(`Unknown preset "${name}"; choose one of ${presets.map((x) => x.name).join(', ')}`);
        presetParams = preset.params;
        break;
      }
      case '--compute-profile':
        computeProfile = v() as ComputeClass;
        if (computeProfile !== 'cpu' && computeProfile !== 'gpu')
          throw new Error(`--compute-profile must be cpu or gpu, got "${computeProfile}"`);
        break;
      case '--seeds':
        seeds = parseSeeds(v());
        break;
      case '--quiet':
        quiet = true;
        break;
      default:
        throw new Error(`Unknown option ${a}\n\n${USAGE}`);
    }
  }
  if (positional.length !== 1) throw new Error(`Give exactly one input (file or 10x folder).\n\n${USAGE}`);
  if (command !== 'eval' && !out) throw new Error(`${command} needs --out.\n\n${USAGE}`);
  if (seeds && command !== 'eval') throw new Error(`--seeds is for eval; run takes one --seed.`);
  if (seeds && p.seed !== undefined) throw new Error('Give --seed or --seeds, not both.');
  if (bulk && command === 'ltmg') throw new Error('--bulk is for run and eval.');
  if (bulkTruth && command !== 'eval') throw new Error('--bulk-truth is for eval.');
  if (bulkTruth && !bulk) throw new Error('--bulk-truth needs --bulk (the bulk samples it describes).');
  if (!(dropout >= 0 && dropout < 1)) throw new Error(`--dropout must be in [0, 1), got ${dropout}`);
  if (thin !== null) {
    if (command !== 'eval') throw new Error('--thin is for eval.');
    if (!(thin > 0 && thin < 1)) throw new Error(`--thin must be in (0, 1), got ${thin}`);
    if (dropoutGiven) throw new Error('--thin and --dropout cannot be combined');
    dropout = 0;
  }
  if (!['wasm', 'cpu', 'webgpu', 'auto'].includes(backend))
    throw new Error(`Unknown backend "${backend}"; choose one of wasm, cpu, webgpu, auto`);
  const params = mergeOverrides(mergeOverrides(presetParams, fileParams), p as ScgnnParamsOverride);
  return {
    command,
    input: positional[0]!,
    ...(out ? { out } : {}),
    ...(labels ? { labels } : {}),
    ...(bulk ? { bulk } : {}),
    ...(bulkTruth ? { bulkTruth } : {}),
    dropout,
    thin,
    backend,
    orientation,
    layout,
    h5adX,
    params,
    quiet,
    computeProfile,
    seeds,
  };
}
