/**
 * The live cell graph while a run is in progress: drawn as a picture in the layout worker (src/layout/graph-preview.ts)
 * and shown with a `bitmaprenderer` canvas, so the page's thread does no drawing work. One picture is
 * requested at a time; positions that arrive meanwhile are drawn next.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import type { GraphSnapshot } from '../../engine/contract.ts';
import { clusterColor } from '../../layout/palette.ts';
import { previewImage } from './layout-client.ts';
import { LARGE_GRAPH_CELLS } from './graph-data.ts';

/** Above `LARGE_GRAPH_CELLS` the preview draws no edges, so none are copied to the worker per frame. */
const NO_EDGES = { from: new Int32Array(0), to: new Int32Array(0), weight: new Float32Array(0) };
import { errorMessage } from '../shared/error-message.ts';

const WIDTH = 720;
const HEIGHT = 480;

export function GraphPreview({
  snapshot,
  positions,
}: {
  snapshot: GraphSnapshot;
  positions: Float32Array | null;
}) {
  const canvasRef = useRef<HTMLCanvasElement | null>(null);
  const busy = useRef(false);
  const next = useRef<{ snapshot: GraphSnapshot; positions: Float32Array } | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!positions || positions.length !== snapshot.nCells * 2) return;
    next.current = { snapshot, positions };
    const pump = () => {
      if (busy.current || !next.current) return;
      const job = next.current;
      next.current = null;
      busy.current = true;
      previewImage({
        width: WIDTH,
        height: HEIGHT,
        positions: job.positions,
        labels: job.snapshot.labels,
        edges: job.snapshot.nCells > LARGE_GRAPH_CELLS ? NO_EDGES : job.snapshot.edges,
      })
        .then((result) => {
          if (!result.ok) {
            // A newer frame or a stopped worker: nothing to show, and nothing wrong.
            if (result.error.code !== 'cancelled')
              setError(`The preview could not be drawn: ${result.error.message}`);
            return;
          }
          const bitmap = result.value;
          const ctx = canvasRef.current?.getContext('bitmaprenderer');
          if (ctx) ctx.transferFromImageBitmap(bitmap);
          else bitmap.close();
          canvasRef.current?.setAttribute('data-drawn-nodes', String(job.snapshot.nCells));
        })
        .catch((e: unknown) => setError(`The preview could not be drawn: ${errorMessage(e)}`))
        .finally(() => {
          busy.current = false;
          pump();
        });
    };
    pump();
  }, [snapshot, positions]);

  // O(N): once per snapshot, not on every render (progress re-renders the panel several times a second).
  const clusters = useMemo(() => {
    const sizes = new Map<number, number>();
    for (const l of snapshot.labels) sizes.set(l, (sizes.get(l) ?? 0) + 1);
    return [...sizes.entries()].sort((a, b) => a[0] - b[0]);
  }, [snapshot.labels]);
  const summary = `Cell graph preview, iteration ${snapshot.iteration}: ${snapshot.nCells} cells, ${clusters.length} clusters, ${snapshot.edges.from.length} edges`;
  return (
    <figure className="graph-preview" data-testid="graph-preview">
      <canvas
        ref={canvasRef}
        width={WIDTH}
        height={HEIGHT}
        role="img"
        aria-label={summary}
        style={{ width: '100%', maxWidth: `${WIDTH}px`, aspectRatio: `${WIDTH} / ${HEIGHT}` }}
      />
      <figcaption>
        {summary}. Drawn off the page&apos;s thread while the run is in progress; the interactive graph
        (hover, highlight, PNG) appears when it finishes.
      </figcaption>
      <ul className="chart-legend" aria-label="Clusters">
        {clusters.map(([c, n]) => (
          <li key={c}>
            <span className="swatch" style={{ background: clusterColor(c) }} aria-hidden="true" />
            Cluster {c} ({n})
          </li>
        ))}
      </ul>
      {error ? <p role="alert">{error}</p> : null}
    </figure>
  );
}
