// t-SNE with scikit-learn 1.2's recipe, so maps are comparable with what notebook users get:
// perplexity calibration by binary search, early exaggeration 12 for 250 iterations at momentum
// 0.5, then momentum 0.8, per-coordinate gains (+0.2 / ×0.8, floor 0.01), learning rate 'auto',
// PCA init scaled to std 1e-4, and sklearn's stopping checks every 50 iterations. Like sklearn,
// both gradients carry the constant factor 4 (see BARNES_HUT_SCALE).
import type { Matrix } from '../matrix';
import { MechLensError, throwIfCancelled } from '../errors';
import { requireFinite } from '../finite';
import type { RunControl } from '../run-control';
import { createRandom } from '../random';
import { binarySearchPerplexity, symmetrizeDense, symmetrizeKnn, MACHINE_EPSILON, type SparseP } from './affinities';
import { metricDistance, nearestNeighbours, prepareRows, squaredDistanceBlock, squaredNorms, type Metric } from './knn';
import { pca } from './pca';
import { QuadTree } from './quadtree';
import { PAIRWISE_BELOW, klDivergence, klOfTerms, klTerms, mirrorSlots, symmetricAttractiveForces, upperStarts } from './forces';
import { Attraction, attractionArena } from './attraction';
import { GradientThreads, perplexityOnTwoThreads } from './tsne-helper';
import { prestartHelper } from './helper-thread';
import { availableParallelism } from 'node:os';

export interface TsneOptions {
  perplexity?: number;
  /** Total iterations, exaggeration phase included (sklearn's n_iter). */
  iterations?: number;
  earlyExaggeration?: number;
  exaggerationIterations?: number;
  learningRate?: number | 'auto';
  /** 'auto' is exact below 500 points, Barnes-Hut from there on. */
  method?: 'auto' | 'exact' | 'barnes-hut';
  /** Barnes-Hut angle θ. */
  theta?: number;
  /** A Float64Array is the N × 2 start itself, row-major, used as given (sklearn's init=ndarray). */
  init?: 'pca' | 'random' | Float64Array;
  metric?: Metric;
  seed?: number;
  /**
   * Threads for Barnes-Hut: 1 or 2 (a helper thread that takes chunks of every iteration's work from
   * a shared counter, see tsne-helper.ts). Results are identical either way. Default: 2 from
   * TWO_THREADS_FROM points on (on an idle 2-core machine 1.5× faster at 600 and 1,000 points, as at
   * 10,000; the threads fall back to one by themselves when two lose, see Balance in
   * helper-thread.ts), 1 below, where a run takes about as long as starting the thread.
   */
  threads?: number;
  /**
   * Find neighbours on this many principal components instead of all columns. 'auto' (default):
   * 50 when the exact neighbour search on all columns would cost more than KNN_BUDGET multiply-adds
   * (e.g. the 50,257 × 768 GPT-2 vocabulary, ~10¹² of them), else none, which keeps runs such as
   * sklearn's (neighbours on all columns) for everything up to that size. 0 turns it off.
   */
  pcaDimensions?: number | 'auto';
  minGradNorm?: number;
  iterationsWithoutProgress?: number;
  /** onIteration is called every this many iterations (and after the last). */
  reportEvery?: number;
}

export interface TsneControl extends RunControl {
  /** Current KL divergence (with the exaggerated P during early exaggeration, as sklearn reports it) and a copy of the N × 2 coordinates. */
  onIteration?: (iteration: number, kl: number, coords: Float64Array) => void;
}

export interface TsneResult {
  coords: Matrix<Float64Array>;
  /** KL divergence at the last iteration. */
  kl: number;
  /** Iterations run (fewer than asked when sklearn's stopping rules fire). */
  iterations: number;
  method: 'exact' | 'barnes-hut';
  perplexity: number;
  learningRate: number;
  /** Threads the Barnes-Hut iterations ran on. */
  threads: number;
  /** Chunks of the iterations' work the helper thread did (0 on one thread). */
  helperChunks: number;
  /** Wall-clock seconds of each phase. */
  phases: TsnePhases;
  warnings: string[];
}

export interface TsnePhases { pca: number; neighbours: number; affinities: number; optimize: number }

/** From this many points t-SNE uses a helper thread by default (see TsneOptions.threads). */
const TWO_THREADS_FROM = 500;
const EXACT_BELOW = 500;
/** Above this the dense P and distance matrices (8 N² bytes each) get too big. */
const EXACT_MAX = 8000;
/**
 * Exact neighbour search above this many multiply-adds (N²·d/2) runs on 50 principal components
 * instead ('auto'): about 7.5 s of exact search, about 28,000 × 768 (it was 1.6e11, 20,000 × 768,
 * when the search ran at half today's rate, and 2e10 with the JS tiles); the GPT-2 vocabulary
 * (50,257 × 768, 9.7e11) still takes the shortcut. bench/README.md, "linalg", has the timings.
 */
export const KNN_BUDGET = 3e11;
/** KNN_BUDGET as rows of 768 columns, for the warning. */
const BUDGET_ROWS_AT_768 = Math.round(Math.sqrt((2 * KNN_BUDGET) / 768) / 1000) * 1000;
/**
 * Rate of the exact search for the warning's estimate: 4e10 multiply-adds/s, measured on an idle
 * 2-core machine with t-SNE's two threads (91 neighbours, bench/linalg.ts knn-scaling, 2026-12-07:
 * 20,000 × 768 in 3.8–4.3 s, 30,000 × 768 in 7.8 s at 4.4e10). It was 2.1e10 before the scan and
 * re-ranking of the GEMM tiles ran on both threads.
 */
const EXACT_KNN_RATE = 4e10;
const REDUCED_DIMENSIONS = 50;
const CHECK_EVERY = 50;
/**
 * sklearn's _kl_divergence_bh multiplies the Barnes-Hut forces (pos_f − neg_f / Z) by
 * c = 2(dof + 1) / dof = 4, the exact gradient's constant, and 'auto' divides its learning rate by 4
 * for that reason. Without it (until 2026-12-07) every step was a quarter of sklearn's: at 20,000 ×
 * 768 the final KL was 4.154 against sklearn's 4.131 (now 4.137) and trustworthiness 0.9057 (now
 * 0.9063; sklearn 0.9068–0.9073).
 */
const BARNES_HUT_SCALE = 4;

export function tsne(x: Matrix, options: TsneOptions = {}, control: TsneControl = {}): TsneResult {
  const n = x.rows;
  const warnings: string[] = [];
  if (n === 0) throw new MechLensError('bad-argument', 't-SNE needs at least one point', { fix: 'Give a matrix with rows.' });
  requireFinite(x, 't-SNE input');
  const iterations = options.iterations ?? 1000;
  const exaggeration = options.earlyExaggeration ?? 12;
  const exaggerationIterations = Math.min(options.exaggerationIterations ?? 250, iterations);
  const metric = options.metric ?? 'euclidean';
  const theta = options.theta ?? 0.5;
  const method = options.method === 'exact' || options.method === 'barnes-hut' ? options.method : n < EXACT_BELOW ? 'exact' : 'barnes-hut';
  const learningRate = options.learningRate === undefined || options.learningRate === 'auto' ? Math.max(n / exaggeration / 4, 50) : options.learningRate;
  let perplexity = options.perplexity ?? 30;
  if (!(perplexity > 0)) throw new MechLensError('bad-argument', `perplexity must be positive, got ${perplexity}`, { fix: 'Typical values are 5 to 50.' });
  if (perplexity >= n) {
    const clamped = Math.max(1, (n - 1) / 3);
    warnings.push(`perplexity ${perplexity} is not below the number of points (${n}); used ${clamped.toPrecision(3)} instead`);
    perplexity = clamped;
  }
  if (n === 1) {
    return { coords: { rows: 1, cols: 2, data: new Float64Array(2) }, kl: 0, iterations: 0, method, perplexity, learningRate, threads: 1, helperChunks: 0, phases: { pca: 0, neighbours: 0, affinities: 0, optimize: 0 }, warnings: [...warnings, 't-SNE of one point puts it at the origin'] };
  }
  if (method === 'exact' && n > EXACT_MAX) {
    throw new MechLensError('memory', `exact t-SNE of ${n} points needs two ${n} × ${n} matrices`, { fix: "Use method 'barnes-hut' (or 'auto')." });
  }
  const threadCount = Math.min(options.threads ?? (n >= TWO_THREADS_FROM ? 2 : 1), 2, availableParallelism());
  // The helper thread starts (~0.1 s) while the main thread finds neighbours and affinities.
  if (method === 'barnes-hut' && threadCount > 1) prestartHelper();
  const phases: TsnePhases = { pca: 0, neighbours: 0, affinities: 0, optimize: 0 };
  const seed = options.seed ?? 0;
  const init = options.init ?? 'pca';
  let clock = performance.now();
  const lap = (phase: keyof TsnePhases) => { const now = performance.now(); phases[phase] += (now - clock) / 1000; clock = now; };

  // Neighbours on principal components when all columns would be too slow (see pcaDimensions).
  const wanted = options.pcaDimensions ?? 'auto';
  const reduceTo = wanted === 'auto'
    ? (method === 'barnes-hut' && x.cols > REDUCED_DIMENSIONS && (n * n * x.cols) / 2 > KNN_BUDGET ? REDUCED_DIMENSIONS : 0)
    : Math.min(wanted, x.cols, n);
  let space: Matrix = x;
  let initCoords: Float64Array | null = null;
  if (reduceTo > 0 && method === 'barnes-hut' && reduceTo < x.cols) {
    control.onProgress?.({ message: `t-SNE: PCA to ${reduceTo} dimensions`, fraction: 0 });
    // Cosine neighbours: project the unit rows without centring, so dot products stay cosines.
    const reduced = pca(metric === 'cosine' ? unitRows(x) : x, { components: reduceTo, seed, center: metric !== 'cosine' }, control);
    space = reduced.coords;
    let explained = 0;
    for (const r of reduced.explainedVarianceRatio) explained += r;
    const cost = (n * n * x.cols) / 2;
    warnings.push(`neighbours found on the first ${reduceTo} principal components (${(100 * explained).toFixed(1)} % of the variance), since an exact search on all ${x.cols} columns would take about ${Math.round(cost / EXACT_KNN_RATE)} s (${cost.toPrecision(2)} multiply-adds; exact is used up to ${KNN_BUDGET.toPrecision(2)}, about ${BUDGET_ROWS_AT_768.toLocaleString('en-US')} × 768); pcaDimensions: 0 turns this off`);
    if (init === 'pca' && metric !== 'cosine') initCoords = firstColumns(reduced.coords, 2);
    lap('pca');
  }
  throwIfCancelled(control.signal);
  control.onProgress?.({ message: 't-SNE affinities', fraction: 0 });
  // The PCA init runs on the main thread while the helper starts on the neighbour search.
  let start: Float64Array | null = null;
  let pcaDuringNeighbours = 0;
  const initialize = () => {
    const began = performance.now();
    // One thread: the helper is busy with the neighbour tiles (or one was asked for); a PCA helper would be a third thread.
    start = initialCoords(x, init, seed, warnings, initCoords, 1);
    pcaDuringNeighbours = (performance.now() - began) / 1000;
  };
  const P = method === 'exact' ? null : sparseP(space, perplexity, metric, control, phases, threadCount, initialize);
  lap('affinities');
  phases.pca += pcaDuringNeighbours;
  phases.neighbours -= pcaDuringNeighbours;
  phases.affinities -= phases.neighbours + pcaDuringNeighbours; // the neighbour search is its own phase
  const threads = P ? threadCount : 1;
  const helper = P && threads > 1 ? new GradientThreads(P, theta) : null;
  // One thread: P and y in this thread's own arena.
  const attraction = P && !helper ? new Attraction(attractionArena(P, false)) : null;
  try {
    const gradient = P ? barnesHutGradient(P, theta, helper ?? attraction!) : exactGradient(exactP(x, perplexity, metric, control));
    lap('affinities');
    throwIfCancelled(control.signal);
    const y = helper ? helper.y : attraction ? attraction.y : new Float64Array(2 * n);
    y.set(start ?? initialCoords(x, init, seed, warnings, initCoords));
    lap('pca');
    const result = optimize(y, gradient, { n, iterations, exaggeration, exaggerationIterations, learningRate, minGradNorm: options.minGradNorm ?? 1e-7, reportEvery: options.reportEvery ?? 25, patience: options.iterationsWithoutProgress ?? 300 }, control, { method, perplexity, learningRate, warnings, threads, phases });
    lap('optimize');
    return { ...result, helperChunks: helper?.helperChunks ?? 0 };
  } finally {
    helper?.dispose();
  }
}

function unitRows(x: Matrix): Matrix<Float64Array> {
  const { rows, cols } = x;
  const data = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    let s = 0;
    for (let c = 0; c < cols; c++) s += x.data[i * cols + c] ** 2;
    const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
    for (let c = 0; c < cols; c++) data[i * cols + c] = x.data[i * cols + c] * inv;
  }
  return { rows, cols, data };
}

function firstColumns(m: Matrix<Float64Array>, k: number): Float64Array {
  const out = new Float64Array(m.rows * k);
  for (let i = 0; i < m.rows; i++) for (let c = 0; c < k; c++) out[i * k + c] = m.data[i * m.cols + c];
  return out;
}

interface Schedule { n: number; iterations: number; exaggeration: number; exaggerationIterations: number; learningRate: number; minGradNorm: number; reportEvery: number; patience: number }

function optimize(y: Float64Array, gradient: Gradient, schedule: Schedule, control: TsneControl, about: Pick<TsneResult, 'method' | 'perplexity' | 'learningRate' | 'warnings' | 'threads' | 'phases'>): Omit<TsneResult, 'helperChunks'> {
  const { n, iterations, exaggeration, exaggerationIterations, learningRate, minGradNorm, reportEvery } = schedule;
  const warnings = about.warnings;

  // sklearn's _gradient_descent, run twice (exaggeration phase, then the rest).
  const update = new Float64Array(2 * n);
  const gains = new Float64Array(2 * n);
  const grad = new Float64Array(2 * n);
  let kl = NaN;
  let done = 0;
  for (const phase of [
    { from: 0, to: exaggerationIterations, momentum: 0.5, exaggeration, patience: exaggerationIterations },
    { from: exaggerationIterations, to: iterations, momentum: 0.8, exaggeration: 1, patience: schedule.patience },
  ]) {
    // sklearn's _gradient_descent starts each phase with no momentum and unit gains.
    update.fill(0);
    gains.fill(1);
    let bestError = Number.MAX_VALUE, bestIteration = phase.from;
    for (let i = phase.from; i < phase.to; i++) {
      throwIfCancelled(control.signal);
      const check = (i + 1) % CHECK_EVERY === 0;
      const report = control.onIteration !== undefined && ((i + 1) % reportEvery === 0 || i === iterations - 1);
      const error = gradient(y, grad, phase.exaggeration, check || report || i === iterations - 1);
      const gradNorm2 = step(y, grad, update, gains, phase.momentum, learningRate);
      done = i + 1;
      if (!Number.isNaN(error)) kl = error;
      if (report) control.onIteration?.(i + 1, kl, y.slice());
      if ((i + 1) % reportEvery === 0) control.onProgress?.({ message: `t-SNE iteration ${i + 1}`, fraction: (i + 1) / iterations });
      if (check) {
        if (error < bestError) { bestError = error; bestIteration = i; }
        else if (i - bestIteration > phase.patience) { warnings.push(`stopped at iteration ${i + 1}: no progress in the last ${phase.patience} iterations`); break; }
        if (Math.sqrt(gradNorm2) <= minGradNorm) { warnings.push(`stopped at iteration ${i + 1}: gradient norm below ${minGradNorm}`); break; }
      }
    }
    if (done < phase.to && phase.exaggeration === 1) break;
  }
  return { coords: { rows: n, cols: 2, data: Float64Array.from(y) }, kl, iterations: done, ...about };
}

/** One gradient-descent step with sklearn's gains and momentum; returns |gains ⊙ grad|². */
function step(y: Float64Array, grad: Float64Array, update: Float64Array, gains: Float64Array, momentum: number, learningRate: number): number {
  let gradNorm2 = 0;
  for (let e = 0; e < y.length; e++) {
    const g = grad[e];
    const gain = update[e] * g < 0 ? gains[e] + 0.2 : Math.max(gains[e] * 0.8, 0.01);
    gains[e] = gain;
    const scaled = g * gain;
    gradNorm2 += scaled * scaled;
    update[e] = momentum * update[e] - learningRate * scaled;
    y[e] += update[e];
  }
  return gradNorm2;
}

/** Writes the gradient into grad and returns the KL divergence when asked (NaN otherwise). */
type Gradient = (y: Float64Array, grad: Float64Array, exaggeration: number, computeError: boolean) => number;

function sparseP(x: Matrix, perplexity: number, metric: Metric, control: RunControl, phases: TsnePhases, threads: number, meanwhile: () => void): SparseP {
  const n = x.rows;
  const k = Math.min(n - 1, Math.floor(3 * perplexity + 1));
  const started = performance.now();
  const { indices, distances } = nearestNeighbours(x, k, metric, control, threads, meanwhile);
  phases.neighbours += (performance.now() - started) / 1000;
  // sklearn squares the metric's distances before calibrating, for every metric.
  const squared = distances.map((d) => d * d);
  const conditional = threads > 1 ? perplexityOnTwoThreads(squared, n, k, perplexity) : binarySearchPerplexity(squared, n, k, perplexity, false);
  return symmetrizeKnn(conditional, indices, n, k);
}

function exactP(x: Matrix, perplexity: number, metric: Metric, control: RunControl): Float64Array {
  const n = x.rows;
  const data = prepareRows(x, metric);
  const norms = squaredNorms(data, n, x.cols);
  const distances = new Float64Array(n * n);
  squaredDistanceBlock(data, norms, n, x.cols, 0, n, distances);
  // sklearn's exact method uses squared euclidean distances, but plain distances for other metrics.
  if (metric !== 'euclidean') for (let e = 0; e < distances.length; e++) distances[e] = metricDistance(distances[e], metric);
  throwIfCancelled(control.signal);
  return symmetrizeDense(binarySearchPerplexity(distances, n, n, perplexity, true), n);
}

function exactGradient(P: Float64Array): Gradient {
  return (y, grad, exaggeration, computeError) => {
    const n = y.length / 2;
    let sumW = 0;
    for (let i = 0; i < n; i++) {
      const yi0 = y[2 * i], yi1 = y[2 * i + 1];
      for (let j = i + 1; j < n; j++) {
        const d0 = yi0 - y[2 * j], d1 = yi1 - y[2 * j + 1];
        sumW += 2 / (1 + d0 * d0 + d1 * d1);
      }
    }
    grad.fill(0);
    let kl = 0;
    for (let i = 0; i < n; i++) {
      const yi0 = y[2 * i], yi1 = y[2 * i + 1];
      let g0 = 0, g1 = 0;
      for (let j = i + 1; j < n; j++) {
        const d0 = yi0 - y[2 * j], d1 = yi1 - y[2 * j + 1];
        const w = 1 / (1 + d0 * d0 + d1 * d1);
        const q = Math.max(w / sumW, MACHINE_EPSILON);
        const p = P[i * n + j] * exaggeration;
        const f = 4 * (p - q) * w;
        g0 += f * d0; g1 += f * d1;
        grad[2 * j] -= f * d0; grad[2 * j + 1] -= f * d1;
        if (computeError) kl += 2 * p * Math.log(Math.max(p, MACHINE_EPSILON) / q);
      }
      grad[2 * i] += g0; grad[2 * i + 1] += g1;
    }
    return computeError ? kl : NaN;
  };
}

/** The gradient on two threads, or on this one (with its Attraction, whose y the caller must optimise). */
function barnesHutGradient(P: SparseP, theta: number, on: GradientThreads | Attraction): Gradient {
  const n = P.n;
  const threads = on instanceof GradientThreads ? on : null;
  const tree = threads ? threads.tree : new QuadTree(n);
  const negF = threads ? threads.negF : new Float64Array(2 * n);
  const pointZ = threads ? threads.pointZ : new Float64Array(n);
  const attractive = threads ? threads.attractive : (on as Attraction).forces;
  const upper = threads ? threads.upper : upperStarts(P.rowStart, P.columns, P.values, n);
  const terms = upper && !threads ? new Float64Array(P.values.length) : null;
  const mirror = upper && !threads ? mirrorSlots(P.rowStart, upper, P.columns, n) : null;
  return (y, grad, exaggeration, computeError) => {
    if (threads) threads.compute(exaggeration, true);
    else {
      tree.build(y);
      tree.repulsion(theta, negF, pointZ, 0, tree.groupCount());
      if (upper && n < PAIRWISE_BELOW) symmetricAttractiveForces(y, attractive, P.rowStart, upper, P.columns, P.values, exaggeration, n);
      else (on as Attraction).rows(0, n, exaggeration);
    }
    // Z summed in point order on one thread, so the result does not depend on the thread count.
    let sumQ = 0;
    for (let i = 0; i < n; i++) sumQ += pointZ[i];
    for (let e = 0; e < 2 * n; e++) grad[e] = (attractive[e] - negF[e] / sumQ) * BARNES_HUT_SCALE;
    if (!computeError) return NaN;
    if (!upper) return klDivergence(y, sumQ, P.rowStart, P.columns, P.values, exaggeration);
    if (threads) return threads.kl(exaggeration, sumQ);
    klTerms(y, sumQ, P.rowStart, upper, P.columns, P.values, mirror!, exaggeration, terms!, 0, n);
    return klOfTerms(terms!);
  };
}

/** sklearn's init: PCA scores (precomputed when given) scaled so the first column has std 1e-4, or N(0, 1e-4²). */
function initialCoords(x: Matrix, init: 'pca' | 'random' | Float64Array, seed: number, warnings: string[], precomputed: Float64Array | null, threads?: number): Float64Array {
  const n = x.rows;
  if (init instanceof Float64Array) {
    if (init.length !== 2 * n) throw new MechLensError('bad-argument', `the t-SNE start has ${init.length} values, not 2 per point (${2 * n})`, { fix: 'Give an N × 2 start, row-major.' });
    return Float64Array.from(init);
  }
  if (init === 'pca' && x.cols >= 2) {
    const coords = { data: precomputed ?? pca(x, { components: 2, seed, threads }).coords.data };
    let mean = 0, sq = 0;
    for (let i = 0; i < n; i++) mean += coords.data[2 * i];
    mean /= n;
    for (let i = 0; i < n; i++) sq += (coords.data[2 * i] - mean) ** 2;
    const std = Math.sqrt(sq / n);
    if (std > 0) {
      const y = new Float64Array(2 * n);
      for (let e = 0; e < 2 * n; e++) y[e] = (coords.data[e] / std) * 1e-4;
      return y;
    }
    warnings.push('PCA init is degenerate (all points equal along the first component); used random init');
  } else if (init === 'pca') {
    warnings.push('PCA init needs at least 2 columns; used random init');
  }
  const random = createRandom(seed);
  const y = new Float64Array(2 * n);
  for (let e = 0; e < 2 * n; e++) y[e] = 1e-4 * random.gaussian();
  return y;
}
