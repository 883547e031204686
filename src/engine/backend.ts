/**
 * TensorFlow.js backend choice, by measurement. Every backend available here (WASM, WebGPU, WebGL, the
 * pure-JS CPU) is started, its training-step gradients are checked against plain JavaScript, and a short
 * piece of the real workload is timed on it at the dataset's gene count (probe.ts); the fastest correct one
 * is used. A backend that fails the gradient check is never chosen (some WebGPU devices return zero
 * gradients, tfjs#8590).
 *
 * Software GPU adapters (SwiftShader, llvmpipe, any fallback adapter) are CPU-class: their probes get the
 * short time limit of CPU backends, and a run on them uses the CPU training profile. A probe that runs past
 * its limit is stopped (it can no longer win) and reported as slower. Hardware GPUs get a long limit: their
 * first run compiles every shader.
 *
 * The caller may force one backend (`?backend=` in the page, `--backend` in the CLI); it is still checked, and
 * a forced backend that fails falls back to the automatic choice, saying why. Runs in the worker (browser)
 * and in Node (CLI, tests).
 */
import type * as tfc from '@tensorflow/tfjs-core';
import { probeBatchSize } from '../core/pipeline/compute-profile.ts';
import type { BackendCandidate, BackendInfo, BackendName, BackendRequest, ComputeClass } from './contract.ts';
import { backendLabel } from './backend-names.ts';
import { checkGradients, ProbeSlower, timeWorkload } from './probe.ts';

type Tf = typeof tfc;

/**
 * Probe order: the CPU backends first (WASM is a fast baseline against which slow candidates are stopped
 * early), then the GPUs, so that work a stopped software GPU still has in flight slows no CPU probe.
 */
const PROBE_ORDER: BackendName[] = ['wasm', 'cpu', 'webgpu', 'webgl'];
/**
 * Candidates that are not started once WASM has passed. Each computes on the same CPU as WASM, and starting
 * it would cost seconds at every page load that no time limit can cut short:
 * - the pure-JavaScript backend runs WASM's kernels without SIMD (25-30x slower than WASM in every
 *   measurement here, Node and Chromium; its first training step alone takes seconds, synchronously);
 * - a software GPU (SwiftShader, llvmpipe, a fallback adapter) emulates a GPU on the CPU: a matrix product
 *   runs at about 0.6 GFLOP/s on SwiftShader against 20-50 GFLOP/s in WASM. Work once submitted to it cannot
 *   be withdrawn: a stopped WebGPU probe kept Chromium's GPU process busy for about 10 s on the project's
 *   2-core machine (opening a WebGL context then took 12 s), and starting TensorFlow.js's WebGL backend on
 *   it compiles every shader synchronously (10 s).
 * Where WASM is missing or fails its check, all of them are started and timed. `?backend=` still forces any.
 */
async function notWorthStarting(
  tf: Tf,
  name: BackendName,
  leader: BackendName | null,
): Promise<Pick<BackendCandidate, 'computeClass' | 'adapter' | 'note'> | null> {
  if (leader !== 'wasm' || !tf.findBackendFactory(name)) return null;
  const wasm = backendLabel('wasm');
  if (name === 'cpu')
    return {
      computeClass: 'cpu',
      adapter: null,
      note: `not started: the same kernels as ${wasm} in plain JavaScript, 25-30x slower in every measurement`,
    };
  let found: Started | null = null;
  if (name === 'webgl') found = webglRenderer();
  if (name === 'webgpu') found = await webgpuAdapter().catch(() => null);
  if (found?.computeClass !== 'cpu') return null;
  return {
    ...found,
    note: `not started: a software GPU emulated on the same CPU that ${wasm} uses directly (40x slower or more)`,
  };
}

/** Gene count probed before a dataset is known (the default number of selected genes). */
export const DEFAULT_PROBE_GENES = 2000;

/**
 * Limits of one candidate's probe. Wall clock (gradient check, warm-up and timed steps; starting the backend
 * is not counted): a CPU-class candidate gets max(cpuMinMs, factor x the best score so far), a hardware GPU
 * at least gpuMinMs (its first run compiles every shader). Score: a candidate whose first timed step puts it above slowerFactor x the best
 * score stops there.
 */
const LIMITS = {
  cpuMinMs: 1000,
  gpuMinMs: 15_000,
  factor: 2,
  /** Before any candidate has a score. */
  firstMs: 30_000,
  slowerFactor: 1.5,
};

export interface SelectOptions {
  /** Genes the probe's autoencoder has (default DEFAULT_PROBE_GENES). */
  readonly nGenes?: number;
  /** Time a forced backend too (default false: only its gradient check runs, which always runs). */
  readonly timeForced?: boolean;
  /** Threads the WASM backend runs (the worker passes tfjs-backend-wasm's getThreadsCount). */
  readonly wasmThreads?: () => number;
}

const SOFTWARE_ADAPTER = /swiftshader|llvmpipe|lavapipe|softpipe|software|basic render/i;

interface Started {
  readonly computeClass: ComputeClass;
  readonly adapter: string | null;
}

/** Describe the WebGPU adapter, and whether it is a software one. */
async function webgpuAdapter(): Promise<Started> {
  const gpu = (globalThis.navigator as Navigator | undefined)?.gpu;
  const adapter = gpu ? await gpu.requestAdapter() : null;
  if (!adapter) throw new Error('no WebGPU adapter');
  const info = adapter.info as GPUAdapterInfo & { isFallbackAdapter?: boolean };
  const parts = [info.vendor, info.architecture, info.device, info.description].filter((s) => s && s.length);
  const text = parts.length ? [...new Set(parts)].join(' / ') : 'unknown adapter';
  const software = info.isFallbackAdapter === true || SOFTWARE_ADAPTER.test(text);
  return { computeClass: software ? 'cpu' : 'gpu', adapter: text };
}

/**
 * The renderer a WebGL 2 context gets here (without starting TensorFlow.js's WebGL backend), and whether it
 * renders in software. null where no context can be made (no OffscreenCanvas, no WebGL 2).
 */
function webglRenderer(): Started | null {
  if (typeof OffscreenCanvas === 'undefined') return null;
  let gl: WebGL2RenderingContext | null;
  try {
    gl = new OffscreenCanvas(1, 1).getContext('webgl2');
  } catch {
    return null;
  }
  if (!gl) return null;
  const ext = gl.getExtension('WEBGL_debug_renderer_info');
  const r: unknown = gl.getParameter(ext ? ext.UNMASKED_RENDERER_WEBGL : gl.RENDERER);
  gl.getExtension('WEBGL_lose_context')?.loseContext();
  const text = typeof r === 'string' && r.length > 0 ? r : null;
  return { computeClass: text && !SOFTWARE_ADAPTER.test(text) ? 'gpu' : 'cpu', adapter: text };
}

function isolated(): boolean | null {
  const g = globalThis as { crossOriginIsolated?: boolean; document?: unknown; WorkerGlobalScope?: unknown };
  if (typeof g.crossOriginIsolated !== 'boolean') return null;
  return g.crossOriginIsolated;
}

function message(e: unknown): string {
  if (e instanceof Error) return e.message;
  if (e && typeof e === 'object' && 'message' in e) return String((e as { message: unknown }).message);
  return String(e);
}

/** Start `name` as the active backend; throws if it cannot start here. */
async function start(tf: Tf, name: BackendName): Promise<Started> {
  if (!tf.findBackendFactory(name)) throw new Error('not available in this build');
  let pre: Started | null = null;
  if (name === 'webgpu') {
    if (!(globalThis.navigator as Navigator | undefined)?.gpu)
      throw new Error('this browser exposes no WebGPU (navigator.gpu is missing)');
    pre = await webgpuAdapter();
  }
  if (name === 'webgl') pre = webglRenderer();
  const ok = await tf.setBackend(name);
  if (!ok) throw new Error('initialisation failed');
  await tf.ready();
  return pre ?? { computeClass: 'cpu', adapter: null };
}

class ProbeTimeout extends Error {
  constructor(
    readonly limitMs: number,
    /** The gradient check had passed when time ran out: the backend trains correctly, only slowly. */
    readonly checked: boolean,
  ) {
    super(`stopped after ${(limitMs / 1000).toFixed(1)} s`);
  }
}

interface Probed extends Started {
  readonly score: number;
}

/**
 * Check and time the active backend, giving up after `limitMs` (the probe stops issuing work; anything in
 * flight finishes in the background and cleans up after itself).
 */
async function probe(
  tf: Tf,
  started: Started,
  nGenes: number,
  limitMs: number,
  time: boolean,
  giveUpAbove: number | undefined,
): Promise<Probed> {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let checked = false;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new ProbeTimeout(limitMs, checked));
    }, limitMs);
  });
  const work = (async () => {
    const check = await checkGradients(tf, controller.signal);
    if (!check.ok) throw new Error(check.detail);
    checked = true;
    if (!time) return { ...started, score: Number.NaN };
    const t = await timeWorkload(tf, {
      nGenes,
      batchSize: probeBatchSize(started.computeClass),
      signal: controller.signal,
      ...(giveUpAbove !== undefined ? { giveUpAbove } : {}),
    });
    return { ...started, score: t.score };
  })();
  work.catch(() => {}); // a stopped probe rejects later, unobserved
  try {
    return await Promise.race([work, expired]);
  } finally {
    clearTimeout(timer);
  }
}

function limitFor(cls: ComputeClass, best: number | null): number {
  if (best === null || !Number.isFinite(best)) return LIMITS.firstMs;
  return Math.max(cls === 'gpu' ? LIMITS.gpuMinMs : LIMITS.cpuMinMs, LIMITS.factor * best);
}

/**
 * Activate the requested backend (or, for 'auto', the fastest correct one by probe), and describe the
 * choice. A forced backend that fails falls back to the automatic choice among the others.
 */
export async function selectBackend(
  tf: Tf,
  request: BackendRequest,
  options: SelectOptions = {},
): Promise<BackendInfo> {
  const t0 = performance.now();
  const previous: string | null = tf.getBackend() ?? null;
  const nGenes = Math.max(2, Math.round(options.nGenes ?? DEFAULT_PROBE_GENES));
  const candidates: BackendCandidate[] = [];
  let best: { name: BackendName; probed: Probed } | null = null;
  let timed = 0;

  const tryOne = async (
    name: BackendName,
    limitMs: (cls: ComputeClass) => number,
    time = true,
  ): Promise<void> => {
    const t = performance.now();
    const bestScore = (best as { probed: Probed } | null)?.probed.score;
    const giveUpAbove = bestScore !== undefined ? LIMITS.slowerFactor * bestScore : undefined;
    const outcome = async (): Promise<Omit<BackendCandidate, 'name' | 'spentMs'>> => {
      let started: Started;
      try {
        started = await start(tf, name);
      } catch (e) {
        return { computeClass: null, adapter: null, probeMs: null, outcome: 'unavailable', note: message(e) };
      }
      try {
        const p = await probe(tf, started, nGenes, limitMs(started.computeClass), time, giveUpAbove);
        if (!best || p.score < best.probed.score) best = { name, probed: p };
        timed++;
        return { ...started, probeMs: Number.isNaN(p.score) ? null : p.score, outcome: 'slower', note: '' };
      } catch (e) {
        if (e instanceof ProbeSlower || e instanceof ProbeTimeout) timed++;
        if (e instanceof ProbeSlower)
          return { ...started, probeMs: e.estimate, outcome: 'slower', note: e.message };
        if (e instanceof ProbeTimeout) {
          const leader = (best as { name: BackendName } | null)?.name ?? null;
          // Correct but untimed, and nothing else measured yet: keep it, any timed candidate beats it.
          if (leader === null && e.checked) best = { name, probed: { ...started, score: Infinity } };
          const why =
            leader === null
              ? 'trains correctly but too slowly to time'
              : `slower than ${backendLabel(leader)}`;
          return { ...started, probeMs: null, outcome: 'slower', note: `${e.message}: ${why}` };
        }
        return { ...started, probeMs: null, outcome: 'failed', note: message(e) };
      }
    };
    const found = await outcome();
    candidates.push({ name, ...found, spentMs: performance.now() - t });
  };

  let forcedNote = '';
  if (request !== 'auto') {
    await tryOne(request, () => LIMITS.firstMs, options.timeForced ?? false);
    if (!best) forcedNote = `${backendLabel(request)} was asked for but ${candidates[0]?.note ?? 'failed'}; `;
  }
  if (!best) {
    for (const name of PROBE_ORDER) {
      if (candidates.some((c) => c.name === name)) continue;
      const skip = await notWorthStarting(tf, name, (best as { name: BackendName } | null)?.name ?? null);
      if (skip) {
        candidates.push({ name, probeMs: null, outcome: 'slower', spentMs: 0, ...skip });
        continue;
      }
      const current = best as { probed: Probed } | null;
      await tryOne(name, (cls) => limitFor(cls, current?.probed.score ?? null));
    }
  }
  const chosen = best as { name: BackendName; probed: Probed } | null;
  if (!chosen) {
    // Leave TensorFlow.js on the backend it had (the probe may have left it on one that failed).
    if (previous && tf.findBackend(previous)) await tf.setBackend(previous).catch(() => false);
    throw new Error(
      `No TensorFlow.js backend works here: ${candidates.map((c) => `${c.name}: ${c.note}`).join('; ')}`,
    );
  }
  await tf.setBackend(chosen.name);
  await tf.ready();
  const final = candidates.map((c): BackendCandidate => {
    if (c.name === chosen.name) return { ...c, outcome: 'chosen', note: '' };
    if (c.outcome === 'slower' && c.probeMs !== null) {
      const ratio = `${(c.probeMs / chosen.probed.score).toFixed(1)}x slower`;
      return { ...c, note: c.note ? `${ratio}, ${c.note}` : ratio };
    }
    return c;
  });
  const genes = nGenes.toLocaleString('en-US');
  const reason =
    request !== 'auto' && chosen.name === request
      ? `asked for (?backend=${request})`
      : timed > 1
        ? `${forcedNote}fastest of ${timed} timed at ${genes} genes`
        : `${forcedNote}checked and timed at ${genes} genes; no other backend here can be faster`;
  return {
    name: chosen.name,
    requested: request,
    computeClass: chosen.probed.computeClass,
    adapter: chosen.probed.adapter,
    candidates: final,
    reason,
    probeGenes: nGenes,
    threads: chosen.name === 'wasm' && options.wasmThreads ? options.wasmThreads() : null,
    isolated: isolated(),
    selectMs: performance.now() - t0,
  };
}

/** Whether a dataset with `nGenes` genes should be probed again (the count differs by more than 2x). */
export function needsReprobe(info: BackendInfo, nGenes: number): boolean {
  if (info.requested !== 'auto') return false;
  return nGenes > 2 * info.probeGenes || 2 * nGenes < info.probeGenes;
}
