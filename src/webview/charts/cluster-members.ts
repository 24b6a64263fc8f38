// What the cluster map lists below itself: the selection (with Clear), the nearest neighbours of the
// clicked point, and each cluster's members (a click on a cluster's name selects its points).
// Every label reaches the page through textContent, never as HTML.
import * as d3 from 'd3';
import { type ThemeColors, fmt } from './common';
import { button, el, note } from './form-elements';
import type { Neighbour } from './nearest-neighbours';

/** What the lists show, read from the map at each render. */
export interface MembersView {
  labels: string[];
  clusters: ArrayLike<number>;
  values?: ArrayLike<number>;
  valueLabel?: string;
  /** The map can find neighbours itself (it has the original vectors). */
  hasVectors: boolean;
  /** Neighbours come from the panel's own function, in its distance. */
  customNeighbours: boolean;
  metric: string;
  memberLists: boolean;
  memberListLimit: number;
  colors: ThemeColors;
  selection: ReadonlySet<number>;
  neighbourOf: { index: number; list: Neighbour[] } | null;
  /** Cluster ids in ascending order (their palette order). */
  clusterIds: number[];
  clusterColor(cluster: number): string;
}

export interface MembersActions {
  /** Clear: empty the selection and forget the neighbours. */
  clear(): void;
  /** A cluster's name was clicked. */
  selectMembers(indices: number[]): void;
}

export function clusterDetails(view: MembersView, actions: MembersActions): HTMLElement[] {
  const parts: HTMLElement[] = [];
  const { selection, neighbourOf } = view;
  if (selection.size) {
    const box = el('div', 'ml-cluster-selection');
    const head = el('div', 'ml-card-subtitle');
    head.textContent = `Selected: ${selection.size} point${selection.size === 1 ? '' : 's'}`;
    const clear = button('Clear', 'ml-cluster-clear', 'Clear the selection');
    clear.addEventListener('click', () => actions.clear());
    head.append(' ', clear);
    box.append(head, wordList(view, [...selection]));
    parts.push(box);
  }
  if (neighbourOf) {
    const box = el('div', 'ml-cluster-neighbours');
    const head = el('div', 'ml-card-subtitle');
    const metric = view.customNeighbours ? 'distance' : `${view.metric} distance, original space`;
    head.textContent = `${neighbourOf.list.length} nearest to “${view.labels[neighbourOf.index]}” (${metric})`;
    const list = el('ol', 'ml-neighbour-list');
    list.style.margin = '2px 0 6px';
    for (const nb of neighbourOf.list) {
      const item = el('li', '');
      item.dataset.index = String(nb.index);
      item.textContent = `${nb.label}  ${fmt(nb.distance, 4)}`;
      list.appendChild(item);
    }
    box.append(head, list);
    parts.push(box);
  } else if (selection.size === 1 && !view.customNeighbours && !view.hasVectors) {
    parts.push(note('Nearest neighbours need the original vectors.'));
  }
  if (view.memberLists) parts.push(memberLists(view, actions));
  return parts;
}

function memberLists(view: MembersView, actions: MembersActions): HTMLElement {
  const { labels, clusters, values, colors } = view;
  const box = el('div', 'ml-clusters');
  const slot = new Map(view.clusterIds.map((c, k) => [c, k]));
  const groups: { id: number | null; members: number[] }[] = view.clusterIds.map((c) => ({ id: c, members: [] }));
  const noise: number[] = [];
  for (let i = 0; i < labels.length; i++) {
    if (clusters[i] < 0) noise.push(i);
    else groups[slot.get(clusters[i]) ?? 0].members.push(i);
  }
  if (noise.length) groups.push({ id: null, members: noise });
  const valueLabel = view.valueLabel ?? 'value';
  for (const g of groups) {
    const card = el('div', 'ml-cluster-members');
    card.dataset.cluster = g.id === null ? 'noise' : String(g.id);
    const head = el('div', 'ml-cluster-name');
    head.style.cursor = 'pointer';
    head.title = 'Select these points';
    const swatch = el('span', '');
    Object.assign(swatch.style, { display: 'inline-block', width: '9px', height: '9px', marginRight: '6px', borderRadius: g.id === null ? '0' : '50%', background: g.id === null ? colors.muted : view.clusterColor(g.id) });
    const meanValue = values ? d3.mean(g.members, (i) => values[i]) : undefined;
    const meanAbs = values ? d3.mean(g.members, (i) => Math.abs(values[i])) : undefined;
    head.append(swatch, `${g.id === null ? 'Noise' : `Cluster ${g.id}`} · ${g.members.length}${meanValue !== undefined
      ? ` · mean ${valueLabel} ${fmt(meanValue, 2)}, mean |${valueLabel}| ${fmt(meanAbs, 2)}` : ''}`);
    head.addEventListener('click', () => actions.selectMembers(g.members));
    card.append(head, wordList(view, g.members));
    box.appendChild(card);
  }
  return box;
}

function wordList(view: MembersView, indices: number[]): HTMLElement {
  const p = el('div', 'ml-cluster-words');
  p.style.fontFamily = view.colors.monoFamily;
  p.style.fontSize = '0.9em';
  p.style.lineHeight = '1.5';
  const shown = indices.slice(0, view.memberListLimit);
  p.textContent = shown.map((i) => view.labels[i]).join(', ') + (indices.length > shown.length ? `, … ${indices.length - shown.length} more` : '');
  return p;
}
