// The attractive half of the Barnes-Hut t-SNE gradient, shared by the main thread and the helper thread.

/** Attractive forces Σ_j p_ij q_ij (y_i − y_j) for rows [from, to), into out. Top-level over typed arrays, so V8 keeps it monomorphic. */
export function attractiveForces(y: Float64Array, out: Float64Array, rowStart: Int32Array, columns: Int32Array, values: Float64Array, exaggeration: number, from: number, to: number): void {
  for (let i = from; i < to; i++) {
    const yi0 = y[2 * i], yi1 = y[2 * i + 1];
    let f0 = 0, f1 = 0;
    const end = rowStart[i + 1];
    for (let e = rowStart[i]; e < end; e++) {
      const j = columns[e];
      const d0 = yi0 - y[2 * j], d1 = yi1 - y[2 * j + 1];
      const pq = (values[e] * exaggeration) / (1 + d0 * d0 + d1 * d1);
      f0 += pq * d0; f1 += pq * d1;
    }
    out[2 * i] = f0; out[2 * i + 1] = f1;
  }
}
