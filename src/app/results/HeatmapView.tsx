/**
 * The imputation heatmap: the same genes (rows, labelled) and cells (columns, grouped by cluster under a cluster
 * colour strip) before and after imputation, side by side on one shared viridis scale, with a colour-scale
 * legend and a cluster legend.
 *
 * Presentational: takes the `HeatmapData` of src/core/analysis/heatmap.ts and nothing else. Each panel is a
 * canvas drawn at the device pixel ratio from an image computed by `rasterizeHeatmap`, redrawn when its width
 * changes. The canvases are role="img" with a summary of what they show; gene names and legends are text.
 */
import { useEffect, useRef, useState } from 'react';
import type { HeatmapData } from '../../core/analysis/heatmap.ts';
import { clusterColor } from '../../layout/palette.ts';
import { formatInt } from '../shared/format.ts';
import { viridisGradient } from './colormap.ts';
import { heatmapRasterHeight, rasterizeHeatmap } from './heatmap-raster.ts';
import { clusterLabel, formatValue } from './result-format.ts';
import './results.css';

export interface HeatmapViewProps {
  data: HeatmapData;
  /** Display names by cluster index; default "Cluster 1", "Cluster 2", … */
  clusterNames?: readonly string[];
  /** What the values are, for the legend and the summaries (default "log1p expression"). */
  valueLabel?: string;
  /** Height of one gene row in CSS pixels (default 14). */
  rowHeight?: number;
  /** Caption above the panels; default a description of what is shown. */
  caption?: string;
}

const STRIP = 10;
const GAP = 3;

/** One sentence for screen readers: what a panel draws. */
export function heatmapSummary(
  data: HeatmapData,
  panel: string,
  valueLabel: string,
  clusterNames?: readonly string[],
): string {
  const nGenes = data.genes.length;
  const nCells = data.cellIndices.length;
  const clusters = [...new Set(data.clusterOfCell)];
  const genes =
    nGenes <= 8 ? data.genes.join(', ') : `${data.genes.slice(0, 8).join(', ')} and ${nGenes - 8} more`;
  const sampled =
    nCells < data.nCellsTotal ? ` (an evenly spaced sample of ${formatInt(data.nCellsTotal)} cells)` : '';
  const clusterList =
    clusters.length <= 6
      ? clusters.map((c) => clusterLabel(c, clusterNames)).join(', ')
      : `${clusters.length} clusters`;
  return (
    `${panel}: heatmap of ${formatInt(nGenes)} genes (rows: ${genes}) by ${formatInt(nCells)} cells ` +
    `(columns)${sampled}, grouped by cluster (${clusterList}). Colour from dark purple at ` +
    `${formatValue(data.min)} to yellow at ${formatValue(data.max)} ${valueLabel}.`
  );
}

function HeatmapCanvas(props: {
  data: HeatmapData;
  values: Float32Array;
  label: string;
  rowHeight: number;
  testId: string;
}) {
  const { data, values, label, rowHeight, testId } = props;
  const wrapRef = useRef<HTMLDivElement | null>(null);
  const canvasRef = useRef<HTMLCanvasElement | null>(null);
  const [cssWidth, setCssWidth] = useState(0);
  const cssHeight = heatmapRasterHeight(data.genes.length, { rowHeight, stripHeight: STRIP, gap: GAP });

  useEffect(() => {
    const el = wrapRef.current;
    if (!el || typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver((entries) => {
      const w = entries[0]?.contentRect.width ?? el.clientWidth;
      setCssWidth(Math.floor(w));
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas || cssWidth <= 0) return;
    const dpr = Math.max(1, Math.min(3, window.devicePixelRatio || 1));
    const image = rasterizeHeatmap(
      {
        values,
        nGenes: data.genes.length,
        nCells: data.cellIndices.length,
        clusterOfCell: data.clusterOfCell,
        min: data.min,
        max: data.max,
      },
      { width: cssWidth * dpr, rowHeight: rowHeight * dpr, stripHeight: STRIP * dpr, gap: GAP * dpr },
    );
    canvas.width = image.width;
    canvas.height = image.height;
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    ctx.putImageData(new ImageData(image.data, image.width, image.height), 0, 0);
  }, [data, values, cssWidth, rowHeight]);

  return (
    <div className="heatmap-canvas-wrap" ref={wrapRef}>
      <canvas
        ref={canvasRef}
        className="heatmap-canvas"
        role="img"
        aria-label={label}
        data-testid={testId}
        style={{ height: `${cssHeight}px` }}
      />
    </div>
  );
}

export function HeatmapView({
  data,
  clusterNames,
  valueLabel = 'log1p expression',
  rowHeight = 14,
  caption,
}: HeatmapViewProps) {
  const nGenes = data.genes.length;
  const nCells = data.cellIndices.length;
  const clusterCounts = new Map<number, number>();
  for (const c of data.clusterOfCell) clusterCounts.set(c, (clusterCounts.get(c) ?? 0) + 1);

  if (nGenes === 0 || nCells === 0) {
    return (
      <figure className="results-figure" data-testid="heatmap-view">
        <figcaption className="results-caption">{caption ?? 'Imputation heatmap'}</figcaption>
        <p className="muted">No genes or cells to show.</p>
      </figure>
    );
  }

  const defaultCaption =
    `${formatInt(nGenes)} genes × ${formatInt(nCells)} cells` +
    (nCells < data.nCellsTotal ? ` (sampled from ${formatInt(data.nCellsTotal)})` : '') +
    ', grouped by cluster, on one colour scale';
  const labelSize = Math.max(8, Math.min(12, rowHeight - 2));

  return (
    <figure className="results-figure" data-testid="heatmap-view">
      <figcaption className="results-caption">{caption ?? defaultCaption}</figcaption>
      <div className="heatmap-grid">
        <div />
        <div className="heatmap-panel-title">Before imputation</div>
        <div className="heatmap-panel-title">After imputation</div>
        <ol
          className="heatmap-genes"
          aria-label="Genes, top to bottom"
          style={{ paddingTop: `${STRIP + GAP}px`, fontSize: `${labelSize}px` }}
        >
          {data.genes.map((gene, g) => (
            <li key={`${gene}-${g}`} style={{ height: `${rowHeight}px`, lineHeight: `${rowHeight}px` }}>
              {gene}
            </li>
          ))}
        </ol>
        <HeatmapCanvas
          data={data}
          values={data.before}
          rowHeight={rowHeight}
          testId="heatmap-before"
          label={heatmapSummary(data, 'Before imputation', valueLabel, clusterNames)}
        />
        <HeatmapCanvas
          data={data}
          values={data.after}
          rowHeight={rowHeight}
          testId="heatmap-after"
          label={heatmapSummary(data, 'After imputation', valueLabel, clusterNames)}
        />
      </div>
      <div className="heatmap-legends">
        <div className="heatmap-scale" data-testid="heatmap-scale">
          <span className="heatmap-scale-label">{valueLabel}</span>
          <span className="heatmap-scale-value">{formatValue(data.min)}</span>
          <span className="heatmap-scale-bar" style={{ background: viridisGradient() }} aria-hidden="true" />
          <span className="heatmap-scale-value">{formatValue(data.max)}</span>
        </div>
        <ul className="results-cluster-legend" aria-label="Clusters">
          {[...clusterCounts].map(([c, count]) => (
            <li key={c}>
              <span className="results-swatch" style={{ background: clusterColor(c) }} aria-hidden="true" />
              {clusterLabel(c, clusterNames)}{' '}
              <span className="muted">
                ({formatInt(count)}
                {nCells < data.nCellsTotal ? ' shown' : ''})
              </span>
            </li>
          ))}
        </ul>
      </div>
    </figure>
  );
}
