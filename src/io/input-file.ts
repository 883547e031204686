/**
 * Input files as the loaders see them: a name, a relative path (for dropped folders) and a `Blob`.
 *
 * In the browser the blob is the user's `File`; posting it to the worker passes a handle to the same bytes
 * (no copy). In Node the blob comes from `fs.openAsBlob`, also lazily read. Loaders read through
 * `readChunks` (streamed, decompressed on the fly) or `readSlice` (random access), never `arrayBuffer()` of
 * the whole file unless the format needs it.
 */
import { Gunzip } from 'fflate';
import { InputError } from './errors.ts';

export interface InputFile {
  /** File name without folders, e.g. `matrix.mtx.gz`. */
  readonly name: string;
  /** Path inside a dropped folder (`sample1/features.tsv.gz`), or the name for single files. */
  readonly relativePath: string;
  /** The bytes. */
  readonly blob: Blob;
  /** In Node only: the file's path on disk (lets h5wasm read it directly). */
  readonly nodePath?: string;
}

/** Wrap a browser `File` (with `webkitRelativePath` when it came from a folder). */
export function inputFileFromFile(file: File, relativePath?: string): InputFile {
  const rel =
    relativePath || (file as File & { webkitRelativePath?: string }).webkitRelativePath || file.name;
  return { name: file.name, relativePath: rel, blob: file };
}

/** Wrap in-memory bytes (tests, the embedded example). */
export function inputFileFromBytes(name: string, bytes: Uint8Array | string, relativePath = name): InputFile {
  const part: BlobPart = typeof bytes === 'string' ? bytes : (bytes as Uint8Array<ArrayBuffer>);
  return { name, relativePath, blob: new Blob([part]) };
}

/** Read `length` bytes from `offset` (raw, not decompressed). */
export async function readSlice(file: InputFile, offset: number, length: number): Promise<Uint8Array> {
  return new Uint8Array(await file.blob.slice(offset, offset + length).arrayBuffer());
}

/** True when the file starts with the gzip magic bytes. */
export async function isGzip(file: InputFile): Promise<boolean> {
  if (file.blob.size < 2) return false;
  const head = await readSlice(file, 0, 2);
  return head[0] === 0x1f && head[1] === 0x8b;
}

/** Name without a trailing `.gz`, lower-cased: used to recognise formats. */
export function baseName(file: InputFile): string {
  return file.name.toLowerCase().replace(/\.gz$/, '');
}

export interface ChunkOptions {
  /** Called with (compressed bytes consumed, total compressed bytes) as reading advances. */
  onBytes?: (read: number, total: number) => void;
  signal?: AbortSignal;
}

/**
 * Stream the file's content in chunks, gunzipped on the fly when it is gzip (multi-member gzip included).
 * Chunks are fresh Uint8Arrays the caller may keep.
 */
export async function* readChunks(file: InputFile, opts: ChunkOptions = {}): AsyncGenerator<Uint8Array> {
  const gz = await isGzip(file);
  const total = file.blob.size;
  const reader = file.blob.stream().getReader();
  let read = 0;
  const pending: Uint8Array[] = [];
  let failure: Error | null = null;
  const gunzip = gz
    ? new Gunzip((chunk) => {
        pending.push(chunk);
      })
    : null;
  try {
    for (;;) {
      if (opts.signal?.aborted) throw new InputError('cancelled', file.name, 'loading was cancelled');
      const { done, value } = await reader.read();
      if (done) break;
      read += value.byteLength;
      opts.onBytes?.(read, total);
      if (gunzip) {
        try {
          gunzip.push(value, false);
        } catch (e) {
          failure = e as Error;
        }
        if (failure) break;
        while (pending.length) yield pending.shift()!;
      } else {
        yield value;
      }
    }
    if (gunzip && !failure) {
      try {
        gunzip.push(new Uint8Array(0), true);
      } catch (e) {
        failure = e as Error;
      }
      while (pending.length) yield pending.shift()!;
    }
    if (failure) {
      throw new InputError(
        'corrupt-file',
        file.name,
        `the gzip data is damaged or truncated (${failure.message})`,
      );
    }
  } finally {
    reader.releaseLock();
  }
}

/**
 * Stream the file's text line by line (decompressed, UTF-8). Yields [lineNumber (1-based), line] without the
 * line terminator (\n or \r\n). For the small text files of the 10x formats and labels files.
 */
export async function* readLines(file: InputFile, opts: ChunkOptions = {}): AsyncGenerator<[number, string]> {
  const decoder = new TextDecoder('utf-8');
  let carry = '';
  let lineNo = 0;
  for await (const chunk of readChunks(file, opts)) {
    const text = carry + decoder.decode(chunk, { stream: true });
    let start = 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl < 0) break;
      const end = nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      yield [++lineNo, text.slice(start, end)];
      start = nl + 1;
    }
    carry = text.slice(start);
  }
  carry += decoder.decode();
  if (carry.length) yield [lineNo + 1, carry.endsWith('\r') ? carry.slice(0, -1) : carry];
}
