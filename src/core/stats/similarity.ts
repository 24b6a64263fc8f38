// Cosine-similarity and Gram matrices over the rows of a matrix (rows are items).
// Rows are normalized once, then dot products run on 4 × 2 row blocks (eight accumulators per six
// loads) over cache-sized bands of columns.
import { MechLensError, throwIfCancelled } from '../errors';
import type { Matrix } from '../matrix';
import { assertFits, matrixBytes } from '../memory';
import type { RunControl } from '../run-control';

export interface CosineSimilarity {
  /** items × items, symmetric. */
  similarity: Matrix<Float64Array>;
  /**
   * Rows whose vector is all zeros. Their cosine with anything is undefined (numpy gives NaN);
   * we put 0 off the diagonal and 1 on it, so heatmaps stay finite, and callers warn about these rows.
   */
  zeroRows: number[];
}

/** Cosine similarity between every pair of rows. Throws on NaN/Infinity, naming the row. */
export function cosineSimilarityMatrix(x: Matrix, control: RunControl = {}): CosineSimilarity {
  const { rows: n, cols: d } = x;
  assertSquareAndCopyFit(n, d, 'similarity matrix');
  const unit = new Float64Array(n * d);
  const zeroRows: number[] = [];
  for (let i = 0; i < n; i++) {
    const base = i * d;
    let sumSquares = 0;
    for (let k = 0; k < d; k++) { const v = x.data[base + k]; sumSquares += v * v; }
    let norm = Math.sqrt(sumSquares);
    // Squares of subnormal or huge values under- or overflow: rescale by the largest magnitude first.
    if (!(norm > 1e-150 && norm < 1e150)) norm = scaledNorm(x.data, base, d);
    if (!Number.isFinite(norm)) throw nonFinite('cosineSimilarityMatrix', i);
    if (norm === 0) { zeroRows.push(i); continue; }
    for (let k = 0; k < d; k++) unit[base + k] = x.data[base + k] / norm;
  }
  const similarity = symmetricProducts(unit, n, d, control);
  const s = similarity.data;
  // Rounding can push a cosine a hair past ±1 and the diagonal a hair off 1; pin both.
  for (let i = 0; i < s.length; i++) s[i] = s[i] > 1 ? 1 : s[i] < -1 ? -1 : s[i];
  for (let i = 0; i < n; i++) s[i * n + i] = 1;
  return { similarity, zeroRows };
}

/** Gram matrix X·Xᵀ (rows × rows), Float64 accumulation. */
export function gramMatrix(x: Matrix, control: RunControl = {}): Matrix<Float64Array> {
  assertSquareAndCopyFit(x.rows, x.cols, 'Gram matrix');
  const data = x.data instanceof Float64Array ? x.data : Float64Array.from(x.data);
  for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i])) throw nonFinite('gramMatrix', Math.floor(i / x.cols));
  return symmetricProducts(data, x.rows, x.cols, control);
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

/** Refuses before allocating when the n × n result plus the Float64 copy of the rows would not fit. */
function assertSquareAndCopyFit(n: number, d: number, what: string): void {
  const count = n.toLocaleString('en-US');
  assertFits(matrixBytes(n, n) + matrixBytes(n, d), `a ${count} × ${count} ${what} (with a Float64 copy of the ${count} × ${d} rows)`);
}

function allocateSquare(n: number): Float64Array {
  try {
    return new Float64Array(n * n);
  } catch (error) {
    throw new MechLensError('memory', `An ${n} × ${n} similarity matrix needs ${((n * n * 8) / 2 ** 30).toFixed(1)} GiB, more than can be allocated`, {
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

/** All dot products between rows of a row-major n × d array, filled symmetrically. */
function symmetricProducts(v: Float64Array | Float32Array, n: number, d: number, control: RunControl): Matrix<Float64Array> {
  const out = allocateSquare(n);
  const BLOCK = 64; // rows of the j side kept hot in cache while four i rows stream past them
  for (let jStart = 0; jStart < n; jStart += BLOCK) {
    throwIfCancelled(control.signal);
    // Block j costs in proportion to jEnd (rows 0..jEnd meet it), so the work done grows as jStart².
    if (n > BLOCK) control.onProgress?.({ message: `Similarity matrix, ${n} items`, fraction: (jStart / n) ** 2 });
    const jEnd = Math.min(n, jStart + BLOCK);
    let i = 0;
    for (; i + 3 < jEnd; i += 4) {
      const a0 = i * d, a1 = a0 + d, a2 = a1 + d, a3 = a2 + d;
      let j = Math.max(jStart, i);
      // Four rows against two: 8 products per 6 loads.
      for (; j + 1 < jEnd; j += 2) {
        const b0 = j * d, b1 = b0 + d;
        let s00 = 0, s01 = 0, s10 = 0, s11 = 0, s20 = 0, s21 = 0, s30 = 0, s31 = 0;
        for (let k = 0; k < d; k++) {
          const y0 = v[b0 + k], y1 = v[b1 + k];
          let x = v[a0 + k]; s00 += x * y0; s01 += x * y1;
          x = v[a1 + k]; s10 += x * y0; s11 += x * y1;
          x = v[a2 + k]; s20 += x * y0; s21 += x * y1;
          x = v[a3 + k]; s30 += x * y0; s31 += x * y1;
        }
        const o = i * n + j;
        out[o] = s00; out[o + 1] = s01; out[o + n] = s10; out[o + n + 1] = s11;
        out[o + 2 * n] = s20; out[o + 2 * n + 1] = s21; out[o + 3 * n] = s30; out[o + 3 * n + 1] = s31;
      }
      for (; j < jEnd; j++) {
        const b = j * d;
        let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        for (let k = 0; k < d; k++) {
          const bk = v[b + k];
          s0 += v[a0 + k] * bk; s1 += v[a1 + k] * bk; s2 += v[a2 + k] * bk; s3 += v[a3 + k] * bk;
        }
        out[i * n + j] = s0; out[(i + 1) * n + j] = s1; out[(i + 2) * n + j] = s2; out[(i + 3) * n + j] = s3;
      }
    }
    for (; i < jEnd; i++) {
      const a = i * d;
      for (let j = Math.max(jStart, i); j < jEnd; j++) {
        const b = j * d;
        let s = 0;
        for (let k = 0; k < d; k++) s += v[a + k] * v[b + k];
        out[i * n + j] = s;
      }
    }
  }
  // The 4-row kernel also wrote a few entries below the diagonal (j < i+3); mirroring the
  // upper triangle over them keeps the result exactly symmetric.
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) out[j * n + i] = out[i * n + j];
  return { rows: n, cols: n, data: out };
}
