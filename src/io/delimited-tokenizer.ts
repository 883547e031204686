/**
 * Byte-level tokenizer for delimited count tables (CSV/TSV), used by `delimited.ts`.
 *
 * Count tables are tens to hundreds of MB of mostly `0,` fields, so the body is parsed straight from the
 * decompressed Uint8Array chunks into a `CsrBuilder`: no string per line, no string or object per value.
 * Only names (the header and the first field of each row) become JS strings. Plain integers take a fast
 * path; every other number goes through an exact decimal parser that gives the same double as `Number()`.
 */
import type { CsrBuilder } from '../core/matrix/csr.ts';
import { InputError } from './errors.ts';

const NL = 10;
const CR = 13;
const QUOTE = 34;
const SPACE = 32;
const TAB = 9;

/** Powers of ten that are exact doubles (10^0 .. 10^22): the range where m * 10^e is correctly rounded. */
const POW10 = Array.from({ length: 23 }, (_, i) => Number(`1e${i}`));
const FLOAT32_MAX = 3.4028234663852886e38;
const MAX_TOKEN_SHOWN = 40;

const latin1 = new TextDecoder('latin1');
const utf8 = new TextDecoder('utf-8');

/**
 * Splits a stream of byte chunks into lines and hands each to `onLine` as (buffer, start, end, lineNo) with
 * the terminator (`\n` or `\r\n`) excluded. Lines inside one chunk are passed without copying; only a line
 * that straddles chunks is assembled in a reusable carry buffer.
 */
export class LineSplitter {
  private carry = new Uint8Array(4096);
  private carryLen = 0;
  /** Number of lines emitted so far (= 1-based number of the last line). */
  line = 0;

  constructor(private readonly onLine: (buf: Uint8Array, start: number, end: number, line: number) => void) {}

  push(chunk: Uint8Array): void {
    let pos = 0;
    if (this.carryLen > 0) {
      const nl = chunk.indexOf(NL);
      if (nl < 0) {
        this.append(chunk);
        return;
      }
      this.append(chunk.subarray(0, nl));
      const len = this.carryLen;
      this.carryLen = 0;
      this.emit(this.carry, 0, len);
      pos = nl + 1;
    }
    for (;;) {
      const nl = chunk.indexOf(NL, pos);
      if (nl < 0) break;
      this.emit(chunk, pos, nl);
      pos = nl + 1;
    }
    if (pos < chunk.length) this.append(chunk.subarray(pos));
  }

  /** Flush a last line that has no terminator. */
  end(): void {
    if (this.carryLen > 0) {
      const len = this.carryLen;
      this.carryLen = 0;
      this.emit(this.carry, 0, len);
    }
  }

  private emit(buf: Uint8Array, start: number, end: number): void {
    this.line++;
    this.onLine(buf, start, end > start && buf[end - 1] === CR ? end - 1 : end, this.line);
  }

  private append(bytes: Uint8Array): void {
    const need = this.carryLen + bytes.length;
    if (need > this.carry.length) {
      const next = new Uint8Array(Math.max(need, this.carry.length * 2));
      next.set(this.carry.subarray(0, this.carryLen));
      this.carry = next;
    }
    this.carry.set(bytes, this.carryLen);
    this.carryLen = need;
  }
}

/** True when the line holds nothing but spaces and tabs. */
export function isBlank(buf: Uint8Array, start: number, end: number): boolean {
  for (let p = start; p < end; p++) {
    const c = buf[p]!;
    if (c !== SPACE && c !== TAB) return false;
  }
  return true;
}

/** Number of fields on a line, ignoring delimiters inside double quotes. */
export function countFields(buf: Uint8Array, start: number, end: number, delim: number): number {
  let n = 1;
  let inQuotes = false;
  for (let p = start; p < end; p++) {
    const c = buf[p]!;
    if (c === QUOTE) inQuotes = !inQuotes;
    else if (c === delim && !inQuotes) n++;
  }
  return n;
}

/** Outcome of splitting a text line into fields; `error` describes an unterminated quote. */
export interface SplitResult {
  fields: string[];
  error?: string;
}

/**
 * Quote-aware split of one (header) line. Unquoted fields are trimmed of spaces; quoted fields keep their
 * content with `""` turned into `"`.
 */
export function splitFields(text: string, delim: string): SplitResult {
  const fields: string[] = [];
  let p = 0;
  const n = text.length;
  for (;;) {
    while (p < n && text[p] === ' ' && delim !== ' ') p++;
    if (text[p] === '"') {
      let value = '';
      let q = p + 1;
      for (;;) {
        const close = text.indexOf('"', q);
        if (close < 0) {
          return { fields, error: `field ${fields.length + 1} opens a double quote that is never closed` };
        }
        value += text.slice(q, close);
        if (text[close + 1] === '"') {
          value += '"';
          q = close + 2;
        } else {
          q = close + 1;
          break;
        }
      }
      while (q < n && text[q] === ' ') q++;
      if (q < n && text[q] !== delim) {
        return { fields, error: `field ${fields.length + 1} has text after its closing quote` };
      }
      fields.push(value);
      p = q;
    } else {
      const next = text.indexOf(delim, p);
      const stop = next < 0 ? n : next;
      fields.push(text.slice(p, stop).trim());
      p = stop;
    }
    if (p >= n) break;
    p++; // skip the delimiter
    if (p === n) {
      fields.push('');
      break;
    }
  }
  return { fields };
}

/** Shorten a token for an error message. */
export function shownToken(token: string): string {
  return token.length > MAX_TOKEN_SHOWN ? `${token.slice(0, MAX_TOKEN_SHOWN)}…` : token;
}

/**
 * Exact parse of an unquoted, trimmed decimal token `[+-]digits[.digits][(e|E)[+-]digits]` in buf[start, end).
 * Returns NaN when the token is not of that form (the caller then explains why). Small mantissas with
 * small exponents are computed as m * 10^e or m / 10^e, which is correctly rounded and so equal to
 * `Number(token)`; anything else falls back to `Number()` on the (ASCII) token.
 */
export function parseDecimal(buf: Uint8Array, start: number, end: number): number {
  let p = start;
  let negative = false;
  let c = buf[p];
  if (c === 43 || c === 45) {
    negative = c === 45;
    p++;
  }
  let mantissa = 0;
  let sigDigits = 0;
  let digits = 0;
  let scale = 0;
  while (p < end && (c = buf[p]!) >= 48 && c <= 57) {
    if (sigDigits > 0 || c !== 48) {
      mantissa = mantissa * 10 + (c - 48);
      sigDigits++;
    }
    digits++;
    p++;
  }
  if (p < end && buf[p] === 46) {
    p++;
    while (p < end && (c = buf[p]!) >= 48 && c <= 57) {
      if (sigDigits > 0 || c !== 48) {
        mantissa = mantissa * 10 + (c - 48);
        sigDigits++;
      }
      scale--;
      digits++;
      p++;
    }
  }
  if (digits === 0) return NaN;
  if (p < end && (buf[p] === 101 || buf[p] === 69)) {
    p++;
    let expNegative = false;
    if (p < end && (buf[p] === 43 || buf[p] === 45)) {
      expNegative = buf[p] === 45;
      p++;
    }
    let exp = 0;
    let expDigits = 0;
    while (p < end && (c = buf[p]!) >= 48 && c <= 57) {
      if (exp < 100000) exp = exp * 10 + (c - 48);
      expDigits++;
      p++;
    }
    if (expDigits === 0) return NaN;
    scale += expNegative ? -exp : exp;
  }
  if (p !== end) return NaN;
  let v: number;
  if (mantissa === 0) v = 0;
  else if (sigDigits <= 15 && scale >= 0 && scale <= 22) v = mantissa * POW10[scale]!;
  else if (sigDigits <= 15 && scale < 0 && scale >= -22) v = mantissa / POW10[-scale]!;
  else return Number(latin1.decode(buf.subarray(start, end)));
  return negative ? -v : v;
}

/** Decode a name field: trimmed of spaces, unquoted with `""` unescaped. Returns null on a broken quote. */
export function decodeName(buf: Uint8Array, start: number, end: number): string | null {
  let s = start;
  let e = end;
  while (s < e && buf[s] === SPACE) s++;
  while (e > s && buf[e - 1] === SPACE) e--;
  if (s < e && buf[s] === QUOTE) {
    if (e - s < 2 || buf[e - 1] !== QUOTE) return null;
    return utf8.decode(buf.subarray(s + 1, e - 1)).replaceAll('""', '"');
  }
  return utf8.decode(buf.subarray(s, e));
}

/** End (exclusive) of the field starting at `start`: the next delimiter outside quotes, or `end`. */
export function fieldEnd(buf: Uint8Array, start: number, end: number, delim: number): number {
  let inQuotes = false;
  for (let p = start; p < end; p++) {
    const c = buf[p]!;
    if (c === QUOTE) inQuotes = !inQuotes;
    else if (c === delim && !inQuotes) return p;
  }
  return end;
}

const NON_FINITE = /^[+-]?(nan|inf|infinity)$/i;
const MISSING = /^(na|n\/a|null|none|nil|missing|-|\?)$/i;

/**
 * Parses the data rows of a table whose columns are known: the row name, then one number per column,
 * written into `builder` (zeros skipped). Throws `InputError` naming the file, line and column.
 */
export class RowParser {
  /** True once a value with a fractional part was seen. */
  nonInteger = false;
  /** First non-integer value seen, for the warning. */
  firstNonInteger: { value: number; line: number; column: string } | null = null;
  /** Largest value seen. */
  maxValue = 0;
  /** Position after the field parsed by `slowValue` (a delimiter or the line end). */
  private next = 0;

  constructor(
    private readonly file: string,
    private readonly delim: number,
    private readonly colIds: string[],
    private readonly builder: CsrBuilder,
  ) {}

  /** Parse one data line; returns its row name. */
  parseRow(buf: Uint8Array, start: number, end: number, line: number): string {
    const delim = this.delim;
    const nCols = this.colIds.length;
    const b = this.builder;
    const idEnd = fieldEnd(buf, start, end, delim);
    const id = decodeName(buf, start, idEnd);
    if (id === null) {
      throw new InputError(
        'bad-header',
        this.file,
        'the row name in the first field has a double quote that is not closed properly',
        { line },
      );
    }
    if (id === '') {
      throw new InputError(
        'bad-header',
        this.file,
        'the row name (first field) is empty; every row needs a gene or cell name in the first column',
        { line },
      );
    }
    let p = idEnd + 1;
    if (idEnd >= end) this.ragged(buf, start, end, line);
    let col = 0;
    let max = this.maxValue;
    for (;;) {
      if (col >= nCols) this.ragged(buf, start, end, line);
      const fs = p;
      let v: number;
      let c = p < end ? buf[p]! : -1;
      if (c >= 48 && c <= 57) {
        // Fast path: a plain integer of at most 15 digits (exact in a double).
        v = c - 48;
        p++;
        while (p < end && (c = buf[p]!) >= 48 && c <= 57) {
          v = v * 10 + (c - 48);
          p++;
        }
        if (!((p === end || c === delim) && p - fs <= 15)) {
          v = this.slowValue(buf, fs, end, line, col);
          p = this.next;
        }
      } else {
        v = this.slowValue(buf, fs, end, line, col);
        p = this.next;
      }
      if (v !== 0) {
        b.push(col, v);
        if (v > max) max = v;
      }
      col++;
      if (p >= end) break;
      p++;
    }
    this.maxValue = max;
    if (col < nCols) this.ragged(buf, start, end, line);
    return id;
  }

  /** Any field the fast path does not take: spaces, quotes, signs, decimals, exponents, or garbage. */
  private slowValue(buf: Uint8Array, fs: number, end: number, line: number, col: number): number {
    const delim = this.delim;
    let p = fs;
    while (p < end && (buf[p] === SPACE || (buf[p] === TAB && delim !== TAB))) p++;
    let ts: number;
    let te: number;
    if (p < end && buf[p] === QUOTE) {
      ts = p + 1;
      const close = buf.indexOf(QUOTE, ts);
      if (close < 0 || close >= end) {
        throw this.valueError(
          'non-numeric',
          line,
          col,
          'opens a double quote that is never closed',
          buf,
          fs,
          end,
        );
      }
      te = close;
      p = close + 1;
      while (p < end && buf[p] === SPACE) p++;
      if (p < end && buf[p] !== delim) {
        throw this.valueError(
          'non-numeric',
          line,
          col,
          'is not a number',
          buf,
          fs,
          fieldEnd(buf, fs, end, delim),
        );
      }
      // Numbers may be padded inside the quotes too.
      while (ts < te && buf[ts] === SPACE) ts++;
      while (te > ts && buf[te - 1] === SPACE) te--;
    } else {
      ts = p;
      while (p < end && buf[p] !== delim) p++;
      te = p;
      while (te > ts && (buf[te - 1] === SPACE || (buf[te - 1] === TAB && delim !== TAB))) te--;
    }
    this.next = p;
    const v = parseDecimal(buf, ts, te);
    if (Number.isNaN(v)) throw this.explainBadToken(buf, ts, te, line, col);
    if (v < 0) {
      throw this.valueError(
        'negative-value',
        line,
        col,
        'is negative; counts cannot be negative (scaled or centred data is not accepted: load raw counts)',
        buf,
        ts,
        te,
      );
    }
    if (v > FLOAT32_MAX) {
      throw this.valueError('non-finite', line, col, 'is too large to store (over 3.4e38)', buf, ts, te);
    }
    if (!this.nonInteger && v % 1 !== 0) {
      this.nonInteger = true;
      this.firstNonInteger = { value: v, line, column: this.colIds[col] ?? '' };
    }
    return v;
  }

  private explainBadToken(buf: Uint8Array, ts: number, te: number, line: number, col: number): InputError {
    const token = utf8.decode(buf.subarray(ts, te));
    if (NON_FINITE.test(token)) {
      return this.valueError(
        'non-finite',
        line,
        col,
        'is not a finite number (NaN or infinity)',
        buf,
        ts,
        te,
      );
    }
    if (token === '') {
      return this.valueError(
        'non-numeric',
        line,
        col,
        'is empty: a missing value? Every entry needs a number; write 0 for no counts',
        buf,
        ts,
        te,
      );
    }
    if (MISSING.test(token)) {
      return this.valueError(
        'non-numeric',
        line,
        col,
        'is a missing value marker, not a number; every entry needs a number: write 0 for no counts',
        buf,
        ts,
        te,
      );
    }
    return this.valueError('non-numeric', line, col, 'is not a number', buf, ts, te);
  }

  private valueError(
    code: 'non-numeric' | 'non-finite' | 'negative-value',
    line: number,
    col: number,
    what: string,
    buf: Uint8Array,
    ts: number,
    te: number,
  ): InputError {
    const token = shownToken(utf8.decode(buf.subarray(ts, te)));
    const colId = this.colIds[col] ?? '';
    return new InputError(code, this.file, `value "${token}" in column ${col + 2} ("${colId}") ${what}`, {
      line,
      field: colId,
    });
  }

  private ragged(buf: Uint8Array, start: number, end: number, line: number): never {
    const found = countFields(buf, start, end, this.delim);
    const expected = this.colIds.length + 1;
    const trailing = end > start && buf[end - 1] === this.delim ? ' (the line ends with a delimiter)' : '';
    throw new InputError(
      'ragged-row',
      this.file,
      `expected ${expected} fields (a row name and ${this.colIds.length} values, as in the header) but found ${found}${trailing}`,
      { line },
    );
  }
}
