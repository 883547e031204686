import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { HeatmapData } from '../../core/analysis/heatmap.ts';
import type { ClusterMarkers } from '../../core/analysis/markers.ts';
import { sankeyFlows } from '../../core/analysis/sankey.ts';
import { clusterColor } from '../../layout/palette.ts';
import { hexToRgb, viridisRgb } from './colormap.ts';
import { HeatmapView } from './HeatmapView.tsx';
import { rasterizeHeatmap } from './heatmap-raster.ts';
import { MarkersTable } from './MarkersTable.tsx';
import { formatP, formatSigned, formatValue } from './result-format.ts';
import { sankeyLayout } from './sankey-layout.ts';
import { SankeyView } from './SankeyView.tsx';

const HEATMAP: HeatmapData = {
  genes: ['CD3E', 'MS4A1'],
  geneIndices: Int32Array.from([4, 9]),
  cellIndices: Int32Array.from([0, 2, 1]),
  clusterOfCell: Int32Array.from([0, 0, 1]),
  // genes x cells
  before: Float32Array.from([0, 2, 4, 4, 0, 0]),
  after: Float32Array.from([1, 2, 3, 3, 1, 0]),
  min: 0,
  max: 4,
  nCellsTotal: 30,
};

function pixel(img: { width: number; data: Uint8ClampedArray }, x: number, y: number): number[] {
  const p = (y * img.width + x) * 4;
  return Array.from(img.data.subarray(p, p + 4));
}

describe('rasterizeHeatmap', () => {
  const input = {
    values: HEATMAP.before,
    nGenes: 2,
    nCells: 3,
    clusterOfCell: HEATMAP.clusterOfCell,
    min: 0,
    max: 4,
  };

  it('draws the cluster strip, a gap, and one band per gene, nearest cell when upscaling', () => {
    const img = rasterizeHeatmap(input, { width: 6, rowHeight: 2, stripHeight: 1, gap: 1 });
    expect([img.width, img.height]).toEqual([6, 6]);
    expect(pixel(img, 0, 0)).toEqual([...hexToRgb(clusterColor(0)), 255]);
    expect(pixel(img, 5, 0)).toEqual([...hexToRgb(clusterColor(1)), 255]);
    expect(pixel(img, 3, 1)).toEqual([0, 0, 0, 0]); // gap
    // gene 0 (rows 2-3): cells 0 (value 0), 2 (value 2), 1 (value 4), two pixel columns each
    expect(pixel(img, 0, 2)).toEqual([...viridisRgb(0), 255]);
    expect(pixel(img, 3, 3)).toEqual([...viridisRgb(0.5), 255]);
    expect(pixel(img, 5, 2)).toEqual([...viridisRgb(1), 255]);
    // gene 1 (rows 4-5): 4, 0, 0
    expect(pixel(img, 1, 5)).toEqual([...viridisRgb(1), 255]);
    expect(pixel(img, 4, 4)).toEqual([...viridisRgb(0), 255]);
  });

  it('averages the cells under a pixel when downscaling', () => {
    const wide = {
      ...input,
      nGenes: 1,
      nCells: 4,
      values: Float32Array.from([0, 4, 2, 2]),
      clusterOfCell: Int32Array.from([0, 0, 1, 1]),
    };
    const img = rasterizeHeatmap(wide, { width: 2, rowHeight: 1, stripHeight: 0, gap: 0 });
    expect(pixel(img, 0, 0)).toEqual([...viridisRgb(0.5), 255]);
    expect(pixel(img, 1, 0)).toEqual([...viridisRgb(0.5), 255]);
  });
});

describe('sankeyLayout', () => {
  const data = sankeyFlows([0, 0, 1, 1, 1, 2], [5, 5, 3, 3, 5, 3]);

  it('gives both sides one scale, stacks the bands of each node without overlap', () => {
    const l = sankeyLayout(data, { width: 400, height: 200, top: 20, maxPadding: 10 });
    const leftTotal = l.left.reduce((s, b) => s + b.height, 0);
    const rightTotal = l.right.reduce((s, b) => s + b.height, 0);
    expect(leftTotal).toBeCloseTo(rightTotal, 9);
    // each node's bands add up to the node's height, in both columns
    for (const box of [...l.left, ...l.right]) {
      const bands = l.links.filter((k) => (box.side === 'left' ? k.source : k.target) === box.node);
      expect(bands.reduce((s, k) => s + k.thickness, 0)).toBeCloseTo(box.height, 9);
    }
    // nodes in order, gaps between them, inside the drawing
    for (const col of [l.left, l.right]) {
      for (let i = 1; i < col.length; i++)
        expect(col[i]!.y).toBeGreaterThan(col[i - 1]!.y + col[i - 1]!.height);
      expect(col[0]!.y).toBeGreaterThanOrEqual(20);
      expect(col.at(-1)!.y + col.at(-1)!.height).toBeLessThanOrEqual(200);
    }
    // the first band leaves the top of left node 0 and enters the top of right node 5 (first on the right)
    const first = l.links[0]!;
    expect(first.path.startsWith(`M${l.left[0]!.x + 14},${Math.round(l.left[0]!.y * 100) / 100} C`)).toBe(
      true,
    );
    expect(first.path).toContain(`${l.right[0]!.x},${Math.round(l.right[0]!.y * 100) / 100} L`);
  });
});

describe('result views (server-rendered markup)', () => {
  it('HeatmapView: two labelled canvases, gene rows, legends', () => {
    const html = renderToStaticMarkup(
      createElement(HeatmapView, { data: HEATMAP, clusterNames: ['T cells'] }),
    );
    expect(html.match(/<canvas[^>]*role="img"/g)).toHaveLength(2);
    expect(html).toContain('Before imputation');
    expect(html).toContain('After imputation');
    expect(html).toContain(
      'aria-label="Before imputation: heatmap of 2 genes (rows: CD3E, MS4A1) by 3 cells (columns) (an evenly ' +
        'spaced sample of 30 cells), grouped by cluster (T cells, Cluster 2). Colour from dark purple at 0 to ' +
        'yellow at 4.00 log1p expression."',
    );
    expect(html).toMatch(/<li[^>]*>CD3E<\/li>/);
    expect(html).toContain('T cells');
    expect(html).toContain('(2 shown)');
  });

  it('SankeyView: nodes, bands with "A → B: n cells" tooltips, titles, and a table', () => {
    const data = sankeyFlows([0, 0, 1, 1, 1, 2], [5, 5, 3, 3, 5, 3], {
      leftLabels: ['a', 'b', 'c'],
      rightLabels: (id) => `type ${id}`,
    });
    const html = renderToStaticMarkup(
      createElement(SankeyView, { data, leftTitle: 'Iteration 1', rightTitle: 'Cell types' }),
    );
    expect(html.match(/<path/g)).toHaveLength(4);
    expect(html).toContain('<title>a → type 5: 2 cells</title>');
    expect(html).toContain('<title>b → type 5: 1 cell</title>');
    expect(html).toContain('>Iteration 1</text>');
    expect(html).toContain('>Cell types</text>');
    expect(html).toContain('role="img"');
    expect(html).toContain('<th scope="col">Iteration 1</th>');
    expect(html).toContain('a (2)');
  });

  it('MarkersTable: labelled select and radios, caption and column headers, formatted rows', () => {
    const raw: ClusterMarkers[] = [
      {
        cluster: 0,
        nCells: 12,
        markers: [
          {
            geneIndex: 3,
            gene: 'CD3E',
            log2FoldChange: 2.345,
            z: 6.5,
            pValue: 1e-12,
            pAdj: 2.5e-11,
            fractionIn: 0.9,
            fractionOut: 0.125,
          },
        ],
      },
      { cluster: 1, nCells: 0, markers: [] },
    ];
    const html = renderToStaticMarkup(createElement(MarkersTable, { raw, imputed: null }));
    expect(html).toMatch(/<label for="([^"]+)-cluster">Cluster<\/label><select id="\1-cluster"/);
    expect(html).toContain('<legend>Values tested</legend>');
    expect(html).toMatch(/<input type="radio"[^>]*disabled=""[^>]*value="imputed"\/> Imputed/);
    expect(html).toMatch(/<input type="radio"[^>]*checked=""[^>]*value="raw"\/> Input \(raw\)/);
    expect(html).toContain('<caption>');
    expect(html).toContain('Marker genes of Cluster 1 vs all other cells');
    for (const h of ['Gene', 'log2FC', 'z', 'Adjusted p', '% in', '% out'])
      expect(html).toMatch(new RegExp(`<th scope="col"[^>]*>${h}</th>`));
    // empty clusters are not offered
    expect(html.match(/<option/g)).toHaveLength(1);
    expect(html).toContain('<td class="markers-gene">CD3E</td>');
    expect(html).toContain('>2.35</td>');
    expect(html).toContain('>2.5e-11</td>');
    expect(html).toContain('>90.0 %</td>');
    expect(html).toContain('>12.5 %</td>');

    // Controlled: the imputed table of the chosen cluster.
    const imputed: ClusterMarkers[] = [
      raw[0]!,
      { cluster: 1, nCells: 4, markers: [{ ...raw[0]!.markers[0]!, gene: 'NKG7', geneIndex: 5 }] },
    ];
    const withImputed = [raw[0]!, { cluster: 1, nCells: 4, markers: [] }];
    const chosen = renderToStaticMarkup(
      createElement(MarkersTable, {
        raw: withImputed,
        imputed,
        cluster: 1,
        source: 'imputed',
        clusterNames: ['T', 'NK'],
      }),
    );
    expect(chosen).toContain('Marker genes of NK vs all other cells (imputed values');
    expect(chosen).toContain('<td class="markers-gene">NKG7</td>');
    expect(chosen).toMatch(/<input type="radio"[^>]*checked=""[^>]*value="imputed"/);
    expect(chosen).toMatch(/<option value="1" selected="">NK \(4 cells\)<\/option>/);
  });
});

describe('result formatting', () => {
  it('formats values, p-values and signed numbers', () => {
    expect(formatValue(4)).toBe('4.00');
    expect(formatValue(12.345)).toBe('12.3');
    expect(formatValue(0.001)).toBe('1.0e-3');
    expect(formatP(0.0123)).toBe('0.012');
    expect(formatP(3.2e-45)).toBe('3.2e-45');
    expect(formatP(0)).toBe('< 1e-300');
    expect(formatSigned(-1.234)).toBe('−1.23');
    expect(formatSigned(-0.001)).toBe('0.00');
  });
});
