/**
 * Test helpers for the 10x loaders: where the real fixtures live, how to open an MTX folder as `TenxMtxFiles`,
 * an independent (deliberately naive) MatrixMarket parser to check the streaming one against, and a small
 * seeded RNG (src/io may not use Math.random). Node only; never imported by browser code.
 */
import { createRng } from '../../core/rng.ts';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { inputFileFromBytes, type InputFile } from '../input-file.ts';
import { inputFilesFromFolder } from '../node-input.ts';
import type { TenxMtxFiles } from '../tenx-mtx.ts';

/** Repository root (this file is src/io/testing/). */
export const REPO_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');
/** Shared real data, read-only, outside the repository. */
export const DATA = resolve(REPO_ROOT, '../shared/data');
export const TENX = join(DATA, 'tenx_format_fixtures_unlabeled/original');
export const V3_DIR = join(TENX, '10x_data/3.0.0/filtered_feature_bc_matrix');
export const V3_H5 = join(TENX, '10x_data/3.0.0/filtered_feature_bc_matrix.h5');
export const V2_DIR = join(TENX, '10x_data/1.2.0/filtered_gene_bc_matrices/hg19_chr21');
export const V2_H5 = join(TENX, '10x_data/1.2.0/filtered_gene_bc_matrices_h5.h5');
export const MULTI_H5 = join(TENX, '10x_data/1.2.0/multiple_genomes.h5');
export const INT_IDS_DIR = join(TENX, '10x_data/int-ids');
export const SOUPX_RAW = join(TENX, 'soupx_toyData/raw_gene_bc_matrices/GRCh38');
export const SOUPX_FILTERED = join(TENX, 'soupx_toyData/filtered_gene_bc_matrices/GRCh38');

/** Open a 10x MTX folder on disk as the three loader inputs. */
export async function mtxFolder(dir: string): Promise<TenxMtxFiles> {
  const files = await inputFilesFromFolder(dir);
  const pick = (re: RegExp): InputFile => {
    const f = files.find((x) => re.test(x.name));
    if (!f) throw new Error(`no ${re} in ${dir}`);
    return f;
  };
  return {
    matrix: pick(/^matrix\.mtx/),
    features: pick(/^(features|genes)\.tsv/),
    barcodes: pick(/^barcodes\.tsv/),
  };
}

/** In-memory MTX folder `folder/` from texts (or bytes, e.g. gzip). */
export function mtxFromTexts(
  matrix: string | Uint8Array,
  features: string | Uint8Array,
  barcodes: string | Uint8Array,
  names: { matrix?: string; features?: string; barcodes?: string; folder?: string } = {},
): TenxMtxFiles {
  const folder = names.folder ?? 'sample';
  const m = names.matrix ?? 'matrix.mtx';
  const f = names.features ?? 'features.tsv';
  const b = names.barcodes ?? 'barcodes.tsv';
  return {
    matrix: inputFileFromBytes(m, matrix, `${folder}/${m}`),
    features: inputFileFromBytes(f, features, `${folder}/${f}`),
    barcodes: inputFileFromBytes(b, barcodes, `${folder}/${b}`),
  };
}

/** Text of a (possibly gzipped) file. */
export function readText(path: string): string {
  const buf = readFileSync(path);
  return (buf[0] === 0x1f && buf[1] === 0x8b ? gunzipSync(buf) : buf).toString('utf8');
}

/** Non-empty lines of a (possibly gzipped) text file. */
export function lines(path: string): string[] {
  return readText(path)
    .split('\n')
    .map((l) => l.replace(/\r$/, ''))
    .filter((l) => l.length > 0);
}

export interface NaiveMtx {
  nGenes: number;
  nCells: number;
  nnz: number;
  /** 0-based triplets as written. */
  triplets: [gene: number, cell: number, value: number][];
}

/** A naive MatrixMarket parse with split(): the reference the streaming parser is checked against. */
export function naiveMtx(path: string): NaiveMtx {
  const body = lines(path).filter((l) => !l.startsWith('%'));
  const [nGenes, nCells, nnz] = body[0]!.trim().split(/\s+/).map(Number) as [number, number, number];
  const triplets = body.slice(1).map((l) => {
    const [g, c, v] = l.trim().split(/\s+/).map(Number) as [number, number, number];
    return [g - 1, c - 1, v] as [number, number, number];
  });
  return { nGenes, nCells, nnz, triplets };
}

/** Small deterministic PRNG for spot checks (the core's seeded generator). */
export function seededRng(seed: number): () => number {
  return createRng(seed).next;
}
