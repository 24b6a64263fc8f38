import '@vscode-elements/elements/dist/vscode-button/index.js';
import type { FromWebview } from '../../protocol/messages';
import type { Adjustment, RunInfo } from '../../protocol/result';
import type { Chart } from '../charts/common';
import { el } from '../charts/form-elements';
import { textBanner } from '../charts/banner';
import { exportMessage } from '../export';
import { forgetPinnableCards, pinButton, repostPinned } from '../pin';
import type { Focus } from '../../protocol/side-view';

/** Only the panel host's outlet is needed here, so each panel's own host type fits. */
export interface Poster { post(message: FromWebview): void }

/** Where a card finds its chart for export once the chart exists. */
export interface ChartSlot { chart?: Chart<never, never> }

export { el };

/** A panel's notes (what is worth saying but did not stop the run) as one info banner; nothing when there are none. */
export function notesBanner(page: HTMLElement, notes: string[]): void {
  if (!notes.length) return;
  page.appendChild(textBanner({ className: 'ml-banner-info ml-warnings', icon: 'info', lines: notes }));
}

export function icon(name: string): HTMLSpanElement {
  const s = el('span', `codicon codicon-${name}`);
  s.setAttribute('aria-hidden', 'true');
  return s;
}

/** A source chip of the header: key, label and an optional muted detail. */
export function sourceChip(key: string, label: string, detail?: string, keyText = key): HTMLElement {
  const c = el('span', 'ml-source');
  c.setAttribute('data-source', key);
  c.append(el('span', 'ml-source-key', keyText), el('span', undefined, label));
  if (detail) c.appendChild(el('span', 'ml-stat-label', detail));
  return c;
}

/** The value a setting ran with, for a card's subtitle; a lowered one says from what and why. */
export function usedSetting(a: Adjustment | undefined, asked: unknown): string {
  return a ? `${Number(a.used.toPrecision(3))} (lowered from ${a.asked}: ${a.why})` : String(asked ?? '—');
}

/** The tail every panel's meta line ends with, so runs can be told apart. */
export function runMeta(run: RunInfo): string[] {
  // A stored result: the time is when it was computed, and "from cache" says nothing ran now.
  const cached = run.fromCache ? ['from cache'] : [];
  return [...cached, `${(run.durationMs / 1000).toFixed(1)} s`, new Date(run.createdAt).toLocaleString('en-US'), `MechLens ${run.version}`];
}

export function header(title: string, sources: HTMLElement, meta: string, host: Poster): HTMLElement {
  const head = el('header', 'ml-header');
  const left = el('div');
  left.appendChild(el('h1', undefined, title));
  left.appendChild(sources);
  left.appendChild(el('div', 'ml-meta', meta));
  const toolbar = el('div', 'ml-toolbar');
  const save = document.createElement('vscode-button');
  save.setAttribute('secondary', '');
  save.append(icon('save'), document.createTextNode(' Save run'));
  save.title = 'Save this run as a .mechlens.json file';
  save.addEventListener('click', () => host.post({ type: 'save' }));
  save.classList.add('ml-save');
  toolbar.appendChild(save);
  head.append(left, toolbar);
  return head;
}

export function statRow(items: [string, string, string][]): HTMLElement {
  const row = el('div', 'ml-stats');
  for (const [key, label, value] of items) {
    const s = el('span');
    const v = el('span', 'ml-stat-value', value);
    v.setAttribute('data-stat', key);
    s.append(el('span', 'ml-stat-label', `${label} `), v);
    row.appendChild(s);
  }
  return row;
}

/** A card (title, SVG/PNG export buttons when exp is given, subtitle, body); returns the body. */
export function card(parent: HTMLElement, title: string, subtitle: string | undefined,
  exp: { name: string; chart: () => Chart<never, never> | undefined } | undefined, host: Poster, dataCard?: string): HTMLElement {
  const c = el('section', 'ml-card');
  if (dataCard) c.setAttribute('data-card', dataCard);
  // What "Copy as Python" (python-cards.ts) looks the card's script up by.
  if (exp) c.setAttribute('data-export-name', exp.name);
  const head = el('div', 'ml-card-header');
  head.appendChild(el('div', 'ml-card-title', title));
  if (exp) {
    const actions = el('div', 'ml-card-actions');
    for (const format of ['svg', 'png'] as const) {
      const b = el('button', 'ml-icon-button');
      b.type = 'button';
      b.setAttribute('data-export', format);
      b.title = `Export ${title} as ${format.toUpperCase()}`;
      b.append(icon(format === 'svg' ? 'file-code' : 'file-media'), document.createTextNode(format.toUpperCase()));
      b.addEventListener('click', async () => {
        const chart = exp.chart();
        if (!chart) return;
        host.post(await exportMessage(exp.name, chart.exportSvg(), format));
      });
      actions.appendChild(b);
    }
    actions.appendChild(pinButton(exp.name, title, exp.chart, host));
    head.appendChild(actions);
  }
  c.appendChild(head);
  if (subtitle) c.appendChild(el('div', 'ml-card-subtitle', subtitle));
  const body = el('div', 'ml-card-body');
  c.appendChild(body);
  parent.appendChild(c);
  return body;
}

/**
 * Data exports (CSV, .npy, a Python snippet) added to a card's SVG/PNG buttons.
 * `what` names the exported thing in the tooltips; the contrast panel's exports are not all matrices.
 */
export function dataExports(actions: Element | null | undefined, host: Poster,
  items: [string, string, string, () => FromWebview][], what = 'the matrix '): void {
  if (!actions) return;
  for (const [key, label, iconName, message] of items) {
    const b = el('button', 'ml-icon-button');
    b.type = 'button';
    b.setAttribute('data-export', key);
    b.title = key === 'python' ? 'Export a numpy/matplotlib snippet that redraws this heatmap from the .npy' : `Export ${what}as ${label}`;
    b.append(icon(iconName), document.createTextNode(label));
    b.addEventListener('click', () => host.post(message()));
    actions.appendChild(b);
  }
}

/** How long a panel draws before it lets the first view paint, and how long each later slice runs. */
const FIRST_VIEW_MS = 60;
const SLICE_MS = 30;

/**
 * A panel's page with its chart bookkeeping. Charts are queued on `draw` and drawn by `finish` once every card
 * is in place: a grid with one card so far lays it out full width, and the second card would shrink it and make
 * every chart draw twice.
 */
export function panelPage(root: HTMLElement, className: string): {
  page: HTMLElement;
  register: <C extends Chart<never, never>>(chart: C) => C;
  draw: (() => void)[];
  finish: () => { destroy(): void };
  /** Runs `show` when the Inspector asks this panel to show a selection ("Open in panel"). */
  onFocus: (show: (target: { items: string[]; focus?: Focus }) => void) => void;
} {
  const charts: Chart<unknown, unknown>[] = [];
  const focusListeners: ((event: Event) => void)[] = [];
  const onFocus = (show: (target: { items: string[]; focus?: Focus }) => void) => {
    const listener = (event: Event) => show((event as CustomEvent<{ items: string[]; focus?: Focus }>).detail);
    window.addEventListener('mechlens-focus', listener);
    focusListeners.push(listener);
  };
  const page = el('div', className);
  root.appendChild(page);
  const register = <C extends Chart<never, never>>(chart: C): C => { charts.push(chart as unknown as Chart<unknown, unknown>); return chart; };
  const draw: (() => void)[] = [];
  let destroyed = false;
  const finish = () => {
    // The charts draw in page order (heatmaps first) while they are quick; once FIRST_VIEW_MS have
    // gone, the rest draw one per task after a frame is painted, so a 2,400-word result shows its
    // first charts at once instead of after every chart (issue 20 item 9). A small panel draws
    // within the budget, all at once, as before. `data-rendered` marks the last chart drawn.
    const started = performance.now();
    let next = 0;
    const drawSome = (budgetEnd: number) => {
      if (destroyed) return;
      while (next < draw.length) {
        draw[next++]();
        if (performance.now() > budgetEnd) break;
      }
      if (next < draw.length) {
        requestAnimationFrame(() => setTimeout(() => drawSome(performance.now() + SLICE_MS), 0));
        return;
      }
      page.setAttribute('data-rendered', 'true');
      repostPinned();
    };
    drawSome(started + FIRST_VIEW_MS);
    return {
      destroy() {
        destroyed = true;
        forgetPinnableCards();
        for (const listener of focusListeners.splice(0)) window.removeEventListener('mechlens-focus', listener);
        for (const c of charts) c.destroy();
        page.remove();
      },
    };
  };
  return { page, register, draw, finish, onFocus };
}
