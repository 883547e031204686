/** Synthetic Gaussian blobs for the clustering tests (not used by the app). */
import { denseMatrix, type DenseMatrix } from '../matrix/dense.ts';
import { createRng } from '../rng.ts';

/** Gaussian blobs (sd `spread`) around the given centres, `perBlob` points each, blob by blob. */
export function blobs(
  centres: number[][],
  perBlob: number,
  spread: number,
  seed: number,
): { data: DenseMatrix; truth: Int32Array } {
  const rng = createRng(seed);
  const d = centres[0]!.length;
  const n = centres.length * perBlob;
  const x = new Float32Array(n * d);
  const truth = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const b = Math.floor(i / perBlob);
    truth[i] = b;
    for (let f = 0; f < d; f++) x[i * d + f] = centres[b]![f]! + spread * rng.normal();
  }
  return { data: denseMatrix(n, d, x), truth };
}
