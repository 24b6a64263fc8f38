// The webview side of re-running the panel's job, over the typed requests of protocol/ipc.ts
// (panelRequests.rerun and .cancelRerun). RerunClient runs one re-run
// at a time, follows its progress (main.ts hands it the host's `progress` messages while it runs, so
// the panel stays on screen) and tells subscribers — the Run again buttons, the status strip — what
// is going on. The status strip sits above the panel with a progress bar and Cancel.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-progress-bar/index.js';
import { panelRequests } from '../protocol/messages';
import type { RequestClient } from '../protocol/ipc';
import type { RerunOutcome } from '../protocol/rerun';
import type { JobName, RerunParamsOf } from '../protocol/jobs';

export type RerunState =
  | { kind: 'idle' }
  | { kind: 'running'; message: string; fraction?: number }
  | { kind: 'failed'; message: string }
  | { kind: 'cancelled' };

export class RerunClient {
  /** Set from the host's `capabilities`: only a panel whose command registered a re-run can run again. */
  available = false;
  private current: RerunState = { kind: 'idle' };
  private readonly listeners = new Set<(state: RerunState) => void>();

  constructor(private readonly requests: RequestClient) {}

  get state(): RerunState {
    return this.current;
  }

  get running(): boolean {
    return this.current.kind === 'running';
  }

  /** Asks the host to run again; resolves when the run has ended (the new result arrives just before). */
  async run(params: RerunParamsOf<JobName>): Promise<RerunOutcome | undefined> {
    if (!this.available || this.running) return undefined;
    this.set({ kind: 'running', message: 'Starting…' });
    try {
      const outcome = await this.requests.send(panelRequests.rerun, params);
      this.set(outcome?.status === 'cancelled' ? { kind: 'cancelled' } : { kind: 'idle' });
      return outcome;
    } catch (err) {
      this.set({ kind: 'failed', message: err instanceof Error ? err.message : String(err) });
      return undefined;
    }
  }

  cancel(): void {
    if (!this.running) return;
    this.set({ kind: 'running', message: 'Cancelling…' });
    void this.requests.send(panelRequests.cancelRerun).catch(() => undefined);
  }

  /** Progress of the run in flight; false when nothing runs (the caller shows it as before). */
  progress(message: string, fraction?: number): boolean {
    if (!this.running) return false;
    this.set({ kind: 'running', message, fraction });
    return true;
  }

  dismiss(): void {
    if (!this.running) this.set({ kind: 'idle' });
  }

  /** Calls `listener` now and on every change until the returned function is called. */
  subscribe(listener: (state: RerunState) => void): () => void {
    this.listeners.add(listener);
    listener(this.current);
    return () => this.listeners.delete(listener);
  }

  /** For elements inside a panel that is replaced on every result: stops listening once `element` has left the page. */
  follow(element: Element, listener: (state: RerunState) => void): void {
    const wrapped = (state: RerunState) => {
      if (!element.isConnected) { this.listeners.delete(wrapped); return; }
      listener(state);
    };
    this.listeners.add(wrapped);
    // The element is usually not in the page yet when it starts following, so the first call skips the check.
    listener(this.current);
  }

  private set(state: RerunState): void {
    this.current = state;
    for (const listener of [...this.listeners]) listener(state);
  }
}

/**
 * The strip above the panel: progress and Cancel while a re-run goes, then the error or the
 * cancellation until dismissed. Hidden when idle.
 */
export function rerunStatusStrip(client: RerunClient, openLog: () => void): HTMLElement {
  const strip = document.createElement('div');
  strip.className = 'ml-rerun-status';
  strip.setAttribute('role', 'status');
  strip.setAttribute('aria-live', 'polite');
  client.subscribe((state) => {
    strip.replaceChildren();
    strip.setAttribute('data-state', state.kind);
    strip.hidden = state.kind === 'idle';
    if (state.kind === 'idle') return;
    const icon = document.createElement('span');
    const text = document.createElement('span');
    text.className = 'ml-rerun-status-message';
    if (state.kind === 'running') {
      const bar = document.createElement('vscode-progress-bar') as HTMLElement & { value?: number; max: number };
      if (state.fraction !== undefined && Number.isFinite(state.fraction)) { bar.max = 1; bar.value = Math.max(0, Math.min(1, state.fraction)); }
      bar.setAttribute('aria-label', state.message);
      icon.className = 'codicon codicon-sync codicon-modifier-spin';
      text.textContent = `Running again: ${state.message}${state.fraction !== undefined ? ` (${Math.round(state.fraction * 100)}%)` : ''}`;
      strip.append(bar, icon, text, button('Cancel', 'ml-rerun-cancel', () => client.cancel()));
      return;
    }
    icon.className = `codicon codicon-${state.kind === 'failed' ? 'error' : 'circle-slash'}`;
    text.textContent = state.kind === 'failed'
      ? `Running again failed: ${state.message}`
      : 'Re-run cancelled. The panel still shows the previous run.';
    strip.append(icon, text);
    if (state.kind === 'failed') strip.appendChild(button('Open log', 'ml-rerun-log', openLog));
    strip.appendChild(button('Dismiss', 'ml-rerun-dismiss', () => client.dismiss()));
  });
  return strip;
}

function button(label: string, className: string, onClick: () => void): HTMLElement {
  const b = document.createElement('vscode-button');
  b.setAttribute('secondary', '');
  b.className = className;
  b.textContent = label;
  b.addEventListener('click', onClick);
  return b;
}
