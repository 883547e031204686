/**
 * The cell-type proportions estimated for each bulk sample (scGNN 2.0's deconvolution, issue 13): one stacked
 * horizontal bar per sample, one segment per cluster in the clusters' colours (the graph's palette), the
 * percentages on hover and in a table below. Drawn by hand in SVG: a few rectangles need no chart library.
 */
import type { BulkRunSummary } from '../../engine/contract.ts';
import { clusterColor } from '../../layout/palette.ts';

const LABEL_W = 140;
const BAR_W = 360;
const ROW_H = 22;
const GAP = 6;
/** Samples drawn as bars; the table lists every sample. */
const MAX_BARS = 60;

const pct = (f: number): string => `${(f * 100).toFixed(1)} %`;

/** A sample name cut to fit the label column. */
function shortName(s: string): string {
  return s.length > 20 ? `${s.slice(0, 19)}…` : s;
}

export function BulkProportionsChart({ bulk }: { bulk: BulkRunSummary }) {
  const { sampleIds, nClusters, proportions } = bulk;
  const shown = sampleIds.slice(0, MAX_BARS);
  const height = shown.length * (ROW_H + GAP) + GAP;
  const at = (s: number, c: number) => proportions[s * nClusters + c] ?? 0;
  const summary = shown
    .map(
      (id, s) =>
        `${id}: ` +
        Array.from({ length: nClusters }, (_, c) => `cluster ${c} ${pct(at(s, c))}`)
          .filter((_, c) => at(s, c) >= 0.005)
          .join(', '),
    )
    .join('; ');
  return (
    <div className="bulk-proportions" data-testid="bulk-proportions">
      <figure className="chart">
        <figcaption>Cell-type proportions per bulk sample ({bulk.fileName}; one type per cluster)</figcaption>
        <svg
          width={LABEL_W + BAR_W + 8}
          height={height}
          role="img"
          aria-label={`Estimated proportions of each cluster in each bulk sample. ${summary}`}
        >
          {shown.map((id, s) => {
            const y = GAP + s * (ROW_H + GAP);
            let x = LABEL_W;
            let total = 0;
            const segments = Array.from({ length: nClusters }, (_, c) => {
              const f = Math.max(0, at(s, c));
              total += f;
              const w = f * BAR_W;
              const rect = (
                <rect
                  key={c}
                  x={x}
                  y={y}
                  width={w}
                  height={ROW_H}
                  fill={clusterColor(c)}
                  data-cluster={c}
                  data-fraction={f}
                >
                  <title>{`${id}: cluster ${c}, ${pct(f)}`}</title>
                </rect>
              );
              x += w;
              return rect;
            });
            return (
              <g key={id} data-testid="bulk-bar" data-sample={id} data-total={total}>
                <text x={LABEL_W - 6} y={y + ROW_H / 2 + 4} textAnchor="end" className="tick">
                  {shortName(id)}
                </text>
                {segments}
              </g>
            );
          })}
        </svg>
        {sampleIds.length > shown.length ? (
          <p className="hint">
            The first {shown.length} of {sampleIds.length} samples are drawn; the table lists all.
          </p>
        ) : null}
        <ul className="chart-legend">
          {Array.from({ length: nClusters }, (_, c) => (
            <li key={c}>
              <span className="swatch" style={{ background: clusterColor(c) }} aria-hidden="true" />
              Cluster {c}
            </li>
          ))}
        </ul>
      </figure>
      <details>
        <summary>Proportions as a table</summary>
        <table className="iterations" data-testid="bulk-table">
          <caption>Estimated proportion of each cluster per bulk sample</caption>
          <thead>
            <tr>
              <th scope="col">Sample</th>
              {Array.from({ length: nClusters }, (_, c) => (
                <th scope="col" key={c}>
                  Cluster {c}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {sampleIds.map((id, s) => (
              <tr key={id}>
                <th scope="row">{id}</th>
                {Array.from({ length: nClusters }, (_, c) => (
                  <td key={c}>{pct(at(s, c))}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </div>
  );
}
