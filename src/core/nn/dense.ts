/**
 * The fully connected layer of the scGNN autoencoders (reference `v1:model.py:5-25`, `nn.Linear` followed by
 * ReLU; reference note §1.4), written so that its backward pass is fast on the TensorFlow.js WASM backend.
 *
 * Why a custom gradient: TensorFlow.js's autodiff gradient of `matMul` uses transposed products
 * (`dy · Wᵀ` as `matMul(dy, W, false, true)` and `xᵀ · dy` as `matMul(x, dy, true, false)`). On the WASM
 * backend those run ~12x slower than a plain product. An explicit `transpose` followed by a plain
 * product is several times faster, so `dense` uses `tf.customGrad` with exactly that. Where transposing the
 * weight costs more than transposing the (small) batch, the input gradient is computed as `(W · dyᵀ)ᵀ`.
 *
 * A second saving: the first layer of an autoencoder sees data, not an upstream activation, so it never
 * needs `dx`. With `inputGrad: false` the input is closed over instead of being a customGrad input, and the
 * batch x genes x hidden product for `dx` is skipped.
 *
 * Weights are stored `[in, out]`, so the forward pass is `x · W + b` with no transpose.
 *
 * `denseBackward` is also used directly by the training loop (train.ts), which backpropagates by hand through
 * the four layers, so training needs no tf gradient registry at all.
 *
 * The training loop's forward pass (`denseTrainForward`) also avoids XNNPACK's weight packing: the WASM
 * matMul packs its right operand into blocks on every call where that tensor is new, and the weights are new
 * after every Adam step. For a small batch, packing W (in x out) costs as much as the product itself, so
 * below the break-even batch, for layers that narrow (in > out), the product is computed as (Wᵀ · xᵀ)ᵀ, whose
 * packed operand is the small xᵀ. The transposes it needs are returned and reused by the backward pass (xᵀ
 * for dW = xᵀ · dPre, Wᵀ for dx).
 *
 * Decision: docs/decisions/dense-custom-gradient.md
 */
import type * as tfc from '@tensorflow/tfjs-core';
import type { Tf } from '../pipeline/context.ts';

export type Activation = 'relu' | 'linear';
export type GradientMode = 'custom' | 'autodiff';

export interface DenseOptions {
  readonly activation: Activation;
  /** Whether the gradient with respect to `x` is needed (false for the first layer: its input is data). */
  readonly inputGrad: boolean;
  /** 'custom' (default): explicit transposes + plain products; 'autodiff': tf's own gradient (for comparison). */
  readonly gradient?: GradientMode;
}

/** `act(x · W + b)`. */
export function denseForward(
  tf: Tf,
  x: tfc.Tensor2D,
  w: tfc.Tensor2D,
  b: tfc.Tensor1D,
  act: Activation,
): tfc.Tensor2D {
  const pre = tf.add(tf.matMul(x, w), b) as tfc.Tensor2D;
  return act === 'relu' ? tf.relu(pre) : pre;
}

/**
 * `dy · Wᵀ` without a transposed matMul. Transposing W costs in·out element moves (plus packing the fresh
 * Wᵀ); transposing dy and the result costs batch·(in+out). The first wins for small layers, the second for
 * the 512 x genes output layer at batch sizes below ~800 (measured for W 512x2000: batch 500: 41 ms vs
 * 47 ms; batch 1000: 63 vs 61; batch 2000: 143 vs 112), hence the factor 2. A Wᵀ the forward pass already
 * made is reused.
 */
function inputGradient(tf: Tf, dy: tfc.Tensor2D, w: tfc.Tensor2D, wT?: tfc.Tensor2D): tfc.Tensor2D {
  const [inDim, outDim] = w.shape;
  const batch = dy.shape[0];
  if (2 * inDim * outDim <= batch * (inDim + outDim)) return tf.matMul(dy, wT ?? tf.transpose(w));
  return tf.transpose(tf.matMul(w, tf.transpose(dy))) as tfc.Tensor2D;
}

/** A training forward pass: the output, and the transposes it made (reused by `denseBackward`). */
export interface DenseForwardCache {
  readonly y: tfc.Tensor2D;
  /** xᵀ (in x batch), when computed. */
  readonly xT?: tfc.Tensor2D;
  /** Wᵀ (out x in), when computed. */
  readonly wT?: tfc.Tensor2D;
}

/**
 * `act(x · W + b)` for training: for in > out below the break-even batch (batch·(in+out) ≤ in·out) as
 * (Wᵀ · xᵀ)ᵀ, see the file comment; `xT` is x's transpose when the caller already has it (e.g. a fixed full batch).
 */
export function denseTrainForward(
  tf: Tf,
  x: tfc.Tensor2D,
  w: tfc.Tensor2D,
  b: tfc.Tensor1D,
  act: Activation,
  xT?: tfc.Tensor2D,
): DenseForwardCache {
  const [inDim, outDim] = w.shape;
  const batch = x.shape[0];
  // Wᵀ only for in > out: the WASM transpose of a matrix with few, long rows ([512, 2000] → [2000, 512]) runs
  // at ~6 ns per element (strided writes of power-of-two length), 10x the other orientation; that would
  // cost more than the packing it avoids.
  if (inDim <= outDim || batch * (inDim + outDim) > inDim * outDim)
    return { y: denseForward(tf, x, w, b, act), xT };
  const xt = xT ?? tf.transpose(x);
  const wT = tf.transpose(w);
  const pre = tf.add(tf.transpose(tf.matMul(wT, xt)), b) as tfc.Tensor2D;
  return { y: act === 'relu' ? tf.relu(pre) : pre, xT: xt, wT };
}

export interface DenseGradients {
  /** Gradient with respect to the input; only when requested. */
  readonly dx?: tfc.Tensor2D;
  readonly dw: tfc.Tensor2D;
  readonly db: tfc.Tensor1D;
}

/**
 * Backward pass of `y = act(x · W + b)` given dL/dy. `mode` 'custom' uses explicit transposes and plain
 * products; 'autodiff' uses the transposed products that tf's registered MatMul gradient runs
 * (`matMul(dy, W, false, true)`, `matMul(x, dy, true, false)`) — kept to measure the difference.
 * `cache` holds transposes the forward pass already made (`denseTrainForward`), reused here.
 */
export function denseBackward(
  tf: Tf,
  dy: tfc.Tensor2D,
  x: tfc.Tensor2D,
  w: tfc.Tensor2D,
  y: tfc.Tensor2D,
  act: Activation,
  needDx: boolean,
  mode: GradientMode = 'custom',
  cache: Omit<DenseForwardCache, 'y'> = {},
): DenseGradients {
  // relu'(pre) = 1 where the output is > 0 (step(0) = 0, as torch uses).
  const dPre: tfc.Tensor2D = act === 'relu' ? tf.mul(dy, tf.step(y)) : dy;
  const db = tf.sum(dPre, 0) as tfc.Tensor1D;
  if (mode === 'autodiff') {
    const dw = tf.matMul<tfc.Tensor2D>(x, dPre, true, false);
    return needDx ? { dx: tf.matMul<tfc.Tensor2D>(dPre, w, false, true), dw, db } : { dw, db };
  }
  const dw = tf.matMul<tfc.Tensor2D>(cache.xT ?? tf.transpose(x), dPre);
  return needDx ? { dx: inputGradient(tf, dPre, w, cache.wT), dw, db } : { dw, db };
}

/**
 * `y = act(x · W + b)` as a differentiable op: gradients flow to W and b, and to x when `inputGrad`.
 * With gradient 'autodiff' the plain ops are returned and tf's registered gradients apply (these need
 * `@tensorflow/tfjs-core/dist/register_all_gradients`, which bundlers and vitest load but plain Node
 * ESM cannot; the custom path needs no registered gradient at all).
 */
export function dense(
  tf: Tf,
  x: tfc.Tensor2D,
  w: tfc.Tensor2D,
  b: tfc.Tensor1D,
  options: DenseOptions,
): tfc.Tensor2D {
  const act = options.activation;
  if (options.gradient === 'autodiff') return denseForward(tf, x, w, b, act);

  if (options.inputGrad) {
    const op = tf.customGrad((...args: unknown[]) => {
      const [xi, wi, bi, save] = args as [tfc.Tensor2D, tfc.Tensor2D, tfc.Tensor1D, tfc.GradSaveFunc];
      const y = denseForward(tf, xi, wi, bi, act);
      save([xi, wi, y]);
      return {
        value: y,
        gradFunc: (dy: tfc.Tensor, saved: tfc.Tensor[]) => {
          const [xs, ws, ys] = saved as [tfc.Tensor2D, tfc.Tensor2D, tfc.Tensor2D];
          const g = denseBackward(tf, dy as tfc.Tensor2D, xs, ws, ys, act, true);
          return [g.dx!, g.dw, g.db];
        },
      };
    });
    return op(x, w, b) as tfc.Tensor2D;
  }

  const op = tf.customGrad((...args: unknown[]) => {
    const [wi, bi, save] = args as [tfc.Tensor2D, tfc.Tensor1D, tfc.GradSaveFunc];
    const y = denseForward(tf, x, wi, bi, act);
    save([x, wi, y]);
    return {
      value: y,
      gradFunc: (dy: tfc.Tensor, saved: tfc.Tensor[]) => {
        const [xs, ws, ys] = saved as [tfc.Tensor2D, tfc.Tensor2D, tfc.Tensor2D];
        const g = denseBackward(tf, dy as tfc.Tensor2D, xs, ws, ys, act, false);
        return [g.dw, g.db];
      },
    };
  });
  return op(w, b) as tfc.Tensor2D;
}
