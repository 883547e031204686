/**
 * Display helpers shared by the result views: cluster names and compact numbers for values, z scores and
 * p-values.
 */

/** Display name of cluster `c` (0-based): the given name, else "Cluster c+1" (as the graph view names them). */
export function clusterLabel(c: number, names?: readonly string[]): string {
  const given = names?.[c];
  return given !== undefined && given !== '' ? given : `Cluster ${c + 1}`;
}

/** An expression value with about 3 significant digits: 0.123, 1.23, 12.3, 123. */
export function formatValue(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a === 0) return '0';
  if (a >= 100) return v.toFixed(0);
  if (a >= 10) return v.toFixed(1);
  if (a >= 0.01) return v.toFixed(2);
  return v.toExponential(1);
}

/** A p-value: 3 decimals down to 0.001, then 2 significant digits in exponent form ("< 1e-300" at 0). */
export function formatP(p: number): string {
  if (!Number.isFinite(p)) return String(p);
  if (p === 0) return '< 1e-300';
  if (p >= 0.001) return p.toFixed(3);
  return p.toExponential(1);
}

/** A signed number with 2 decimals and a true minus sign. */
export function formatSigned(v: number): string {
  if (!Number.isFinite(v)) return v > 0 ? '∞' : v < 0 ? '−∞' : 'NaN';
  const s = Math.abs(v).toFixed(2);
  return v < 0 && s !== '0.00' ? `−${s}` : s;
}
