// The attention panel's SAE section (job 4 with --sae): the words' feature similarities as a heatmap
// beside Q's, RSA of the features with Q and with K at the layer, per head, and over the layer sweep
// with the residual stream. Every number reaches the DOM as text.
import type { AttentionResult, AttentionSae, RsaStats } from '../../protocol/result';
import { type Chart, fmt, fmtP } from '../charts/common';
import { heatmap } from '../charts/heatmap';
import { headBars } from '../charts/head-bars';
import { layerSweep } from '../charts/layer-sweep';
import { matrixCsv, matrixNpyBase64 } from '../export';
import { type ChartSlot, type Poster, card, dataExports, el, statRow } from './cards';

type Register = <C extends Chart<never, never>>(chart: C) => C;

export function attentionSaeSection(page: HTMLElement, result: AttentionResult, sae: AttentionSae, host: Poster, register: Register, draw: (() => void)[]): void {
  const n = result.items.length;
  page.appendChild(el('h2', 'ml-section-title', `SAE features vs Q and K: ${sae.info.label}`));
  const grid = el('div', 'ml-grid ml-attention-sae');
  page.appendChild(grid);
  {
    const slot: ChartSlot = {};
    const body = card(grid, `SAE features · ${sae.hook}`, `${n} words · ${sae.info.dSae.toLocaleString('en-US')} features (${sae.info.architecture}) · mean L0 ${fmt(sae.meanL0, 3)} · cosine of the feature vectors`,
      { name: 'similarity-sae', chart: () => slot.chart }, host, 'heatmap-sae');
    dataExports(body.parentElement?.querySelector('.ml-card-actions'), host, [
      ['csv', 'CSV', 'table', () => ({ type: 'export', format: 'csv', name: 'similarity-sae.csv', content: matrixCsv(result.items, sae.space.similarity), encoding: 'utf8' })],
      ['npy', '.npy', 'symbol-array', () => ({ type: 'export', format: 'npy', name: 'similarity-sae.npy', content: matrixNpyBase64(sae.space.similarity), encoding: 'base64' })],
    ]);
    draw.push(() => {
      slot.chart = register(heatmap(body, {
        labels: result.items, values: sae.space.similarity, categories: result.itemCategories,
        name: 'SAE features', partner: { name: 'Q (query)', values: result.q.similarity },
      }, { preferredScheme: 'sequential', onSelect: (index) => { if (index !== null) host.post({ type: 'selection', items: [result.items[index]] }); } }));
    });
  }
  {
    const body = card(grid, `RSA of the SAE features with Q and K at layer ${result.layer}`,
      `each word read at ${sae.hook}${sae.bosFromSae ? ' after the BOS the SAE asks for' : ''}; Pearson r, Spearman ρ and the permutation p over the ${n * (n - 1) / 2} word pairs`, undefined, host, 'sae-rsa');
    const row = (key: 'q' | 'k', label: string, stats: RsaStats | null) => {
      const line = el('div', 'ml-sae-rsa-line');
      line.setAttribute('data-versus', key);
      line.appendChild(el('div', 'ml-multiple-title', label));
      line.appendChild(stats ? statRow([
        [`sae-${key}-pearson`, 'Pearson r', fmt(stats.pearson)], [`sae-${key}-spearman`, 'Spearman ρ', fmt(stats.spearman)],
        [`sae-${key}-p`, 'permutation p', fmtP(stats.pValue)], [`sae-${key}-n`, 'pairs', String(stats.n)],
      ]) : el('div', 'ml-note', 'undefined: one of the similarity matrices is constant'));
      return line;
    };
    body.append(row('q', `features vs Q (${result.q.hook})`, sae.rsaQ), row('k', `features vs K (${result.k.hook})`, sae.rsaK));
    body.appendChild(statRow([['sae-selectivity', 'selectivity of the features', fmt(sae.space.selectivity.index)], ['sae-l0', 'mean L0', fmt(sae.meanL0, 3)]]));
    if (sae.silent.length) body.appendChild(el('div', 'ml-note ml-sae-silent', `No feature fires on: ${sae.silent.join(', ')} (cosine 0 with every word).`));
    if (sae.info.neuronpediaNote) body.appendChild(el('div', 'ml-note', `${sae.info.neuronpediaNote}.`));
  }
  for (const key of ['q', 'k'] as const) {
    const slot: ChartSlot = {};
    const which = key === 'q' ? 'Q' : 'K';
    const overall = key === 'q' ? sae.rsaQ?.pearson : sae.rsaK?.pearson;
    const body = card(grid, `RSA of the SAE features with ${which} per head`, `Pearson r between the features' similarities and those within each head's ${which} slice; dashed: all heads together`,
      { name: `sae-rsa-per-head-${key}`, chart: () => slot.chart }, host, `sae-heads-${key}`);
    draw.push(() => {
      slot.chart = register(headBars(body, {
        heads: sae.heads.map((h) => ({ head: h.head, value: key === 'q' ? h.rsaQ : h.rsaK, details: [`vs ${key === 'q' ? 'K' : 'Q'}: ${fmt(key === 'q' ? h.rsaK : h.rsaQ, 4)}`] })),
        overall: overall ?? null, overallLabel: 'all heads: r =', yLabel: `RSA r (features vs ${which})`,
      }, { height: 250 }));
    });
  }
}

/** The sweep card: r of the features with Q, K and the residual stream at every layer. */
export function attentionSaeSweep(grid: HTMLElement, result: AttentionResult, host: Poster, register: Register, draw: (() => void)[]): void {
  const sweep = result.sweep;
  if (!sweep || !result.sae || !sweep.some((s) => s.sae)) return;
  const slot: ChartSlot = {};
  const body = card(grid, 'RSA of the SAE features over layers', `Pearson r between the features' similarities (${result.sae.hook}) and Q's, K's and the residual stream's at each layer; dashed: layer ${result.layer}`,
    { name: 'sweep-sae', chart: () => slot.chart }, host, 'sweep-sae');
  const names = [['q', 'features vs Q'], ['k', 'features vs K'], ['resid', 'features vs resid']] as const;
  draw.push(() => {
    slot.chart = register(layerSweep(body, {
      layers: sweep.map((s) => s.layer), current: result.layer, yLabel: 'Pearson r',
      series: names.map(([key, label]) => ({ name: label, values: sweep.map((s) => s.sae?.[key] ?? null) })),
    }, { height: 280, onSelect: (layer) => host.post({ type: 'selection', items: [], focus: { kind: 'layer', layer } }) }));
  });
}
