/**
 * Flows of cells between two labelings (e.g. the clusters of iteration 1 and of the last iteration, or clusters
 * and uploaded cell types) as a Sankey diagram in SVG: node bars on the left and right with their labels and
 * sizes, links as Bézier bands coloured by their left node. Every band and bar has a <title> tooltip
 * ("A → B: n cells"), and the same flows are available as a table in a disclosure for keyboard and screen-reader
 * users.
 *
 * Presentational: takes the `SankeyData` of src/core/analysis/sankey.ts; geometry in sankey-layout.ts.
 */
import { useEffect, useRef, useState } from 'react';
import type { SankeyData, SankeyNode } from '../../core/analysis/sankey.ts';
import { clusterColor } from '../../layout/palette.ts';
import { formatInt } from '../shared/format.ts';
import { defaultSankeyLabel, sankeyLayout } from './sankey-layout.ts';
import './results.css';

export interface SankeyViewProps {
  data: SankeyData;
  /** Title of the left column, e.g. "Iteration 1". */
  leftTitle: string;
  /** Title of the right column, e.g. "Final clusters" or "Cell types". */
  rightTitle: string;
  caption?: string;
  /**
   * Width used until the container has been measured (and when rendered on the server); then the drawing is laid
   * out at the container's width, so text keeps its size (default 640).
   */
  width?: number;
  /** Height in CSS pixels (default 360). */
  height?: number;
  /** Colour of a left node and its bands (default the cluster palette by node id). */
  leftColor?: (node: SankeyNode, index: number) => string;
  /**
   * Colour of a right node (default a neutral grey: the codes of the two sides are unrelated, so the same
   * palette colour on both would suggest a correspondence that is not there).
   */
  rightColor?: (node: SankeyNode, index: number) => string;
}

const RIGHT_NODE_COLOR = '#7d8896';

function cells(n: number): string {
  return `${formatInt(n)} ${n === 1 ? 'cell' : 'cells'}`;
}

export function SankeyView({
  data,
  leftTitle,
  rightTitle,
  caption,
  width = 640,
  height = 360,
  leftColor = (n) => clusterColor(n.id),
  rightColor = () => RIGHT_NODE_COLOR,
}: SankeyViewProps) {
  const wrapRef = useRef<HTMLDivElement | null>(null);
  const [measured, setMeasured] = useState(0);
  useEffect(() => {
    const el = wrapRef.current;
    if (!el || typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver((entries) => {
      setMeasured(Math.floor(entries[0]?.contentRect.width ?? el.clientWidth));
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  const layout = sankeyLayout(data, { width: measured > 0 ? measured : width, height });
  const summary =
    `Sankey diagram: ${cells(data.total)} flowing from ${data.left.length} groups of ${leftTitle} (left) ` +
    `to ${data.right.length} groups of ${rightTitle} (right) along ${data.links.length} links.`;

  return (
    <figure className="results-figure" data-testid="sankey-view">
      <figcaption className="results-caption">{caption ?? `${leftTitle} → ${rightTitle}`}</figcaption>
      <div ref={wrapRef}>
        {data.total === 0 ? (
          <p className="muted">No cells are labelled on both sides.</p>
        ) : (
          <svg
            className="sankey"
            viewBox={`0 0 ${layout.width} ${layout.height}`}
            width={layout.width}
            height={layout.height}
            role="img"
            aria-label={summary}
            data-testid="sankey-svg"
          >
            <text className="sankey-column-title" x={layout.leftX} y={14} textAnchor="start">
              {leftTitle}
            </text>
            <text className="sankey-column-title" x={layout.rightX} y={14} textAnchor="end">
              {rightTitle}
            </text>
            <g className="sankey-links">
              {layout.links.map((l) => (
                <path
                  key={`${l.source.id}-${l.target.id}`}
                  className="sankey-link"
                  d={l.path}
                  fill={leftColor(l.source, l.sourceIndex)}
                >
                  <title>{`${l.source.label} → ${l.target.label}: ${cells(l.value)}`}</title>
                </path>
              ))}
            </g>
            {[...layout.left, ...layout.right].map((b) => {
              const colour = b.side === 'left' ? leftColor(b.node, b.index) : rightColor(b.node, b.index);
              const labelX = b.side === 'left' ? b.x - 5 : b.x + b.width + 5;
              return (
                <g key={`${b.side}-${b.node.id}`} className="sankey-node">
                  <rect x={b.x} y={b.y} width={b.width} height={Math.max(0.5, b.height)} fill={colour}>
                    <title>{`${b.side === 'left' ? leftTitle : rightTitle}: ${b.node.label}, ${cells(b.node.size)}`}</title>
                  </rect>
                  {b.showLabel && (
                    <text
                      className="sankey-label"
                      x={labelX}
                      y={b.y + b.height / 2}
                      dy="0.35em"
                      textAnchor={b.side === 'left' ? 'end' : 'start'}
                    >
                      {defaultSankeyLabel(b.node)}
                    </text>
                  )}
                </g>
              );
            })}
          </svg>
        )}
      </div>
      {data.links.length > 0 && (
        <details className="results-details">
          <summary>Flows as a table</summary>
          <table className="results-table" data-testid="sankey-table">
            <caption className="visually-hidden">
              Cells from each group of {leftTitle} to each group of {rightTitle}
            </caption>
            <thead>
              <tr>
                <th scope="col">{leftTitle}</th>
                <th scope="col">{rightTitle}</th>
                <th scope="col" className="num">
                  Cells
                </th>
              </tr>
            </thead>
            <tbody>
              {data.links.map((l) => {
                const s = data.left.find((n) => n.id === l.source);
                const t = data.right.find((n) => n.id === l.target);
                return (
                  <tr key={`${l.source}-${l.target}`}>
                    <td>{s?.label ?? l.source}</td>
                    <td>{t?.label ?? l.target}</td>
                    <td className="num">{formatInt(l.value)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </details>
      )}
    </figure>
  );
}
