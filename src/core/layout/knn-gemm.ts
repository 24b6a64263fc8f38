// Exact k nearest neighbours with the distance tiles on core/linalg's GEMM. Tiles of float32 dot
// products (MLAS) rank k + CANDIDATE_MARGIN candidates per row; the candidates are then re-ranked
// with float64 dot products summed in order, |a−b|² = |a|² + |b|² − 2a·b exactly as knn.ts's
// JavaScript search computes it, so the result equals that search's bit for bit unless float32
// rounding (≈1e-7 of |a|·|b|) pushes a true neighbour below CANDIDATE_MARGIN others, which needs
// that many candidates within 1e-7 of the k-th distance.
import { throwIfCancelled } from '../errors';
import type { RunControl } from '../run-control';
import { gemm } from '../linalg';
import { HelperThread, sharedControl, type SharedControl } from './helper-thread';

/** Candidates kept beyond k for the float64 re-ranking. */
export const CANDIDATE_MARGIN = 8;
/** Rows per tile side: a 1,024 × 4,096 float32 tile is 16 MB, and each GEMM call is large enough for MLAS. */
const TILE_ROWS = 1024;
const TILE_COLS = 4096;
/** Rows of a tile per chunk of its scan, and rows per chunk of the re-ranking (each thread takes chunks). */
const SCAN_ROWS = 64;
const RERANK_ROWS = 256;

/**
 * What the helper thread gets: every array in shared memory. Each thread offers the pairs of the
 * tile rows it scans to its own set of heaps (thread t owns rows × c entries from t·rows·c on), so
 * the threads never write the same heap; the re-ranking folds the sets together, which keeps the c
 * best by (distance, index) of all candidates, as one set would have.
 */
export interface GemmKnnInit extends SharedControl {
  kind: 'knn-gemm';
  rows: number;
  cols: number;
  k: number;
  /** Candidates per row (k + CANDIDATE_MARGIN, at most rows − 1). */
  c: number;
  sets: number;
  exact: ArrayBufferLike;
  norms: ArrayBufferLike;
  /** The current tile's float32 dot products, (i1 − i0) × (j1 − j0). */
  dots: ArrayBufferLike;
  heapD: ArrayBufferLike;
  heapI: ArrayBufferLike;
  indices: ArrayBufferLike;
  squared: ArrayBufferLike;
}

/** params: what the chunks of the current generation are, and the tile. */
const PHASE = 0, I0 = 1, I1 = 2, J0 = 3, J1 = 4;
const SCAN = 0, RERANK = 1;

/** Chunks of a tile's scan (SCAN_ROWS rows each) or of the re-ranking (RERANK_ROWS rows each); both threads run them. */
export class GemmKnnWork {
  private readonly exact: Float64Array;
  private readonly norms: Float64Array;
  private readonly heapD: Float64Array;
  private readonly heapI: Int32Array;
  private readonly indices: Int32Array;
  private readonly squared: Float64Array;
  private readonly params: Float64Array;
  private readonly candD: Float64Array;
  private readonly candI: Int32Array;
  private readonly candDots: Float64Array;
  private readonly order: number[];

  constructor(readonly init: GemmKnnInit, private readonly thread: number) {
    const { rows, cols, c, k } = init;
    this.exact = new Float64Array(init.exact, 0, rows * cols);
    this.norms = new Float64Array(init.norms, 0, rows);
    this.heapD = new Float64Array(init.heapD);
    this.heapI = new Int32Array(init.heapI);
    this.indices = new Int32Array(init.indices, 0, rows * k);
    this.squared = new Float64Array(init.squared, 0, rows * k);
    this.params = new Float64Array(init.params);
    this.candD = new Float64Array(c); this.candI = new Int32Array(c); this.candDots = new Float64Array(c);
    this.order = Array.from({ length: c }, (_, t) => t);
  }

  run(chunk: number): void {
    const p = this.params;
    if (p[PHASE] === SCAN) {
      // As int32s: loop bounds that are doubles (params is a Float64Array) make every index a double (the scan took 1.3× as long).
      const i0 = p[I0] | 0, i1 = p[I1] | 0, from = i0 + chunk * SCAN_ROWS;
      this.scan(from, Math.min(i1, from + SCAN_ROWS), i0, i1, p[J0] | 0, p[J1] | 0);
    } else {
      const from = chunk * RERANK_ROWS;
      this.rerank(from, Math.min(this.init.rows, from + RERANK_ROWS));
    }
  }

  /** Rows [from, to) of the tile (rows [i0, i1), columns [j0, j1)): each pair above the diagonal offered to both rows' heaps in this thread's set. */
  private scan(from: number, to: number, i0: number, i1: number, j0: number, j1: number): void {
    const { norms, heapD, heapI } = this;
    const { rows, c } = this.init;
    const width = j1 - j0, set = this.thread * rows * c;
    const dots = new Float32Array(this.init.dots, 0, (i1 - i0) * width);
    for (let i = from; i < to; i++) {
      const ni = norms[i], o = (i - i0) * width - j0, ti = set + i * c;
      for (let j = Math.max(j0, i + 1); j < j1; j++) {
        const d = ni + norms[j] - 2 * dots[o + j];
        if (d < heapD[ti] || (d === heapD[ti] && j < heapI[ti])) heapReplaceTop(heapD, heapI, ti, c, d, j);
        const tj = set + j * c;
        if (d < heapD[tj] || (d === heapD[tj] && i < heapI[tj])) heapReplaceTop(heapD, heapI, tj, c, d, i);
      }
    }
  }

  /** The k nearest of rows [from, to): the other sets' candidates folded into set 0's heap, then re-ranked by float64 squared distance (ties by index), nearest first. */
  private rerank(from: number, to: number): void {
    const { exact, norms, heapD, heapI, indices, squared, candD, candI, candDots: dots, order } = this;
    const { rows, cols, c, k, sets } = this.init;
    for (let i = from; i < to; i++) {
      const ti = i * c;
      for (let s = 1; s < sets; s++) {
        for (let t = s * rows * c + ti, end = t + c; t < end; t++) {
          const d = heapD[t], j = heapI[t];
          if (d < heapD[ti] || (d === heapD[ti] && j < heapI[ti])) heapReplaceTop(heapD, heapI, ti, c, d, j);
        }
      }
      candidateDots(exact, cols, i * cols, heapI, ti, c, dots);
      for (let t = 0; t < c; t++) {
        const j = heapI[ti + t];
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
  }
}

/**
 * The k nearest rows of every row (self excluded) of exact (rows × cols, float64, already unit rows
 * for cosine; in shared memory for two threads) with its squared norms: indices and squared
 * euclidean distances, nearest first. On two threads the helper takes chunks of each tile's scan
 * (the GEMM itself runs on MLAS's threads) and of the re-ranking; the result is the same.
 */
export function nearestByGemm(exact: Float64Array, norms: Float64Array, rows: number, cols: number, k: number, control: RunControl = {}, meanwhile?: () => void, threads = 1): { indices: Int32Array; squared: Float64Array; helperChunks: number } {
  const single = Float32Array.from(exact);
  const c = Math.min(rows - 1, k + CANDIDATE_MARGIN);
  const sets = threads > 1 && exact.buffer instanceof SharedArrayBuffer ? 2 : 1;
  const make = (bytes: number) => (sets > 1 ? new SharedArrayBuffer(Math.max(8, bytes)) : new ArrayBuffer(Math.max(8, bytes)));
  const init: GemmKnnInit = {
    kind: 'knn-gemm', ...sharedControl(5), rows, cols, k, c, sets,
    exact: exact.buffer, norms: make(8 * rows), dots: make(4 * Math.min(rows, TILE_ROWS) * Math.min(rows, TILE_COLS)),
    heapD: make(8 * sets * rows * c), heapI: make(4 * sets * rows * c), indices: make(4 * rows * k), squared: make(8 * rows * k),
  };
  new Float64Array(init.norms).set(norms);
  new Float64Array(init.heapD).fill(Infinity);
  new Int32Array(init.heapI).fill(0x7fffffff);
  const work = new GemmKnnWork(init, 0);
  const privateDots = sets > 1 ? new Float32Array(init.dots.byteLength / 4) : new Float32Array(0);
  const params = new Float64Array(init.params);
  const helper = sets > 1 ? new HelperThread(init) : null;
  let helperChunks = 0;
  try {
    meanwhile?.();
    const runChunks = (chunks: number) => {
      if (helper) helper.run(chunks, work, undefined, 600_000);
      else for (let chunk = 0; chunk < chunks; chunk++) work.run(chunk);
    };
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
        const tile = (i1 - i0) * width;
        // onnxruntime does not write into shared memory: the product goes to a private array, then across.
        const product = gemm(left, { rows: width, cols, data: single.subarray(j0 * cols, j1 * cols) }, { transposeB: true, into: sets > 1 ? privateDots.subarray(0, tile) : new Float32Array(init.dots, 0, tile) });
        if (sets > 1) new Float32Array(init.dots, 0, tile).set(product.data);
        params[PHASE] = SCAN; params[I0] = i0; params[I1] = i1; params[J0] = j0; params[J1] = j1;
        runChunks(Math.ceil((i1 - i0) / SCAN_ROWS));
      }
      done += blocks - Math.floor(i0 / TILE_ROWS);
    }
    throwIfCancelled(control.signal);
    params[PHASE] = RERANK;
    runChunks(Math.ceil(rows / RERANK_ROWS));
    helperChunks = helper?.helperChunks ?? 0;
  } finally {
    helper?.dispose();
  }
  return { indices: new Int32Array(init.indices).slice(0, rows * k), squared: new Float64Array(init.squared).slice(0, rows * k), helperChunks };
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
export function heapReplaceTop(heapD: Float64Array, heapI: Int32Array, o: number, k: number, d: number, j: number): void {
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
