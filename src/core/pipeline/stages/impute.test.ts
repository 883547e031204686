/**
 * The imputation stages on a synthetic input: 36 cells x 12 genes in three groups of 12, each group expressing
 * its own four genes at log1p(10..14) with a few dropouts (zeros) inside those genes; the cell graph links
 * every pair of cells of a group. Expected values: observed entries kept exactly in 'graph' mode and shrunk
 * toward the group's mean in 'zero-inflated' mode, dropouts filled near the group's level (> log1p(5)), other
 * groups' genes left at 0 by 'zero-inflated', the stage label of each mode, and imputationCellWeights worked
 * out by hand (0.3 · degree + 0.1 · cluster size).
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { symmetricGraph, type CellGraph } from '../../graph/cell-graph.ts';
import { denseMatrix, type DenseMatrix } from '../../matrix/dense.ts';
import { disposeAutoencoder, snapshot } from '../../nn/autoencoder.ts';
import { createRng } from '../../rng.ts';
import { createContext, type ProgressEvent } from '../context.ts';
import { withParams, type ScgnnParams } from '../params.ts';
import { createRunContext } from '../run-context.ts';
import { newFeatureAutoencoder } from './feature-ae.ts';
import { imputationCellWeights, imputeByMode, type ImputeInputs } from './impute.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const N = 36;
const G = 12;
const truth = Int32Array.from({ length: N }, (_, i) => Math.floor(i / 12));
const isDropout = (i: number, j: number) => (i * 5 + j) % 11 === 0;

function groups(): DenseMatrix {
  const x = denseMatrix(N, G);
  for (let i = 0; i < N; i++)
    for (let j = 0; j < G; j++)
      if (Math.floor(j / 4) === truth[i] && !isDropout(i, j))
        x.data[i * G + j] = Math.log1p(10 + ((i * 7 + j * 3) % 5));
  return x;
}

function groupGraph(): CellGraph {
  const from: number[] = [];
  const to: number[] = [];
  for (let i = 0; i < N; i++)
    for (let j = 0; j < N; j++)
      if (i !== j && truth[i] === truth[j]) {
        from.push(i);
        to.push(j);
      }
  return symmetricGraph(N, from, to, new Array<number>(from.length).fill(1));
}

const base = withParams({
  featureAe: { hidden: 8, latent: 4 },
  clusterAe: { epochs: 2, batchSize: N },
  impute: { train: { epochs: 3, batchSize: N } },
});

async function runMode(params: ScgnnParams) {
  const events: ProgressEvent[] = [];
  const run = createRunContext(createContext(tf, createRng(1), (e) => events.push(e)));
  const ae = newFeatureAutoencoder(G, params, run);
  const x = groups();
  const inputs: ImputeInputs = {
    ae,
    initial: await snapshot(ae),
    x,
    recon: denseMatrix(
      N,
      G,
      x.data.map((v) => v * 0.9 + 0.05),
    ),
    graph: groupGraph(),
    labels: truth,
  };
  const before = tf.memory().numTensors;
  try {
    const out = await imputeByMode(inputs, params, run);
    expect(tf.memory().numTensors).toBe(before);
    return { out, inputs, events, run };
  } finally {
    disposeAutoencoder(ae);
  }
}

const starts = (events: ProgressEvent[]) =>
  events.filter((e) => e.type === 'stage-start').map((e) => `${e.stage}: ${e.label}`);

describe('imputeByMode', () => {
  it('returns the last reconstruction, without events, when imputation is off', async () => {
    const { out, inputs, events } = await runMode(withParams({ impute: { enabled: false } }, base));
    expect(out).toBe(inputs.recon);
    expect(events).toEqual([]);
  });

  it("'zero-inflated' (default): dropouts near the group's level, other groups' genes 0, observed shrunk", async () => {
    expect(base.impute.mode).toBe('zero-inflated');
    const { out, inputs, events } = await runMode(base);
    expect(starts(events)).toEqual(['impute: Imputation (zero-inflated, cell graph)']);
    for (let i = 0; i < N; i++)
      for (let j = 0; j < G; j++) {
        const k = i * G + j;
        const observed = (inputs.x as DenseMatrix).data[k]!;
        const v = out.data[k]!;
        if (Math.floor(j / 4) !== truth[i])
          expect(v, `other group ${i},${j}`).toBe(0); // no neighbour detects it
        else if (observed === 0)
          expect(v, `dropout ${i},${j}`).toBeGreaterThan(Math.log1p(8)); // excess zero
        else {
          // Observed 10..14: moved a little (toward the neighbours' mean), not kept exactly.
          expect(Math.abs(v - observed), `observed ${i},${j}`).toBeLessThan(0.2);
          expect(v).not.toBe(observed);
        }
      }
  });

  it("'graph': fills only the zeros, the dropouts near their group's level", async () => {
    const { out, inputs, events } = await runMode(withParams({ impute: { mode: 'graph' } }, base));
    expect(starts(events)).toEqual(['impute: Imputation on the cell graph']);
    expect([out.rows, out.cols]).toEqual([N, G]);
    let dropouts = 0;
    for (let i = 0; i < N; i++)
      for (let j = 0; j < G; j++) {
        const k = i * G + j;
        const observed = (inputs.x as DenseMatrix).data[k]!;
        if (observed > 0) expect(out.data[k], `${i},${j}`).toBe(observed);
        else if (Math.floor(j / 4) === truth[i]) {
          dropouts++;
          expect(out.data[k], `dropout ${i},${j}`).toBeGreaterThan(Math.log1p(5));
          expect(out.data[k], `dropout ${i},${j}`).toBeLessThan(Math.log1p(20));
        }
      }
    expect(dropouts).toBeGreaterThan(5);
    expect(events.at(-1)).toMatchObject({ type: 'stage-end', stage: 'impute' });
  });

  it("'closed-loop': the cluster autoencoders' reconstruction (one per cluster)", async () => {
    const { out, events, run } = await runMode(withParams({ impute: { mode: 'closed-loop' } }, base));
    expect(starts(events)).toEqual(['impute: Imputation (closed loop: cluster autoencoders)']);
    expect([out.rows, out.cols]).toEqual([N, G]);
    expect(out.data.every(Number.isFinite)).toBe(true);
    expect(run.training.map((r) => r.model)).toEqual(['cluster-ae 0', 'cluster-ae 1', 'cluster-ae 2']);
  });

  it("'scgnn1': an imputation autoencoder trained from the initial weights", async () => {
    const { out, events, run } = await runMode(withParams({ impute: { mode: 'scgnn1' } }, base));
    expect(starts(events)).toEqual(['impute: Imputation autoencoder']);
    expect([out.rows, out.cols]).toEqual([N, G]);
    expect(out.data.every((v) => Number.isFinite(v) && v >= 0)).toBe(true); // ReLU output
    expect(run.training).toEqual([
      expect.objectContaining({ model: 'impute-ae', stage: 'impute', epochs: 3 }),
    ]);
  });
});

describe('imputationCellWeights (hand-computed)', () => {
  // Path 0 - 1 - 2 and an isolated cell 3: degrees 1, 2, 1, 0; clusters {0, 1} and {2, 3}: sizes 2, 2.
  const graph = symmetricGraph(4, [0, 1], [1, 2], [1, 1]);
  const labels = Int32Array.of(0, 0, 1, 1);

  it('is 0.3 · degree + 0.1 · cluster size with the defaults', () => {
    const w = imputationCellWeights(graph, labels, base);
    const expected = [0.3 + 0.2, 0.6 + 0.2, 0.3 + 0.2, 0.2];
    Array.from(w).forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 6));
  });

  it('follows the configured weights', () => {
    const p = withParams({ impute: { graphWeight: 1, celltypeWeight: 0 } }, base);
    expect(Array.from(imputationCellWeights(graph, labels, p))).toEqual([1, 2, 1, 0]);
    const q = withParams({ impute: { graphWeight: 0, celltypeWeight: 1 } }, base);
    expect(Array.from(imputationCellWeights(graph, Int32Array.of(0, 1, 1, 1), q))).toEqual([1, 3, 3, 3]);
  });
});
