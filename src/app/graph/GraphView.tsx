/**
 * The live cell graph: cells at their UMAP positions coloured by cluster, kNN edges drawn by weight (sigma 3 +
 * graphology, WebGL). Hover a cell for its id, cluster and degree; click a cluster in the legend (or a cell,
 * or Enter/Space on a focused legend button) to highlight it, again to clear. Above 10,000 cells only the
 * highlighted cluster's edges are drawn, and the drawing is not sigma's: the cells are drawn on a canvas by a
 * worker (large-graph-renderer.ts), with the same hover, highlight, zoom/pan and PNG export, so that the
 * page's thread does no per-cell work at 100,000 cells.
 *
 * Plain-data props, no store access. New `positions` move the nodes in place (the renderer is never rebuilt
 * per frame); a new cell count or edge list rebuilds the graph. The imperative handle exports a PNG.
 */
import { useCallback, useEffect, useImperativeHandle, useMemo, useRef, useState, type Ref } from 'react';
import type { EdgeList } from '../../contract/common.ts';
import {
  LARGE_GRAPH_CELLS,
  clusterName,
  clusterSizes,
  graphSummary,
  toUndirected,
  usesLargeView,
} from './graph-data.ts';
import { CellGraphRenderer, graphToPngBlob, type GraphHover } from './graph-renderer.ts';
import { LargeGraphRenderer } from './large-graph-renderer.ts';
import { UNASSIGNED_COLOR, clusterColor } from '../../layout/palette.ts';
import { formatInt } from '../shared/format.ts';
import './graph-view.css';
import { errorMessage } from '../shared/error-message.ts';

export interface GraphViewProps {
  nCells: number;
  /** Cell ids, index-aligned with the cells (shown on hover). */
  cellIds: readonly string[];
  /** nCells x 2 layout positions, or null while the layout is pending. */
  positions: Float32Array | null;
  /** Cluster of each cell (0-based; negative = unassigned), or null before clustering. */
  labels: Int32Array | null;
  /** Display names by cluster index; default "Cluster 1", "Cluster 2", ... */
  clusterNames?: readonly string[];
  /** The cell graph (directed or undirected, repeats merged), or null before it exists. */
  edges: EdgeList | null;
  title?: string;
  /** Height of the drawing in CSS pixels (default 480; sigma needs a non-zero size). */
  height?: number;
  ref?: Ref<GraphViewHandle>;
}

export interface GraphViewHandle {
  /** The current drawing (with title and cluster legend) as a PNG on a white background. */
  toPngBlob(): Promise<Blob>;
  /** Zoom and pan back to the whole graph. */
  resetView(): void;
}

export function GraphView({
  nCells,
  cellIds,
  positions,
  labels,
  clusterNames,
  edges,
  title,
  height = 480,
  ref,
}: GraphViewProps) {
  const rendererRef = useRef<CellGraphRenderer | LargeGraphRenderer | null>(null);
  const labelsRef = useRef<Int32Array | null>(labels);
  const [error, setError] = useState<string | null>(null);
  const [hover, setHover] = useState<GraphHover | null>(null);
  const [selected, setSelected] = useState<number | null>(null);

  const large = usesLargeView(nCells);
  // The large view merges the edges in its worker (1,000,000 kNN edges take a long task here) and sends
  // back their count and the degrees.
  const undirected = useMemo(() => (large ? null : toUndirected(nCells, edges)), [large, nCells, edges]);
  const [largeGraph, setLargeGraph] = useState<{ nCells: number; nEdges: number; degree: Int32Array } | null>(
    null,
  );
  const largeInfo = large && largeGraph?.nCells === nCells ? largeGraph : null;
  const { sizes, unassigned } = useMemo(() => clusterSizes(labels, nCells), [labels, nCells]);
  const clusters = useMemo(
    () =>
      sizes.flatMap((size, c) =>
        size > 0 ? [{ c, size, name: clusterName(c, clusterNames), color: clusterColor(c) }] : [],
      ),
    [sizes, clusterNames],
  );
  // A selection that no longer exists (new clustering) is ignored rather than reset.
  const active = selected !== null && (sizes[selected] ?? 0) > 0 ? selected : null;
  const nEdges = undirected ? undirected.src.length : (largeInfo?.nEdges ?? null);
  const degree = undirected?.degree ?? largeInfo?.degree ?? null;
  const summary = graphSummary(nCells, clusters.length, nEdges);
  const hasLayout = positions !== null && positions.length === nCells * 2;

  const toggle = useCallback((c: number) => setSelected((s) => (s === c ? null : c)), []);

  useEffect(() => {
    labelsRef.current = labels;
  }, [labels]);

  const figureRef = useRef<HTMLElement | null>(null);
  // The renderer lives as long as its container element: created when React attaches it, killed on detach.
  const containerRef = useCallback(
    (el: HTMLDivElement | null) => {
      if (!el) return;
      let renderer: CellGraphRenderer | LargeGraphRenderer;
      const onClickNode = (i: number) => {
        const c = labelsRef.current?.[i];
        if (c !== undefined && c >= 0) toggle(c);
      };
      try {
        renderer = large
          ? new LargeGraphRenderer(el, {
              onHover: setHover,
              onClickNode,
              onDrawn: (nodes, drawnEdges) => {
                // What is actually drawn, for tests and tools (as the sigma path below).
                figureRef.current?.setAttribute('data-drawn-nodes', String(nodes));
                figureRef.current?.setAttribute('data-drawn-edges', String(drawnEdges));
              },
              onGraph: setLargeGraph,
              onError: setError,
            })
          : new CellGraphRenderer(el, { onHover: setHover, onClickNode });
      } catch (e) {
        setError(errorMessage(e));
        return;
      }
      rendererRef.current = renderer;
      setError(null);
      return () => {
        renderer.destroy();
        if (rendererRef.current === renderer) rendererRef.current = null;
        setHover(null);
      };
    },
    [toggle, large],
  );

  useEffect(() => {
    const renderer = rendererRef.current;
    if (!(renderer instanceof LargeGraphRenderer)) return;
    // The worker draws asynchronously and reports what it drew (onDrawn).
    renderer.update({ nCells, edges, positions, labels, selected: active });
  }, [nCells, edges, positions, labels, active, large]);

  useEffect(() => {
    const renderer = rendererRef.current;
    if (!(renderer instanceof CellGraphRenderer) || !undirected) return;
    renderer.update({ nCells, edges: undirected, positions, labels, selected: active });
    // What is actually drawn, for tests and tools: nodes and edges in sigma's graph.
    const graph = renderer.getSigma().getGraph();
    figureRef.current?.setAttribute('data-drawn-nodes', String(graph.order));
    figureRef.current?.setAttribute('data-drawn-edges', String(graph.size));
  }, [nCells, undirected, positions, labels, active, large]);

  // The large view's canvas is named by the summary (sigma's canvases sit inside the labelled figure).
  useEffect(() => {
    const renderer = rendererRef.current;
    if (renderer instanceof LargeGraphRenderer)
      renderer.setLabel(
        `${summary}. Cells coloured by cluster; hover a cell for its id, click it to highlight its cluster.`,
      );
  }, [summary, large]);

  const pngTitle = title ?? summary;
  useImperativeHandle(
    ref,
    () => ({
      toPngBlob: () => {
        const renderer = rendererRef.current;
        if (!renderer) return Promise.reject(new Error(error ?? 'The cell graph is not drawn yet.'));
        const options = {
          title: pngTitle,
          legend: [
            ...clusters.map(({ name, size, color }) => ({ label: `${name} (${formatInt(size)})`, color })),
            ...(unassigned > 0
              ? [{ label: `Unassigned (${formatInt(unassigned)})`, color: UNASSIGNED_COLOR }]
              : []),
          ],
        };
        return renderer instanceof LargeGraphRenderer
          ? renderer.toPngBlob(options)
          : graphToPngBlob(renderer.getSigma(), options);
      },
      resetView: () => rendererRef.current?.resetView(),
    }),
    [error, pngTitle, clusters, unassigned],
  );

  const hovered = hover && hover.index >= 0 && hover.index < nCells ? hover : null;
  const activeCluster = clusters.find((k) => k.c === active);

  return (
    <figure
      ref={figureRef}
      className="graph-view"
      role="figure"
      aria-label={summary}
      data-testid="graph-view"
      data-view={large ? 'large' : 'sigma'}
    >
      <figcaption className="graph-caption">
        {title && <span className="graph-title">{title}</span>}
        <span className="muted" data-testid="graph-summary">
          {summary}
        </span>
      </figcaption>
      <div className="graph-stage" style={{ height }}>
        <div className="graph-canvas" ref={containerRef} data-testid="graph-canvas" />
        {hovered && (
          <div
            className="graph-tooltip"
            role="tooltip"
            data-testid="graph-tooltip"
            style={{
              left: hovered.x,
              top: hovered.y,
              transform: `translate(${hovered.x > hovered.width - 220 ? 'calc(-100% - 12px)' : '12px'}, 12px)`,
            }}
          >
            <strong>{cellIds[hovered.index] ?? `Cell ${hovered.index + 1}`}</strong>
            <br />
            {cellClusterText(labels, hovered.index, clusterNames)}
            <br />
            {degree ? `Degree ${formatInt(degree[hovered.index] ?? 0)}` : 'Degree being counted'}
          </div>
        )}
        {error && (
          <div className="graph-error" role="alert">
            {error}
          </div>
        )}
        {!error && nCells === 0 && <div className="graph-empty">No cells to draw yet.</div>}
      </div>
      <div className="graph-controls">
        {clusters.length > 0 ? (
          <ul className="graph-legend" aria-label="Clusters: press one to highlight it">
            {clusters.map(({ c, size, name, color }) => (
              <li key={c}>
                <button
                  type="button"
                  className="graph-legend-item"
                  aria-pressed={active === c}
                  onClick={() => toggle(c)}
                  data-testid={`legend-${c}`}
                >
                  <span className="graph-swatch" style={{ background: color }} aria-hidden="true" />
                  {name} <span className="graph-legend-size">{formatInt(size)}</span>
                </button>
              </li>
            ))}
            {unassigned > 0 && (
              <li className="graph-legend-static">
                <span className="graph-swatch" style={{ background: UNASSIGNED_COLOR }} aria-hidden="true" />
                Unassigned <span className="graph-legend-size">{formatInt(unassigned)}</span>
              </li>
            )}
          </ul>
        ) : (
          <p className="graph-note">
            {labels ? 'No clusters.' : 'Clusters appear once the cells are clustered.'}
          </p>
        )}
        <button
          type="button"
          className="secondary graph-reset"
          onClick={() => rendererRef.current?.resetView()}
          disabled={!!error}
        >
          Reset view
        </button>
      </div>
      <p className="graph-note graph-status" aria-live="polite" data-testid="graph-status">
        {activeCluster
          ? `Highlighting ${activeCluster.name} (${formatInt(activeCluster.size)} cells); press it again to show all.`
          : ''}
      </p>
      {large && (
        <p className="graph-note" data-testid="graph-large-note">
          Over {formatInt(LARGE_GRAPH_CELLS)} cells: edges are drawn only for the highlighted cluster
          {active === null ? '; pick a cluster in the legend to see its edges.' : '.'}
        </p>
      )}
      {!hasLayout && nCells > 0 && (
        <p className="graph-note">
          Layout pending: cells are placed on a spiral until the UMAP layout arrives.
        </p>
      )}
    </figure>
  );
}

function cellClusterText(labels: Int32Array | null, i: number, names: readonly string[] | undefined): string {
  if (!labels) return 'Not clustered yet';
  const c = labels[i];
  return c === undefined || c < 0 ? 'Unassigned' : clusterName(c, names);
}
