// Representational similarity analysis: how alike two similarity matrices over the same items are.
//
// The permutation test relabels the items of B (rows and columns together) and recomputes Pearson r.
// A relabelling only reorders B's upper-triangle values, so their mean and spread never change and
// each permuted r needs just Σ (a_ij − ā) · b_π(i)π(j) over the upper triangle: no matrix is built
// per permutation. The test is two-sided: it counts |r_perm| ≥ |r|.
import type { RsaStats } from '../../protocol/result';
import { MechLensError, throwIfCancelled } from '../errors';
import type { Matrix } from '../matrix';
import { createRandom, permutation } from '../random';
import type { RunControl } from '../run-control';
import { cosineAgreement, pearson, requireSquare, spearman, upperTriangle } from './correlation';

export interface RsaOptions extends RunControl {
  /** Permutations for the p-value; 0 skips it (pValue null). Default 1,000. */
  permutations?: number;
  /** Seed of the permutation sequence. Default 0. */
  seed?: number;
}

/** Checked at this many permutations: often enough to cancel promptly, rarely enough to cost nothing. */
const CHUNK = 25;
/** The most permutations a run may ask for: p to 1e-6, minutes for a few hundred words. 1e20 was accepted before. */
export const MAX_PERMUTATIONS = 1_000_000;
/** Word pairs a permutation loop gets through per second (5e7 measured on a busy 2-core machine), for estimates. */
const PAIRS_PER_SECOND = 5e7;

/** About how long `permutations` permutations of `items` items take, as words ("about 3 minutes"). */
export function permutationEstimate(permutations: number, items: number): string {
  const seconds = (permutations * items * (items - 1)) / 2 / PAIRS_PER_SECOND;
  const units: [number, string][] = [[365.25 * 86400, 'year'], [86400, 'day'], [3600, 'hour'], [60, 'minute'], [1, 'second']];
  const [size, unit] = units.find(([s]) => seconds >= s) ?? [1, 'second'];
  const count = seconds / size;
  const shown = count >= 1e6 ? count.toExponential(1) : String(Math.max(1, Math.round(count)));
  return `about ${shown} ${unit}${shown === '1' ? '' : 's'}`;
}

/**
 * RSA between the upper triangles of two items × items similarity matrices.
 * Throws MechLensError when it is undefined: fewer than 3 items, or a triangle whose values are all equal.
 */
export function representationalSimilarity(a: Matrix, b: Matrix, options: RsaOptions = {}): RsaStats {
  const permutations = options.permutations ?? 1000;
  if (!Number.isInteger(permutations) || permutations < 0) {
    throw new MechLensError('bad-argument', `RSA: permutations must be a whole number ≥ 0, got ${permutations}`, {
      fix: 'Use for example 1000 permutations, or 0 to skip the p-value.',
    });
  }
  if (permutations > MAX_PERMUTATIONS) {
    throw new MechLensError('bad-argument', `RSA: ${permutations} permutations is more than the ${MAX_PERMUTATIONS.toLocaleString('en-US')} allowed; for ${a.rows} items it would take ${permutationEstimate(permutations, a.rows)}`, {
      fix: `Use at most ${MAX_PERMUTATIONS.toLocaleString('en-US')} (1,000 gives p to 0.001 and takes ${permutationEstimate(1000, a.rows)} here).`,
    });
  }
  requireSquare(a, 'RSA');
  requireSquare(b, 'RSA');
  if (a.rows !== b.rows) {
    throw new MechLensError('bad-argument', `RSA: the matrices cover ${a.rows} and ${b.rows} items`, {
      fix: 'Compute both similarity matrices over the same items in the same order.',
    });
  }
  const n = a.rows;
  if (n < 3) {
    throw new MechLensError('bad-argument', `RSA needs at least 3 items (3 pairs), got ${n}`, {
      fix: 'Add items to the word list.',
    });
  }
  const x = upperTriangle(a), y = upperTriangle(b);
  for (const [name, v] of [['A', x], ['B', y]] as const) {
    if (v.some((value) => !Number.isFinite(value))) {
      throw new MechLensError('bad-argument', `RSA: similarity matrix ${name} contains NaN or Infinity`, {
        fix: 'Recompute the similarities from finite vectors.',
      });
    }
  }
  const r = pearson(x, y);
  if (r === null) {
    throw new MechLensError('bad-argument', 'RSA is undefined: all similarities of one matrix are equal', {
      fix: 'Check the vectors: identical or all-zero vectors give a constant similarity matrix.',
    });
  }
  const stats: RsaStats = {
    pearson: r,
    spearman: spearman(x, y) as number, // defined whenever pearson is: neither triangle is constant
    cosine: cosineAgreement(x, y) as number, // a non-constant triangle is not all zeros
    pValue: null,
    permutations,
    n: x.length,
  };
  if (permutations > 0) stats.pValue = permutationPValue(a, b, permutations, options);
  return stats;
}

export interface CategoryRsa {
  /** RSA within each category that has at least 3 items, in category order: fits `CompareResult.rsaByCategory`. */
  rsa: ({ category: string } & RsaStats)[];
  /** Categories where RSA is undefined, with the reason (fewer than 3 items, constant similarities). */
  skipped: { category: string; items: number; reason: string }[];
}

/** RSA restricted to the items of each category (items with category null are ignored). */
export function rsaByCategory(a: Matrix, b: Matrix, categories: readonly (string | null)[], options: RsaOptions = {}): CategoryRsa {
  requireSquare(a, 'RSA by category');
  if (categories.length !== a.rows) {
    throw new MechLensError('bad-argument', `RSA by category: ${categories.length} categories for ${a.rows} items`, {
      fix: 'Pass one category (or null) per item.',
    });
  }
  const members = new Map<string, number[]>();
  categories.forEach((c, i) => {
    if (c === null) return;
    const list = members.get(c);
    if (list) list.push(i); else members.set(c, [i]);
  });
  const result: CategoryRsa = { rsa: [], skipped: [] };
  for (const [category, items] of members) {
    if (items.length < 3) {
      result.skipped.push({ category, items: items.length, reason: `needs at least 3 items (3 pairs), has ${items.length}` });
      continue;
    }
    try {
      const stats = representationalSimilarity(subMatrix(a, items), subMatrix(b, items), options);
      result.rsa.push({ category, ...stats });
    } catch (error) {
      if (!(error instanceof MechLensError) || error.code === 'cancelled') throw error;
      result.skipped.push({ category, items: items.length, reason: error.message });
    }
  }
  return result;
}

/** The rows and columns `indices` of a square matrix, in that order. */
export function subMatrix(m: Matrix, indices: readonly number[]): Matrix<Float64Array> {
  const k = indices.length, n = m.cols;
  const data = new Float64Array(k * k);
  for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) data[i * k + j] = m.data[indices[i] * n + indices[j]];
  return { rows: k, cols: k, data };
}

function permutationPValue(a: Matrix, b: Matrix, permutations: number, control: RsaOptions): number {
  const n = a.rows;
  // A's centred upper triangle packed row by row (read in order), and B mirrored from its upper
  // triangle, since a relabelling reads both halves.
  const pairs = (n * (n - 1)) / 2;
  const centredA = upperTriangle(a);
  const symmetricB = new Float64Array(n * n);
  let sumA = 0, sumB = 0;
  for (let t = 0; t < pairs; t++) sumA += centredA[t];
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) sumB += b.data[i * n + j];
  const meanA = sumA / pairs, meanB = sumB / pairs;
  let sxx = 0, syy = 0;
  for (let t = 0; t < pairs; t++) { centredA[t] -= meanA; sxx += centredA[t] * centredA[t]; }
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const by = b.data[i * n + j];
      symmetricB[i * n + j] = by; symmetricB[j * n + i] = by;
      syy += (by - meanB) * (by - meanB);
    }
  }
  const scale = 1 / (Math.sqrt(sxx) * Math.sqrt(syy));
  const correlation = (perm: Uint32Array): number => {
    let s = 0, t = 0;
    for (let i = 0; i < n; i++) {
      const rowB = perm[i] * n;
      for (let j = i + 1; j < n; j++) s += centredA[t++] * symmetricB[rowB + perm[j]];
    }
    return s * scale;
  };
  const identity = new Uint32Array(n).map((_, i) => i);
  const observed = Math.abs(correlation(identity));
  // As scipy.stats.permutation_test: values equal in theory but not in floating point count as ties.
  const threshold = observed - Math.abs(observed) * 100 * Number.EPSILON;
  const random = createRandom(control.seed ?? 0);
  const perm = new Uint32Array(n);
  let atLeastAsExtreme = 0;
  for (let done = 0; done < permutations; done++) {
    if (done % CHUNK === 0) {
      throwIfCancelled(control.signal);
      control.onProgress?.({ message: `RSA permutation ${done} of ${permutations}`, fraction: done / permutations });
    }
    permutation(n, random, perm);
    if (Math.abs(correlation(perm)) >= threshold) atLeastAsExtreme++;
  }
  return (atLeastAsExtreme + 1) / (permutations + 1);
}
