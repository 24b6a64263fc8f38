// A 2-D map of items plus clusters on it: t-SNE, then DBSCAN on the map, as the notebooks do.
import type { EmbeddingMap } from '../../protocol/result';
import { dbscan } from '../cluster/dbscan';
import { summarizeClusters } from '../cluster/summary';
import { toJson, type Matrix } from '../matrix';
import type { RunControl } from '../run-control';
import { tsne } from '../layout/tsne';
import { createRandom, permutation } from '../random';

export interface MapOptions {
  perplexity?: number;
  iterations?: number;
  seed?: number;
  metric?: 'euclidean' | 'cosine';
  /** DBSCAN radius on the map; by default chosen from the points' k-distances (see autoEps). */
  eps?: number;
  minSamples?: number;
}

/** sklearn requires perplexity < n; short word lists get a perplexity that suits them. */
function defaultPerplexity(n: number): number {
  return Math.max(1, Math.min(30, Math.floor((n - 1) / 3)));
}

export async function embeddingMap(x: Matrix, names: string[], options: MapOptions, control: RunControl = {}): Promise<EmbeddingMap> {
  const perplexity = options.perplexity ?? defaultPerplexity(x.rows);
  const iterations = options.iterations ?? 1000;
  const minSamples = options.minSamples ?? 3;
  const seed = options.seed ?? 0;
  const metric = options.metric ?? 'cosine';
  const result = tsne(x, { perplexity, iterations, seed, metric, init: 'pca' }, {
    signal: control.signal,
    onIteration: (iteration, kl) => control.onProgress?.({ message: `t-SNE iteration ${iteration}, KL ${kl.toFixed(3)}`, fraction: iteration / iterations }),
  });
  const eps = options.eps ?? autoEps(result.coords, minSamples, seed);
  const labels = dbscan(result.coords, { eps, minSamples, metric: 'euclidean' });
  const clusters = summarizeClusters(labels, x, names).filter((c) => c.label >= 0);
  return {
    method: 'tsne',
    coords: toJson(result.coords),
    labels: Array.from(labels),
    clusters: clusters.map((c) => ({ label: c.label, members: c.members, centroid: Array.from(c.centroid) })),
    kl: result.kl,
    options: { perplexity: result.perplexity, iterations, seed, metric, eps, minSamples, epsChosen: options.eps === undefined ? 'auto' : 'given' },
  };
}

/**
 * A DBSCAN radius for a 2-D map, whose scale depends on N and perplexity so no fixed eps fits:
 * 1.5 × the median distance from a point to its (minSamples − 1)-th neighbour, i.e. a little more
 * than the typical spacing inside a dense region. Above `sample` points the median is taken over a
 * seeded sample (each against all N), so the whole GPT-2 vocabulary costs 10⁸ distances, not N².
 */
export function autoEps(coords: Matrix<Float64Array>, minSamples: number, seed = 0, sample = 2000): number {
  const n = coords.rows;
  const k = Math.min(Math.max(minSamples - 1, 1), n - 1);
  const chosen = n <= sample ? Array.from({ length: n }, (_, i) => i) : Array.from(permutation(n, createRandom(seed)).subarray(0, sample));
  const kth = new Float64Array(chosen.length);
  const best = new Float64Array(k);
  chosen.forEach((i, s) => {
    best.fill(Infinity);
    const xi = coords.data[2 * i], yi = coords.data[2 * i + 1];
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      const dist = Math.hypot(coords.data[2 * j] - xi, coords.data[2 * j + 1] - yi);
      if (dist >= best[k - 1]) continue;
      let at = k - 1;
      while (at > 0 && best[at - 1] > dist) { best[at] = best[at - 1]; at--; }
      best[at] = dist;
    }
    kth[s] = best[k - 1];
  });
  kth.sort();
  const m = kth.length;
  const median = m % 2 ? kth[(m - 1) / 2] : (kth[m / 2 - 1] + kth[m / 2]) / 2;
  return median > 0 ? 1.5 * median : 1;
}
