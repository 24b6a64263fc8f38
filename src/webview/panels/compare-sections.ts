// Sections of the job 1 display that other panels reuse on a CompareResult: the two linked cosine
// heatmaps with their exports, and the RSA scatter card with r, ρ, S_c and p. The compare panel
// and the vocabulary-matching panel (job 3 runs job 1 on its matches) both draw through these.
import type { CompareResult, SourceInfo } from '../../protocol/result';
import { type Chart, fmt, fmtP } from '../charts/common';
import { type HeatmapChart, type HeatmapScheme, heatmap } from '../charts/heatmap';
import { scatter } from '../charts/scatter';
import { heatmapPython, matrixCsv, matrixNpyBase64 } from '../export';
import { type ChartSlot, type Poster, card, dataExports, el, statRow } from './cards';
import { type PairTable, pairLabels } from './derive';

export type SpaceKey = 'a' | 'b';

/** What a panel's page gives its sections: chart registration and the queue drawn once every card is placed. */
export interface PageCharts {
  register: <C extends Chart<never, never>>(chart: C) => C;
  draw: (() => void)[];
}

export function spaceName(key: SpaceKey, source: SourceInfo): string {
  return `${key.toUpperCase()}: ${source.label}`;
}

export interface HeatmapSectionOptions {
  /** Saved color ranges per space. */
  ranges?: Partial<Record<SpaceKey, { domain: [number, number]; scheme: HeatmapScheme }>>;
  onRangeChange?: (key: SpaceKey, domain: [number, number], scheme: HeatmapScheme) => void;
  /** A word clicked in either heatmap (row index in result.items), or null when cleared. */
  onSelect?: (index: number | null) => void;
  /** The pair under the pointer in either heatmap, after the other heatmap marks it. */
  onHover?: (pair: [number, number] | null) => void;
}

/**
 * Appends the two cosine heatmap cards (`[data-space="a"|"b"]`, with SVG/PNG/CSV/.npy/Python exports)
 * to `grid`. Hover is linked across the two. The returned record holds each chart once drawn.
 */
export function similarityHeatmaps(grid: HTMLElement, result: CompareResult, host: Poster, charts: PageCharts,
  options: HeatmapSectionOptions = {}): Partial<Record<SpaceKey, HeatmapChart>> {
  const heatmaps: Partial<Record<SpaceKey, HeatmapChart>> = {};
  const names = { a: spaceName('a', result.a.source), b: spaceName('b', result.b.source) };
  for (const key of ['a', 'b'] as const) {
    const other = key === 'a' ? 'b' : 'a';
    const space = result[key];
    const slot: ChartSlot = {};
    const exportName = `similarity-${key}`;
    const body = card(grid, `${key.toUpperCase()} · ${space.source.label}`, `${result.items.length} words · ${space.source.dims} dimensions`,
      { name: exportName, chart: () => slot.chart }, host);
    body.parentElement?.setAttribute('data-space', key);
    dataExports(body.parentElement?.querySelector('.ml-card-actions'), host, [
      ['csv', 'CSV', 'table', () => ({ type: 'export', format: 'csv', name: `${exportName}.csv`, content: matrixCsv(result.items, space.similarity), encoding: 'utf8' })],
      ['npy', '.npy', 'symbol-array', () => ({ type: 'export', format: 'npy', name: `${exportName}.npy`, content: matrixNpyBase64(space.similarity), encoding: 'base64' })],
      ['python', 'Python', 'copy', () => ({ type: 'export', format: 'python', name: `${exportName}.py`, encoding: 'utf8',
        content: heatmapPython(exportName, result.items, `Cosine similarity, ${space.source.label}`) })],
    ]);
    const saved = options.ranges?.[key];
    charts.draw.push(() => {
      const chart = charts.register(heatmap(body, {
        // Uncategorized words (every match of job 3) get no category line in the tooltip and no separators.
        labels: result.items, values: space.similarity, categories: result.categories.length ? result.itemCategories : undefined,
        name: names[key], partner: { name: names[other], values: result[other].similarity },
      }, {
        // The user's choice in this chart, else the mechlens.heatmap.colorScheme setting, else diverging.
        domain: saved?.domain ?? null, scheme: saved?.scheme, preferredScheme: 'diverging',
        onHover: (pair) => { heatmaps[other]?.highlight(pair); options.onHover?.(pair); },
        onSelect: (index) => options.onSelect?.(index),
        onRangeChange: (domain, scheme) => options.onRangeChange?.(key, domain, scheme),
      }));
      heatmaps[key] = chart;
      slot.chart = chart;
    });
  }
  return heatmaps;
}

function rsaStatRow(result: CompareResult): HTMLElement {
  const r = result.rsa;
  return statRow([
    ['pearson', 'Pearson r', fmt(r.pearson)], ['spearman', 'Spearman ρ', fmt(r.spearman)], ['cosine', 'S_c', fmt(r.cosine)],
    ['pValue', 'permutation p', fmtP(r.pValue)], ['n', 'pairs', String(r.n)],
  ]);
}

/** The RSA card (`[data-card="rsa"]`): the statistics row and the pair scatter with zero lines; `table` makes the pairs when it draws. */
export function rsaScatterCard(grid: HTMLElement, result: CompareResult, table: () => PairTable, host: Poster, charts: PageCharts): void {
  const slot: ChartSlot = {};
  const body = card(grid, `RSA: ${result.a.source.label} vs ${result.b.source.label}`, 'each point is one word pair (upper triangle)',
    { name: 'rsa-scatter', chart: () => slot.chart }, host);
  body.parentElement?.setAttribute('data-card', 'rsa');
  body.appendChild(rsaStatRow(result));
  charts.draw.push(() => {
    const pairs = table();
    const labels = pairLabels(result, pairs);
    slot.chart = charts.register(scatter(body, {
      // Without categories no pair is within or between: one color, no legend.
      x: pairs.a, y: pairs.b, within: result.categories.length ? pairs.within as unknown as ArrayLike<boolean> : undefined, pairs: labels,
      // The statistics are the card's row above, said once: not again inside the chart.
      xLabel: `similarity in ${spaceName('a', result.a.source)}`, yLabel: `similarity in ${spaceName('b', result.b.source)}`,
    }));
  });
}

/** A section heading followed by a grid for its cards. */
export function section(page: HTMLElement, title: string, gridClass = 'ml-grid'): HTMLElement {
  page.appendChild(el('h2', 'ml-section-title', title));
  const grid = el('div', gridClass);
  page.appendChild(grid);
  return grid;
}
