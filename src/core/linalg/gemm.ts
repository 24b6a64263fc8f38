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
  if (m === 0 || n === 0 || k === 0) return { rows: m, cols: n, data: (float64 ? new Float64Array(m * n) : new Float32Array(m * n)) as T };
  const backend = chooseBackend(m * n * k, options.backend);
  gemmCounts[backend]++;
  if (backend === 'onnx') {
    return { rows: m, cols: n, data: gemmOnnx(a.data, a.rows, a.cols, b.data, b.rows, b.cols, transA, transB) as T };
  }
  // JS: both operands as rows of length k.
  const rowsA = transA ? transposed(a.data, a.rows, a.cols) : a.data;
  const rowsB = transB ? b.data : transposed(b.data, b.rows, b.cols);
  const out = float64 ? new Float64Array(m * n) : new Float32Array(m * n);
  multiplyRowsJs(rowsA, m, rowsB, n, k, out);
  return { rows: m, cols: n, data: out as T };
}

/** A·Bᵀ for operands given as rows (the dot products of every row of A with every row of B). */
export function multiplyRows<T extends Values>(a: Matrix<T>, b: Matrix<T>, backend?: GemmBackend): Matrix<T> {
  return gemm(a, b, { transposeB: true, backend });
}

const MIRROR_BLOCK = 64;

/**
 * Copies the upper triangle of a row-major n × n array onto the lower one in 64 × 64 blocks, so the
 * column-wise reads stay within a few pages (a row-by-row mirror strides n values per write).
 */
function mirrorUpper(out: Values, n: number): void {
  for (let i0 = 0; i0 < n; i0 += MIRROR_BLOCK) {
    const i1 = Math.min(n, i0 + MIRROR_BLOCK);
    for (let j0 = 0; j0 <= i0; j0 += MIRROR_BLOCK) {
      const j1 = Math.min(n, j0 + MIRROR_BLOCK);
      for (let i = i0; i < i1; i++) {
        const end = Math.min(j1, i);
        for (let j = j0; j < end; j++) out[i * n + j] = out[j * n + i];
      }
    }
  }
}

/** Rows per block of gramOfRows: half the blocks' products are skipped (the lower triangle), few calls. */
const GRAM_BLOCK = 512;

export interface GramOptions {
  backend?: GemmBackend;
  /** Before each band of blocks: block products done so far, and in all. */
  onBlock?: (done: number, total: number) => void;
  /** Write the result (widened) into this rows × rows float64 array instead of a new one of the input's type. */
  into?: Float64Array;
  /** Clamp every value to [−1, 1] on the way (cosines that rounding pushed past ±1). */
  clampUnit?: boolean;
}

/**
 * A·Aᵀ (rows × rows), symmetric to the bit: the upper triangle of blocks is computed and mirrored
 * as it is copied out (one pass over the result), which is half the multiply-adds of one product.
 */
export function gramOfRows<T extends Values>(a: Matrix<T>, options: GramOptions = {}): Matrix<T | Float64Array> {
  const { rows: n, cols: d } = a;
  const out: Values = options.into ?? (a.data instanceof Float64Array ? new Float64Array(n * n) : new Float32Array(n * n));
  if (out.length !== n * n) throw new RangeError(`gramOfRows: into has ${out.length} values, expected ${n * n}`);
  const clamp = options.clampUnit ?? false;
  const blocks = Math.ceil(n / GRAM_BLOCK);
  const total = (blocks * (blocks + 1)) / 2;
  let done = 0;
  for (let bi = 0; bi < blocks; bi++) {
    options.onBlock?.(done, total);
    const i0 = bi * GRAM_BLOCK, i1 = Math.min(n, i0 + GRAM_BLOCK);
    const left = { rows: i1 - i0, cols: d, data: a.data.subarray(i0 * d, i1 * d) as T };
    // Block row bi against blocks bi … end in one product (fewer, larger calls).
    const right = { rows: n - i0, cols: d, data: a.data.subarray(i0 * d) as T };
    const tile = multiplyRows(left, right, options.backend).data;
    const width = n - i0;
    for (let i = i0; i < i1; i++) {
      const src = (i - i0) * width - i0;
      for (let j = i; j < n; j++) {
        let v = tile[src + j];
        if (clamp) v = v > 1 ? 1 : v < -1 ? -1 : v;
        out[i * n + j] = v;
      }
    }
    done += blocks - bi;
  }
  mirrorUpper(out, n);
  return { rows: n, cols: n, data: out as T | Float64Array };
}
