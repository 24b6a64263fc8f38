// The token-embedding panel (job 2): header with model, tokens and map; the embedding rows as an
// image (tokens × dims) and its transpose; row norms; the Gram matrix E·Eᵀ with decoded-token ticks
// (leading spaces as ␣); the 2-D map (t-SNE or PCA) with DBSCAN groups, centroid lines, token labels
// and the lists of each group's tokens and the ungrouped ones; controls that run the map again with
// another perplexity, eps, min_samples or N. Canvas draws the large cases (the whole vocabulary).
// Data reaches the DOM as text only.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import type { FromWebview } from '../../protocol/messages';
import type { TokensResult } from '../../protocol/result';
import { activationImage } from '../charts/activation-image';
import { clusterMap, clusterPalette } from '../charts/cluster-map';
import { fmt, themeColors } from '../charts/common';
import { heatmap } from '../charts/heatmap';
import { histogram } from '../charts/histogram';
import { heatmapPython, matrixCsv, matrixNpyBase64 } from '../export';
import { type ChartSlot, card, dataExports, el, header, notesBanner, panelPage, runMeta, sourceChip } from './cards';
import { groupRows, mapCsv, rowsCsv, tokenLabel, transpose } from './tokens-derive';
import { type TokensRerunRequest, mapControls } from './tokens-controls';

/** Kept across reloads: the group last marked from the list (its label; −1 for the ungrouped). */
export interface TokensUiState { group?: number }

export interface TokensPanelHost {
  post(message: FromWebview): void;
  ui: TokensUiState;
  saveUi(ui: TokensUiState): void;
  /** Runs the job again in the extension with changed parameters; absent where nothing can run (a saved file's report). */
  rerun?: (params: TokensRerunRequest) => void;
}

/** Members shown per group before "… N more": the whole vocabulary must not become 50k DOM nodes. */
const membersShown = 400;
/** Groups listed before a "Show all" button. */
const groupsShown = 60;

export function renderTokens(root: HTMLElement, result: TokensResult, host: TokensPanelHost): { destroy(): void } {
  const { page, register, draw, finish } = panelPage(root, 'ml-panel ml-tokens');
  const n = result.tokens.length;
  const labels = result.tokens;
  const rowLabels = result.tokens.map((t, i) => tokenLabel(t, result.tokenIds[i]));

  page.appendChild(tokensHeader(result, host));
  const notes = [...result.warnings];
  notesBanner(page, notes);

  // The embedding matrix.
  page.appendChild(el('h2', 'ml-section-title', `Embedding rows (${n} tokens × ${result.dims} dims)`));
  const rowsGrid = el('div', 'ml-grid');
  page.appendChild(rowsGrid);
  const embeddings = result.embeddings;
  if (embeddings) {
    const transposed = transpose(embeddings);
    const dimLabels = Array.from({ length: result.dims }, (_, d) => `dim ${d}`);
    for (const [key, title, subtitle, values, rowName, columnName, rl] of [
      ['embeddings', 'Embeddings (tokens × dims)', `one row per token of wte, ${n} × ${result.dims} · hover for the token, dimension and value`, embeddings, 'token', 'dimension', rowLabels],
      ['embeddings-transposed', 'Transposed (dims × tokens)', `the same values with dimensions as rows: a dimension that is large for many tokens shows as a line`, transposed, 'dimension', 'token', dimLabels],
    ] as const) {
      const slot: ChartSlot = {};
      const body = card(rowsGrid, title, subtitle, { name: key, chart: () => slot.chart }, host, key);
      body.parentElement?.classList.add('ml-wide');
      if (key === 'embeddings') {
        dataExports(body.parentElement?.querySelector('.ml-card-actions'), host, [
          ['csv', 'CSV', 'table', () => ({ type: 'export', format: 'csv', name: 'embeddings.csv', encoding: 'utf8', content: rowsCsv(result, embeddings) })],
          ['npy', '.npy', 'symbol-array', () => ({ type: 'export', format: 'npy', name: 'embeddings.npy', content: matrixNpyBase64(embeddings), encoding: 'base64' })],
        ], 'the rows ');
      }
      const rowsCount = values.length;
      draw.push(() => {
        slot.chart = register(activationImage(body, { values: values as number[][], rowLabels: rl as string[], rowName, columnName }, {
          height: Math.max(240, Math.min(460, rowsCount * 2 + 80)),
        }));
      });
    }
  } else {
    rowsGrid.appendChild(el('div', 'ml-note ml-wide', `${n} tokens is more than ${result.matrixCap}: the rows and the Gram matrix were left out of the result (run with a larger matrix cap in the CLI to keep them). The norms and the map below cover every token.`));
  }
  {
    const slot: ChartSlot = {};
    const body = card(rowsGrid, 'Row norms', '‖e_i‖ of each token: the square root of the Gram diagonal', { name: 'norms', chart: () => slot.chart }, host, 'norms');
    draw.push(() => { slot.chart = register(histogram(body, { series: [{ name: 'norm', values: result.norms }], xLabel: '‖e‖' }, { height: 240, density: false })); });
  }

  // Gram matrix.
  const gram = result.gram;
  if (gram) {
    const slot: ChartSlot = {};
    const body = card(rowsGrid, 'Gram matrix E·Eᵀ', `dot products of the token rows · ticks are the decoded tokens, a leading space shown as ␣${n > 40 ? ' · every k-th tick when they do not fit' : ''} · hover for the pair`,
      { name: 'gram', chart: () => slot.chart }, host, 'gram');
    body.parentElement?.classList.add('ml-wide');
    dataExports(body.parentElement?.querySelector('.ml-card-actions'), host, [
      ['csv', 'CSV', 'table', () => ({ type: 'export', format: 'csv', name: 'gram.csv', content: matrixCsv(labels, gram), encoding: 'utf8' })],
      ['npy', '.npy', 'symbol-array', () => ({ type: 'export', format: 'npy', name: 'gram.npy', content: matrixNpyBase64(gram), encoding: 'base64' })],
      ['python', 'Python', 'copy', () => ({ type: 'export', format: 'python', name: 'gram.py', encoding: 'utf8', content: heatmapPython('gram', labels, `E·Eᵀ, ${result.title}`) })],
    ]);
    draw.push(() => {
      slot.chart = register(heatmap(body, { labels, values: gram, name: 'E·Eᵀ' }, {
        scheme: 'diverging', maxSize: 620, onSelect: (i) => { if (i !== null) selectTokens([i]); },
      }));
    });
  }

  // The map and its groups.
  const m = result.map;
  const methodName = m.method === 'tsne' ? 't-SNE' : 'PCA';
  page.appendChild(el('h2', 'ml-section-title', `${methodName} map and DBSCAN groups (${result.clusters.length} groups, ${result.ungrouped.indices.length} ungrouped)`));
  const mapGrid = el('div', 'ml-grid');
  page.appendChild(mapGrid);
  const mapSlot: ChartSlot = {};
  const mapDetail = (m.method === 'tsne'
    ? `perplexity ${fmt(m.perplexity, 3).replace(/\.?0+$/, '')}, ${m.iterations ?? '—'} iterations, KL ${fmt(m.kl, 3)}`
    : `explained variance ${(m.explainedVarianceRatio ?? []).map((v) => `${(100 * v).toFixed(1)}%`).join(' + ')}`)
    + (m.trustworthiness !== undefined ? ` · trustworthiness (k = 5) ${fmt(m.trustworthiness, 3)}` : '');
  const mapBody = card(mapGrid, `${methodName} of the token embeddings`, `${mapDetail} · DBSCAN eps ${fmt(m.eps, 3).replace(/\.?0+$/, '')}, min_samples ${m.minSamples} on the map · lines join each token to its group's centroid · + ungrouped · click a token for its nearest neighbours (cosine, original space)`,
    { name: 'token-map', chart: () => mapSlot.chart }, host, 'token-map');
  mapBody.parentElement?.classList.add('ml-wide');
  dataExports(mapBody.parentElement?.querySelector('.ml-card-actions'), host, [
    ['csv', 'CSV', 'table', () => ({ type: 'export', format: 'csv', name: 'token-map.csv', encoding: 'utf8', content: mapCsv(result) })],
    ['npy', '.npy', 'symbol-array', () => ({ type: 'export', format: 'npy', name: 'token-map.npy', content: matrixNpyBase64(result.coords), encoding: 'base64' })],
  ], 'the coordinates and groups ');
  mapBody.appendChild(mapControls(result, host.rerun));
  const mapHost = el('div');
  mapBody.appendChild(mapHost);
  draw.push(() => {
    const cm = register(clusterMap(mapHost, {
      labels, coords: result.coords.flat(), clusters: result.labels,
      ...(embeddings ? { vectors: { data: embeddings.flat(), dims: result.dims } } : {}),
    }, { height: n > 2000 ? 620 : 520, colorBy: 'cluster', memberLists: false, metric: 'cosine', canvasThreshold: 1500 }));
    cm.on('select', ({ labels: chosen }) => host.post({ type: 'selection', items: chosen.slice(0, 1000) }));
    mapSlot.chart = cm;
    const marked = rows.find((g) => g.label === host.ui.group);
    if (marked) cm.select(marked.indices);
  });

  const groupsCard = card(mapGrid, 'Groups', 'DBSCAN groups on the map, in label order, each with its tokens in token order; then the ungrouped tokens · click a group to mark it on the map',
    undefined, host, 'token-groups');
  groupsCard.parentElement?.classList.add('ml-wide');
  dataExports(groupsCard.parentElement?.querySelector('.ml-card-header'), host, [
    ['csv', 'CSV', 'table', () => ({ type: 'export', format: 'csv', name: 'token-groups.csv', encoding: 'utf8', content: mapCsv(result) })],
  ], 'every token with its group ');
  const list = el('div', 'ml-token-groups');
  groupsCard.appendChild(list);
  const rows = groupRows(result);
  // The map colors the k-th group id (ascending) with the k-th palette color: the list's swatches match.
  const theme = themeColors(page);
  const palette = clusterPalette(theme);
  const swatch = new Map(rows.filter((g) => g.label >= 0).map((g, k) => [g.label, palette[k % palette.length]] as const));
  const renderGroups = (limit: number) => {
    list.replaceChildren();
    for (const g of rows.slice(0, limit)) list.appendChild(groupBlock(g));
    if (rows.length > limit) {
      const more = document.createElement('vscode-button');
      more.setAttribute('secondary', '');
      more.className = 'ml-show-all-groups';
      more.textContent = `Show all ${rows.length} lists`;
      more.addEventListener('click', () => renderGroups(rows.length));
      list.appendChild(more);
    }
  };
  function groupBlock(g: ReturnType<typeof groupRows>[number]): HTMLElement {
    const block = el('div', 'ml-token-group');
    block.setAttribute('data-group', g.label < 0 ? 'ungrouped' : String(g.label));
    block.setAttribute('data-size', String(g.indices.length));
    const head = el('button', 'ml-token-group-name');
    head.type = 'button';
    head.title = 'Mark these tokens on the map';
    const dot = el('span', g.label < 0 ? 'ml-token-swatch ml-token-swatch-noise' : 'ml-token-swatch');
    dot.style.background = swatch.get(g.label) ?? theme.muted;
    head.append(dot, `${g.label < 0 ? 'Ungrouped' : `Group ${g.label}`} · ${g.indices.length} token${g.indices.length === 1 ? '' : 's'}`);
    head.addEventListener('click', () => { selectTokens(g.indices); host.saveUi({ ...host.ui, group: g.label }); });
    const members = el('div', 'ml-token-members');
    const shown = g.indices.slice(0, membersShown);
    for (const i of shown) members.appendChild(el('span', 'ml-token', labels[i]));
    if (g.indices.length > shown.length) members.appendChild(el('span', 'ml-note', `… ${g.indices.length - shown.length} more (CSV has them all)`));
    block.append(head, members);
    return block;
  }
  renderGroups(groupsShown);

  function selectTokens(indices: number[]): void {
    const cm = mapSlot.chart as ReturnType<typeof clusterMap> | undefined;
    cm?.select(indices);
    host.post({ type: 'selection', items: indices.slice(0, 1000).map((i) => labels[i]) });
  }

  return finish();
}

function tokensHeader(result: TokensResult, host: TokensPanelHost): HTMLElement {
  const chips = el('div', 'ml-sources');
  const sel = result.selection;
  chips.append(
    sourceChip('model', result.model.label, [result.model.revision ? result.model.revision.slice(0, 15) : undefined, result.model.vocabSize ? `vocabulary ${result.model.vocabSize.toLocaleString('en-US')}` : undefined].filter(Boolean).join(' · ') || undefined),
    sourceChip('tokens', sel.kind === 'first' ? `first ${sel.first.toLocaleString('en-US')} token ids` : `${result.tokens.length} listed tokens`,
      sel.kind === 'list' ? [sel.path ?? undefined, `leading space: ${sel.leadingSpace}`].filter(Boolean).join(' · ') : undefined),
    sourceChip('dims', `${result.dims} dims`),
    sourceChip('map', result.method === 'tsne' ? 't-SNE' : 'PCA'),
  );
  const missing = result.missing.length ? [`${result.missing.length} list entries not a single token`] : [];
  const meta = [`${result.clusters.length} groups`, `${result.ungrouped.indices.length} ungrouped`, ...missing, `seed ${result.map.seed}`, ...runMeta(result.run)].join(' · ');
  return header(result.title, chips, meta, host);
}
