// Column statistics for PCA in one pass over X, in float64 whatever X's type; the products
// themselves run on core/linalg's GEMM (pca.ts).

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
