// Trustworthiness as sklearn.manifold.trustworthiness computes it: how many of each point's k
// nearest neighbours in the embedding are not among its k nearest in the original space,
// penalised by their original rank. 1 is perfect. Memory stays O(N) (no N × N rank table).
import type { Matrix } from '../matrix';
import { MechLensError } from '../errors';
import { nearestNeighbours, prepareRows, squaredDistanceBlock, squaredNorms, type Metric } from './knn';

export function trustworthiness(x: Matrix, embedded: Matrix, k = 5, metric: Metric = 'euclidean'): number {
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
  let penalty = 0;
  for (let i0 = 0; i0 < n; i0 += block) {
    const i1 = Math.min(n, i0 + block);
    squaredDistanceBlock(data, norms, n, x.cols, i0, i1, distances);
    for (let i = i0; i < i1; i++) {
      const o = (i - i0) * n;
      for (let t = 0; t < k; t++) {
        const j = near.indices[i * k + t];
        const dj = distances[o + j];
        // rank of j among i's neighbours in the original space, 1-based, ties by index
        let rank = 1;
        for (let l = 0; l < n; l++) {
          if (l === i) continue;
          const dl = distances[o + l];
          if (dl < dj || (dl === dj && l < j)) rank++;
        }
        if (rank > k) penalty += rank - k;
      }
    }
  }
  return 1 - penalty * (2 / (n * k * (2 * n - 3 * k - 1)));
}
