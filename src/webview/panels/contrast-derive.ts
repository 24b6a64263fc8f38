// Views of a ContrastResult that the charts need: per-sentence and per-neuron means, one neuron's
// column, and the critical |t| for the corrected threshold (the t-plot's threshold lines). Pure
// functions over the Result; the webview imports protocol only, so the t quantile lives here.
import type { ContrastResult } from '../../protocol/result';

/** Mean activation of each sentence over all neurons, in row order. */
export function sentenceMeans(result: ContrastResult): number[] {
  return result.activations.map((row) => row.reduce((s, v) => s + v, 0) / Math.max(1, row.length));
}

/** One neuron's activation in every sentence, in row order. */
export function neuronColumn(result: ContrastResult, neuron: number): number[] {
  return result.activations.map((row) => row[neuron]);
}

/** Index of the first row of group B (rows are sorted A first). */
export function groupSplit(result: ContrastResult): number {
  const k = result.sentences.findIndex((s) => s.group === 1);
  return k < 0 ? result.sentences.length : k;
}

/** ln Γ(x), Lanczos (g = 7, n = 9), accurate to ~1e-15 for x > 0. */
function logGamma(x: number): number {
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  const z = x - 1;
  let a = c[0];
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += c[i] / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Continued fraction of the regularized incomplete beta (modified Lentz). */
function betaContinuedFraction(a: number, b: number, x: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d; if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c; if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d; h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d; if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c; if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-15) break;
  }
  return h;
}

/** I_x(a, b). */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  return x < (a + 1) / (a + b + 2) ? (front * betaContinuedFraction(a, b, x)) / a : 1 - (front * betaContinuedFraction(b, a, 1 - x)) / b;
}

/** Two-sided p of Student's t with df degrees of freedom. */
export function tTwoSidedP(t: number, df: number): number {
  return incompleteBeta(df / (df + t * t), df / 2, 0.5);
}

/** The |t| whose two-sided p equals `p` (scipy: t.isf(p / 2, df)); null when undefined. */
export function tCritical(p: number, df: number): number | null {
  if (!(p > 0 && p < 1) || !(df > 0)) return null;
  let lo = 0;
  let hi = 1;
  while (tTwoSidedP(hi, df) > p) { hi *= 2; if (hi > 1e12) return null; }
  // p is monotone decreasing in |t|: bisect in log space where the tail is steep.
  for (let i = 0; i < 200 && hi - lo > 1e-12 * hi; i++) {
    const mid = (lo + hi) / 2;
    if (tTwoSidedP(mid, df) > p) lo = mid; else hi = mid;
  }
  return (lo + hi) / 2;
}

/** The df of the threshold lines: Student's df, or the median Welch df (Welch's vary by neuron). */
export function thresholdDf(result: ContrastResult): number {
  const finite = result.df.filter((d) => Number.isFinite(d)).sort((a, b) => a - b);
  if (!finite.length) return NaN;
  const m = finite.length >> 1;
  return finite.length % 2 ? finite[m] : (finite[m - 1] + finite[m]) / 2;
}

/** Neuroscope page of one neuron, or Neuronpedia page of one SAE feature; null when the result has neither base. */
export function neuroscopeUrl(result: ContrastResult, neuron: number): string | null {
  if (result.sae) return result.sae.neuronpedia ? `${result.sae.neuronpedia}/${neuron}` : null;
  if (!result.neuroscope || result.layer === null) return null;
  return `${result.neuroscope}/${result.layer}/${neuron}.html`;
}

/** The link's text: `Neuroscope L5/N12`, or for SAE features `Neuronpedia F12` (short: without the site). */
export function unitLinkText(result: ContrastResult, unit: number, short = false): string {
  if (result.sae) return `${short ? '' : 'Neuronpedia '}F${unit}`;
  return `${short ? '' : 'Neuroscope '}L${result.layer}/N${unit}`;
}

export interface Recorrected {
  significant: number[];
  pAdjusted: number[];
  /** Bonferroni: alpha / m; FDR: the largest passing p's bound k·alpha/m (0 when none passes). */
  threshold: number;
}

/**
 * The run's p-values under another correction or alpha (statsmodels multipletests semantics, as
 * core/stats/corrections.ts): the panel re-applies them without running the model again.
 */
export function recorrect(p: readonly number[], correction: 'bonferroni' | 'fdr', alpha: number): Recorrected {
  const m = p.length;
  if (correction === 'bonferroni') {
    const threshold = alpha / m;
    const significant: number[] = [];
    p.forEach((v, i) => { if (v <= threshold) significant.push(i); });
    return { significant, pAdjusted: p.map((v) => Math.min(v * m, 1)), threshold };
  }
  const order = Array.from({ length: m }, (_, i) => i).sort((i, j) => p[i] - p[j] || i - j);
  let lastPassing = -1;
  for (let k = 0; k < m; k++) if (p[order[k]] <= ((k + 1) / m) * alpha) lastPassing = k;
  const pAdjusted = new Array<number>(m);
  let runningMin = Infinity;
  for (let k = m - 1; k >= 0; k--) {
    runningMin = Math.min(runningMin, p[order[k]] / ((k + 1) / m));
    pAdjusted[order[k]] = Math.min(runningMin, 1);
  }
  const significant = order.slice(0, lastPassing + 1).sort((a, b) => a - b);
  return { significant, pAdjusted, threshold: lastPassing < 0 ? 0 : ((lastPassing + 1) / m) * alpha };
}
