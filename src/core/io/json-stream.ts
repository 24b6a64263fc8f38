// JSON written piece by piece, so that any result that was computed can be written. V8 caps a
// string near 512 MiB (2^29 - 24 UTF-16 units): `JSON.stringify` of a 4,000-word compare (two
// 4,000 × 4,000 matrices) or of a 6,000-token Gram matrix passes that cap and throws
// `RangeError: Invalid string length` after all the work is done. Here the text goes out in chunks
// of about 1 MiB, and only a leaf array of numbers (one matrix row) is stringified at once.
//
// The output is byte for byte what `JSON.stringify(value)` gives (same key order, `toJSON`,
// undefined/function members dropped, non-finite numbers as null), with one deliberate exception:
// a typed array is written as a JSON array of numbers, not as `{"0":…}`.
import { openAtomicFile, type AtomicFile } from './atomic-write';

const FLUSH_AT = 1 << 20;
/** Leaf arrays up to this length are stringified natively in one call (fast and still small). */
const NATIVE_LEAF = 1 << 16;

/** Serializes `value` as JSON into `sink` in chunks of about 1 MiB. */
export function streamJson(value: unknown, sink: (chunk: string) => void): void {
  let buffer = '';
  const emit = (text: string) => {
    buffer += text;
    if (buffer.length >= FLUSH_AT) {
      sink(buffer);
      buffer = '';
    }
  };
  const open = new Set<object>();
  const top = prepare(value, '');
  if (top === undefined) throw new TypeError('JSON has no text for undefined, a function or a symbol');
  writeValue(top, emit, open);
  if (buffer) sink(buffer);
}

/** `writeFileSync(file, JSON.stringify(value))`, streamed and atomic (see atomic-write.ts). */
export function writeJsonFileSync(file: string, value: unknown, suffix = ''): void {
  const out: AtomicFile = openAtomicFile(file);
  try {
    streamJson(value, (chunk) => out.write(chunk));
    if (suffix) out.write(suffix);
  } catch (err) {
    out.abort();
    throw err;
  }
  out.commit();
}

/** What JSON.stringify does to a member before writing it: toJSON, boxed primitives. */
function prepare(value: unknown, key: string): unknown {
  let v = value;
  if (v !== null && (typeof v === 'object' || typeof v === 'bigint') && typeof (v as { toJSON?: unknown }).toJSON === 'function') {
    v = (v as { toJSON(k: string): unknown }).toJSON(key);
  }
  if (v instanceof Number || v instanceof String || v instanceof Boolean) v = v.valueOf();
  if (v === undefined || typeof v === 'function' || typeof v === 'symbol') return undefined;
  return v;
}

function writeValue(v: unknown, emit: (text: string) => void, open: Set<object>): void {
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
  if (ArrayBuffer.isView(obj) && !(obj instanceof DataView)) writeTypedArray(obj as unknown as ArrayLike<number | bigint>, emit);
  else if (Array.isArray(obj)) writeArray(obj, emit, open);
  else writeObject(obj as Record<string, unknown>, emit, open);
  open.delete(obj);
}

function writeArray(items: unknown[], emit: (text: string) => void, open: Set<object>): void {
  if (items.length <= NATIVE_LEAF && (isPrimitiveLeaf(items) || isSmallNumberRows(items))) return emit(JSON.stringify(items));
  emit('[');
  for (let i = 0; i < items.length; i++) {
    if (i > 0) emit(',');
    const item = prepare(items[i], String(i));
    if (item === undefined) emit('null');
    else writeValue(item, emit, open);
  }
  emit(']');
}

function writeObject(obj: Record<string, unknown>, emit: (text: string) => void, open: Set<object>): void {
  emit('{');
  let first = true;
  for (const key of Object.keys(obj)) {
    const member = prepare(obj[key], key);
    if (member === undefined) continue;
    emit(`${first ? '' : ','}${JSON.stringify(key)}:`);
    first = false;
    writeValue(member, emit, open);
  }
  emit('}');
}

function writeTypedArray(values: ArrayLike<number | bigint>, emit: (text: string) => void): void {
  emit('[');
  const step = 4096;
  for (let start = 0; start < values.length; start += step) {
    const end = Math.min(values.length, start + step);
    let text = start > 0 ? ',' : '';
    for (let i = start; i < end; i++) {
      const x = Number(values[i]);
      text += `${i > start ? ',' : ''}${Number.isFinite(x) ? String(x) : 'null'}`;
    }
    emit(text);
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
      if (chars > 8 * FLUSH_AT) return false;
    } else if (t !== 'number' && t !== 'boolean' && item !== null) return false;
  }
  return true;
}

/** Numbers written natively at once when they come as rows (at most 25 characters each). */
const NATIVE_ROWS_VALUES = 1 << 18;

/**
 * An array of arrays of numbers (a map's coordinates, a small matrix), with few values in all:
 * one native stringify instead of one call per row (50,257 rows of 2: 40 → 15 ms).
 */
function isSmallNumberRows(items: unknown[]): boolean {
  let values = 0;
  for (let i = 0; i < items.length; i++) {
    const row = items[i];
    if (!Array.isArray(row)) return false;
    values += row.length;
    if (values > NATIVE_ROWS_VALUES) return false;
    for (let j = 0; j < row.length; j++) if (typeof row[j] !== 'number' && row[j] !== null) return false;
  }
  return true;
}

/** The UTF-8 bytes of `JSON.stringify(value) + suffix`, built from chunks, never as one string. */
export function jsonBytes(value: unknown, suffix = ''): Buffer {
  const parts: Buffer[] = [];
  streamJson(value, (chunk) => parts.push(Buffer.from(chunk, 'utf8')));
  if (suffix) parts.push(Buffer.from(suffix, 'utf8'));
  return Buffer.concat(parts);
}
