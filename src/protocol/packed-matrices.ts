// Large matrices cross to the webview as one Float64Array each. VS Code passes typed arrays in a
// webview message beside its JSON text (extensions for VS Code 1.57 and later), so a result with
// two 4,000 × 4,000 similarity matrices no longer becomes one JSON string of ~600 MB, which V8
// cannot make. The webview unpacks them back into the rows of numbers every renderer expects;
// a non-finite number comes back as null, as it would after JSON. A panel that reads its matrices
// by index (compare, match) takes them as row views instead: each row a subarray of the one
// Float64Array, so a 2,400-word result is not copied into 11 million boxed numbers before it draws
// (issue 20 item 9), and flatMatrix hands the heatmap the buffer itself.
import type { MatrixJson } from './result';

interface PackedMatrix {
  packedMatrix: true;
  rows: number;
  cols: number;
  data: Float64Array;
}

/** Matrices with fewer cells stay plain arrays (their text is small). */
const PACK_MIN_CELLS = 1 << 16;

function isMatrix(value: unknown): value is (number | null)[][] {
  if (!Array.isArray(value) || value.length === 0 || !Array.isArray(value[0])) return false;
  const cols = (value[0] as unknown[]).length;
  for (const row of value) {
    if (!Array.isArray(row) || row.length !== cols) return false;
    for (const x of row as unknown[]) if (typeof x !== 'number' && x !== null) return false;
  }
  return cols > 0;
}

export function isPackedMatrix(value: unknown): value is PackedMatrix {
  const v = value as Partial<PackedMatrix> | null;
  return typeof v === 'object' && v !== null && v.packedMatrix === true && v.data instanceof Float64Array && v.data.length === (v.rows ?? -1) * (v.cols ?? -1);
}

/** A copy of `value` with every rectangular number matrix of at least `minCells` cells packed; the input is not changed. */
export function packMatrices<T>(value: T, minCells = PACK_MIN_CELLS): T {
  return pack(value, minCells) as T;
}

function pack(value: unknown, minCells: number): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    if (value.length > 0 && Array.isArray(value[0]) && value.length * (value[0] as unknown[]).length >= minCells && isMatrix(value)) {
      const rows = value.length;
      const cols = value[0].length;
      const data = new Float64Array(rows * cols);
      for (let i = 0; i < rows; i++) {
        const row = value[i];
        for (let j = 0; j < cols; j++) data[i * cols + j] = row[j] ?? NaN;
      }
      return { packedMatrix: true, rows, cols, data } satisfies PackedMatrix;
    }
    return value.map((v) => pack(v, minCells));
  }
  if (ArrayBuffer.isView(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = pack(v, minCells);
  return out;
}

/**
 * The inverse of packMatrices: rows of numbers again, non-finite values as null (as after JSON).
 * With `rowViews`, each matrix is an array of Float64Array rows over the packed data (no copy;
 * non-finite values stay NaN), for renderers that only index into rows.
 */
export function unpackMatrices<T>(value: T, rowViews = false): T {
  return unpack(value, rowViews) as T;
}

function unpack(value: unknown, rowViews: boolean): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (isPackedMatrix(value)) {
    if (rowViews) return Array.from({ length: value.rows }, (_, i) => value.data.subarray(i * value.cols, (i + 1) * value.cols));
    const m: MatrixJson = new Array(value.rows);
    for (let i = 0; i < value.rows; i++) {
      const row = new Array<number>(value.cols);
      for (let j = 0; j < value.cols; j++) {
        const x = value.data[i * value.cols + j];
        row[j] = Number.isFinite(x) ? x : (null as unknown as number);
      }
      m[i] = row;
    }
    return m;
  }
  if (Array.isArray(value)) return value.map((v) => unpack(v, rowViews));
  if (ArrayBuffer.isView(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = unpack(v, rowViews);
  return out;
}

/** A copy of `value` where row views (typed-array rows) are plain number rows again, NaN as null: JSON-safe, for the webview state. */
export function plainRows<T>(value: T): T {
  return plain(value) as T;
}

function plain(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (value instanceof Float64Array) return Array.from(value, (x) => (Number.isFinite(x) ? x : null));
  if (Array.isArray(value)) return value.map(plain);
  if (ArrayBuffer.isView(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = plain(v);
  return out;
}

/**
 * The rows × cols matrix as one row-major Float64Array: the packed buffer itself when `rows` are
 * consecutive row views of it (unpackMatrices with rowViews), else a copy (null becomes NaN).
 */
export function flatMatrix(rows: ArrayLike<number | null>[], cols = rows[0]?.length ?? 0): Float64Array {
  const first = rows[0];
  if (first instanceof Float64Array && first.length === cols) {
    const views = first.byteOffset + rows.length * cols * 8 <= first.buffer.byteLength
      && rows.every((row, i) => row instanceof Float64Array && row.buffer === first.buffer && row.byteOffset === first.byteOffset + i * cols * 8 && row.length === cols);
    if (views) return new Float64Array(first.buffer, first.byteOffset, rows.length * cols);
  }
  const out = new Float64Array(rows.length * cols);
  rows.forEach((row, i) => { for (let j = 0; j < cols; j++) out[i * cols + j] = row[j] ?? NaN; });
  return out;
}
