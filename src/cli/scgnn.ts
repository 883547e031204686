/**
 * scGNN Web on the command line: the same core the browser worker runs.
 *   run   <input> --out <dir>         imputed matrix, embedding, cell graph, labels, manifest, results.h5ad
 *                                     (+ bulk_proportions.csv, bulk_profiles.csv, bulk_weights.csv with --bulk)
 *   eval  <input> --labels <csv>      the published protocol; one JSON object on the last line of stdout
 *   ltmg  <input> --out <file.tsv>    LTMG state matrix (genes x cells, tab separated, like the R package)
 * Progress goes to stderr.
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdirSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { once } from 'node:events';
import { join } from 'node:path';
import { clusteringEmbedding } from '../core/cluster/cluster.ts';
import { silhouetteScore } from '../core/cluster/metrics.ts';
import type { LoadedDataset } from '../core/dataset.ts';
import { imputationMetrics } from '../core/eval/imputation-metrics.ts';
import { magicReference } from '../core/eval/magic-reference.ts';
import { thinningScorer, type ThinningMetrics } from '../core/eval/thinning.ts';
import { denseStates, runLtmg } from '../core/ltmg/ltmg.ts';
import { createContext, type ProgressEvent, type StageName } from '../core/pipeline/context.ts';
import type { RunManifest } from '../core/pipeline/manifest.ts';
import { validateParams, withParams, type ScgnnParams } from '../core/pipeline/params.ts';
import { runScgnn, type ScgnnResult } from '../core/pipeline/run-pipeline.ts';
import { paramsForCompute } from '../core/pipeline/compute-profile.ts';
import {
  buildManifest,
  BULK_OUTPUT_FILES,
  bulkOverlapText,
  evaluateAgainstLabels,
  keptSizeProblem,
  OUTPUT_FILES,
  prepareInput,
  selectedLabels,
  withBulk,
  type PreparedInput,
} from '../core/pipeline/session.ts';
import { parseProportionTruth, proportionError, type ProportionTruth } from '../core/bulk/evaluate.ts';
import type { BulkMatrix } from '../core/bulk/types.ts';
import { log1pDense } from '../core/preprocess/normalise.ts';
import { summarizePreprocessing } from '../core/preprocess/preprocess.ts';
import { createRng } from '../core/rng.ts';
import type { BackendInfo } from '../engine/contract.ts';
import { bulkInputError, loadBulkMatrix } from '../io/bulk-file.ts';
import { InputError, isInputError } from '../io/errors.ts';
import { runH5adContent, writeH5ad } from '../io/h5ad-writer.ts';
import { loadLabels } from '../io/labels.ts';
import { summariseSeeds } from './seed-summary.ts';
import { loadDataset } from '../io/load.ts';
import { readLines } from '../io/input-file.ts';
import { inputFileFromPath, inputFilesFromFolder } from '../io/node-input.ts';
import {
  writeEdgeListCsv,
  writeEmbeddingCsv,
  writeLabelsCsv,
  writeMatrixCsv,
  type TextSink,
} from '../io/writers/csv-writers.ts';
import {
  writeBulkProfilesCsv,
  writeBulkProportionsCsv,
  writeBulkWeightsCsv,
} from '../io/writers/bulk-csv.ts';
import { parseCli, type CliOptions } from './args.ts';
import { fileTiles } from './file-tiles.ts';
import { setupNodeBackend, tf } from './node-backend.ts';
import { vulkanRelaunchEnv } from './node-webgpu.ts';
import pkg from '../../package.json' with { type: 'json' };

/** "wasm (1 thread)", "webgpu (google / swiftshader, CPU-class)". */
function describeBackend(b: BackendInfo): string {
  const parts = [b.adapter, b.threads !== null ? `${b.threads} thread${b.threads === 1 ? '' : 's'}` : null];
  if (b.name !== 'wasm' && b.name !== 'cpu') parts.push(b.computeClass === 'gpu' ? 'GPU' : 'CPU-class');
  const detail = parts.filter(Boolean).join(', ');
  return detail ? `${b.name} (${detail})` : b.name;
}

function log(opts: CliOptions, msg: string): void {
  if (!opts.quiet) process.stderr.write(msg + '\n');
}

/** The process's peak resident memory so far, in MB. */
const peakRssMb = (): number => Math.round(process.resourceUsage().maxRSS / 1024);

/**
 * Memory now: the peak so far, the resident set, the JS heap in use and the array buffers (typed arrays and the
 * WASM backend's heap). The resident set lags what is in use: V8 collects garbage late when memory is plentiful.
 */
function memoryLine(): string {
  const m = process.memoryUsage();
  const mb = (b: number): number => Math.round(b / 2 ** 20);
  return `memory MB: peak ${peakRssMb()}, resident ${mb(m.rss)}, JS heap ${mb(m.heapUsed)}, buffers ${mb(m.arrayBuffers)}`;
}

/** Progress lines on stderr: stage starts/ends, iterations, and a loss line every few seconds per model. */
function progressPrinter(opts: CliOptions): (e: ProgressEvent) => void {
  const lastLoss = new Map<string, number>();
  return (e) => {
    if (opts.quiet) return;
    if (e.type === 'stage-start')
      log(opts, `[${e.stage}]${e.iteration ? ` iteration ${e.iteration}:` : ''} ${e.label}…`);
    else if (e.type === 'stage-end')
      log(opts, `[${e.stage}] done in ${e.seconds.toFixed(2)} s (${memoryLine()})`);
    else if (e.type === 'iteration') {
      log(
        opts,
        `== iteration ${e.iteration}: ${e.nClusters} clusters, agreement with previous ${e.agreement.toFixed(3)}, ` +
          `graph change ${(e.graphChange * 100).toFixed(1)} %, sizes ${e.clusterSizes.join(' ')}`,
      );
    } else if (e.type === 'loss') {
      const now = performance.now();
      if (now - (lastLoss.get(e.model) ?? 0) > 3000) {
        lastLoss.set(e.model, now);
        log(opts, `   ${e.model} epoch ${e.epoch}: loss ${e.loss.toPrecision(5)}`);
      }
    }
  };
}

/** Whether `path` is a folder; a path that cannot be read is an input error (one line, exit 2). */
function isFolder(path: string, what: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch (e) {
    const reason = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or folder' : String(e);
    throw new InputError('not-found', path, `${reason}: check the path of the ${what}`);
  }
}

async function loadInput(opts: CliOptions): Promise<LoadedDataset> {
  const files = isFolder(opts.input, 'input')
    ? await inputFilesFromFolder(opts.input)
    : [await inputFileFromPath(opts.input)];
  const ds = await loadDataset(files, { orientation: opts.orientation });
  if (!opts.labels) return ds;
  if (isFolder(opts.labels, 'labels file'))
    throw new InputError('bad-labels', opts.labels, 'this is a folder; --labels takes a CSV or TSV file');
  return { ...ds, labels: await loadLabels(await inputFileFromPath(opts.labels), ds.matrix.cellIds) };
}

/** The --bulk matrix, read and parsed (its genes are matched to the run's once they are selected). */
async function loadBulk(opts: CliOptions): Promise<BulkMatrix | null> {
  if (!opts.bulk) return null;
  if (isFolder(opts.bulk, 'bulk file'))
    throw new InputError(
      'bad-bulk',
      opts.bulk,
      'this is a folder; --bulk takes a CSV or TSV file (genes x samples)',
    );
  return loadBulkMatrix(await inputFileFromPath(opts.bulk));
}

/** eval's bulk inputs: the matrix, and with --bulk-truth the samples' true proportions. */
interface BulkData {
  readonly matrix: BulkMatrix;
  readonly truth: { readonly file: string; readonly lines: ProportionTruth[] } | null;
}

async function loadBulkData(opts: CliOptions): Promise<BulkData | null> {
  const matrix = await loadBulk(opts);
  if (!matrix) return null;
  if (!opts.bulkTruth) return { matrix, truth: null };
  const file = await inputFileFromPath(opts.bulkTruth);
  const lines: string[] = [];
  for await (const [, line] of readLines(file)) lines.push(line);
  try {
    return { matrix, truth: { file: file.name, lines: parseProportionTruth(lines.join('\n'), file.name) } };
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    throw new InputError('bad-bulk', file.name, e.message.replace(/^[^:]*: /, ''));
  }
}

function fileSink(path: string): TextSink & { close(): Promise<void> } {
  const stream = createWriteStream(path);
  return {
    write: async (chunk) => {
      if (!stream.write(chunk)) await once(stream, 'drain');
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        stream.end((err?: Error | null) => (err ? reject(err) : resolve()));
      }),
  };
}

async function writeTo(path: string, fn: (sink: TextSink) => Promise<void>): Promise<void> {
  const sink = fileSink(path);
  await fn(sink);
  await sink.close();
}

interface Prepared extends PreparedInput {
  dataset: LoadedDataset;
  params: ScgnnParams;
}

/**
 * Select cells and genes (and match the bulk matrix's genes to them); too few of either for `need` is an input
 * error naming the dataset, too few genes shared with the bulk matrix one naming the bulk file.
 */
function prepare(
  ds: LoadedDataset,
  opts: CliOptions,
  backend: BackendInfo,
  need: 'run' | 'ltmg',
  bulk: BulkMatrix | null = null,
): Prepared {
  const params = paramsForCompute(opts.params, opts.computeProfile ?? backend.computeClass);
  const summary = summarizePreprocessing(ds.matrix, params.preprocess);
  const { nCells, nGenes } = summary.output;
  const problem =
    need === 'run'
      ? keptSizeProblem(summary, params)
      : nCells === 0 || nGenes === 0
        ? `preprocessing keeps no ${nCells === 0 ? 'cell' : 'gene'}: lower the preprocessing filters`
        : null;
  if (problem) throw new InputError('too-few-kept', ds.name, problem);
  if (opts.thin !== null && !ds.integerValued)
    throw new InputError(
      'not-counts',
      ds.name,
      'binomial thinning (--thin) needs raw counts, and this matrix has non-integer values',
    );
  const prepared = prepareInput(ds, params, opts.dropout, opts.thin ?? 0);
  if (!bulk) return { ...prepared, dataset: ds, params };
  try {
    return { ...withBulk(prepared, ds, bulk, params), dataset: ds, params };
  } catch (e) {
    throw bulkInputError(e, bulk.name);
  }
}

/** "bulk: 1,834 of 2,000 genes matched (12 loosely), 10 samples" on stderr, when there is a bulk matrix. */
function logBulk(opts: CliOptions, prep: Prepared): void {
  if (prep.input.bulk)
    log(opts, `bulk: ${bulkOverlapText(prep.input.bulk)} (${prep.input.bulk.matrix.name})`);
}

async function runPipeline(
  prep: Prepared,
  opts: CliOptions,
): Promise<{
  result: ScgnnResult;
  seconds: Partial<Record<StageName | 'load' | 'total', number>>;
  /** The stage at whose end the process's peak memory was first reached, and that peak (MB). */
  peakAt: { stage: string; peakRssMb: number };
}> {
  const print = progressPrinter(opts);
  // The peak so far at each stage's end: the stage that raised it last holds the run's peak.
  let peakAt = { stage: 'load', peakRssMb: peakRssMb() };
  const ctx = createContext(tf, createRng(prep.params.seed), (e) => {
    if (e.type === 'stage-end') {
      const now = peakRssMb();
      if (now > peakAt.peakRssMb)
        peakAt = { stage: e.iteration ? `${e.stage} ${e.iteration}` : e.stage, peakRssMb: now };
    }
    print(e);
  });
  const t0 = performance.now();
  const result = await runScgnn(prep.input, prep.params, ctx);
  return { result, seconds: { ...result.stageSeconds, total: (performance.now() - t0) / 1000 }, peakAt };
}

function manifest(
  opts: CliOptions,
  prep: Prepared,
  backend: BackendInfo,
  result: ScgnnResult,
  seconds: RunManifest['seconds'],
  outputs: Record<string, string>,
): RunManifest {
  return buildManifest({
    version: pkg.version,
    runtime: `node ${process.version}`,
    tfjs: tf.version_core,
    backend: backend.name,
    adapter: backend.adapter,
    dataset: prep.dataset,
    prepared: prep,
    params: prep.params,
    result,
    seconds,
    outputs,
    dropoutRate: opts.dropout,
  });
}

async function commandRun(opts: CliOptions, backend: BackendInfo): Promise<void> {
  const tLoad = performance.now();
  const prep = prepare(await loadInput(opts), opts, backend, 'run', await loadBulk(opts));
  const loadSeconds = (performance.now() - tLoad) / 1000;
  log(
    opts,
    `loaded ${prep.dataset.name}: ${prep.input.raw.nRows} cells x ${prep.input.raw.nCols} genes after preprocessing`,
  );
  logBulk(opts, prep);
  const { result, seconds } = await runPipeline(prep, opts);
  const out = opts.out!;
  mkdirSync(out, { recursive: true });
  const outputs: Record<string, string> = result.bulk
    ? { ...OUTPUT_FILES, ...BULK_OUTPUT_FILES }
    : OUTPUT_FILES;
  const { cellIds, geneIds } = prep.input;
  // The imputed rows are made once, into tiles in a temporary file; the CSV and the .h5ad read them in blocks,
  // so the imputed matrix is never whole in memory.
  const imputed = await fileTiles(result.imputed);
  try {
    await writeTo(join(out, OUTPUT_FILES.imputed), (s) =>
      writeMatrixCsv(s, imputed, cellIds, geneIds, opts.layout),
    );
    await writeTo(join(out, OUTPUT_FILES.embedding), (s) => writeEmbeddingCsv(s, result.embedding, cellIds));
    await writeTo(join(out, OUTPUT_FILES.graph), (s) => writeEdgeListCsv(s, result.graph, cellIds));
    await writeTo(join(out, OUTPUT_FILES.labels), (s) => writeLabelsCsv(s, result.labels, cellIds));
    if (result.bulk) await writeBulkOutputs(out, result.bulk);
    const m = manifest(opts, prep, backend, result, { load: loadSeconds, ...seconds }, outputs);
    await writeTo(join(out, OUTPUT_FILES.manifest), async (s) => s.write(JSON.stringify(m, null, 2) + '\n'));
    const h5ad = runH5adContent(
      {
        cellIds,
        geneIds,
        imputed,
        rawCounts: () => prep.selected.matrix, // the counts before any --dropout corruption
        clusters: result.labels,
        nClusters: result.nClusters,
        truth: selectedLabels(prep.dataset, prep.selected),
        embedding: result.embedding,
        umap: null, // the command line computes no UMAP layout
        graph: result.graph,
        manifest: m,
      },
      opts.h5adX,
    );
    // Built in memory, then written out a part at a time: h5wasm/node writing the file directly peaked 600 MB
    // higher (measured, 274 x 2,000).
    const file = await open(join(out, OUTPUT_FILES.h5ad), 'w');
    try {
      await writeH5ad(h5ad, async (part) => {
        await file.write(part);
      });
    } finally {
      await file.close();
    }
  } finally {
    imputed.dispose();
  }
  log(opts, `wrote ${Object.values(outputs).join(', ')} to ${out}`);
}

/**
 * eval's bulk figures: the gene overlap and, with --bulk-truth, the mean absolute error of the estimated
 * proportions (each cluster standing for the true label most of its cells carry; evaluate.ts). The truth needs
 * the cells' labels (--labels); unlabelled cells are left out of the cluster-to-label mapping.
 */
function bulkReport(
  prep: Prepared,
  result: ScgnnResult,
  truth: BulkData['truth'],
  opts: CliOptions,
): Record<string, unknown> {
  const { match, matrix } = prep.input.bulk!;
  const d = result.bulk!.deconvolution;
  const out: Record<string, unknown> = {
    bulkSamples: matrix.sampleIds.length,
    bulkGenesMatched: match.scIndex.length,
    bulkLooseMatches: match.looseMatches,
  };
  if (!truth) return out;
  const labels = selectedLabels(prep.dataset, prep.selected);
  if (!labels)
    throw new InputError('bad-labels', truth.file, "--bulk-truth needs the cells' labels: give --labels too");
  const keep = Array.from(labels.codes.keys()).filter((i) => labels.codes[i]! >= 0);
  const err = proportionError(
    d,
    Int32Array.from(keep, (i) => result.labels[i]!),
    keep.map((i) => labels.classes[labels.codes[i]!]!),
    truth.lines,
  );
  log(
    opts,
    `bulk: proportion error (mean absolute) ${err.mae.toFixed(4)} over ${err.perSample.length} samples`,
  );
  return { ...out, bulkProportionMae: err.mae };
}

/** bulk_proportions.csv, bulk_profiles.csv and bulk_weights.csv of a run given --bulk. */
async function writeBulkOutputs(out: string, bulk: NonNullable<ScgnnResult['bulk']>): Promise<void> {
  const d = bulk.deconvolution;
  await writeTo(join(out, BULK_OUTPUT_FILES.bulkProportions), (s) => writeBulkProportionsCsv(s, d));
  await writeTo(join(out, BULK_OUTPUT_FILES.bulkProfiles), (s) =>
    writeBulkProfilesCsv(s, d.profiles, d.nClusters, bulk.geneIds),
  );
  await writeTo(join(out, BULK_OUTPUT_FILES.bulkWeights), (s) =>
    writeBulkWeightsCsv(s, bulk.weights, bulk.geneIds),
  );
}

const thinFigures = (m: ThinningMetrics) => ({
  thinGeneCorr: m.geneCorr,
  thinCellCorr: m.cellCorr,
  thinFalseSignal: m.falseSignal,
});

/**
 * The thinning protocol's figures (thinning.ts) for the pipeline's imputation and, on the same thinned counts,
 * for no imputation (ln(1 + thinned count)) and the MAGIC-like diffusion (magic-reference.ts).
 */
async function thinningReport(
  prep: Prepared,
  result: ScgnnResult,
  opts: CliOptions,
): Promise<Record<string, unknown>> {
  const { rate, thinned } = prep.thinning!;
  const labels = selectedLabels(prep.dataset, prep.selected)?.codes ?? null;
  const scorer = thinningScorer(prep.selected.matrix, rate, labels);
  log(opts, '[eval] scoring the thinning protocol and its references (none, MAGIC-like t = 3)…');
  const ctx = createContext(tf, createRng(prep.params.seed), progressPrinter(opts));
  const magic = await magicReference(thinned, ctx, { k: 10, t: 3 });
  return {
    thin: rate,
    ...thinFigures(scorer.score(result.imputed.dense())),
    thinFalseEntries: scorer.falseEntries,
    references: {
      none: thinFigures(scorer.score(log1pDense(thinned))),
      magic: thinFigures(scorer.score(magic)),
    },
  };
}

/** One run of the published protocol on `ds` (already loaded): the report `eval` prints. */
async function evalOnce(
  ds: LoadedDataset,
  opts: CliOptions,
  backend: BackendInfo,
  loadSeconds: number,
  bulk: BulkData | null = null,
): Promise<Record<string, unknown>> {
  const prep = prepare(ds, opts, backend, 'run', bulk?.matrix ?? null);
  logBulk(opts, prep);
  const { result, seconds, peakAt } = await runPipeline(prep, opts);
  const report: Record<string, unknown> = {
    dataset: prep.dataset.name,
    cells: prep.input.raw.nRows,
    genes: prep.input.raw.nCols,
  };
  const evaluation = evaluateAgainstLabels(prep.dataset, prep.selected, result.labels);
  if (evaluation) Object.assign(report, evaluation);
  // In the geometry the clustering saw (the l2-normalised embedding by default).
  const clustered = clusteringEmbedding(result.embedding, prep.params.cluster);
  report.silhouette =
    result.nClusters > 1 ? silhouetteScore(clustered, result.labels, { rng: createRng(1) }) : null;
  report.nClusters = result.nClusters;
  report.iterations = result.history.length;
  report.converged = result.converged;
  if (prep.dropout) Object.assign(report, imputationMetrics(result.imputed, prep.dropout));
  if (prep.thinning) Object.assign(report, await thinningReport(prep, result, opts));
  if (prep.input.bulk && result.bulk)
    Object.assign(report, bulkReport(prep, result, bulk?.truth ?? null, opts));
  report.seconds = { load: loadSeconds, ...seconds };
  const peak = peakRssMb();
  report.peakRssMb = peak;
  // Where the peak was reached: a pipeline stage, or after the pipeline (the evaluation's own scoring).
  report.peakRssAt = peak > peakAt.peakRssMb ? 'scoring' : peakAt.stage;
  return report;
}

async function commandEval(opts: CliOptions, backend: BackendInfo): Promise<void> {
  const tLoad = performance.now();
  const ds = await loadInput(opts);
  const bulk = await loadBulkData(opts);
  const loadSeconds = (performance.now() - tLoad) / 1000;
  if (!opts.seeds) {
    process.stdout.write(JSON.stringify(await evalOnce(ds, opts, backend, loadSeconds, bulk)) + '\n');
    return;
  }
  const runs: { seed: number; report: Record<string, unknown> }[] = [];
  const fmt = (v: unknown): string => (typeof v === 'number' ? v.toFixed(3) : '-');
  for (const seed of opts.seeds) {
    log(opts, `== seed ${seed} (${runs.length + 1} of ${opts.seeds.length})`);
    const report = await evalOnce(
      ds,
      { ...opts, params: { ...opts.params, seed } },
      backend,
      loadSeconds,
      bulk,
    );
    runs.push({ seed, report });
    process.stderr.write(
      `seed ${seed}: ARI ${fmt(report.ari)}, NMI ${fmt(report.nmi)}, ${String(report.nClusters)} clusters, ` +
        (opts.thin !== null
          ? `thinned gene corr ${fmt(report.thinGeneCorr)}, false signal ${fmt(report.thinFalseSignal)}\n`
          : `median L1 ${fmt(report.medianL1)}\n`),
    );
  }
  const summary = summariseSeeds(runs);
  const spread = summary.spread as Record<string, [number, number]>;
  const line = (key: string, label: string): string =>
    spread[key] ? `${label} ${fmt(summary[key])} (${fmt(spread[key][0])} to ${fmt(spread[key][1])})` : '';
  process.stderr.write(
    `median over seeds ${opts.seeds.join(', ')} (min to max): ` +
      [
        line('ari', 'ARI'),
        line('nmi', 'NMI'),
        line('medianL1', 'median L1'),
        line('thinGeneCorr', 'thinned gene corr'),
        line('thinFalseSignal', 'false signal'),
      ]
        .filter(Boolean)
        .join(', ') +
      '\n',
  );
  process.stdout.write(JSON.stringify(summary) + '\n');
}

async function commandLtmg(opts: CliOptions, backend: BackendInfo): Promise<void> {
  const prep = prepare(await loadInput(opts), { ...opts, dropout: 0 }, backend, 'ltmg');
  const ctx = createContext(tf, createRng(prep.params.seed), progressPrinter(opts));
  const out = await runLtmg(prep.input.raw, prep.params.ltmg, ctx);
  const { cellIds, geneIds } = prep.input;
  const states = denseStates(out.states);
  await writeTo(opts.out!, async (s) => {
    await s.write(['', ...cellIds].join('\t') + '\n');
    for (let g = 0; g < out.nGenes; g++) {
      const row: (string | number)[] = [geneIds[g]!];
      for (let c = 0; c < out.nCells; c++) row.push(states[c * out.nGenes + g]!);
      await s.write(row.join('\t') + '\n');
    }
  });
  log(opts, `wrote the LTMG states (${out.nGenes} genes x ${out.nCells} cells) to ${opts.out}`);
}

async function main(): Promise<number> {
  let opts: CliOptions;
  try {
    opts = parseCli(process.argv.slice(2));
    const problems = validateParams(withParams(opts.params));
    if (problems.length) throw new Error(`Invalid parameters: ${problems.join('; ')}`);
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    return 2;
  }
  if (opts.backend === 'webgpu' || opts.backend === 'auto') {
    const env = vulkanRelaunchEnv();
    if (env) {
      // Dawn needs a Vulkan loader on the library path from the start: run again with SwiftShader's.
      const child = spawnSync(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
        stdio: 'inherit',
        env,
      });
      return child.status ?? 1;
    }
  }
  let backend: BackendInfo;
  try {
    backend = await setupNodeBackend(opts.backend);
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    return 2;
  }
  log(opts, `backend: ${describeBackend(backend)}`);
  if (opts.command === 'run') await commandRun(opts, backend);
  else if (opts.command === 'eval') await commandEval(opts, backend);
  else await commandLtmg(opts, backend);
  return 0;
}

/** A failing system call on a path (a missing folder, no permission, a full disk): the user's to fix. */
function isSystemError(e: unknown): e is NodeJS.ErrnoException {
  const err = e as NodeJS.ErrnoException;
  return e instanceof Error && typeof err.code === 'string' && typeof err.syscall === 'string';
}

/**
 * Input and system problems: one line on stderr, exit status 2. Anything else is a bug: its stack, exit 1.
 * Nothing is rethrown: the WASM backend's unhandled-rejection hook would print its whole module source.
 */
async function runCli(): Promise<number> {
  try {
    return await main();
  } catch (e) {
    if (isInputError(e) || isSystemError(e) || (e instanceof Error && e.name === 'BulkInputError')) {
      process.stderr.write(`error: ${e.message.replace(/\s*\n\s*/g, ' ')}\n`);
      return 2;
    }
    process.stderr.write(`internal error (please report it): ${e instanceof Error ? e.stack : String(e)}\n`);
    return 1;
  }
}

process.exitCode = await runCli();
