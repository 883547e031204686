/**
 * The imputation, one function per `impute.mode`: 'zero-inflated' (every entry's posterior mean under a
 * zero-inflated negative binomial with the cell's graph neighbourhood as its mean; the default), 'graph' (each
 * zero from the cell's graph neighbours),
 * 'closed-loop' (scGNN 2.0: the cluster autoencoders' reconstruction), 'scgnn1' (a fresh autoencoder from the
 * feature AE's initial weights, with the graph and cell-type regularisers).
 */
import { degrees, type CellGraph } from '../../graph/cell-graph.ts';
import { impute } from '../../impute/impute.ts';
import { imputeZeroInflated } from '../../impute/zero-inflated.ts';
import type { DenseMatrix } from '../../matrix/dense.ts';
import {
  disposeAutoencoder,
  restore,
  type Autoencoder,
  type AutoencoderSnapshot,
} from '../../nn/autoencoder.ts';
import type { CsrMatrix } from '../../matrix/csr.ts';
import {
  computedRows,
  csrRows,
  denseRowMatrix,
  mapComputedRows,
  type MatrixRows,
  type RowMatrix,
} from '../../matrix/rows.ts';
import { unscaleLog1p, unscaleLog1pRow } from '../../preprocess/normalise.ts';
import { denseOf, type TrainRows } from '../../nn/model-rows.ts';
import { embedAndReconstruct, trainAutoencoder, trainClusterAutoencoders } from '../../nn/train.ts';
import type { StageContext } from '../context.ts';
import type { ScgnnParams } from '../params.ts';
import type { RunContext } from '../run-context.ts';

export interface ImputeInputs {
  /** The trained feature autoencoder. */
  readonly ae: Autoencoder;
  /** The feature autoencoder's weights before any training. */
  readonly initial: AutoencoderSnapshot;
  /** The model input X, cells x genes: sparse (its non-zeros, log1p values) or dense. */
  readonly x: DenseMatrix | CsrMatrix;
  /** Library-size factors s_i of x = ln(1 + s_i·c) (absent: x = ln(1 + c)). */
  readonly scale?: Float64Array;
  /**
   * The feature AE's last reconstruction of X: rows computed per batch from the model (or a dense matrix);
   * a mode that needs it whole reads it with `denseOf`.
   */
  readonly recon: TrainRows;
  readonly graph: CellGraph;
  readonly labels: Int32Array;
}

export type ImputeMode = ScgnnParams['impute']['mode'];

/** An imputation: one dense matrix, or rows made when read (`computedRows`), on X's scale. */
type ImputeStage = (
  inputs: ImputeInputs,
  params: ScgnnParams,
  run: RunContext,
) => Promise<DenseMatrix | RowMatrix>;

/** 'graph': zeros filled from the cell's neighbours in the cell graph (src/core/impute). */
export const imputeOnGraph: ImputeStage = (inputs, params, run) =>
  run.timed('impute', 'Imputation on the cell graph', async () => {
    const { recon, ctx } = await reconstruction(inputs, params, run);
    return impute(
      { x: inputs.x, recon, graph: inputs.graph, labels: inputs.labels },
      params.impute.graph,
      ctx,
    );
  });

/** Share of the imputation's progress bar for reading the reconstruction whole. */
const RECON_SHARE = 0.1;

/**
 * The reconstruction as one dense matrix (the first part of the imputation's progress), where the level
 * estimate can fall back to it: without the gene pseudo-count (geneShrink 0) or with the 'recon' method.
 * Otherwise (the defaults) it is never read, and not made.
 */
const reconstruction = async (
  inputs: ImputeInputs,
  params: ScgnnParams,
  run: RunContext,
): Promise<{ recon: DenseMatrix | undefined; ctx: StageContext }> => {
  const g = params.impute.graph;
  if (g.geneShrink > 0 && g.method !== 'recon')
    return { recon: undefined, ctx: run.stageCtx('impute', 'impute') };
  const readCtx = run.stageCtx('impute-recon', 'impute', [0, RECON_SHARE]);
  const recon = await denseOf(run.ctx.tf, inputs.recon, readCtx);
  return { recon, ctx: run.stageCtx('impute', 'impute', [RECON_SHARE, 1]) };
};

/** X as rows, for the modes that train on it. */
const xRows = (inputs: ImputeInputs): MatrixRows => ('nRows' in inputs.x ? csrRows(inputs.x) : inputs.x);

/** 'zero-inflated': ZINB posterior means with the graph neighbourhood as prior (src/core/impute/zero-inflated.ts). */
export const imputeZeroInflatedStage: ImputeStage = (inputs, params, run) =>
  run.timed('impute', 'Imputation (zero-inflated, cell graph)', async () => {
    const { recon, ctx } = await reconstruction(inputs, params, run);
    const imputer = await imputeZeroInflated(
      { x: inputs.x, scale: inputs.scale, recon, graph: inputs.graph },
      params.impute.zeroInflated,
      params.impute.graph,
      ctx,
    );
    // Each cell's row is made when read: nothing cells x genes is held until a consumer asks for it whole.
    return computedRows(imputer.nCells, imputer.nGenes, imputer.row);
  });

/**
 * 'closed-loop' (scGNN 2.0): the cluster autoencoders' reconstruction of the last recon is the imputation;
 * with `clusterAe.observedWeight` > 0 their observed term fits the non-zeros of X (reference note §2.2).
 */
export const imputeClosedLoop: ImputeStage = (inputs, params, run) =>
  run.timed('impute', 'Imputation (closed loop: cluster autoencoders)', async () => {
    const observed = (params.clusterAe.observedWeight ?? 0) > 0 ? { observed: xRows(inputs) } : {};
    return (
      await trainClusterAutoencoders(
        inputs.ae,
        { x: inputs.recon, ...observed },
        inputs.labels,
        params.clusterAe,
        run.stageCtx('impute', 'impute'),
      )
    ).recon;
  });

/** 'scgnn1': an autoencoder from the initial weights trained on X with the graph and cell-type weights. */
export const imputeWithAutoencoder: ImputeStage = async (inputs, params, run) => {
  const { tf } = run.ctx;
  const cellWeights = imputationCellWeights(inputs.graph, inputs.labels, params);
  const model = restore(inputs.initial, tf);
  try {
    return await run.timed('impute', 'Imputation autoencoder', async () => {
      await trainAutoencoder(
        model,
        { x: xRows(inputs) },
        { ...params.impute.train, cellWeights },
        run.stageCtx('impute', 'impute', [0, 0.95]),
        'impute-ae',
      );
      return (
        await embedAndReconstruct(
          model,
          xRows(inputs),
          tf,
          undefined,
          run.stageCtx('impute-embed', 'impute', [0.95, 1]),
        )
      ).recon;
    });
  } finally {
    disposeAutoencoder(model);
  }
};

const imputeStages: Readonly<Record<ImputeMode, ImputeStage>> = {
  'zero-inflated': imputeZeroInflatedStage,
  graph: imputeOnGraph,
  'closed-loop': imputeClosedLoop,
  scgnn1: imputeWithAutoencoder,
};

/** `imputedRows` as one dense matrix: ln(1 + count), cells x genes. */
export async function imputeByMode(
  inputs: ImputeInputs,
  params: ScgnnParams,
  run: RunContext,
): Promise<DenseMatrix> {
  return (await imputedRows(inputs, params, run)).dense();
}

/**
 * The imputed expression by the configured mode (the last recon when imputation is off), mapped back to
 * ln(1 + count) of the input's own scale when X was library-size scaled: rows read on demand (the default
 * mode makes each when read), or had whole with `dense()`.
 */
export async function imputedRows(
  inputs: ImputeInputs,
  params: ScgnnParams,
  run: RunContext,
): Promise<RowMatrix> {
  const out = params.impute.enabled
    ? await imputeStages[params.impute.mode](inputs, params, run)
    : await denseOf(run.ctx.tf, inputs.recon);
  const { scale } = inputs;
  if ('data' in out) return denseRowMatrix(scale ? unscaleLog1p(out, scale) : out);
  return scale ? mapComputedRows(out, (row, i) => unscaleLog1pRow(row, scale[i]!)) : out;
}

/**
 * Per-cell weights of the imputation loss (reference §1.10): the graph regulariser Σ_ij A_ij e_j is the
 * per-cell error weighted by node degree, the cell-type regulariser Σ_ij C_ij e_j the per-cell error weighted
 * by the size of the cell's cluster. No N x N matrix is needed.
 */
export function imputationCellWeights(
  graph: CellGraph,
  labels: Int32Array,
  params: ScgnnParams,
): Float32Array {
  const deg = degrees(graph);
  const sizes = new Map<number, number>();
  for (const l of labels) sizes.set(l, (sizes.get(l) ?? 0) + 1);
  const w = new Float32Array(labels.length);
  for (let i = 0; i < w.length; i++) {
    w[i] = params.impute.graphWeight * deg[i]! + params.impute.celltypeWeight * sizes.get(labels[i]!)!;
  }
  return w;
}
