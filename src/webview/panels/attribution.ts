// The logit-attribution panel: for the chosen text, the check sum (Σ components + constant against
// the logit difference, and the model's own logits), the softcap note for Gemma-2, a waterfall from
// the embeddings through each layer's attention and MLP to the logit difference, attention vs MLP per
// layer, and the layers × heads grid of each head's direct effect. Clicking a layer or a head shows
// that layer in the Inspector. Exports: CSV and .npy of the components and heads, SVG/PNG of each chart.
import type { FromWebview } from '../../protocol/messages';
import type { AttributionResult, TextAttribution } from '../../protocol/result';
import { fmt } from '../charts/common';
import { headValueMap } from '../charts/head-value-map';
import { layerSweep } from '../charts/layer-sweep';
import { singleSelect } from '../charts/single-select';
import { waterfall, type WaterfallStep } from '../charts/waterfall';
import { matrixNpyBase64, tableCsv } from '../export';
import { addPythonExports } from '../python-buttons';
import type { RerunClient } from '../rerun-client';
import { card, dataExports, el, header, notesBanner, panelPage, runMeta, sourceChip, statRow } from './cards';
import { rerunControls } from './rerun-controls';

export interface AttributionUiState { text?: number }

export interface AttributionPanelHost {
  post(message: FromWebview): void;
  ui: AttributionUiState;
  saveUi(ui: AttributionUiState): void;
  rerun?: RerunClient;
}

export interface AttributionView { destroy(): void }

/** What is attributed, in words: `logit(␣Paris) − logit(␣London)`. */
export function attributedQuantity(result: AttributionResult): string {
  return result.contrast ? `logit(${result.target.token}) − logit(${result.contrast.token})` : `logit(${result.target.token})`;
}

/** The waterfall's steps: the components in forward order, then the constant. */
export function waterfallSteps(text: TextAttribution): WaterfallStep[] {
  const steps: WaterfallStep[] = text.components.map((c) => {
    const m = /^blocks\.(\d+)\.(attn|mlp)$/.exec(c.name);
    return m ? { label: c.name, value: c.value, kind: m[2] as 'attn' | 'mlp', layer: Number(m[1]) } : { label: c.name, value: c.value, kind: 'embed' };
  });
  steps.push({ label: 'constant (β·u)', value: text.constant, kind: 'constant' });
  return steps;
}

/** One row per component (and the constant) of every text, as pandas reads it. */
export function componentsCsv(result: AttributionResult): string {
  return tableCsv(['text', 'component', 'value'], result.texts.flatMap((t, i) => [
    ...t.components.map((c) => [i, c.name, c.value] as (string | number)[]), [i, 'constant', t.constant], [i, 'logit_diff', t.logitDiff],
  ]));
}

export function headsCsv(text: TextAttribution): string {
  return tableCsv(['layer', 'head', 'value'], text.heads.flatMap((row, l) => row.map((v, h) => [l, h, v])));
}

export function renderAttribution(root: HTMLElement, result: AttributionResult, host: AttributionPanelHost): AttributionView {
  let ui: AttributionUiState = { ...host.ui };
  const { page, register, draw, finish } = panelPage(root, 'ml-panel ml-attribution');
  const quantity = attributedQuantity(result);
  const chips = el('div', 'ml-sources');
  chips.append(
    sourceChip('model', result.model.label, `${result.nLayer} layers · ${result.nHead} heads · ${result.norm === 'layernorm' ? 'LayerNorm' : 'RMSNorm'}`, 'model'),
    sourceChip('target', quantity, result.contrast ? `ids ${result.target.id} − ${result.contrast.id}` : `id ${result.target.id}`, 'target'),
  );
  page.appendChild(header(result.title, chips, [`${result.texts.length} text${result.texts.length === 1 ? '' : 's'}`, `provider ${result.provider}`, ...runMeta(result.run)].join(' · '), host));
  rerunControls(page, {
    hint: 'Running again attributes the same texts to another target or contrast.',
    fields: [
      { kind: 'text', key: 'target', label: 'Target', value: result.inputs.target, title: 'One token with a leading space' },
      { kind: 'text', key: 'contrast', label: 'Contrast', value: result.inputs.contrast ?? '', title: 'Optional: attribute logit(target) − logit(contrast)' },
    ],
    toParams: (v) => ({ job: 'attribution', target: String(v.target ?? ''), contrast: String(v.contrast ?? '') }),
    client: host.rerun,
  });
  const notes = [...result.warnings];
  if (result.softcap !== null) {
    notes.unshift(`This model caps its final logits (cap · tanh(logit / cap), cap ${result.softcap}). The attribution is to the logit before the softcap; both are shown below.`);
  }
  notesBanner(page, notes);

  const index = ui.text !== undefined && ui.text < result.texts.length ? ui.text : 0;
  if (result.texts.length > 1) {
    const picker = el('div', 'ml-picker ml-attribution-texts');
    const label = el('label', 'ml-stat-label', `Text (${result.texts.length})`);
    const select = singleSelect(result.texts.map((t, i) => [String(i), `${i + 1}. ${t.text.length > 90 ? `${t.text.slice(0, 89)}…` : t.text}`]), String(index), 'text attributed');
    select.id = 'ml-attribution-text';
    select.className = 'ml-attribution-text-select';
    label.setAttribute('for', select.id);
    picker.append(label, select);
    page.appendChild(picker);
    select.addEventListener('change', () => {
      const chosen = Number(select.value);
      if (!Number.isInteger(chosen) || chosen === index) return;
      ui = { ...ui, text: chosen };
      host.saveUi(ui);
      view.destroy();
      view = renderAttribution(root, result, { ...host, ui });
      // The page was drawn again: the keyboard stays on the text picker (focusable once it has rendered).
      const next = root.querySelector<HTMLElement & { updateComplete?: Promise<unknown> }>('.ml-attribution-text-select');
      void Promise.resolve(next?.updateComplete).then(() => next?.focus());
    });
  }
  const text = result.texts[index];
  const selectLayer = (layer: number) => host.post({ type: 'selection', items: [text.text], focus: { kind: 'layer', layer } });

  const summary = card(page, 'Check sum', `${quantity} after the last token (${text.tokens[text.position]}) of "${text.text}"`, undefined, host, 'check-sum');
  const error = Math.abs(text.sum - text.logitDiff);
  const pre = result.softcap !== null ? ' (before the softcap)' : '';
  summary.appendChild(statRow([
    ['logit-diff', `${quantity}${pre}`, fmt(text.logitDiff, 5)],
    ['sum', 'Σ components + constant', fmt(text.sum, 5)],
    ['difference', 'difference', error.toExponential(1)],
    ['constant', 'constant β·u', fmt(text.constant, 4)],
    ['model', `the model's own${result.softcap !== null ? ' (after the softcap)' : ''}`, fmt(text.modelLogitDiff, 5)],
  ]));
  if (result.softcap !== null) {
    const post = text.logits.target.postSoftcap - (text.logits.contrast?.postSoftcap ?? 0);
    summary.appendChild(el('div', 'ml-note ml-softcap-note', `After the softcap: ${fmt(post, 5)} (target ${fmt(text.logits.target.preSoftcap, 4)} → ${fmt(text.logits.target.postSoftcap, 4)}` +
      `${text.logits.contrast ? `, contrast ${fmt(text.logits.contrast.preSoftcap, 4)} → ${fmt(text.logits.contrast.postSoftcap, 4)}` : ''}).`));
  }
  const summaryActions = el('div', 'ml-card-actions');
  summary.parentElement?.querySelector('.ml-card-header')?.appendChild(summaryActions);
  dataExports(summaryActions, host, [
    ['csv', 'CSV', 'table', () => ({ type: 'export', format: 'csv', name: 'attribution-components.csv', encoding: 'utf8', content: componentsCsv(result) })],
  ], 'every text\'s components ');

  const grid = el('div', 'ml-grid');
  page.appendChild(grid);
  const waterfallBody = card(grid, 'Waterfall', `each component's direct effect on ${quantity}, from the embeddings to the sum`, { name: 'attribution-waterfall', chart: () => charts.waterfall }, host, 'waterfall');
  waterfallBody.parentElement?.classList.add('ml-wide');
  const layers = Array.from({ length: result.nLayer }, (_, l) => l);
  const valueOf = (name: string) => text.components.find((c) => c.name === name)?.value ?? null;
  const perLayerBody = card(grid, 'Attention vs MLP per layer', 'direct effect of each block\'s attention and MLP output (click a layer for the Inspector)', { name: 'attribution-layers', chart: () => charts.layers }, host, 'layers');
  const headsBody = card(grid, 'Heads', `each head's own output (z_h · W_O, no bias) on ${quantity}; click a head for its layer in the Inspector`, { name: 'attribution-heads', chart: () => charts.heads }, host, 'heads');
  const headActions = headsBody.parentElement?.querySelector('.ml-card-actions');
  dataExports(headActions, host, [
    ['csv', 'CSV', 'table', () => ({ type: 'export', format: 'csv', name: 'attribution-heads.csv', encoding: 'utf8', content: headsCsv(text) })],
    ['npy', '.npy', 'symbol-array', () => ({ type: 'export', format: 'npy', name: 'attribution-heads.npy', content: matrixNpyBase64(text.heads), encoding: 'base64' })],
  ]);
  const charts: { waterfall?: ReturnType<typeof waterfall>; layers?: ReturnType<typeof layerSweep>; heads?: ReturnType<typeof headValueMap> } = {};
  draw.push(() => {
    charts.waterfall = register(waterfall(waterfallBody, { steps: waterfallSteps(text), total: { label: `= ${quantity}`, value: text.logitDiff }, yLabel: quantity }, {
      onSelect: (step) => { if (step.layer !== undefined) selectLayer(step.layer); },
    }));
    charts.layers = register(layerSweep(perLayerBody, {
      layers, yLabel: 'direct effect', reference: 0,
      series: [{ name: 'attention', values: layers.map((l) => valueOf(`blocks.${l}.attn`)) }, { name: 'MLP', values: layers.map((l) => valueOf(`blocks.${l}.mlp`)) }],
    }, { height: 260, onSelect: selectLayer }));
    charts.heads = register(headValueMap(headsBody, { values: text.heads, valueLabel: `direct effect on ${quantity}` }, { onSelect: (layer) => selectLayer(layer) }));
  });
  const tokens = card(page, 'Tokens', `${text.tokens.length} tokens${result.bosAdded ? ' (BOS added by the tokenizer)' : ''}; the logit is read after the last`, undefined, host, 'tokens');
  const row = el('div', 'ml-token-members');
  text.tokens.forEach((t, i) => {
    const chip = el('span', i === text.position ? 'ml-token ml-token-read' : 'ml-token', t);
    chip.title = `token ${i}: id ${text.tokenIds[i]}`;
    row.appendChild(chip);
  });
  tokens.appendChild(row);
  addPythonExports(page, result, host);
  let view = finish();
  return { destroy: () => view.destroy() };
}
