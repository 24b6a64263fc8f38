// DBSCAN again on maps that are already laid out. Changing eps or min_samples in a panel does not
// need t-SNE (the expensive, seeded part) again: the clusters are recomputed on the stored
// coordinates exactly as embeddingMap computes them, so the result equals a full re-run's.
import type { CompareResult, ContrastResult, EmbeddingMap, MatrixJson } from '../../protocol/result';
import type { CompareRerunParams, ContrastRerunParams } from '../../protocol/rerun';
import { dbscan } from '../cluster/dbscan';
import { kmeans } from '../cluster/kmeans';
import { summarizeClusters } from '../cluster/summary';
import { fromJson } from '../matrix';
import { clusterSignificantNeurons, K_LOWERED_WARNING, kAdjustment } from './contrast';
import { autoEps } from './embedding-map';

/**
 * `eps` null: chosen from the map's k-distances, as embeddingMap does without one. `k`: k-means on
 * the map too (with the map's seed, k capped at the number of points, which the caller records with
 * kAdjustment); null or absent: none.
 */
export function reclusterMap(map: EmbeddingMap, vectors: MatrixJson, names: string[], o: { eps: number | null; minSamples: number; k?: number | null }): EmbeddingMap {
  const coords = fromJson(map.coords);
  const seed = typeof map.options.seed === 'number' ? map.options.seed : 0;
  const eps = o.eps ?? autoEps(coords, o.minSamples, seed);
  const labels = dbscan(coords, { eps, minSamples: o.minSamples, metric: 'euclidean' });
  const x = fromJson(vectors);
  const summary = (lab: ArrayLike<number>) => summarizeClusters(lab, x, names).filter((c) => c.label >= 0)
    .map((c) => ({ label: c.label, members: c.members, centroid: Array.from(c.centroid) }));
  const k = o.k === null || o.k === undefined ? null : Math.min(o.k, coords.rows);
  const km = k !== null && k >= 1 ? kmeans(coords, { k, seed }) : null;
  const rest: EmbeddingMap = { ...map };
  delete rest.kmeans;
  return {
    ...rest,
    ...(km ? { kmeans: { k: km.centroids.rows, labels: Array.from(km.labels), inertia: km.inertia, clusters: summary(km.labels) } } : {}),
    labels: Array.from(labels),
    clusters: summary(labels),
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
  const o = { eps: p.eps, minSamples: p.minSamples, k: p.k };
  const maps = { a: reclusterMap(a.map, a.vectors, result.items, o), b: reclusterMap(b.map, b.vectors, result.items, o) };
  // Both maps cluster the same words, so a k above them is lowered alike: one record, replacing the last re-clustering's.
  const adjusted = { ...result.adjusted };
  delete adjusted.k;
  const k = p.k === null ? undefined : kAdjustment(p.k, maps.a.kmeans ?? null, `${result.items.length} words`);
  if (k) adjusted.k = k;
  const rest: CompareResult = { ...result };
  delete rest.adjusted;
  return {
    ...rest,
    ...(Object.keys(adjusted).length ? { adjusted } : {}),
    a: { ...a, map: maps.a },
    b: { ...b, map: maps.b },
    run: {
      ...result.run,
      createdAt: new Date().toISOString(),
      // Clustered now: no longer the stored result, even when the one on screen came from the cache.
      fromCache: undefined,
      options: { ...result.run.options, map: { ...requested, eps: p.eps ?? undefined, minSamples: p.minSamples, k: p.k ?? undefined }, reclustered: true },
    },
  };
}

/**
 * The contrast result with its significant neurons re-clustered (DBSCAN eps/min_samples, k-means k) on
 * the stored t-SNE map, when nothing else changed; undefined when the hook, the test, the correction,
 * alpha, the perplexity or the shuffle count changed, which needs the model (or t-SNE) again.
 */
export function reclusterContrast(result: ContrastResult, p: ContrastRerunParams): ContrastResult | undefined {
  const o = result.run.options;
  const unchanged = p.hook === result.hook && p.test === result.test && p.correction === result.correction && p.alpha === result.alpha &&
    p.perplexity === o.perplexity && p.shuffles === result.labelShuffle.shuffles;
  if (!unchanged || result.coords.length !== result.significant.length) return undefined;
  const seed = typeof o.seed === 'number' ? o.seed : result.inputs.seed;
  const coords = result.coords.length ? fromJson(result.coords) : { rows: 0, cols: 2, data: new Float64Array(0) };
  const warnings: string[] = [];
  const clustered = clusterSignificantNeurons(fromJson(result.activations), result.significant, result.t, coords, { eps: p.eps, minSamples: p.minSamples, k: p.k, seed }, warnings);
  // The new k's adjustment (or none) replaces the old one, in the record and in the warnings, so the Run settings box and the card say what ran now.
  const adjusted = { ...result.adjusted };
  delete adjusted.k;
  const k = kAdjustment(p.k, clustered.kmeans, `${result.significant.length} significant neurons`);
  if (k) adjusted.k = k;
  const rest: ContrastResult = { ...result };
  delete rest.adjusted;
  return {
    ...rest,
    ...clustered,
    ...(Object.keys(adjusted).length ? { adjusted } : {}),
    warnings: [...result.warnings.filter((w) => !w.startsWith(K_LOWERED_WARNING)), ...warnings],
    run: { ...result.run, createdAt: new Date().toISOString(), fromCache: undefined, options: { ...o, eps: p.eps, minSamples: p.minSamples, k: p.k, reclustered: true } },
  };
}
