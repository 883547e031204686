/**
 * Node-only helpers: open files on disk as `InputFile`s (lazily read blobs). Used by tests, the CLI and
 * the benchmarks; never imported by browser code.
 */
import { openAsBlob, readdirSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import type { InputFile } from './input-file.ts';

export async function inputFileFromPath(path: string, relativePath = basename(path)): Promise<InputFile> {
  const blob = await openAsBlob(path);
  return { name: basename(path), relativePath, blob, nodePath: path };
}

/** All files under a folder (recursively), with paths relative to the folder's parent, like a browser drop. */
export async function inputFilesFromFolder(dir: string): Promise<InputFile[]> {
  const out: InputFile[] = [];
  const root = join(dir, '..');
  const walk = async (d: string): Promise<void> => {
    for (const entry of readdirSync(d).sort()) {
      const p = join(d, entry);
      if (statSync(p).isDirectory()) await walk(p);
      else out.push(await inputFileFromPath(p, relative(root, p)));
    }
  };
  await walk(dir);
  return out;
}
