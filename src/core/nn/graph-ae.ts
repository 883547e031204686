/**
 * The scGNN graph autoencoder stage: learns a low-dimensional cell embedding from the feature autoencoder's
 * 128-d embedding and the kNN cell graph, used for clustering (scGNN 1.0 with `--useGAEembedding`, the
 * default in scGNN 2.0).
 *
 * - 'gcn': scGNN 1.0's GCN-VAE (reference note §1.6; `v1:gae_embedding.py:59-136`; Kipf & Welling 2016):
 *   128 -> 32 (ReLU) -> μ, log σ² (16), inner-product decoder, loss norm·BCE(pos_weight) + KL, Adam lr 0.01,
 *   200 epochs, full batch. `variational: false` gives the plain GAE.
 * - 'gat': scGNN 2.0's two-layer GAT encoder (§2.3) with the inner-product decoder and plain BCE (§2.2).
 *
 * Deviations from the reference, and why:
 * - σ = exp(0.5·log σ²) (standard VAE) instead of the reference's σ = exp(logvar) with a KL written for log σ;
 *   the encoder output is a log-variance here (see `klTerm`).
 * - The whole graph is trained on: the reference's `mask_test_edges` hold-out (10 % test + 5 % validation
 *   edges) only served link-prediction metrics that scGNN never uses, and it is slow on big graphs.
 * - Above `denseLossMaxCells` cells the N x N loss is replaced by its sparse estimate (exact positives +
 *   permutation-sampled non-edges, `graph-loss.ts`); at or below it the loss is the reference's dense one.
 * - The GAT's reparametrisation does not exist in the reference, so `variational` applies to 'gcn' only.
 * - Random numbers come from the stage's seeded generator (the reference seeds torch with 42).
 */
import type { Scalar, Tensor, Tensor1D, Tensor2D, Variable } from '@tensorflow/tfjs-core';
import type { CellGraph } from '../graph/cell-graph.ts';
import { denseMatrix, type DenseMatrix } from '../matrix/dense.ts';
import type { StageContext } from '../pipeline/context.ts';
import { centroids, clusterHeadLoss, hardAssign, softAssign, targetDistribution } from './cluster-head.ts';
import { disposeGat, gatEncode, gatStep, gatVariables, initGat } from './gat.ts';
import { disposeGcn, gcnEncode, gcnStep, gcnVariables, initGcn, type EmbeddingLoss } from './gcn.ts';
import {
  denseLabels,
  denseReconLoss,
  nonEdgeMask,
  reconWeights,
  sparseReconLoss,
  type NegativeSample,
} from './graph-loss.ts';
import { graphTensors, paddedGraph, randomPermutations } from './graph-ops.ts';

export type GraphAeModel = 'gcn' | 'gat';

export interface GraphAeParams {
  readonly model: GraphAeModel;
  /** GCN hidden width (reference 32). */
  readonly hidden: number;
  /** Embedding width (reference 16). */
  readonly latent: number;
  /** GAT hidden width per head (reference 64). */
  readonly gatHidden: number;
  /** GAT heads in both layers (reference 2). */
  readonly gatHeads: number;
  readonly epochs: number;
  readonly learningRate: number;
  /** Sampled negative pairs per positive pair (A + I entry) on the sparse path. */
  readonly negativesPerEdge: number;
  /** Up to this many cells the exact dense reference loss (N x N logits) is used; above, the sparse estimate. */
  readonly denseLossMaxCells: number;
  /** scGNN 1.0: features = 1·(z > column mean of z). */
  readonly binarizeInput: boolean;
  /** GCN-VAE with KL (scGNN 1.0) vs plain GAE. GCN only. */
  readonly variational: boolean;
  /**
   * Epochs of self-supervised cluster refinement after `epochs` (cluster-head.ts: DEC's KL(P ‖ Q) added to
   * the graph loss, centres started at the given clustering's centroids in the embedding); 0 = none.
   */
  readonly refineEpochs: number;
  /** Weight of the KL term during refinement. */
  readonly refineWeight: number;
  /** The target P is recomputed from Q every this many refinement epochs. */
  readonly refineUpdateEvery: number;
}

export const graphAeDefaults: GraphAeParams = {
  model: 'gcn',
  hidden: 32,
  latent: 16,
  gatHidden: 64,
  gatHeads: 2,
  epochs: 200,
  learningRate: 0.01,
  negativesPerEdge: 1,
  denseLossMaxCells: 2000,
  binarizeInput: true,
  variational: true,
  refineEpochs: 0,
  refineWeight: 1,
  refineUpdateEvery: 10,
};

export interface GraphAeResult {
  /** cells x latent: μ for the VAE, the encoder output otherwise. */
  readonly embedding: DenseMatrix;
  /** Training loss per epoch. */
  readonly losses: number[];
  readonly seconds: number;
  /** With refinement: each cell's cluster (argmax of the soft assignment); null otherwise. */
  readonly labels: Int32Array | null;
}

/** The clustering the refinement starts from. */
export interface RefineStart {
  readonly labels: Int32Array;
  readonly nClusters: number;
}

/** scGNN 1.0's input: 1 where a value exceeds its column's mean, else 0 (`scGNN.py:419-420`). */
export function binarizeByColumnMean(m: DenseMatrix): DenseMatrix {
  const mean = new Float64Array(m.cols);
  for (let i = 0; i < m.rows; i++) for (let c = 0; c < m.cols; c++) mean[c]! += m.data[i * m.cols + c]!;
  for (let c = 0; c < m.cols; c++) mean[c]! /= Math.max(1, m.rows);
  const out = new Float32Array(m.data.length);
  for (let i = 0; i < m.rows; i++)
    for (let c = 0; c < m.cols; c++) out[i * m.cols + c] = m.data[i * m.cols + c]! > mean[c]! ? 1 : 0;
  return denseMatrix(m.rows, m.cols, out);
}

/** How many epochs between reading losses back (one GPU sync) and yielding to the event loop. */
const CHECKPOINT_EVERY = 10;
/** ...or after this many ms, whichever comes first (large graphs: progress and cancel stay responsive). */
const CHECKPOINT_MS = 250;

export async function runGraphAe(
  features: DenseMatrix,
  graph: CellGraph,
  params: GraphAeParams,
  ctx: StageContext,
  start: RefineStart | null = null,
): Promise<GraphAeResult> {
  const { tf } = ctx;
  const t0 = performance.now();
  const n = graph.nNodes;
  if (features.rows !== n) throw new RangeError(`features have ${features.rows} rows, the graph ${n} nodes`);
  if (n < 2) throw new RangeError('the graph autoencoder needs at least 2 cells');
  const rng = ctx.rng.fork(`graph-ae:${params.model}`);
  const input = params.binarizeInput ? binarizeByColumnMean(features) : features;
  const variational = params.model === 'gcn' && params.variational;
  const dense = n <= params.denseLossMaxCells;

  // Positives (A + I) and the GCN propagation use lists with self loops; the GAT attends over kNN edges only.
  const pgSelf = paddedGraph(graph, true);
  const gtSelf = graphTensors(tf, pgSelf);
  const gtGat = params.model === 'gat' ? graphTensors(tf, paddedGraph(graph, false)) : null;
  const weights = reconWeights(n, pgSelf.nPositive, params.model === 'gcn');
  const labels = dense ? tf.tensor2d(denseLabels(pgSelf), [n, n]) : null;
  const nPerms = Math.max(1, Math.round((params.negativesPerEdge * pgSelf.nPositive) / n));
  const x = tf.tensor2d(input.data, [n, input.cols]);

  const gcn =
    params.model === 'gcn' ? initGcn(tf, rng, input.cols, params.hidden, params.latent, variational) : null;
  const gat =
    params.model === 'gat'
      ? initGat(tf, rng, input.cols, params.gatHidden, params.latent, params.gatHeads)
      : null;
  const varList: Variable[] = gcn ? gcnVariables(gcn) : gatVariables(gat!);

  const encode = (): Tensor2D => (gcn ? gcnEncode(tf, gtSelf, x, gcn) : gatEncode(tf, gtGat!, x, gat!));

  // Adam as torch.optim.Adam defaults (eps 1e-8; tfjs would default to 1e-7).
  const optimizer = tf.train.adam(params.learningRate, 0.9, 0.999, 1e-8);
  const losses: number[] = [];
  const refineEpochs = start && start.nClusters > 1 ? params.refineEpochs : 0;
  const totalEpochs = params.epochs + refineEpochs;
  let mu: Variable | null = null;
  let target: Tensor2D | null = null;
  let dMu: Tensor2D | null = null;
  const muOptimizer = refineEpochs > 0 ? tf.train.adam(params.learningRate, 0.9, 0.999, 1e-8) : null;
  const updateTarget = (): void => {
    target?.dispose();
    const q = tf.tidy(() => softAssign(tf, encode(), mu as Tensor2D));
    target = targetDistribution(tf, q);
    q.dispose();
  };
  const pending: { epoch: number; loss: Scalar; terms: Tensor1D }[] = [];
  const flush = async (): Promise<void> => {
    for (const p of pending) {
      const loss = (await p.loss.data())[0]!;
      const [reconstruction, kl] = await p.terms.data();
      p.loss.dispose();
      p.terms.dispose();
      losses.push(loss);
      ctx.report({
        type: 'loss',
        stage: 'graph-ae',
        model: `graph-ae ${params.model}`,
        epoch: p.epoch,
        epochs: totalEpochs,
        loss,
        terms: variational
          ? { reconstruction: reconstruction!, kl: kl! }
          : { reconstruction: reconstruction! },
      });
    }
    pending.length = 0;
  };

  let lastFlush = performance.now();
  try {
    for (let epoch = 0; epoch < totalEpochs; epoch++) {
      if (refineEpochs > 0 && epoch === params.epochs) {
        const emb = encode();
        const e = (await emb.data()) as Float32Array;
        emb.dispose();
        const k = start!.nClusters;
        mu = tf.variable(tf.tensor2d(centroids(e, params.latent, start!.labels, k), [k, params.latent]));
      }
      if (mu && (epoch - params.epochs) % Math.max(1, params.refineUpdateEvery) === 0) updateTarget();
      const perEpoch: Tensor[] = [];
      let eps: Tensor2D | null = null;
      if (variational) {
        const e = new Float32Array(n * params.latent);
        for (let i = 0; i < e.length; i++) e[i] = rng.normal();
        eps = tf.tensor2d(e, [n, params.latent]);
        perEpoch.push(eps);
      }
      let negatives: NegativeSample | null = null;
      if (!dense) {
        const perms = randomPermutations(n, nPerms, rng);
        const { keep, scale } = nonEdgeMask(pgSelf, perms);
        negatives = {
          fwd: tf.tensor1d(perms.fwd, 'int32'),
          inv: tf.tensor1d(perms.inv, 'int32'),
          m: nPerms,
          keep: tf.tensor2d(keep, [nPerms, n]),
          scale,
        };
        perEpoch.push(negatives.fwd, negatives.inv, negatives.keep);
      }
      const graphLoss: EmbeddingLoss = (z) =>
        labels ? denseReconLoss(tf, z, labels, weights) : sparseReconLoss(tf, gtSelf, z, negatives!, weights);
      const recon: EmbeddingLoss = !mu
        ? graphLoss
        : (z) => {
            const g = graphLoss(z);
            const h = clusterHeadLoss(tf, z, mu as Tensor2D, target!);
            dMu = tf.keep(tf.mul(h.dMu, params.refineWeight) as Tensor2D);
            return {
              loss: tf.add(g.loss, tf.mul(h.loss, params.refineWeight)) as Scalar,
              dZ: tf.add(g.dZ, tf.mul(h.dZ, params.refineWeight)) as Tensor2D,
            };
          };
      const step = gcn ? gcnStep(tf, gtSelf, x, gcn, eps, recon) : gatStep(tf, gtGat!, x, gat!, recon);
      optimizer.applyGradients(varList.map((v, i) => ({ name: v.name, tensor: step.grads[i]! })));
      for (const g of step.grads) g.dispose();
      if (mu && dMu) {
        muOptimizer!.applyGradients([{ name: mu.name, tensor: dMu }]);
        (dMu as Tensor2D).dispose();
        dMu = null;
      }
      const { loss, terms } = step;
      for (const t of perEpoch) t.dispose();
      pending.push({ epoch, loss, terms });
      const due = performance.now() - lastFlush >= CHECKPOINT_MS || (epoch + 1) % CHECKPOINT_EVERY === 0;
      if (due || epoch === totalEpochs - 1) {
        lastFlush = performance.now();
        await flush();
        ctx.progress((epoch + 1) / totalEpochs);
        await ctx.checkpoint();
      }
    }
    const emb = encode();
    const data = (await emb.data()) as Float32Array;
    let refined: Int32Array | null = null;
    if (mu) {
      const q = softAssign(tf, emb, mu as Tensor2D);
      refined = await hardAssign(q);
      q.dispose();
    }
    emb.dispose();
    return {
      embedding: denseMatrix(n, params.latent, new Float32Array(data)),
      losses,
      seconds: (performance.now() - t0) / 1000,
      labels: refined,
    };
  } finally {
    for (const p of pending) {
      p.loss.dispose();
      p.terms.dispose();
    }
    optimizer.dispose();
    muOptimizer?.dispose();
    (mu as Variable | null)?.dispose();
    (target as Tensor2D | null)?.dispose();
    if (gcn) disposeGcn(gcn);
    if (gat) disposeGat(gat);
    x.dispose();
    labels?.dispose();
    gtSelf.dispose();
    gtGat?.dispose();
  }
}
