/**
 * The scGNN feature autoencoder (reference `v1:model.py:5-25`, `v2:auto_encoders/model.py:15-46`; reference
 * note §1.4): genes → 512 → 128 → 512 → genes with a ReLU after every layer, the bottleneck z (128-d, ≥ 0)
 * included and the output (so the reconstruction is ≥ 0, on the log1p scale of the input).
 *
 * The same architecture serves as the cluster autoencoders (§1.8: cloned from the feature AE) and the
 * imputation autoencoder (§1.10: reset to the feature AE's untrained initial weights, hence `snapshot` /
 * `restore`).
 *
 * Initialisation follows torch's `nn.Linear` default (kaiming-uniform with a = √5): weights and biases
 * U(−1/√fan_in, 1/√fan_in), drawn from the seeded Rng so a seed fixes the run.
 */
import type * as tfc from '@tensorflow/tfjs-core';
import type { Tf } from '../pipeline/context.ts';
import type { Rng } from '../rng.ts';
import { dense, type GradientMode } from './dense.ts';

export interface AutoencoderShape {
  readonly nGenes: number;
  /** 512 in the reference. */
  readonly hidden: number;
  /** 128 in the reference. */
  readonly latent: number;
}

export interface AutoencoderOptions {
  /** Gradient of the dense layers: 'custom' (fast on WASM, default) or tf's 'autodiff' (for benchmarks). */
  readonly gradient?: GradientMode;
  /**
   * Activation of the bottleneck z: 'relu' as the reference (model.py), or 'linear'. With ReLU most of the 128
   * units can end up zero for every cell (dead), leaving a ~20-dimensional embedding.
   */
  readonly latentActivation?: 'relu' | 'linear';
  /**
   * Added to the bottleneck biases at initialisation (default 0: torch's init). A small positive offset starts
   * every z unit active, so fewer of them die under ReLU before they have learnt anything.
   */
  readonly latentBiasInit?: number;
}

export interface Autoencoder {
  readonly shape: AutoencoderShape;
  readonly options: AutoencoderOptions;
  /** [W1, b1, W2, b2, W3, b3, W4, b4], weights stored [in, out]. */
  readonly variables: tfc.Variable[];
  encode(x: tfc.Tensor2D): tfc.Tensor2D;
  decode(z: tfc.Tensor2D): tfc.Tensor2D;
  forward(x: tfc.Tensor2D): { z: tfc.Tensor2D; recon: tfc.Tensor2D };
}

export interface AutoencoderSnapshot {
  readonly shape: AutoencoderShape;
  readonly options: AutoencoderOptions;
  /** Values of `variables`, in order. */
  readonly weights: Float32Array[];
}

export const referenceShape = (nGenes: number): AutoencoderShape => ({ nGenes, hidden: 512, latent: 128 });

/** [in, out] of the four layers. */
function layerDims(s: AutoencoderShape): [number, number][] {
  return [
    [s.nGenes, s.hidden],
    [s.hidden, s.latent],
    [s.latent, s.hidden],
    [s.hidden, s.nGenes],
  ];
}

function build(shape: AutoencoderShape, options: AutoencoderOptions, variables: tfc.Variable[], tf: Tf) {
  const v = (i: number): tfc.Variable => variables[i]!;
  const gradient = options.gradient ?? 'custom';
  // The encoder's input is data: no gradient flows to it (saves a batch x genes x hidden product).
  const encode = (x: tfc.Tensor2D): tfc.Tensor2D =>
    tf.tidy(() => {
      const h = dense(tf, x, v(0) as tfc.Tensor2D, v(1) as tfc.Tensor1D, {
        activation: 'relu',
        inputGrad: false,
        gradient,
      });
      return dense(tf, h, v(2) as tfc.Tensor2D, v(3) as tfc.Tensor1D, {
        activation: options.latentActivation ?? 'relu',
        inputGrad: true,
        gradient,
      });
    });
  const decode = (z: tfc.Tensor2D): tfc.Tensor2D =>
    tf.tidy(() => {
      const h = dense(tf, z, v(4) as tfc.Tensor2D, v(5) as tfc.Tensor1D, {
        activation: 'relu',
        inputGrad: true,
        gradient,
      });
      return dense(tf, h, v(6) as tfc.Tensor2D, v(7) as tfc.Tensor1D, {
        activation: 'relu',
        inputGrad: true,
        gradient,
      });
    });
  const ae: Autoencoder = {
    shape,
    options,
    variables,
    encode,
    decode,
    forward: (x) => {
      const z = encode(x);
      return { z, recon: decode(z) };
    },
  };
  return ae;
}

/** A fresh autoencoder with torch-default initialisation drawn from `rng`. */
export function createAutoencoder(
  shape: AutoencoderShape,
  tf: Tf,
  rng: Rng,
  options: AutoencoderOptions = {},
): Autoencoder {
  const weights: Float32Array[] = [];
  layerDims(shape).forEach(([fanIn, fanOut], layer) => {
    const bound = 1 / Math.sqrt(fanIn);
    const w = new Float32Array(fanIn * fanOut);
    for (let i = 0; i < w.length; i++) w[i] = (2 * rng.next() - 1) * bound;
    const b = new Float32Array(fanOut);
    const offset = layer === 1 ? (options.latentBiasInit ?? 0) : 0;
    for (let i = 0; i < b.length; i++) b[i] = (2 * rng.next() - 1) * bound + offset;
    weights.push(w, b);
  });
  return restore({ shape, options, weights }, tf);
}

/** An independent copy (the cluster autoencoders start from the feature autoencoder's current weights). */
export function cloneAutoencoder(ae: Autoencoder, tf: Tf): Autoencoder {
  const variables = ae.variables.map((v) => tf.tidy(() => tf.variable(tf.clone(v), true)));
  return build(ae.shape, ae.options, variables, tf);
}

/** The weights as plain arrays (e.g. the untrained initial weights the imputation AE restarts from). */
export async function snapshot(ae: Autoencoder): Promise<AutoencoderSnapshot> {
  const weights = await Promise.all(ae.variables.map(async (v) => new Float32Array(await v.data())));
  return { shape: ae.shape, options: ae.options, weights };
}

/** A new autoencoder holding the snapshot's weights. */
export function restore(snap: AutoencoderSnapshot, tf: Tf): Autoencoder {
  const dims = layerDims(snap.shape);
  if (snap.weights.length !== 2 * dims.length)
    throw new RangeError(`snapshot has ${snap.weights.length} arrays, expected ${2 * dims.length}`);
  const variables = snap.weights.map((data, i) => {
    const [fanIn, fanOut] = dims[i >> 1]!;
    const shape = i % 2 === 0 ? [fanIn, fanOut] : [fanOut];
    const expected = i % 2 === 0 ? fanIn * fanOut : fanOut;
    if (data.length !== expected)
      throw new RangeError(`snapshot array ${i} has ${data.length} values, expected ${expected}`);
    return tf.tidy(() => tf.variable(tf.tensor(data, shape, 'float32'), true));
  });
  return build(snap.shape, snap.options, variables, tf);
}

export function disposeAutoencoder(ae: Autoencoder): void {
  for (const v of ae.variables) v.dispose();
}
