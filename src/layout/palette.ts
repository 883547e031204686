/**
 * The categorical palette for clusters, shared by the result views (the graph, the heatmap's cluster strip, the
 * Sankey nodes, the marker table).
 *
 * The categorical palette starts with the Okabe–Ito colours (distinguishable with every common colour-vision
 * deficiency), then Paul Tol's "muted" and "light" schemes. Beyond 20 clusters it cycles through the same hues,
 * darker on the second round and lighter on the third, so the first 60 clusters have distinct colours. No
 * 20-colour palette is fully colour-blind safe, so views should also name clusters in text. Colours are
 * lowercase `#rrggbb`.
 */

export const CLUSTER_PALETTE: readonly string[] = [
  '#0072b2', // blue (Okabe–Ito)
  '#e69f00', // orange
  '#009e73', // bluish green
  '#cc79a7', // reddish purple
  '#56b4e9', // sky blue
  '#d55e00', // vermillion
  '#f0e442', // yellow
  '#332288', // indigo (Tol muted)
  '#117733', // green
  '#882255', // wine
  '#44aa99', // teal
  '#999933', // olive
  '#aa4499', // purple
  '#ddcc77', // sand
  '#cc6677', // rose
  '#88ccee', // cyan
  '#77aadd', // light blue (Tol light)
  '#ee8866', // orange
  '#bbcc33', // pear
  '#6f6f6f', // grey
];

/** Colour of unassigned / unlabelled cells (negative cluster codes). */
export const UNASSIGNED_COLOR = '#b8bfc7';

function mix(hex: string, toward: number, amount: number): string {
  const v = parseInt(hex.slice(1, 7), 16);
  return (
    '#' +
    [(v >> 16) & 255, (v >> 8) & 255, v & 255]
      .map((c) =>
        Math.round(c + (toward - c) * amount)
          .toString(16)
          .padStart(2, '0'),
      )
      .join('')
  );
}

/** Colour of cluster `i` (0-based); negative codes are unassigned (grey). */
export function clusterColor(i: number): string {
  if (!(i >= 0)) return UNASSIGNED_COLOR;
  const n = CLUSTER_PALETTE.length;
  const base = CLUSTER_PALETTE[Math.floor(i) % n]!;
  const round = Math.floor(i / n) % 3;
  return round === 0 ? base : round === 1 ? mix(base, 0, 0.35) : mix(base, 255, 0.45);
}

/** `#rrggbb` mixed with white by `t` (0..1): an opaque lighter tone (alpha blending looks odd on a graph). */
export function towardWhite(hex: string, t: number): string {
  return /^#[0-9a-f]{6}$/i.test(hex) ? mix(hex, 255, t) : hex;
}
