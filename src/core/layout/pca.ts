// Principal component analysis matching scikit-learn's PCA: centred data, components ordered by
// variance, explained variance with an n − 1 denominator, and signs fixed by sklearn 1.2's
// svd_flip (u-based): in each component, the point with the largest |score| has a positive score.
// Two solvers, picked by cost: the exact eigendecomposition of the covariance (N·d²/2 multiply-adds
// plus an O(d³) eigensolver), or a randomized SVD (Halko, Martinsson & Tropp 2011, as sklearn's
// 'randomized' solver: k + 10 random directions, power iterations with re-orthonormalisation,
// then an exact SVD of the small projected matrix), which needs only products with X and wins
// when few components of many columns are asked for. Neither copies X: centring is applied inside
// the products, so a 50,257 × 768 float32 matrix needs no second 300 MB float64 copy.
import type { Matrix } from '../matrix';
import { MechLensError } from '../errors';
import { createRandom } from '../random';
import { multiplyTransposed, transposeMultiply, gramOfCentred } from './pca-kernels';
import { symmetricEigen } from './eigen';

export interface PcaOptions {
  components?: number;
  center?: boolean;
  /** 'auto': the exact covariance solver when it is cheap or cheaper, else the randomized one. */
  solver?: 'auto' | 'covariance' | 'randomized';
  seed?: number;
  /** Randomized solver: power iterations; 'auto' is sklearn's rule (7 when components < 10 % of min(rows, cols), else 4). */
  powerIterations?: number | 'auto';
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

export function pca(x: Matrix, options: PcaOptions = {}): PcaResult {
  const { rows, cols } = x;
  const k = options.components ?? 2;
  if (!Number.isInteger(k) || k < 1 || k > Math.min(rows, cols)) {
    throw new MechLensError('bad-argument', `PCA needs 1 ≤ components ≤ min(rows, cols) = ${Math.min(rows, cols)}, got ${k}`, { fix: 'Ask for fewer components or give more points.' });
  }
  const mean = new Float64Array(cols);
  if (options.center ?? true) {
    for (let i = 0; i < rows; i++) for (let c = 0, o = i * cols; c < cols; c++) mean[c] += x.data[o + c];
    for (let c = 0; c < cols; c++) mean[c] /= rows;
  }
  const denominator = Math.max(rows - 1, 1);
  let total = 0;
  for (let i = 0; i < rows; i++) {
    for (let c = 0, o = i * cols; c < cols; c++) { const v = x.data[o + c] - mean[c]; total += v * v; }
  }
  total /= denominator;

  const b = Math.min(k + OVERSAMPLES, cols, rows);
  const iterations = options.powerIterations === undefined || options.powerIterations === 'auto' ? (k < 0.1 * Math.min(rows, cols) ? 7 : 4) : options.powerIterations;
  const covarianceCost = (rows * cols * cols) / 2 + 10 * cols ** 3;
  const randomizedCost = (2 * iterations + 3) * rows * cols * b;
  const solver = options.solver === 'covariance' || options.solver === 'randomized' ? options.solver : covarianceCost <= Math.max(randomizedCost, EXACT_IS_CHEAP) ? 'covariance' : 'randomized';
  const components = solver === 'covariance'
    ? covarianceComponents(x, mean, k)
    : randomizedComponents(x, mean, k, b, iterations, options.seed ?? 0);

  // Scores: (X − 1μᵀ) Vᵀ, one product with X.
  const coords = multiplyTransposed(x, mean, components, k);
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
function covarianceComponents(x: Matrix, mean: Float64Array, k: number): Float64Array {
  const cols = x.cols;
  const gram = gramOfCentred(x, mean);
  const { vectors } = topEigen(gram, cols, k);
  return vectors;
}

/**
 * Randomized range finder on the centred X: Q spans X·Ω refined by power iterations
 * (Q ← orth(X·orth(XᵀQ))), then the exact SVD of the small B = QᵀX gives the components.
 */
function randomizedComponents(x: Matrix, mean: Float64Array, k: number, b: number, iterations: number, seed: number): Float64Array {
  const { rows, cols } = x;
  const random = createRandom(seed);
  // Directions as b × cols rows (each product below reads and writes rows of length cols or rows).
  let directions: Float64Array = new Float64Array(b * cols);
  for (let e = 0; e < directions.length; e++) directions[e] = random.gaussian();
  let range = multiplyTransposed(x, mean, directions, b); // rows × b
  orthonormalizeColumns(range, rows, b);
  for (let t = 0; t < iterations; t++) {
    directions = transposeMultiply(x, mean, range, b); // b × cols
    orthonormalizeRows(directions, b, cols);
    range = multiplyTransposed(x, mean, directions, b);
    orthonormalizeColumns(range, rows, b);
  }
  // B = QᵀX (b × cols); its right singular vectors are the eigenvectors of BᵀB = Vᵀ(BBᵀ)V, found via the b × b BBᵀ.
  const small = transposeMultiply(x, mean, range, b);
  const bbt = new Float64Array(b * b);
  for (let p = 0; p < b; p++) {
    for (let q = p; q < b; q++) {
      let s = 0;
      for (let c = 0; c < cols; c++) s += small[p * cols + c] * small[q * cols + c];
      bbt[p * b + q] = s; bbt[q * b + p] = s;
    }
  }
  const { vectors: u, values } = topEigen(bbt, b, k); // k × b
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
function topEigen(symmetric: Float64Array, size: number, k: number): { vectors: Float64Array; values: Float64Array } {
  const evd = symmetricEigen(symmetric, size);
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
