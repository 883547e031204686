/**
 * The scGNN 2.0 graph attention encoder (reference note §2.3; `v2:auto_encoders/gat.py`, `model.py:53-57`,
 * itself "implementation #3" of gordicaleksa/pytorch-GAT; Veličković et al. 2018, "Graph Attention Networks"):
 * two GAT layers, heads [2, 2], in -> 64 x 2 heads concatenated (= 128) with ELU, then -> 16 averaged over the
 * heads, no activation. Per layer and head: P = X W, scores e_ij = LeakyReLU_0.2(a_src·P_j + a_trg·P_i) over the
 * edges j -> i, α = softmax of e over i's incoming edges, out_i = Σ_j α_ij P_j, plus a skip projection of X
 * (the output width never equals the input width here, so `skip_proj` is always used) and a bias.
 * The edge set is the kNN graph without self loops, as in the reference (the skip connection carries the
 * node's own features). The backward pass is written out (see graph-loss.ts). Weights are Xavier-uniform (W, a_src, a_trg, with torch's fan rules for the
 * (1, H, F) scoring tensors); the skip projection keeps torch's nn.Linear default U(±1/√in); biases start at 0.
 */
import type { Tensor, Tensor1D, Tensor2D, Tensor3D, Variable } from '@tensorflow/tfjs-core';
import type { Tf } from '../pipeline/context.ts';
import type { Rng } from '../rng.ts';
import type { EmbeddingLoss, StepResult } from './gcn.ts';
import {
  attendBackward,
  attendForward,
  matMulTA,
  matMulTB,
  neighbourGatherBackward,
  neighbourGatherForward,
  uniformValues,
  variableFrom,
  xavierBound,
  type GraphTensors,
} from './graph-ops.ts';

export interface GatLayerVars {
  /** [in, heads * out]. */
  readonly w: Variable;
  /** [heads, out]. */
  readonly aSrc: Variable;
  readonly aTrg: Variable;
  /** [in, heads * out]. */
  readonly skip: Variable;
  /** [heads * out] when concatenating, else [out]. */
  readonly bias: Variable;
  readonly heads: number;
  readonly out: number;
  readonly concat: boolean;
}

export function initGatLayer(
  tf: Tf,
  rng: Rng,
  inDim: number,
  out: number,
  heads: number,
  concat: boolean,
): GatLayerVars {
  const hf = heads * out;
  const v = (vals: Float32Array, shape: number[]): Variable => variableFrom(tf, vals, shape);
  // torch fans for a (1, H, F) tensor: fan_in = H·F, fan_out = F.
  const aBound = xavierBound(hf, out);
  return {
    w: v(uniformValues(inDim * hf, xavierBound(inDim, hf), rng), [inDim, hf]),
    aSrc: v(uniformValues(hf, aBound, rng), [heads, out]),
    aTrg: v(uniformValues(hf, aBound, rng), [heads, out]),
    skip: v(uniformValues(inDim * hf, 1 / Math.sqrt(inDim), rng), [inDim, hf]),
    bias: v(new Float32Array(concat ? hf : out), [concat ? hf : out]),
    heads,
    out,
    concat,
  };
}

/** The forward intermediates of one layer that its backward pass needs. */
interface GatLayerCache {
  readonly x: Tensor2D;
  /** X W, [n, heads*out]. */
  readonly proj: Tensor2D;
  /** Pre-activation scores e = a_src·P_j + a_trg·P_i, [n, width, heads]. */
  readonly scores: Tensor3D;
  readonly alpha: Tensor3D;
  /** Output before the activation. */
  readonly pre: Tensor2D;
  /** Output after the activation. */
  readonly out: Tensor2D;
}

/** LeakyReLU slope of the attention scores (pytorch-GAT: 0.2). */
const LEAK = 0.2;

/** Not tidied: callers run it inside their own tf.tidy. */
function attention(
  tf: Tf,
  gt: GraphTensors,
  proj: Tensor2D,
  layer: GatLayerVars,
): { scores: Tensor3D; alpha: Tensor3D } {
  const n = proj.shape[0];
  const p3 = tf.reshape(proj, [n, layer.heads, layer.out]);
  const sSrc = tf.sum(tf.mul(p3, layer.aSrc), 2) as Tensor2D;
  const sTrg = tf.sum(tf.mul(p3, layer.aTrg), 2);
  const mask3 = tf.expandDims(gt.mask, 2);
  const scores = tf.add(neighbourGatherForward(tf, gt, sSrc), tf.expandDims(sTrg, 1)) as Tensor3D;
  const act = tf.leakyRelu(scores, LEAK);
  // Padding slots get -1e9 so they neither win the max nor (after the mask) receive weight.
  const masked = tf.add(act, tf.mul(tf.sub(mask3, 1), 1e9));
  const e = tf.mul(tf.exp(tf.sub(masked, tf.max(masked, 1, true))), mask3);
  const alpha = tf.div(e, tf.add(tf.sum(e, 1, true), 1e-16)) as Tensor3D;
  return { scores, alpha };
}

/**
 * Attention coefficients α [n, width, heads] of one layer for the projected features `proj` [n, heads*out]:
 * softmax over each node's incoming edges (its slots), 0 on padding; a node without edges gets all zeros
 * (pytorch-GAT divides by sum + 1e-16). Exposed for tests.
 */
export function gatAttention(tf: Tf, gt: GraphTensors, proj: Tensor2D, layer: GatLayerVars): Tensor3D {
  return tf.tidy(() => attention(tf, gt, proj, layer).alpha);
}

function layerForward(
  tf: Tf,
  gt: GraphTensors,
  x: Tensor2D,
  layer: GatLayerVars,
  elu: boolean,
): GatLayerCache {
  const n = x.shape[0];
  const proj = tf.matMul(x, layer.w as Tensor2D) as Tensor2D;
  const { scores, alpha } = attention(tf, gt, proj, layer);
  const agg = attendForward(tf, gt, alpha, proj, layer.heads);
  const withSkip = tf.add(agg, tf.reshape(tf.matMul(x, layer.skip as Tensor2D), [n, layer.heads, layer.out]));
  const merged = layer.concat ? tf.reshape(withSkip, [n, layer.heads * layer.out]) : tf.mean(withSkip, 1);
  const pre = tf.add(merged, layer.bias) as Tensor2D;
  return { x, proj, scores, alpha, pre, out: elu ? (tf.elu(pre) as Tensor2D) : pre };
}

/**
 * The layer's backward pass, written out. Gradients of [w, aSrc, aTrg, skip, bias] and of the input x.
 * Softmax: dE = α ⊙ (dα - Σ_k α dα) (the 1e-16 guard is ignored); LeakyReLU: × (e > 0 ? 1 : 0.2);
 * ELU: × (pre > 0 ? 1 : out + 1).
 */
function layerBackward(
  tf: Tf,
  gt: GraphTensors,
  layer: GatLayerVars,
  c: GatLayerCache,
  dOut: Tensor2D,
  elu: boolean,
  needDx: boolean,
): { grads: Tensor[]; dx: Tensor2D | null } {
  const n = c.x.shape[0];
  const { heads, out: f } = layer;
  const dPre = elu
    ? tf.mul(dOut, tf.where(tf.greater(c.pre, 0), tf.onesLike(c.pre), tf.add(c.out, 1)))
    : dOut;
  const dBias = tf.sum(dPre, 0);
  const d3 = (
    layer.concat
      ? tf.reshape(dPre, [n, heads, f])
      : tf.tile(tf.expandDims(tf.mul(dPre, 1 / heads), 1), [1, heads, 1])
  ) as Tensor3D;
  const d2 = tf.reshape(d3, [n, heads * f]) as Tensor2D;
  const dSkip = matMulTA(tf, c.x, d2);
  const { dAlpha, dP } = attendBackward(tf, gt, c.alpha, c.proj, heads, d3);
  const dAct = tf.mul(c.alpha, tf.sub(dAlpha, tf.sum(tf.mul(c.alpha, dAlpha), 1, true)));
  const dScores = tf.mul(
    dAct,
    tf.where(tf.greater(c.scores, 0), tf.onesLike(c.scores), tf.fill(c.scores.shape, LEAK)),
  );
  const dSTrg = tf.sum(dScores, 1); // [n, heads]
  const dSSrc = neighbourGatherBackward(tf, gt, dScores as Tensor3D); // [n, heads]
  const p3 = tf.reshape(c.proj, [n, heads, f]);
  const dASrc = tf.sum(tf.mul(tf.expandDims(dSSrc, 2), p3), 0);
  const dATrg = tf.sum(tf.mul(tf.expandDims(dSTrg, 2), p3), 0);
  const dProj = tf.add(
    dP,
    tf.reshape(
      tf.add(tf.mul(tf.expandDims(dSSrc, 2), layer.aSrc), tf.mul(tf.expandDims(dSTrg, 2), layer.aTrg)),
      [n, heads * f],
    ),
  ) as Tensor2D;
  const dW = matMulTA(tf, c.x, dProj);
  const dx = needDx
    ? (tf.add(matMulTB(tf, dProj, layer.w as Tensor2D), matMulTB(tf, d2, layer.skip as Tensor2D)) as Tensor2D)
    : null;
  return { grads: [dW, dASrc, dATrg, dSkip, dBias], dx };
}

/** One GAT layer (inference) on a graph without self loops: [n, heads*out] (concat) or [n, out] (mean). */
export function gatLayer(tf: Tf, gt: GraphTensors, x: Tensor2D, layer: GatLayerVars, elu: boolean): Tensor2D {
  return tf.tidy(() => layerForward(tf, gt, x, layer, elu).out);
}

export interface GatVars {
  readonly layer1: GatLayerVars;
  readonly layer2: GatLayerVars;
}

/** The reference's two-layer GAT: in -> hidden x heads (concat, ELU) -> latent (mean over heads). */
export function initGat(
  tf: Tf,
  rng: Rng,
  inDim: number,
  hidden: number,
  latent: number,
  heads: number,
): GatVars {
  return {
    layer1: initGatLayer(tf, rng, inDim, hidden, heads, true),
    layer2: initGatLayer(tf, rng, hidden * heads, latent, heads, false),
  };
}

export function gatEncode(tf: Tf, gt: GraphTensors, x: Tensor2D, vars: GatVars): Tensor2D {
  return tf.tidy(() => gatLayer(tf, gt, gatLayer(tf, gt, x, vars.layer1, true), vars.layer2, false));
}

/** One training step (forward + written-out backward); gradients in the order of `gatVariables`. */
export function gatStep(
  tf: Tf,
  gt: GraphTensors,
  x: Tensor2D,
  vars: GatVars,
  recon: EmbeddingLoss,
): StepResult {
  return tf.tidy(() => {
    const c1 = layerForward(tf, gt, x, vars.layer1, true);
    const c2 = layerForward(tf, gt, c1.out, vars.layer2, false);
    const r = recon(c2.out);
    const b2 = layerBackward(tf, gt, vars.layer2, c2, r.dZ, false, true);
    const b1 = layerBackward(tf, gt, vars.layer1, c1, b2.dx!, true, false);
    return {
      loss: r.loss,
      terms: tf.stack([r.loss, tf.scalar(0)]) as Tensor1D,
      grads: [...b1.grads, ...b2.grads] as Tensor2D[],
    };
  });
}

export function gatVariables(vars: GatVars): Variable[] {
  return [vars.layer1, vars.layer2].flatMap((l) => [l.w, l.aSrc, l.aTrg, l.skip, l.bias]);
}

export function disposeGat(vars: GatVars): void {
  for (const v of gatVariables(vars)) v.dispose();
}
