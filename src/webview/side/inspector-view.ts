// The Inspector's page for one selection: a heading, the numbers as text, one or two small charts,
// and the actions: open in the panel, copy (tab-separated), export (SVG of the chart, CSV of the numbers).
import { inspectorRequests, type InspectorData } from '../../protocol/side-view';
import type { Chart } from '../charts/common';
import { fmt, fmtP } from '../charts/common';
import { layerSweep } from '../charts/layer-sweep';
import { linePlot } from '../charts/line-plot';
import { sentenceValues } from '../charts/sentence-values';
import { valueBars } from '../charts/value-bars';
import { el, icon } from '../panels/cards';
import type { SidePoster } from './messages';

/** Rows of the selection's numbers: the table behind Copy and the CSV export. */
function inspectorTable(data: InspectorData): string[][] {
  switch (data.kind) {
    case 'token': return [['space', 'neighbour', 'cosine'], ...data.spaces.flatMap((s) => s.neighbours.map((n) => [s.label, n.word, String(n.similarity)]))];
    case 'pair': return [['space', `cosine(${data.words[0]}, ${data.words[1]})`], ...data.spaces.map((s) => [s.label, s.similarity === null ? '' : String(s.similarity)]),
      ...(data.layers ? [[], ['layer', ...data.layers.series.map((s) => s.name)], ...data.layers.layers.map((l, k) => [String(l), ...data.layers!.series.map((s) => (s.values[k] === null ? '' : String(s.values[k])))])] : [])];
    case 'neuron': return [['sentence', 'group', `n${data.neuron}`], ...data.values.map((v, i) => [data.sentences[i], i < data.split ? data.groups[0].name : data.groups[1].name, String(v)])];
    case 'cluster': return [['member'], ...data.members.map((m) => [m]), [], [data.profileLabel], ...data.profile.map((v) => [String(v)])];
    case 'layer': return [['statistic', `layer ${data.layer}`], ...data.values.map((v) => [v.name, v.value === null ? '' : String(v.value)])];
    case 'head': return [['text', ...data.scores.map((s) => s.name)], ['mean', ...data.scores.map((s) => String(s.value))], ...data.texts.map((t) => [t.text, ...t.values.map(String)])];
    case 'lensCell': return [['layer', ...data.series.map((s) => s.name)], ...data.layers.map((l, k) => [String(l), ...data.series.map((s) => (s.values[k] === null ? '' : String(s.values[k])))])];
    default: return [];
  }
}

/** A small action button of the side views (codicon + label), marked with data-action for tests. */
export function actionButton(key: string, label: string, iconName: string, tip: string, run: () => void): HTMLButtonElement {
  const b = el('button', 'ml-icon-button');
  b.type = 'button';
  b.setAttribute('data-action', key);
  b.title = tip;
  b.append(icon(iconName), document.createTextNode(label));
  b.addEventListener('click', run);
  return b;
}

const tsv = (rows: string[][]) => rows.map((r) => r.join('\t')).join('\n');
const csvCell = (c: string) => (/[",\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c);
const csv = (rows: string[][]) => `${rows.map((r) => r.map(csvCell).join(',')).join('\n')}\n`;

function statLine(items: [string, string][]): HTMLElement {
  const row = el('div', 'ml-stats');
  for (const [label, value] of items) {
    const s = el('span');
    s.append(el('span', 'ml-stat-label', `${label} `), el('span', 'ml-stat-value', value));
    row.appendChild(s);
  }
  return row;
}

function exportName(data: InspectorData): string {
  switch (data.kind) {
    case 'token': return `neighbours-${data.word.trim()}`;
    case 'pair': return `pair-${data.words.map((w) => w.trim()).join('-')}`;
    case 'neuron': return `neuron-${data.neuron}`;
    case 'cluster': return `cluster-${data.map}-${data.label}`;
    case 'layer': return `layer-${data.layer}`;
    case 'head': return `head-L${data.layer}H${data.head}`;
    case 'lensCell': return `lens-position-${data.position}`;
    default: return 'inspector';
  }
}

/** Renders one selection into `root`; returns the charts' destroy. */
export function renderInspector(root: HTMLElement, data: InspectorData, host: SidePoster): () => void {
  root.replaceChildren();
  const charts: Chart<never, never>[] = [];
  const keep = <C extends Chart<never, never>>(c: C) => { charts.push(c); return c; };
  const page = el('div', 'ml-inspector');
  page.setAttribute('data-kind', data.kind);
  root.appendChild(page);
  if (data.kind === 'empty') {
    page.appendChild(el('p', 'ml-note', data.message));
    return () => undefined;
  }
  const head = el('div', 'ml-inspector-head');
  const title = el('h2', 'ml-inspector-title');
  head.appendChild(title);
  const actions = el('div', 'ml-card-actions');
  const action = (key: string, label: string, iconName: string, tip: string, run: () => void) => actions.appendChild(actionButton(key, label, iconName, tip, run));
  const body = el('div', 'ml-inspector-body');
  page.append(head, actions, body);
  const name = exportName(data);
  action('open', 'Open', 'go-to-file', 'Show this selection in its panel', () => host.post({ type: 'open' }));
  action('copy', 'Copy', 'copy', 'Copy the numbers as tab-separated text', () => host.post({ type: 'copy', text: tsv(inspectorTable(data)) }));
  action('csv', 'CSV', 'table', 'Export the numbers as CSV', () => host.post({ type: 'export', format: 'csv', name: `${name}.csv`, content: csv(inspectorTable(data)), encoding: 'utf8' }));
  action('svg', 'SVG', 'file-code', 'Export the chart as SVG', () => {
    const chart = charts[charts.length - 1];
    if (chart) host.post({ type: 'export', format: 'svg', name: `${name}.svg`, content: chart.exportSvg(), encoding: 'utf8' });
  });
  const chartHost = () => { const c = el('div', 'ml-inspector-chart'); body.appendChild(c); return c; };

  switch (data.kind) {
    case 'token': {
      title.textContent = data.word;
      if (data.category) head.appendChild(el('div', 'ml-card-subtitle', `[${data.category}]`));
      for (const space of data.spaces) {
        keep(valueBars(chartHost(), { rows: space.neighbours.map((n) => ({ label: n.word, value: n.similarity })), xLabel: 'cosine similarity', title: `Nearest in ${space.label}` }, { colorBy: 'one' }));
      }
      break;
    }
    case 'pair': {
      title.textContent = `${data.words[0]} × ${data.words[1]}`;
      keep(valueBars(chartHost(), { rows: data.spaces.map((s) => ({ label: s.label, value: s.similarity })), xLabel: 'cosine similarity', domain: [-1, 1], title: 'Similarity in each space' }));
      if (data.layers) {
        body.appendChild(el('div', 'ml-card-subtitle', `Similarity at every layer of ${data.layerSource?.model ?? 'the model'}`));
        keep(layerSweep(chartHost(), { layers: data.layers.layers, series: data.layers.series, yLabel: 'cosine similarity' }, { height: 240 }));
      } else if (data.layerSource) {
        const run = el('button', 'ml-icon-button ml-layers-button');
        run.type = 'button';
        run.setAttribute('data-action', 'layers');
        run.title = `Run ${data.layerSource.model} on "${data.layerSource.template}" for both words and read Q, K, V and the residual stream at every layer`;
        run.append(icon('layers'), document.createTextNode(`Across all layers of ${data.layerSource.model}`));
        run.addEventListener('click', () => { run.disabled = true; void host.requests.send(inspectorRequests.pairLayers).catch(() => undefined); });
        body.appendChild(run);
      }
      break;
    }
    case 'neuron': {
      title.textContent = `Neuron ${data.neuron}${data.significant ? ' · significant' : ''}`;
      head.appendChild(el('div', 'ml-card-subtitle', data.hook));
      body.appendChild(statLine([['t', fmt(data.t)], ["Cohen's d", fmt(data.cohenD)], ['p', fmtP(data.p)], ['adjusted p', fmtP(data.pAdjusted)], ['df', fmt(data.df, data.test === 'welch' ? 1 : 0)]]));
      body.appendChild(statLine(data.groups.map((g) => [g.name, `mean ${fmt(g.mean)} ± ${fmt(g.sd)} (n = ${g.n})`] as [string, string])));
      keep(sentenceValues(chartHost(), { values: data.values, sentences: data.sentences, split: data.split, groups: [data.groups[0].name, data.groups[1].name], yLabel: 'activation' }, { height: 220 }));
      break;
    }
    case 'cluster': {
      title.textContent = data.title;
      const members = el('div', 'ml-inspector-members');
      for (const m of data.members.slice(0, 200)) members.appendChild(el('code', 'ml-word', m));
      if (data.members.length > 200) members.appendChild(el('span', 'ml-note', `and ${data.members.length - 200} more`));
      body.appendChild(members);
      if (data.sentences && data.split !== undefined && data.groupNames) {
        keep(sentenceValues(chartHost(), { values: data.profile, sentences: data.sentences, split: data.split, groups: data.groupNames, yLabel: data.profileLabel, title: 'Centroid profile' }, { height: 220 }));
      } else {
        keep(linePlot(chartHost(), { title: 'profile', series: [{ name: 'centroid', values: data.profile }] }, { panelHeight: 120, xLabel: data.profileLabel }));
      }
      break;
    }
    case 'layer': {
      title.textContent = `Layer ${data.layer}${data.layer === data.current ? ' (shown in the panel)' : ''}`;
      keep(valueBars(chartHost(), { rows: data.values.map((v) => ({ label: v.name, value: v.value })), xLabel: 'value at this layer' }, { colorBy: 'one' }));
      keep(layerSweep(chartHost(), { layers: data.layers, series: data.series.filter((s) => s.name.startsWith('selectivity')).map((s) => ({ ...s, name: s.name.replace('selectivity ', '') })), current: data.layer, yLabel: 'selectivity index', reference: 1 }, { height: 220 }));
      break;
    }
    case 'head': {
      title.textContent = `Head L${data.layer}H${data.head}`;
      keep(valueBars(chartHost(), { rows: data.scores.map((v) => ({ label: v.name, value: v.value })), xLabel: 'detector score (mean over texts)', domain: [0, 1] }, { colorBy: 'row' }));
      keep(layerSweep(chartHost(), { layers: data.layers, series: data.series, current: data.layer, yLabel: `head ${data.head}'s score by layer` }, { height: 220 }));
      break;
    }
    case 'lensCell': {
      title.textContent = `Token ${data.position} ${JSON.stringify(data.token)} at layer ${data.layer}`;
      body.appendChild(statLine(data.values.map((v) => [v.name, v.value === null ? '—' : Number.isInteger(v.value) ? String(v.value) : fmt(v.value, 4)] as [string, string])));
      keep(layerSweep(chartHost(), { layers: data.layers, series: data.series, current: data.layer, yLabel: 'probability' }, { height: 220 }));
      break;
    }
    default: break;
  }
  page.setAttribute('data-rendered', 'true');
  return () => { for (const c of charts) c.destroy(); };
}
