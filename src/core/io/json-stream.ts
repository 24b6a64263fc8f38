// JSON written piece by piece, so that any result that was computed can be written. V8 caps a
// string near 512 MiB (2^29 - 24 UTF-16 units): `JSON.stringify` of a 4,000-word compare (two
// 4,000 × 4,000 matrices) or of a 6,000-token Gram matrix passes that cap and throws
// `RangeError: Invalid string length` after all the work is done. Here the text goes out in chunks
// of about 32 KiB, and only a leaf array (one matrix row, a word list) is stringified at once.
//
// The output is byte for byte what `JSON.stringify(value)` gives (same key order, `toJSON`,
// undefined/function members dropped, non-finite numbers as null), with one deliberate exception:
// a typed array is written as a JSON array of numbers, not as `{"0":…}`. A JsonRows (core/matrix)
// is written as its rows, straight from its typed array, as its toJSON would have them.
//
// This runs once per CLI process, so cold (interpreted, then baseline-compiled): numbers are
// formatted by native JSON.stringify on packed arrays of a few thousand values at a time, never
// one String(x) per value in JavaScript (bench/embed2d-output.ts measures the whole phase).
import { openAtomicFile, type AtomicFile } from './atomic-write';
import { JsonRows, type Matrix } from '../matrix';

/**
 * Characters per chunk. Small on purpose: V8 puts a string over 128 KiB in pages of its own, fresh
 * from the OS each time, and fs.writeSync flattens and copies each chunk; 1 MiB chunks and 8,192-value
 * slices cost embed2d's output phase on the GPT-2 vocabulary about 25 ms more (median of 11 cold
 * runs: 32 KiB chunks and 2,048-value slices 71 ms, 1 MiB and 8,192 101 ms), in page faults and GC.
 */
const FLUSH_AT = 1 << 15;
/** Values per native JSON.stringify of a slice of a leaf or typed array (about 50 kB of text at most: see FLUSH_AT). */
const SLICE_VALUES = 2048;
/** A leaf array of strings longer than this in all is written member by member. */
const LEAF_STRING_CHARS = 8 << 20;
/** Leaf arrays up to this length are stringified natively, SLICE_VALUES values per call. */
const NATIVE_LEAF = 1 << 16;

/** One streamJson call's state. */
interface Output {
  emit: (text: string) => void;
  /** Objects being written (a cycle check, as JSON.stringify's). */
  open: Set<object>;
}

/** Serializes `value` as JSON into `sink` in chunks of about 32 KiB (more where one leaf's text is longer). */
export function streamJson(value: unknown, sink: (chunk: string) => void): void {
  let buffer = '';
  serialize(value, (text) => {
    buffer += text;
    if (buffer.length >= FLUSH_AT) {
      sink(buffer);
      buffer = '';
    }
  });
  if (buffer) sink(buffer);
}

/** `writeFileSync(file, JSON.stringify(value))`, streamed and atomic (see atomic-write.ts). */
export function writeJsonFileSync(file: string, value: unknown, suffix = ''): void {
  const out: AtomicFile = openAtomicFile(file);
  try {
    // The pieces go as UTF-8 into one reused buffer, not joined into chunk strings first: writing
    // a joined string makes V8 copy it flat (2.9 MB more garbage for embed2d's map, another scavenge).
    const bytes = Buffer.allocUnsafeSlow(4 * FLUSH_AT);
    let used = 0;
    const flush = () => {
      if (used) out.write(bytes.subarray(0, used));
      used = 0;
    };
    serialize(value, (text) => {
      if (used + 3 * text.length > bytes.length) flush(); // 3 bytes per UTF-16 unit at most
      if (3 * text.length > bytes.length) out.write(text);
      else used += bytes.write(text, used, 'utf8');
    });
    flush();
    if (suffix) out.write(suffix);
  } catch (err) {
    out.abort();
    throw err;
  }
  out.commit();
}

/** Writes `value` as JSON, piece by piece, to `emit`. */
function serialize(value: unknown, emit: (text: string) => void): void {
  const out: Output = { emit, open: new Set<object>() };
  const top = prepare(value, '');
  if (top === undefined) throw new TypeError('JSON has no text for undefined, a function or a symbol');
  writeValue(top, out);
}

/** What JSON.stringify does to a member before writing it: toJSON, boxed primitives. */
function prepare(value: unknown, key: string): unknown {
  let v = value;
  if (v instanceof JsonRows) return v;
  if (v !== null && (typeof v === 'object' || typeof v === 'bigint') && typeof (v as { toJSON?: unknown }).toJSON === 'function') {
    v = (v as { toJSON(k: string): unknown }).toJSON(key);
  }
  if (v instanceof Number || v instanceof String || v instanceof Boolean) v = v.valueOf();
  if (v === undefined || typeof v === 'function' || typeof v === 'symbol') return undefined;
  return v;
}

function writeValue(v: unknown, out: Output): void {
  const { emit, open } = out;
  if (v === null) return emit('null');
  switch (typeof v) {
    case 'number':
      return emit(Number.isFinite(v) ? String(v) : 'null');
    case 'string':
    case 'boolean':
      return emit(JSON.stringify(v));
    case 'bigint':
      throw new TypeError('Do not know how to serialize a BigInt');
    case 'object':
      break;
    default:
      return emit('null');
  }
  const obj = v as object;
  if (open.has(obj)) throw new TypeError('Converting circular structure to JSON');
  open.add(obj);
  if (obj instanceof JsonRows) writeRows(obj.matrix, emit);
  else if (ArrayBuffer.isView(obj) && !(obj instanceof DataView)) writeTypedArray(obj as unknown as ArrayLike<number | bigint>, emit);
  else if (Array.isArray(obj)) writeArray(obj, out);
  else writeObject(obj as Record<string, unknown>, out);
  open.delete(obj);
}

function writeArray(items: unknown[], out: Output): void {
  const { emit } = out;
  const values = items.length > NATIVE_LEAF ? -1 : isPrimitiveLeaf(items) ? items.length : numberRowValues(items);
  if (values >= 0) {
    // Natively, a slice of about SLICE_VALUES values per JSON.stringify (see FLUSH_AT).
    const step = Math.max(1, Math.floor((items.length * SLICE_VALUES) / Math.max(values, 1)));
    if (items.length <= step) return emit(JSON.stringify(items));
    for (let start = 0; start < items.length; start += step) {
      const text = JSON.stringify(items.slice(start, start + step));
      if (start > 0) emit(',');
      emit(start === 0 ? text.slice(0, -1) : text.slice(1, -1));
    }
    return emit(']');
  }
  emit('[');
  for (let i = 0; i < items.length; i++) {
    if (i > 0) emit(',');
    const item = prepare(items[i], String(i));
    if (item === undefined) emit('null');
    else writeValue(item, out);
  }
  emit(']');
}

function writeObject(obj: Record<string, unknown>, out: Output): void {
  const { emit } = out;
  emit('{');
  let first = true;
  for (const key of Object.keys(obj)) {
    const member = prepare(obj[key], key);
    if (member === undefined) continue;
    emit(`${first ? '' : ','}${JSON.stringify(key)}:`);
    first = false;
    writeValue(member, out);
  }
  emit('}');
}

function writeTypedArray(values: ArrayLike<number | bigint>, emit: (text: string) => void): void {
  emit('[');
  if (values instanceof Float64Array || values instanceof Float32Array) {
    for (let start = 0; start < values.length; start += SLICE_VALUES) {
      const text = JSON.stringify(packedNumbers(values, start, Math.min(values.length, start + SLICE_VALUES)));
      if (start > 0) emit(',');
      emit(text.slice(1, -1));
    }
  } else if (isIntegerArray(values)) {
    // Integers have one text (no -0, NaN or exponent): the typed array's own join writes JSON's.
    for (let start = 0; start < values.length; start += SLICE_VALUES) {
      if (start > 0) emit(',');
      emit(values.subarray(start, Math.min(values.length, start + SLICE_VALUES)).join(','));
    }
  } else {
    for (let i = 0; i < values.length; i++) {
      const x = Number(values[i]);
      emit(`${i > 0 ? ',' : ''}${Number.isFinite(x) ? String(x) : 'null'}`);
    }
  }
  emit(']');
}

type IntegerArray = Int8Array | Uint8Array | Uint8ClampedArray | Int16Array | Uint16Array | Int32Array | Uint32Array;

function isIntegerArray(values: unknown): values is IntegerArray {
  return values instanceof Int32Array || values instanceof Uint8Array || values instanceof Uint32Array || values instanceof Int16Array
    || values instanceof Uint16Array || values instanceof Int8Array || values instanceof Uint8ClampedArray;
}

/**
 * values[start..end) as a packed array of doubles, the kind JSON.stringify serializes on its fast
 * path (a `new Array(n)` filled in place is holey, and takes the slow path).
 */
function packedNumbers(values: ArrayLike<number>, start: number, end: number): number[] {
  const out: number[] = [];
  for (let i = start; i < end; i++) out.push(values[i]);
  return out;
}

/** A matrix as JSON rows, a slice of rows per native JSON.stringify. */
function writeRows(m: Matrix, emit: (text: string) => void): void {
  const { rows, cols, data } = m;
  if (cols === 0 || cols > SLICE_VALUES) {
    // Rows too long for one slice (or empty): each row as a typed array.
    emit('[');
    for (let i = 0; i < rows; i++) {
      if (i > 0) emit(',');
      writeTypedArray(data.subarray(i * cols, (i + 1) * cols), emit);
    }
    return emit(']');
  }
  // One slice's row arrays, made once and refilled: a new packed array per row (50,257 of them for
  // embed2d's map) cost more in allocation and GC than the stringify of their numbers.
  const step = Math.min(rows, Math.floor(SLICE_VALUES / cols));
  const slice: number[][] = [];
  for (let i = 0; i < step; i++) {
    const row: number[] = [];
    for (let c = 0; c < cols; c++) row.push(0.5); // a double, so that the row is a packed double array
    slice.push(row);
  }
  emit('[');
  for (let start = 0; start < rows; start += step) {
    const count = Math.min(step, rows - start);
    if (count < slice.length) slice.length = count;
    for (let i = 0; i < count; i++) {
      const row = slice[i], base = (start + i) * cols;
      for (let c = 0; c < cols; c++) row[c] = data[base + c];
    }
    const text = JSON.stringify(slice);
    if (start > 0) emit(',');
    emit(text.slice(1, -1));
  }
  emit(']');
}

/**
 * An array whose members JSON.stringify writes without recursion or toJSON (a matrix row, a label
 * list), and whose text stays small: long strings send it down the member-by-member path.
 */
function isPrimitiveLeaf(items: unknown[]): boolean {
  let chars = 0;
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    const t = typeof item;
    if (t === 'string') {
      chars += (item as string).length;
      if (chars > LEAF_STRING_CHARS) return false;
    } else if (t !== 'number' && t !== 'boolean' && item !== null) return false;
  }
  return true;
}

/** Numbers written natively at once when they come as rows (at most 25 characters each). */
const NATIVE_ROWS_VALUES = 1 << 18;

/**
 * The number of values in an array of arrays of numbers (a map's coordinates, a small matrix), or
 * −1 when it is something else or holds too many to write natively in slices.
 */
function numberRowValues(items: unknown[]): number {
  let values = 0;
  for (let i = 0; i < items.length; i++) {
    const row = items[i];
    if (!Array.isArray(row)) return -1;
    values += row.length;
    if (values > NATIVE_ROWS_VALUES) return -1;
    for (let j = 0; j < row.length; j++) if (typeof row[j] !== 'number' && row[j] !== null) return -1;
  }
  return values;
}

/** The UTF-8 bytes of `JSON.stringify(value) + suffix`, built from chunks, never as one string. */
export function jsonBytes(value: unknown, suffix = ''): Buffer {
  const parts: Buffer[] = [];
  streamJson(value, (chunk) => parts.push(Buffer.from(chunk, 'utf8')));
  if (suffix) parts.push(Buffer.from(suffix, 'utf8'));
  return Buffer.concat(parts);
}
