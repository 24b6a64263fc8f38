// Multiple-comparison corrections for per-neuron p-values, with statsmodels' multipletests semantics:
// a test is significant when its p-value is ≤ the threshold.
import { MechLensError } from '../errors';

export interface Correction {
  /** Adjusted p-values, in input order, capped at 1. */
  adjusted: Float64Array;
  /** 1 where the test is significant at alpha after correction. */
  significant: Uint8Array;
  /** Number of significant tests. */
  count: number;
}

/** Bonferroni: significant when p ≤ alpha / m (the notebook's 0.05 / nNeurons); adjusted p = min(m p, 1). */
export function bonferroni(p: ArrayLike<number>, alpha = 0.05): Correction & { threshold: number } {
  validate(p, alpha, 'Bonferroni');
  const m = p.length;
  const threshold = alpha / m;
  const adjusted = new Float64Array(m), significant = new Uint8Array(m);
  let count = 0;
  for (let i = 0; i < m; i++) {
    adjusted[i] = Math.min(p[i] * m, 1);
    if (p[i] <= threshold) { significant[i] = 1; count++; }
  }
  return { adjusted, significant, count, threshold };
}

/**
 * Benjamini–Hochberg false discovery rate (statsmodels' fdr_bh): with p sorted ascending, the
 * largest k with p_(k) ≤ k α / m makes tests 1..k significant; adjusted p_(k) = min over j ≥ k of m p_(j) / j.
 * `threshold` is that largest passing p-value's bound k α / m (0 when nothing passes).
 */
export function benjaminiHochberg(p: ArrayLike<number>, alpha = 0.05): Correction & { threshold: number } {
  validate(p, alpha, 'Benjamini–Hochberg');
  const m = p.length;
  const order = Array.from({ length: m }, (_, i) => i).sort((i, j) => p[i] - p[j] || i - j);
  let lastPassing = -1;
  for (let k = 0; k < m; k++) if (p[order[k]] <= ((k + 1) / m) * alpha) lastPassing = k;
  const adjusted = new Float64Array(m), significant = new Uint8Array(m);
  let runningMin = Infinity;
  for (let k = m - 1; k >= 0; k--) {
    runningMin = Math.min(runningMin, p[order[k]] / ((k + 1) / m));
    adjusted[order[k]] = Math.min(runningMin, 1);
    if (k <= lastPassing) significant[order[k]] = 1;
  }
  return { adjusted, significant, count: lastPassing + 1, threshold: lastPassing < 0 ? 0 : ((lastPassing + 1) / m) * alpha };
}

function validate(p: ArrayLike<number>, alpha: number, what: string): void {
  if (!(alpha > 0 && alpha < 1)) {
    throw new MechLensError('bad-argument', `${what}: alpha must be between 0 and 1, got ${alpha}`, { fix: 'Use for example --alpha 0.05.' });
  }
  if (p.length === 0) {
    throw new MechLensError('bad-argument', `${what}: no p-values to correct`, { fix: 'Run at least one test.' });
  }
  for (let i = 0; i < p.length; i++) {
    if (!(p[i] >= 0 && p[i] <= 1)) {
      throw new MechLensError('bad-argument', `${what}: p-value ${i} is ${p[i]}, outside [0, 1]`, { fix: 'Pass p-values from a test.' });
    }
  }
}
