/**
 * The GPU path in Node: `--backend webgpu` (Dawn; on a machine without a GPU, Chromium's SwiftShader, which
 * the CLI finds by itself) gives the same clusters and the same training losses as `--backend wasm` for the
 * same input, parameters and seed. Stated tolerance: cluster ARI >= 0.95 between the two runs, every
 * model's last loss within 1e-4 (relative), imputed values within 0.01 at the median.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { adjustedRandIndex } from '../core/cluster/metrics.ts';
import type { RunManifest } from '../core/pipeline/manifest.ts';

const DATA = '../shared/data/goolam_smartseq2_top2000';
// Small enough for SwiftShader in CI: 64 genes, short training, LTMG on (its EM runs on the backend too).
const small = {
  preprocess: { nTopGenes: 64 },
  featureAe: { pretrain: { epochs: 6 }, iteration: { epochs: 2 } },
  clusterAe: { epochs: 2 },
  iterations: { max: 2 },
};

/** A Vulkan driver Dawn can use: the system's, or Chromium's SwiftShader (what CI installs). */
const vulkan =
  existsSync('/usr/lib/chromium/vk_swiftshader_icd.json') ||
  ['/usr/share/vulkan/icd.d', '/etc/vulkan/icd.d'].some((d) => existsSync(d));

function run(backend: string, out: string, params: string): RunManifest {
  const args = ['--params', params, '--seed', '2', '--backend', backend];
  const s = spawnSync(
    process.execPath,
    ['--import', 'tsx', 'src/cli/scgnn.ts', 'run', `${DATA}/counts.csv.gz`, '--out', out, ...args],
    { encoding: 'utf8', maxBuffer: 1 << 26, timeout: 600_000 },
  );
  expect(s.status, s.stderr.slice(-2000)).toBe(0);
  return JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as RunManifest;
}

const labelsOf = (dir: string): number[] =>
  readFileSync(join(dir, 'labels.csv'), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => Number(l.split(',')[1]));

const valuesOf = (dir: string): number[] =>
  readFileSync(join(dir, 'imputed.csv'), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .flatMap((l) => l.split(',').slice(1).map(Number));

describe.skipIf(!vulkan)('the CLI on WebGPU (Dawn)', () => {
  it('gives the clusters and losses of WASM for the same seed', { timeout: 900_000 }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'scgnn-webgpu-'));
    const params = join(dir, 'small.json');
    writeFileSync(params, JSON.stringify(small));
    const gpu = run('webgpu', join(dir, 'webgpu'), params);
    const cpu = run('wasm', join(dir, 'wasm'), params);
    expect(gpu.environment.backend).toBe('webgpu');
    expect(gpu.environment.adapter).toBeTruthy();
    expect(cpu.environment.backend).toBe('wasm');
    expect(gpu.params).toEqual(cpu.params);

    const agreement = adjustedRandIndex(labelsOf(join(dir, 'webgpu')), labelsOf(join(dir, 'wasm')));
    expect(agreement).toBeGreaterThanOrEqual(0.95);

    const a = gpu.result.training;
    const b = cpu.result.training;
    expect(a.map((t) => [t.model, t.epochs])).toEqual(b.map((t) => [t.model, t.epochs]));
    expect(a.length).toBeGreaterThanOrEqual(3);
    const worst = Math.max(
      ...a.map((t, i) => Math.abs(t.lastLoss - b[i]!.lastLoss) / Math.abs(b[i]!.lastLoss)),
    );
    const x = valuesOf(join(dir, 'webgpu'));
    const y = valuesOf(join(dir, 'wasm'));
    expect(x.length).toBe(y.length);
    const diffs = x.map((v, i) => Math.abs(v - y[i]!)).sort((p, q) => p - q);
    console.log(
      `webgpu (${gpu.environment.adapter}) vs wasm: cluster ARI ${agreement.toFixed(3)}, ` +
        `largest relative last-loss difference ${worst.toExponential(2)}, imputed |diff| median ${diffs[diffs.length >> 1]}`,
    );
    expect(worst).toBeLessThanOrEqual(1e-4);
    expect(diffs[diffs.length >> 1]!).toBeLessThanOrEqual(0.01);
  });
});
