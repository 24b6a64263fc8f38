// The vocabulary-matching panel (job 3): the sources and how far A was walked, controls that run the
// match again with another L, K or leading space, the table of matches, and job 1 on the matches —
// both cosine heatmaps (every n-th tick label once the words outgrow the axis) and the RSA scatter
// with r and S_c — drawn by the compare panel's own sections. Hover and selection are linked
// between the table and the heatmaps.
import type { FromWebview } from '../../protocol/messages';
import { leadingSpaceChoices, rerunLimits, type MatchRerunParams } from '../../protocol/rerun';
import type { LeadingSpace, MatchResult } from '../../protocol/result';
import type { HeatmapChart, HeatmapScheme } from '../charts/heatmap';
import { tableCsv } from '../export';
import type { RerunClient } from '../rerun-client';
import { card, dataExports, el, header, notesBanner, panelPage, runMeta, sourceChip, statRow } from './cards';
import { rsaScatterCard, section, similarityHeatmaps } from './compare-sections';
import { once, upperPairs } from './derive';
import { matchTable, type MatchSort } from './match-table';
import { rerunControls } from './rerun-controls';

export interface MatchUiState {
  sort?: MatchSort;
  word?: string;
  ranges?: Partial<Record<'a' | 'b', { domain: [number, number]; scheme: HeatmapScheme }>>;
}

export interface MatchPanelHost {
  post(message: FromWebview): void;
  ui: MatchUiState;
  saveUi(ui: MatchUiState): void;
  /** Runs the match again with the panel's L, K and leading space; absent in the HTML report. */
  rerun?: RerunClient;
}

export interface MatchView { destroy(): void }

const leadingSpaceLabels: Record<LeadingSpace, string> = { with: 'with (␣word)', without: 'without (word)', either: 'either' };

export function renderMatch(root: HTMLElement, result: MatchResult, host: MatchPanelHost): MatchView {
  let ui: MatchUiState = { ...host.ui };
  const saveUi = (patch: Partial<MatchUiState>) => { ui = { ...ui, ...patch }; host.saveUi(ui); };
  const { page, register, draw, finish } = panelPage(root, 'ml-panel ml-match');
  const charts = { register, draw };
  const compare = result.compare;

  page.appendChild(matchHeader(result, host));
  matchRerunControls(page, result, host.rerun);
  // Matched words have no categories by construction, so job 1's "selectivity undefined" notes say nothing here.
  const noCategoryNotes = new Set(compare && compare.categories.length === 0
    ? (['a', 'b'] as const).map((k) => `${compare[k].source.label}: selectivity index undefined: ${compare[k].selectivity.reason}`) : []);
  const notes = [...result.warnings, ...(compare?.warnings ?? []).filter((w) => !noCategoryNotes.has(w))];
  notesBanner(page, notes);

  // The table, and where each match sits in the comparison (the heatmaps' row order).
  const compareIndex = new Map((compare?.items ?? []).map((w, i) => [w, i]));
  const rowOfItem = new Map(result.matches.map((m, i) => [m.word, i]));
  const tableGrid = section(page, 'Matched words');
  const tableBody = card(tableGrid, `${result.matches.length} words in both vocabularies`,
    `first ${result.count} words of ${result.length} characters in ${result.a.label}'s order that are one token of ${result.b.label} ${describeForm(result.leadingSpace)}`,
    undefined, host, 'matches');
  tableBody.parentElement?.classList.add('ml-wide');
  const actions = el('div', 'ml-card-actions');
  tableBody.parentElement?.querySelector('.ml-card-header')?.appendChild(actions);
  dataExports(actions, host, [
    ['csv', 'CSV', 'table', () => ({ type: 'export', format: 'csv', name: 'matches.csv', encoding: 'utf8', content: matchesCsv(result) })],
  ], 'the table ');
  tableBody.appendChild(statRow([
    ['matched', 'matched', `${result.matches.length} of ${result.count}`],
    ['scanned', 'rows of A read', result.scanned.toLocaleString('en-US')],
    ['complete', 'A read to its end', result.complete ? 'yes' : 'no'],
    ['compared', 'in the comparison', String(compare?.items.length ?? 0)],
  ]));
  let heatmaps: Partial<Record<'a' | 'b', HeatmapChart>> = {};
  const select = (word: string | null, from: 'table' | 'heatmap') => {
    saveUi({ word: word ?? undefined });
    const k = word === null ? undefined : compareIndex.get(word);
    if (from === 'heatmap') table.select(word === null ? null : rowOfItem.get(word) ?? null);
    else for (const h of Object.values(heatmaps)) h?.select(k ?? null);
    if (word !== null) host.post({ type: 'selection', items: [word] });
  };
  const table = matchTable(result.matches, {
    sort: ui.sort ?? { column: 'rank', descending: false },
    compared: compare ? result.matches.map((m) => compareIndex.has(m.word)) : undefined,
    onSort: (sort) => saveUi({ sort }),
    onHover: (i) => {
      const k = i === null ? undefined : compareIndex.get(result.matches[i].word);
      for (const h of Object.values(heatmaps)) h?.highlight(k === undefined ? null : [k, k]);
    },
    onSelect: (i) => select(i === null ? null : result.matches[i].word, 'table'),
  });
  tableBody.appendChild(table.element);

  if (!compare) {
    const why = result.matches.length < 3 ? `only ${result.matches.length} matched and job 1 needs at least 3` : 'the comparison was skipped for this run';
    tableBody.appendChild(el('div', 'ml-note ml-no-compare', `No comparison: ${why}.`));
  } else {
    heatmaps = similarityHeatmaps(section(page, 'Cosine similarity of the matched words', 'ml-grid ml-heatmaps'), compare, host, charts, {
      ranges: ui.ranges,
      onSelect: (k) => select(k === null ? null : compare.items[k], 'heatmap'),
      onHover: (pair) => table.highlight(pair ? rowOfItem.get(compare.items[pair[0]]) ?? null : null),
      onRangeChange: (key, domain, scheme) => saveUi({ ranges: { ...ui.ranges, [key]: { domain, scheme } } }),
    });
    rsaScatterCard(section(page, 'Representational similarity analysis'), compare, once(() => upperPairs(compare)), host, charts);
  }

  const view = finish();
  const word = ui.word;
  if (word !== undefined && rowOfItem.has(word)) {
    table.select(rowOfItem.get(word) ?? null);
    const k = compareIndex.get(word);
    if (k !== undefined) for (const h of Object.values(heatmaps)) h?.select(k);
  }
  return view;
}

function describeForm(leadingSpace: LeadingSpace): string {
  return leadingSpace === 'with' ? 'with a leading space' : leadingSpace === 'without' ? 'without a leading space' : 'with or without a leading space';
}

function matchHeader(result: MatchResult, host: MatchPanelHost): HTMLElement {
  const sources = el('div', 'ml-sources');
  const a = result.a;
  const b = result.b;
  const chipA = sourceChip('a', a.label, [`${a.dims} d`, a.format, a.vocabSize ? `${a.vocabSize.toLocaleString('en-US')} words` : undefined].filter(Boolean).join(' · '), 'A');
  if (a.spec !== a.label) chipA.appendChild(el('span', 'ml-source-spec', a.spec));
  const chipB = sourceChip('b', b.label, [`${b.dims} d`, b.vocabSize ? `${b.vocabSize.toLocaleString('en-US')} tokens` : undefined].filter(Boolean).join(' · '), 'B');
  sources.append(chipA, chipB);
  const meta = [
    `L = ${result.length}`, `K = ${result.count}`, `leading space ${leadingSpaceLabels[result.leadingSpace]}`,
    result.compare ? `${result.compare.rsa.permutations} permutations` : undefined, `seed ${result.inputs.seed}`, ...runMeta(result.run),
  ].filter(Boolean).join(' · ');
  return header(result.title, sources, meta, host);
}

/** L, K and leading space, and Run again: the host runs the match with them and sends the new result here. */
function matchRerunControls(parent: HTMLElement, result: MatchResult, client: RerunClient | undefined): HTMLElement {
  return rerunControls(parent, {
    hint: 'Running again walks A again and compares the new matches.',
    fields: [
      { kind: 'number', key: 'length', label: 'Word length L', value: result.length, limit: rerunLimits.length, title: 'Characters per word' },
      { kind: 'number', key: 'count', label: 'Words K', value: result.count, limit: rerunLimits.count, title: 'How many words to find, walking A in file order' },
      { kind: 'choice', key: 'leadingSpace', label: 'Leading space', value: result.leadingSpace,
        choices: leadingSpaceChoices.map((c) => [c, leadingSpaceLabels[c]] as const), title: 'Which form of the word must be one token of B' },
    ],
    toParams: (v): MatchRerunParams => ({
      job: 'match', length: v.length as number, count: v.count as number,
      leadingSpace: leadingSpaceChoices.find((c) => c === v.leadingSpace) ?? 'with',
    }),
    client,
  });
}

/** The table as pandas reads it: the token's leading space as a real space in `token_text`. */
function matchesCsv(result: MatchResult): string {
  return tableCsv(['word', 'index_a', 'token_id_b', 'token', 'token_text', 'form'],
    result.matches.map((m) => [m.word, m.indexA, m.tokenIdB, m.token, m.form === 'with' ? ` ${m.word}` : m.word, m.form]));
}
