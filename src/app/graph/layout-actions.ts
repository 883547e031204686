/**
 * The live UMAP layout: after each iteration the page lays out the new embedding in the layout worker (layout-client.ts),
 * starting from the previous positions (same cells) so clusters move rather than jump, and shows the
 * positions as they converge. The final layout is sent to the engine for the UMAP download and the next
 * visit.
 */
import type { GraphSnapshot } from '../../engine/contract.ts';
import { getEngine } from '../shared/engine-client.ts';
import { patchState, useAppStore } from '../store.ts';
import { cancelLayout, layoutCells } from './layout-client.ts';
import { errorMessage } from '../shared/error-message.ts';

let layoutToken = 0;

/** Forget the current layout (a new run or dataset). */
export function resetLayout(): void {
  layoutToken++;
  cancelLayout();
  patchState({ layout: { positions: null, iteration: 0, running: false, error: null } });
}

/** Lay out `snapshot`'s embedding; with `final`, hand the result to the engine. */
export async function layoutSnapshot(
  snapshot: GraphSnapshot,
  options: { final?: boolean } = {},
): Promise<void> {
  const token = ++layoutToken;
  const previous = useAppStore.getState().layout.positions;
  const init = previous && previous.length === snapshot.nCells * 2 ? previous : undefined;
  // The iteration being laid out (positions may still be the previous one's until the first progress).
  patchState({
    layout: { ...useAppStore.getState().layout, iteration: snapshot.iteration, running: true, error: null },
  });
  try {
    // The embedding goes to the layout worker without a copy (layoutCells' giveEmbedding): the page needs it
    // for nothing else. A snapshot is laid out once; should it come again, the engine's copy is asked for.
    const embedding = await usableEmbedding(snapshot);
    if (token !== layoutToken) return;
    const result = await layoutCells(
      {
        nCells: snapshot.nCells,
        dims: snapshot.dims,
        embedding,
        unitRows: snapshot.unitLength === true,
        // umap's kNN from the run's cell graph (src/layout/graph-knn.ts), not searched again in the worker.
        graph: snapshot.edges,
        seed: useAppStore.getState().settings.seed,
        ...(init ? { init } : {}),
      },
      (p) => {
        if (token !== layoutToken) return;
        patchState({
          layout: { positions: p.positions, iteration: snapshot.iteration, running: true, error: null },
        });
      },
      true,
    );
    if (token !== layoutToken) return;
    if (!result.ok) {
      if (result.error.code === 'cancelled') return;
      patchState({
        layout: {
          ...useAppStore.getState().layout,
          running: false,
          error: `The UMAP layout failed: ${result.error.message}`,
        },
      });
      return;
    }
    const positions = result.value;
    patchState({ layout: { positions, iteration: snapshot.iteration, running: false, error: null } });
    const { run } = useAppStore.getState();
    const finalRun =
      options.final || (run.status === 'done' && run.results?.snapshot.iteration === snapshot.iteration);
    if (finalRun) {
      const saved = await getEngine().setLayout(positions);
      if (!saved.ok && token === layoutToken)
        patchState({
          layout: { positions, iteration: snapshot.iteration, running: false, error: saved.error.message },
        });
    }
  } catch (e) {
    if (token !== layoutToken) return;
    patchState({
      layout: {
        ...useAppStore.getState().layout,
        running: false,
        error: `The UMAP layout failed: ${errorMessage(e)}`,
      },
    });
  }
}

/** The snapshot's embedding, or, where it was already handed to the layout worker, the engine's copy. */
async function usableEmbedding(snapshot: GraphSnapshot): Promise<Float32Array> {
  const e = snapshot.embedding;
  if (e.length === snapshot.nCells * snapshot.dims) return e;
  const results = await getEngine().results();
  if (
    results &&
    results.snapshot.iteration === snapshot.iteration &&
    results.snapshot.nCells === snapshot.nCells
  )
    return results.snapshot.embedding;
  throw new Error('the embedding of this iteration is no longer available; run again to lay it out');
}

/**
 * The run has finished with `snapshot` as its last iteration. The live layout of that iteration is reused:
 * one still converging saves itself when done (layoutSnapshot sees the finished run); one already finished is
 * handed to the engine. Only without either is the embedding laid out again.
 */
export async function finishLayout(snapshot: GraphSnapshot): Promise<void> {
  const { layout } = useAppStore.getState();
  const sameCells = layout.positions?.length === snapshot.nCells * 2;
  if (layout.iteration === snapshot.iteration && sameCells) {
    if (layout.running) return;
    const saved = await getEngine().setLayout(layout.positions!);
    if (!saved.ok) patchState({ layout: { ...useAppStore.getState().layout, error: saved.error.message } });
    return;
  }
  await layoutSnapshot(snapshot, { final: true });
}
