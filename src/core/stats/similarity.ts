// Cosine-similarity and Gram matrices over the rows of a matrix (rows are items).
// The products run on core/linalg's GEMM in the products' element type, and the result has that
// type, as numpy's does: float64 rows give float64, large float32 rows float32 (see productType).
import { MechLensError, throwIfCancelled } from '../errors';
import type { Matrix } from '../matrix';
import { assertFits, matrixBytes } from '../memory';
import type { RunControl } from '../run-control';
import { gramOfRows } from '../linalg';

type Values = Float32Array | Float64Array;

export interface CosineSimilarity {
  /**
   * items × items, symmetric to the bit. Float32 when the products ran in float32 (large float32
   * input, as numpy computes it): the values are the same as they would be widened to float64.
   */
  similarity: Matrix;
  /**
   * Rows whose vector is all zeros. Their cosine with anything is undefined (numpy gives NaN);
   * we put 0 off the diagonal and 1 on it, so heatmaps stay finite, and callers warn about these rows.
   */
  zeroRows: number[];
}

/** Cosine similarity between every pair of rows. Throws on NaN/Infinity, naming the row. */
export function cosineSimilarityMatrix(x: Matrix, control: RunControl = {}): CosineSimilarity {
  const { rows: n, cols: d } = x;
  const type = productType(x.data, n, d);
  assertSquareFits(n, d, type, 'similarity matrix');
  // The unit rows straight in the products' type (float32 rows, large: float32, as numpy).
  const unit = type === 'float32' ? new Float32Array(n * d) : new Float64Array(n * d);
  const zeroRows = unitRows(x.data, n, d, unit);
  // Rounding can push a cosine a hair past ±1 (clamped as the products are mirrored) and the
  // diagonal a hair off 1 (pinned).
  const similarity = symmetricProducts(unit, n, d, control, true);
  const s = similarity.data;
  for (let i = 0; i < n; i++) s[i * n + i] = 1;
  return { similarity, zeroRows };
}

/**
 * Writes each row of x divided by its norm into unit (zero rows stay zero) and returns the zero
 * rows. One function for both element types and all four pairings: V8 keeps its loads and
 * stores typed, where reading through a union-typed Matrix in a caller's loop did not.
 */
function unitRows(x: Values, n: number, d: number, unit: Values): number[] {
  const zeroRows: number[] = [];
  for (let i = 0; i < n; i++) {
    const base = i * d;
    let sumSquares = 0;
    for (let k = 0; k < d; k++) { const v = x[base + k]; sumSquares += v * v; }
    let norm = Math.sqrt(sumSquares);
    // Squares of subnormal or huge values under- or overflow: rescale by the largest magnitude first.
    if (!(norm > 1e-150 && norm < 1e150)) norm = scaledNorm(x, base, d);
    if (!Number.isFinite(norm)) throw nonFinite('cosineSimilarityMatrix', i);
    if (norm === 0) { zeroRows.push(i); continue; }
    for (let k = 0; k < d; k++) unit[base + k] = x[base + k] / norm;
  }
  return zeroRows;
}

/** Gram matrix X·Xᵀ (rows × rows), in the input's element type (see symmetricProducts). */
export function gramMatrix(x: Matrix, control: RunControl = {}): Matrix {
  const data = x.data;
  const type = productType(data, x.rows, x.cols);
  assertSquareFits(x.rows, x.cols, type, 'Gram matrix');
  for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i])) throw nonFinite('gramMatrix', Math.floor(i / x.cols));
  const asFloat64 = data instanceof Float32Array && type === 'float64';
  return symmetricProducts(asFloat64 ? new Float64Array(data) : data, x.rows, x.cols, control);
}

/** Cosine of two vectors of equal length; null when either is all zeros (undefined). */
export function cosineBetween(a: ArrayLike<number>, b: ArrayLike<number>): number | null {
  if (a.length !== b.length) {
    throw new MechLensError('bad-argument', `cosineBetween: vectors have lengths ${a.length} and ${b.length}`, {
      fix: 'Pass two vectors of the same dimension.',
    });
  }
  let ab = 0, aa = 0, bb = 0;
  for (let i = 0; i < a.length; i++) { ab += a[i] * b[i]; aa += a[i] * a[i]; bb += b[i] * b[i]; }
  if (!(aa > 0 && bb > 0)) return null;
  const c = ab / (Math.sqrt(aa) * Math.sqrt(bb));
  return c > 1 ? 1 : c < -1 ? -1 : c;
}

function scaledNorm(data: ArrayLike<number>, base: number, d: number): number {
  let largest = 0;
  for (let k = 0; k < d; k++) largest = Math.max(largest, Math.abs(data[base + k]));
  if (!Number.isFinite(largest)) return NaN;
  if (largest === 0) return 0;
  let sum = 0;
  for (let k = 0; k < d; k++) { const v = data[base + k] / largest; sum += v * v; }
  return largest * Math.sqrt(sum);
}

/** Refuses before allocating when the n × n result plus a copy of the rows would not fit. */
function assertSquareFits(n: number, d: number, type: 'float32' | 'float64', what: string): void {
  const count = n.toLocaleString('en-US');
  const bytes = type === 'float32' ? 4 : 8;
  assertFits(matrixBytes(n, n, bytes) + matrixBytes(n, d, bytes), `a ${count} × ${count} ${what} (with a ${type} copy of the ${count} × ${d} rows)`);
}

function allocateSquare(n: number, type: 'float32' | 'float64'): Values {
  const bytes = type === 'float32' ? 4 : 8;
  try {
    return type === 'float32' ? new Float32Array(n * n) : new Float64Array(n * n);
  } catch (error) {
    throw new MechLensError('memory', `An ${n} × ${n} similarity matrix needs ${((n * n * bytes) / 2 ** 30).toFixed(1)} GiB, more than can be allocated`, {
      fix: 'Use fewer items (for example the first few thousand), or a map (t-SNE/PCA) instead of the full matrix.',
      cause: error,
    });
  }
}

function nonFinite(what: string, rowIndex: number): MechLensError {
  return new MechLensError('bad-argument', `${what}: row ${rowIndex} contains NaN or Infinity`, {
    fix: 'Remove or repair that vector before computing similarities.',
  });
}

/**
 * Below this many multiply-adds (n²·d/2, a few milliseconds in float64) float32 rows are multiplied
 * in float64, as before core/linalg, so small jobs (word lists, a few hundred tokens) keep every
 * digit numpy's float64 gives; above it float32 rows get float32 products, as numpy computes them
 * (2-3× faster on MLAS, bench/README.md), and results move by about 1e-7.
 */
export const FLOAT64_PRODUCTS_BELOW = 1e8;

function productType(data: Float32Array | Float64Array, n: number, d: number): 'float32' | 'float64' {
  return data instanceof Float64Array || (n * n * d) / 2 < FLOAT64_PRODUCTS_BELOW ? 'float64' : 'float32';
}

/**
 * All dot products between rows of a row-major n × d array, filled symmetrically, on linalg's GEMM
 * in the element type of the rows (float32 rows: float32 products and result, as numpy does).
 */
function symmetricProducts(v: Values, n: number, d: number, control: RunControl, clampUnit = false): Matrix {
  throwIfCancelled(control.signal);
  const into = allocateSquare(n, v instanceof Float32Array ? 'float32' : 'float64');
  return gramOfRows<Values>({ rows: n, cols: d, data: v }, {
    into,
    clampUnit,
    onBlock: (done, total) => {
      throwIfCancelled(control.signal);
      if (total > 1 && done < total) control.onProgress?.({ message: `Similarity matrix, ${n} items`, fraction: done / total });
    },
  });
}
