/** The stage tests' input (not used by the app): 36 cells in 3 groups of 12, each with its own 4 genes. */
import { denseMatrix, type DenseMatrix } from '../../matrix/dense.ts';

export const N = 36;
export const G = 12;
export const truth = Int32Array.from({ length: N }, (_, i) => Math.floor(i / 12));

/** log1p of 10-14 counts on a cell's own group's genes, 0 elsewhere. */
export function groups(): DenseMatrix {
  const x = denseMatrix(N, G);
  for (let i = 0; i < N; i++)
    for (let j = 0; j < G; j++)
      if (Math.floor(j / 4) === truth[i]) x.data[i * G + j] = Math.log1p(10 + ((i * 7 + j * 3) % 5));
  return x;
}
