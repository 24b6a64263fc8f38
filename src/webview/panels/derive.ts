// Views of a CompareResult that the charts need: the upper-triangle pairs with their category
// relation, and the within/between groups per space. Pure functions over the Result; a panel
// computes them when the chart that needs them draws (`once`), not before its first view.
import type { CompareResult } from '../../protocol/result';

/** `make` run on the first call only; later calls return the same value. */
export function once<T>(make: () => T): () => T {
  let made: { value: T } | undefined;
  return () => (made ??= { value: make() }).value;
}

export interface PairTable {
  /** Row index i and column index j (i < j) of each upper-triangle pair. */
  i: Uint32Array;
  j: Uint32Array;
  a: Float64Array;
  b: Float64Array;
  /** Both items have the same (non-null) category. */
  within: Uint8Array;
}

export function upperPairs(result: CompareResult): PairTable {
  const n = result.items.length;
  const m = (n * (n - 1)) / 2;
  const t: PairTable = { i: new Uint32Array(m), j: new Uint32Array(m), a: new Float64Array(m), b: new Float64Array(m), within: new Uint8Array(m) };
  const cats = result.itemCategories;
  // Categories as small integers (-1: none), so the inner loop compares numbers, not strings.
  const codes = categoryCodes(cats);
  let k = 0;
  for (let i = 0; i < n; i++) {
    const rowA = result.a.similarity[i];
    const rowB = result.b.similarity[i];
    const ci = codes[i];
    for (let j = i + 1; j < n; j++) {
      t.i[k] = i;
      t.j[k] = j;
      t.a[k] = rowA[j] ?? NaN;
      t.b[k] = rowB[j] ?? NaN;
      t.within[k] = ci >= 0 && ci === codes[j] ? 1 : 0;
      k++;
    }
  }
  return t;
}

function categoryCodes(categories: (string | null)[]): Int32Array {
  const index = new Map<string, number>();
  return Int32Array.from(categories, (c) => {
    if (c === null) return -1;
    if (!index.has(c)) index.set(c, index.size);
    return index.get(c) as number;
  });
}

/** Pair labels are built only for tables small enough to hover, to keep 2,000-item results light. */
export function pairLabels(result: CompareResult, pairs: PairTable, limit = 300000): [string, string][] | undefined {
  if (pairs.i.length > limit) return undefined;
  return Array.from(pairs.i, (i, k) => [result.items[i], result.items[pairs.j[k]]] as [string, string]);
}

export interface Groups { within: Float64Array; between: Float64Array; withinPairs: [string, string][]; betweenPairs: [string, string][] }

/**
 * Within and between pairs of one space; pairs with an uncategorized item belong to neither.
 * Pair names are kept only up to `labelLimit` pairs (they feed tooltips, and cost memory).
 */
export function withinBetween(result: CompareResult, pairs: PairTable, space: 'a' | 'b', labelLimit = 300000): Groups {
  const cats = result.itemCategories;
  const values = pairs[space];
  const named = values.length <= labelLimit;
  const within = new Float64Array(values.length);
  const between = new Float64Array(values.length);
  const g = { withinPairs: [] as [string, string][], betweenPairs: [] as [string, string][] };
  let w = 0;
  let b = 0;
  for (let k = 0; k < values.length; k++) {
    const ci = cats[pairs.i[k]];
    const cj = cats[pairs.j[k]];
    if (ci === null || cj === null) continue;
    const pair: [string, string] | null = named ? [result.items[pairs.i[k]], result.items[pairs.j[k]]] : null;
    if (pairs.within[k]) {
      within[w++] = values[k];
      if (pair) g.withinPairs.push(pair);
    } else {
      between[b++] = values[k];
      if (pair) g.betweenPairs.push(pair);
    }
  }
  return { ...g, within: within.slice(0, w), between: between.slice(0, b) };
}

/** Off-diagonal upper triangle of a similarity matrix, for histograms. */
export function offDiagonal(matrix: ArrayLike<number>[]): Float64Array {
  const n = matrix.length;
  const out = new Float64Array((n * (n - 1)) / 2);
  let k = 0;
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) out[k++] = matrix[i][j];
  return out;
}
