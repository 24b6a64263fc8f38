// Principal component analysis matching scikit-learn's PCA: centred data, components ordered by
// variance, explained variance with an n − 1 denominator, and signs fixed by sklearn 1.2's
// svd_flip (u-based): in each component, the point with the largest |score| has a positive score.
// Few columns: exact eigendecomposition of the covariance. Many columns: subspace iteration
// (randomized, seeded), which only needs products with X.
import { EigenvalueDecomposition, Matrix as MlMatrix } from 'ml-matrix';
import type { Matrix } from '../matrix';
import { MechLensError } from '../errors';
import { createRandom } from '../random';

export interface PcaOptions {
  components?: number;
  center?: boolean;
  /** 'auto' uses the covariance for up to 256 columns, subspace iteration above. */
  solver?: 'auto' | 'covariance' | 'randomized';
  seed?: number;
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
}

export function pca(x: Matrix, options: PcaOptions = {}): PcaResult {
  const { rows, cols } = x;
  const k = options.components ?? 2;
  if (!Number.isInteger(k) || k < 1 || k > Math.min(rows, cols)) {
    throw new MechLensError('bad-argument', `PCA needs 1 ≤ components ≤ min(rows, cols) = ${Math.min(rows, cols)}, got ${k}`, { fix: 'Ask for fewer components or give more points.' });
  }
  const mean = new Float64Array(cols);
  if (options.center ?? true) {
    for (let i = 0; i < rows; i++) for (let c = 0; c < cols; c++) mean[c] += x.data[i * cols + c];
    for (let c = 0; c < cols; c++) mean[c] /= rows;
  }
  const centred = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let c = 0; c < cols; c++) centred[i * cols + c] = x.data[i * cols + c] - mean[c];
  const denominator = Math.max(rows - 1, 1);
  let total = 0;
  for (let e = 0; e < centred.length; e++) total += centred[e] * centred[e];
  total /= denominator;

  const solver = options.solver ?? 'auto';
  const { vectors, values } = solver === 'covariance' || (solver === 'auto' && cols <= 256)
    ? covarianceEigen(centred, rows, cols, k)
    : subspaceIteration(centred, rows, cols, k, options.seed ?? 0);

  const components = new Float64Array(k * cols);
  const coords = new Float64Array(rows * k);
  const explainedVariance = new Float64Array(k);
  for (let p = 0; p < k; p++) {
    for (let c = 0; c < cols; c++) components[p * cols + c] = vectors[c * k + p];
    explainedVariance[p] = Math.max(values[p], 0) / denominator;
  }
  for (let i = 0; i < rows; i++) {
    for (let p = 0; p < k; p++) {
      let s = 0;
      for (let c = 0; c < cols; c++) s += centred[i * cols + c] * components[p * cols + c];
      coords[i * k + p] = s;
    }
  }
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
  const explainedVarianceRatio = explainedVariance.map((v) => (total > 0 ? v / total : 0));
  return {
    coords: { rows, cols: k, data: coords },
    components: { rows: k, cols, data: components },
    explainedVariance,
    explainedVarianceRatio,
    mean,
  };
}

/** Top-k eigenpairs of XᵀX (cols × k vectors, column-major by component) from the full covariance. */
function covarianceEigen(centred: Float64Array, rows: number, cols: number, k: number): { vectors: Float64Array; values: Float64Array } {
  const gram = new Float64Array(cols * cols);
  for (let i = 0; i < rows; i++) {
    const o = i * cols;
    for (let a = 0; a < cols; a++) {
      const va = centred[o + a];
      if (va === 0) continue;
      const g = a * cols;
      for (let b = a; b < cols; b++) gram[g + b] += va * centred[o + b];
    }
  }
  for (let a = 0; a < cols; a++) for (let b = 0; b < a; b++) gram[a * cols + b] = gram[b * cols + a];
  return topEigen(gram, cols, k, null);
}

/** Subspace iteration on XᵀX with a k + 10 block, then Rayleigh-Ritz. */
function subspaceIteration(centred: Float64Array, rows: number, cols: number, k: number, seed: number): { vectors: Float64Array; values: Float64Array } {
  const b = Math.min(k + 10, cols, rows);
  const random = createRandom(seed);
  let v: Float64Array = new Float64Array(cols * b);
  for (let e = 0; e < v.length; e++) v[e] = random.gaussian();
  orthonormalize(v, cols, b);
  const scores = new Float64Array(rows * b);
  // Iterate until the leading k column norms (the eigenvalue estimates) settle.
  let previous: Float64Array = new Float64Array(k);
  for (let iteration = 0; iteration < 100; iteration++) {
    v = applyGram(centred, rows, cols, v, b, scores);
    const norms = orthonormalize(v, cols, b);
    let change = 0;
    for (let p = 0; p < k; p++) change = Math.max(change, Math.abs(norms[p] - previous[p]) / Math.max(norms[p], 1e-300));
    previous = norms;
    if (change < 1e-12) break;
  }
  const w = applyGram(centred, rows, cols, v, b, scores);
  const small = new Float64Array(b * b);
  for (let p = 0; p < b; p++) for (let q = 0; q < b; q++) {
    let s = 0;
    for (let c = 0; c < cols; c++) s += v[c * b + p] * w[c * b + q];
    small[p * b + q] = s;
  }
  for (let p = 0; p < b; p++) for (let q = 0; q < p; q++) small[p * b + q] = small[q * b + p] = (small[p * b + q] + small[q * b + p]) / 2;
  return topEigen(small, b, k, { basis: v, cols });
}

/** (XᵀX) v for v cols × b (row-major), via the scores X v. */
function applyGram(centred: Float64Array, rows: number, cols: number, v: Float64Array, b: number, scores: Float64Array): Float64Array {
  scores.fill(0);
  for (let i = 0; i < rows; i++) {
    const o = i * cols, so = i * b;
    for (let c = 0; c < cols; c++) {
      const xv = centred[o + c];
      if (xv === 0) continue;
      const vo = c * b;
      for (let p = 0; p < b; p++) scores[so + p] += xv * v[vo + p];
    }
  }
  const out = new Float64Array(cols * b);
  for (let i = 0; i < rows; i++) {
    const o = i * cols, so = i * b;
    for (let c = 0; c < cols; c++) {
      const xv = centred[o + c];
      if (xv === 0) continue;
      const vo = c * b;
      for (let p = 0; p < b; p++) out[vo + p] += xv * scores[so + p];
    }
  }
  return out;
}

/** Modified Gram-Schmidt on the b columns of v (cols × b, row-major); returns the norms it divided by. */
function orthonormalize(v: Float64Array, cols: number, b: number): Float64Array {
  const norms = new Float64Array(b);
  for (let p = 0; p < b; p++) {
    for (let q = 0; q < p; q++) {
      let dot = 0;
      for (let c = 0; c < cols; c++) dot += v[c * b + p] * v[c * b + q];
      for (let c = 0; c < cols; c++) v[c * b + p] -= dot * v[c * b + q];
    }
    let norm = 0;
    for (let c = 0; c < cols; c++) norm += v[c * b + p] * v[c * b + p];
    norm = Math.sqrt(norm);
    norms[p] = norm;
    for (let c = 0; c < cols; c++) v[c * b + p] = norm > 0 ? v[c * b + p] / norm : 0;
  }
  return norms;
}

function topEigen(symmetric: Float64Array, size: number, k: number, basis: { basis: Float64Array; cols: number } | null): { vectors: Float64Array; values: Float64Array } {
  const m = new MlMatrix(size, size);
  for (let a = 0; a < size; a++) for (let b = 0; b < size; b++) m.set(a, b, symmetric[a * size + b]);
  const evd = new EigenvalueDecomposition(m, { assumeSymmetric: true });
  const eigenvalues = evd.realEigenvalues;
  const order = eigenvalues.map((_, i) => i).sort((a, b) => eigenvalues[b] - eigenvalues[a]);
  const ev = evd.eigenvectorMatrix;
  const cols = basis ? basis.cols : size;
  const vectors = new Float64Array(cols * k);
  const values = new Float64Array(k);
  for (let p = 0; p < k; p++) {
    const idx = order[p];
    values[p] = eigenvalues[idx];
    for (let c = 0; c < cols; c++) {
      if (!basis) vectors[c * k + p] = ev.get(c, idx);
      else {
        let s = 0;
        for (let q = 0; q < size; q++) s += basis.basis[c * size + q] * ev.get(q, idx);
        vectors[c * k + p] = s;
      }
    }
  }
  return { vectors, values };
}
