/**
 * A small SVG line chart (loss curves, convergence): several named series over a shared x axis, a legend,
 * and a text summary for screen readers. Drawn by hand: a few polylines do not need a charting library.
 */
export interface Series {
  readonly name: string;
  readonly values: readonly number[];
  readonly color: string;
  /** x of each value (default 1..n). */
  readonly x?: readonly number[];
}

export interface LineChartProps {
  readonly title: string;
  readonly series: readonly Series[];
  readonly xLabel: string;
  readonly yLabel: string;
  readonly log?: boolean;
  /** Fixed y range (e.g. 0..1), else from the data. */
  readonly yRange?: readonly [number, number];
  readonly summary: string;
  readonly width?: number;
  readonly height?: number;
  readonly markers?: boolean;
}

const PAD = { left: 48, right: 8, top: 8, bottom: 28 };

function fmt(v: number): string {
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e4 || a < 1e-2)) return v.toExponential(1);
  return String(Math.round(v * 100) / 100);
}

export function LineChart(p: LineChartProps) {
  const width = p.width ?? 360;
  const height = p.height ?? 180;
  const t = (v: number) => (p.log ? Math.log10(Math.max(v, 1e-12)) : v);
  let xMax = 1;
  let yMin = Infinity;
  let yMax = -Infinity;
  for (const s of p.series) {
    s.values.forEach((v, i) => {
      if (!Number.isFinite(v)) return;
      xMax = Math.max(xMax, s.x?.[i] ?? i + 1);
      yMin = Math.min(yMin, t(v));
      yMax = Math.max(yMax, t(v));
    });
  }
  if (p.yRange) [yMin, yMax] = [t(p.yRange[0]), t(p.yRange[1])];
  if (!Number.isFinite(yMin)) [yMin, yMax] = [0, 1];
  if (yMax - yMin < 1e-12) [yMin, yMax] = [yMin - 0.5, yMax + 0.5];
  const w = width - PAD.left - PAD.right;
  const h = height - PAD.top - PAD.bottom;
  const sx = (x: number) => PAD.left + (xMax <= 1 ? w / 2 : ((x - 1) / (xMax - 1)) * w);
  const sy = (y: number) => PAD.top + h - ((t(y) - yMin) / (yMax - yMin)) * h;
  const unT = (y: number) => (p.log ? 10 ** y : y);
  return (
    <figure className="chart">
      <figcaption>{p.title}</figcaption>
      <svg width={width} height={height} role="img" aria-label={`${p.title}. ${p.summary}`}>
        <line x1={PAD.left} y1={PAD.top + h} x2={PAD.left + w} y2={PAD.top + h} className="axis" />
        <line x1={PAD.left} y1={PAD.top} x2={PAD.left} y2={PAD.top + h} className="axis" />
        <text x={PAD.left - 4} y={PAD.top + 10} textAnchor="end" className="tick">
          {fmt(unT(yMax))}
        </text>
        <text x={PAD.left - 4} y={PAD.top + h} textAnchor="end" className="tick">
          {fmt(unT(yMin))}
        </text>
        <text x={PAD.left + w} y={height - 14} textAnchor="end" className="tick">
          {xMax}
        </text>
        <text x={PAD.left + w / 2} y={height - 2} textAnchor="middle" className="axis-label">
          {p.xLabel}
        </text>
        <text
          x={4}
          y={PAD.top + h / 2}
          className="axis-label"
          transform={`rotate(-90 10 ${PAD.top + h / 2})`}
        >
          {p.yLabel}
        </text>
        {p.series.map((s) => {
          const pts = s.values
            .map((v, i) => (Number.isFinite(v) ? `${sx(s.x?.[i] ?? i + 1)},${sy(v)}` : null))
            .filter((x): x is string => x !== null);
          return (
            <g key={s.name}>
              <polyline points={pts.join(' ')} fill="none" stroke={s.color} strokeWidth={1.5} />
              {p.markers
                ? pts.map((pt) => {
                    const [x, y] = pt.split(',');
                    return <circle key={pt} cx={x} cy={y} r={3} fill={s.color} />;
                  })
                : null}
            </g>
          );
        })}
      </svg>
      <ul className="chart-legend">
        {p.series.map((s) => (
          <li key={s.name}>
            <span className="swatch" style={{ background: s.color }} aria-hidden="true" />
            {s.name}
          </li>
        ))}
      </ul>
    </figure>
  );
}
