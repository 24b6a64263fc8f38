// The one entry point for dense products in core/: similarity and Gram matrices, PCA's products,
// kNN's distance tiles. Large products run on onnxruntime's MLAS GEMM (onnx-gemm.ts), small ones in
// JavaScript (js-kernels.ts), where an onnxruntime run costs more than the arithmetic; the choice
// is by size (bench/README.md, "linalg", has the measurements behind the thresholds). The result has
// the element type of the operands, as in numpy: float32 in, float32 out.
import type { Matrix } from '../matrix';
import { multiplyRowsJs, transposed, type Values } from './js-kernels';
import { gemmOnnx, onnxGemmUnavailable } from './onnx-gemm';

export type GemmBackend = 'js' | 'onnx';

export interface GemmOptions {
  transposeA?: boolean;
  transposeB?: boolean;
  /** Force a backend (tests and the bench); default: by size, see JS_BELOW. */
  backend?: GemmBackend;
  /**
   * Write the product into this m × n array of the operands' element type instead of a new one
   * (returned as the result's data): callers that multiply in a loop reuse one output, rather than
   * a fresh array per product for the GC to collect and the kernel to fault in.
   */
  into?: Values;
}

/**
 * Below this many multiply-adds (m·n·k) the JavaScript kernel wins: an onnxruntime run costs tens
 * of microseconds plus a copy of the output; the two were level between 32³ ≈ 3·10⁴ and 48³ ≈
 * 1.1·10⁵ multiply-adds (bench/linalg.ts "crossover", bench/README.md).
 */
export const JS_BELOW = 6e4;

/** How many products each backend ran in this process (the tests check the MLAS path is taken). */
export const gemmCounts: Record<GemmBackend, number> = { js: 0, onnx: 0 };

let forced: GemmBackend | undefined = envBackend();
let fallbackSaid = false;

function envBackend(): GemmBackend | undefined {
  const v = process.env.MECHLENS_LINALG;
  return v === 'js' || v === 'onnx' ? v : undefined;
}

/** Sets (or with undefined clears) a backend for every product in this process: bench and tests. */
export function forceGemmBackend(backend: GemmBackend | undefined): void {
  forced = backend;
}

function chooseBackend(multiplyAdds: number, wanted: GemmBackend | undefined): GemmBackend {
  const choice = wanted ?? forced ?? (multiplyAdds < JS_BELOW ? 'js' : 'onnx');
  if (choice === 'onnx') {
    const why = onnxGemmUnavailable();
    if (why) {
      if (!fallbackSaid) { fallbackSaid = true; process.stderr.write(`MechLens: large products run in JavaScript: ${why}\n`); }
      return 'js';
    }
  }
  return choice;
}

/** The backend a product of this many multiply-adds runs on (for graphs built elsewhere, e.g. the SAE encode; they count their own runs). */
export function productBackend(multiplyAdds: number): GemmBackend {
  return chooseBackend(multiplyAdds, undefined);
}

/**
 * op(A)·op(B), where op transposes when asked. Both operands must have the same element type; the
 * result has it too. Neither operand is changed.
 */
export function gemm<T extends Values>(a: Matrix<T>, b: Matrix<T>, options: GemmOptions = {}): Matrix<T> {
  const transA = options.transposeA ?? false, transB = options.transposeB ?? false;
  const m = transA ? a.cols : a.rows, k = transA ? a.rows : a.cols;
  const kb = transB ? b.cols : b.rows, n = transB ? b.rows : b.cols;
  if (k !== kb) throw new RangeError(`gemm: inner dimensions differ (${m} × ${k} by ${kb} × ${n})`);
  if ((a.data instanceof Float64Array) !== (b.data instanceof Float64Array)) throw new TypeError('gemm: operands must have the same element type');
  const float64 = a.data instanceof Float64Array;
  const into = options.into;
  if (into && (into.length !== m * n || (into instanceof Float64Array) !== float64)) throw new RangeError(`gemm: into must be ${m} × ${n} values of the operands' element type`);
  if (m === 0 || n === 0 || k === 0) return { rows: m, cols: n, data: (into?.fill(0) ?? (float64 ? new Float64Array(m * n) : new Float32Array(m * n))) as T };
  const backend = chooseBackend(m * n * k, options.backend);
  gemmCounts[backend]++;
  if (backend === 'onnx') {
    return { rows: m, cols: n, data: gemmOnnx(a.data, a.rows, a.cols, b.data, b.rows, b.cols, transA, transB, into) as T };
  }
  // JS: both operands as rows of length k.
  const rowsA = transA ? transposed(a.data, a.rows, a.cols) : a.data;
  const rowsB = transB ? b.data : transposed(b.data, b.rows, b.cols);
  const out = into ?? (float64 ? new Float64Array(m * n) : new Float32Array(m * n));
  multiplyRowsJs(rowsA, m, rowsB, n, k, out);
  return { rows: m, cols: n, data: out as T };
}

/** A·Bᵀ for operands given as rows (the dot products of every row of A with every row of B). */
export function multiplyRows<T extends Values>(a: Matrix<T>, b: Matrix<T>, backend?: GemmBackend): Matrix<T> {
  return gemm(a, b, { transposeB: true, backend });
}

const MIRROR_BLOCK = 64;

/**
 * Makes a row-major n × n array whose upper triangle holds the products symmetric to the bit: the
 * upper triangle is copied onto the lower one (clamped to [−1, 1] on the way when asked) in 64 × 64
 * blocks, so the column-wise writes stay within a few pages.
 */
function finishSymmetric(out: Values, n: number, clampUnit: boolean): void {
  for (let i0 = 0; i0 < n; i0 += MIRROR_BLOCK) {
    const i1 = Math.min(n, i0 + MIRROR_BLOCK);
    for (let j0 = i0; j0 < n; j0 += MIRROR_BLOCK) {
      const j1 = Math.min(n, j0 + MIRROR_BLOCK);
      for (let i = i0; i < i1; i++) {
        for (let j = Math.max(j0, i + 1); j < j1; j++) {
          let v = out[i * n + j];
          if (clampUnit) { v = v > 1 ? 1 : v < -1 ? -1 : v; out[i * n + j] = v; }
          out[j * n + i] = v;
        }
      }
    }
    if (clampUnit) for (let i = i0; i < i1; i++) { const v = out[i * n + i]; out[i * n + i] = v > 1 ? 1 : v < -1 ? -1 : v; }
  }
}

/**
 * Rows per band of gramOfRows. Band b multiplies its rows by rows b·256 … n only (the upper
 * triangle and its diagonal block): at 2,000 rows that is 56% of a full product's multiply-adds
 * (512-row bands: 62%), for one more copy of the band's products into place. 256 took the least
 * CPU of 128 … 1,024 and of one full product (bench/README.md, "linalg").
 */
const GRAM_BAND = 256;

export interface GramOptions<T extends Values = Values> {
  backend?: GemmBackend;
  /** Before each band: bands done so far, and in all. */
  onBlock?: (done: number, total: number) => void;
  /** Clamp every value to [−1, 1] (cosines that rounding pushed past ±1). */
  clampUnit?: boolean;
  /** Write the result into this rows × rows array of A's element type instead of a new one. */
  into?: T;
}

/**
 * A·Aᵀ (rows × rows) in A's element type, symmetric to the bit: the upper triangle is computed in
 * bands of rows, each copied into place as it comes, then mirrored in one pass.
 */
export function gramOfRows<T extends Values>(a: Matrix<T>, options: GramOptions<T> = {}): Matrix<T> {
  const { rows: n, cols: d } = a;
  const out = options.into ?? ((a.data instanceof Float64Array ? new Float64Array(n * n) : new Float32Array(n * n)) as T);
  if (out.length !== n * n || (out instanceof Float64Array) !== (a.data instanceof Float64Array)) {
    throw new RangeError(`gramOfRows: into must be ${n} × ${n} values of the rows' element type`);
  }
  const bands = Math.ceil(n / GRAM_BAND);
  for (let band = 0; band < bands; band++) {
    options.onBlock?.(band, bands);
    const i0 = band * GRAM_BAND, i1 = Math.min(n, i0 + GRAM_BAND), width = n - i0;
    const left = { rows: i1 - i0, cols: d, data: a.data.subarray(i0 * d, i1 * d) as T };
    const right = { rows: width, cols: d, data: a.data.subarray(i0 * d) as T };
    const tile = multiplyRows(left, right, options.backend).data;
    // Each row's products from the diagonal on are contiguous in both: a native copy per row.
    for (let i = i0; i < i1; i++) out.set(tile.subarray((i - i0) * width, (i - i0 + 1) * width), i * n + i0);
  }
  finishSymmetric(out, n, options.clampUnit ?? false);
  return { rows: n, cols: n, data: out };
}
