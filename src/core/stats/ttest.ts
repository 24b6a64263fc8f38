// Two-sample t-test for every column (neuron) at once, as scipy.stats.ttest_ind(a, b, axis=0).
// Columns are accumulated row by row, so the samples × features matrices are read in memory order.
import { MechLensError } from '../errors';
import type { Matrix } from '../matrix';
import { studentTTwoSidedP } from './distributions';

export interface TTestOptions {
  /** true: Student's pooled-variance test; false: Welch's test (scipy's equal_var). */
  equalVariance: boolean;
}

export interface TTestResult {
  /** t statistic per column, positive when group A's mean is higher. */
  t: Float64Array;
  /** Two-sided p-value per column. */
  p: Float64Array;
  /** Degrees of freedom per column (constant for Student, Welch–Satterthwaite for Welch). */
  df: Float64Array;
  meanA: Float64Array;
  meanB: Float64Array;
  /** Cohen's d per column: (meanA − meanB) / pooled standard deviation (always pooled, for both tests). */
  cohenD: Float64Array;
  /**
   * Columns that are constant within both groups. scipy returns NaN (equal means) or ±inf there;
   * with no variance to estimate there is nothing to test, so we report t = 0, p = 1, d = 0,
   * df = nA + nB − 2 and list them here, so they are never called significant and no NaN reaches a chart.
   */
  zeroVariance: number[];
}

/** Per-column two-sample t-test between groupA (samples × features) and groupB (samples × features). */
export function twoSampleTTest(groupA: Matrix, groupB: Matrix, options: TTestOptions): TTestResult {
  if (groupA.cols !== groupB.cols) {
    throw new MechLensError('bad-argument', `t-test: group A has ${groupA.cols} features, group B has ${groupB.cols}`, {
      fix: 'Capture both groups at the same hook.',
    });
  }
  for (const [name, g] of [['A', groupA], ['B', groupB]] as const) {
    if (g.rows < 2) {
      throw new MechLensError('bad-argument', `t-test: group ${name} has ${g.rows} sample(s); a variance needs at least 2`, {
        fix: 'Add sentences to that group.',
      });
    }
  }
  const cols = groupA.cols;
  const a = columnMoments(groupA, 'A'), b = columnMoments(groupB, 'B');
  const nA = groupA.rows, nB = groupB.rows;
  const pooledDf = nA + nB - 2;
  const result: TTestResult = {
    t: new Float64Array(cols), p: new Float64Array(cols), df: new Float64Array(cols),
    meanA: a.mean, meanB: b.mean, cohenD: new Float64Array(cols), zeroVariance: [],
  };
  for (let c = 0; c < cols; c++) {
    const varA = a.variance[c], varB = b.variance[c];
    const difference = a.mean[c] - b.mean[c];
    const pooledVariance = ((nA - 1) * varA + (nB - 1) * varB) / pooledDf;
    if (pooledVariance === 0) {
      result.zeroVariance.push(c);
      result.p[c] = 1;
      result.df[c] = pooledDf;
      continue;
    }
    let standardError: number, df: number;
    if (options.equalVariance) {
      standardError = Math.sqrt(pooledVariance * (1 / nA + 1 / nB));
      df = pooledDf;
    } else {
      const wa = varA / nA, wb = varB / nB;
      standardError = Math.sqrt(wa + wb);
      df = ((wa + wb) * (wa + wb)) / ((wa * wa) / (nA - 1) + (wb * wb) / (nB - 1));
    }
    const t = difference / standardError;
    result.t[c] = t;
    result.df[c] = df;
    result.p[c] = studentTTwoSidedP(t, df);
    result.cohenD[c] = difference / Math.sqrt(pooledVariance);
  }
  return result;
}

/** Column means and sample variances (ddof = 1), two-pass for accuracy. */
function columnMoments(m: Matrix, name: string): { mean: Float64Array; variance: Float64Array } {
  const { rows, cols, data } = m;
  const mean = new Float64Array(cols), variance = new Float64Array(cols);
  // A column whose values are all equal gets mean = that value and variance exactly 0; summing
  // would leave a rounding residue that turns "no variance" into an enormous t.
  const constant = new Uint8Array(cols).fill(1);
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    for (let c = 0; c < cols; c++) {
      mean[c] += data[base + c];
      if (data[base + c] !== data[c]) constant[c] = 0;
    }
  }
  for (let c = 0; c < cols; c++) {
    mean[c] = constant[c] ? data[c] : mean[c] / rows;
    if (!Number.isFinite(mean[c])) {
      throw new MechLensError('bad-argument', `t-test: group ${name}, feature ${c} contains NaN or Infinity`, {
        fix: 'Check the activations for overflow before testing.',
      });
    }
  }
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    for (let c = 0; c < cols; c++) { const d = data[base + c] - mean[c]; variance[c] += d * d; }
  }
  for (let c = 0; c < cols; c++) variance[c] /= rows - 1;
  return { mean, variance };
}
