// The k nearest neighbours of one point in the original space (not the 2-D map), by cosine or
// Euclidean distance, for the cluster map's click. A plain scan: the map holds at most a few
// thousand vectors, and one click asks for one row.

export interface Neighbour { index: number; label: string; distance: number }

export interface Vectors { data: ArrayLike<number>; dims: number }

/**
 * The k points closest to point i (itself excluded), nearest first; ties go to the lower index.
 * Cosine distance is 1 − cos; a zero vector is at distance 1 from everything.
 */
export function nearestNeighbours(vectors: Vectors, labels: readonly string[], i: number, k: number, metric: 'cosine' | 'euclidean'): Neighbour[] {
  const n = labels.length;
  const d = vectors.dims, v = vectors.data;
  const distances = new Float64Array(n);
  let normI = 0;
  for (let t = 0; t < d; t++) normI += v[i * d + t] ** 2;
  for (let j = 0; j < n; j++) {
    let dot = 0, normJ = 0, sq = 0;
    for (let t = 0; t < d; t++) {
      const a = v[i * d + t], b = v[j * d + t];
      dot += a * b; normJ += b * b; sq += (a - b) ** 2;
    }
    distances[j] = metric === 'euclidean' ? Math.sqrt(sq)
      : normI > 0 && normJ > 0 ? 1 - dot / Math.sqrt(normI * normJ) : 1;
  }
  const order: number[] = [];
  for (let j = 0; j < n; j++) if (j !== i) order.push(j);
  return order.sort((a, b) => distances[a] - distances[b] || a - b).slice(0, k)
    .map((j) => ({ index: j, label: labels[j], distance: distances[j] }));
}

export interface NeighbourSource {
  labels: string[];
  vectors?: Vectors;
}

export interface NeighbourOptions {
  neighbours: number;
  metric: 'cosine' | 'euclidean';
  /** The panel's own search (e.g. a worker query) instead of the scan over `vectors`. */
  neighbourFunction?: (index: number, k: number) => Neighbour[];
}

/** The cluster map's neighbours of point i: the panel's function, else a scan of the vectors; null when neither can answer. */
export function findNeighbours(data: NeighbourSource, i: number, options: NeighbourOptions): Neighbour[] | null {
  const n = data.labels.length;
  const k = Math.min(options.neighbours, n - 1);
  if (k <= 0) return null;
  if (options.neighbourFunction) return options.neighbourFunction(i, k);
  const vectors = data.vectors;
  if (!vectors || vectors.data.length !== vectors.dims * n) return null;
  return nearestNeighbours(vectors, data.labels, i, k, options.metric);
}
