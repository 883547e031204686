/**
 * Open an `InputFile` with h5wasm, whatever the environment, behind one function.
 *
 * - Browser, dedicated worker (where the loaders run): the blob is mounted with Emscripten's WORKERFS, which
 *   reads byte ranges on demand through FileReaderSync, so a multi-GB .h5 is never copied whole into memory.
 * - Browser main thread (no FileReaderSync; fallback only): the bytes are copied into the in-memory MEMFS.
 * - Node with `nodePath`: the `h5wasm/node` build (NODERAWFS) opens the file on disk directly.
 * - Node without a path (bytes in memory, e.g. tests): the bytes are written into the ESM build's MEMFS.
 *
 * `h5wasm/node` is imported through a non-literal specifier so that the bundler never pulls it (and its Node
 * built-ins) into the browser bundle; only the ESM build is reachable from browser code.
 */
import type * as H5wasm from 'h5wasm';
import type { File as H5File } from 'h5wasm';

export type { H5File };

export interface H5Handle {
  /** The open HDF5 file (read-only). */
  readonly h5: H5File;
  /** Close the file and release its mount / in-memory copy. Safe to call twice. */
  close(): void;
}

/** Just what we use of the Emscripten FS object. */
interface EmFS {
  mkdir(path: string): void;
  rmdir(path: string): void;
  writeFile(path: string, data: Uint8Array): void;
  unlink(path: string): void;
  mount(type: unknown, opts: unknown, mountpoint: string): void;
  unmount(mountpoint: string): void;
  filesystems: { WORKERFS: unknown };
}

type H5Module = typeof H5wasm;

interface OpenableFile {
  readonly name: string;
  readonly blob: Blob;
  readonly nodePath?: string;
}

let counter = 0;

function isNode(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof p?.versions?.node === 'string';
}

function inWorker(): boolean {
  return typeof (globalThis as { FileReaderSync?: unknown }).FileReaderSync !== 'undefined';
}

type H5Util = Awaited<H5Module['ready']>;

async function esmModule(): Promise<{ mod: H5Module; util: H5Util; FS: EmFS }> {
  const mod = await import('h5wasm');
  const util = await mod.ready;
  return { mod, util, FS: util.FS as unknown as EmFS };
}

async function nodeModule(): Promise<{ mod: H5Module; util: H5Util }> {
  // Non-literal specifier: keeps the Node build out of the browser bundle (see the module comment).
  const spec = ['h5wasm', 'node'].join('/');
  const mod = (await import(/* @vite-ignore */ spec)) as H5Module;
  return { mod, util: await mod.ready };
}

/**
 * Open read-only and read the root group. A file HDF5 refuses becomes an Error: h5wasm would hand back a File
 * with an invalid id and print HDF5's error stack on stderr. Its throwing handler is on only here: later
 * failing calls (such as a look-up of a missing path) are expected and answered by return value.
 */
function openFile(mod: H5Module, util: H5Util, path: string): H5File {
  util.activate_throwing_error_handler();
  try {
    const h5 = new mod.File(path, 'r');
    if (h5.file_id < 0n) throw new Error('HDF5 could not open the file');
    try {
      h5.keys(); // reads the root group: a damaged one fails here, quietly
    } catch (e) {
      h5.close();
      throw e;
    }
    return h5;
  } finally {
    util.deactivate_throwing_error_handler();
  }
}

/** Open `file` read-only. The caller must call `close()` (use try/finally). */
export async function openH5(file: OpenableFile): Promise<H5Handle> {
  if (isNode() && file.nodePath) {
    const { mod, util } = await nodeModule();
    const h5 = openFile(mod, util, file.nodePath);
    let open = true;
    return {
      h5,
      close() {
        if (open) h5.close();
        open = false;
      },
    };
  }

  const { mod, util, FS } = await esmModule();
  const dir = `/scgnn-h5-${++counter}`;
  const fileName = 'data.h5';
  const path = `${dir}/${fileName}`;
  FS.mkdir(dir);
  let mounted = false;
  let h5: H5File;
  try {
    if (!isNode() && inWorker()) {
      FS.mount(FS.filesystems.WORKERFS, { blobs: [{ name: fileName, data: file.blob }] }, dir);
      mounted = true;
    } else {
      // No lazy reader available: the bytes have to live in MEMFS for the duration of the load.
      FS.writeFile(path, new Uint8Array(await file.blob.arrayBuffer()));
    }
    h5 = openFile(mod, util, path);
  } catch (e) {
    cleanup(FS, dir, path, mounted);
    throw e;
  }
  let open = true;
  return {
    h5,
    close() {
      if (!open) return;
      open = false;
      try {
        h5.close();
      } finally {
        cleanup(FS, dir, path, mounted);
      }
    },
  };
}

function cleanup(FS: EmFS, dir: string, path: string, mounted: boolean): void {
  try {
    if (mounted) FS.unmount(dir);
    else FS.unlink(path);
  } catch {
    // The file may not have been written (failed read); nothing else to release.
  }
  try {
    FS.rmdir(dir);
  } catch {
    // Already gone.
  }
}
