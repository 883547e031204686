/**
 * The sequential colour scale of the heatmap: viridis (perceptually uniform, readable with colour-vision
 * deficiencies and in greyscale), as RGB for canvas pixels and as a CSS gradient for the legend.
 */

/** Viridis (matplotlib) sampled at 0, 1/8, …, 1, as RGB. */
const VIRIDIS: readonly (readonly [number, number, number])[] = [
  [0x44, 0x01, 0x54],
  [0x47, 0x2d, 0x7b],
  [0x3b, 0x52, 0x8b],
  [0x2c, 0x72, 0x8e],
  [0x21, 0x91, 0x8c],
  [0x28, 0xae, 0x80],
  [0x5e, 0xc9, 0x62],
  [0xad, 0xdc, 0x30],
  [0xfd, 0xe7, 0x25],
];

/** Viridis at `t` in [0, 1] (clamped; NaN is the low end), linearly interpolated between the stops. */
export function viridisRgb(t: number): [number, number, number] {
  const x = t > 0 ? Math.min(t, 1) * (VIRIDIS.length - 1) : 0;
  const i = Math.min(Math.floor(x), VIRIDIS.length - 2);
  const f = x - i;
  const a = VIRIDIS[i]!;
  const b = VIRIDIS[i + 1]!;
  return [
    Math.round(a[0] + (b[0] - a[0]) * f),
    Math.round(a[1] + (b[1] - a[1]) * f),
    Math.round(a[2] + (b[2] - a[2]) * f),
  ];
}

/** CSS linear-gradient of the viridis scale, low on the left. */
export function viridisGradient(direction = 'to right'): string {
  const stops = VIRIDIS.map(
    ([r, g, b], i) => `rgb(${r}, ${g}, ${b}) ${((i / (VIRIDIS.length - 1)) * 100).toFixed(1)}%`,
  );
  return `linear-gradient(${direction}, ${stops.join(', ')})`;
}

/** `#rrggbb` to RGB. */
export function hexToRgb(hex: string): [number, number, number] {
  const v = parseInt(hex.slice(1, 7), 16);
  return [(v >> 16) & 255, (v >> 8) & 255, v & 255];
}
