// The logit lens panel: for the chosen text, a positions × layers grid (a row per token, a column per
// block's hook_resid_post) whose cells show the top token read through the model's own head, coloured
// by its probability on a theme-aware sequential scale (the editor background to the theme's chart
// blue) with a legend; hovering a cell lists the top k. Below it, the target row: the target's
// probability (colour) and rank (text) at every layer for the selected token, with the first layer
// where it is top-1 outlined. Several texts get a selector. A partial result (a run still streaming)
// draws the layers it has. Every piece of data reaches the DOM as text.
import * as d3 from 'd3';
import type { FromWebview } from '../../protocol/messages';
import type { LensResult, LensText } from '../../protocol/lens';
import { clip, type Chart, type ThemeColors } from '../charts/common';
import { plotArea, svgChart } from '../charts/frame';
import { singleSelect } from '../charts/single-select';
import { matrixNpyBase64, tableCsv } from '../export';
import { lensGridName } from '../lens-python';
import { addPythonExports } from '../python-buttons';
import { type ChartSlot, card, dataExports, el, header, notesBanner, panelPage, runMeta, sourceChip } from './cards';
import type { RerunClient } from '../rerun-client';
import { lensTopKLimit } from '../../protocol/lens';
import { rerunControls } from './rerun-controls';

export interface LensUiState {
  /** The text shown, by index. */
  text?: number;
  /** The token whose target probabilities the target row shows (default: the last). */
  position?: number;
}

export interface LensPanelHost {
  post(message: FromWebview): void;
  /** Runs the lens again with another target or k; absent in the HTML report. */
  rerun?: RerunClient;
  ui: LensUiState;
  saveUi(ui: LensUiState): void;
}

/** ␣ for a leading space, ⏎ for a newline: what a cell can show of a token. */
export function showToken(token: string): string {
  return token.replace(/ /g, '␣').replace(/\n/g, '⏎').replace(/\t/g, '⇥');
}

/** A probability for the tooltips: four decimals, or three significant digits below 0.001 (an untrained model's are all ~1e-5). */
export function formatProb(p: number): string {
  return p >= 0.001 || p === 0 ? p.toFixed(4) : p.toExponential(2);
}

/**
 * The probability scale: from the editor background to the theme's chart blue, so it reads in light
 * and dark themes, over [0, top]: the text's largest top-1 probability (1 when some cell is certain;
 * far below 1 for an untrained model, whose cells would otherwise all look empty).
 */
function probabilityColor(colors: ThemeColors, top: number): (p: number) => string {
  const mix = d3.interpolateLab(colors.background, colors.series[0]);
  return (p) => mix(Math.max(0, Math.min(1, p / top)));
}

/** The scale's top: the largest top-1 probability of the text, at least a small floor. */
function scaleTop(text: LensText): number {
  let top = 0;
  for (const layer of text.layers) for (const p of layer.positions) top = Math.max(top, p.top[0]?.prob ?? 0);
  return Math.max(top, 1e-6);
}

/** Black or white text, whichever stands out on `fill`. */
function textOn(fill: string): string {
  const c = d3.lab(fill);
  return c.l > 58 ? '#111111' : '#f5f5f5';
}

interface GridData { result: LensResult; text: LensText; textIndex: number; position: number }
interface GridOptions { onCell: (position: number, layer: number) => void }

const CELL_H = 22;
const LEGEND_H = 54;

function lensGrid(container: HTMLElement, data: GridData, options: GridOptions): Chart<GridData, GridOptions> {
  return svgChart(container, 'ml-lens-grid', data, options, 360, ({ svg, data: d, options: o, colors, tooltip, width }) => {
    const { result, text } = d;
    const L = result.nLayer;
    const T = text.tokens.length;
    const labels = text.tokens.map((t) => clip(showToken(t.token), 14));
    const left = Math.min(150, 16 + 7 * Math.max(4, ...labels.map((s) => s.length)));
    const hasTarget = result.target !== null;
    const targetRows = hasTarget ? 2 : 0;
    const margin = { top: LEGEND_H + 18, right: 12, bottom: 30, left };
    const cellW = Math.max(24, (width - margin.left - margin.right) / L);
    const gridH = T * CELL_H;
    const height = margin.top + gridH + (hasTarget ? 12 + targetRows * CELL_H : 0) + margin.bottom;
    const area = plotArea(svg, colors, margin.left + cellW * L + margin.right, height, margin);
    const top1Max = scaleTop(text);
    const color = probabilityColor(colors, top1Max);
    const maxChars = Math.max(1, Math.floor((cellW - 4) / 6.2));
    const font = colors.monoFamily;

    // Legend: the probability scale, 0 to 1.
    const legendW = Math.min(220, area.w);
    const legend = svg.append('g').attr('class', 'legend').attr('transform', `translate(${margin.left},${26})`);
    const gradientId = `ml-lens-scale-${d.textIndex}`;
    const gradient = legend.append('defs').append('linearGradient').attr('id', gradientId);
    for (let s = 0; s <= 10; s++) gradient.append('stop').attr('offset', `${s * 10}%`).attr('stop-color', color(s / 10));
    legend.append('rect').attr('width', legendW).attr('height', 10).attr('fill', `url(#${gradientId})`).attr('stroke', colors.border);
    legend.append('text').attr('y', 22).attr('font-size', 10).attr('fill', colors.muted).text('0');
    legend.append('text').attr('x', legendW).attr('y', 22).attr('text-anchor', 'end').attr('font-size', 10).attr('fill', colors.muted)
      .text(top1Max >= 0.995 ? '1' : top1Max >= 0.01 ? top1Max.toFixed(2) : top1Max.toExponential(1));
    legend.append('text').attr('x', legendW / 2).attr('y', 22).attr('text-anchor', 'middle').attr('font-size', 10).attr('fill', colors.muted).text('top-1 probability');
    svg.append('text').attr('x', margin.left).attr('y', 18).attr('font-size', 11).attr('fill', colors.muted)
      .text(`${L} layers (hook_resid_post) → · ${T} tokens ↓ · top token per cell`);

    // Column heads: layer numbers.
    const heads = area.g.append('g').attr('class', 'layer-heads');
    const step = cellW < 18 ? Math.ceil(18 / cellW) : 1;
    for (let l = 0; l < L; l += step) {
      heads.append('text').attr('x', (l + 0.5) * cellW).attr('y', -4).attr('text-anchor', 'middle').attr('font-size', 10).attr('fill', colors.muted).text(String(l));
    }
    // Row heads: the tokens.
    const rows = area.g.append('g').attr('class', 'token-heads');
    labels.forEach((label, t) => {
      rows.append('text').attr('x', -6).attr('y', t * CELL_H + CELL_H / 2 + 4).attr('text-anchor', 'end').attr('font-family', font).attr('font-size', 11)
        .attr('font-weight', t === d.position && hasTarget ? 700 : null).attr('fill', colors.foreground).text(label);
    });

    const cells = area.g.append('g').attr('class', 'cells').attr('cursor', 'pointer');
    text.layers.forEach((layer, l) => {
      layer.positions.forEach((p, t) => {
        const top = p.top[0];
        const fill = color(top?.prob ?? 0);
        const g = cells.append('g').attr('class', 'cell').attr('data-layer', l).attr('data-position', t).attr('transform', `translate(${l * cellW},${t * CELL_H})`);
        g.append('rect').attr('width', cellW - 1).attr('height', CELL_H - 1).attr('fill', fill);
        if (top) {
          g.append('text').attr('x', (cellW - 1) / 2).attr('y', CELL_H / 2 + 4).attr('text-anchor', 'middle').attr('font-family', font).attr('font-size', 10)
            .attr('fill', textOn(fill)).attr('pointer-events', 'none').text(clip(showToken(top.token), maxChars));
        }
        g.on('mousemove', (event: MouseEvent) => {
          const lines = p.top.map((c, i) => `${i + 1}. ${showToken(c.token)}  ${formatProb(c.prob)}  (id ${c.id})`);
          if (p.target && result.target) lines.push(`target ${showToken(result.target.token)}: p ${formatProb(p.target.prob)}, rank ${p.target.rank}`);
          tooltip.show(`layer ${l} · token ${t} ${showToken(text.tokens[t].token)}`, lines, event.clientX, event.clientY);
        }).on('mouseleave', () => tooltip.hide()).on('click', () => o.onCell(t, l));
      });
    });
    // Layers still to come in a streaming run.
    for (let l = text.layers.length; l < L; l++) {
      cells.append('rect').attr('class', 'pending').attr('x', l * cellW).attr('width', cellW - 1).attr('height', gridH - 1).attr('fill', colors.widgetBackground).attr('stroke', colors.border).attr('stroke-dasharray', '2 2');
    }

    if (hasTarget && result.target) {
      const y0 = gridH + 12;
      const first = text.firstTop1?.[d.position] ?? null;
      const row = area.g.append('g').attr('class', 'target-row').attr('transform', `translate(0,${y0})`);
      row.append('text').attr('x', -6).attr('y', CELL_H / 2 + 4).attr('text-anchor', 'end').attr('font-size', 11).attr('fill', colors.foreground)
        .text(`p(${clip(showToken(result.target.token), 10)})`);
      row.append('text').attr('x', -6).attr('y', CELL_H * 1.5 + 4).attr('text-anchor', 'end').attr('font-size', 11).attr('fill', colors.muted).text('rank');
      text.layers.forEach((layer, l) => {
        const at = layer.positions[d.position]?.target;
        if (!at) return;
        const fill = color(at.prob);
        const g = row.append('g').attr('class', 'target-cell').attr('data-layer', l).attr('transform', `translate(${l * cellW},0)`);
        g.append('rect').attr('width', cellW - 1).attr('height', CELL_H - 1).attr('fill', fill)
          .attr('stroke', l === first ? colors.focus : 'none').attr('stroke-width', l === first ? 2 : 0);
        g.append('text').attr('x', (cellW - 1) / 2).attr('y', CELL_H / 2 + 4).attr('text-anchor', 'middle').attr('font-size', 9).attr('fill', textOn(fill)).attr('pointer-events', 'none')
          .text(at.prob >= 0.01 ? at.prob.toFixed(2) : at.prob.toExponential(0));
        g.append('text').attr('x', (cellW - 1) / 2).attr('y', CELL_H * 1.5 + 4).attr('text-anchor', 'middle').attr('font-size', 10)
          .attr('font-weight', at.rank === 1 ? 700 : null).attr('fill', at.rank === 1 ? colors.focus : colors.foreground).text(String(at.rank));
        g.on('mousemove', (event: MouseEvent) => tooltip.show(`layer ${l} · ${showToken(result.target!.token)} at token ${d.position}`,
          [`probability ${formatProb(at.prob)}`, `rank ${at.rank}`, ...(l === first ? ['first layer where it is top-1'] : [])], event.clientX, event.clientY))
          .on('mouseleave', () => tooltip.hide()).on('click', () => o.onCell(d.position, l));
      });
      row.append('text').attr('x', 0).attr('y', CELL_H * 2 + 14).attr('font-size', 10).attr('fill', colors.muted)
        .text(`at token ${d.position} ${showToken(text.tokens[d.position].token)} (click a row to choose); first top-1: ${first === null ? 'at no layer' : `layer ${first}`}`);
    }
  });
}

export function renderLens(root: HTMLElement, result: LensResult, host: LensPanelHost): { destroy(): void } {
  let ui: LensUiState = { ...host.ui };
  const { page, draw, finish } = panelPage(root, 'ml-panel ml-lens');
  page.appendChild(lensHeader(result, host));
  rerunControls(page, {
    hint: 'Running again runs the model again.',
    fields: [
      { kind: 'text', key: 'target', label: 'Target word', value: result.target?.word ?? '',
        check: (t) => (/\S\s+\S/.test(t.trim()) ? 'one word (read with a leading space)' : undefined), title: 'A word whose probability and rank to follow; empty for none', optional: true },
      { kind: 'number', key: 'topK', label: 'Top k', value: result.topK, limit: lensTopKLimit, title: 'Tokens listed per cell when hovered' },
    ],
    toParams: (v) => ({ job: 'lens', target: String(v.target ?? '').trim(), topK: Number(v.topK) }),
    client: host.rerun,
  });
  const notes = [...result.warnings];
  if (result.finalSoftcap !== null) notes.push(`Gemma-2's final logit softcap (${result.finalSoftcap}) is applied before the softmax, as the model does.`);
  if (result.texts.some((t) => t.layers.length < result.nLayer)) notes.push('Still running: layers fill in as they are computed.');
  notesBanner(page, notes);
  if (result.texts.length === 0) return finish();

  const holder = el('div', 'ml-lens-text');
  let chart: Chart<GridData, GridOptions> | undefined;
  /** Builds the card of text `index` in the holder; the chart is drawn now, or with the page's first draw. */
  const showText = (index: number, drawNow: boolean) => {
    chart?.destroy();
    chart = undefined;
    holder.replaceChildren();
    const textIndex = Math.min(Math.max(0, index), result.texts.length - 1);
    const text = result.texts[textIndex];
    const position = Math.min(ui.text === textIndex && ui.position !== undefined ? ui.position : text.tokens.length - 1, text.tokens.length - 1);
    const name = lensGridName(textIndex);
    const slot: ChartSlot = {};
    const body = card(holder, `Logit lens · ${clip(text.text, 60)}`,
      `${text.tokens.length} tokens × ${result.nLayer} layers · each block's residual stream through the final norm and unembedding, softmax · hover a cell for the top ${result.topK}${result.target ? ', click a token row to follow the target there' : ''}`,
      { name, chart: () => slot.chart }, host, 'lens-grid');
    const L = text.layers.length;
    dataExports(body.parentElement?.querySelector('.ml-card-actions'), host, [
      ['csv', 'CSV', 'table', () => ({ type: 'export', format: 'csv', name: `${name}.csv`, content: lensCsv(result, text), encoding: 'utf8' })],
      ['npy', '.npy', 'symbol-array', () => ({
        type: 'export', format: 'npy', name: `${name}-top1-prob.npy`, encoding: 'base64',
        content: matrixNpyBase64(Array.from({ length: L }, (_, l) => text.layers[l].positions.map((p) => p.top[0]?.prob ?? 0))),
      })],
    ], 'the top-1 probabilities (layers × tokens) ');
    const onCell = (p: number, layer: number) => {
      host.post({ type: 'selection', items: [String(textIndex), String(p)], focus: { kind: 'layer', layer } });
      if (result.target) {
        ui = { text: textIndex, position: p };
        host.saveUi(ui);
        chart?.update({ result, text, textIndex, position: p });
      }
    };
    const drawChart = () => {
      chart = lensGrid(body, { result, text, textIndex, position }, { onCell });
      slot.chart = chart;
    };
    if (drawNow) drawChart(); else draw.push(drawChart);
    addPythonExports(holder, result, host);
  };

  if (result.texts.length > 1) {
    const bar = el('div', 'ml-lens-texts');
    const label = el('label', undefined, 'Text ');
    const select = singleSelect(result.texts.map((t, i) => [String(i),
      `${i + 1}. ${clip(t.text, 80)}${t.layers.length < result.nLayer ? ` (${t.layers.length}/${result.nLayer} layers)` : ''}`]), String(ui.text ?? 0), 'text shown');
    select.setAttribute('data-control', 'text');
    label.appendChild(select);
    bar.appendChild(el('span', 'ml-note', ` ${result.texts.length} texts`));
    bar.appendChild(label);
    page.appendChild(bar);
    select.addEventListener('change', () => {
      const chosen = Number(select.value);
      if (!Number.isInteger(chosen) || chosen === (ui.text ?? 0)) return;
      ui = { text: chosen };
      host.saveUi(ui);
      showText(ui.text ?? 0, true);
    });
  }
  page.appendChild(holder);
  showText(ui.text ?? 0, false);
  const view = finish();
  return { destroy() { chart?.destroy(); view.destroy(); } };
}

/** One row per (layer, token): the top tokens with their probabilities, and the target's. */
function lensCsv(result: LensResult, text: LensText): string {
  const k = result.topK;
  const columns = ['layer', 'hook', 'position', 'token', ...Array.from({ length: k }, (_, i) => [`top${i + 1}_id`, `top${i + 1}_token`, `top${i + 1}_prob`]).flat(),
    ...(result.target ? ['target_id', 'target_prob', 'target_rank'] : [])];
  const rows = text.layers.flatMap((layer, l) => layer.positions.map((p, t) => [
    l, layer.hook, t, text.tokens[t].token, ...p.top.flatMap((c) => [c.id, c.token, c.prob]),
    ...(p.target ? [p.target.id, p.target.prob, p.target.rank] : []),
  ]));
  return tableCsv(columns, rows);
}

function lensHeader(result: LensResult, host: LensPanelHost): HTMLElement {
  const chips = el('div', 'ml-sources');
  chips.append(
    sourceChip('model', result.model.label, [`${result.model.dims} d`, `${result.nLayer} layers`, result.model.revision ? result.model.revision.slice(0, 15) : undefined].filter(Boolean).join(' · ')),
    sourceChip('provider', result.provider),
  );
  if (result.target) chips.appendChild(sourceChip('target', showToken(result.target.token), `id ${result.target.id}`));
  const tokens = result.texts.reduce((n, t) => n + t.tokens.length, 0);
  const meta = [`${result.texts.length} text${result.texts.length === 1 ? '' : 's'}`, `${tokens} tokens`, `top ${result.topK}`,
    result.bosAdded ? 'BOS added' : undefined, result.inputs.texts ? `texts from ${result.inputs.texts}` : undefined, ...runMeta(result.run)].filter(Boolean).join(' · ');
  return header(result.title, chips, meta, host);
}
