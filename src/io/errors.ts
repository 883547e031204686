/**
 * Input errors: every problem with a user's file becomes an `InputError` with a specific, human-readable
 * message naming the file and, where it applies, the line (1-based) or field. The UI shows `message` as is.
 */

export type InputErrorCode =
  | 'empty-file'
  | 'not-found'
  | 'non-numeric'
  | 'ragged-row'
  | 'duplicate-id'
  | 'negative-value'
  | 'non-finite'
  | 'missing-10x-file'
  | 'dimension-mismatch'
  | 'bad-header'
  | 'unsupported-hdf5'
  | 'unknown-format'
  | 'too-large'
  | 'all-zero'
  | 'too-few-kept'
  | 'not-counts'
  | 'bad-labels'
  | 'bad-bulk'
  | 'corrupt-file'
  | 'cancelled';

export interface InputErrorLocation {
  /** 1-based line number in the (decompressed) file. */
  line?: number;
  /** Field or dataset name, e.g. a column header or an HDF5 path. */
  field?: string;
}

export class InputError extends Error {
  override readonly name = 'InputError';
  constructor(
    readonly code: InputErrorCode,
    readonly file: string,
    readonly detail: string,
    readonly location: InputErrorLocation = {},
  ) {
    super(formatMessage(file, detail, location));
  }
}

function formatMessage(file: string, detail: string, loc: InputErrorLocation): string {
  const where: string[] = [];
  if (loc.line !== undefined) where.push(`line ${loc.line}`);
  if (loc.field !== undefined) where.push(`field "${loc.field}"`);
  return `${file}${where.length ? ` (${where.join(', ')})` : ''}: ${detail}`;
}

/** True for errors produced by our loaders (as opposed to bugs). Works across worker boundaries by name. */
export function isInputError(e: unknown): e is InputError {
  return e instanceof InputError || (e instanceof Error && e.name === 'InputError');
}

/** Human-readable byte size. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}
