// Category selectivity: how much more alike items of one category are than items of different ones,
// generalized from the notebook's two categories to K. Every mean is over distinct pairs (upper
// triangle, no diagonal); items whose category is null take no part.
import type { Selectivity } from '../../protocol/result';
import { MechLensError } from '../errors';
import type { Matrix } from '../matrix';
import { mean, requireSquare } from './correlation';

export interface CategoryPairValues {
  /** Similarity of each pair, in item order (i < j). */
  values: Float64Array;
  /** The pairs' item indices, interleaved: i0, j0, i1, j1, … (for tooltips). */
  pairs: Uint32Array;
}

export interface WithinBetweenValues {
  /** Every within-category pair value, categories one after another in category order. */
  within: Float64Array;
  /** Every between-category pair value, category pairs one after another. */
  between: Float64Array;
  perCategory: ({ category: string; items: number } & CategoryPairValues)[];
  perCategoryPair: ({ categories: [string, string] } & CategoryPairValues)[];
}

/** The individual within- and between-category similarities, for the strip plot. */
export function withinBetweenValues(sim: Matrix, categories: readonly (string | null)[]): WithinBetweenValues {
  requireSquare(sim, 'selectivity');
  if (categories.length !== sim.rows) {
    throw new MechLensError('bad-argument', `selectivity: ${categories.length} categories for ${sim.rows} items`, {
      fix: 'Pass one category (or null) per item.',
    });
  }
  const n = sim.rows;
  const groups = groupByCategory(categories);
  /** Fills the values of `count` pairs (item indices i < j, in item order) read from the upper triangle. */
  const collect = (count: number, pairsOf: (push: (i: number, j: number) => void) => void): CategoryPairValues => {
    const values = new Float64Array(count), pairs = new Uint32Array(2 * count);
    let k = 0;
    pairsOf((i, j) => {
      const v = sim.data[i * n + j];
      if (!Number.isFinite(v)) {
        throw new MechLensError('bad-argument', `selectivity: similarity of items ${i} and ${j} is ${v}`, {
          fix: 'Recompute the similarity matrix from finite vectors.',
        });
      }
      values[k] = v; pairs[2 * k] = i; pairs[2 * k + 1] = j; k++;
    });
    return { values, pairs };
  };
  const perCategory = groups.map(({ category, members }) => ({
    category,
    items: members.length,
    ...collect((members.length * (members.length - 1)) / 2, (push) => {
      for (let a = 0; a < members.length; a++) for (let b = a + 1; b < members.length; b++) push(members[a], members[b]);
    }),
  }));
  const perCategoryPair: WithinBetweenValues['perCategoryPair'] = [];
  for (let g = 0; g < groups.length; g++) {
    for (let h = g + 1; h < groups.length; h++) {
      const first = groups[g].members, second = groups[h].members;
      perCategoryPair.push({
        categories: [groups[g].category, groups[h].category],
        ...collect(first.length * second.length, (push) => {
          for (const i of first) for (const j of second) push(Math.min(i, j), Math.max(i, j));
        }),
      });
    }
  }
  return {
    within: concat(perCategory.map((c) => c.values)),
    between: concat(perCategoryPair.map((p) => p.values)),
    perCategory,
    perCategoryPair,
  };
}

/**
 * Mean within-category similarity (mean over categories of each one's mean) divided by mean
 * between-category similarity (mean over category pairs of each pair's mean). Undefined parts are
 * null with a reason, never NaN: a one-word category has no within pairs and is left out of the
 * numerator (listed in `warnings`); with fewer than 2 categories there is no between part.
 */
export function selectivityIndex(sim: Matrix, categories: readonly (string | null)[]): Selectivity {
  const values = withinBetweenValues(sim, categories);
  const perCategory = values.perCategory.map((c) => ({
    category: c.category,
    within: c.values.length ? mean(c.values) : null,
    n: c.items,
  }));
  const warnings = perCategory
    .filter((c) => c.within === null)
    .map((c) => `category "${c.category}" has one item, so no within-category pairs; it is left out of the within mean`);
  const withinMeans = perCategory.flatMap((c) => (c.within === null ? [] : [c.within]));
  const within = withinMeans.length ? mean(withinMeans) : null;
  const between = values.perCategoryPair.length ? mean(values.perCategoryPair.map((p) => mean(p.values))) : null;
  const result: Selectivity = { index: null, within, between, perCategory };
  if (warnings.length) result.warnings = warnings;
  if (perCategory.length < 2) {
    result.reason = `selectivity needs at least 2 categories with items, found ${perCategory.length}`;
  } else if (within === null) {
    result.reason = 'every category has a single item, so there are no within-category pairs';
  } else if (Math.abs(between as number) <= NEAR_ZERO_BETWEEN * rootMeanSquare(values.within, values.between)) {
    // A ratio over a denominator this small is dominated by noise (-712 from a between of -0.0004):
    // no index, the two means instead.
    result.reason = `the mean between-category similarity (${(between as number).toPrecision(2)}) is ≈ 0 next to the similarities' scale, so the ratio is not meaningful; compare within and between directly`;
    result.betweenNearZero = true;
  } else {
    result.index = within / (between as number);
    if ((between as number) < 0) {
      (result.warnings ??= []).push('the mean between-category similarity is negative, so the index is negative and not a ratio of magnitudes; compare within and between directly');
    }
  }
  return result;
}

/**
 * The between mean counts as ≈ 0 when its magnitude is at most this fraction of the root mean square
 * of every pair similarity that enters the index (the data's own scale, so cosines and raw dot
 * products are judged alike). At 2% an index beyond ≈ ±50 is never printed.
 */
export const NEAR_ZERO_BETWEEN = 0.02;

function rootMeanSquare(...parts: Float64Array[]): number {
  let sum = 0, count = 0;
  for (const p of parts) for (let k = 0; k < p.length; k++) { sum += p[k] * p[k]; count++; }
  return count ? Math.sqrt(sum / count) : 0;
}

function groupByCategory(categories: readonly (string | null)[]): { category: string; members: number[] }[] {
  const groups = new Map<string, number[]>();
  categories.forEach((c, i) => {
    if (c === null) return;
    const members = groups.get(c);
    if (members) members.push(i); else groups.set(c, [i]);
  });
  return [...groups].map(([category, members]) => ({ category, members }));
}

function concat(parts: Float64Array[]): Float64Array {
  const out = new Float64Array(parts.reduce((s, p) => s + p.length, 0));
  let offset = 0;
  for (const p of parts) { out.set(p, offset); offset += p.length; }
  return out;
}
