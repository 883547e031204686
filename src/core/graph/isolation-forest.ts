/**
 * A small seeded Isolation Forest (Liu, Ting & Zhou 2008) as scikit-learn implements it, for scGNN's
 * `--prunetype KNNgraphML` (reference note §1.5, `graph_function.py:228-254`: `IsolationForest(contamination=
 * 'auto')` fitted on the feature rows of each cell's neighbourhood). Only what that use needs: fit and score
 * the same small set of rows.
 *
 * As sklearn: `n_estimators` trees, each on a subsample of min(256, n) rows drawn without replacement; each tree
 * is an extra-tree with one random non-constant feature per node and a threshold uniform in that feature's
 * (min, max) within the node, grown to depth ceil(log2(subsample)); a sample's path length is its leaf depth
 * plus c(leaf size), the average path length of an unsuccessful BST search; the anomaly score is
 * s = 2^(-E[h] / c(subsample)), and with contamination 'auto' the offset is -0.5, i.e. outlier iff s > 0.5.
 * The random streams differ from numpy's, so individual scores differ from sklearn's; the rule is the same.
 */
import type { Rng } from '../rng.ts';

const EULER_GAMMA = 0.5772156649015329;

/** sklearn `_average_path_length`: c(n) = 2 H(n-1) - 2 (n-1) / n, with c(1) = 0 and c(2) = 1. */
export function averagePathLength(n: number): number {
  if (n <= 1) return 0;
  if (n === 2) return 1;
  return 2 * (Math.log(n - 1) + EULER_GAMMA) - (2 * (n - 1)) / n;
}

/**
 * Anomaly scores s in (0, 1] of the rows `rows` of a row-major matrix (`data`, `cols` features), fitted on those
 * same rows. Outliers (sklearn `predict` = -1 with contamination 'auto') are the rows with s > 0.5.
 */
export function isolationForestScores(
  data: Float32Array,
  cols: number,
  rows: ArrayLike<number>,
  rng: Rng,
  opts: { nEstimators?: number; maxSamples?: number } = {},
): Float64Array {
  const n = rows.length;
  const nEstimators = opts.nEstimators ?? 100;
  const subsample = Math.min(opts.maxSamples ?? 256, n);
  const maxDepth = Math.ceil(Math.log2(Math.max(subsample, 2)));
  const depthSum = new Float64Array(n);
  const scores = new Float64Array(n);
  if (n === 0) return scores;

  // Scratch: a permutation of sample positions (subsampling and node partitions) and of features.
  const pool = new Int32Array(n);
  const features = new Int32Array(cols);
  for (let f = 0; f < cols; f++) features[f] = f;
  // Tree arrays (at most 2^(maxDepth+1) nodes); a leaf has feature -1 and stores its path length.
  const maxNodes = 2 ** (maxDepth + 1);
  const nodeFeature = new Int32Array(maxNodes);
  const nodeThreshold = new Float64Array(maxNodes);
  const nodeLeft = new Int32Array(maxNodes);
  const nodeRight = new Int32Array(maxNodes);
  const nodeValue = new Float64Array(maxNodes);
  const value = (pos: number, f: number): number => data[rows[pos]! * cols + f]!;

  for (let t = 0; t < nEstimators; t++) {
    // Subsample without replacement: partial Fisher-Yates over the positions.
    for (let i = 0; i < n; i++) pool[i] = i;
    for (let i = 0; i < subsample; i++) {
      const j = i + rng.int(n - i);
      const tmp = pool[i]!;
      pool[i] = pool[j]!;
      pool[j] = tmp;
    }
    let nNodes = 0;
    // Build depth-first on pool[lo, hi): returns the node id.
    const build = (lo: number, hi: number, depth: number): number => {
      const id = nNodes++;
      const size = hi - lo;
      let feature = -1;
      let lo_v = 0;
      let hi_v = 0;
      if (size > 1 && depth < maxDepth) {
        // Random features without replacement until one is non-constant in the node (sklearn skips
        // constant features); a node where every feature is constant is a leaf.
        for (let drawn = 0; drawn < cols && feature < 0; drawn++) {
          const j = drawn + rng.int(cols - drawn);
          const f = features[j]!;
          features[j] = features[drawn]!;
          features[drawn] = f;
          let mn = Infinity;
          let mx = -Infinity;
          for (let p = lo; p < hi; p++) {
            const v = value(pool[p]!, f);
            if (v < mn) mn = v;
            if (v > mx) mx = v;
          }
          if (mx > mn) {
            feature = f;
            lo_v = mn;
            hi_v = mx;
          }
        }
      }
      if (feature < 0) {
        nodeFeature[id] = -1;
        nodeValue[id] = depth + averagePathLength(size);
        return id;
      }
      let threshold = lo_v + rng.next() * (hi_v - lo_v);
      // Keep both children non-empty even if rounding put the threshold on max.
      if (threshold >= hi_v) threshold = lo_v;
      // Partition: values <= threshold to the left.
      let mid = lo;
      for (let p = lo; p < hi; p++) {
        if (value(pool[p]!, feature) <= threshold) {
          const tmp = pool[mid]!;
          pool[mid] = pool[p]!;
          pool[p] = tmp;
          mid++;
        }
      }
      nodeFeature[id] = feature;
      nodeThreshold[id] = threshold;
      nodeLeft[id] = build(lo, mid, depth + 1);
      nodeRight[id] = build(mid, hi, depth + 1);
      return id;
    };
    build(0, subsample, 0);
    // Score every row by walking the tree (rows outside the subsample included).
    for (let i = 0; i < n; i++) {
      let node = 0;
      while (nodeFeature[node]! >= 0) {
        node = value(i, nodeFeature[node]!) <= nodeThreshold[node]! ? nodeLeft[node]! : nodeRight[node]!;
      }
      depthSum[i]! += nodeValue[node]!;
    }
  }
  const denominator = nEstimators * averagePathLength(subsample);
  for (let i = 0; i < n; i++) scores[i] = denominator > 0 ? 2 ** (-depthSum[i]! / denominator) : 0.5;
  return scores;
}
