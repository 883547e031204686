/**
 * The page against the CLI on the same machine, in one invocation:
 *
 *   npm run bench:browser -- <dataset> [--preset P] [--seed S] [--backend B] [--cli-backend B]
 *                             [--chromium-flags "..."] [--no-cli] [--no-build] [--json FILE]
 *                             [--downloads imputed,h5ad]   (also time these downloads after the results)
 *   npm run bench:browser -- --synthetic N [--genes 2000] [--types 12] [--data-seed S] [options as above]
 *
 * <dataset>: `example` (the embedded Goolam example), a folder name under ../shared/data (its counts.csv.gz and
 * labels.csv), or a path to a counts file. `--synthetic N` instead takes the synthetic set of N cells
 * (`.bench/synthetic/c{N}-g{G}-t{T}-s{S}`, made with `make:synthetic` when absent; its seed is --data-seed,
 * default --seed): the page loads its 10x HDF5 (`filtered_feature_bc_matrix.h5`) with labels.csv, the CLI its
 * MatrixMarket folder (see bench-memory.ts for why). E.g. issue 12's check:
 *
 *   npm run bench:browser -- --synthetic 30000 --no-cli --json .bench/browser-c30000.json
 *
 * Builds the page (unless --no-build), serves dist/ with `vite
 * preview`, drives headless Chromium through it (load the files, choose the preset and seed, Run, wait for the
 * results and then for the marker genes), then runs the same dataset, preset and seed through the CLI, and
 * prints per-stage seconds of both, the totals and their ratio, and the ARI against the labels where there are
 * labels (the page's as it shows it, to 3 decimals; the CLI's computed here from its labels.csv). A progress line
 * every 30 s shows a long run is alive. `--backend` forces the page's backend (`?backend=`; default: its own choice by
 * probe); `--cli-backend` the CLI's (default wasm). `--chromium-flags` adds flags, e.g. for a real GPU:
 * "--enable-features=Vulkan,VulkanFromANGLE --use-angle=vulkan --ignore-gpu-blocklist".
 *
 * The page is also watched while it runs (every 200 ms): the longest time any progress bar stood still while
 * its stage ran, and, per stage, the time estimate shown once 10 % of it was done against the time it really
 * took to finish.
 *
 * Memory (Linux only; scripts/lib/browser-metrics.ts): every second the process tree under the Chromium that
 * Playwright launched is read from /proc. Reported: the tab's renderer process (the renderer with the highest
 * VmHWM; the page's dedicated workers, the engine's WebAssembly memory and its threads live in that process):
 * its VmHWM, the kernel's resident high-water mark (which catches peaks between samples), and its largest sampled
 * VmRSS with the phase it was seen in; the GPU process's VmHWM; and the largest sampled sum of VmRSS over all of
 * Chromium's processes (pages shared between processes counted once per process, so an over-estimate).
 *
 * Main-thread long tasks: a PerformanceObserver for 'longtask' entries (tasks of 50 ms or more on the page's
 * main thread; workers are not observed) is installed before the page's scripts (page.addInitScript). Reported:
 * the longest, how many, how many over 100 ms, and per phase (page start, file load, each running stage as the
 * progress list showed it, the results and marker genes after the run). A task is placed in the phase in force
 * when it started, as far as the 200 ms polling of the progress list can tell: polling cannot run while the main
 * thread is blocked, so the page's rendering of the results just after the last stage (several tasks of 0.4-1.2 s
 * at 1,500 cells) can be counted in that last stage rather than in 'results: views and marker genes'.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Page } from '@playwright/test';
import { chromiumArgs, chromiumPath } from '../e2e/chromium.ts';
import { presets } from '../src/core/pipeline/presets.ts';
import {
  ariOfCsvs,
  findBrowserByArg,
  MemoryTracker,
  sampleProcessTree,
  summariseLongTasks,
  type LongTask,
  type LongTaskSummary,
  type MemoryPeaks,
  type PhaseMark,
} from './lib/browser-metrics.ts';
import { defaultSyntheticDir } from './lib/synthetic-files.ts';

interface Options {
  dataset: string;
  /** Cells of the synthetic set to run (`--synthetic N`), or null for `dataset`. */
  synthetic: number | null;
  genes: number;
  types: number;
  dataSeed: number | null;
  preset: string;
  seed: number;
  backend: string | null;
  cliBackend: string;
  flags: string[];
  cli: boolean;
  build: boolean;
  json: string | null;
  port: number;
  /** After the results, download these outputs (`data-export` names) and time them (`--downloads a,b`). */
  downloads: string[];
}

function parse(argv: string[]): Options {
  const o: Options = {
    dataset: '',
    synthetic: null,
    genes: 2000,
    types: 12,
    dataSeed: null,
    preset: 'default',
    seed: 1,
    backend: null,
    cliBackend: 'wasm',
    flags: [],
    cli: true,
    build: true,
    json: null,
    port: 4181,
    downloads: [],
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const v = (): string => {
      const x = argv[++i];
      if (x === undefined) throw new Error(`${a} needs a value`);
      return x;
    };
    if (a === '--preset') o.preset = v();
    else if (a === '--seed') o.seed = Number(v());
    else if (a === '--backend') o.backend = v();
    else if (a === '--cli-backend') o.cliBackend = v();
    else if (a === '--chromium-flags') o.flags.push(...v().split(/\s+/).filter(Boolean));
    else if (a === '--no-cli') o.cli = false;
    else if (a === '--no-build') o.build = false;
    else if (a === '--json') o.json = v();
    else if (a === '--port') o.port = Number(v());
    else if (a === '--downloads') o.downloads = v().split(',').filter(Boolean);
    else if (a === '--synthetic') o.synthetic = Number(v());
    else if (a === '--genes') o.genes = Number(v());
    else if (a === '--types') o.types = Number(v());
    else if (a === '--data-seed') o.dataSeed = Number(v());
    else if (a.startsWith('--')) throw new Error(`unknown option ${a}`);
    else o.dataset = a;
  }
  if (!o.dataset && o.synthetic === null)
    throw new Error(
      'usage: npm run bench:browser -- <example|dataset folder|counts file> [options]\n' +
        '       npm run bench:browser -- --synthetic N [--genes 2000] [--types 12] [--data-seed S] [options]',
    );
  for (const [name, x] of [
    ['--synthetic', o.synthetic],
    ['--genes', o.genes],
    ['--types', o.types],
    ['--data-seed', o.dataSeed],
  ] as const)
    if (x !== null && !(Number.isInteger(x) && x > 0)) throw new Error(`${name} takes a positive integer`);
  if (!presets.some((p) => p.name === o.preset))
    throw new Error(`unknown preset ${o.preset}; choose one of ${presets.map((p) => p.name).join(', ')}`);
  return o;
}

interface Files {
  /** What the page loads (with `labels`, where there are any). */
  counts: string;
  labels: string | null;
  name: string;
  /** What the CLI reads: `counts`, except the MatrixMarket folder of a synthetic set. */
  cliInput: string;
}

/** The synthetic set of `o.synthetic` cells, made with make:synthetic when it is not there yet. */
function syntheticFiles(o: Options): Files {
  const spec = { cells: o.synthetic!, genes: o.genes, types: o.types, seed: o.dataSeed ?? o.seed };
  const dir = defaultSyntheticDir(spec);
  const h5 = path.join(dir, 'filtered_feature_bc_matrix.h5');
  const labels = path.join(dir, 'labels.csv');
  if (!existsSync(h5) || !existsSync(labels)) {
    console.log(`making ${dir} (npm run make:synthetic)…`);
    const args = Object.entries(spec).flatMap(([k, v]) => [`--${k}`, String(v)]);
    const made = spawnSync('npx', ['tsx', 'scripts/make-synthetic.ts', ...args], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    if (made.status !== 0) throw new Error(`make:synthetic failed for ${dir}`);
  }
  return {
    counts: h5,
    labels,
    name: `synthetic ${path.basename(dir)} (10x HDF5)`,
    cliInput: path.join(dir, 'filtered_feature_bc_matrix'),
  };
}

/** Counts (and labels, where there are any) of the dataset. */
function inputFiles(o: Options): Files {
  if (o.synthetic !== null) return syntheticFiles(o);
  const dataset = o.dataset;
  if (dataset === 'example')
    return {
      counts: 'public/example/goolam-counts.csv.gzip',
      labels: 'public/example/goolam-labels.csv',
      name: 'example (goolam)',
      cliInput: 'public/example/goolam-counts.csv.gzip',
    };
  const folder = path.resolve('../shared/data', dataset);
  if (existsSync(path.join(folder, 'counts.csv.gz'))) {
    const labels = path.join(folder, 'labels.csv');
    return {
      counts: path.join(folder, 'counts.csv.gz'),
      labels: existsSync(labels) ? labels : null,
      name: dataset,
      cliInput: path.join(folder, 'counts.csv.gz'),
    };
  }
  if (existsSync(dataset))
    return {
      counts: path.resolve(dataset),
      labels: null,
      name: path.basename(dataset),
      cliInput: path.resolve(dataset),
    };
  throw new Error(`no dataset "${dataset}" (not "example", not in ../shared/data, not a file)`);
}

type Seconds = Record<string, number>;

interface Watch {
  /** Longest time (s) a running stage's bar kept the same value. */
  longestStall: number;
  stallStage: string;
  /** Per stage: the estimate shown once ≥ 10 % was done, and the time it actually still took. */
  estimates: { stage: string; shown: number; actual: number }[];
}

interface PageResult {
  backend: string;
  badge: string;
  /** Files given → dataset shown and its load bar gone. */
  loadSeconds: number;
  /** Run clicked → "Finished.". */
  wallSeconds: number;
  /** "Finished." → the marker genes shown. */
  markerSeconds: number;
  /** `--downloads`: seconds from the click to the saved file, and its size. */
  downloads: { kind: string; seconds: number; mb: number }[];
  seconds: Seconds;
  nClusters: number;
  /** As the page shows it (3 decimals), where labels were loaded. */
  ari: number | null;
  watch: Watch;
  /** Null off Linux (no /proc) or without the browser's pid. */
  memory: MemoryPeaks | null;
  longTasksObserved: boolean;
  longTasks: LongTaskSummary;
}

async function waitForServer(url: string): Promise<void> {
  for (let i = 0; i < 120; i++) {
    try {
      const r = await fetch(url);
      if (r.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`the preview server did not answer at ${url}`);
}

/** "about 12 s left" / "about 2 min left" → seconds. */
function etaSeconds(text: string): number | null {
  const m = /about ([\d.]+) (s|min) left/.exec(text);
  if (!m) return null;
  return Number(m[1]) * (m[2] === 'min' ? 60 : 1);
}

interface Sample {
  t: number;
  rows: { key: string; status: string; pct: number; time: string }[];
}

function analyseSamples(samples: Sample[]): Watch {
  const byKey = new Map<string, { t: number; status: string; pct: number; time: string }[]>();
  for (const s of samples)
    for (const r of s.rows) {
      const list = byKey.get(r.key) ?? [];
      list.push({ t: s.t, status: r.status, pct: r.pct, time: r.time });
      byKey.set(r.key, list);
    }
  let longestStall = 0;
  let stallStage = '';
  const estimates: Watch['estimates'] = [];
  for (const [key, list] of byKey) {
    const running = list.filter((x) => x.status === 'running');
    const end = list.find((x) => x.status === 'done')?.t ?? null;
    let since = running[0]?.t ?? 0;
    let value = running[0]?.pct ?? -1;
    for (const x of running) {
      if (x.pct !== value) {
        value = x.pct;
        since = x.t;
      }
      const stall = x.t - since;
      if (stall > longestStall) {
        longestStall = stall;
        stallStage = key;
      }
    }
    if (end !== null && running.length) {
      const stall = end - since;
      if (stall > longestStall) {
        longestStall = stall;
        stallStage = key;
      }
    }
    const tenth = running.find((x) => x.pct >= 10 && etaSeconds(x.time) !== null);
    if (tenth && end !== null && end - running[0]!.t >= 2)
      estimates.push({ stage: key, shown: etaSeconds(tenth.time)!, actual: (end - tenth.t) / 1000 });
  }
  return { longestStall: longestStall / 1000, stallStage, estimates };
}

async function sampleStages(page: Page): Promise<{ now: number; rows: Sample['rows'] }> {
  return page.evaluate(() => ({
    now: performance.now(),
    rows: [...document.querySelectorAll('ol.stages > li')].map((li) => ({
      key: li.querySelector('.stage-label')?.textContent ?? '',
      status: [...li.classList].find((c) => c.startsWith('stage-'))?.slice(6) ?? '',
      pct: Number(li.querySelector('progress')?.getAttribute('value') ?? -1),
      time: li.querySelector('.stage-time')?.textContent ?? '',
    })),
  }));
}

/** Collects the page's long main-thread tasks from its first script on (run in every frame; kept in the top one). */
function observeLongTasks(): void {
  if (window.top !== window) return;
  const tasks: { start: number; duration: number }[] = [];
  (window as unknown as { __benchLongTasks: typeof tasks }).__benchLongTasks = tasks;
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) tasks.push({ start: e.startTime, duration: e.duration });
    }).observe({ type: 'longtask', buffered: true });
  } catch {
    // no Long Tasks API: the report says 0 tasks and `longTasksObserved: false`
    (window as unknown as { __benchLongTasks: unknown }).__benchLongTasks = null;
  }
}

const PROGRESS_EVERY_S = 30;

async function runPage(o: Options, files: Files): Promise<PageResult> {
  const base = `http://127.0.0.1:${o.port}/`;
  // Tags this Chromium so that its process (and so its tree) can be found in /proc.
  const tag = `--bench-browser-run=${process.pid}-${Date.now()}`;
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    args: [...chromiumArgs, ...o.flags, tag],
  });
  const linux = process.platform === 'linux';
  let browserPid = linux ? findBrowserByArg(tag) : null;
  const memory = new MemoryTracker();
  const marks: PhaseMark[] = [{ t: 0, phase: 'page start' }];
  let phase = 'page start';
  let stageLine = '';
  let rendererNowMb = 0;
  const tStart = Date.now();
  const sampleMemory = (): void => {
    if (!linux) return;
    browserPid ??= findBrowserByArg(tag);
    if (browserPid === null) return;
    const sample = sampleProcessTree(browserPid);
    memory.add(sample, phase);
    rendererNowMb = MemoryTracker.rendererRssMb(sample);
  };
  let ticks = 0;
  const sampler = setInterval(() => {
    sampleMemory();
    if (++ticks % PROGRESS_EVERY_S === 0) {
      const peak = memory.peaks().renderer;
      console.log(
        `[bench:browser] ${((Date.now() - tStart) / 1000).toFixed(0)} s: ${phase}${stageLine ? ` (${stageLine})` : ''}; ` +
          `renderer RSS ${rendererNowMb} MB, peak ${peak?.hwmMb ?? '-'} MB`,
      );
    }
  }, 1000);
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.addInitScript(observeLongTasks);
    page.setDefaultTimeout(60_000);
    const mark = async (name: string, t?: number): Promise<void> => {
      marks.push({ t: t ?? (await page.evaluate(() => performance.now())), phase: name });
      phase = name;
      stageLine = '';
    };
    await page.goto(o.backend ? `${base}?backend=${o.backend}` : base);
    const badge = page.getByTestId('backend');
    await badge.locator('xpath=self::*[@data-backend]').waitFor({ timeout: 120_000 });
    const backend = (await badge.getAttribute('data-backend')) ?? '?';
    await mark('file load');
    const tLoad = Date.now();
    if (files.counts.endsWith('goolam-counts.csv.gzip')) {
      await page.getByRole('button', { name: 'Load the example dataset' }).click();
    } else {
      await page
        .getByTestId('file-input')
        .setInputFiles(files.labels ? [files.counts, files.labels] : [files.counts]);
    }
    await page.getByTestId('dataset-name').waitFor({ timeout: 1_800_000 });
    await page.getByTestId('load-progress').waitFor({ state: 'detached', timeout: 1_800_000 });
    const loadSeconds = (Date.now() - tLoad) / 1000;
    await mark('settings');
    const title = presets.find((p) => p.name === o.preset)!.title;
    await page.getByLabel(title).check();
    await page.getByLabel('Seed').fill(String(o.seed));
    const samples: Sample[] = [];
    await mark('run: starting');
    const t0 = Date.now();
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    const finished = page.getByText('Finished.');
    const failed = page.getByText(/The run failed|failed:/);
    for (;;) {
      const { now, rows } = await sampleStages(page);
      samples.push({ t: Date.now() - t0, rows });
      const running = rows.find((r) => r.status === 'running');
      if (running) {
        if (phase !== `run: ${running.key}`) await mark(`run: ${running.key}`, now);
        stageLine = `${running.pct} %${running.time ? `, ${running.time}` : ''}`;
      }
      if (await finished.isVisible()) break;
      if (await failed.first().isVisible()) throw new Error(`the run failed in the page`);
      if (Date.now() - t0 > 3 * 3600_000) throw new Error('the run took over 3 hours');
      await page.waitForTimeout(200);
    }
    const wallSeconds = (Date.now() - t0) / 1000;
    await mark('results: views and marker genes');
    const markers = page.getByRole('heading', { name: 'Marker genes', exact: true });
    const markersFailed = page.getByText('Marker genes could not be computed');
    const tResults = Date.now();
    for (;;) {
      if (await markers.isVisible()) break;
      if (await markersFailed.isVisible()) throw new Error('the marker genes failed in the page');
      if (Date.now() - tResults > 3600_000) throw new Error('the marker genes took over an hour');
      await page.waitForTimeout(200);
    }
    const markerSeconds = (Date.now() - tResults) / 1000;
    await mark('results shown');
    const badgeText = ((await badge.textContent()) ?? '').replace(/\s+/g, ' ').trim();
    const ariText = (await page.getByTestId('ari').count())
      ? await page.getByTestId('ari').textContent()
      : null;
    const wait = page.waitForEvent('download');
    await page.locator('button[data-export="manifest"]').click();
    const file = await (await wait).path();
    const manifest = JSON.parse(readFileSync(file!, 'utf8')) as {
      seconds: Seconds;
      result: { nClusters: number };
    };
    const downloads: PageResult['downloads'] = [];
    for (const kind of o.downloads) {
      await mark(`download: ${kind}`);
      const tDownload = Date.now();
      const started = page.waitForEvent('download', { timeout: 3600_000 });
      await page.locator(`button[data-export="${kind}"]`).click();
      const saved = await (await started).path();
      downloads.push({ kind, seconds: (Date.now() - tDownload) / 1000, mb: statSync(saved).size / 2 ** 20 });
    }
    await mark('downloads done');
    const tasks = await page.evaluate(
      () => (window as unknown as { __benchLongTasks: LongTask[] | null }).__benchLongTasks,
    );
    sampleMemory();
    return {
      backend,
      badge: badgeText,
      loadSeconds,
      wallSeconds,
      markerSeconds,
      downloads,
      seconds: manifest.seconds,
      nClusters: manifest.result.nClusters,
      ari: ariText === null ? null : Number(ariText),
      watch: analyseSamples(samples),
      memory: browserPid === null ? null : memory.peaks(),
      longTasksObserved: tasks !== null,
      longTasks: summariseLongTasks(tasks ?? [], marks),
    };
  } finally {
    clearInterval(sampler);
    await browser.close();
  }
}

interface CliResult {
  wallSeconds: number;
  seconds: Seconds;
  nClusters: number;
  /** Of its labels.csv against the dataset's labels, where there are any. */
  ari: number | null;
}

function runCli(o: Options, files: Files): CliResult {
  const out = mkdtempSync(path.join(tmpdir(), 'bench-browser-cli-'));
  const args = ['tsx', 'src/cli/scgnn.ts', 'run', files.cliInput, '--out', out, '--preset', o.preset];
  args.push('--seed', String(o.seed), '--backend', o.cliBackend, '--quiet');
  const t0 = Date.now();
  execFileSync('npx', args, { stdio: ['ignore', 'ignore', 'inherit'] });
  const wallSeconds = (Date.now() - t0) / 1000;
  const manifest = JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8')) as {
    seconds: Seconds;
    result: { nClusters: number };
  };
  const scored = files.labels
    ? ariOfCsvs(readFileSync(path.join(out, 'labels.csv'), 'utf8'), readFileSync(files.labels, 'utf8'))
    : null;
  return {
    wallSeconds,
    seconds: manifest.seconds,
    nClusters: manifest.result.nClusters,
    ari: scored?.ari ?? null,
  };
}

const STAGES = [
  'load',
  'preprocess',
  'ltmg',
  'feature-ae',
  'graph',
  'graph-ae',
  'cluster',
  'cluster-ae',
  'impute',
];

function fmt(v: number | undefined): string {
  return v === undefined ? '-' : v.toFixed(2);
}

async function main(): Promise<void> {
  const o = parse(process.argv.slice(2));
  const files = inputFiles(o);
  if (o.build || !existsSync('dist/index.html')) execFileSync('npm', ['run', 'build'], { stdio: 'ignore' });
  const server = spawn(
    'npx',
    ['vite', 'preview', '--port', String(o.port), '--strictPort', '--host', '127.0.0.1'],
    { stdio: 'ignore', detached: true },
  );
  const stopServer = (): void => {
    try {
      process.kill(-server.pid!);
    } catch {
      server.kill();
    }
  };
  // A signal (e.g. `timeout`) skips `finally`: stop the detached server (its own process group) first.
  const onSignal = (signal: NodeJS.Signals): void => {
    stopServer();
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', onSignal).once('SIGTERM', onSignal);
  let page: PageResult;
  try {
    await waitForServer(`http://127.0.0.1:${o.port}/`);
    page = await runPage(o, files);
  } finally {
    stopServer();
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
  }
  const cli = o.cli ? runCli(o, files) : null;

  console.log(`dataset ${files.name}, preset ${o.preset}, seed ${o.seed}`);
  console.log(`page: ${page.badge}`);
  console.log(`CLI: --backend ${o.cliBackend}`);
  console.log('');
  console.log(`${'stage'.padEnd(12)} ${'page s'.padStart(8)} ${'CLI s'.padStart(8)}`);
  for (const s of STAGES) {
    if (page.seconds[s] === undefined && cli?.seconds[s] === undefined) continue;
    console.log(`${s.padEnd(12)} ${fmt(page.seconds[s]).padStart(8)} ${fmt(cli?.seconds[s]).padStart(8)}`);
  }
  const cliCompute = cli ? (cli.seconds.load ?? 0) + (cli.seconds.total ?? 0) : null;
  console.log(
    `${'engine total'.padEnd(12)} ${fmt(page.seconds.total).padStart(8)} ${fmt(cli?.seconds.total).padStart(8)}`,
  );
  console.log('');
  console.log(
    `page, Run clicked → results shown: ${page.wallSeconds.toFixed(1)} s (${page.nClusters} clusters)`,
  );
  console.log(
    `page, file load: ${page.loadSeconds.toFixed(1)} s; marker genes after the run: ${page.markerSeconds.toFixed(1)} s` +
      page.downloads
        .map((d) => `; ${d.kind} download ${d.seconds.toFixed(1)} s (${d.mb.toFixed(0)} MB)`)
        .join(''),
  );
  if (page.ari !== null || cli?.ari != null)
    console.log(
      `ARI against the labels: page ${page.ari?.toFixed(3) ?? '-'}${cli ? `, CLI ${cli.ari?.toFixed(3) ?? '-'}` : ''}`,
    );
  if (cli && cliCompute !== null) {
    console.log(
      `CLI, load + pipeline in the process: ${cliCompute.toFixed(1)} s; whole command (Node start, writes): ${cli.wallSeconds.toFixed(1)} s (${cli.nClusters} clusters)`,
    );
    console.log(
      `ratio page / CLI: ${(page.wallSeconds / cliCompute).toFixed(2)} (against the CLI's load + pipeline), ${(page.wallSeconds / cli.wallSeconds).toFixed(2)} (against the whole command)`,
    );
  }
  const w = page.watch;
  console.log(
    `longest time a running stage's bar stood still: ${w.longestStall.toFixed(1)} s (${w.stallStage})`,
  );
  for (const e of w.estimates)
    console.log(
      `  estimate at 10 %: ${e.stage}: shown ${e.shown.toFixed(0)} s, took ${e.actual.toFixed(1)} s (${(e.shown / Math.max(e.actual, 0.1)).toFixed(2)}x)`,
    );
  const m = page.memory;
  if (m) {
    console.log(
      `memory (${m.samples} samples, 1 s apart): tab renderer pid ${m.renderer?.pid ?? '-'}: VmHWM ${m.renderer?.hwmMb ?? '-'} MB, ` +
        `largest sampled VmRSS ${m.renderer?.maxRssMb ?? '-'} MB (${m.renderer?.maxRssPhase ?? '-'}); ` +
        `GPU process VmHWM ${m.gpu?.hwmMb ?? '-'} MB; all Chromium processes, largest sampled sum of VmRSS ` +
        `${m.treeMaxRssMb} MB (${m.treeMaxRssPhase})`,
    );
  } else console.log('memory: not measured (needs Linux /proc and the browser process)');
  const lt = page.longTasks;
  if (!page.longTasksObserved) console.log('main-thread long tasks: not observed (no Long Tasks API)');
  else {
    console.log(
      `main-thread long tasks (≥ 50 ms): ${lt.count}, ${lt.over100} over 100 ms, ${(lt.totalMs / 1000).toFixed(1)} s in all; ` +
        `longest ${lt.maxMs.toFixed(0)} ms (${lt.maxPhase || '-'})`,
    );
    for (const [p, x] of Object.entries(lt.byPhase))
      console.log(`  ${p}: ${x.count}, ${x.over100} over 100 ms, longest ${x.maxMs.toFixed(0)} ms`);
  }
  if (o.json)
    writeFileSync(o.json, JSON.stringify({ options: o, dataset: files.name, page, cli }, null, 2) + '\n');
}

await main();
