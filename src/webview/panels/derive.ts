// Views of a CompareResult that the charts need: the upper-triangle pairs with their category
// relation, and the within/between groups per space. Pure functions over the Result.
import type { CompareResult, MatrixJson } from '../../protocol/result';

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
  let k = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      t.i[k] = i;
      t.j[k] = j;
      t.a[k] = result.a.similarity[i][j];
      t.b[k] = result.b.similarity[i][j];
      t.within[k] = cats[i] !== null && cats[i] === cats[j] ? 1 : 0;
      k++;
    }
  }
  return t;
}

/** Pair labels are built only for tables small enough to hover, to keep 2,000-item results light. */
export function pairLabels(result: CompareResult, pairs: PairTable, limit = 300000): [string, string][] | undefined {
  if (pairs.i.length > limit) return undefined;
  return Array.from(pairs.i, (i, k) => [result.items[i], result.items[pairs.j[k]]] as [string, string]);
}

export interface Groups { within: number[]; between: number[]; withinPairs: [string, string][]; betweenPairs: [string, string][] }

/**
 * Within and between pairs of one space; pairs with an uncategorized item belong to neither.
 * Pair names are kept only up to `labelLimit` pairs (they feed tooltips, and cost memory).
 */
export function withinBetween(result: CompareResult, pairs: PairTable, space: 'a' | 'b', labelLimit = 300000): Groups {
  const g: Groups = { within: [], between: [], withinPairs: [], betweenPairs: [] };
  const cats = result.itemCategories;
  const values = pairs[space];
  const named = values.length <= labelLimit;
  for (let k = 0; k < values.length; k++) {
    const ci = cats[pairs.i[k]];
    const cj = cats[pairs.j[k]];
    if (ci === null || cj === null) continue;
    const pair: [string, string] | null = named ? [result.items[pairs.i[k]], result.items[pairs.j[k]]] : null;
    if (ci === cj) {
      g.within.push(values[k]);
      if (pair) g.withinPairs.push(pair);
    } else {
      g.between.push(values[k]);
      if (pair) g.betweenPairs.push(pair);
    }
  }
  return g;
}

/** Off-diagonal upper triangle of a similarity matrix, for histograms. */
export function offDiagonal(matrix: MatrixJson): Float64Array {
  const n = matrix.length;
  const out = new Float64Array((n * (n - 1)) / 2);
  let k = 0;
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) out[k++] = matrix[i][j];
  return out;
}
