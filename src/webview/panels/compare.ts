// The compare panel (job 1): header with sources, missing-words banner, the two heatmaps with
// linked hover, within/between strips, similarity histograms, the RSA scatter and per-category RSA,
// one word's vectors, and the clusters. Every piece of data reaches the DOM as text.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import type { FromWebview } from '../../protocol/messages';
import { type CompareResult, LOWERCASE_FALLBACK_NOTE, type SpaceResult } from '../../protocol/result';
import { missingBanner } from '../charts/banner';
import { clusterMap } from '../charts/cluster-map';
import type { Chart } from '../charts/common';
import type { HeatmapScheme } from '../charts/heatmap';
import { histogram } from '../charts/histogram';
import { linePlot } from '../charts/line-plot';
import { singleSelect } from '../charts/single-select';
import { stripPlot } from '../charts/strip-plot';
import { selectivityValue } from '../../protocol/selectivity-text';
import { type ChartSlot, card, el, header, notesBanner, panelPage, runMeta, sourceChip, usedSetting } from './cards';
import { addPythonExports } from '../python-buttons';
import { rsaScatterCard, section, similarityHeatmaps, spaceName } from './compare-sections';
import { once, upperPairs, withinBetween } from './derive';
import { flatMatrix } from '../../protocol/packed-matrices';
import { rsaByCategoryCard } from './rsa-category';
import type { RerunClient } from '../rerun-client';
import { compareAdjustments, compareRerunControls } from './rerun-fields';

export interface CompareUiState {
  word?: string;
  ranges?: Partial<Record<'a' | 'b', { domain: [number, number]; scheme: HeatmapScheme }>>;
}

export interface PanelHost {
  post(message: FromWebview): void;
  /** Runs the job again with the Run settings bar's values; absent in the HTML report. */
  rerun?: RerunClient;
  ui: CompareUiState;
  saveUi(ui: CompareUiState): void;
}

export interface PanelView { destroy(): void }

/** Above this many words the word picker gets its options as data, not as elements. */
const MAX_OPTION_ELEMENTS = 500;

export function renderCompare(root: HTMLElement, result: CompareResult, host: PanelHost): PanelView {
  let ui: CompareUiState = { ...host.ui };
  const { page, register, draw, finish, onFocus } = panelPage(root, 'ml-panel ml-compare');
  const nameA = spaceName('a', result.a.source);
  const nameB = spaceName('b', result.b.source);

  page.appendChild(compareHeader(result, host));
  compareRerunControls(page, result, host.rerun);

  missingBanner(page, {
    missing: result.missing,
    sources: (['a', 'b'] as const).map((k) => ({
      label: result[k].source.label, missing: result[k].missing, lowercased: result[k].lowercased, zeroVectors: result[k].zeroVectors,
    })),
  });
  // The job's warnings already carry each space's selectivity caveats; the lower-case fallback is
  // the missing-words banner's to say (it lists the words): each note once.
  const listsLowercase = result.a.lowercased.length > 0 || result.b.lowercased.length > 0;
  notesBanner(page, result.warnings.filter((w) => !(listsLowercase && w.endsWith(LOWERCASE_FALLBACK_NOTE))));

  const exportable = (name: string, chart: () => Chart<never, never> | undefined) => ({ name, chart });
  const charts = { register, draw };

  // Similarity heatmaps, hover linked across the two spaces.
  similarityHeatmaps(section(page, 'Cosine similarity', 'ml-grid ml-heatmaps'), result, host, charts, {
    ranges: ui.ranges,
    onSelect: (index) => { if (index !== null) pickWord(result.items[index]); },
    onRangeChange: (key, domain, scheme) => {
      ui = { ...ui, ranges: { ...ui.ranges, [key]: { domain, scheme } } };
      host.saveUi(ui);
    },
  });

  // Category structure. The pair table (2.9 million pairs at 2,400 words) is made when the first
  // chart that needs it draws, after the heatmaps have painted.
  const pairs = once(() => upperPairs(result));
  page.appendChild(el('h2', 'ml-section-title', 'Category selectivity'));
  const selGrid = el('div', 'ml-grid');
  page.appendChild(selGrid);
  {
    const slot: ChartSlot = {};
    const sub = `index = mean within-category / mean between-category similarity · ${nameA}: ${selectivityValue(result.a.selectivity)} · ${nameB}: ${selectivityValue(result.b.selectivity)}`;
    const body = card(selGrid, 'Within vs between categories', sub, exportable('selectivity-strips', () => slot.chart), host);
    body.parentElement?.setAttribute('data-card', 'selectivity');
    const spaces = () => (['a', 'b'] as const).map((k) => {
      const g = withinBetween(result, pairs(), k);
      const s = result[k].selectivity;
      return {
        name: k === 'a' ? nameA : nameB, index: s.index, reason: s.reason, betweenNearZero: s.betweenNearZero,
        within: { values: g.within, pairs: g.withinPairs.length ? g.withinPairs : undefined, mean: s.within },
        between: { values: g.between, pairs: g.betweenPairs.length ? g.betweenPairs : undefined, mean: s.between },
      };
    });
    const chartHost = el('div');
    body.appendChild(chartHost);
    draw.push(() => { slot.chart = register(stripPlot(chartHost, { spaces: spaces() })); });
    body.appendChild(el('div', 'ml-note', 'Lines: category-averaged means, as used in the index. Dots: every word pair.'));
  }
  {
    const slot: ChartSlot = {};
    const body = card(selGrid, 'Similarity distributions', 'off-diagonal cosine similarities (upper triangle)', exportable('similarity-histogram', () => slot.chart), host);
    draw.push(() => {
      slot.chart = register(histogram(body, {
        // The pair table's columns are the upper triangles.
        series: [{ name: nameA, values: pairs().a }, { name: nameB, values: pairs().b }],
        xLabel: 'cosine similarity',
      }, { height: 350 }));
    });
  }

  // RSA.
  page.appendChild(el('h2', 'ml-section-title', 'Representational similarity analysis'));
  const rsaGrid = el('div', 'ml-grid');
  page.appendChild(rsaGrid);
  rsaScatterCard(rsaGrid, result, pairs, host, charts);
  rsaByCategoryCard(rsaGrid, {
    subtitle: 'Pearson r between the two spaces on the pairs within each category; dashed: overall r',
    rsaByCategory: result.rsaByCategory, overall: result.rsa.pearson,
    items: result.items, itemCategories: result.itemCategories, categories: result.categories,
    pairs: () => ({ ...pairs(), x: pairs().a, y: pairs().b }), xLabel: 'A', yLabel: 'B', maxLabelledPairs: 300000,
  }, host, register, draw);

  // One word's vectors.
  page.appendChild(el('h2', 'ml-section-title', 'Word vectors'));
  const vecGrid = el('div', 'ml-grid');
  page.appendChild(vecGrid);
  let lineChart: Chart<never, never> | undefined;
  const vecBody = card(vecGrid, 'Vector of one word in both spaces', 'pick a word, or click a row of a heatmap', exportable('word-vector', () => lineChart), host);
  vecBody.parentElement?.classList.add('ml-wide');
  const picker = el('div', 'ml-picker');
  const select = document.createElement('vscode-single-select') as HTMLElement & { value: string };
  select.setAttribute('aria-label', 'word');
  select.setAttribute('combobox', '');
  if (result.items.length <= MAX_OPTION_ELEMENTS) {
    for (const w of result.items) {
      const opt = document.createElement('vscode-option');
      opt.setAttribute('value', w);
      opt.textContent = w;
      select.appendChild(opt);
    }
  } else {
    // Thousands of <vscode-option> elements cost seconds before the first paint (each is a custom
    // element whose text the select reads with innerText): the select takes the list as data
    // instead, filled in a slice after the first paint (it renders one row per word).
    draw.push(() => {
      (select as unknown as { options: { label: string; value: string }[] }).options = result.items.map((w) => ({ label: w, value: w }));
      select.value = initialWord;
    });
  }
  picker.append(el('span', undefined, 'Word'), select);
  vecBody.appendChild(picker);
  const lineHost = el('div');
  vecBody.appendChild(lineHost);
  const vectorData = (word: string) => {
    const i = Math.max(0, result.items.indexOf(word));
    return {
      title: result.items[i] ?? '',
      series: [{ name: nameA, values: result.a.vectors[i] ?? [] }, { name: nameB, values: result.b.vectors[i] ?? [] }],
    };
  };
  const initialWord = ui.word && result.items.includes(ui.word) ? ui.word : result.items[0] ?? '';
  select.value = initialWord;
  if (result.items.length && result.a.vectors.length && result.b.vectors.length) {
    draw.push(() => { lineChart = register(linePlot(lineHost, vectorData(initialWord))); });
  } else {
    lineHost.appendChild(el('div', 'ml-note', 'This result stores no item vectors.'));
  }
  function pickWord(word: string): void {
    if (!lineChart) return;
    ui = { ...ui, word };
    host.saveUi(ui);
    select.value = word;
    lineChart.update(vectorData(word) as never);
    host.post({ type: 'selection', items: [word] });
  }
  select.addEventListener('change', () => pickWord(select.value));
  // The Inspector's "Open in panel" for a word: pick it and bring its vectors into view.
  onFocus(({ items }) => {
    if (items.length !== 1 || !result.items.includes(items[0])) return;
    pickWord(items[0]);
    vecBody.parentElement?.scrollIntoView({ block: 'center' });
  });

  // Clusters.
  page.appendChild(el('h2', 'ml-section-title', 'Clusters'));
  const clusterGrid = el('div', 'ml-grid');
  page.appendChild(clusterGrid);
  for (const key of ['a', 'b'] as const) {
    const space = result[key];
    const slot: ChartSlot = {};
    const body = card(clusterGrid, `${key.toUpperCase()} · ${space.source.label}`, space.map ? mapSubtitle(space, compareAdjustments(result)) : 'no 2-D map in this result',
      space.map ? exportable(`clusters-${key}`, () => slot.chart) : undefined, host);
    body.parentElement?.setAttribute('data-card', `clusters-${key}`);
    const map = space.map;
    if (!map) {
      body.appendChild(el('div', 'ml-note', 'Run with a 2-D map (t-SNE) to see clusters here.'));
      continue;
    }
    const dims = space.source.dims;
    const vectorData = once(() => flatMatrix(space.vectors, dims));
    // With a k from Run settings, the map shows either clustering.
    let showKmeans = false;
    const mapData = () => ({
      labels: result.items,
      coords: map.coords.flat(),
      clusters: showKmeans && map.kmeans ? map.kmeans.labels : map.labels,
      vectors: space.vectors.length === result.items.length ? { data: vectorData(), dims } : undefined,
    });
    // A saved file can carry anything: the switch only for k-means labels that fit the words.
    const kmeansFits = Array.isArray(map.kmeans?.labels) && map.kmeans.labels.length === result.items.length;
    if (map.kmeans && kmeansFits) {
      const select = singleSelect([['dbscan', `DBSCAN (${map.clusters.length} clusters)`], ['kmeans', `k-means (k = ${map.kmeans.k})`]], 'dbscan', 'clustering shown');
      select.setAttribute('data-clustering', key);
      const label = el('label');
      label.append(el('span', undefined, 'Clusters'), select);
      const controls = el('div', 'ml-chart-controls');
      controls.appendChild(label);
      body.appendChild(controls);
      select.addEventListener('change', () => {
        showKmeans = select.value === 'kmeans';
        slot.chart?.update(mapData() as never);
      });
    }
    draw.push(() => {
      const cm = register(clusterMap(body, mapData(), { height: 400 }));
      cm.on('select', ({ labels: words, source }) => { if (source === 'click' && words.length === 1) pickWord(words[0]); });
      // A cluster picked from its member list: the Inspector shows its members and centroid.
      cm.on('select', ({ indices, labels: words, source }) => {
        const cluster = source === 'list' && indices.length && !showKmeans ? map.labels[indices[0]] : -1;
        if (cluster >= 0) host.post({ type: 'selection', items: words.slice(0, 1000), focus: { kind: 'cluster', map: key, label: cluster } });
      });
      slot.chart = cm;
    });
  }

  addPythonExports(page, result, host);
  return finish();
}

function compareHeader(result: CompareResult, host: PanelHost): HTMLElement {
  const sources = el('div', 'ml-sources');
  for (const key of ['a', 'b'] as const) {
    const s = result[key].source;
    const details = [`${s.dims} d`, s.format, s.vocabSize ? `${s.vocabSize.toLocaleString('en-US')} words` : undefined, s.provider].filter(Boolean).join(' · ');
    const chip = sourceChip(key, s.label, details, key.toUpperCase());
    if (s.spec !== s.label) chip.appendChild(el('span', 'ml-source-spec', s.spec));
    if (s.synthetic) {
      const badge = el('span', 'ml-badge ml-badge-warning ml-synthetic', 'synthetic vectors — not pretrained');
      badge.title = 'Generated random vectors with planted category structure, for demos and tests. Not a pretrained embedding.';
      chip.appendChild(badge);
    }
    if (s.randomWeights) chip.appendChild(el('span', 'ml-badge ml-badge-warning', 'random weights'));
    // A derived space (the demo's PCA of GloVe) says what it is under its chip.
    if (s.description) chip.appendChild(el('div', 'ml-source-description ml-stat-label', s.description));
    sources.appendChild(chip);
  }
  const cats = result.categories.length;
  const meta = [
    `${result.items.length} words`, `${cats} categor${cats === 1 ? 'y' : 'ies'}`, `${result.rsa.permutations} permutations`,
    `seed ${result.inputs.seed}`, result.inputs.template ? `template "${result.inputs.template}"` : undefined, ...runMeta(result.run),
  ].filter(Boolean).join(' · ');
  return header(result.title, sources, meta, host);
}

/** How the map was made, with each setting as it ran: a lowered perplexity or k says from what. */
function mapSubtitle(space: SpaceResult, adjusted: CompareResult['adjusted']): string {
  const m = space.map;
  if (!m) return '';
  // Auto-chosen values (eps from the k-distance knee) arrive unrounded: three significant digits read better.
  const show = (v: unknown) => (typeof v === 'number' && !Number.isInteger(v) ? String(Number(v.toPrecision(3))) : String(v));
  const opts = Object.entries(m.options).map(([k, v]) => `${k} ${k === 'perplexity' ? usedSetting(adjusted?.perplexity, show(v)) : show(v)}`).join(', ');
  return `${m.method.toUpperCase()}${opts ? ` (${opts})` : ''} then DBSCAN · ${m.clusters.length} clusters${m.kmeans ? ` · k-means k = ${usedSetting(adjusted?.k, m.kmeans.k)}` : ''}`;
}
