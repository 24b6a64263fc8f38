// The heads panel: the model and what it read; a layers × heads map per detector (previous-token,
// duplicate-token, induction); every head as a small multiple of its pattern with its three scores,
// sorted and filtered by a detector; and the head picked (in a map or the grid) with its pattern,
// the tokens on both axes. Every piece of data reaches the DOM as text.
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import type { FromWebview } from '../../protocol/messages';
import type { HeadDetector, HeadsResult } from '../../protocol/result';
import { rerunLimits, type HeadsRerunParams } from '../../protocol/rerun';
import { fmt } from '../charts/common';
import { DETECTOR_LABELS, DETECTOR_NAMES, type HeadRef, attentionPattern, headGrid, headScoreMap } from '../charts/head-grid';
import { type SingleSelect, singleSelect } from '../charts/single-select';
import { matrixCsv, matrixNpyBase64, tableCsv } from '../export';
import { addPythonExports } from '../python-buttons';
import type { RerunClient } from '../rerun-client';
import { type ChartSlot, card, dataExports, el, header, notesBanner, panelPage, runMeta, sourceChip, statRow } from './cards';
import { rerunControls } from './rerun-controls';

export interface HeadsUiState {
  selected?: HeadRef;
  sortBy?: HeadDetector | 'layer';
  /** Heads below this score (of sortBy's detector) are hidden from the grid. */
  minScore?: number;
  /** Which text's patterns the grid and the picked head show. */
  text?: number;
}

export interface HeadsPanelHost {
  post(message: FromWebview): void;
  rerun?: RerunClient;
  ui: HeadsUiState;
  saveUi(ui: HeadsUiState): void;
}

/** The order and filter of the grid: by layer then head, or by one detector's mean score, highest first. */
export function orderHeads(result: HeadsResult, sortBy: HeadDetector | 'layer', minScore: number): HeadRef[] {
  const all: HeadRef[] = [];
  for (let layer = 0; layer < result.nLayer; layer++) for (let head = 0; head < result.nHead; head++) all.push({ layer, head });
  if (sortBy === 'layer') return all;
  const score = (h: HeadRef) => result.scores[sortBy][h.layer][h.head];
  return all.filter((h) => score(h) >= minScore).sort((a, b) => score(b) - score(a));
}

const headName = (h: HeadRef) => `L${h.layer}H${h.head}`;

export function renderHeads(root: HTMLElement, result: HeadsResult, host: HeadsPanelHost): { destroy(): void } {
  let ui: HeadsUiState = { sortBy: 'layer', minScore: 0, text: 0, ...host.ui };
  const { page, register, draw, finish, onFocus } = panelPage(root, 'ml-panel ml-heads');
  const save = (next: Partial<HeadsUiState>) => { ui = { ...ui, ...next }; host.saveUi(ui); };
  const textIndex = () => Math.min(ui.text ?? 0, result.texts.length - 1);

  const tokens = result.texts.reduce((n, t) => n + t.tokens.length, 0);
  const what = result.probe
    ? `${result.probe.tokens} random tokens, repeated (seed ${result.probe.seed}), after ${result.probe.bos?.token ?? 'no BOS'}`
    : `${result.texts.length} text${result.texts.length === 1 ? '' : 's'}, ${tokens} tokens${result.bosAdded ? ' (BOS added)' : ''}`;
  page.appendChild(header(result.title, sourceChip('model', result.model.label, `${result.nLayer} layers × ${result.nHead} heads`),
    [what, `provider ${result.provider}`, ...runMeta(result.run)].join(' · '), host));
  if (result.probe) probeControls(page, result, host.rerun);
  notesBanner(page, result.warnings);
  page.appendChild(statRow(DETECTOR_NAMES.map((d) => {
    const best = orderHeads(result, d, -Infinity)[0];
    return [d, `top ${DETECTOR_LABELS[d]}`, `${headName(best)} ${fmt(result.scores[d][best.layer][best.head])}`] as [string, string, string];
  })));

  const select = (head: HeadRef) => {
    save({ selected: head });
    host.post({ type: 'selection', items: [headName(head)], focus: { kind: 'head', layer: head.layer, head: head.head } });
    redrawSelection();
  };

  // One layers × heads map per detector.
  page.appendChild(el('h2', 'ml-section-title', 'Detector scores (mean over texts)'));
  const mapGrid = el('div', 'ml-grid ml-heads-maps');
  page.appendChild(mapGrid);
  const maps: ReturnType<typeof headScoreMap>[] = [];
  for (const d of DETECTOR_NAMES) {
    const slot: ChartSlot = {};
    const name = `scores-${d}`;
    const body = card(mapGrid, DETECTOR_LABELS[d], definition(d), { name, chart: () => slot.chart }, host, name);
    const rowLabels = result.scores[d].map((_, l) => `layer ${l}`);
    dataExports(body.parentElement?.querySelector('.ml-card-actions'), host, [
      ['csv', 'CSV', 'table', () => ({ type: 'export', format: 'csv', name: `${name}.csv`, content: tableCsv(['layer', ...result.scores[d][0].map((_, h) => `head ${h}`)], result.scores[d].map((row, l) => [rowLabels[l], ...row])), encoding: 'utf8' })],
      ['npy', '.npy', 'symbol-array', () => ({ type: 'export', format: 'npy', name: `${name}.npy`, content: matrixNpyBase64(result.scores[d]), encoding: 'base64' })],
    ]);
    draw.push(() => {
      const chart = register(headScoreMap(body, { detector: d, values: result.scores[d], selected: ui.selected ?? null }, { onSelect: select }));
      maps.push(chart);
      slot.chart = chart;
    });
  }

  // Small multiples.
  page.appendChild(el('h2', 'ml-section-title', 'Every head'));
  const gridSlot: ChartSlot = {};
  const gridBody = card(page, 'Attention patterns', result.patterns
    ? 'Each square is one head\'s pattern (query ↓, key →; brighter = more weight, square-root scale); the bars below it are its previous-token, duplicate-token and induction scores (0 to 1). Click a head to open it.'
    : 'This run kept no patterns (see the note above): the bars are each head\'s scores.', { name: 'head-grid', chart: () => gridSlot.chart }, host, 'head-grid');
  gridBody.parentElement?.classList.add('ml-wide');
  const controls = el('div', 'ml-heads-controls');
  gridBody.appendChild(controls);
  const legend = el('div', 'ml-heads-legend');
  for (const d of DETECTOR_NAMES) {
    const item = el('span', `ml-heads-legend-${d}`);
    item.append(el('span', 'ml-heads-swatch'), document.createTextNode(DETECTOR_LABELS[d]));
    legend.appendChild(item);
  }
  const sort = singleSelect([['layer', 'layer, then head'], ...DETECTOR_NAMES.map((d) => [d, `${DETECTOR_LABELS[d]} score`] as const)], ui.sortBy ?? 'layer', 'sort heads by');
  sort.setAttribute('data-control', 'sort');
  // A text field with a decimal keyboard, checked here (as the Run settings fields are): the
  // element's type=number validation marks values off its step invalid without a message.
  const min = document.createElement('vscode-textfield') as HTMLElement & { value: string; invalid: boolean; disabled: boolean };
  min.setAttribute('inputmode', 'decimal');
  min.setAttribute('aria-label', 'lowest score shown');
  min.setAttribute('data-control', 'min-score');
  min.value = String(ui.minScore ?? 0);
  min.title = 'Hide heads whose score (of the detector sorted by) is below this: a number from 0 to 1';
  const syncMin = () => { min.disabled = (ui.sortBy ?? 'layer') === 'layer'; };
  syncMin();
  const labelled = (text: string, control: HTMLElement) => {
    const label = el('label', 'ml-heads-control');
    label.append(el('span', undefined, text), control);
    return label;
  };
  controls.append(labelled('Sort by', sort), labelled('at least', min));
  let textPick: SingleSelect | undefined;
  if (result.texts.length > 1) {
    textPick = singleSelect(result.texts.map((t, i) => [String(i), `${i + 1}: ${t.text.slice(0, 60)}`]), String(textIndex()), 'text whose patterns are shown');
    textPick.setAttribute('data-control', 'text');
    controls.append(labelled('Patterns of text', textPick));
  }
  controls.appendChild(legend);
  const count = el('div', 'ml-note');
  gridBody.appendChild(count);
  const gridHost = el('div');
  gridBody.appendChild(gridHost);
  const gridData = () => {
    const heads = orderHeads(result, ui.sortBy ?? 'layer', ui.sortBy === 'layer' ? 0 : ui.minScore ?? 0);
    count.textContent = `${heads.length} of ${result.nLayer * result.nHead} heads${result.texts.length > 1 ? ` · patterns of text ${textIndex() + 1}` : ''}`;
    return { heads, scores: result.scores, patterns: result.patterns?.[textIndex()] ?? null, selected: ui.selected ?? null };
  };
  draw.push(() => { gridSlot.chart = register(headGrid(gridHost, gridData(), { onSelect: select, cell: result.nLayer * result.nHead <= 48 ? 104 : 64 })); });
  const refreshGrid = () => (gridSlot.chart as ReturnType<typeof headGrid> | undefined)?.update(gridData());
  sort.addEventListener('change', () => {
    const sortBy = sort.value as HeadsUiState['sortBy'];
    if (sortBy !== 'layer' && !DETECTOR_NAMES.includes(sortBy as HeadDetector)) return;
    save({ sortBy });
    syncMin();
    refreshGrid();
  });
  const readMin = () => {
    const text = min.value.trim();
    const v = Number(text);
    min.invalid = text === '' || !Number.isFinite(v) || v < 0 || v > 1;
    if (!min.invalid && v !== ui.minScore) { save({ minScore: v }); refreshGrid(); }
  };
  min.addEventListener('input', readMin);
  min.addEventListener('change', readMin);
  textPick?.addEventListener('change', () => {
    const chosen = Number(textPick!.value);
    if (!Number.isInteger(chosen) || chosen === textIndex()) return;
    save({ text: chosen });
    refreshGrid();
    redrawSelection();
  });

  // The head picked.
  page.appendChild(el('h2', 'ml-section-title', 'One head'));
  const detailSlot: ChartSlot = {};
  const detailBody = card(page, 'Pattern of the head picked', 'Hover a query token (rows) for where it attends, a key token (columns) for what attends to it; the token strip colours both.',
    { name: 'head-pattern', chart: () => detailSlot.chart }, host, 'head-pattern');
  detailBody.parentElement?.classList.add('ml-wide');
  dataExports(detailBody.parentElement?.querySelector('.ml-card-actions'), host, [
    ['csv', 'CSV', 'table', () => patternExport('csv')],
    ['npy', '.npy', 'symbol-array', () => patternExport('npy')],
  ], 'the pattern ');
  const detailInfo = el('div');
  const detailHost = el('div');
  detailBody.append(detailInfo, detailHost);
  function patternExport(format: 'csv' | 'npy'): FromWebview {
    const h = ui.selected ?? { layer: 0, head: 0 };
    const pattern = result.patterns?.[textIndex()]?.[h.layer]?.[h.head] ?? [];
    const labels = result.texts[textIndex()].tokens.map((t) => t.token);
    const name = `pattern-text${textIndex() + 1}-${headName(h)}`;
    return format === 'csv'
      ? { type: 'export', format: 'csv', name: `${name}.csv`, content: matrixCsv(labels, pattern), encoding: 'utf8' }
      : { type: 'export', format: 'npy', name: `${name}.npy`, content: matrixNpyBase64(pattern), encoding: 'base64' };
  }
  function redrawSelection(): void {
    maps.forEach((m, i) => m.update({ detector: DETECTOR_NAMES[i], values: result.scores[DETECTOR_NAMES[i]], selected: ui.selected ?? null }));
    refreshGrid();
    const h = ui.selected;
    detailSlot.chart?.destroy();
    detailSlot.chart = undefined;
    detailInfo.replaceChildren();
    if (!h) {
      detailInfo.appendChild(el('p', 'ml-note', 'Click a head in a map or in the grid.'));
      return;
    }
    const text = result.texts[textIndex()];
    detailInfo.appendChild(statRow([
      ['head', 'head', headName(h)],
      ...DETECTOR_NAMES.map((d) => [d, DETECTOR_LABELS[d], `${fmt(text.scores[d][h.layer][h.head])} (mean ${fmt(result.scores[d][h.layer][h.head])})`] as [string, string, string]),
    ]));
    const pattern = result.patterns?.[textIndex()]?.[h.layer]?.[h.head];
    if (!pattern) {
      detailInfo.appendChild(el('p', 'ml-note', 'This run kept no patterns.'));
      return;
    }
    detailSlot.chart = register(attentionPattern(detailHost, { tokens: text.tokens.map((t) => t.token), pattern, title: headName(h) }));
  }
  draw.push(redrawSelection);
  onFocus(({ focus, items }) => {
    const named = /^L(\d+)H(\d+)$/.exec(items[0] ?? '');
    const head = focus?.kind === 'head' ? { layer: focus.layer, head: focus.head } : named ? { layer: Number(named[1]), head: Number(named[2]) } : undefined;
    if (head && head.layer < result.nLayer && head.head < result.nHead) { save({ selected: head }); redrawSelection(); }
  });

  addPythonExports(page, result, host);
  return finish();
}

function definition(d: HeadDetector): string {
  const D = { previousToken: 'k = q − 1', duplicateToken: 'k < q, tok[k] = tok[q]', induction: '1 ≤ k < q, tok[k−1] = tok[q]' }[d];
  return `(1/T) Σ A[q,k] over ${D}; click a head to open it`;
}

/** The probe's N and seed, to run again. */
function probeControls(page: HTMLElement, result: HeadsResult, client: RerunClient | undefined): void {
  rerunControls(page, {
    hint: 'Running again runs the model on new random tokens.',
    fields: [
      { kind: 'number', key: 'repeatTokens', label: 'Random tokens (N)', value: result.probe!.tokens, limit: rerunLimits.repeatTokens, title: 'Tokens before the sequence repeats' },
      { kind: 'number', key: 'seed', label: 'Seed', value: result.probe!.seed, limit: rerunLimits.seed, title: 'Seed of the random tokens' },
    ],
    toParams: (v): HeadsRerunParams => ({ job: 'heads', repeatTokens: Number(v.repeatTokens), seed: Number(v.seed) }),
    client,
  });
}
