// SAE encode and decode on the GEMM (gemm.ts), exactly as SAELens computes them (sae_lens/saes/*.py):
//   x_in = norm_in(x) − b_dec·apply_b_dec_to_input;  pre = x_in·W_enc + b_enc
//   standard f = relu(pre);  jumprelu f = relu(pre)·(pre > threshold);  topk f = relu(top k of pre)
//   x̂ = norm_out(f·W_dec + b_dec)
// Gemma Scope is jumprelu without b_dec on the input (its config sets apply_b_dec_to_input false).
// Asking for a few features multiplies by those columns of W_enc only (not for topk, which needs
// every pre-activation to know the k largest).
import type { Matrix } from '../matrix';
import { gemm, gemmCounts, productBackend } from './gemm';
import { saeEncodeOnnx, type SaeGraphActivation } from './onnx-sae';

export interface SaeEncoder {
  dIn: number;
  dSae: number;
  architecture: 'standard' | 'jumprelu' | 'topk';
  k?: number;
  applyBDecToInput: boolean;
  normalize: 'none' | 'expected_average_only_in' | 'constant_norm_rescale' | 'layer_norm';
  normScalingFactor?: number;
  /** dIn × dSae, row-major. */
  wEnc: Float32Array;
  bEnc: Float32Array;
  /** dSae × dIn, row-major. */
  wDec: Float32Array;
  bDec: Float32Array;
  threshold?: Float32Array;
  /** jumprelu as Gemma Scope defines it, pre·(pre > threshold), without SAELens's relu (they differ only where a threshold is negative). */
  jumpWithoutRelu?: boolean;
}

/** How norm_out undoes norm_in per row: x = y·scale + shift (undefined: nothing to undo). */
export interface RowNormalization {
  scale: Float64Array;
  shift?: Float64Array;
}

export interface SaeEncoding {
  /** rows × (features.length, else dSae): the feature activations f. */
  acts: Matrix<Float32Array>;
  /** The feature indices of acts' columns; null when every feature was computed, in order. */
  features: Int32Array | null;
  normalization?: RowNormalization;
}

/** SAELens's layer_norm epsilon (run_time_activation_ln_in). */
const LAYER_NORM_EPS = 1e-5;

/** norm_in of every row of x (a new array, or x's own when there is nothing to do; x is not changed), and how norm_out undoes it. */
export function normalizeSaeInput(x: Matrix<Float32Array>, sae: SaeEncoder): { input: Float32Array; normalization?: RowNormalization } {
  const { rows, cols } = x;
  if (sae.normalize === 'none' || (sae.normalize === 'expected_average_only_in' && sae.normScalingFactor === undefined)) return { input: x.data };
  const input = new Float32Array(x.data);
  const scale = new Float64Array(rows);
  const shift = sae.normalize === 'layer_norm' ? new Float64Array(rows) : undefined;
  for (let r = 0; r < rows; r++) {
    const row = input.subarray(r * cols, (r + 1) * cols);
    if (sae.normalize === 'expected_average_only_in') {
      const s = sae.normScalingFactor!;
      for (let c = 0; c < cols; c++) row[c] *= s;
      scale[r] = 1 / s;
    } else if (sae.normalize === 'constant_norm_rescale') {
      let ss = 0;
      for (let c = 0; c < cols; c++) ss += row[c] * row[c];
      const coeff = Math.sqrt(cols) / Math.sqrt(ss);
      for (let c = 0; c < cols; c++) row[c] *= coeff;
      scale[r] = 1 / coeff;
    } else {
      // torch's x.std is the unbiased (n − 1) one, and SAELens divides by std + eps.
      let mean = 0;
      for (let c = 0; c < cols; c++) mean += row[c];
      mean /= cols;
      let ss = 0;
      for (let c = 0; c < cols; c++) ss += (row[c] - mean) ** 2;
      const std = Math.sqrt(ss / (cols - 1));
      for (let c = 0; c < cols; c++) row[c] = (row[c] - mean) / (std + LAYER_NORM_EPS);
      scale[r] = std;
      shift![r] = mean;
    }
  }
  return { input, normalization: { scale, ...(shift ? { shift } : {}) } };
}

/**
 * f for every row of x (rows × dIn). With `features`, only those columns (in the order given);
 * duplicates and out-of-range indices are the caller's to refuse.
 */
export function encodeSae(x: Matrix<Float32Array>, sae: SaeEncoder, features?: readonly number[]): SaeEncoding {
  if (x.cols !== sae.dIn) throw new RangeError(`encodeSae: activations have ${x.cols} values per row, the SAE reads ${sae.dIn}`);
  const { input, normalization } = normalizeSaeInput(x, sae);
  const subset = features && sae.architecture !== 'topk' ? Int32Array.from(features) : null;
  const width = subset ? subset.length : sae.dSae;
  const wEnc = subset ? gatherColumns(sae.wEnc, sae.dIn, sae.dSae, subset) : sae.wEnc;
  const bias = subset ? Float32Array.from(subset, (f) => sae.bEnc[f]) : sae.bEnc;
  const threshold = sae.threshold && subset ? Float32Array.from(subset, (f) => sae.threshold![f]) : sae.threshold;
  let pre: Float32Array;
  if (productBackend(x.rows * sae.dIn * width) === 'onnx') {
    // b_dec, bias, threshold and activation inside onnxruntime, f written into its own array.
    gemmCounts.onnx++;
    pre = saeEncodeOnnx(graphActivation(sae), { x: input, rows: x.rows, w: wEnc, dIn: sae.dIn, width, bEnc: bias, ...(sae.applyBDecToInput ? { bDec: sae.bDec } : {}), ...(threshold ? { threshold } : {}) });
    if (sae.architecture === 'topk') for (let r = 0; r < x.rows; r++) keepTopK(pre.subarray(r * width, (r + 1) * width), sae.k!);
  } else {
    const centred = sae.applyBDecToInput ? (input === x.data ? new Float32Array(input) : input) : input;
    if (sae.applyBDecToInput) {
      for (let r = 0; r < x.rows; r++) for (let c = 0; c < sae.dIn; c++) centred[r * sae.dIn + c] -= sae.bDec[c];
    }
    pre = gemm({ rows: x.rows, cols: sae.dIn, data: centred }, { rows: sae.dIn, cols: width, data: wEnc }, { backend: 'js' }).data;
    activate(pre, x.rows, width, bias, sae, threshold);
  }
  const acts = { rows: x.rows, cols: width, data: pre };
  if (features && !subset) {
    const picked = Int32Array.from(features);
    return { acts: { rows: x.rows, cols: picked.length, data: gatherColumns(pre, x.rows, sae.dSae, picked) }, features: picked, ...(normalization ? { normalization } : {}) };
  }
  return { acts, features: subset, ...(normalization ? { normalization } : {}) };
}

function graphActivation(sae: SaeEncoder): SaeGraphActivation {
  if (sae.architecture === 'standard') return 'relu';
  if (sae.architecture === 'topk') return 'none';
  return sae.jumpWithoutRelu ? 'jump-no-relu' : 'jumprelu';
}

/** pre += b_enc, then the activation, in place (the JavaScript path, for small products). */
function activate(pre: Float32Array, rows: number, width: number, bias: Float32Array, sae: SaeEncoder, threshold: Float32Array | undefined): void {
  const { architecture, k } = sae;
  // SAELens's JumpReLUSAE is relu(pre)·(pre > threshold); Gemma Scope's reference is pre·(pre > threshold).
  const floor = sae.jumpWithoutRelu ? -Infinity : 0;
  for (let r = 0; r < rows; r++) {
    const row = pre.subarray(r * width, (r + 1) * width);
    if (architecture === 'jumprelu') {
      for (let j = 0; j < width; j++) { const v = row[j] + bias[j]; row[j] = v > threshold![j] && v > floor ? v : 0; }
    } else {
      for (let j = 0; j < width; j++) { const v = row[j] + bias[j]; row[j] = architecture === 'topk' ? v : v > 0 ? v : 0; }
      if (architecture === 'topk') keepTopK(row, k!);
    }
  }
}

/** Keeps the k largest values of row (relu'd), zeroing the rest, as TopK(k) with its ReLU does. */
function keepTopK(row: Float32Array, k: number): void {
  if (k >= row.length) { for (let j = 0; j < row.length; j++) if (row[j] < 0) row[j] = 0; return; }
  const top = largestIndices(row, k);
  const kept = new Float32Array(top.length);
  top.forEach((j, i) => { kept[i] = row[j] > 0 ? row[j] : 0; });
  row.fill(0);
  top.forEach((j, i) => { row[j] = kept[i]; });
}

/** Indices of the k largest values, largest first (ties: the lower index first). A size-k min-heap: O(n log k). */
export function largestIndices(values: ArrayLike<number>, k: number, onlyPositive = false): number[] {
  const heap: number[] = [];
  const less = (a: number, b: number) => values[a] < values[b] || (values[a] === values[b] && a > b);
  const siftDown = (i: number) => {
    for (;;) {
      const l = 2 * i + 1, r = l + 1;
      let m = i;
      if (l < heap.length && less(heap[l], heap[m])) m = l;
      if (r < heap.length && less(heap[r], heap[m])) m = r;
      if (m === i) return;
      [heap[i], heap[m]] = [heap[m], heap[i]];
      i = m;
    }
  };
  for (let j = 0; j < values.length; j++) {
    if (onlyPositive && !(values[j] > 0)) continue;
    if (heap.length < k) {
      heap.push(j);
      for (let i = heap.length - 1; i > 0;) {
        const p = (i - 1) >> 1;
        if (!less(heap[i], heap[p])) break;
        [heap[i], heap[p]] = [heap[p], heap[i]];
        i = p;
      }
    } else if (k > 0 && less(heap[0], j)) {
      heap[0] = j;
      siftDown(0);
    }
  }
  return heap.sort((a, b) => (less(a, b) ? 1 : less(b, a) ? -1 : 0));
}

function gatherColumns(m: Float32Array, rows: number, cols: number, picked: Int32Array): Float32Array {
  const out = new Float32Array(rows * picked.length);
  for (let r = 0; r < rows; r++) {
    const src = r * cols, dst = r * picked.length;
    for (let j = 0; j < picked.length; j++) out[dst + j] = m[src + picked[j]];
  }
  return out;
}

/** x̂ = norm_out(f·W_dec + b_dec) for f over every feature (rows × dSae). */
export function decodeSae(acts: Matrix<Float32Array>, sae: SaeEncoder, normalization?: RowNormalization): Float32Array {
  if (acts.cols !== sae.dSae) throw new RangeError(`decodeSae: needs all ${sae.dSae} features, got ${acts.cols}`);
  const out = gemm(acts, { rows: sae.dSae, cols: sae.dIn, data: sae.wDec }).data;
  for (let r = 0; r < acts.rows; r++) {
    const s = normalization?.scale[r] ?? 1, t = normalization?.shift?.[r] ?? 0;
    for (let c = 0; c < sae.dIn; c++) { const i = r * sae.dIn + c; out[i] = (out[i] + sae.bDec[c]) * s + t; }
  }
  return out;
}

export interface ReconstructionStats {
  /** mean over the rows and values of (x − x̂)². */
  mse: number;
  /** 1 − Σ(x − x̂)² / Σ(x − mean over rows of x)²; null with fewer than two rows or no variance. */
  varianceExplained: number | null;
}

/** Reconstruction error over rows [start, end) of x and x̂ (rows × cols each), accumulated in float64. */
export function reconstructionStats(x: Float32Array, xHat: Float32Array, cols: number, start: number, end: number): ReconstructionStats {
  const n = end - start;
  if (n <= 0) return { mse: NaN, varianceExplained: null };
  const mean = new Float64Array(cols);
  for (let r = start; r < end; r++) for (let c = 0; c < cols; c++) mean[c] += x[r * cols + c];
  for (let c = 0; c < cols; c++) mean[c] /= n;
  let residual = 0, total = 0;
  for (let r = start; r < end; r++) {
    for (let c = 0; c < cols; c++) {
      const v = x[r * cols + c];
      residual += (v - xHat[r * cols + c]) ** 2;
      total += (v - mean[c]) ** 2;
    }
  }
  return { mse: residual / (n * cols), varianceExplained: n > 1 && total > 0 ? 1 - residual / total : null };
}
