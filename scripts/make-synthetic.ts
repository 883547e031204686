/**
 * Generate a labelled synthetic count matrix of any size for scale benchmarks (src/core/synthetic) and write it
 * as a 10x v3 HDF5, a 10x MatrixMarket folder, labels.csv, pseudotime.csv and truth.json
 * (scripts/lib/synthetic-files.ts).
 *
 *   npm run make:synthetic -- --cells 100000 --genes 2000 --types 12 --seed 1 [--out DIR] [--zero-target 0.93]
 *
 * Realism knobs (defaults in src/core/synthetic/synthetic.ts): --gene-sigma, --lib-sigma, --marker-fraction,
 * --marker-fold LO,HI, --type-effect, --type-alpha, --min-type-share, --trajectory K.
 */
import { parseArgs } from 'node:util';
import { generateSynthetic, type SyntheticOptions } from '../src/core/synthetic/synthetic.ts';
import { defaultSyntheticDir, sizeOf, writeSyntheticFiles } from './lib/synthetic-files.ts';

const USAGE =
  'usage: npm run make:synthetic -- --cells N --genes G --types T --seed S [--out DIR] [--zero-target 0.93]\n' +
  '       [--gene-sigma 1.7] [--lib-sigma 0.5] [--marker-fraction 0.03] [--marker-fold 2,8] [--type-effect 0.15]\n' +
  '       [--type-alpha 1] [--min-type-share 0.5] [--trajectory K]';

function main(): Promise<void> {
  const { values: a } = parseArgs({
    options: {
      cells: { type: 'string' },
      genes: { type: 'string' },
      types: { type: 'string' },
      seed: { type: 'string' },
      out: { type: 'string' },
      'zero-target': { type: 'string' },
      'gene-sigma': { type: 'string' },
      'lib-sigma': { type: 'string' },
      'marker-fraction': { type: 'string' },
      'marker-fold': { type: 'string' },
      'type-effect': { type: 'string' },
      'type-alpha': { type: 'string' },
      'min-type-share': { type: 'string' },
      trajectory: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (a.help) {
    console.log(USAGE);
    return Promise.resolve();
  }
  const num = (name: string, v: string | undefined): number | undefined => {
    if (v === undefined) return undefined;
    const x = Number(v);
    if (v.trim() === '' || !Number.isFinite(x)) throw new Error(`--${name} must be a number, got "${v}"`);
    return x;
  };
  const required = (name: 'cells' | 'genes' | 'types' | 'seed'): number => {
    const x = num(name, a[name]);
    if (x === undefined) throw new Error(`--${name} is required\n${USAGE}`);
    return x;
  };
  const fold = a['marker-fold']?.split(',').map((s) => num('marker-fold', s)!);
  if (fold && fold.length !== 2) throw new Error(`--marker-fold must be LO,HI, got "${a['marker-fold']}"`);
  const opts: SyntheticOptions = {
    cells: required('cells'),
    genes: required('genes'),
    types: required('types'),
    seed: required('seed'),
    zeroTarget: num('zero-target', a['zero-target']),
    geneMeanSigma: num('gene-sigma', a['gene-sigma']),
    libSizeSigma: num('lib-sigma', a['lib-sigma']),
    markerFraction: num('marker-fraction', a['marker-fraction']),
    markerFold: fold as [number, number] | undefined,
    typeEffectSigma: num('type-effect', a['type-effect']),
    typeAlpha: num('type-alpha', a['type-alpha']),
    minTypeShare: num('min-type-share', a['min-type-share']),
    trajectoryTypes: num('trajectory', a.trajectory),
  };
  return run(opts, a.out);
}

async function run(opts: SyntheticOptions, out: string | undefined): Promise<void> {
  const dir = out ?? defaultSyntheticDir(opts);
  const t0 = performance.now();
  const d = generateSynthetic(opts);
  const genSeconds = (performance.now() - t0) / 1000;
  const nnz = d.counts.indptr[d.counts.nRows]!;
  const o = d.options;
  console.log(
    `generated ${o.cells} cells x ${o.genes} genes, ${o.types} types (seed ${o.seed}) in ${genSeconds.toFixed(2)} s: ` +
      `${nnz} non-zeros, zero fraction ${d.zeroFraction.toFixed(4)} (target ${o.zeroTarget}, expected ` +
      `${d.expectedZeroFraction.toFixed(4)})`,
  );
  console.log(`type sizes: ${d.typeNames.map((n, t) => `${n} ${d.typeSizes[t]}`).join(', ')}`);
  console.log(
    `trajectory: ${d.trajectory.length ? d.trajectory.map((t) => d.typeNames[t]).join(' -> ') : 'none'}; ` +
      `${d.markers[0]?.genes.length ?? 0} markers per type`,
  );
  const files = await writeSyntheticFiles(dir, d);
  const mb = (p: string): string => `${(sizeOf(p) / 1024 ** 2).toFixed(1)} MB`;
  console.log(`wrote ${dir} (h5 ${files.seconds.h5.toFixed(2)} s, mtx ${files.seconds.mtx.toFixed(2)} s):`);
  console.log(`  ${files.h5}  ${mb(files.h5)}`);
  console.log(`  ${files.mtxDir}/  ${mb(files.mtxDir)}`);
  console.log(`  ${files.labels}  ${mb(files.labels)}`);
  console.log(`  ${files.pseudotime}  ${mb(files.pseudotime)}`);
  console.log(`  ${files.truth}`);
  console.log(`total ${((performance.now() - t0) / 1000).toFixed(2)} s`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
