/**
 * Round trip of `make:synthetic`'s files: a small generated dataset written as the 10x HDF5 and the 10x
 * MatrixMarket folder (with labels.csv beside each) loads back through the project's own loaders as the same
 * matrix, ids and labels.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoadedDataset } from '../../src/core/dataset.ts';
import { generateSynthetic, type SyntheticDataset } from '../../src/core/synthetic/synthetic.ts';
import { loadDataset } from '../../src/io/load.ts';
import { inputFileFromPath, inputFilesFromFolder } from '../../src/io/node-input.ts';
import { readDataset } from '../../src/io/testing/h5-write.ts';
import { lines } from '../../src/io/testing/tenx-fixtures.ts';
import { writeSyntheticFiles, type SyntheticFiles } from './synthetic-files.ts';

const tmp = mkdtempSync(join(tmpdir(), 'scgnn-synthetic-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let d: SyntheticDataset;
let files: SyntheticFiles;
beforeAll(async () => {
  d = generateSynthetic({ cells: 300, genes: 200, types: 4, seed: 3 });
  files = await writeSyntheticFiles(join(tmp, 'out'), d);
});

function expectSame(ds: LoadedDataset): void {
  const m = ds.matrix.counts;
  expect(m.nRows).toBe(300);
  expect(m.nCols).toBe(200);
  expect(m.indptr).toEqual(d.counts.indptr);
  expect(m.indices).toEqual(d.counts.indices);
  expect(m.values).toEqual(d.counts.values);
  expect(ds.matrix.cellIds).toEqual(d.cellIds);
  expect(ds.matrix.geneIds).toEqual(d.geneIds);
  expect(ds.matrix.geneSymbols).toEqual(d.geneNames);
  expect(ds.integerValued).toBe(true);
  expect(ds.warnings).toEqual([]);
  const labels = ds.labels!;
  expect(labels.nMatched).toBe(300);
  expect(labels.classes).toEqual(['type_1', 'type_2', 'type_3', 'type_4']);
  expect(labels.labels).toEqual(Array.from(d.cellType, (t) => d.typeNames[t]));
}

describe('make:synthetic files', () => {
  it('the 10x HDF5 loads back as the same matrix and labels', async () => {
    const ds = await loadDataset([await inputFileFromPath(files.h5), await inputFileFromPath(files.labels)]);
    expect(ds.format).toBe('h5-10x-v3');
    expectSame(ds);
  });

  it('the HDF5 holds Cell Ranger’s datasets and types', async () => {
    expect(await readDataset(files.h5, 'matrix/shape')).toEqual(new Int32Array([200, 300]));
    expect(await readDataset(files.h5, 'matrix/indptr')).toBeInstanceOf(BigInt64Array);
    expect(await readDataset(files.h5, 'matrix/indices')).toBeInstanceOf(BigInt64Array);
    expect(await readDataset(files.h5, 'matrix/data')).toBeInstanceOf(Int32Array);
    const genome = (await readDataset(files.h5, 'matrix/features/genome')) as string[];
    expect(genome.length).toBe(200);
    expect(new Set(genome)).toEqual(new Set(['synthetic']));
    expect(await readDataset(files.h5, 'matrix/features/_all_tag_keys')).toEqual(['genome']);
  });

  it('the 10x MatrixMarket folder loads back as the same matrix and labels', async () => {
    const folder = await inputFilesFromFolder(files.mtxDir);
    expect(folder.map((f) => f.name).sort()).toEqual(['barcodes.tsv.gz', 'features.tsv.gz', 'matrix.mtx.gz']);
    const ds = await loadDataset([...folder, await inputFileFromPath(files.labels)]);
    expect(ds.format).toBe('mtx-v3');
    expectSame(ds);
    // Genes x cells, 1-based, ordered by cell, as Cell Ranger writes it.
    const mtx = lines(join(files.mtxDir, 'matrix.mtx.gz'));
    expect(mtx[0]).toBe('%%MatrixMarket matrix coordinate integer general');
    expect(mtx[2]).toBe(`200 300 ${d.counts.indptr[300]}`);
    let first = 0;
    while (d.counts.indptr[first + 1] === 0) first++;
    expect(mtx[3]).toBe(`${d.counts.indices[0]! + 1} ${first + 1} ${d.counts.values[0]}`);
    expect(mtx.length).toBe(3 + d.counts.indptr[300]!);
    expect(lines(join(files.mtxDir, 'features.tsv.gz'))[0]).toBe(
      `${d.geneIds[0]}\t${d.geneNames[0]}\tGene Expression`,
    );
  });

  it('labels.csv, pseudotime.csv and truth.json describe the truth', () => {
    const labels = readFileSync(files.labels, 'utf8').trimEnd().split('\n');
    expect(labels[0]).toBe('cell,label');
    expect(labels.length).toBe(301);
    expect(labels[1]).toBe(`${d.cellIds[0]},${d.typeNames[d.cellType[0]!]}`);
    const onPath = Array.from(d.pseudotime).filter((t) => !Number.isNaN(t)).length;
    expect(readFileSync(files.pseudotime, 'utf8').trimEnd().split('\n').length).toBe(onPath + 1);
    const truth = JSON.parse(readFileSync(files.truth, 'utf8')) as {
      nonZeros: number;
      zeroFraction: { target: number; achieved: number };
      types: { name: string; cells: number; markers: { id: string }[]; onTrajectory: boolean }[];
      trajectory: { types: string[] };
    };
    expect(truth.nonZeros).toBe(d.counts.indptr[300]);
    expect(truth.zeroFraction.target).toBe(0.93);
    expect(truth.zeroFraction.achieved).toBeCloseTo(d.zeroFraction, 12);
    expect(truth.types.map((t) => t.cells)).toEqual(d.typeSizes);
    expect(truth.types[0]!.markers.map((m) => m.id)).toEqual(d.markers[0]!.genes.map((g) => d.geneIds[g]));
    expect(truth.trajectory.types).toEqual(d.trajectory.map((t) => d.typeNames[t]));
    expect(truth.types.filter((t) => t.onTrajectory).length).toBe(3);
  });
});
