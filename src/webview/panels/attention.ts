// The attention panel (job 4): header with model, template and layer; the words that are not single
// tokens with their pieces; Q and K cosine heatmaps with separate color ranges and linked hover;
// both similarity distributions; selectivity of Q, K and V; RSA Q vs K overall and per category;
// the per-head view; and the layer sweep. Every piece of data reaches the DOM as text.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import type { FromWebview } from '../../protocol/messages';
import type { AttentionResult, AttentionSpace } from '../../protocol/result';
import { fmt, fmtP } from '../charts/common';
import { type HeatmapChart, type HeatmapScheme, heatmap } from '../charts/heatmap';
import { histogram } from '../charts/histogram';
import { headBars } from '../charts/head-bars';
import { layerSweep } from '../charts/layer-sweep';
import { selectivityValue } from '../../protocol/selectivity-text';
import { scatter } from '../charts/scatter';
import { matrixCsv, matrixNpyBase64 } from '../export';
import { type ChartSlot, card, dataExports, el, header, icon, notesBanner, panelPage, runMeta, sourceChip, statRow } from './cards';
import { addPythonExports } from '../python-buttons';
import { offDiagonal } from './derive';
import { rsaByCategoryCard } from './rsa-category';
import type { RerunClient } from '../rerun-client';
import { attentionRerunControls } from './rerun-fields';
import { attentionSaeSection, attentionSaeSweep } from './attention-sae';

type SpaceKey = 'q' | 'k';

export interface AttentionUiState {
  ranges?: Partial<Record<SpaceKey, { domain: [number, number]; scheme: HeatmapScheme }>>;
}

export interface AttentionPanelHost {
  post(message: FromWebview): void;
  /** Runs the job again with the Run settings bar's values; absent in the HTML report. */
  rerun?: RerunClient;
  ui: AttentionUiState;
  saveUi(ui: AttentionUiState): void;
}

const spaceName: Record<SpaceKey, string> = { q: 'Q (query)', k: 'K (key)' };

/** The upper triangle of Q and K as paired columns, with each pair's words and whether they share a category. */
function qkPairs(result: AttentionResult): { i: number[]; j: number[]; q: number[]; k: number[]; within: boolean[] } {
  const out = { i: [] as number[], j: [] as number[], q: [] as number[], k: [] as number[], within: [] as boolean[] };
  const n = result.items.length;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      out.i.push(i);
      out.j.push(j);
      out.q.push(result.q.similarity[i][j]);
      out.k.push(result.k.similarity[i][j]);
      const ci = result.itemCategories[i];
      out.within.push(ci !== null && ci === result.itemCategories[j]);
    }
  }
  return out;
}

export function renderAttention(root: HTMLElement, result: AttentionResult, host: AttentionPanelHost): { destroy(): void } {
  let ui: AttentionUiState = { ...host.ui };
  const { page, register, draw, finish } = panelPage(root, 'ml-panel ml-attention');
  const n = result.items.length;

  page.appendChild(attentionHeader(result, host));
  attentionRerunControls(page, result, host.rerun);
  piecesBanner(page, result);

  // Heatmaps, each with its own color range: Q and K similarities live on different scales.
  page.appendChild(el('h2', 'ml-section-title', `Cosine similarity at layer ${result.layer}`));
  const heatGrid = el('div', 'ml-grid ml-heatmaps');
  page.appendChild(heatGrid);
  const heatmaps: Partial<Record<SpaceKey, HeatmapChart>> = {};
  for (const key of ['q', 'k'] as const) {
    const other: SpaceKey = key === 'q' ? 'k' : 'q';
    const space: AttentionSpace = result[key];
    const slot: ChartSlot = {};
    const name = `similarity-${key}`;
    const body = card(heatGrid, `${spaceName[key]} · ${space.hook}`, `${n} words · ${result.model.dims} dimensions · own color range`,
      { name, chart: () => slot.chart }, host, `heatmap-${key}`);
    body.parentElement?.setAttribute('data-space', key);
    dataExports(body.parentElement?.querySelector('.ml-card-actions'), host, [
      ['csv', 'CSV', 'table', () => ({ type: 'export', format: 'csv', name: `${name}.csv`, content: matrixCsv(result.items, space.similarity), encoding: 'utf8' })],
      ['npy', '.npy', 'symbol-array', () => ({ type: 'export', format: 'npy', name: `${name}.npy`, content: matrixNpyBase64(space.similarity), encoding: 'base64' })],
    ]);
    const saved = ui.ranges?.[key];
    draw.push(() => {
      const chart = register(heatmap(body, {
        labels: result.items, values: space.similarity, categories: result.itemCategories,
        name: spaceName[key], partner: { name: spaceName[other], values: result[other].similarity },
      }, {
        // The user's choice in this chart, else the mechlens.heatmap.colorScheme setting, else sequential.
        domain: saved?.domain ?? null, scheme: saved?.scheme, preferredScheme: 'sequential',
        onHover: (pair) => heatmaps[other]?.highlight(pair),
        onSelect: (index) => { if (index !== null) host.post({ type: 'selection', items: [result.items[index]] }); },
        onRangeChange: (domain, scheme) => {
          ui = { ...ui, ranges: { ...ui.ranges, [key]: { domain, scheme } } };
          host.saveUi(ui);
        },
      }));
      heatmaps[key] = chart;
      slot.chart = chart;
    });
  }

  // Distributions and category selectivity.
  page.appendChild(el('h2', 'ml-section-title', 'Similarity distributions and category selectivity'));
  const distGrid = el('div', 'ml-grid');
  page.appendChild(distGrid);
  for (const key of ['q', 'k'] as const) {
    const slot: ChartSlot = {};
    const space = result[key];
    const body = card(distGrid, `${spaceName[key]} similarities`, `off-diagonal cosine similarities (upper triangle, ${n * (n - 1) / 2} pairs)`,
      { name: `histogram-${key}`, chart: () => slot.chart }, host, `histogram-${key}`);
    draw.push(() => {
      slot.chart = register(histogram(body, {
        series: [{ name: spaceName[key], values: offDiagonal(space.similarity) }], xLabel: 'cosine similarity',
      }, { height: 240, bins: Math.max(10, space.histogram.counts.length) }));
    });
  }
  {
    const body = card(distGrid, 'Category selectivity', 'index = mean within-category / mean between-category similarity; 1 means no category structure', undefined, host, 'selectivity');
    body.parentElement?.classList.add('ml-wide');
    body.appendChild(selectivityTable(result));
  }

  // RSA.
  page.appendChild(el('h2', 'ml-section-title', 'Representational similarity analysis: Q vs K'));
  const rsaGrid = el('div', 'ml-grid');
  page.appendChild(rsaGrid);
  const pairs = qkPairs(result);
  {
    const slot: ChartSlot = {};
    const body = card(rsaGrid, 'RSA Q vs K', 'each point is one word pair (upper triangle); within-category pairs highlighted',
      { name: 'rsa-scatter', chart: () => slot.chart }, host, 'rsa');
    body.appendChild(statRow([
      ['pearson', 'Pearson r', fmt(result.rsa.pearson)], ['spearman', 'Spearman ρ', fmt(result.rsa.spearman)], ['cosine', 'S_c', fmt(result.rsa.cosine)],
      ['pValue', 'permutation p', fmtP(result.rsa.pValue)], ['permutations', 'permutations', String(result.rsa.permutations)], ['n', 'pairs', String(result.rsa.n)],
    ]));
    draw.push(() => {
      slot.chart = register(scatter(body, {
        x: pairs.q, y: pairs.k, within: pairs.within, pairs: pairs.i.map((i, p) => [result.items[i], result.items[pairs.j[p]]] as [string, string]),
        // The statistics are the card's row above, said once.
        xLabel: 'similarity of Q', yLabel: 'similarity of K',
      }));
    });
  }
  rsaByCategoryCard(rsaGrid, {
    subtitle: 'Pearson r between Q and K on the pairs within each category; dashed: overall r',
    rsaByCategory: result.rsaByCategory, overall: result.rsa.pearson,
    items: result.items, itemCategories: result.itemCategories, categories: result.categories,
    pairs: () => ({ ...pairs, x: pairs.q, y: pairs.k }), xLabel: 'Q', yLabel: 'K',
  }, host, register, draw);

  if (result.sae) attentionSaeSection(page, result, result.sae, host, register, draw);

  // Heads.
  page.appendChild(el('h2', 'ml-section-title', `Attention heads at layer ${result.layer} (${result.heads.length})`));
  const headGrid = el('div', 'ml-grid');
  page.appendChild(headGrid);
  {
    const slot: ChartSlot = {};
    const dHead = result.heads.length ? result.model.dims / result.heads.length : 0;
    const body = card(headGrid, 'RSA Q vs K per head', `Pearson r between Q and K similarities within each head's ${dHead}-dimensional slice; dashed: all heads together`,
      { name: 'rsa-per-head', chart: () => slot.chart }, host, 'heads');
    draw.push(() => {
      slot.chart = register(headBars(body, {
        heads: result.heads.map((h) => ({ head: h.head, value: h.rsa, details: [`selectivity Q: ${fmt(h.selectivityQ, 4)}`, `selectivity K: ${fmt(h.selectivityK, 4)}`] })),
        overall: result.rsa.pearson, overallLabel: 'all heads: r =', yLabel: 'RSA r (Q vs K)',
      }, { height: 250 }));
    });
  }
  {
    const body = card(headGrid, 'Heads at a glance', 'each cell: one head; color: RSA r (Q vs K); selectivity of Q and K within the head', undefined, host, 'head-grid');
    body.append(...headCells(result));
  }

  // Layer sweep.
  if (result.sweep && result.sweep.length) {
    const sweep = result.sweep;
    page.appendChild(el('h2', 'ml-section-title', `Layer sweep (${sweep.length} layers, one forward pass)`));
    const sweepGrid = el('div', 'ml-grid');
    page.appendChild(sweepGrid);
    const layers = sweep.map((s) => s.layer);
    {
      const slot: ChartSlot = {};
      const body = card(sweepGrid, 'Selectivity index over layers', `Q, K, V, MLP output and residual stream; dashed: layer ${result.layer}, shown above; gray: 1 (no category structure)`,
        { name: 'sweep-selectivity', chart: () => slot.chart }, host, 'sweep-selectivity');
      const names = [['q', 'Q'], ['k', 'K'], ['v', 'V'], ['mlp', 'MLP'], ['resid', 'resid']] as const;
      draw.push(() => {
        slot.chart = register(layerSweep(body, {
          layers, current: result.layer, yLabel: 'selectivity index', reference: 1,
          series: names.map(([key, label]) => ({ name: label, values: sweep.map((s) => s.selectivity[key]) })),
        }, { height: 280, onSelect: (layer) => host.post({ type: 'selection', items: [], focus: { kind: 'layer', layer } }) }));
      });
    }
    {
      const slot: ChartSlot = {};
      const body = card(sweepGrid, 'RSA Q vs K over layers', `Pearson r between the Q and K similarity matrices at each layer; dashed: layer ${result.layer}`,
        { name: 'sweep-rsa', chart: () => slot.chart }, host, 'sweep-rsa');
      draw.push(() => {
        slot.chart = register(layerSweep(body, {
          layers, current: result.layer, yLabel: 'Pearson r', series: [{ name: 'RSA Q–K', values: sweep.map((s) => s.rsaQK) }],
        }, { height: 280, onSelect: (layer) => host.post({ type: 'selection', items: [], focus: { kind: 'layer', layer } }) }));
      });
    }
    attentionSaeSweep(sweepGrid, result, host, register, draw);
  }

  addPythonExports(page, result, host);
  return finish();
}

function attentionHeader(result: AttentionResult, host: AttentionPanelHost): HTMLElement {
  const chips = el('div', 'ml-sources');
  chips.append(
    sourceChip('model', result.model.label, [`${result.model.dims} d`, result.model.revision ? result.model.revision.slice(0, 15) : undefined].filter(Boolean).join(' · ')),
    sourceChip('provider', result.provider),
    sourceChip('template', result.template),
    sourceChip('layer', String(result.layer), `${result.q.hook}, ${result.k.hook}, ${result.v.hook}`),
  );
  const cats = result.categories.length;
  const meta = [
    `${result.items.length} words`, result.missing.length ? `${result.missing.length} dropped` : undefined, `${cats} categor${cats === 1 ? 'y' : 'ies'}`,
    `${result.heads.length} heads`, `${result.rsa.permutations} permutations`, `seed ${result.inputs.seed}`, `words from ${result.inputs.words}`, ...runMeta(result.run),
  ].filter(Boolean).join(' · ');
  return header(result.title, chips, meta, host);
}

/** The words that are several tokens in the template, each with its pieces, then the other warnings. */
function piecesBanner(page: HTMLElement, result: AttentionResult): void {
  const split = new Set(result.pieces.map((p) => p.word));
  const otherWarnings = result.warnings.filter((w) => ![...split].some((word) => w.startsWith(`"${word}" is not a single token`)));
  if (result.pieces.length) {
    const b = el('div', 'ml-banner ml-missing-banner ml-pieces');
    b.setAttribute('role', 'status');
    const body = el('div', 'ml-banner-body');
    const dropped = new Set(result.missing);
    const kept = result.pieces.filter((p) => !dropped.has(p.word));
    body.appendChild(el('div', 'ml-banner-title', `${result.pieces.length} word${result.pieces.length === 1 ? ' is' : 's are'} not a single token in "${result.template}"` +
      (dropped.size ? `; ${dropped.size} dropped` : '') + (kept.length ? `; ${kept.length} read at the last piece` : '')));
    for (const p of result.pieces) {
      const line = el('div', 'ml-piece-line');
      line.setAttribute('data-word', p.word);
      const word = el('code', 'ml-word', p.word);
      line.append(word, document.createTextNode(' → '));
      p.pieces.forEach((piece, i) => {
        if (i) line.appendChild(document.createTextNode(' | '));
        line.appendChild(el('code', 'ml-piece', piece));
      });
      line.appendChild(el('span', 'ml-stat-label', dropped.has(p.word) ? '  dropped' : '  last piece used'));
      body.appendChild(line);
    }
    b.append(icon('warning'), body);
    page.appendChild(b);
  }
  const notes = [...otherWarnings, ...(['q', 'k', 'v'] as const).flatMap((k) => (result[k].selectivity.warnings ?? []).map((w) => `${k.toUpperCase()}: ${w}`))];
  notesBanner(page, notes);
}

function selectivityTable(result: AttentionResult): HTMLTableElement {
  const table = el('table', 'ml-table ml-selectivity-table');
  const head = el('tr');
  for (const h of ['', 'index', 'within', 'between', ...result.categories.map((c) => `within ${c}`), 'note']) head.appendChild(el('th', undefined, h));
  table.appendChild(head);
  // With an SAE, its features are one more row: the same index over the feature vectors.
  const spaces: ['q' | 'k' | 'v' | 'sae', string, AttentionSpace][] = (['q', 'k', 'v'] as const).map((key) => [key, key.toUpperCase(), result[key]]);
  if (result.sae) spaces.push(['sae', 'SAE features', result.sae.space]);
  for (const [key, name, space] of spaces) {
    const s = space.selectivity;
    const row = el('tr');
    row.setAttribute('data-space', key);
    row.appendChild(el('td', undefined, `${name} · ${space.hook}`));
    const index = el('td', undefined, selectivityValue(s));
    index.setAttribute('data-stat', `selectivity-${key}`);
    row.append(index, el('td', undefined, fmt(s.within)), el('td', undefined, fmt(s.between)));
    for (const c of result.categories) row.appendChild(el('td', undefined, fmt(s.perCategory.find((p) => p.category === c)?.within ?? null)));
    row.appendChild(el('td', undefined, s.betweenNearZero ? 'between ≈ 0: compare within and between' : s.reason ?? ''));
    table.appendChild(row);
  }
  return table;
}

/** The head cells, then the note that says what their shading spans. */
function headCells(result: AttentionResult): HTMLElement[] {
  const grid = el('div', 'ml-head-grid');
  grid.style.display = 'grid';
  grid.style.gridTemplateColumns = 'repeat(auto-fill, minmax(140px, 1fr))';
  grid.style.gap = '6px';
  const largest = Math.max(0, ...result.heads.map((h) => (h.rsa !== null && Number.isFinite(h.rsa) ? Math.abs(h.rsa) : 0)));
  for (const h of result.heads) {
    const cell = el('div', 'ml-head-cell');
    cell.setAttribute('data-head', String(h.head));
    cell.style.border = '1px solid var(--vscode-widget-border, var(--vscode-panel-border))';
    cell.style.borderRadius = '4px';
    cell.style.padding = '6px 8px';
    // Background strength follows |r| relative to the largest |r| of the layer's heads (heads of
    // r 0.01 to 0.05 would all look blank on a 0..1 scale), its hue the sign, in the theme's chart colors.
    const r = h.rsa;
    if (r !== null && Number.isFinite(r) && largest > 0) {
      const pct = Math.round((Math.abs(r) / largest) * 60);
      const hue = r >= 0 ? 'var(--vscode-charts-blue, #3794ff)' : 'var(--vscode-charts-red, #f14c4c)';
      cell.style.background = `color-mix(in srgb, ${hue} ${pct}%, transparent)`;
    }
    cell.title = `head ${h.head}: RSA r = ${fmt(r)}; selectivity Q ${fmt(h.selectivityQ)}, K ${fmt(h.selectivityK)}`;
    const title = el('div', 'ml-multiple-title', `head ${h.head}`);
    const rLine = el('div', 'ml-stat-value', `r = ${fmt(r, 3)}`);
    rLine.setAttribute('data-stat', 'head-rsa');
    const selQ = el('div', 'ml-stat-label', `selectivity Q ${fmt(h.selectivityQ, 4)}`);
    const selK = el('div', 'ml-stat-label', `selectivity K ${fmt(h.selectivityK, 4)}`);
    selQ.setAttribute('data-stat', 'head-selectivity-q');
    selK.setAttribute('data-stat', 'head-selectivity-k');
    cell.append(title, rLine, selQ, selK);
    grid.appendChild(cell);
  }
  const scale = el('div', 'ml-note ml-head-scale', `Shading: |r| from 0 (none) to ${fmt(largest)} (the largest of these heads); blue positive, red negative.`);
  return [grid, scale];
}
