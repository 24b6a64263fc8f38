// Trustworthiness as sklearn.manifold.trustworthiness computes it: how many of each point's k
// nearest neighbours in the embedding are not among its k nearest in the original space,
// penalised by their original rank. 1 is perfect. Memory stays O(N) (no N × N rank table).
import type { Matrix } from '../matrix';
import { MechLensError } from '../errors';
import { nearestNeighbours, prepareRows, squaredDistanceBlock, squaredNorms, type Metric } from './knn';
import { gemm } from '../linalg';

/**
 * From this many multiply-adds (N²·d) the original-space distances come from core/linalg's float64
 * GEMM (20,000 × 768: ~10 s instead of minutes); below, from knn.ts's JavaScript tiles, whose sums
 * (in column order) sklearn's fixtures were checked against. The two differ by rounding, which moves
 * a rank only where two distances agree to ~1e-16.
 */
const GEMM_FROM = 1e10;

/** Squared distances from rows [i0, i1) to all rows, as squaredDistanceBlock writes them, with the dot products on the GEMM. */
function gemmDistances(data: Float64Array, norms: Float64Array, all: { rows: number; cols: number; data: Float64Array }, i0: number, i1: number, out: Float64Array): void {
  const n = all.rows, cols = all.cols;
  const dots = gemm({ rows: i1 - i0, cols, data: data.subarray(i0 * cols, i1 * cols) }, all, { transposeB: true, into: out.subarray(0, (i1 - i0) * n) }).data;
  for (let i = i0; i < i1; i++) {
    const o = (i - i0) * n, ni = norms[i];
    for (let j = 0; j < n; j++) dots[o + j] = Math.max(0, ni + norms[j] - 2 * dots[o + j]);
  }
}

/** onGemm: where the original-space distances come from (default: by size, see GEMM_FROM; tests compare the two). */
export function trustworthiness(x: Matrix, embedded: Matrix, k = 5, metric: Metric = 'euclidean', onGemm = x.rows * x.rows * x.cols > GEMM_FROM): number {
  const n = x.rows;
  if (embedded.rows !== n) throw new MechLensError('bad-argument', `trustworthiness: ${n} points but ${embedded.rows} embedded`);
  if (!(k >= 1 && k < n / 2)) {
    throw new MechLensError('bad-argument', `trustworthiness needs 1 ≤ k < n / 2 = ${n / 2}, got ${k}`, { fix: 'Use fewer neighbours or more points.' });
  }
  const near = nearestNeighbours(embedded, k, 'euclidean');
  const data = prepareRows(x, metric);
  const norms = squaredNorms(data, n, x.cols);
  const block = Math.max(1, Math.floor(2_000_000 / n));
  const distances = new Float64Array(block * n);
  const rowMatrix = { rows: n, cols: x.cols, data };
  const rankOf = new Int32Array(k), neighbourD = new Float64Array(k);
  let penalty = 0;
  for (let i0 = 0; i0 < n; i0 += block) {
    const i1 = Math.min(n, i0 + block);
    if (onGemm) gemmDistances(data, norms, rowMatrix, i0, i1, distances);
    else squaredDistanceBlock(data, norms, n, x.cols, i0, i1, distances);
    for (let i = i0; i < i1; i++) {
      const o = (i - i0) * n;
      let farthest = -Infinity;
      for (let t = 0; t < k; t++) {
        neighbourD[t] = distances[o + near.indices[i * k + t]];
        rankOf[t] = 1;
        if (neighbourD[t] > farthest) farthest = neighbourD[t];
      }
      // rank of each neighbour j among i's neighbours in the original space, 1-based, ties by index;
      // a point farther than all of them outranks none.
      for (let l = 0; l < n; l++) {
        const dl = distances[o + l];
        if (dl > farthest || l === i) continue;
        for (let t = 0; t < k; t++) {
          const dj = neighbourD[t];
          if (dl < dj || (dl === dj && l < near.indices[i * k + t])) rankOf[t]++;
        }
      }
      for (let t = 0; t < k; t++) if (rankOf[t] > k) penalty += rankOf[t] - k;
    }
  }
  return 1 - penalty * (2 / (n * k * (2 * n - 3 * k - 1)));
}
