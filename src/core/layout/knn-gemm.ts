// Exact k nearest neighbours with the distance tiles on core/linalg's GEMM. Tiles of float32 dot
// products (MLAS) rank k + CANDIDATE_MARGIN candidates per row; the candidates are then re-ranked
// with float64 dot products summed in order, |a−b|² = |a|² + |b|² − 2a·b exactly as knn.ts's
// JavaScript search computes it, so the result equals that search's bit for bit unless float32
// rounding (≈1e-7 of |a|·|b|) pushes a true neighbour below CANDIDATE_MARGIN others, which needs
// that many candidates within 1e-7 of the k-th distance.
import { throwIfCancelled } from '../errors';
import type { RunControl } from '../run-control';
import { multiplyRows } from '../linalg';

/** Candidates kept beyond k for the float64 re-ranking. */
export const CANDIDATE_MARGIN = 8;
/** Rows per tile side: a 1,024 × 4,096 float32 tile is 16 MB, and each GEMM call is large enough for MLAS. */
const TILE_ROWS = 1024;
const TILE_COLS = 4096;

/**
 * The k nearest rows of every row (self excluded) of exact (rows × cols, float64, already unit rows
 * for cosine) with its squared norms: indices and squared euclidean distances, nearest first.
 */
export function nearestByGemm(exact: Float64Array, norms: Float64Array, rows: number, cols: number, k: number, control: RunControl = {}, meanwhile?: () => void): { indices: Int32Array; squared: Float64Array } {
  const single = Float32Array.from(exact);
  const c = Math.min(rows - 1, k + CANDIDATE_MARGIN);
  const heapD = new Float64Array(rows * c).fill(Infinity);
  const heapI = new Int32Array(rows * c).fill(0x7fffffff);
  meanwhile?.();
  const blocks = Math.ceil(rows / TILE_ROWS);
  const totalWork = (blocks * (blocks + 1)) / 2;
  let done = 0;
  for (let i0 = 0; i0 < rows; i0 += TILE_ROWS) {
    throwIfCancelled(control.signal);
    control.onProgress?.({ message: 'Finding nearest neighbours', fraction: done / totalWork });
    const i1 = Math.min(rows, i0 + TILE_ROWS);
    const left = { rows: i1 - i0, cols, data: single.subarray(i0 * cols, i1 * cols) };
    // The upper triangle only: each pair once, offered to both rows' heaps.
    for (let j0 = i0; j0 < rows; j0 += TILE_COLS) {
      const j1 = Math.min(rows, j0 + TILE_COLS), width = j1 - j0;
      const dots = multiplyRows(left, { rows: width, cols, data: single.subarray(j0 * cols, j1 * cols) }).data;
      for (let i = i0; i < i1; i++) {
        const ni = norms[i], o = (i - i0) * width - j0, ti = i * c;
        for (let j = Math.max(j0, i + 1); j < j1; j++) {
          const d = ni + norms[j] - 2 * dots[o + j];
          if (d < heapD[ti] || (d === heapD[ti] && j < heapI[ti])) heapReplaceTop(heapD, heapI, ti, c, d, j);
          const tj = j * c;
          if (d < heapD[tj] || (d === heapD[tj] && i < heapI[tj])) heapReplaceTop(heapD, heapI, tj, c, d, i);
        }
      }
    }
    done += blocks - Math.floor(i0 / TILE_ROWS);
  }
  return rerank(exact, norms, cols, rows, k, c, heapI);
}

/** The k nearest of each row's c candidates by float64 squared distance (ties by index), nearest first. */
function rerank(data: Float64Array, norms: Float64Array, cols: number, rows: number, k: number, c: number, heapI: Int32Array): { indices: Int32Array; squared: Float64Array } {
  const indices = new Int32Array(rows * k);
  const squared = new Float64Array(rows * k);
  const candD = new Float64Array(c), candI = new Int32Array(c);
  const order = Array.from({ length: c }, (_, t) => t);
  const dots = new Float64Array(c);
  for (let i = 0; i < rows; i++) {
    candidateDots(data, cols, i * cols, heapI, i * c, c, dots);
    for (let t = 0; t < c; t++) {
      const j = heapI[i * c + t];
      candD[t] = Math.max(0, norms[i] + norms[j] - 2 * dots[t]);
      candI[t] = j;
      order[t] = t;
    }
    order.sort((p, q) => candD[p] - candD[q] || candI[p] - candI[q]);
    for (let t = 0; t < k; t++) {
      indices[i * k + t] = candI[order[t]];
      squared[i * k + t] = candD[order[t]];
    }
  }
  return { indices, squared };
}

/**
 * dots[t] = row `a`·row heapI[from + t] for t < c, each summed in column order, as knn.ts's search
 * sums it (so the distances are the same to the bit). Four candidates at a time: one sum is a chain
 * of dependent additions, so four independent chains keep the CPU busy where one waited on each
 * addition (the re-ranking of 20,000 × 99 candidates in 768 columns: 3.6 → 1.3 s).
 */
function candidateDots(data: Float64Array, cols: number, a: number, heapI: Int32Array, from: number, c: number, dots: Float64Array): void {
  let t = 0;
  for (; t + 3 < c; t += 4) {
    const b0 = heapI[from + t] * cols, b1 = heapI[from + t + 1] * cols, b2 = heapI[from + t + 2] * cols, b3 = heapI[from + t + 3] * cols;
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (let e = 0; e < cols; e++) {
      const v = data[a + e];
      s0 += v * data[b0 + e]; s1 += v * data[b1 + e]; s2 += v * data[b2 + e]; s3 += v * data[b3 + e];
    }
    dots[t] = s0; dots[t + 1] = s1; dots[t + 2] = s2; dots[t + 3] = s3;
  }
  for (; t < c; t++) {
    const b = heapI[from + t] * cols;
    let s = 0;
    for (let e = 0; e < cols; e++) s += data[a + e] * data[b + e];
    dots[t] = s;
  }
}

/** Replaces the maximum of the max-heap at heapD[o .. o+k), ordered by (distance, index), with (d, j). */
function heapReplaceTop(heapD: Float64Array, heapI: Int32Array, o: number, k: number, d: number, j: number): void {
  let p = 0;
  for (;;) {
    let m = 2 * p + 1;
    if (m >= k) break;
    if (m + 1 < k && (heapD[o + m + 1] > heapD[o + m] || (heapD[o + m + 1] === heapD[o + m] && heapI[o + m + 1] > heapI[o + m]))) m++;
    if (heapD[o + m] < d || (heapD[o + m] === d && heapI[o + m] < j)) break;
    heapD[o + p] = heapD[o + m]; heapI[o + p] = heapI[o + m]; p = m;
  }
  heapD[o + p] = d; heapI[o + p] = j;
}
