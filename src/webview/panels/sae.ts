// The SAE features panel: every text as a row of tokens with their top features as chips beneath;
// hovering a chip shades every token of every text by that feature's activation (value on the
// token), clicking it opens the feature's card: its activation across the texts, density, maximum
// and Neuronpedia page (known releases only). A table lists every feature of the run's top lists.
import type { FromWebview } from '../../protocol/messages';
import { rerunLimits, type SaeRerunParams } from '../../protocol/rerun';
import type { SaeFeatureProfile, SaeResult } from '../../protocol/result';
import type { Chart } from '../charts/common';
import { valueBars } from '../charts/value-bars';
import { tableCsv } from '../export';
import { addPythonExports } from '../python-buttons';
import type { RerunClient } from '../rerun-client';
import { card, dataExports, el, header, notesBanner, panelPage, runMeta, sourceChip, statRow } from './cards';
import { rerunControls } from './rerun-controls';

export interface SaeUiState {
  feature?: number;
}

export interface SaePanelHost {
  post(message: FromWebview): void;
  ui: SaeUiState;
  saveUi(ui: SaeUiState): void;
  rerun?: RerunClient;
}

const fmt = (v: number | null, digits = 3) => (v === null || !Number.isFinite(v) ? 'n/a' : Math.abs(v) >= 1000 || (Math.abs(v) < 0.001 && v !== 0) ? v.toExponential(2) : v.toFixed(digits));

export function renderSae(root: HTMLElement, result: SaeResult, host: SaePanelHost): { destroy(): void } {
  let ui: SaeUiState = { ...host.ui };
  const { page, register, draw, finish, onFocus } = panelPage(root, 'ml-panel ml-sae');
  const profiles = new Map(result.profiles.map((p) => [p.feature, p]));
  page.appendChild(saeHeader(result, host));
  if (host.rerun) {
    rerunControls(page, {
      hint: 'Running again reads the same texts through the same SAE.',
      fields: [{ kind: 'number', key: 'top', label: 'Features per token', value: result.top, limit: rerunLimits.top, title: 'How many of the largest active features each token lists' }],
      toParams: (v): SaeRerunParams => ({ job: 'sae', top: v.top as number }),
      client: host.rerun,
    });
  }
  notesBanner(page, [...result.warnings, ...(result.sae.neuronpediaNote ? [`${result.sae.neuronpediaNote}.`] : [])]);

  // Tokens with their chips.
  page.appendChild(el('h2', 'ml-section-title', 'Tokens and their strongest features'));
  const cells: { text: number; token: number; cell: HTMLElement; shade: HTMLElement }[] = [];
  const textsCard = el('section', 'ml-card ml-sae-texts');
  textsCard.setAttribute('data-card', 'sae-tokens');
  textsCard.appendChild(el('div', 'ml-card-subtitle', `Each token's ${result.top} largest active features (value), and its L0. Hover a feature to see it on every token; click it for its card.`));
  result.texts.forEach((text, ti) => {
    const row = el('div', 'ml-sae-text');
    row.setAttribute('data-text', String(ti));
    row.appendChild(statRow([
      ['tokens', `text ${ti + 1}`, `${text.tokens.length} tokens`],
      ['l0', 'mean L0', fmt(text.positions.reduce((s, p) => s + p.l0, 0) / Math.max(1, text.positions.length), 1)],
      ['mse', 'MSE', fmt(text.mse, 4)],
      ['ve', 'variance explained', fmt(text.varianceExplained)],
    ]));
    const tokens = el('div', 'ml-sae-tokens');
    text.tokens.forEach((tok, i) => {
      const cell = el('div', 'ml-sae-token');
      cell.setAttribute('data-token', `${ti}:${i}`);
      const label = el('div', 'ml-sae-token-text', tok.token);
      label.title = `token ${i} (id ${tok.id}) · L0 ${text.positions[i].l0}`;
      const shade = el('div', 'ml-sae-shade');
      cell.append(label, shade);
      for (const { feature, value } of text.positions[i].top) {
        const chip = el('button', 'ml-sae-chip');
        chip.type = 'button';
        chip.setAttribute('data-feature', String(feature));
        chip.append(el('span', 'ml-sae-chip-id', String(feature)), el('span', 'ml-sae-chip-value', fmt(value, 2)));
        chip.title = `feature ${feature}: ${value.toPrecision(4)} on this token`;
        chip.addEventListener('mouseenter', () => shadeFeature(feature));
        chip.addEventListener('mouseleave', () => shadeFeature(ui.feature ?? null));
        chip.addEventListener('focus', () => shadeFeature(feature));
        chip.addEventListener('click', () => selectFeature(feature, true));
        cell.appendChild(chip);
      }
      cell.appendChild(el('div', 'ml-sae-l0', `L0 ${text.positions[i].l0}`));
      tokens.appendChild(cell);
      cells.push({ text: ti, token: i, cell, shade });
    });
    row.appendChild(tokens);
    textsCard.appendChild(row);
  });
  page.appendChild(textsCard);

  /** Shades every token by the feature's activation (its share of the feature's maximum), or clears. */
  function shadeFeature(feature: number | null): void {
    const profile = feature === null ? undefined : profiles.get(feature);
    page.toggleAttribute('data-hover-feature', profile !== undefined);
    for (const { text, token, cell, shade } of cells) {
      const v = profile ? profile.activations[text][token] : 0;
      // The max leaves the BOS out, so a BOS above it is drawn full, not past full.
      const share = !profile || v <= 0 ? 0 : profile.max > 0 ? Math.min(1, v / profile.max) : 1;
      cell.style.setProperty('--ml-sae-share', share.toFixed(3));
      cell.classList.toggle('ml-sae-active', v !== 0 && profile !== undefined);
      shade.textContent = profile ? (v === 0 ? '·' : fmt(v, 2)) : '';
    }
    for (const chip of Array.from(page.querySelectorAll<HTMLElement>('.ml-sae-chip'))) {
      chip.classList.toggle('ml-sae-chip-on', feature !== null && chip.getAttribute('data-feature') === String(feature));
    }
  }

  // The selected feature's card.
  page.appendChild(el('h2', 'ml-section-title', 'Feature'));
  const featureSection = el('div', 'ml-grid ml-sae-feature');
  page.appendChild(featureSection);
  let featureChart: Chart<never, never> | undefined;
  function showFeatureCard(profile: SaeFeatureProfile | undefined): void {
    featureChart?.destroy();
    featureChart = undefined;
    featureSection.replaceChildren();
    if (!profile) {
      featureSection.appendChild(el('div', 'ml-note', 'Click a feature chip, or a row of the table below, to see it here.'));
      return;
    }
    const name = `sae-feature-${profile.feature}`;
    const body = card(featureSection, `Feature ${profile.feature} on every token`, `${result.sae.label}, ${result.hook} · active on, max and mean over ${countedTokens(result)}; the bars show every token`, { name, chart: () => featureChart }, host, 'sae-feature');
    body.parentElement?.classList.add('ml-wide');
    body.parentElement?.setAttribute('data-feature', String(profile.feature));
    body.appendChild(statRow([
      ['density', 'active on', `${(profile.density * 100).toFixed(1)}% of tokens`],
      ...(profile.releaseLogDensity !== undefined ? [['releaseDensity', 'release density', releaseDensityText(profile.releaseLogDensity)] as [string, string, string]] : []),
      ['max', 'max', fmt(profile.max)],
      ['meanActive', 'mean when active', meanWhenActive(profile)],
    ]));
    if (profile.releaseLogDensity !== undefined) {
      body.appendChild(el('div', 'ml-note', "Release density: the share of tokens the feature fired on when the SAE's authors measured it (SAELens's sparsity.safetensors, log10 shown in brackets); the percentage before it is on your texts."));
    }
    const url = result.sae.neuronpedia ? `${result.sae.neuronpedia}/${profile.feature}` : null;
    if (url) body.appendChild(linkTo(url, `Neuronpedia: ${result.sae.neuronpedia!.replace('https://www.neuronpedia.org/', '')}/${profile.feature}`, host));
    else body.appendChild(el('div', 'ml-note', 'No Neuronpedia page: this SAE is not one of the catalog\'s releases.'));
    const chartHost = el('div', 'ml-chart');
    body.appendChild(chartHost);
    const rows = result.texts.flatMap((t, ti) => t.tokens.map((tok, i) => ({ label: `${ti + 1}:${i} ${tok.token}`, value: profile.activations[ti][i] })));
    featureChart = register(valueBars(chartHost, { rows, xLabel: `activation of feature ${profile.feature}`, title: `feature ${profile.feature}` }, { barHeight: 14, colorBy: 'one' })) as unknown as Chart<never, never>;
    addPythonExports(featureSection, result, host);
  }

  function selectFeature(feature: number | null, fromPanel: boolean): void {
    ui = { ...ui, feature: feature ?? undefined };
    host.saveUi(ui);
    shadeFeature(feature);
    showFeatureCard(feature === null ? undefined : profiles.get(feature));
    if (fromPanel && feature !== null) host.post({ type: 'selection', items: [`f${feature}`], focus: { kind: 'neuron', neuron: feature } });
    for (const tr of Array.from(page.querySelectorAll<HTMLElement>('.ml-sae-table tr[data-feature]'))) tr.classList.toggle('ml-selected', tr.getAttribute('data-feature') === String(feature));
  }

  // Every feature of the run's top lists.
  page.appendChild(el('h2', 'ml-section-title', 'Features in this run'));
  const tableGrid = el('div', 'ml-grid');
  page.appendChild(tableGrid);
  const tableBody = card(tableGrid, `${result.profiles.length} features`, `every feature in some token's top ${result.top}, strongest first; max, mean and density over ${countedTokens(result)}`, undefined, host, 'sae-table');
  tableBody.parentElement?.classList.add('ml-wide');
  dataExports(tableBody.parentElement?.querySelector('.ml-card-header')?.appendChild(el('div', 'ml-card-actions')), host, [
    ['csv', 'CSV', 'table', () => ({ type: 'export', format: 'csv', name: 'sae-features.csv', encoding: 'utf8', content: featuresCsv(result) })],
  ], 'the table ');
  const table = el('table', 'ml-table ml-sae-table');
  const head = el('tr');
  const over = countedTokens(result);
  for (const [h, title] of [
    ['feature', 'The feature\'s index in the SAE'],
    ['max', `Largest activation over ${over}`],
    ['mean when active', `Mean activation over the tokens where it is active, of ${over}`],
    ['density', `Share of ${over} where it is active`],
    ['Neuronpedia', 'The feature\'s page, for a catalog release'],
  ]) {
    const th = el('th', undefined, h);
    th.title = title;
    head.appendChild(th);
  }
  table.appendChild(head);
  for (const p of result.profiles) {
    const tr = el('tr');
    tr.setAttribute('data-feature', String(p.feature));
    tr.append(el('td', undefined, String(p.feature)), el('td', undefined, fmt(p.max)), el('td', undefined, meanWhenActive(p)), el('td', undefined, `${(p.density * 100).toFixed(1)}%`));
    const link = el('td');
    if (result.sae.neuronpedia) link.appendChild(linkTo(`${result.sae.neuronpedia}/${p.feature}`, 'open', host));
    tr.appendChild(link);
    tr.addEventListener('mouseenter', () => shadeFeature(p.feature));
    tr.addEventListener('mouseleave', () => shadeFeature(ui.feature ?? null));
    tr.addEventListener('click', () => selectFeature(p.feature, true));
    table.appendChild(tr);
  }
  tableBody.appendChild(table);

  onFocus(({ items, focus }) => {
    const named = /^f(\d+)$/.exec(items[0] ?? '');
    const feature = focus?.kind === 'neuron' ? focus.neuron : named ? Number(named[1]) : undefined;
    if (feature !== undefined) selectFeature(feature, false);
  });
  void draw;
  const view = finish();
  selectFeature(ui.feature !== undefined && profiles.has(ui.feature) ? ui.feature : null, false);
  return view;
}

/** A feature never active on the counted tokens has no mean when active. */
function meanWhenActive(p: SaeFeatureProfile): string {
  return p.density > 0 ? fmt(p.meanActive) : 'n/a';
}

/** The tokens every feature statistic counts: each text's own, without the BOS the run put first. */
function countedTokens(result: SaeResult): string {
  return result.bosPrepended ? "the texts' tokens, the BOS left out" : "the texts' tokens";
}

function saeHeader(result: SaeResult, host: SaePanelHost): HTMLElement {
  const sources = el('div', 'ml-sources');
  sources.append(
    sourceChip('model', result.model.label, [result.hook, result.provider].join(' · '), 'model'),
    sourceChip('sae', result.sae.label, [`${result.sae.architecture}${result.sae.k ? ` k ${result.sae.k}` : ''}`, `${result.dSae.toLocaleString('en-US')} features`, result.sae.format === 'gemma-scope' ? 'Gemma Scope' : 'SAELens', result.sae.dtype].join(' · '), 'SAE'),
  );
  const meta = [
    `top ${result.top}`, `mean L0 ${result.meanL0.toFixed(1)}`,
    result.bosPrepended ? `BOS first (${result.bosFrom === 'sae-config' ? "the SAE's prepend_bos" : 'the tokenizer'})` : 'no BOS',
    result.features ? `${result.features.length} features computed` : undefined, ...runMeta(result.run),
  ].filter(Boolean).join(' · ');
  return header(result.title, sources, meta, host);
}

/** A release's log10 density as a percentage with the log10 itself; null: it never fired there. */
function releaseDensityText(log10: number | null): string {
  if (log10 === null) return 'never active (dead)';
  const share = 10 ** log10;
  const pct = share * 100;
  return `${pct >= 0.1 ? pct.toFixed(1) : pct.toPrecision(2)}% (log10 ${log10.toFixed(2)})`;
}

function linkTo(url: string, text: string, host: SaePanelHost): HTMLElement {
  const a = el('a', 'ml-neuroscope-link ml-sae-link', text);
  a.href = url;
  a.title = url;
  a.addEventListener('click', (event) => {
    event.preventDefault();
    event.stopPropagation();
    host.post({ type: 'openLink', url });
  });
  return a;
}

function featuresCsv(result: SaeResult): string {
  // The release's log10 density only when the SAE came with SAELens's sparsity.safetensors.
  const release = result.profiles.some((p) => p.releaseLogDensity !== undefined);
  return tableCsv(['feature', 'max', 'mean_active', 'density', ...(release ? ['release_log10_density'] : []), 'neuronpedia'],
    result.profiles.map((p) => [p.feature, p.max, p.meanActive, p.density, ...(release ? [p.releaseLogDensity ?? '-inf'] : []), result.sae.neuronpedia ? `${result.sae.neuronpedia}/${p.feature}` : '']));
}
