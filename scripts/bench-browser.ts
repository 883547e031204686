/**
 * The page against the CLI on the same machine, in one invocation:
 *
 *   npm run bench:browser -- <dataset> [--preset P] [--seed S] [--backend B] [--cli-backend B]
 *                             [--chromium-flags "..."] [--no-cli] [--no-build] [--json FILE]
 *
 * <dataset>: `example` (the embedded Goolam example), a folder name under ../shared/data (its counts.csv.gz and
 * labels.csv), or a path to a counts file. Builds the page (unless --no-build), serves dist/ with `vite
 * preview`, drives headless Chromium through it (load the files, choose the preset and seed, Run, wait for the
 * results), then runs the same dataset, preset and seed through the CLI, and prints per-stage seconds of both,
 * the totals and their ratio. `--backend` forces the page's backend (`?backend=`; default: its own choice by
 * probe); `--cli-backend` the CLI's (default wasm). `--chromium-flags` adds flags, e.g. for a real GPU:
 * "--enable-features=Vulkan,VulkanFromANGLE --use-angle=vulkan --ignore-gpu-blocklist".
 *
 * The page is also watched while it runs (every 200 ms): the longest time any progress bar stood still while
 * its stage ran, and, per stage, the time estimate shown once 10 % of it was done against the time it really
 * took to finish.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Page } from '@playwright/test';
import { chromiumArgs, chromiumPath } from '../e2e/chromium.ts';
import { presets } from '../src/core/pipeline/presets.ts';

interface Options {
  dataset: string;
  preset: string;
  seed: number;
  backend: string | null;
  cliBackend: string;
  flags: string[];
  cli: boolean;
  build: boolean;
  json: string | null;
  port: number;
}

function parse(argv: string[]): Options {
  const o: Options = {
    dataset: '',
    preset: 'default',
    seed: 1,
    backend: null,
    cliBackend: 'wasm',
    flags: [],
    cli: true,
    build: true,
    json: null,
    port: 4181,
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
    else if (a.startsWith('--')) throw new Error(`unknown option ${a}`);
    else o.dataset = a;
  }
  if (!o.dataset)
    throw new Error('usage: npm run bench:browser -- <example|dataset folder|counts file> [options]');
  if (!presets.some((p) => p.name === o.preset))
    throw new Error(`unknown preset ${o.preset}; choose one of ${presets.map((p) => p.name).join(', ')}`);
  return o;
}

/** Counts (and labels, where there are any) of the dataset. */
function inputFiles(dataset: string): { counts: string; labels: string | null; name: string } {
  if (dataset === 'example')
    return {
      counts: 'public/example/goolam-counts.csv.gzip',
      labels: 'public/example/goolam-labels.csv',
      name: 'example (goolam)',
    };
  const folder = path.resolve('../shared/data', dataset);
  if (existsSync(path.join(folder, 'counts.csv.gz'))) {
    const labels = path.join(folder, 'labels.csv');
    return {
      counts: path.join(folder, 'counts.csv.gz'),
      labels: existsSync(labels) ? labels : null,
      name: dataset,
    };
  }
  if (existsSync(dataset))
    return { counts: path.resolve(dataset), labels: null, name: path.basename(dataset) };
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
  wallSeconds: number;
  seconds: Seconds;
  nClusters: number;
  watch: Watch;
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

async function sampleStages(page: Page): Promise<Sample['rows']> {
  return page.evaluate(() =>
    [...document.querySelectorAll('ol.stages > li')].map((li) => ({
      key: li.querySelector('.stage-label')?.textContent ?? '',
      status: [...li.classList].find((c) => c.startsWith('stage-'))?.slice(6) ?? '',
      pct: Number(li.querySelector('progress')?.getAttribute('value') ?? -1),
      time: li.querySelector('.stage-time')?.textContent ?? '',
    })),
  );
}

async function runPage(o: Options, files: ReturnType<typeof inputFiles>): Promise<PageResult> {
  const base = `http://127.0.0.1:${o.port}/`;
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    args: [...chromiumArgs, ...o.flags],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.setDefaultTimeout(60_000);
    await page.goto(o.backend ? `${base}?backend=${o.backend}` : base);
    const badge = page.getByTestId('backend');
    await badge.locator('xpath=self::*[@data-backend]').waitFor({ timeout: 120_000 });
    const backend = (await badge.getAttribute('data-backend')) ?? '?';
    if (files.counts.endsWith('goolam-counts.csv.gzip')) {
      await page.getByRole('button', { name: 'Load the example dataset' }).click();
    } else {
      await page
        .getByTestId('file-input')
        .setInputFiles(files.labels ? [files.counts, files.labels] : [files.counts]);
    }
    await page.getByTestId('dataset-name').waitFor({ timeout: 300_000 });
    await page.getByTestId('load-progress').waitFor({ state: 'detached', timeout: 300_000 });
    const title = presets.find((p) => p.name === o.preset)!.title;
    await page.getByLabel(title).check();
    await page.getByLabel('Seed').fill(String(o.seed));
    const samples: Sample[] = [];
    const t0 = Date.now();
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    const finished = page.getByText('Finished.');
    const failed = page.getByText(/The run failed|failed:/);
    for (;;) {
      samples.push({ t: Date.now() - t0, rows: await sampleStages(page) });
      if (await finished.isVisible()) break;
      if (await failed.first().isVisible()) throw new Error(`the run failed in the page`);
      if (Date.now() - t0 > 3 * 3600_000) throw new Error('the run took over 3 hours');
      await page.waitForTimeout(200);
    }
    const wallSeconds = (Date.now() - t0) / 1000;
    const badgeText = ((await badge.textContent()) ?? '').replace(/\s+/g, ' ').trim();
    const wait = page.waitForEvent('download');
    await page.locator('button[data-export="manifest"]').click();
    const file = await (await wait).path();
    const manifest = JSON.parse(readFileSync(file!, 'utf8')) as {
      seconds: Seconds;
      result: { nClusters: number };
    };
    return {
      backend,
      badge: badgeText,
      wallSeconds,
      seconds: manifest.seconds,
      nClusters: manifest.result.nClusters,
      watch: analyseSamples(samples),
    };
  } finally {
    await browser.close();
  }
}

interface CliResult {
  wallSeconds: number;
  seconds: Seconds;
  nClusters: number;
}

function runCli(o: Options, files: ReturnType<typeof inputFiles>): CliResult {
  const out = mkdtempSync(path.join(tmpdir(), 'bench-browser-cli-'));
  const args = ['tsx', 'src/cli/scgnn.ts', 'run', files.counts, '--out', out, '--preset', o.preset];
  args.push('--seed', String(o.seed), '--backend', o.cliBackend, '--quiet');
  const t0 = Date.now();
  execFileSync('npx', args, { stdio: ['ignore', 'ignore', 'inherit'] });
  const wallSeconds = (Date.now() - t0) / 1000;
  const manifest = JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8')) as {
    seconds: Seconds;
    result: { nClusters: number };
  };
  return { wallSeconds, seconds: manifest.seconds, nClusters: manifest.result.nClusters };
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
  const files = inputFiles(o.dataset);
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
  if (o.json) writeFileSync(o.json, JSON.stringify({ options: o, page, cli }, null, 2));
}

await main();
