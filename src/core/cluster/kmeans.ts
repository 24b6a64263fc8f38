// k-means as scikit-learn runs it: greedy k-means++ seeding (2 + ln k candidate centres per step,
// keep the one that lowers the potential most), Lloyd iterations until labels stop changing or the
// total squared centre shift falls below tol × mean feature variance, then Hartigan single-point
// moves that lower the inertia further; best of nInit by inertia.
import type { Matrix } from '../matrix';
import { MechLensError, throwIfCancelled } from '../errors';
import { requireFinite } from '../finite';
import type { RunControl } from '../run-control';
import { createRandom, type Random } from '../random';

export interface KmeansOptions {
  k: number;
  nInit?: number;
  maxIter?: number;
  tol?: number;
  seed?: number;
}

export interface KmeansResult {
  labels: Int32Array;
  /** k × cols. */
  centroids: Matrix<Float64Array>;
  /** Sum of squared distances of points to their centroid. */
  inertia: number;
  /** Lloyd iterations of the best run. */
  iterations: number;
}

export function kmeans(x: Matrix, options: KmeansOptions, control: RunControl = {}): KmeansResult {
  const { rows: n, cols: d } = x;
  const { k } = options;
  if (!(Number.isInteger(k) && k >= 1 && k <= n)) {
    throw new MechLensError('bad-argument', `k-means needs 1 ≤ k ≤ ${n} (the number of points), got ${k}`, { fix: 'Pick a smaller k.' });
  }
  requireFinite(x, 'k-means input');
  const nInit = options.nInit ?? 10;
  const maxIter = options.maxIter ?? 300;
  const data = Float64Array.from(x.data);
  // Like sklearn, work on centred data (better rounding) and add the mean back to the centroids.
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let c = 0; c < d; c++) mean[c] += data[i * d + c] / n;
  let variance = 0;
  for (let i = 0; i < n; i++) for (let c = 0; c < d; c++) { data[i * d + c] -= mean[c]; variance += data[i * d + c] ** 2; }
  const tol = (options.tol ?? 1e-4) * (variance / (n * d));
  const random = createRandom(options.seed ?? 0);
  let best: KmeansResult | null = null;
  for (let run = 0; run < nInit; run++) {
    throwIfCancelled(control.signal);
    const centres = plusPlus(data, n, d, k, random);
    const result = lloyd(data, n, d, k, centres, maxIter, tol, control);
    if (!best || result.inertia < best.inertia) best = result;
    control.onProgress?.({ message: `k-means run ${run + 1} of ${nInit}`, fraction: (run + 1) / nInit });
  }
  const centroids = best!.centroids.data;
  for (let j = 0; j < k; j++) for (let c = 0; c < d; c++) centroids[j * d + c] += mean[c];
  return best!;
}

function squaredDistance(a: Float64Array, ai: number, b: Float64Array, bi: number, d: number): number {
  let s = 0;
  for (let c = 0; c < d; c++) { const diff = a[ai + c] - b[bi + c]; s += diff * diff; }
  return s;
}

function plusPlus(data: Float64Array, n: number, d: number, k: number, random: Random): Float64Array {
  const centres = new Float64Array(k * d);
  const trials = 2 + Math.floor(Math.log(k));
  const first = random.int(n);
  centres.set(data.subarray(first * d, first * d + d), 0);
  let closest = new Float64Array(n);
  let potential = 0;
  for (let i = 0; i < n; i++) { closest[i] = squaredDistance(data, i * d, data, first * d, d); potential += closest[i]; }
  const cumulative = new Float64Array(n);
  let candidate = new Float64Array(n);
  let bestCandidate = new Float64Array(n);
  for (let c = 1; c < k; c++) {
    let running = 0;
    for (let i = 0; i < n; i++) { running += closest[i]; cumulative[i] = running; }
    let bestPot = Infinity, bestId = 0;
    for (let t = 0; t < trials; t++) {
      const target = random.next() * potential;
      let lo = 0, hi = n - 1;
      while (lo < hi) { const mid = (lo + hi) >> 1; if (cumulative[mid] < target) lo = mid + 1; else hi = mid; }
      const id = lo;
      let pot = 0;
      for (let i = 0; i < n; i++) { const v = Math.min(closest[i], squaredDistance(data, i * d, data, id * d, d)); candidate[i] = v; pot += v; }
      if (pot < bestPot) { bestPot = pot; bestId = id; [bestCandidate, candidate] = [candidate, bestCandidate]; }
    }
    potential = bestPot;
    [closest, bestCandidate] = [bestCandidate, closest];
    centres.set(data.subarray(bestId * d, bestId * d + d), c * d);
  }
  return centres;
}

function lloyd(data: Float64Array, n: number, d: number, k: number, centres: Float64Array, maxIter: number, tol: number, control: RunControl): KmeansResult {
  const labels = new Int32Array(n).fill(-1);
  const distances = new Float64Array(n);
  const next = new Float64Array(k * d);
  const counts = new Float64Array(k);
  let iterations = 0;
  let converged = false;
  for (let iteration = 0; iteration < maxIter; iteration++) {
    if (iteration % 16 === 0) throwIfCancelled(control.signal);
    const changed = assign(data, n, d, k, centres, labels, distances);
    iterations = iteration + 1;
    if (iteration > 0 && !changed) { converged = true; break; }
    next.fill(0); counts.fill(0);
    for (let i = 0; i < n; i++) {
      const j = labels[i];
      counts[j]++;
      for (let c = 0; c < d; c++) next[j * d + c] += data[i * d + c];
    }
    relocateEmpty(data, n, d, k, labels, distances, counts, next);
    let shift = 0;
    for (let j = 0; j < k; j++) {
      for (let c = 0; c < d; c++) {
        const v = next[j * d + c] / counts[j];
        shift += (v - centres[j * d + c]) ** 2;
        centres[j * d + c] = v;
      }
    }
    if (shift <= tol) break;
  }
  if (!converged) assign(data, n, d, k, centres, labels, distances);
  hartigan(data, n, d, k, centres, labels, distances);
  let inertia = 0;
  for (let i = 0; i < n; i++) inertia += distances[i];
  return { labels, centroids: { rows: k, cols: d, data: Float64Array.from(centres) }, inertia, iterations };
}

/**
 * Hartigan's refinement after Lloyd: move single points whenever that lowers the inertia, counting
 * the centroid shift a move causes (n_b/(n_b+1)·|x−c_b|² < n_a/(n_a−1)·|x−c_a|²). Lloyd's fixed
 * points are not always Hartigan's, so this only ever lowers the inertia.
 */
function hartigan(data: Float64Array, n: number, d: number, k: number, centres: Float64Array, labels: Int32Array, distances: Float64Array): void {
  const counts = new Float64Array(k);
  for (let i = 0; i < n; i++) counts[labels[i]]++;
  for (let pass = 0; pass < 50; pass++) {
    let moved = false;
    for (let i = 0; i < n; i++) {
      const a = labels[i];
      if (counts[a] <= 1) continue;
      const stay = (counts[a] / (counts[a] - 1)) * squaredDistance(data, i * d, centres, a * d, d);
      let best = a, bestCost = stay;
      for (let b = 0; b < k; b++) {
        if (b === a) continue;
        const cost = (counts[b] / (counts[b] + 1)) * squaredDistance(data, i * d, centres, b * d, d);
        if (cost < bestCost * (1 - 1e-12)) { bestCost = cost; best = b; }
      }
      if (best === a) continue;
      for (let c = 0; c < d; c++) {
        const v = data[i * d + c];
        centres[a * d + c] = (centres[a * d + c] * counts[a] - v) / (counts[a] - 1);
        centres[best * d + c] = (centres[best * d + c] * counts[best] + v) / (counts[best] + 1);
      }
      counts[a]--; counts[best]++;
      labels[i] = best;
      moved = true;
    }
    if (!moved) break;
  }
  for (let i = 0; i < n; i++) distances[i] = squaredDistance(data, i * d, centres, labels[i] * d, d);
}

/** Nearest centre for every point; returns whether any label changed. */
function assign(data: Float64Array, n: number, d: number, k: number, centres: Float64Array, labels: Int32Array, distances: Float64Array): boolean {
  let changed = false;
  for (let i = 0; i < n; i++) {
    let best = 0, bestD = Infinity;
    for (let j = 0; j < k; j++) {
      const s = squaredDistance(data, i * d, centres, j * d, d);
      if (s < bestD) { bestD = s; best = j; }
    }
    if (labels[i] !== best) { labels[i] = best; changed = true; }
    distances[i] = bestD;
  }
  return changed;
}

/** An empty cluster takes the point farthest from its centre, as sklearn relocates them. */
function relocateEmpty(data: Float64Array, n: number, d: number, k: number, labels: Int32Array, distances: Float64Array, counts: Float64Array, sums: Float64Array): void {
  const taken = new Set<number>();
  for (let j = 0; j < k; j++) {
    if (counts[j] > 0) continue;
    let far = -1, farD = -1;
    for (let i = 0; i < n; i++) if (!taken.has(i) && counts[labels[i]] > 1 && distances[i] > farD) { farD = distances[i]; far = i; }
    if (far < 0) continue;
    taken.add(far);
    const old = labels[far];
    for (let c = 0; c < d; c++) { sums[old * d + c] -= data[far * d + c]; sums[j * d + c] = data[far * d + c]; }
    counts[old]--; counts[j] = 1;
    labels[far] = j;
  }
}
