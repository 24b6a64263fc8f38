import type { RsaStats } from '../../protocol/result';
import { categoryBars } from '../charts/category-bars';
import { type Chart, fmt } from '../charts/common';
import { scatter } from '../charts/scatter';
import { type ChartSlot, type Poster, card, el } from './cards';
import { once } from './derive';

export interface RsaByCategoryInput {
  subtitle: string;
  rsaByCategory: ({ category: string } & RsaStats)[];
  overall: number;
  items: string[];
  itemCategories: (string | null)[];
  categories: string[];
  /** Upper-triangle pairs with the similarity of each pair in the two compared spaces (x, y); called when the charts draw. */
  pairs: () => { i: ArrayLike<number>; j: ArrayLike<number>; within: ArrayLike<unknown>; x: ArrayLike<number>; y: ArrayLike<number> };
  xLabel: string;
  yLabel: string;
  /** Above this many pairs in a category the scatter gets no word labels: compare's vocabularies can be large, attention's word lists are not. */
  maxLabelledPairs?: number;
}

/** The "RSA per category" card of the compare and attention panels: bars of r per category, then one small scatter per category. */
export function rsaByCategoryCard(parent: HTMLElement, input: RsaByCategoryInput, host: Poster,
  register: <C extends Chart<never, never>>(chart: C) => C, draw: (() => void)[]): void {
  const slot: ChartSlot = {};
  const body = card(parent, 'RSA per category', input.subtitle, { name: 'rsa-per-category', chart: () => slot.chart }, host, 'rsa-by-category');
  const barsHost = el('div');
  body.appendChild(barsHost);
  draw.push(() => {
    slot.chart = register(categoryBars(barsHost, {
      rows: input.rsaByCategory.map((r) => ({ category: r.category, pearson: r.pearson, spearman: r.spearman, pValue: r.pValue, n: r.n })),
      overall: input.overall,
    }));
  });
  const multiples = el('div', 'ml-multiples');
  body.appendChild(multiples);
  const maxLabelled = input.maxLabelledPairs ?? Infinity;
  // One pass over the pairs for every category's within pairs (millions of pairs at 2,400 words).
  const withinPairsOf = once(() => {
    const pairs = input.pairs();
    const byCategory = new Map<string, number[]>(input.rsaByCategory.map((r) => [r.category, []]));
    for (let k = 0; k < pairs.i.length; k++) {
      if (!pairs.within[k]) continue;
      const category = input.itemCategories[pairs.i[k]];
      if (category !== null) byCategory.get(category)?.push(k);
    }
    return { pairs, byCategory };
  });
  for (const row of input.rsaByCategory) {
    const cell = el('div', 'ml-multiple');
    cell.setAttribute('data-category', row.category);
    cell.appendChild(el('div', 'ml-multiple-title', `${row.category}: r = ${fmt(row.pearson, 2)}, n = ${row.n}`));
    multiples.appendChild(cell);
    draw.push(() => {
      const { pairs, byCategory } = withinPairsOf();
      const ks = byCategory.get(row.category) ?? [];
      register(scatter(cell, {
        x: ks.map((k) => pairs.x[k]), y: ks.map((k) => pairs.y[k]),
        pairs: ks.length <= maxLabelled ? ks.map((k) => [input.items[pairs.i[k]], input.items[pairs.j[k]]] as [string, string]) : undefined,
        xLabel: input.xLabel, yLabel: input.yLabel,
      }, { height: 190, compact: true, categoryIndex: Math.max(0, input.categories.indexOf(row.category)) }));
    });
  }
}
