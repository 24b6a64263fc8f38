// Principal component analysis as scikit-learn 1.2 computes it (the version the fixtures come from):
// centred data, components ordered by variance, explained variance with an n − 1 denominator, signs
// by svd_flip, and the svd_solver='auto' policy: the exact solver when max(rows, cols) ≤ 500 or the
// components are ≥ 80 % of min(rows, cols), else randomized SVD (Halko et al. 2011, as
// sklearn.utils.extmath.randomized_svd: n_oversamples 10, n_iter 'auto' = 7 when components <
// 10 % of min(rows, cols) else 4, power_iteration_normalizer 'auto' = LU, a seeded Gaussian start,
// rows < cols transposed). Every product runs on core/linalg's GEMM in X's element type (float32
// stays float32, as in sklearn); only small problems, where it costs nothing, are widened to float64.
// The exact solver takes the eigendecomposition of the smaller of XcᵀXc and XcXcᵀ, which equals the
// SVD's result wherever the spectrum separates.
//
// One departure from sklearn's arithmetic (not its results), for speed on large inputs: centring.
// sklearn subtracts the mean from a copy of X. The randomized solver here multiplies X itself and
// subtracts the mean's share from each product instead, Xc·Q = X·Q − 1·(μᵀQ) and Xcᵀ·P = Xᵀ·P −
// μ·(1ᵀP): the same numbers, without a pass that writes all of X (95 ms on the GPT-2 vocabulary).
// In float32 a product's rounding scales with |x| rather than |x − μ|, so this is done only while
// the mean is small beside the spread (IMPLICIT_CENTRING_OFFSET); far from the origin X is centred
// in a copy, as sklearn does. (Cholesky QR in place of the power iterations' LU was measured too:
// 14.5 ms per 50,257 × 12 step against the LU's 9.1 ms in JavaScript, so LU stays, as in sklearn.)
import type { Matrix } from '../matrix';
import { MechLensError, throwIfCancelled } from '../errors';
import type { RunControl } from '../run-control';
import { createRandom } from '../random';
import { gemm, warmGemmSessions } from '../linalg';
import { requireColumnStatistics, type ColumnStatistics } from '../column-statistics';
import { symmetricEigen } from './eigen';
import { BLOCK_ROWS, orthonormalizeColumns, permutedLowerInto, rowsFromColumns } from '../linalg/tall-skinny';

export type PcaSolver = 'auto' | 'full' | 'covariance' | 'randomized';

export interface PcaOptions {
  components?: number;
  center?: boolean;
  /**
   * 'auto': sklearn 1.2's svd_solver='auto' (see the file comment). 'full' (or its old name
   * 'covariance'): exact. 'randomized': randomized SVD.
   */
  solver?: PcaSolver;
  seed?: number;
  /** Randomized solver: power iterations; 'auto' is sklearn's rule (7 when components < 10 % of min(rows, cols), else 4). */
  powerIterations?: number | 'auto';
  /** Randomized solver: sklearn's power_iteration_normalizer; 'auto' is LU, or none for ≤ 2 iterations. */
  powerIterationNormalizer?: 'auto' | 'LU' | 'QR' | 'none';
  /** Randomized solver: extra random directions (sklearn's n_oversamples, default 10). */
  oversamples?: number;
  /**
   * When X is centred explicitly: in place instead of in a copy, when X is not needed afterwards (a
   * worker task's own copy of its input). Saves a copy of X, 154 MB for the GPT-2 vocabulary, and
   * its page faults.
   */
  overwriteInput?: boolean;
  /**
   * X's column statistics when already known (readMatrixFile computes them while reading): PCA then
   * skips its own pass over X. Must be X's: same rows and columns.
   */
  statistics?: ColumnStatistics;
  /**
   * How the randomized solver centres: 'auto' in the products when the mean is small beside the
   * spread, else in a copy (file comment); 'products' or 'copy' forces one (tests, bench). The
   * exact solver always centres a copy.
   */
  centring?: 'auto' | 'products' | 'copy';
  /** No longer used: the products run on linalg's multithreaded GEMM. Kept so callers need no change. */
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
  /** 'covariance': exact (eigendecomposition of the smaller Gram matrix); 'randomized'. */
  solver: 'covariance' | 'randomized';
  /** The same, in scikit-learn's words (its svd_solver): 'full' or 'randomized'. */
  svdSolver: 'full' | 'randomized';
}

const OVERSAMPLES = 10;
/**
 * The randomized solver centres in its products while ‖μ‖² ≤ this × the mean ‖x − μ‖²: a float32
 * product's rounding, proportional to |x| = √(‖μ‖² + ‖x − μ‖²) instead of |x − μ|, then grows by at
 * most 2× (√(1 + 3)), one bit. Beyond it (activations with large constant directions) X is centred
 * in a copy. The GPT-2-shaped bench matrix has ‖μ‖² ≈ 0.01 × the spread.
 */
const IMPLICIT_CENTRING_OFFSET = 3;
/** Products cheaper than this many multiply-adds run in float64 whatever X's type: a few ms. */
const FLOAT64_BELOW = 1e8;

type Values = Float32Array | Float64Array;

/**
 * `control.signal` is checked between the passes over X (each a GEMM of at most a few hundred ms on
 * the GPT-2 vocabulary), so a cancelled PCA stops within one of them.
 */
export function pca(x: Matrix, options: PcaOptions = {}, control: RunControl = {}): PcaResult {
  const { rows, cols } = x;
  const k = options.components ?? 2;
  if (!Number.isInteger(k) || k < 1 || k > Math.min(rows, cols)) {
    throw new MechLensError('bad-argument', `PCA needs 1 ≤ components ≤ min(rows, cols) = ${Math.min(rows, cols)}, got ${k}`, { fix: 'Ask for fewer components or give more points.' });
  }
  const statistics = options.statistics ?? requireColumnStatistics(x, 'PCA input');
  if (statistics.rows !== rows || statistics.cols !== cols) throw new RangeError(`pca: statistics of ${statistics.rows} × ${statistics.cols} for X of ${rows} × ${cols}`);
  const centred = options.center ?? true;
  const mean = centred ? statistics.mean : new Float64Array(cols);
  const denominator = Math.max(rows - 1, 1);
  let offset = 0;
  for (let c = 0; c < cols; c++) offset += statistics.mean[c] ** 2;
  // Σ‖x − μ‖², or Σ‖x‖² uncentred.
  const total = (statistics.squares + (centred ? 0 : rows * offset)) / denominator;

  const { solver, iterations, b, multiplyAdds } = pcaPlan(rows, cols, k, options);
  const float64 = x.data instanceof Float64Array || multiplyAdds < FLOAT64_BELOW;
  const centring = options.centring ?? 'auto';
  const inProducts = solver === 'randomized' && (!centred || centring === 'products' || (centring === 'auto' && offset <= IMPLICIT_CENTRING_OFFSET * (statistics.squares / Math.max(rows, 1))));
  throwIfCancelled(control.signal);
  let data: Values;
  if (inProducts) data = float64 ? toFloat64(x.data) : x.data;
  else data = centre(x.data, rows, cols, mean, float64, (options.overwriteInput ?? false) && (x.data instanceof Float64Array) === float64);
  throwIfCancelled(control.signal);

  const { components, coords } = solver === 'covariance'
    ? exactSvd({ rows, cols, data }, rows, cols, k)
    : randomizedSvd({ rows, cols, data }, inProducts && centred ? mean : null, k, b, iterations, normalizer(options.powerIterationNormalizer ?? 'auto', iterations), options.seed ?? 0, control.signal);
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
    svdSolver: solver === 'covariance' ? 'full' : 'randomized',
  };
}

/**
 * Loads what a large float32 PCA needs before its input arrives: onnxruntime and the sessions of
 * the products X·Q and Xᵀ·Q (for a worker whose input is still being read; about 0.1 s of start).
 */
export function warmUpPca(): void {
  warmGemmSessions([{ elem: 'float32', transA: false, transB: false }, { elem: 'float32', transA: true, transB: false }]);
}

/**
 * The solver, power iterations and sketch width pca() takes for these options, and the multiply-adds
 * of its products: its cost, for callers that choose a thread by it (the CLI's embed2d).
 */
export function pcaPlan(rows: number, cols: number, k: number, options: Pick<PcaOptions, 'solver' | 'powerIterations' | 'oversamples'> = {}): { solver: 'covariance' | 'randomized'; iterations: number; b: number; multiplyAdds: number } {
  const solver = chooseSolver(rows, cols, k, options.solver ?? 'auto');
  const iterations = options.powerIterations === undefined || options.powerIterations === 'auto' ? (k < 0.1 * Math.min(rows, cols) ? 7 : 4) : options.powerIterations;
  const b = Math.min(k + (options.oversamples ?? OVERSAMPLES), rows, cols);
  const multiplyAdds = solver === 'covariance' ? rows * cols * Math.min(rows, cols) : (2 * iterations + 3) * rows * cols * b;
  return { solver, iterations, b, multiplyAdds };
}

/** sklearn 1.2 PCA._fit's svd_solver='auto' rule; 'full' and 'covariance' both mean exact. */
export function chooseSolver(rows: number, cols: number, k: number, wanted: PcaSolver): 'covariance' | 'randomized' {
  if (wanted === 'full' || wanted === 'covariance') return 'covariance';
  if (wanted === 'randomized') return 'randomized';
  if (Math.max(rows, cols) <= 500) return 'covariance';
  return k < 0.8 * Math.min(rows, cols) ? 'randomized' : 'covariance';
}

type Normalizer = 'LU' | 'QR' | 'none';

function normalizer(wanted: 'auto' | 'LU' | 'QR' | 'none', iterations: number): Normalizer {
  if (wanted !== 'auto') return wanted;
  return iterations <= 2 ? 'none' : 'LU';
}

/** X − 1μᵀ, rows × cols, in float64 or float32 (the GEMM's element type), in a new array or over X itself. */
function centre(data: Values, rows: number, cols: number, mean: Float64Array, float64: boolean, inPlace: boolean): Values {
  const out = inPlace ? data : float64 ? new Float64Array(rows * cols) : new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    for (let c = 0, o = i * cols; c < cols; c++) out[o + c] = data[o + c] - mean[c];
  }
  return out;
}

// The typed-array constructors, not TypedArray.from: from() walks its argument through the
// iterator protocol, several times slower on large arrays.
function toFloat64(v: Values): Float64Array {
  return v instanceof Float64Array ? v : new Float64Array(v);
}

function like(template: Values, values: Float64Array): Values {
  return template instanceof Float64Array ? values : new Float32Array(values);
}

interface Svd {
  /** k × cols. */
  components: Float64Array;
  /** rows × k: U·S. */
  coords: Float64Array;
}

/**
 * Exact: the eigendecomposition of the smaller Gram matrix. Rows ≥ cols: XcᵀXc = VΣ²Vᵀ and scores
 * Xc·V. Rows < cols: XcXcᵀ = UΣ²Uᵀ, scores UΣ and components XcᵀU/σ.
 */
function exactSvd(xc: Matrix<Values>, rows: number, cols: number, k: number): Svd {
  const byColumns = rows >= cols;
  const size = byColumns ? cols : rows;
  const gram = toFloat64(gemm(xc, xc, byColumns ? { transposeA: true } : { transposeB: true }).data);
  // Exactly symmetric, as the eigensolver assumes.
  for (let a = 0; a < size; a++) for (let c = a + 1; c < size; c++) { const v = (gram[a * size + c] + gram[c * size + a]) / 2; gram[a * size + c] = v; gram[c * size + a] = v; }
  const { vectors, values } = topEigen(symmetricEigen(gram, size), size, k);
  if (byColumns) {
    const coords = toFloat64(gemm(xc, { rows: k, cols, data: like(xc.data, vectors) }, { transposeB: true }).data);
    return { components: vectors, coords };
  }
  // vectors: k × rows (U's columns as rows).
  const coords = new Float64Array(rows * k);
  const components = toFloat64(gemm({ rows: k, cols: rows, data: like(xc.data, vectors) }, xc).data);
  for (let p = 0; p < k; p++) {
    const sigma = Math.sqrt(Math.max(values[p], 0));
    for (let i = 0; i < rows; i++) coords[i * k + p] = vectors[p * rows + i] * sigma;
    normalizeRow(components, p, cols);
  }
  completeBasis(components, k, cols);
  return { components, coords };
}

/**
 * sklearn's randomized_svd on M = Xc (or Xcᵀ when rows < cols): Q from M·Ω refined by power
 * iterations with the chosen normalizer, then the SVD of the small B = QᵀM. Xc is x − 1·meanᵀ, with
 * the mean subtracted in each product (meanInProducts) or none (x already centred, or not to be).
 */
function randomizedSvd(x: Matrix<Values>, meanInProducts: Float64Array | null, k: number, b: number, iterations: number, norm: Normalizer, seed: number, signal?: AbortSignal): Svd {
  const { rows, cols } = x;
  const transpose = rows < cols;
  // The two heights of the iterations' blocks: M's rows (X·Q when not transposed) and its columns.
  const atRows = new ProductSide(x, transpose ? cols : rows, b, meanInProducts, transpose);
  const atCols = new ProductSide(x, transpose ? rows : cols, b, meanInProducts, !transpose);
  const random = createRandom(seed);
  const start = new Float64Array(atCols.height * b);
  for (let e = 0; e < start.length; e++) start[e] = random.gaussian();
  atCols.operand.set(start);
  for (let t = 0; t < iterations; t++) {
    atRows.multiply(atCols, transpose);
    atRows.normalize(norm);
    throwIfCancelled(signal);
    atCols.multiply(atRows, !transpose);
    atCols.normalize(norm);
    throwIfCancelled(signal);
  }
  atRows.multiply(atCols, transpose);
  throwIfCancelled(signal);
  atRows.normalize('QR'); // Q: mRows × b, orthonormal columns
  // B = QᵀM (b × mCols), as (MᵀQ)ᵀ: `small` holds MᵀQ's b columns, mCols values each.
  atCols.multiply(atRows, !transpose);
  const q = atRows.columns, small = atCols.columns, mRows = atRows.height, mCols = atCols.height;
  // SVD of B through the b × b BBᵀ = (MᵀQ)ᵀ(MᵀQ).
  const bbt = new Float64Array(b * b);
  for (let p = 0; p < b; p++) {
    for (let r = p; r < b; r++) {
      let s = 0;
      for (let c = 0, op = p * mCols, or = r * mCols; c < mCols; c++) s += small[op + c] * small[or + c];
      bbt[p * b + r] = s; bbt[r * b + p] = s;
    }
  }
  const { vectors: uHat, values } = topEigen(symmetricEigen(bbt, b), b, k); // k × b
  // Left vectors U = Q·Û (as k rows of mRows), right vectors Vᵀ = ÛᵀB/σ (k × mCols).
  const left = combineColumns(q, mRows, b, uHat, k), right = combineColumns(small, mCols, b, uHat, k);
  const sigma = new Float64Array(k);
  for (let p = 0; p < k; p++) {
    sigma[p] = Math.sqrt(Math.max(values[p], 0));
    normalizeRow(right, p, mCols);
  }
  if (!transpose) {
    const coords = new Float64Array(rows * k);
    for (let p = 0; p < k; p++) for (let i = 0; i < rows; i++) coords[i * k + p] = left[p * rows + i] * sigma[p];
    completeBasis(right, k, cols);
    return { components: right, coords };
  }
  // Transposed: components are U's columns (cols long), scores Vᵀ's rows times σ. sklearn flips
  // these by Vᵀ (u_based_decision=False), which is the scores: the same rule as untransposed.
  const components = left, coords = new Float64Array(rows * k);
  for (let p = 0; p < k; p++) {
    normalizeRow(components, p, cols);
    for (let i = 0; i < rows; i++) coords[i * k + p] = right[p * rows + i] * sigma[p];
  }
  completeBasis(components, k, cols);
  return { components, coords };
}

/**
 * One height of the power iterations' blocks (M's rows or its columns) and its buffers, reused by
 * every step instead of new arrays each time (each new one is fresh memory, and on a VM each page
 * of it costs a fault: 16 products × 12 MB for the GPT-2 vocabulary):
 * - `operand`: the block a product multiplies, height × b row-major in X's element type;
 * - `product`: the GEMM's output when it lands here, in X's element type;
 * - `columns`: the same less the mean's share, widened to float64 and stored column by column
 *   (b columns of `height` values), where the normalizers work down long contiguous columns.
 */
class ProductSide {
  readonly operand: Values;
  readonly product: Values;
  readonly columns: Float64Array;
  private readonly perm: Int32Array;
  /** This height's part in Xc's products: the mean along X's columns, ones along its rows; null when the products are not centred. */
  private readonly weights: Float64Array | null;
  private readonly share: Float64Array;
  /** With weights of ones (X's rows): the operand's column sums, kept as normalize() writes it. */
  private readonly operandSums: Float64Array | null;

  constructor(private readonly x: Matrix<Values>, readonly height: number, private readonly b: number, mean: Float64Array | null, alongColumns: boolean) {
    const make = (n: number): Values => (x.data instanceof Float64Array ? new Float64Array(n) : new Float32Array(n));
    this.operand = make(height * b);
    this.product = make(height * b);
    this.columns = new Float64Array(height * b);
    this.perm = new Int32Array(height);
    this.weights = mean && (alongColumns ? mean : new Float64Array(height).fill(1));
    this.share = new Float64Array(b);
    this.operandSums = mean && !alongColumns ? new Float64Array(b) : null;
  }

  /**
   * `columns` = op(Xc)·from.operand, op(Xc) = Xcᵀ when transposeX, as X's product less the mean's
   * share: Xc·Q = X·Q − 1·(μᵀQ), Xcᵀ·P = Xᵀ·P − μ·(1ᵀP), both the outer product of this side's
   * weights with the other side's weighted column sums. The sums are of the very operand the GEMM
   * multiplied (the float32 one when the product runs in float32), so the share is of the product
   * `product` holds.
   */
  multiply(from: ProductSide, transposeX: boolean): void {
    const y = gemm(this.x, { rows: from.height, cols: this.b, data: from.operand }, { transposeA: transposeX, into: this.product }).data;
    if (this.weights && from.weights) {
      if (from.operandSums) this.share.set(from.operandSums);
      else weightedColumnSums(from.operand, from.weights, from.height, this.b, this.share);
      widenLessOuter(y, this.weights, this.share, this.height, this.b, this.columns);
    } else {
      widen(y, this.height, this.b, this.columns);
    }
  }

  /** Normalizes `columns` (LU: P·L, as scipy's lu(permute_l=True); QR: orthonormal) and writes the result to `operand` (and its column sums to operandSums). */
  normalize(norm: Normalizer): void {
    if (norm === 'LU') { permutedLowerInto(this.columns, this.height, this.b, this.operand, this.perm, this.operandSums); return; }
    if (norm === 'QR') orthonormalizeColumns(this.columns, this.height, this.b);
    this.operandSums?.fill(0);
    rowsFromColumns(this.columns, this.height, this.b, this.operand, 0, this.operandSums);
  }
}

/** share[j] = Σ_i weights[i] · v[i][j] over the rows of the row-major rows × b array v. */
function weightedColumnSums(v: Values, weights: Float64Array, rows: number, b: number, share: Float64Array): void {
  share.fill(0);
  for (let i = 0, o = 0; i < rows; i++, o += b) { const w = weights[i]; for (let j = 0; j < b; j++) share[j] += w * v[o + j]; }
}

/** columns (column-major: b columns of `rows`) = y (row-major rows × b) − u·sᵀ, in float64. */
function widenLessOuter(y: Values, u: Float64Array, s: Float64Array, rows: number, b: number, columns: Float64Array): void {
  for (let i0 = 0; i0 < rows; i0 += BLOCK_ROWS) {
    const i1 = Math.min(rows, i0 + BLOCK_ROWS);
    for (let j = 0; j < b; j++) {
      const c = j * rows, sj = s[j];
      for (let i = i0, o = i0 * b + j; i < i1; i++, o += b) columns[c + i] = y[o] - u[i] * sj;
    }
  }
}

/** widenLessOuter without the outer product. */
function widen(y: Values, rows: number, b: number, columns: Float64Array): void {
  for (let i0 = 0; i0 < rows; i0 += BLOCK_ROWS) {
    const i1 = Math.min(rows, i0 + BLOCK_ROWS);
    for (let j = 0; j < b; j++) for (let i = i0, c = j * rows, o = i0 * b + j; i < i1; i++, o += b) columns[c + i] = y[o];
  }
}

/** k rows of n: row p = Σ_r weights[p·b + r] · column r of the column-major n × b `columns`, summed in r's order. */
function combineColumns(columns: Float64Array, n: number, b: number, weights: Float64Array, k: number): Float64Array {
  const out = new Float64Array(k * n);
  for (let p = 0; p < k; p++) {
    for (let r = 0; r < b; r++) {
      const w = weights[p * b + r];
      for (let i = 0, o = p * n, c = r * n; i < n; i++) out[o + i] += columns[c + i] * w;
    }
  }
  return out;
}

function normalizeRow(m: Float64Array, p: number, cols: number): void {
  let s = 0;
  for (let c = 0; c < cols; c++) s += m[p * cols + c] ** 2;
  if (!(s > 0)) return;
  const inv = 1 / Math.sqrt(s);
  for (let c = 0; c < cols; c++) m[p * cols + c] *= inv;
}

/**
 * Components of zero variance (rank-deficient X, one row) come out as zero rows: replace each with
 * the first unit vector orthogonal to the components before it, so components stay orthonormal.
 */
function completeBasis(m: Float64Array, k: number, cols: number): void {
  for (let p = 0; p < k; p++) {
    let s = 0;
    for (let c = 0; c < cols; c++) s += m[p * cols + c] ** 2;
    if (Math.abs(s - 1) < 1e-6) continue;
    for (let e = 0; e < cols; e++) {
      const row = m.subarray(p * cols, (p + 1) * cols);
      row.fill(0); row[e] = 1;
      for (let q = 0; q < p; q++) { const d = m[q * cols + e]; for (let c = 0; c < cols; c++) row[c] -= d * m[q * cols + c]; }
      let n = 0;
      for (let c = 0; c < cols; c++) n += row[c] ** 2;
      if (n > 1e-6) { const inv = 1 / Math.sqrt(n); for (let c = 0; c < cols; c++) row[c] *= inv; break; }
    }
  }
}

/**
 * sklearn's svd_flip as PCA ends up applying it: the largest |score| of every component is positive
 * (for rows < cols randomized_svd decides on Vᵀ of the transposed problem, which is the same scores).
 */
function flipSigns(coords: Float64Array, components: Float64Array, rows: number, cols: number, k: number): void {
  for (let p = 0; p < k; p++) {
    let best = 0, bestAbs = -1;
    for (let i = 0; i < rows; i++) { const a = Math.abs(coords[i * k + p]); if (a > bestAbs) { bestAbs = a; best = i; } }
    if (coords[best * k + p] < 0) {
      for (let i = 0; i < rows; i++) coords[i * k + p] = -coords[i * k + p];
      for (let c = 0; c < cols; c++) components[p * cols + c] = -components[p * cols + c];
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
