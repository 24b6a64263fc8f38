// Dense products for PCA on the centred matrix X − 1μᵀ without forming it. Each kernel keeps a
// small tile of sums in registers so that every value loaded from X feeds several multiply-adds,
// which is what makes products over a 50,257 × 768 matrix take seconds rather than minutes in JS.
import type { Matrix } from '../matrix';
import { applyRotations } from './eigen';
import type { SharedControl } from './helper-thread';

type Values = Float32Array | Float64Array;

/** Column means of X (rows × cols), each summed over the rows in order. */
export function columnMeans(data: Values, rows: number, cols: number): Float64Array {
  const mean = new Float64Array(cols);
  for (let i = 0; i < rows; i++) for (let c = 0, o = i * cols; c < cols; c++) mean[c] += data[o + c];
  for (let c = 0; c < cols; c++) mean[c] /= rows;
  return mean;
}

/** Σ_i Σ_c (X[i, c] − μ_c)², in row-major order. */
export function centredSquares(data: Values, rows: number, cols: number, mean: Float64Array): number {
  let total = 0;
  for (let i = 0; i < rows; i++) {
    for (let c = 0, o = i * cols; c < cols; c++) { const v = data[o + c] - mean[c]; total += v * v; }
  }
  return total;
}

/** Σ_c μ_c·V[p, c] for each of the b rows of V: the centring term of (X − 1μᵀ)·Vᵀ. */
export function meanShift(mean: Float64Array, v: Float64Array, b: number, cols: number): Float64Array {
  const shift = new Float64Array(b);
  for (let p = 0; p < b; p++) { let s = 0; for (let c = 0; c < cols; c++) s += mean[c] * v[p * cols + c]; shift[p] = s; }
  return shift;
}

/** (X − 1μᵀ)·Vᵀ for V given as b rows of length cols: returns rows × b. */
export function multiplyTransposed(x: Matrix, mean: Float64Array, v: Float64Array, b: number): Float64Array {
  const out = new Float64Array(x.rows * b);
  multiplyTransposedRows(x.data, x.cols, v, b, meanShift(mean, v, b, x.cols), out, 0, x.rows);
  return out;
}

/**
 * Rows [i0, i1) of (X − 1μᵀ)·Vᵀ into out (rows × b); shift from meanShift. Every output is one sum
 * over c in order, so any split of the rows gives the same bits.
 */
export function multiplyTransposedRows(data: Values, cols: number, v: Float64Array, b: number, shift: Float64Array, out: Float64Array, i0: number, i1: number): void {
  let i = i0;
  for (; i + 1 < i1; i += 2) {
    const a0 = i * cols, a1 = a0 + cols;
    let p = 0;
    for (; p + 3 < b; p += 4) {
      const v0 = p * cols, v1 = v0 + cols, v2 = v1 + cols, v3 = v2 + cols;
      let s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;
      for (let c = 0; c < cols; c++) {
        const x0 = data[a0 + c], x1 = data[a1 + c];
        const w0 = v[v0 + c], w1 = v[v1 + c], w2 = v[v2 + c], w3 = v[v3 + c];
        s00 += x0 * w0; s01 += x0 * w1; s02 += x0 * w2; s03 += x0 * w3;
        s10 += x1 * w0; s11 += x1 * w1; s12 += x1 * w2; s13 += x1 * w3;
      }
      const o0 = i * b + p, o1 = o0 + b;
      out[o0] = s00 - shift[p]; out[o0 + 1] = s01 - shift[p + 1]; out[o0 + 2] = s02 - shift[p + 2]; out[o0 + 3] = s03 - shift[p + 3];
      out[o1] = s10 - shift[p]; out[o1 + 1] = s11 - shift[p + 1]; out[o1 + 2] = s12 - shift[p + 2]; out[o1 + 3] = s13 - shift[p + 3];
    }
    for (; p < b; p++) {
      const v0 = p * cols;
      let s0 = 0, s1 = 0;
      for (let c = 0; c < cols; c++) { const w = v[v0 + c]; s0 += data[a0 + c] * w; s1 += data[a1 + c] * w; }
      out[i * b + p] = s0 - shift[p]; out[(i + 1) * b + p] = s1 - shift[p];
    }
  }
  for (; i < i1; i++) {
    for (let p = 0; p < b; p++) {
      let s = 0;
      for (let c = 0; c < cols; c++) s += data[i * cols + c] * v[p * cols + c];
      out[i * b + p] = s - shift[p];
    }
  }
}

/** Σ_i U[i, p] for each column p of U (rows × b): the centring term of (X − 1μᵀ)ᵀ·U. */
export function columnSums(u: Float64Array, rows: number, b: number): Float64Array {
  const sums = new Float64Array(b);
  for (let p = 0; p < b; p++) {
    let sum = 0;
    for (let r = 0; r < rows; r++) sum += u[r * b + p];
    sums[p] = sum;
  }
  return sums;
}

/** (X − 1μᵀ)ᵀ·U for U rows × b: returns b × cols (one row per column of U). */
export function transposeMultiply(x: Matrix, mean: Float64Array, u: Float64Array, b: number): Float64Array {
  const out = new Float64Array(b * x.cols);
  transposeMultiplyColumns(x.data, x.rows, x.cols, mean, u, b, columnSums(u, x.rows, b), out, 0, x.cols);
  return out;
}

/**
 * Columns [c0, c1) of (X − 1μᵀ)ᵀ·U into out (b × cols); sums from columnSums. Rows are always taken
 * four at a time from row 0, so any split of the columns gives the same bits.
 */
export function transposeMultiplyColumns(data: Values, rows: number, cols: number, mean: Float64Array, u: Float64Array, b: number, sums: Float64Array, out: Float64Array, c0: number, c1: number): void {
  for (let p = 0; p < b; p++) out.fill(0, p * cols + c0, p * cols + c1);
  let i = 0;
  // Four rows of X at a time against two columns of U: each loaded x value feeds two sums.
  for (; i + 3 < rows; i += 4) {
    const a0 = i * cols, a1 = a0 + cols, a2 = a1 + cols, a3 = a2 + cols;
    const u0 = i * b, u1 = u0 + b, u2 = u1 + b, u3 = u2 + b;
    let p = 0;
    for (; p + 1 < b; p += 2) {
      const e0 = u[u0 + p], e1 = u[u1 + p], e2 = u[u2 + p], e3 = u[u3 + p];
      const d0 = u[u0 + p + 1], d1 = u[u1 + p + 1], d2 = u[u2 + p + 1], d3 = u[u3 + p + 1];
      const o = p * cols, o2 = o + cols;
      for (let c = c0; c < c1; c++) {
        const x0 = data[a0 + c], x1 = data[a1 + c], x2 = data[a2 + c], x3 = data[a3 + c];
        out[o + c] += e0 * x0 + e1 * x1 + e2 * x2 + e3 * x3;
        out[o2 + c] += d0 * x0 + d1 * x1 + d2 * x2 + d3 * x3;
      }
    }
    for (; p < b; p++) {
      const e0 = u[u0 + p], e1 = u[u1 + p], e2 = u[u2 + p], e3 = u[u3 + p];
      const o = p * cols;
      for (let c = c0; c < c1; c++) out[o + c] += e0 * data[a0 + c] + e1 * data[a1 + c] + e2 * data[a2 + c] + e3 * data[a3 + c];
    }
  }
  for (; i < rows; i++) {
    for (let p = 0; p < b; p++) {
      const w = u[i * b + p];
      for (let c = c0; c < c1; c++) out[p * cols + c] += w * data[i * cols + c];
    }
  }
  // Centring: subtract μ_c · Σ_i U[i, p].
  for (let p = 0; p < b; p++) for (let c = c0; c < c1; c++) out[p * cols + c] -= mean[c] * sums[p];
}

const GRAM_BLOCK = 64;

/**
 * gram[g … g+3] and gram[g+cols … g+cols+3] += the 2 × 4 dot products of block rows at p0, p0 + 64
 * with those at q0 … q0 + 192. A function of its own because it runs thousands of times per call:
 * V8 optimises it early in the first PCA, where the whole loop nest would wait for a later call.
 */
function gramTile(block: Float64Array, gram: Float64Array, p0: number, q0: number, g: number, cols: number): void {
  const p1 = p0 + GRAM_BLOCK, q1 = q0 + GRAM_BLOCK, q2 = q1 + GRAM_BLOCK, q3 = q2 + GRAM_BLOCK;
  let s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;
  for (let r = 0; r < GRAM_BLOCK; r++) {
    const x0 = block[p0 + r], x1 = block[p1 + r];
    const w0 = block[q0 + r], w1 = block[q1 + r], w2 = block[q2 + r], w3 = block[q3 + r];
    s00 += x0 * w0; s01 += x0 * w1; s02 += x0 * w2; s03 += x0 * w3;
    s10 += x1 * w0; s11 += x1 * w1; s12 += x1 * w2; s13 += x1 * w3;
  }
  const g1 = g + cols;
  gram[g] += s00; gram[g + 1] += s01; gram[g + 2] += s02; gram[g + 3] += s03;
  gram[g1] += s10; gram[g1 + 1] += s11; gram[g1 + 2] += s12; gram[g1 + 3] += s13;
}

/**
 * (X − 1μᵀ)ᵀ(X − 1μᵀ), cols × cols. Rows are taken 64 at a time, centred and transposed into a
 * scratch block, so the cols²/2 dot products of each block run over short contiguous rows.
 */
export function gramOfCentred(x: Matrix, mean: Float64Array): Float64Array {
  const gram = new Float64Array(x.cols * x.cols);
  gramBand(x.data, x.rows, x.cols, mean, gram, 0, x.cols);
  mirrorGram(gram, x.cols);
  return gram;
}

/** Even band boundaries 0 = a_0 < … < a_bands = cols that split the upper triangle into about equal parts. */
export function gramBands(cols: number, bands: number): number[] {
  const bounds = [0];
  for (let j = 1; j < bands; j++) {
    // Rows [0, a) of the upper triangle hold a·cols − a²/2 entries: solve for j/bands of cols²/2.
    const target = (j / bands) * cols * cols / 2;
    let a = Math.round(cols - Math.sqrt(Math.max(0, cols * cols - 2 * target)));
    a -= a % 2;
    if (a > bounds[bounds.length - 1] && a < cols) bounds.push(a);
  }
  bounds.push(cols);
  return bounds;
}

/**
 * Rows [a0, a1) of the upper triangle of the centred Gram (a0 even; a1 even or cols), added into
 * gram. Each entry is the same sum, in the same order, whatever the band, so bands may run on
 * either thread and give the bits of one call over all rows.
 */
export function gramBand(data: Values, rows: number, cols: number, mean: Float64Array, gram: Float64Array, a0: number, a1: number): void {
  // The block holds columns [a0, cols) only: column c at (c − a0)·64.
  const block = new Float64Array((cols - a0) * GRAM_BLOCK);
  const base = a0 * GRAM_BLOCK;
  for (let r0 = 0; r0 < rows; r0 += GRAM_BLOCK) {
    const m = Math.min(GRAM_BLOCK, rows - r0);
    if (m < GRAM_BLOCK) block.fill(0);
    for (let r = 0; r < m; r++) {
      const o = (r0 + r) * cols;
      for (let c = a0; c < cols; c++) block[(c - a0) * GRAM_BLOCK + r] = data[o + c] - mean[c];
    }
    let a = a0;
    for (; a + 1 < a1; a += 2) {
      const p0 = a * GRAM_BLOCK - base, p1 = p0 + GRAM_BLOCK;
      let c = a;
      for (; c + 3 < cols; c += 4) gramTile(block, gram, p0, c * GRAM_BLOCK - base, a * cols + c, cols);
      for (; c < cols; c++) {
        const q = c * GRAM_BLOCK - base;
        let s0 = 0, s1 = 0;
        for (let r = 0; r < GRAM_BLOCK; r++) { s0 += block[p0 + r] * block[q + r]; s1 += block[p1 + r] * block[q + r]; }
        gram[a * cols + c] += s0; gram[(a + 1) * cols + c] += s1;
      }
    }
    for (; a < a1; a++) {
      for (let c = a; c < cols; c++) {
        let s = 0;
        for (let r = 0; r < GRAM_BLOCK; r++) s += block[a * GRAM_BLOCK - base + r] * block[c * GRAM_BLOCK - base + r];
        gram[a * cols + c] += s;
      }
    }
  }
}

/** The bands cover c ≥ a (and, for odd pairs, c = a − 1 … a + 1 within a tile): mirror the upper triangle. */
export function mirrorGram(gram: Float64Array, cols: number): void {
  for (let a = 0; a < cols; a++) for (let c = 0; c < a; c++) gram[a * cols + c] = gram[c * cols + a];
}

/**
 * What the helper thread gets for PCA on two threads: X and the operands in shared memory.
 * a: V (b × cols) in, or (X − 1μᵀ)ᵀ·U or the Gram out; u: U (rows × b) in, or (X − 1μᵀ)·Vᵀ out;
 * terms: meanShift or columnSums of the current product.
 */
export interface PcaInit extends SharedControl {
  kind: 'pca';
  rows: number;
  cols: number;
  x: SharedArrayBuffer;
  float32: boolean;
  mean: SharedArrayBuffer;
  a: SharedArrayBuffer;
  u: SharedArrayBuffer;
  terms: SharedArrayBuffer;
  /** The eigensolver's rotations (eigen.ts Rotations), applied to the rows of W = Vᵀ held in a. */
  rotationIndex: SharedArrayBuffer;
  rotationCs: SharedArrayBuffer;
}

/** params: operation, b (columns of U / rows of V), chunks. */
export const PCA_OP = 0, PCA_B = 1, PCA_CHUNKS = 2;
export const OP_MULTIPLY_TRANSPOSED = 0, OP_TRANSPOSE_MULTIPLY = 1, OP_GRAM = 2, OP_ROTATE = 3;
/** Rows per chunk of (X − 1μᵀ)·Vᵀ: even, so chunks keep the two-row tiles of one call. */
export const PCA_ROWS_PER_CHUNK = 2048;

/** One chunk of the current product; both threads run it, each chunk writing only its own outputs. */
export class PcaWork {
  readonly data: Values;
  readonly mean: Float64Array;
  readonly a: Float64Array;
  readonly u: Float64Array;
  readonly terms: Float64Array;
  readonly params: Float64Array;
  readonly rotationIndex: Int32Array;
  readonly rotationCs: Float64Array;
  constructor(readonly init: PcaInit) {
    this.rotationIndex = new Int32Array(init.rotationIndex);
    this.rotationCs = new Float64Array(init.rotationCs);
    this.data = init.float32 ? new Float32Array(init.x) : new Float64Array(init.x);
    this.mean = new Float64Array(init.mean);
    this.a = new Float64Array(init.a);
    this.u = new Float64Array(init.u);
    this.terms = new Float64Array(init.terms);
    this.params = new Float64Array(init.params);
  }

  run(chunk: number): void {
    const { rows, cols } = this.init;
    const op = this.params[PCA_OP], b = this.params[PCA_B], chunks = this.params[PCA_CHUNKS];
    if (op === OP_MULTIPLY_TRANSPOSED) {
      const i0 = chunk * PCA_ROWS_PER_CHUNK;
      multiplyTransposedRows(this.data, cols, this.a, b, this.terms, this.u, i0, Math.min(rows, i0 + PCA_ROWS_PER_CHUNK));
    } else if (op === OP_TRANSPOSE_MULTIPLY) {
      const width = Math.ceil(cols / chunks);
      transposeMultiplyColumns(this.data, rows, cols, this.mean, this.u, b, this.terms, this.a, chunk * width, Math.min(cols, (chunk + 1) * width));
    } else if (op === OP_ROTATE) {
      // b: the number of rotations; rows of W (cols of them) in chunks.
      const height = Math.ceil(cols / chunks);
      applyRotations(this.a, cols, this.rotationIndex, this.rotationCs, b, chunk * height, Math.min(cols, (chunk + 1) * height));
    } else {
      const bounds = gramBands(cols, chunks);
      gramBand(this.data, rows, cols, this.mean, this.a, bounds[chunk], bounds[chunk + 1]);
    }
  }
}
