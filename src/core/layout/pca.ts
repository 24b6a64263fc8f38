// Principal component analysis matching scikit-learn's PCA: centred data, components ordered by
// variance, explained variance with an n − 1 denominator, and signs fixed by sklearn 1.2's
// svd_flip (u-based): in each component, the point with the largest |score| has a positive score.
// Two solvers, picked by cost: the exact eigendecomposition of the covariance (N·d²/2 multiply-adds
// plus an O(d³) eigensolver), or a randomized SVD (Halko, Martinsson & Tropp 2011, as sklearn's
// 'randomized' solver: k + 10 random directions, power iterations with re-orthonormalisation,
// then an exact SVD of the small projected matrix), which needs only products with X and wins
// when few components of many columns are asked for. Neither copies X to float64: centring is
// applied inside the products, so a 50,257 × 768 float32 matrix needs no second 300 MB float64 copy.
// Large problems run the products (and the eigensolver's rotations) on two threads: X is then
// shared with the helper thread as it is (a float32 copy into shared memory unless it already lies
// there), and every chunk computes its outputs with the one-thread sums in their order, so the
// result has the same bits on one thread or two (test/layout/pca-threads.test.ts).
import type { Matrix } from '../matrix';
import { MechLensError } from '../errors';
import { requireFinite } from '../finite';
import { createRandom } from '../random';
import { availableParallelism } from 'node:os';
import {
  multiplyTransposed, transposeMultiply, gramOfCentred, columnMeans, centredSquares, meanShift, columnSums, mirrorGram, PcaWork, type PcaInit,
  PCA_OP, PCA_B, PCA_CHUNKS, OP_MULTIPLY_TRANSPOSED, OP_TRANSPOSE_MULTIPLY, OP_GRAM, OP_ROTATE, PCA_ROWS_PER_CHUNK,
} from './pca-kernels';
import { symmetricEigen, applyRotations, Rotations } from './eigen';
import { HelperThread, sharedControl } from './helper-thread';

export interface PcaOptions {
  components?: number;
  center?: boolean;
  /** 'auto': the exact covariance solver when it is cheap or cheaper, else the randomized one. */
  solver?: 'auto' | 'covariance' | 'randomized';
  seed?: number;
  /** Randomized solver: power iterations; 'auto' is sklearn's rule (7 when components < 10 % of min(rows, cols), else 4). */
  powerIterations?: number | 'auto';
  /**
   * 1 or 2: the big products (Gram, X·Vᵀ, Xᵀ·U) in chunks on the helper thread too (helper-thread.ts),
   * with the same bits either way. Default: 2 when the solver's multiply-adds pass TWO_THREADS_FROM.
   */
  threads?: number;
}

export interface PcaResult {
  /** rows × components scores. */
  coords: Matrix<Float64Array>;
  /** components × cols unit vectors. */
  components: Matrix<Float64Array>;
  /** Variance along each component (n − 1 denominator). */
  explainedVariance: Float64Array;
  /** explainedVariance / total variance. */
  explainedVarianceRatio: Float64Array;
  mean: Float64Array;
  solver: 'covariance' | 'randomized';
}

const OVERSAMPLES = 10;
/** Below this many multiply-adds (about a second here) 'auto' takes the exact covariance solver whatever the other costs. */
const EXACT_IS_CHEAP = 1e9;
/** Multiply-adds from which two threads pay for starting the helper (~0.1 s) and sharing X (a copy). */
const TWO_THREADS_FROM = 3e8;
/** Column chunks of Xᵀ·U and bands of the Gram: enough for two threads to balance, few passes over X. */
const COLUMN_CHUNKS = 8;

/** The products PCA takes of the centred X, on one thread or two. */
interface Products {
  /** (X − 1μᵀ)·Vᵀ, rows × b. */
  multiplyTransposed(v: Float64Array, b: number): Float64Array;
  /** (X − 1μᵀ)ᵀ·U, b × cols. */
  transposeMultiply(u: Float64Array, b: number): Float64Array;
  /** (X − 1μᵀ)ᵀ(X − 1μᵀ), cols × cols. */
  gram(): Float64Array;
  /** symmetricEigen of the cols × cols Gram. */
  eigen(gram: Float64Array): { values: Float64Array; vectors: Float64Array };
  dispose(): void;
}

function oneThread(x: Matrix, mean: Float64Array): Products {
  return {
    multiplyTransposed: (v, b) => multiplyTransposed(x, mean, v, b),
    transposeMultiply: (u, b) => transposeMultiply(x, mean, u, b),
    gram: () => gramOfCentred(x, mean),
    eigen: (gram) => symmetricEigen(gram, x.cols),
    dispose: () => {},
  };
}

/**
 * The same products on two threads: X (float32 stays float32) and the operands in shared memory,
 * chunks of rows of X·Vᵀ, of columns of Xᵀ·U and bands of the Gram's rows, each written by one
 * chunk with the sums of the one-thread kernels in their order, so the bits do not change.
 */
class TwoThreads implements Products {
  private readonly work: PcaWork;
  private readonly helper: HelperThread;
  constructor(x: Matrix, mean: Float64Array, most: number, gram: boolean) {
    const { rows, cols } = x;
    const float32 = x.data instanceof Float32Array;
    const shared = (bytes: number) => new SharedArrayBuffer(Math.max(8, bytes));
    const init: PcaInit = {
      kind: 'pca', ...sharedControl(3), rows, cols, float32,
      x: x.data.buffer instanceof SharedArrayBuffer && x.data.byteOffset === 0 && x.data.length === rows * cols ? x.data.buffer : shared(x.data.BYTES_PER_ELEMENT * rows * cols),
      mean: shared(8 * cols), a: shared(8 * Math.max(most * cols, gram ? cols * cols : 0)), u: shared(8 * rows * most), terms: shared(8 * most),
      // Room for 2·cols² rotations (the QL iteration takes about cols² on a Gram); more go to one thread.
      rotationIndex: shared(gram ? 4 * 2 * cols * cols : 0), rotationCs: shared(gram ? 8 * 4 * cols * cols : 0),
    };
    this.work = new PcaWork(init);
    if (this.work.data.buffer !== x.data.buffer) this.work.data.set(x.data);
    this.work.mean.set(mean);
    this.helper = new HelperThread(init);
  }

  private run(op: number, b: number, chunks: number): void {
    const params = this.helper.params;
    params[PCA_OP] = op; params[PCA_B] = b; params[PCA_CHUNKS] = chunks;
    // A band of the Gram at 50,257 × 768 is about a second; far longer on a loaded CPU.
    this.helper.run(chunks, this.work, undefined, 600_000);
  }

  multiplyTransposed(v: Float64Array, b: number): Float64Array {
    const { rows, cols } = this.work.init;
    this.work.a.set(v.subarray(0, b * cols));
    this.work.terms.set(meanShift(this.work.mean, v, b, cols));
    this.run(OP_MULTIPLY_TRANSPOSED, b, Math.ceil(rows / PCA_ROWS_PER_CHUNK));
    return this.work.u.slice(0, rows * b);
  }

  transposeMultiply(u: Float64Array, b: number): Float64Array {
    const { rows, cols } = this.work.init;
    this.work.u.set(u.subarray(0, rows * b));
    this.work.terms.set(columnSums(u, rows, b));
    this.run(OP_TRANSPOSE_MULTIPLY, b, Math.min(COLUMN_CHUNKS, cols));
    return this.work.a.slice(0, b * cols);
  }

  gram(): Float64Array {
    const cols = this.work.init.cols;
    this.work.a.fill(0, 0, cols * cols);
    this.run(OP_GRAM, 0, Math.max(1, Math.min(COLUMN_CHUNKS, cols >> 1)));
    const gram = this.work.a.slice(0, cols * cols);
    mirrorGram(gram, cols);
    return gram;
  }

  eigen(gram: Float64Array): { values: Float64Array; vectors: Float64Array } {
    const cols = this.work.init.cols;
    const rotations = new Rotations(this.work.rotationIndex, this.work.rotationCs);
    return symmetricEigen(gram, cols, rotations, (w, r) => {
      if (r.index !== this.work.rotationIndex) { applyRotations(w, cols, r.index, r.cs, r.count, 0, cols); return; }
      this.work.a.set(w);
      this.run(OP_ROTATE, r.count, Math.min(COLUMN_CHUNKS, cols));
      w.set(this.work.a.subarray(0, cols * cols));
    });
  }

  dispose(): void {
    this.helper.dispose();
  }
}

export function pca(x: Matrix, options: PcaOptions = {}): PcaResult {
  const { rows, cols } = x;
  const k = options.components ?? 2;
  if (!Number.isInteger(k) || k < 1 || k > Math.min(rows, cols)) {
    throw new MechLensError('bad-argument', `PCA needs 1 ≤ components ≤ min(rows, cols) = ${Math.min(rows, cols)}, got ${k}`, { fix: 'Ask for fewer components or give more points.' });
  }
  requireFinite(x, 'PCA input');
  const mean = options.center ?? true ? columnMeans(x.data, rows, cols) : new Float64Array(cols);
  const denominator = Math.max(rows - 1, 1);
  const total = centredSquares(x.data, rows, cols, mean) / denominator;

  const b = Math.min(k + OVERSAMPLES, cols, rows);
  const iterations = options.powerIterations === undefined || options.powerIterations === 'auto' ? (k < 0.1 * Math.min(rows, cols) ? 7 : 4) : options.powerIterations;
  const covarianceCost = (rows * cols * cols) / 2 + 10 * cols ** 3;
  const randomizedCost = (2 * iterations + 3) * rows * cols * b;
  const solver = options.solver === 'covariance' || options.solver === 'randomized' ? options.solver : covarianceCost <= Math.max(randomizedCost, EXACT_IS_CHEAP) ? 'covariance' : 'randomized';
  const cost = solver === 'covariance' ? covarianceCost : randomizedCost;
  const threads = Math.min(options.threads ?? (cost >= TWO_THREADS_FROM ? 2 : 1), 2, availableParallelism());
  const products = threads > 1 ? new TwoThreads(x, mean, solver === 'covariance' ? k : b, solver === 'covariance') : oneThread(x, mean);
  let components: Float64Array, coords: Float64Array;
  try {
    components = solver === 'covariance'
      ? covarianceComponents(products, cols, k)
      : randomizedComponents(products, rows, cols, k, b, iterations, options.seed ?? 0);
    // Scores: (X − 1μᵀ) Vᵀ, one product with X.
    coords = products.multiplyTransposed(components, k);
  } finally {
    products.dispose();
  }
  const explainedVariance = new Float64Array(k);
  for (let p = 0; p < k; p++) {
    let s = 0;
    for (let i = 0; i < rows; i++) s += coords[i * k + p] ** 2;
    explainedVariance[p] = s / denominator;
  }
  flipSigns(coords, components, rows, cols, k);
  const explainedVarianceRatio = explainedVariance.map((v) => (total > 0 ? v / total : 0));
  return {
    coords: { rows, cols: k, data: coords },
    components: { rows: k, cols, data: components },
    explainedVariance,
    explainedVarianceRatio,
    mean,
    solver,
  };
}

/** sklearn's svd_flip (u-based): the largest |score| of every component is positive. */
function flipSigns(coords: Float64Array, components: Float64Array, rows: number, cols: number, k: number): void {
  for (let p = 0; p < k; p++) {
    let best = 0, bestAbs = -1;
    for (let i = 0; i < rows; i++) {
      const a = Math.abs(coords[i * k + p]);
      if (a > bestAbs) { bestAbs = a; best = i; }
    }
    if (coords[best * k + p] < 0) {
      for (let i = 0; i < rows; i++) coords[i * k + p] = -coords[i * k + p];
      for (let c = 0; c < cols; c++) components[p * cols + c] = -components[p * cols + c];
    }
  }
}

/** Top-k eigenvectors of the covariance, as k × cols rows. */
function covarianceComponents(products: Products, cols: number, k: number): Float64Array {
  const gram = products.gram();
  const { vectors } = topEigen(products.eigen(gram), cols, k);
  return vectors;
}

/**
 * Randomized range finder on the centred X: Q spans X·Ω refined by power iterations
 * (Q ← orth(X·orth(XᵀQ))), then the exact SVD of the small B = QᵀX gives the components.
 */
function randomizedComponents(products: Products, rows: number, cols: number, k: number, b: number, iterations: number, seed: number): Float64Array {
  const random = createRandom(seed);
  // Directions as b × cols rows (each product below reads and writes rows of length cols or rows).
  let directions: Float64Array = new Float64Array(b * cols);
  for (let e = 0; e < directions.length; e++) directions[e] = random.gaussian();
  let range = products.multiplyTransposed(directions, b); // rows × b
  orthonormalizeColumns(range, rows, b);
  for (let t = 0; t < iterations; t++) {
    directions = products.transposeMultiply(range, b); // b × cols
    orthonormalizeRows(directions, b, cols);
    range = products.multiplyTransposed(directions, b);
    orthonormalizeColumns(range, rows, b);
  }
  // B = QᵀX (b × cols); its right singular vectors are the eigenvectors of BᵀB = Vᵀ(BBᵀ)V, found via the b × b BBᵀ.
  const small = products.transposeMultiply(range, b);
  const bbt = new Float64Array(b * b);
  for (let p = 0; p < b; p++) {
    for (let q = p; q < b; q++) {
      let s = 0;
      for (let c = 0; c < cols; c++) s += small[p * cols + c] * small[q * cols + c];
      bbt[p * b + q] = s; bbt[q * b + p] = s;
    }
  }
  const { vectors: u, values } = topEigen(symmetricEigen(bbt, b), b, k); // k × b
  const components = new Float64Array(k * cols);
  for (let p = 0; p < k; p++) {
    const sigma = Math.sqrt(Math.max(values[p], 0));
    for (let q = 0; q < b; q++) {
      const w = u[p * b + q];
      if (w === 0) continue;
      for (let c = 0; c < cols; c++) components[p * cols + c] += w * small[q * cols + c];
    }
    // Normalise directly (sigma can be 0 for a degenerate matrix).
    let norm = 0;
    for (let c = 0; c < cols; c++) norm += components[p * cols + c] ** 2;
    norm = Math.sqrt(norm) || sigma || 1;
    for (let c = 0; c < cols; c++) components[p * cols + c] /= norm;
  }
  return components;
}

/** Modified Gram-Schmidt, twice (for orthogonality to machine precision), on the b columns of m (rows × b). */
function orthonormalizeColumns(m: Float64Array, rows: number, b: number): void {
  const dots = new Float64Array(b);
  for (let pass = 0; pass < 2; pass++) {
    for (let p = 0; p < b; p++) {
      dots.fill(0, 0, p);
      for (let i = 0; i < rows; i++) { const v = m[i * b + p]; for (let q = 0; q < p; q++) dots[q] += v * m[i * b + q]; }
      let norm = 0;
      for (let i = 0; i < rows; i++) {
        let v = m[i * b + p];
        for (let q = 0; q < p; q++) v -= dots[q] * m[i * b + q];
        m[i * b + p] = v;
        norm += v * v;
      }
      const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
      for (let i = 0; i < rows; i++) m[i * b + p] *= inv;
    }
  }
}

/** Modified Gram-Schmidt, twice, on the b rows of m (b × cols). */
function orthonormalizeRows(m: Float64Array, b: number, cols: number): void {
  for (let pass = 0; pass < 2; pass++) {
    for (let p = 0; p < b; p++) {
      const o = p * cols;
      for (let q = 0; q < p; q++) {
        let dot = 0;
        for (let c = 0; c < cols; c++) dot += m[o + c] * m[q * cols + c];
        for (let c = 0; c < cols; c++) m[o + c] -= dot * m[q * cols + c];
      }
      let norm = 0;
      for (let c = 0; c < cols; c++) norm += m[o + c] * m[o + c];
      const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
      for (let c = 0; c < cols; c++) m[o + c] *= inv;
    }
  }
}

/** Top-k eigenpairs of a symmetric size × size matrix; vectors as k × size rows, by decreasing eigenvalue. */
function topEigen(evd: { values: Float64Array; vectors: Float64Array }, size: number, k: number): { vectors: Float64Array; values: Float64Array } {
  const eigenvalues = Array.from(evd.values);
  const order = eigenvalues.map((_, i) => i).sort((a, b) => eigenvalues[b] - eigenvalues[a]);
  const vectors = new Float64Array(k * size);
  const values = new Float64Array(k);
  for (let p = 0; p < k; p++) {
    values[p] = eigenvalues[order[p]];
    vectors.set(evd.vectors.subarray(order[p] * size, (order[p] + 1) * size), p * size);
  }
  return { vectors, values };
}
