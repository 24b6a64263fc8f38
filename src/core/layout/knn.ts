// Exact k nearest neighbours by blocked brute force. In 50-1000 dimensions space-partitioning trees
// prune almost nothing, so the fastest exact method is dot products computed four rows at a time
// over a float64 copy, with squared norms: |a-b|² = |a|² + |b|² - 2a·b.
import type { Matrix } from '../matrix';
import { throwIfCancelled } from '../errors';
import type { RunControl } from '../run-control';
import { availableParallelism } from 'node:os';
import { HelperThread, sharedControl, type SharedControl } from './helper-thread';
import { heapReplaceTop, nearestByGemm } from './knn-gemm';
import { multiplyRowsJs } from '../linalg/js-kernels';

export type Metric = 'euclidean' | 'cosine';

export interface Neighbours {
  k: number;
  /** N × k neighbour indices, nearest first; a point is never its own neighbour. */
  indices: Int32Array;
  /** N × k distances in the metric (euclidean distance, or cosine distance 1 - cos). */
  distances: Float64Array;
  /** Tiles of rows (chunks of the GEMM tiles' scan and re-ranking) the helper thread searched (0 on one thread). */
  helperTiles: number;
}

/** Rows as float64, unit length for cosine (zero rows stay zero); in a SharedArrayBuffer when asked (for a helper thread). */
export function prepareRows(x: Matrix, metric: Metric, shared = false): Float64Array {
  const { rows, cols } = x;
  const out = shared ? new Float64Array(new SharedArrayBuffer(8 * Math.max(1, rows * cols)), 0, rows * cols) : Float64Array.from(x.data);
  if (shared) out.set(x.data);
  if (metric === 'cosine') {
    for (let i = 0; i < rows; i++) {
      let s = 0;
      for (let c = i * cols, e = c + cols; c < e; c++) s += out[c] * out[c];
      if (s > 0) {
        const inv = 1 / Math.sqrt(s);
        for (let c = i * cols, e = c + cols; c < e; c++) out[c] *= inv;
      }
    }
  }
  return out;
}

export function squaredNorms(data: Float64Array, rows: number, cols: number): Float64Array {
  const norms = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    let s = 0;
    for (let c = i * cols, e = c + cols; c < e; c++) s += data[c] * data[c];
    norms[i] = s;
  }
  return norms;
}

/**
 * Squared euclidean distances from rows [i0, i1) to every row, into out ((i1 - i0) × rows).
 * Four target rows share each load of a source value, which is what makes this fast in JS.
 */
export function squaredDistanceBlock(data: Float64Array, norms: Float64Array, rows: number, cols: number, i0: number, i1: number, out: Float64Array): void {
  for (let i = i0; i < i1; i++) {
    const a = i * cols;
    const o = (i - i0) * rows;
    const ni = norms[i];
    let j = 0;
    for (; j + 3 < rows; j += 4) {
      const b0 = j * cols, b1 = b0 + cols, b2 = b1 + cols, b3 = b2 + cols;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (let c = 0; c < cols; c++) {
        const v = data[a + c];
        s0 += v * data[b0 + c];
        s1 += v * data[b1 + c];
        s2 += v * data[b2 + c];
        s3 += v * data[b3 + c];
      }
      out[o + j] = Math.max(0, ni + norms[j] - 2 * s0);
      out[o + j + 1] = Math.max(0, ni + norms[j + 1] - 2 * s1);
      out[o + j + 2] = Math.max(0, ni + norms[j + 2] - 2 * s2);
      out[o + j + 3] = Math.max(0, ni + norms[j + 3] - 2 * s3);
    }
    for (; j < rows; j++) {
      const b = j * cols;
      let s = 0;
      for (let c = 0; c < cols; c++) s += data[a + c] * data[b + c];
      out[o + j] = Math.max(0, ni + norms[j] - 2 * s);
    }
  }
}

/** Converts a squared euclidean distance between prepared rows into the metric's distance. */
export function metricDistance(squared: number, metric: Metric): number {
  return metric === 'cosine' ? squared / 2 : Math.sqrt(squared);
}

const TILE = 64;
/** From this many multiply-adds (N²·d/2) the GEMM tiles win over the JS tiles below (bench/linalg.ts). */
export const GEMM_FROM = 2e7;
/** Below this many columns a dot product costs less than offering its pair to two heaps: the JS tiles stay. */
export const GEMM_MIN_COLUMNS = 16;

/** What the helper thread gets for the neighbour search: all in shared memory. */
export interface KnnInit extends SharedControl {
  kind: 'knn';
  rows: number;
  cols: number;
  k: number;
  data: SharedArrayBuffer | ArrayBuffer;
  norms: SharedArrayBuffer | ArrayBuffer;
  /** One set of bounded heaps per thread: thread t owns rows × k entries from t·rows·k on. */
  heapD: SharedArrayBuffer | ArrayBuffer;
  heapI: SharedArrayBuffer | ArrayBuffer;
}

/**
 * One chunk = one tile of 64 rows against itself and every later tile. Each pair's distance is
 * computed once and offered to both rows' heaps in this thread's own heap set; heaps order by
 * (distance, index), so they keep the same k neighbours whatever order candidates come in, and
 * merging the threads' sets gives exactly the single-thread result.
 */
export class KnnWork {
  private readonly data: Float64Array;
  private readonly norms: Float64Array;
  private readonly heapD: Float64Array;
  private readonly heapI: Int32Array;
  private readonly dots = new Float64Array(TILE * TILE);
  readonly rows: number;
  readonly cols: number;
  readonly k: number;

  constructor(init: Pick<KnnInit, 'rows' | 'cols' | 'k' | 'data' | 'norms' | 'heapD' | 'heapI'>, thread: number) {
    this.rows = init.rows; this.cols = init.cols; this.k = init.k;
    this.data = new Float64Array(init.data);
    this.norms = new Float64Array(init.norms);
    this.heapD = new Float64Array(init.heapD, 8 * thread * init.rows * init.k, init.rows * init.k);
    this.heapI = new Int32Array(init.heapI, 4 * thread * init.rows * init.k, init.rows * init.k);
  }

  get chunks(): number {
    return Math.ceil(this.rows / TILE);
  }

  run(chunk: number): void {
    const { rows, cols, k, data, norms, heapD, heapI, dots } = this;
    const i0 = chunk * TILE, i1 = Math.min(rows, i0 + TILE);
    for (let j0 = i0; j0 < rows; j0 += TILE) {
      const j1 = Math.min(rows, j0 + TILE);
      // dots[(i - i0) * width + (j - j0)] = row i · row j: core/linalg's JS kernel, two rows by four.
      const width = j1 - j0;
      multiplyRowsJs(data.subarray(i0 * cols, i1 * cols), i1 - i0, data.subarray(j0 * cols, j1 * cols), width, cols, dots);
      for (let i = i0; i < i1; i++) {
        const ni = norms[i], o = (i - i0) * width;
        for (let j = j0 === i0 ? i + 1 : j0; j < j1; j++) {
          const d = Math.max(0, ni + norms[j] - 2 * dots[o + j - j0]);
          const ti = i * k, tj = j * k;
          if (d < heapD[ti] || (d === heapD[ti] && j < heapI[ti])) heapReplaceTop(heapD, heapI, ti, k, d, j);
          if (d < heapD[tj] || (d === heapD[tj] && i < heapI[tj])) heapReplaceTop(heapD, heapI, tj, k, d, i);
        }
      }
    }
  }
}

/**
 * The k nearest neighbours of every row (self excluded), exact, by blocked brute force; on two
 * threads (threads: 2; t-SNE asks for it from 500 points, see TsneOptions.threads) each takes tiles
 * from a shared counter, with the same result. meanwhile: other work for the main thread, done while
 * the helper starts on the tiles (before them on one thread).
 */
export function nearestNeighbours(x: Matrix, k: number, metric: Metric, control: RunControl = {}, threads?: number, meanwhile?: () => void): Neighbours {
  const { rows, cols } = x;
  if (k < 1 || k >= rows) throw new RangeError(`nearestNeighbours: k = ${k} must be in [1, ${rows - 1}]`);
  // Large searches: distance tiles on core/linalg's GEMM (knn-gemm.ts), the same neighbours.
  if ((rows * rows * cols) / 2 >= GEMM_FROM && cols >= GEMM_MIN_COLUMNS) {
    const twoThreads = Math.min(threads ?? 1, 2, availableParallelism()) > 1;
    const exact = prepareRows(x, metric, twoThreads);
    const { indices, squared, helperChunks } = nearestByGemm(exact, squaredNorms(exact, rows, cols), rows, cols, k, control, meanwhile, twoThreads ? 2 : 1);
    return { k, indices, distances: squared.map((d) => metricDistance(d, metric)), helperTiles: helperChunks };
  }
  const useThreads = Math.min(threads ?? 1, 2, availableParallelism());
  const sets = useThreads;
  const make = (bytes: number) => (sets > 1 ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes));
  const init: KnnInit = {
    kind: 'knn', ...sharedControl(0), rows, cols, k,
    data: make(8 * rows * cols), norms: make(8 * rows), heapD: make(8 * sets * rows * k), heapI: make(4 * sets * rows * k),
  };
  const data = new Float64Array(init.data);
  data.set(prepareRows(x, metric));
  new Float64Array(init.norms).set(squaredNorms(data, rows, cols));
  new Float64Array(init.heapD).fill(Infinity);
  new Int32Array(init.heapI).fill(0x7fffffff);
  const work = new KnnWork(init, 0);
  const tiles = work.chunks;
  let taken = 0;
  const beforeChunk = () => {
    throwIfCancelled(control.signal);
    control.onProgress?.({ message: 'Finding nearest neighbours', fraction: Math.min(1, taken++ / tiles) });
  };
  let helperTiles = 0;
  if (sets > 1) {
    const helper = new HelperThread(init);
    // A tile of 64 rows against 50,000 in 768 dimensions is seconds of work, more on a loaded CPU.
    const prepare = meanwhile ? () => { meanwhile(); return tiles; } : undefined;
    try { helper.run(tiles, work, beforeChunk, 600_000, prepare); helperTiles = helper.helperChunks; } finally { helper.dispose(); }
  } else {
    meanwhile?.();
    for (let t = 0; t < tiles; t++) { beforeChunk(); work.run(t); }
  }
  return { ...mergeHeaps(new Float64Array(init.heapD), new Int32Array(init.heapI), sets, rows, k, metric), helperTiles };
}

/** The k smallest (distance, index) candidates of each row over all heap sets, sorted. */
function mergeHeaps(heapD: Float64Array, heapI: Int32Array, sets: number, rows: number, k: number, metric: Metric): Omit<Neighbours, 'helperTiles'> {
  const indices = new Int32Array(rows * k);
  const distances = new Float64Array(rows * k);
  const m = sets * k;
  const order = Array.from({ length: m }, (_, t) => t);
  const candD = new Float64Array(m), candI = new Int32Array(m);
  for (let i = 0; i < rows; i++) {
    for (let s = 0; s < sets; s++) {
      for (let t = 0; t < k; t++) { candD[s * k + t] = heapD[(s * rows + i) * k + t]; candI[s * k + t] = heapI[(s * rows + i) * k + t]; }
    }
    for (let t = 0; t < m; t++) order[t] = t;
    order.sort((a, b) => candD[a] - candD[b] || candI[a] - candI[b]);
    for (let t = 0; t < k; t++) {
      indices[i * k + t] = candI[order[t]];
      distances[i * k + t] = metricDistance(candD[order[t]], metric);
    }
  }
  return { k, indices, distances };
}
