// The contrast panel (job 5): header with model, hook, groups and test; the activation image,
// per-neuron and per-sentence means; the t-plot with threshold lines; one neuron across sentences;
// the label-shuffle check; t-SNE of the significant neurons (DBSCAN or k-means) with a cluster
// table; the cluster-sorted Gram and cosine matrices; Neuroscope links. Data reaches the DOM as text.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import type { FromWebview } from '../../protocol/messages';
import type { ContrastResult, NeuronCluster } from '../../protocol/result';
import { activationImage } from '../charts/activation-image';
import { clusterMap } from '../charts/cluster-map';
import { type Chart, fmt, fmtP } from '../charts/common';
import { heatmap } from '../charts/heatmap';
import { histogram } from '../charts/histogram';
import { sentenceValues } from '../charts/sentence-values';
import { shuffleCheck } from '../charts/shuffle-check';
import { tPlot } from '../charts/t-plot';
import { matrixCsv, matrixNpyBase64 } from '../export';
import { type ChartSlot, card, dataExports, el, header, icon, panelPage, runMeta, sourceChip, statRow, usedSetting } from './cards';
import { addPythonExports } from '../python-buttons';
import { type Recorrected, groupSplit, neuronColumn, neuroscopeUrl, recorrect, sentenceMeans, tCritical, thresholdDf, unitLinkText } from './contrast-derive';
import { offDiagonal } from './derive';
import type { RerunClient } from '../rerun-client';
import { contrastRerunControls } from './rerun-fields';

export interface ContrastUiState { neuron?: number; clustering?: 'dbscan' | 'kmeans' }

export interface ContrastPanelHost {
  post(message: FromWebview): void;
  /** Runs the job again with the Run settings bar's values; absent in the HTML report. */
  rerun?: RerunClient;
  ui: ContrastUiState;
  saveUi(ui: ContrastUiState): void;
}

const neuronName = (i: number) => `n${i}`;

export function renderContrast(root: HTMLElement, result: ContrastResult, host: ContrastPanelHost): { destroy(): void } {
  let ui: ContrastUiState = { ...host.ui };
  const { page, register, draw, finish, onFocus } = panelPage(root, 'ml-panel ml-contrast');
  const split = groupSplit(result);
  const nNeurons = result.t.length;
  const sentenceTexts = result.sentences.map((s) => s.text);
  const df = thresholdDf(result);
  const thresholdLabel = (threshold: number) => `p ≤ ${fmtP(threshold)}, df ${result.test === 'welch' ? `≈ ${fmt(df, 1)} (median Welch)` : fmt(df, 0)}`;
  // The correction and alpha can be changed in the panel: the stored p-values are re-corrected;
  // the map, clusters, matrices, links and the shuffle check stay those of the run.
  let live: Recorrected & { correction: 'bonferroni' | 'fdr'; alpha: number } = {
    correction: result.correction, alpha: result.alpha, significant: result.significant, pAdjusted: result.pAdjusted, threshold: result.threshold,
  };
  let sigSet = new Set(result.significant);
  const correctionName = (c: 'bonferroni' | 'fdr') => (c === 'fdr' ? 'Benjamini–Hochberg FDR' : 'Bonferroni');

  page.appendChild(contrastHeader(result, split, host));
  contrastRerunControls(page, result, host.rerun);
  if (result.warnings.length || result.zeroVariance.length) {
    const b = el('div', 'ml-banner ml-banner-info ml-warnings');
    const body = el('div', 'ml-banner-body');
    for (const w of result.warnings) body.appendChild(el('div', undefined, w));
    if (result.zeroVariance.length) body.appendChild(el('div', undefined, `${result.zeroVariance.length} neurons have zero variance in both groups; their t is undefined and they are left out.`));
    b.append(icon('info'), body);
    page.appendChild(b);
  }

  // Activations.
  page.appendChild(el('h2', 'ml-section-title', 'Activations at the target token'));
  const actGrid = el('div', 'ml-grid');
  page.appendChild(actGrid);
  {
    const slot: ChartSlot = {};
    const body = card(actGrid, 'Activation image', `${result.sentences.length} sentences × ${nNeurons} neurons at ${result.hook} · line: ${result.groups[0]} above, ${result.groups[1]} below · click a column to pick the neuron`,
      { name: 'activations', chart: () => slot.chart }, host, 'activations');
    body.parentElement?.classList.add('ml-wide');
    dataExports(body.parentElement?.querySelector('.ml-card-actions'), host, [
      ['csv', 'CSV', 'table', () => ({ type: 'export', format: 'csv', name: 'activations.csv', encoding: 'utf8',
        content: activationsCsv(result) })],
      ['npy', '.npy', 'symbol-array', () => ({ type: 'export', format: 'npy', name: 'activations.npy', content: matrixNpyBase64(result.activations), encoding: 'base64' })],
    ], '');
    draw.push(() => {
      slot.chart = register(activationImage(body, {
        values: result.activations, rowLabels: sentenceTexts, split, groups: result.groups,
      }, { height: Math.max(260, Math.min(520, result.sentences.length * 3 + 70)), onSelectColumn: (j) => pickNeuron(j) }));
    });
  }
  {
    const slot: ChartSlot = {};
    const body = card(actGrid, 'Per-neuron mean activation', 'one value per neuron: its mean over the sentences of each group', { name: 'neuron-means', chart: () => slot.chart }, host, 'neuron-means');
    draw.push(() => {
      slot.chart = register(histogram(body, {
        series: [{ name: result.groups[0], values: result.meanA }, { name: result.groups[1], values: result.meanB }], xLabel: 'mean activation',
      }, { height: 280 }));
    });
  }
  {
    const slot: ChartSlot = {};
    const body = card(actGrid, 'Per-sentence mean activation', 'one value per sentence: its mean over all neurons', { name: 'sentence-means', chart: () => slot.chart }, host, 'sentence-means');
    draw.push(() => {
      slot.chart = register(sentenceValues(body, { values: sentenceMeans(result), sentences: sentenceTexts, split, groups: result.groups, yLabel: 'mean activation' }, { height: 280 }));
    });
  }

  // The t-test.
  const tTitle = page.appendChild(el('h2', 'ml-section-title'));
  const setTitle = () => { tTitle.textContent = `Two-sample t-test per neuron (${result.test === 'welch' ? 'Welch' : 'Student'}, ${correctionName(live.correction)}, α = ${live.alpha})`; };
  setTitle();
  const tGrid = el('div', 'ml-grid');
  page.appendChild(tGrid);
  let tChart: Chart<never, never> | undefined;
  {
    const body = card(tGrid, 't against neuron index', `filled: significant after correction · ×: not significant · dashed: ±t_crit · t > 0: ${result.groups[0]} higher · hover to read t, p, d · click to pick the neuron`,
      { name: 't-values', chart: () => tChart }, host, 't-plot');
    body.parentElement?.classList.add('ml-wide');
    const controls = el('div', 'ml-chart-controls ml-correction-controls');
    const correctionSelect = el('select', 'ml-input ml-correction');
    correctionSelect.setAttribute('aria-label', 'multiple-comparison correction');
    correctionSelect.append(new Option('Bonferroni', 'bonferroni'), new Option('Benjamini–Hochberg FDR', 'fdr'));
    correctionSelect.value = live.correction;
    const alphaInput = el('input', 'ml-input ml-alpha');
    alphaInput.type = 'number';
    alphaInput.step = '0.01';
    alphaInput.min = '0.0001';
    alphaInput.max = '0.5';
    alphaInput.value = String(live.alpha);
    alphaInput.setAttribute('aria-label', 'alpha');
    const correctionLabel = el('label');
    correctionLabel.append(document.createTextNode('correction'), correctionSelect);
    const alphaLabel = el('label');
    alphaLabel.append(document.createTextNode('α'), alphaInput);
    const staleNote = el('span', 'ml-note ml-correction-note');
    controls.append(correctionLabel, alphaLabel, staleNote);
    body.appendChild(controls);
    const stats = statRow([
      ['significant', 'significant', ''], ['threshold', 'p threshold', ''], ['tCritical', 't_crit', ''],
      ['shuffleP', 'label-shuffle p', fmtP(result.labelShuffle.pValue)],
    ]);
    body.appendChild(stats);
    const setStat = (key: string, text: string) => { const v = stats.querySelector(`[data-stat="${key}"]`); if (v) v.textContent = text; };
    const tData = () => {
      const tc = live.threshold > 0 ? tCritical(live.threshold, df) : null;
      setStat('significant', `${live.significant.length} / ${nNeurons}`);
      setStat('threshold', fmtP(live.threshold));
      setStat('tCritical', fmt(tc, 3));
      return { t: result.t, p: result.p, pAdjusted: live.pAdjusted, cohenD: result.cohenD, significant: live.significant, tCritical: tc, thresholdLabel: thresholdLabel(live.threshold), groups: result.groups };
    };
    const initial = tData();
    dataExports(body.parentElement?.querySelector('.ml-card-actions'), host, [
      ['csv', 'CSV', 'table', () => ({ type: 'export', format: 'csv', name: 't-test.csv', encoding: 'utf8', content: tTableCsv(result, live) })],
    ], '');
    draw.push(() => {
      tChart = register(tPlot(body, initial, { height: 320, selected: null, onSelect: (i) => pickNeuron(i) })) as Chart<never, never>;
    });
    const applyCorrection = () => {
      const alpha = Number(alphaInput.value);
      if (!(alpha > 0 && alpha < 1)) { alphaInput.setCustomValidity('α must be between 0 and 1'); return; }
      alphaInput.setCustomValidity('');
      const correction = correctionSelect.value === 'fdr' ? 'fdr' : 'bonferroni';
      live = { correction, alpha, ...recorrect(result.p, correction, alpha) };
      sigSet = new Set(live.significant);
      const changed = correction !== result.correction || alpha !== result.alpha;
      staleNote.textContent = changed
        ? `Re-corrected here from the stored p-values. The map, clusters, matrices, Neuroscope links and shuffle check below are for the run's ${result.significant.length} neurons (${correctionName(result.correction)}, α = ${result.alpha}).`
        : '';
      setTitle();
      tChart?.update(tData() as never, { selected: neuron } as never);
      fillSignificant();
      pickNeuron(neuron);
    };
    correctionSelect.addEventListener('change', applyCorrection);
    alphaInput.addEventListener('change', applyCorrection);
  }
  // One neuron across sentences.
  let neuronChart: Chart<never, never> | undefined;
  const neuronBody = card(tGrid, 'One neuron across sentences', 'pick a neuron by number, from the significant ones, or by clicking the t-plot, the image or the map',
    { name: 'neuron', chart: () => neuronChart }, host, 'neuron');
  const picker = el('div', 'ml-picker ml-neuron-picker');
  const numberInput = el('input', 'ml-input ml-neuron-number');
  numberInput.type = 'number';
  numberInput.min = '0';
  numberInput.max = String(nNeurons - 1);
  numberInput.setAttribute('aria-label', 'neuron number');
  const sigSelect = el('select', 'ml-input ml-neuron-significant');
  sigSelect.setAttribute('aria-label', 'significant neurons by |t|');
  function fillSignificant(): void {
    sigSelect.replaceChildren(new Option(`significant (${live.significant.length}) by |t|…`, ''));
    for (const i of [...live.significant].sort((a, b) => Math.abs(result.t[b]) - Math.abs(result.t[a]))) {
      sigSelect.appendChild(new Option(`${neuronName(i)}  t = ${fmt(result.t[i], 2)}`, String(i)));
    }
  }
  fillSignificant();
  picker.append(el('span', undefined, 'Neuron'), numberInput, sigSelect);
  neuronBody.appendChild(picker);
  const neuronStats = el('div', 'ml-stats ml-neuron-stats');
  neuronBody.appendChild(neuronStats);
  const neuronHost = el('div');
  neuronBody.appendChild(neuronHost);
  const strongest = result.significant.length
    ? result.significant.reduce((b, i) => (Math.abs(result.t[i]) > Math.abs(result.t[b]) ? i : b), result.significant[0])
    : 0;
  let neuron = ui.neuron !== undefined && ui.neuron >= 0 && ui.neuron < nNeurons ? ui.neuron : strongest;
  const neuronData = (i: number) => ({
    values: neuronColumn(result, i), sentences: sentenceTexts, split, groups: result.groups, yLabel: 'activation',
    title: `${neuronName(i)}${sigSet.has(i) ? ' · significant' : ''}`,
  });
  function showNeuronStats(i: number): void {
    neuronStats.replaceChildren();
    const items: [string, string, string][] = [
      ['t', 't', fmt(result.t[i])], ['p', 'p', fmtP(result.p[i])], ['pAdjusted', 'adjusted p', fmtP(live.pAdjusted[i])],
      ['d', "Cohen's d", fmt(result.cohenD[i])], ['df', 'df', fmt(result.df[i], result.test === 'welch' ? 1 : 0)],
    ];
    neuronStats.append(...statRow(items).childNodes);
    const url = neuroscopeUrl(result, i);
    if (url) neuronStats.appendChild(neuroscopeLink(url, unitLinkText(result, i), host));
  }
  numberInput.value = String(neuron);
  showNeuronStats(neuron);
  draw.push(() => { neuronChart = register(sentenceValues(neuronHost, neuronData(neuron), { height: 260 })); });
  function pickNeuron(i: number): void {
    if (!Number.isInteger(i) || i < 0 || i >= nNeurons) return;
    neuron = i;
    ui = { ...ui, neuron: i };
    host.saveUi(ui);
    numberInput.value = String(i);
    sigSelect.value = sigSet.has(i) ? String(i) : '';
    showNeuronStats(i);
    neuronChart?.update(neuronData(i) as never);
    tChart?.update(undefined, { selected: i } as never);
    host.post({ type: 'selection', items: [neuronName(i)] });
  }
  numberInput.addEventListener('change', () => pickNeuron(Number(numberInput.value)));
  sigSelect.addEventListener('change', () => { if (sigSelect.value !== '') pickNeuron(Number(sigSelect.value)); });
  // The Inspector's "Open in panel" for a neuron: pick it and bring its card into view.
  onFocus(({ items, focus }) => {
    const named = /^n(\d+)$/.exec(items[0] ?? '');
    const i = focus?.kind === 'neuron' ? focus.neuron : named ? Number(named[1]) : -1;
    if (i < 0 || i >= nNeurons) return;
    pickNeuron(i);
    neuronBody.parentElement?.scrollIntoView({ block: 'center' });
  });
  {
    const slot: ChartSlot = {};
    const ls = result.labelShuffle;
    const body = card(tGrid, 'Label-shuffle check', `how many neurons pass the same test and correction when the ${result.groups[0]}/${result.groups[1]} labels are shuffled (${ls.shuffles} times), against the real labels · p = (1 + shuffles with ≥ ${ls.observed}) / (1 + ${ls.shuffles})`,
      { name: 'label-shuffle', chart: () => slot.chart }, host, 'label-shuffle');
    draw.push(() => { slot.chart = register(shuffleCheck(body, ls, { height: 260 })); });
  }

  // Significant neurons: map, clusters, matrices.
  page.appendChild(el('h2', 'ml-section-title', `Significant neurons (${result.significant.length})`));
  const sigGrid = el('div', 'ml-grid');
  page.appendChild(sigGrid);
  if (result.significant.length < 2) {
    sigGrid.appendChild(el('div', 'ml-note', 'Fewer than two significant neurons: nothing to map or cluster.'));
  } else {
    mapSection(sigGrid);
    matrixSection(sigGrid);
  }
  if ((result.sae ? result.sae.neuronpedia : result.neuroscope && result.layer !== null) && result.significant.length) linksSection(page);
  else if (!result.sae && result.layer !== null && result.significant.length) noLinksNote(page);

  /** A model Neuroscope has no pages for: said, so that the missing links are not read as a fault. */
  function noLinksNote(parent: HTMLElement): void {
    parent.appendChild(el('h2', 'ml-section-title', 'Neuroscope'));
    const c = el('section', 'ml-card ml-neuroscope');
    c.setAttribute('data-card', 'neuroscope');
    c.appendChild(el('div', 'ml-note', `neuroscope.io has no neuron pages for ${result.model.label}, so there are no links here. It covers GPT-2 (small, medium, large, XL) and EleutherAI/pythia-70m.`));
    parent.appendChild(c);
  }

  function mapSection(parent: HTMLElement): void {
    const slot: ChartSlot = {};
    const options = result.run.options as Record<string, unknown>;
    const body = card(parent, 't-SNE of the significant neurons', `neurons are points, sentences are features · perplexity ${usedSetting(result.adjusted?.perplexity, options.perplexity)} · color: t (RdBu) · DBSCAN eps ${options.epsChosen === 'auto' && typeof options.eps === 'number' ? `${options.eps.toPrecision(3)} (automatic)` : String(options.eps ?? '—')}, min samples ${String(options.minSamples ?? '—')}${result.kmeans ? ` · k-means k = ${usedSetting(result.adjusted?.k, result.kmeans.k)}` : ''}`,
      { name: 'neuron-map', chart: () => slot.chart }, host, 'neuron-map');
    body.parentElement?.classList.add('ml-wide');
    const controls = el('div', 'ml-chart-controls');
    const clusteringSelect = el('select', 'ml-input ml-clustering');
    clusteringSelect.setAttribute('aria-label', 'clustering shown');
    clusteringSelect.appendChild(new Option(`DBSCAN (${result.clusters.filter((c) => c.label >= 0).length} clusters)`, 'dbscan'));
    if (result.kmeans) clusteringSelect.appendChild(new Option(`k-means (k = ${result.kmeans.k})`, 'kmeans'));
    const clusteringLabel = el('label');
    clusteringLabel.append(document.createTextNode('clusters'), clusteringSelect);
    controls.appendChild(clusteringLabel);
    body.appendChild(controls);
    const table = el('div', 'ml-cluster-table');
    const mapHost = el('div');
    body.append(mapHost, table);
    let clustering: 'dbscan' | 'kmeans' = ui.clustering === 'kmeans' && result.kmeans ? 'kmeans' : 'dbscan';
    clusteringSelect.value = clustering;
    const current = () => (clustering === 'kmeans' && result.kmeans
      ? { labels: result.kmeans.labels, clusters: result.kmeans.clusters, name: 'k-means' }
      : { labels: result.labels, clusters: result.clusters, name: 'DBSCAN' });
    const mapData = () => ({
      labels: result.significant.map(neuronName), coords: result.coords.flat(), clusters: current().labels,
      values: result.significant.map((i) => result.t[i]), valueLabel: 't',
      vectors: { data: result.significant.flatMap((i) => neuronColumn(result, i)), dims: result.sentences.length },
    });
    table.replaceChildren(clusterTable(current().clusters, current().name));
    draw.push(() => {
      const cm = register(clusterMap(mapHost, mapData(), { height: 440, colorBy: 'value', memberLists: false }));
      cm.on('select', ({ indices, source }) => { if (source === 'click' && indices.length === 1) pickNeuron(result.significant[indices[0]]); });
      // A lasso or list selection inside one cluster: the Inspector shows that cluster's neurons and profile.
      cm.on('select', ({ indices, source }) => {
        const labels = new Set(indices.map((i) => current().labels[i]));
        const [cluster] = labels;
        if (source !== 'click' && labels.size === 1 && cluster >= 0) {
          host.post({ type: 'selection', items: indices.map((i) => neuronName(result.significant[i])).slice(0, 1000), focus: { kind: 'cluster', map: current().name === 'k-means' ? 'kmeans' : 'dbscan', label: cluster } });
        }
      });
      slot.chart = cm;
    });
    clusteringSelect.addEventListener('change', () => {
      clustering = clusteringSelect.value === 'kmeans' ? 'kmeans' : 'dbscan';
      ui = { ...ui, clustering };
      host.saveUi(ui);
      table.replaceChildren(clusterTable(current().clusters, current().name));
      slot.chart?.update(mapData() as never);
    });
  }

  function matrixSection(parent: HTMLElement): void {
    const order = result.clusterOrder;
    const labels = order.map(neuronName);
    const byNeuron = new Map(result.significant.map((n, k) => [n, result.labels[k]] as const));
    const categories = order.map((n) => { const l = byNeuron.get(n) ?? -1; return l < 0 ? 'noise' : `cluster ${l}`; });
    for (const [key, title, values] of [['gram', 'Gram matrix', result.gram], ['cosine', 'Cosine similarity', result.cosine]] as const) {
      const slot: ChartSlot = {};
      const body = card(parent, `${title} of the significant neurons`, 'activation profiles over sentences, sorted by DBSCAN cluster then t', { name: `${key}-matrix`, chart: () => slot.chart }, host, `${key}-matrix`);
      dataExports(body.parentElement?.querySelector('.ml-card-actions'), host, [
        ['csv', 'CSV', 'table', () => ({ type: 'export', format: 'csv', name: `${key}.csv`, content: matrixCsv(labels, values), encoding: 'utf8' })],
        ['npy', '.npy', 'symbol-array', () => ({ type: 'export', format: 'npy', name: `${key}.npy`, content: matrixNpyBase64(values), encoding: 'base64' })],
      ], '');
      draw.push(() => {
        slot.chart = register(heatmap(body, { labels, values, categories, name: title }, {
          scheme: 'diverging', controls: false, maxSize: 460, onSelect: (k) => { if (k !== null) pickNeuron(order[k]); },
        }));
      });
    }
    const slot: ChartSlot = {};
    const body = card(parent, 'Cosines between significant neurons', 'off-diagonal entries of the cosine matrix: near ±1, neurons that rise and fall together (or oppositely) across sentences', { name: 'cosine-histogram', chart: () => slot.chart }, host, 'cosine-histogram');
    body.parentElement?.classList.add('ml-wide');
    draw.push(() => { slot.chart = register(histogram(body, { series: [{ name: 'cosine', values: offDiagonal(result.cosine) }], xLabel: 'cosine similarity' }, { height: 260 })); });
  }

  function linksSection(parent: HTMLElement): void {
    parent.appendChild(el('h2', 'ml-section-title', result.sae ? 'Neuronpedia' : 'Neuroscope'));
    const c = el('section', 'ml-card ml-neuroscope');
    c.setAttribute('data-card', 'neuroscope');
    c.appendChild(el('div', 'ml-card-subtitle', result.sae
      ? `Each significant feature's page on Neuronpedia (${result.sae.label}), strongest |t| first. Opens in your browser.${result.sae.neuronpediaNote ? ` ${result.sae.neuronpediaNote}.` : ''}`
      : `Top-activating texts of each significant neuron on neuroscope.io (layer ${result.layer}), strongest |t| first. Opens in your browser.`));
    const list = el('div', 'ml-neuroscope-links');
    for (const i of [...result.significant].sort((a, b) => Math.abs(result.t[b]) - Math.abs(result.t[a]))) {
      const url = neuroscopeUrl(result, i);
      if (url) list.appendChild(neuroscopeLink(url, unitLinkText(result, i, true), host, `t = ${fmt(result.t[i], 2)}`));
    }
    c.appendChild(list);
    parent.appendChild(c);
  }

  addPythonExports(page, result, host);
  return finish();
}

function neuroscopeLink(url: string, text: string, host: ContrastPanelHost, detail?: string): HTMLElement {
  const a = el('a', 'ml-neuroscope-link', text);
  a.href = url;
  a.title = detail ? `${detail} · ${url}` : url;
  a.addEventListener('click', (event) => {
    event.preventDefault();
    host.post({ type: 'openLink', url });
  });
  return a;
}

function clusterTable(clusters: NeuronCluster[], name: string): HTMLTableElement {
  const table = el('table', 'ml-table');
  table.setAttribute('data-clustering', name);
  const head = el('tr');
  for (const h of [`${name} cluster`, 'units', 'mean t', 'mean |t|', 'neurons']) head.appendChild(el('th', undefined, h));
  table.appendChild(el('thead')).appendChild(head);
  const body = table.appendChild(el('tbody'));
  for (const c of [...clusters].sort((a, b) => a.label - b.label)) {
    const row = el('tr');
    const shown = c.neurons.slice(0, 24).map(neuronName).join(' ') + (c.neurons.length > 24 ? ` … (+${c.neurons.length - 24})` : '');
    for (const text of [c.label < 0 ? 'noise' : String(c.label), String(c.neurons.length), fmt(c.meanT, 2), fmt(c.meanAbsT, 2), shown]) row.appendChild(el('td', undefined, text));
    body.appendChild(row);
  }
  return table;
}

function csvCell(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Sentences × neurons with each row's group and sentence, for pandas.read_csv. */
function activationsCsv(result: ContrastResult): string {
  const lines = [['group', 'sentence', ...result.t.map((_, j) => neuronName(j))].join(',')];
  result.activations.forEach((row, i) => {
    const s = result.sentences[i];
    lines.push([csvCell(result.groups[s.group] ?? ''), csvCell(s.text), ...row.map(String)].join(','));
  });
  return `${lines.join('\n')}\n`;
}

function tTableCsv(result: ContrastResult, live: Recorrected): string {
  const lines = ['neuron,t,p,p_adjusted,df,cohen_d,mean_a,mean_b,significant'];
  const sig = new Set(live.significant);
  for (let i = 0; i < result.t.length; i++) {
    lines.push([i, result.t[i], result.p[i], live.pAdjusted[i], result.df[i], result.cohenD[i], result.meanA[i], result.meanB[i], sig.has(i) ? 1 : 0].join(','));
  }
  return `${lines.join('\n')}\n`;
}

function contrastHeader(result: ContrastResult, split: number, host: ContrastPanelHost): HTMLElement {
  const chips = el('div', 'ml-sources');
  chips.append(
    sourceChip('model', result.model.label, [result.model.revision ? result.model.revision.slice(0, 15) : undefined].filter(Boolean).join(' · ') || undefined),
    sourceChip('hook', result.hook, `${result.t.length} neurons`),
    sourceChip('provider', result.provider),
    sourceChip('groups', `${result.groups[0]} (${split}) vs ${result.groups[1]} (${result.sentences.length - split})`),
  );
  const meta = [
    `${result.test === 'welch' ? 'Welch' : 'Student'} t-test`, `${result.correction === 'fdr' ? 'FDR (Benjamini–Hochberg)' : 'Bonferroni'} at α = ${result.alpha}`,
    `p threshold ${fmtP(result.threshold)}`, `${result.significant.length} significant`, `${result.labelShuffle.shuffles} label shuffles`,
    `seed ${result.inputs.seed}`, ...runMeta(result.run),
  ].join(' · ');
  return header(result.title, chips, meta, host);
}
