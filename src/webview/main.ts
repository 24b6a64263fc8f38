// The panel shell: talks to the extension host (or to the HTML report's shim) through
// acquireVsCodeApi, says `ready`, then renders whatever it is sent: a Result, progress, an error
// or a cancellation. It keeps the last Result and the UI choices in the webview state, so a
// reload shows the same panel before the host answers again.
import { plainRows, unpackMatrices } from '../protocol/packed-matrices';
import '@vscode-elements/elements/dist/vscode-progress-bar/index.js';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import type { FromWebview, ToWebview } from '../protocol/messages';
import { type Result, isResult } from '../protocol/result';
import { jobNames, sizeOfResult } from '../protocol/jobs';
import { setPinnedCards } from './pin';
import { isRenderable, keepsRowViews, renderResult, webviewJobs, type PanelView, type SavedState } from './jobs';
import { RequestClient } from '../protocol/ipc';
import { panelRequests } from '../protocol/messages';
import { RerunClient, rerunStatusStrip } from './rerun-client';
import { markRandomWeights } from './random-weights';

interface VsCodeApi {
  postMessage(message: FromWebview): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

/** Results above this many items are not kept in webview state (it is serialized on every set). */
const maxItemsInState = 400;

const vscode = acquireVsCodeApi();
const app = document.getElementById('app') ?? document.body.appendChild(document.createElement('div'));
app.classList.add('ml-app');
const requests = new RequestClient((m) => vscode.postMessage(m));
/** Runs the job again from the panel's controls; its strip above the panel shows progress and Cancel. */
const rerunClient = new RerunClient(requests);
app.parentElement?.insertBefore(rerunStatusStrip(rerunClient, () => vscode.postMessage({ type: 'openLog' })), app);
let saved: SavedState = (vscode.getState() as SavedState | undefined) ?? {};
let current: Result | undefined;
let view: PanelView | undefined;
/** Set from the host's `capabilities`: the same run can start again from its inputs (after a cancel or a failure). */
let runAgainAvailable = false;
/** The state box on screen, drawn again when the capabilities change (its Run again button). */
let shownState: Parameters<typeof stateBox> | undefined;

function persist(): void {
  // Row views (typed arrays) are not JSON: the state keeps plain rows.
  const result = current && sizeOfResult(current) <= maxItemsInState ? plainRows(current) : undefined;
  const state: SavedState = { result };
  for (const job of jobNames) {
    const key = webviewJobs[job].stateKey;
    state[key] = saved[key] as never;
  }
  vscode.setState(state);
}

function clear(): void {
  view?.destroy();
  view = undefined;
  app.replaceChildren();
}

/** `partial`: a result still streaming in, drawn but not put in the state until the final one. */
function showResult(result: Result, partial = false): void {
  current = result;
  clear();
  view = renderResult(app, result, {
    state: () => saved,
    saveState: (state) => { saved = state; persist(); },
    post: (m) => vscode.postMessage(m),
    rerun: rerunClient,
  });
  markRandomWeights(app, result);
  if (!partial) persist();
}

/** "Reading vectors (40%)": the progress box's line. */
function progressText(message: string, fraction?: number): string {
  return fraction !== undefined ? `${message} (${Math.round(fraction * 100)}%)` : message;
}

/**
 * Shows the next progress step in the progress box already on screen, keeping its elements: a box
 * drawn afresh for every step (several a second during t-SNE) replaced the Cancel button between a
 * click's press and release, and the click was lost. False when there is no such box to update.
 */
function updateProgressBox(message: string, fraction?: number): boolean {
  const determinate = fraction !== undefined && Number.isFinite(fraction);
  const box = shownState?.[0] === 'progress' ? app.querySelector<HTMLElement>(':scope > .ml-state-progress') : null;
  const bar = box?.querySelector('vscode-progress-bar') as (HTMLElement & { value?: number; max: number }) | null | undefined;
  const text = box?.querySelector('.ml-state-message');
  if (!box || !bar || !text || box.hasAttribute('data-determinate') !== determinate) return false;
  if (determinate) bar.value = Math.max(0, Math.min(1, fraction));
  bar.setAttribute('aria-label', message);
  text.textContent = progressText(message, fraction);
  shownState = ['progress', message, fraction];
  return true;
}

function stateBox(kind: 'progress' | 'error' | 'cancelled' | 'waiting', message: string, fraction?: number): void {
  clear();
  // The box replaces what was shown: a theme change or new capabilities draw the box again, not an old result.
  current = undefined;
  shownState = [kind, message, fraction];
  const box = document.createElement('div');
  box.className = `ml-state ml-state-${kind}`;
  box.setAttribute('data-state', kind);
  if (kind === 'progress' || kind === 'waiting') {
    const bar = document.createElement('vscode-progress-bar') as HTMLElement & { value?: number; max: number };
    if (fraction !== undefined && Number.isFinite(fraction)) {
      bar.max = 1;
      bar.value = Math.max(0, Math.min(1, fraction));
      box.setAttribute('data-determinate', '');
    }
    bar.setAttribute('aria-label', message);
    box.appendChild(bar);
    const text = document.createElement('div');
    text.className = 'ml-state-message';
    text.textContent = progressText(message, fraction);
    box.appendChild(text);
    if (kind === 'progress') {
      const cancel = stateButton('Cancel', 'ml-state-cancel', () => {
        cancel.setAttribute('disabled', '');
        cancel.textContent = 'Cancelling…';
        void requests.send(panelRequests.cancelRun).catch(() => undefined);
      });
      box.appendChild(cancel);
    }
  } else {
    const banner = document.createElement('div');
    banner.className = `ml-banner ${kind === 'error' ? 'ml-banner-error' : 'ml-banner-info'}`;
    const icon = document.createElement('span');
    icon.className = `codicon codicon-${kind === 'error' ? 'error' : 'circle-slash'}`;
    const body = document.createElement('div');
    body.className = 'ml-banner-body';
    const title = document.createElement('div');
    title.className = 'ml-banner-title';
    title.textContent = kind === 'error' ? 'The analysis failed' : 'Cancelled';
    const text = document.createElement('div');
    text.className = 'ml-state-message';
    text.textContent = message;
    body.append(title, text);
    banner.append(icon, body);
    box.appendChild(banner);
    const actions = document.createElement('div');
    actions.className = 'ml-state-actions';
    if (runAgainAvailable) {
      const again = stateButton('Run again', 'ml-state-run-again', () => {
        again.setAttribute('disabled', '');
        void requests.send(panelRequests.runAgain).catch(() => undefined);
      }, false);
      actions.appendChild(again);
    }
    if (kind === 'error') actions.appendChild(stateButton('Open log', 'ml-state-log', () => vscode.postMessage({ type: 'openLog' })));
    if (actions.childElementCount) box.appendChild(actions);
  }
  app.appendChild(box);
}

function stateButton(label: string, className: string, onClick: () => void, secondary = true): HTMLElement {
  const b = document.createElement('vscode-button');
  if (secondary) b.setAttribute('secondary', '');
  b.className = className;
  b.textContent = label;
  b.addEventListener('click', onClick);
  return b;
}

window.addEventListener('message', (event: MessageEvent) => {
  const message = event.data as ToWebview | undefined;
  if (typeof message !== 'object' || message === null || typeof message.type !== 'string') return;
  switch (message.type) {
    case 'result':
      shownState = undefined;
      message.result = unpackMatrices(message.result, keepsRowViews((message.result as { job?: unknown } | undefined)?.job));
      if (isResult(message.result) && isRenderable(message.result)) showResult(message.result, message.partial === true);
      else stateBox('error', 'This panel cannot show that result (unknown job or schema).');
      break;
    case 'progress': {
      // During a re-run the old result stays on screen and the strip above it shows the progress.
      const fraction = typeof message.fraction === 'number' ? message.fraction : undefined;
      if (rerunClient.progress(String(message.message), fraction)) break;
      if (!updateProgressBox(String(message.message), fraction)) stateBox('progress', String(message.message), fraction);
      break;
    }
    case 'error':
      stateBox('error', String(message.message));
      break;
    case 'reply':
      requests.handleReply(message);
      break;
    case 'capabilities':
      rerunClient.available = message.rerun === true;
      runAgainAvailable = message.runAgain === true;
      if (current) showResult(current);
      else if (shownState && shownState[0] !== 'progress') stateBox(...shownState);
      break;
    case 'cancelled':
      stateBox('cancelled', 'The run was cancelled. Nothing was saved; run it again when ready.');
      break;
    case 'pinned':
      if (Array.isArray(message.cards)) setPinnedCards(message.cards.filter((c): c is string => typeof c === 'string'));
      break;
    case 'focus':
      // The Inspector's "Open in panel": the panel showing the selection listens for this event.
      window.dispatchEvent(new CustomEvent('mechlens-focus', { detail: { items: message.items, focus: message.focus } }));
      break;
    default:
      break;
  }
});

// VS Code swaps the theme by changing <body>'s class and the variables on <html>: charts resolve
// colors at draw time, so they draw again.
new MutationObserver(() => { if (current) showResult(current); })
  .observe(document.body, { attributes: true, attributeFilter: ['class'] });

if (saved.result && isResult(saved.result) && isRenderable(saved.result)) showResult(saved.result);
else stateBox('waiting', 'Waiting for results…');
vscode.postMessage({ type: 'ready' });
