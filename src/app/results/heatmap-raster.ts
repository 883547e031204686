/**
 * Pixels of one heatmap panel, computed in plain JavaScript so the canvas only receives a finished image
 * (`putImageData`) and the drawing is the same at every size and device pixel ratio.
 *
 * Layout in device pixels: a cluster colour strip of `stripHeight` rows, a transparent gap, then one band of
 * `rowHeight` rows per gene (band edges rounded, so bands tile exactly). Columns: with at least as many pixels as
 * cells, each pixel column shows the cell under it (nearest); with fewer, each pixel column shows the mean of the
 * cells it covers, so no cell is silently dropped. The strip shows the cluster of the cell at the centre of the
 * column. Values map linearly from [min, max] onto viridis (a 256-entry lookup table).
 */
import { clusterColor } from '../../layout/palette.ts';
import { hexToRgb, viridisRgb } from './colormap.ts';

export interface HeatmapRasterInput {
  /** genes x cells, row-major. */
  readonly values: Float32Array;
  readonly nGenes: number;
  readonly nCells: number;
  readonly clusterOfCell: Int32Array;
  readonly min: number;
  readonly max: number;
}

export interface HeatmapRasterLayout {
  /** Image width in device pixels. */
  readonly width: number;
  /** Device pixels per gene row (may be fractional). */
  readonly rowHeight: number;
  readonly stripHeight: number;
  readonly gap: number;
}

export interface RasterImage {
  readonly width: number;
  readonly height: number;
  /** RGBA, row-major (what `new ImageData(data, width, height)` takes). */
  readonly data: Uint8ClampedArray<ArrayBuffer>;
}

/** Total height in device pixels. */
export function heatmapRasterHeight(nGenes: number, layout: Omit<HeatmapRasterLayout, 'width'>): number {
  return Math.round(layout.stripHeight + layout.gap + nGenes * layout.rowHeight);
}

const LUT_SIZE = 256;
let viridisLut: Uint8Array | null = null;

function lut(): Uint8Array {
  if (viridisLut) return viridisLut;
  viridisLut = new Uint8Array(LUT_SIZE * 3);
  for (let i = 0; i < LUT_SIZE; i++) viridisLut.set(viridisRgb(i / (LUT_SIZE - 1)), i * 3);
  return viridisLut;
}

export function rasterizeHeatmap(input: HeatmapRasterInput, layout: HeatmapRasterLayout): RasterImage {
  const { values, nGenes, nCells, clusterOfCell, min, max } = input;
  const width = Math.max(1, Math.round(layout.width));
  const height = Math.max(1, heatmapRasterHeight(nGenes, layout));
  const data = new Uint8ClampedArray(width * height * 4);
  if (nCells === 0) return { width, height, data };
  const colours = lut();
  const span = max - min;
  const toIndex = (v: number): number =>
    span > 0
      ? Math.max(0, Math.min(LUT_SIZE - 1, Math.round(((v - min) / span) * (LUT_SIZE - 1))))
      : LUT_SIZE >> 1;

  // Cells covered by each pixel column: [start[x], end[x]).
  const start = new Int32Array(width);
  const end = new Int32Array(width);
  for (let x = 0; x < width; x++) {
    if (width >= nCells) {
      start[x] = Math.min(nCells - 1, Math.floor((x * nCells) / width));
      end[x] = start[x]! + 1;
    } else {
      start[x] = Math.floor((x * nCells) / width);
      end[x] = Math.max(start[x]! + 1, Math.floor(((x + 1) * nCells) / width));
    }
  }

  // Cluster strip.
  const stripRows = Math.round(layout.stripHeight);
  const clusterRgb = new Map<number, [number, number, number]>();
  for (let x = 0; x < width; x++) {
    const cell = Math.min(nCells - 1, Math.floor(((x + 0.5) * nCells) / width));
    const c = clusterOfCell[cell]!;
    let rgb = clusterRgb.get(c);
    if (!rgb) clusterRgb.set(c, (rgb = hexToRgb(clusterColor(c))));
    for (let y = 0; y < stripRows; y++) {
      const p = (y * width + x) * 4;
      data[p] = rgb[0];
      data[p + 1] = rgb[1];
      data[p + 2] = rgb[2];
      data[p + 3] = 255;
    }
  }

  // Gene bands.
  const top = layout.stripHeight + layout.gap;
  const rowColour = new Uint8Array(width * 3);
  for (let g = 0; g < nGenes; g++) {
    const y0 = Math.round(top + g * layout.rowHeight);
    const y1 = Math.min(height, Math.round(top + (g + 1) * layout.rowHeight));
    const row = g * nCells;
    for (let x = 0; x < width; x++) {
      let sum = 0;
      for (let j = start[x]!; j < end[x]!; j++) sum += values[row + j]!;
      const li = toIndex(sum / (end[x]! - start[x]!)) * 3;
      rowColour[x * 3] = colours[li]!;
      rowColour[x * 3 + 1] = colours[li + 1]!;
      rowColour[x * 3 + 2] = colours[li + 2]!;
    }
    for (let y = y0; y < y1; y++) {
      for (let x = 0; x < width; x++) {
        const p = (y * width + x) * 4;
        data[p] = rowColour[x * 3]!;
        data[p + 1] = rowColour[x * 3 + 1]!;
        data[p + 2] = rowColour[x * 3 + 2]!;
        data[p + 3] = 255;
      }
    }
  }
  return { width, height, data };
}
