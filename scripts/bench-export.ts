/**
 * The imputed-matrix download at scale (`npx tsx scripts/bench-export.ts [cells] [genes]`, default 100,000 x
 * 2,000): the page's path, `writeMatrixCsv` into a `blobSink` (each ~1 MB chunk becomes a Blob part at once,
 * never one string), on synthetic sparse-ish log1p values. Prints seconds, the file's size, and peak RSS.
 */
import { denseMatrix } from '../src/core/matrix/dense.ts';
import { createRng } from '../src/core/rng.ts';
import { blobSink, writeMatrixCsv } from '../src/io/writers/csv-writers.ts';

const cells = Number(process.argv[2] ?? 100_000);
const genes = Number(process.argv[3] ?? 2_000);
const rng = createRng(1);
const m = denseMatrix(cells, genes);
for (let i = 0; i < m.data.length; i++)
  m.data[i] = rng.next() < 0.7 ? 0 : Math.log1p(1 + Math.floor(rng.next() * 20));
const cellIds = Array.from({ length: cells }, (_, i) => `cell_${i}`);
const geneIds = Array.from({ length: genes }, (_, j) => `gene_${j}`);
const t0 = performance.now();
const sink = blobSink();
let chunks = 0;
let largest = 0;
await writeMatrixCsv(
  {
    write: (s) => {
      chunks++;
      largest = Math.max(largest, s.length);
      return sink.write(s);
    },
  },
  m,
  cellIds,
  geneIds,
);
const blob = sink.blob();
const seconds = (performance.now() - t0) / 1000;
console.log(
  `${cells} cells x ${genes} genes: imputed.csv ${(blob.size / 2 ** 20).toFixed(0)} MB in ${seconds.toFixed(1)} s, ` +
    `${chunks} chunks (largest ${(largest / 2 ** 20).toFixed(2)} M characters), ` +
    `peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MB (the matrix itself: ${(m.data.byteLength / 2 ** 20).toFixed(0)} MB)`,
);
