// Dense products for PCA on the centred matrix X − 1μᵀ without forming it. Each kernel keeps a
// small tile of sums in registers so that every value loaded from X feeds several multiply-adds,
// which is what makes products over a 50,257 × 768 matrix take seconds rather than minutes in JS.
import type { Matrix } from '../matrix';

type Values = Float32Array | Float64Array;

/** (X − 1μᵀ)·Vᵀ for V given as b rows of length cols: returns rows × b. */
export function multiplyTransposed(x: Matrix, mean: Float64Array, v: Float64Array, b: number): Float64Array {
  const { rows, cols } = x;
  const data: Values = x.data;
  const out = new Float64Array(rows * b);
  const shift = new Float64Array(b);
  for (let p = 0; p < b; p++) { let s = 0; for (let c = 0; c < cols; c++) s += mean[c] * v[p * cols + c]; shift[p] = s; }
  let i = 0;
  for (; i + 1 < rows; i += 2) {
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
  for (; i < rows; i++) {
    for (let p = 0; p < b; p++) {
      let s = 0;
      for (let c = 0; c < cols; c++) s += data[i * cols + c] * v[p * cols + c];
      out[i * b + p] = s - shift[p];
    }
  }
  return out;
}

/** (X − 1μᵀ)ᵀ·U for U rows × b: returns b × cols (one row per column of U). */
export function transposeMultiply(x: Matrix, mean: Float64Array, u: Float64Array, b: number): Float64Array {
  const { rows, cols } = x;
  const data: Values = x.data;
  const out = new Float64Array(b * cols);
  let i = 0;
  // Four rows of X at a time against two columns of U: each loaded x value feeds two sums.
  for (; i + 3 < rows; i += 4) {
    const a0 = i * cols, a1 = a0 + cols, a2 = a1 + cols, a3 = a2 + cols;
    const u0 = i * b, u1 = u0 + b, u2 = u1 + b, u3 = u2 + b;
    let p = 0;
    for (; p + 1 < b; p += 2) {
      const c0 = u[u0 + p], c1 = u[u1 + p], c2 = u[u2 + p], c3 = u[u3 + p];
      const d0 = u[u0 + p + 1], d1 = u[u1 + p + 1], d2 = u[u2 + p + 1], d3 = u[u3 + p + 1];
      const o = p * cols, o2 = o + cols;
      for (let c = 0; c < cols; c++) {
        const x0 = data[a0 + c], x1 = data[a1 + c], x2 = data[a2 + c], x3 = data[a3 + c];
        out[o + c] += c0 * x0 + c1 * x1 + c2 * x2 + c3 * x3;
        out[o2 + c] += d0 * x0 + d1 * x1 + d2 * x2 + d3 * x3;
      }
    }
    for (; p < b; p++) {
      const c0 = u[u0 + p], c1 = u[u1 + p], c2 = u[u2 + p], c3 = u[u3 + p];
      const o = p * cols;
      for (let c = 0; c < cols; c++) out[o + c] += c0 * data[a0 + c] + c1 * data[a1 + c] + c2 * data[a2 + c] + c3 * data[a3 + c];
    }
  }
  for (; i < rows; i++) {
    for (let p = 0; p < b; p++) {
      const w = u[i * b + p];
      for (let c = 0; c < cols; c++) out[p * cols + c] += w * data[i * cols + c];
    }
  }
  // Centring: subtract μ_c · Σ_i U[i, p].
  for (let p = 0; p < b; p++) {
    let sum = 0;
    for (let r = 0; r < rows; r++) sum += u[r * b + p];
    for (let c = 0; c < cols; c++) out[p * cols + c] -= mean[c] * sum;
  }
  return out;
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
  const { rows, cols } = x;
  const data: Values = x.data;
  const gram = new Float64Array(cols * cols);
  const block = new Float64Array(cols * GRAM_BLOCK);
  for (let r0 = 0; r0 < rows; r0 += GRAM_BLOCK) {
    const m = Math.min(GRAM_BLOCK, rows - r0);
    if (m < GRAM_BLOCK) block.fill(0);
    for (let r = 0; r < m; r++) {
      const o = (r0 + r) * cols;
      for (let c = 0; c < cols; c++) block[c * GRAM_BLOCK + r] = data[o + c] - mean[c];
    }
    let a = 0;
    for (; a + 1 < cols; a += 2) {
      const p0 = a * GRAM_BLOCK, p1 = p0 + GRAM_BLOCK;
      let c = a;
      for (; c + 3 < cols; c += 4) gramTile(block, gram, p0, c * GRAM_BLOCK, a * cols + c, cols);
      for (; c < cols; c++) {
        const q = c * GRAM_BLOCK;
        let s0 = 0, s1 = 0;
        for (let r = 0; r < GRAM_BLOCK; r++) { s0 += block[p0 + r] * block[q + r]; s1 += block[p1 + r] * block[q + r]; }
        gram[a * cols + c] += s0; gram[(a + 1) * cols + c] += s1;
      }
    }
    for (; a < cols; a++) {
      for (let c = a; c < cols; c++) {
        let s = 0;
        for (let r = 0; r < GRAM_BLOCK; r++) s += block[a * GRAM_BLOCK + r] * block[c * GRAM_BLOCK + r];
        gram[a * cols + c] += s;
      }
    }
  }
  // The tiles above cover c ≥ a (and, for odd pairs, c = a − 1 … a + 1 within a tile): mirror the upper triangle.
  for (let a = 0; a < cols; a++) for (let c = 0; c < a; c++) gram[a * cols + c] = gram[c * cols + a];
  return gram;
}
