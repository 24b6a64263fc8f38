// Products in plain JavaScript, for the sizes where starting an onnxruntime run costs more than the
// arithmetic (gemm.ts decides). Every output is one sum over k in order, accumulated in float64
// whatever the input type, so these are also the reference the GEMM tests compare against.

export type Values = Float32Array | Float64Array;

/**
 * out[i·n + j] = Σ_c a[i·k + c] · b[j·k + c] for i < m, j < n: A·Bᵀ with both operands as rows of
 * length k. Two rows of A against four of B share every load (eight sums per six loads).
 */
export function multiplyRowsJs(a: Values, m: number, b: Values, n: number, k: number, out: Values): void {
  let i = 0;
  for (; i + 1 < m; i += 2) {
    const a0 = i * k, a1 = a0 + k, o0 = i * n, o1 = o0 + n;
    let j = 0;
    for (; j + 3 < n; j += 4) {
      const b0 = j * k, b1 = b0 + k, b2 = b1 + k, b3 = b2 + k;
      let s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;
      for (let c = 0; c < k; c++) {
        const u = a[a0 + c], v = a[a1 + c];
        const w0 = b[b0 + c], w1 = b[b1 + c], w2 = b[b2 + c], w3 = b[b3 + c];
        s00 += u * w0; s01 += u * w1; s02 += u * w2; s03 += u * w3;
        s10 += v * w0; s11 += v * w1; s12 += v * w2; s13 += v * w3;
      }
      out[o0 + j] = s00; out[o0 + j + 1] = s01; out[o0 + j + 2] = s02; out[o0 + j + 3] = s03;
      out[o1 + j] = s10; out[o1 + j + 1] = s11; out[o1 + j + 2] = s12; out[o1 + j + 3] = s13;
    }
    for (; j < n; j++) {
      const b0 = j * k;
      let s0 = 0, s1 = 0;
      for (let c = 0; c < k; c++) { const w = b[b0 + c]; s0 += a[a0 + c] * w; s1 += a[a1 + c] * w; }
      out[o0 + j] = s0; out[o1 + j] = s1;
    }
  }
  for (; i < m; i++) {
    const a0 = i * k;
    for (let j = 0; j < n; j++) {
      const b0 = j * k;
      let s = 0;
      for (let c = 0; c < k; c++) s += a[a0 + c] * b[b0 + c];
      out[i * n + j] = s;
    }
  }
}

/** The cols × rows transpose of a row-major rows × cols array, in the same type. */
export function transposed(x: Values, rows: number, cols: number): Values {
  const out = x instanceof Float32Array ? new Float32Array(rows * cols) : new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = x[r * cols + c];
  return out;
}
