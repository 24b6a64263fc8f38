// How many neurons pass the corrected t-test when the group labels carry no information? Shuffling
// which sentences belong to which group and re-counting gives that null distribution; the real
// count is then compared with it (issue 5's permutation check, which the notebook lacks).
import { MechLensError, throwIfCancelled } from '../errors';
import type { Matrix } from '../matrix';
import { createRandom, permutation } from '../random';
import type { RunControl } from '../run-control';
import { benjaminiHochberg, bonferroni } from './corrections';
import { twoSampleTTest } from './ttest';

export interface LabelPermutationOptions extends RunControl {
  correction: 'bonferroni' | 'fdr';
  equalVariance: boolean;
  alpha?: number;
  /** Number of shuffles. Default 200. */
  permutations?: number;
  seed?: number;
  /**
   * Explicit shuffles instead of seeded random ones: each a permutation of 0 … nA+nB−1 over the
   * stacked rows (A's rows first); its first nA entries form the shuffled group A.
   */
  shuffles?: readonly ArrayLike<number>[];
}

export interface LabelPermutationResult {
  /** Significant columns with the real labels. */
  observed: number;
  /** Significant columns under each shuffle. */
  counts: Uint32Array;
  /** (number of shuffles with count ≥ observed + 1) / (shuffles + 1). */
  pValue: number;
  meanShuffled: number;
}

export function labelPermutationCheck(groupA: Matrix, groupB: Matrix, options: LabelPermutationOptions): LabelPermutationResult {
  const alpha = options.alpha ?? 0.05;
  const count = (a: Matrix, b: Matrix): number => {
    const { p } = twoSampleTTest(a, b, { equalVariance: options.equalVariance });
    return (options.correction === 'bonferroni' ? bonferroni(p, alpha) : benjaminiHochberg(p, alpha)).count;
  };
  const observed = count(groupA, groupB);
  const nA = groupA.rows, total = groupA.rows + groupB.rows, cols = groupA.cols;
  const stacked = new Float64Array(total * cols);
  stacked.set(groupA.data);
  stacked.set(groupB.data, nA * cols);
  const shuffles = options.shuffles;
  const permutations = shuffles ? shuffles.length : options.permutations ?? 200;
  if (!Number.isInteger(permutations) || permutations < 1) {
    throw new MechLensError('bad-argument', `label permutation check: shuffles must be a whole number ≥ 1, got ${permutations}`, {
      fix: 'Use for example 200 shuffles.',
    });
  }
  const random = createRandom(options.seed ?? 0);
  const order = new Uint32Array(total);
  const a: Matrix<Float64Array> = { rows: nA, cols, data: new Float64Array(nA * cols) };
  const b: Matrix<Float64Array> = { rows: total - nA, cols, data: new Float64Array((total - nA) * cols) };
  const counts = new Uint32Array(permutations);
  let atLeast = 0;
  for (let s = 0; s < permutations; s++) {
    throwIfCancelled(options.signal);
    options.onProgress?.({ message: `Shuffled labels ${s} of ${permutations}`, fraction: s / permutations });
    if (shuffles) {
      const given = shuffles[s], seen = new Uint8Array(total);
      for (let k = 0; k < total; k++) {
        const row = given[k];
        if (given.length !== total || !(row >= 0 && row < total && Number.isInteger(row)) || seen[row]++) {
          throw new MechLensError('bad-argument', `label permutation check: shuffle ${s} is not a permutation of 0…${total - 1}`, {
            fix: 'Pass each shuffle as an ordering of all stacked rows.',
          });
        }
        order[k] = row;
      }
    } else {
      permutation(total, random, order);
    }
    for (let k = 0; k < total; k++) {
      const source = stacked.subarray(order[k] * cols, (order[k] + 1) * cols);
      if (k < nA) a.data.set(source, k * cols); else b.data.set(source, (k - nA) * cols);
    }
    counts[s] = count(a, b);
    if (counts[s] >= observed) atLeast++;
  }
  let sum = 0;
  for (const c of counts) sum += c;
  return { observed, counts, pValue: (atLeast + 1) / (permutations + 1), meanShuffled: sum / permutations };
}
