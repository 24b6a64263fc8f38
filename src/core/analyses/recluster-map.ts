// DBSCAN again on maps that are already laid out. Changing eps or min_samples in a panel does not
// need t-SNE (the expensive, seeded part) again: the clusters are recomputed on the stored
// coordinates exactly as embeddingMap computes them, so the result equals a full re-run's.
import type { CompareResult, EmbeddingMap, MatrixJson } from '../../protocol/result';
import type { CompareRerunParams } from '../../protocol/rerun';
import { dbscan } from '../cluster/dbscan';
import { summarizeClusters } from '../cluster/summary';
import { fromJson } from '../matrix';
import { autoEps } from './embedding-map';

/** `eps` null: chosen from the map's k-distances, as embeddingMap does without one. */
export function reclusterMap(map: EmbeddingMap, vectors: MatrixJson, names: string[], o: { eps: number | null; minSamples: number }): EmbeddingMap {
  const coords = fromJson(map.coords);
  const seed = typeof map.options.seed === 'number' ? map.options.seed : 0;
  const eps = o.eps ?? autoEps(coords, o.minSamples, seed);
  const labels = dbscan(coords, { eps, minSamples: o.minSamples, metric: 'euclidean' });
  const clusters = summarizeClusters(labels, fromJson(vectors), names).filter((c) => c.label >= 0);
  return {
    ...map,
    labels: Array.from(labels),
    clusters: clusters.map((c) => ({ label: c.label, members: c.members, centroid: Array.from(c.centroid) })),
    options: { ...map.options, eps, minSamples: o.minSamples, epsChosen: o.eps === null ? 'auto' : 'given' },
  };
}

/**
 * The compare result with both maps re-clustered, when only eps or min_samples changed; undefined when
 * the permutation count or the perplexity changed (or a map or its vectors are missing), which needs a full run.
 */
export function reclusterCompare(result: CompareResult, p: CompareRerunParams): CompareResult | undefined {
  const requested = (result.run.options.map ?? {}) as Record<string, unknown>;
  const perplexity = typeof requested.perplexity === 'number' ? requested.perplexity : null;
  if (p.permutations !== result.rsa.permutations || p.perplexity !== perplexity) return undefined;
  const { a, b } = result;
  if (!a.map || !b.map || a.vectors.length !== result.items.length || b.vectors.length !== result.items.length) return undefined;
  const o = { eps: p.eps, minSamples: p.minSamples };
  return {
    ...result,
    a: { ...a, map: reclusterMap(a.map, a.vectors, result.items, o) },
    b: { ...b, map: reclusterMap(b.map, b.vectors, result.items, o) },
    run: {
      ...result.run,
      createdAt: new Date().toISOString(),
      options: { ...result.run.options, map: { ...requested, eps: p.eps ?? undefined, minSamples: p.minSamples }, reclustered: true },
    },
  };
}
