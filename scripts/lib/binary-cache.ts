/**
 * The experiment scripts' cache format: `<base>.json` (a header with `parts`: name, typed-array type, byte
 * offset and length of each array) beside `<base>.bin` (the arrays, each 8-byte aligned). Written by the
 * cache scripts of scripts/impute-experiments and scripts/cluster-experiments, read back as typed views.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

type Ctor = { new (b: ArrayBuffer, o: number, n: number): ArrayBufferView; BYTES_PER_ELEMENT: number };
const CTORS: Record<string, Ctor> = { Float32Array, Int32Array, Uint32Array, Uint8Array, Float64Array };

export interface CachePart {
  readonly k: string;
  readonly type: string;
  readonly offset: number;
  readonly length: number;
}

/** Write `parts` and the header (with their layout added as `parts`) under `base`. */
export function writeBinaryCache(
  base: string,
  header: Record<string, unknown>,
  parts: readonly (readonly [string, ArrayBufferView])[],
): void {
  const layout: CachePart[] = [];
  const bufs: Buffer[] = [];
  let offset = 0;
  for (const [k, a] of parts) {
    const b = Buffer.from(a.buffer, a.byteOffset, a.byteLength);
    layout.push({ k, type: a.constructor.name, offset, length: b.length });
    bufs.push(b);
    offset += b.length;
    const pad = (8 - (offset % 8)) % 8;
    if (pad) {
      bufs.push(Buffer.alloc(pad));
      offset += pad;
    }
  }
  mkdirSync(dirname(base), { recursive: true });
  writeFileSync(`${base}.bin`, Buffer.concat(bufs));
  writeFileSync(`${base}.json`, JSON.stringify({ ...header, parts: layout }));
}

/** The header and every part as a typed view of the right type (the caller knows which is which). */
export function readBinaryCache(base: string): {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the header is the writer's own JSON
  header: Record<string, any>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- typed views of a self-written cache
  parts: Record<string, any>;
} {
  const header = JSON.parse(readFileSync(`${base}.json`, 'utf8'));
  const buf = readFileSync(`${base}.bin`);
  const ab = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
  const parts: Record<string, ArrayBufferView> = {};
  for (const { k, type, offset, length } of header.parts as CachePart[]) {
    const C = CTORS[type];
    if (!C) throw new Error(`${base}: unknown array type ${type}`);
    parts[k] = new C(ab as ArrayBuffer, offset, length / C.BYTES_PER_ELEMENT);
  }
  return { header, parts };
}
