// A MechLens result panel: one webview showing one Result. The host posts nothing before the
// webview says `ready` (messages wait in a queue), checks every message it receives, and performs
// the file work the webview cannot do itself: save, export, open the log.
import type { RunHistory } from '../views/run-history';
import * as vscode from 'vscode';
import { isFromWebview, panelRequests, type FromWebview, type ToWebview } from '../../protocol/messages';
import { answerRequest, type RequestHandlers } from '../../protocol/ipc';
import type { Focus } from '../../protocol/side-view';
import type { PinBoard } from '../views/pin-board';
import { isResult, type Result } from '../../protocol/result';
import type { RerunOutcome } from '../../protocol/rerun';
import { MechLensError } from '../../core/errors';
import { userFacingMessage } from '../error-message';
import type { Log } from '../log';
import { isOpenableLink, planExport, safeFileName } from './panel-messages';
import { parseSavedRun } from './saved-run';
import type { RecentList } from '../recent';
import type { ResultStatusBar } from './status-bar';
import type { PanelStore } from './panel-store';
import { renderWebview, webviewOptions } from '../webview-resources';
import { packMatrices } from '../../protocol/packed-matrices';
import { writeJsonUri, writeUri } from './write-file';

export const panelViewType = 'mechlens.panel';

/**
 * Runs the panel's job again with the parameters the webview sent (unchecked: the handler validates
 * them) and returns the new result; `signal` aborts when the user cancels in the panel or closes it.
 * Registered by the job command through `enableRerun` in commands/job-flow.ts.
 */
type RerunHandler = (params: unknown, signal: AbortSignal) => Promise<Result>;

/** Whether each run opens a panel of its own (`mechlens.newPanelPerRun`) instead of reusing the one of the same job and input. */
function newPanelPerRun(): boolean {
  return vscode.workspace.getConfiguration('mechlens').get<boolean>('newPanelPerRun') === true;
}

export interface PanelServices {
  extensionUri: vscode.Uri;
  log: Log;
  recentRuns: RecentList;
  /** Keeps every finished run for Runs › Recent; absent, only saved and opened runs are listed there. */
  runHistory?: RunHistory;
  statusBar?: ResultStatusBar;
  /** Keeps results too large for the webview state, for restoring after a reload. */
  panelStore?: PanelStore;
  /** Told what the user selected in the active panel (the Inspector view follows it). */
  onSelection?: (panel: ResultPanel, items: readonly string[], focus?: Focus) => void;
  /** Keeps the chart cards pinned to the Pinned Charts view; absent, pin messages are ignored. */
  pins?: { board: PinBoard; revealView(): void };
}

export class ResultPanel implements vscode.Disposable {
  private static readonly open = new Set<ResultPanel>();
  /** The panel of each job and input (see `create`), for showing the next run of the same in place. */
  private static readonly byRunKey = new Map<string, ResultPanel>();
  private runKey: string | undefined;
  private static nextId = 1;
  /** Tells this panel's pins apart from other panels' (cards share keys across panels). */
  readonly id = ResultPanel.nextId++;
  private ready = false;
  private disposed = false;
  private readonly disposeEmitter = new vscode.EventEmitter<void>();
  /** Fires once when the panel closes (the user closed it, or the extension deactivates). */
  readonly onDidDispose = this.disposeEmitter.event;
  private readonly queue: ToWebview[] = [];
  private readonly disposables: vscode.Disposable[] = [];
  private result: Result | undefined;
  /** Where this result lives on disk, once saved or when opened from a file. */
  private savedUri: vscode.Uri | undefined;
  private saving = false;
  /** The items last selected in the panel (a word pair, a cluster), for views that follow it. */
  selection: readonly string[] = [];
  /** What the selection is when it is more than words: a neuron, a cluster, a layer, a token. */
  focus: Focus | undefined;
  private rerunHandler: RerunHandler | undefined;
  /** The re-run in progress, if any: one at a time per panel. */
  private rerunning: AbortController | undefined;
  /** The run whose progress this panel shows (first run or re-run), for the Cancel of its progress box. */
  private activeRun: AbortController | undefined;
  /** Starts the same run again (same inputs, same settings), for "Run again" after a cancel or a failure. */
  private runAgainHandler: (() => void) | undefined;

  /**
   * The panel for a run: with `runKey` (job and input, see `jobRunKey`) the open, idle panel of the
   * same key shows the new run in place, unless `mechlens.newPanelPerRun` is on; else a new panel
   * beside the active editor.
   */
  static create(services: PanelServices, title: string, runKey?: string): ResultPanel {
    const reusable = runKey !== undefined && !newPanelPerRun() ? ResultPanel.byRunKey.get(runKey) : undefined;
    if (reusable && !reusable.disposed && !reusable.isRunning) {
      services.log.info(`Showing the run in the open panel "${reusable.webviewPanel.title}" (mechlens.newPanelPerRun is off)`);
      reusable.startOver(title);
      return reusable;
    }
    const panel = ResultPanel.createNew(services, title);
    if (runKey !== undefined) {
      panel.runKey = runKey;
      ResultPanel.byRunKey.set(runKey, panel);
    }
    return panel;
  }

  private static createNew(services: PanelServices, title: string): ResultPanel {
    const webviewPanel = vscode.window.createWebviewPanel(panelViewType, title, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: false }, {
      ...webviewOptions(services.extensionUri),
      retainContextWhenHidden: true,
    });
    return new ResultPanel(webviewPanel, services);
  }

  /** Takes over a panel VS Code made: a restored one (serializer) or a custom editor's. */
  static adopt(webviewPanel: vscode.WebviewPanel, services: PanelServices): ResultPanel {
    return new ResultPanel(webviewPanel, services);
  }

  private constructor(readonly webviewPanel: vscode.WebviewPanel, private readonly services: PanelServices) {
    webviewPanel.iconPath = vscode.Uri.joinPath(services.extensionUri, 'media', 'mechlens.svg');
    renderWebview(webviewPanel.webview, services.extensionUri, webviewPanel.title);
    this.disposables.push(
      webviewPanel.webview.onDidReceiveMessage((message: unknown) => this.receive(message)),
      webviewPanel.onDidDispose(() => this.dispose()),
      webviewPanel.onDidChangeViewState(() => this.updateStatusBar()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('mechlens.heatmap')) this.rerender();
      }),
    );
    ResultPanel.open.add(this);
  }

  static get openPanels(): ReadonlySet<ResultPanel> {
    return ResultPanel.open;
  }

  /** This panel as the pin board sees it. */
  get pinSource(): { id: number; title: string; post: (m: ToWebview) => void; reveal: () => void } {
    // A closed webview throws on any use, its title included; a throw here once skipped the dispose
    // event, so closing a panel stopped cancelling its run.
    return { id: this.id, title: this.disposed ? '' : this.webviewPanel.title, post: (m) => this.post(m), reveal: () => this.reveal() };
  }

  get currentResult(): Result | undefined {
    return this.result;
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  /** True while a run (first run or re-run) reports its progress here. */
  get isRunning(): boolean {
    return this.activeRun !== undefined || this.rerunning !== undefined;
  }

  /** A reused panel: the next run's title, nothing of the previous run's handlers, and in front. */
  private startOver(title: string): void {
    this.webviewPanel.title = title;
    this.result = undefined;
    this.savedUri = undefined;
    this.rerunHandler = undefined;
    this.runAgainHandler = undefined;
    this.postCapabilities();
    this.showProgress('Starting…');
    this.webviewPanel.reveal(undefined, false);
  }

  /**
   * Marks `controller` as the run this panel shows, until the returned disposable is disposed: the
   * Cancel in the panel's progress box aborts it.
   */
  trackRun(controller: AbortController): vscode.Disposable {
    this.activeRun = controller;
    return { dispose: () => { if (this.activeRun === controller) this.activeRun = undefined; } };
  }

  /** Lets the panel start the same run again ("Run again" on a cancelled or failed run), or stops it (undefined). */
  setRunAgain(handler: (() => void) | undefined): void {
    this.runAgainHandler = handler;
    this.postCapabilities();
  }

  private postCapabilities(): void {
    this.post({ type: 'capabilities', rerun: this.rerunHandler !== undefined, runAgain: this.runAgainHandler !== undefined });
  }

  showResult(result: Result, savedUri?: vscode.Uri): void {
    if (this.disposed) return;
    this.result = result;
    this.savedUri = savedUri;
    this.webviewPanel.title = result.title || 'MechLens';
    this.post({ type: 'result', result });
    this.updateStatusBar();
    if (!savedUri && this.services.panelStore) {
      void this.services.panelStore.remember(this.webviewPanel.title, result)
        .catch((err: unknown) => this.services.log.error('Could not keep the result for restoring the panel after a reload', err));
    }
  }

  /**
   * The result so far of a run that streams (the logit lens, layer by layer): drawn, but neither
   * kept for a reload (the panel store writes the whole result to disk) nor put in the webview's
   * state; the final showResult does both, once.
   */
  showPartialResult(result: Result): void {
    if (this.disposed) return;
    this.result = result;
    this.webviewPanel.title = result.title || 'MechLens';
    this.post({ type: 'result', result, partial: true });
    this.updateStatusBar();
  }

  /** A run finished in this panel: keep it under Runs › Recent (see run-history.ts). */
  recordFinishedRun(result: Result): void {
    void this.services.runHistory?.record(result)
      .catch((err: unknown) => this.services.log.error('Could not keep the run for Runs › Recent', err));
  }

  private updateStatusBar(): void {
    if (this.disposed) return;
    if (this.webviewPanel.active && this.result) {
      this.services.statusBar?.show(this, this.result);
      this.services.onSelection?.(this, this.selection, this.focus);
    } else {
      this.services.statusBar?.hide(this);
    }
  }

  /**
   * Lets the webview run this panel's job again (`request` method `rerun`), or stops it (undefined).
   * The webview enables its Run again controls when told so.
   */
  setRerunHandler(handler: RerunHandler | undefined): void {
    this.rerunHandler = handler;
    this.postCapabilities();
  }

  get canRerun(): boolean {
    return this.rerunHandler !== undefined;
  }

  showProgress(message: string, fraction?: number): void {
    this.post({ type: 'progress', message, fraction });
  }

  showError(message: string): void {
    this.post({ type: 'error', message });
  }

  showCancelled(): void {
    this.post({ type: 'cancelled' });
  }

  reveal(): void {
    if (!this.disposed) this.webviewPanel.reveal(undefined, false);
  }

  post(message: ToWebview): void {
    // A run may finish after its panel was closed; a disposed webview throws on any use.
    if (this.disposed) return;
    if (!this.ready) {
      // Progress and a streaming result are only worth their latest value; other results and errors all matter.
      const last = this.queue[this.queue.length - 1] as ToWebview | undefined;
      if (message.type === 'progress' && last?.type === 'progress') this.queue.pop();
      if (message.type === 'result' && last?.type === 'result' && last.partial) this.queue.pop();
      this.queue.push(message);
      return;
    }
    void this.webviewPanel.webview.postMessage(toWire(message));
  }

  /** After a settings change the page is rebuilt with the new settings, and gets its result again. */
  private rerender(): void {
    this.ready = false;
    renderWebview(this.webviewPanel.webview, this.services.extensionUri, this.webviewPanel.title);
    if (this.result) this.queue.splice(0, this.queue.length, { type: 'result', result: this.result });
    if (this.rerunHandler || this.runAgainHandler) this.queue.push({ type: 'capabilities', rerun: this.rerunHandler !== undefined, runAgain: this.runAgainHandler !== undefined });
  }

  private receive(message: unknown): void {
    if (!isFromWebview(message)) {
      this.services.log.warn(`Ignored a malformed message from the panel: ${JSON.stringify(message)?.slice(0, 200)}`);
      return;
    }
    void this.handle(message).catch((err: unknown) => {
      this.services.log.error(`Panel action "${message.type}" failed`, err);
      void vscode.window.showErrorMessage(err instanceof MechLensError ? userFacingMessage(err) : `MechLens: ${message.type} failed. See the log for details.`, 'Open Log')
        .then((action) => { if (action) this.services.log.show(); });
    });
  }

  private async handle(message: FromWebview): Promise<void> {
    switch (message.type) {
      case 'ready':
        this.ready = true;
        for (const queued of this.queue.splice(0)) void this.webviewPanel.webview.postMessage(toWire(queued));
        // A rebuilt page starts with no pins marked: tell it which of its cards are pinned.
        this.services.pins?.board.echo(this.pinSource);
        return;
      case 'save':
        // A second Save while the dialog is open (a double click, an Enter that reaches the button
        // again) would queue a second dialog behind the first.
        if (this.saving) {
          this.services.log.info('Ignored a second Save while the save dialog is open');
          return;
        }
        this.saving = true;
        try {
          await this.save();
        } finally {
          this.saving = false;
        }
        return;
      case 'export':
        await this.export(message);
        return;
      case 'selection':
        this.selection = message.items.slice(0, 10_000);
        this.focus = message.focus;
        this.services.onSelection?.(this, this.selection, this.focus);
        return;
      case 'pin':
        this.services.pins?.board.pin(this.pinSource, message);
        this.services.pins?.revealView();
        return;
      case 'unpin':
        this.services.pins?.board.unpinCard(this.pinSource, message.card);
        return;
      case 'openLog':
        this.services.log.show();
        return;
      case 'request':
        await answerRequest(panelRequests, this.requestHandlers, message, (reply) => this.post(reply));
        return;
      case 'openLink':
        // The protocol guard checked the pattern already; the host checks again before opening anything.
        if (isOpenableLink(message.url)) {
          this.services.log.info(`Opening ${message.url}`);
          await vscode.env.openExternal(vscode.Uri.parse(message.url));
        } else {
          this.services.log.warn('Ignored a panel message of type "openLink"');
        }
        return;
      default: {
        const unknown: never = message;
        this.services.log.warn(`Ignored a panel message of type "${(unknown as { type: string }).type}"`);
      }
    }
  }

  /** The host's answers to panelRequests (protocol/messages.ts); the params are the page's, unchecked. */
  private readonly requestHandlers: RequestHandlers<typeof panelRequests> = {
    rerun: (params) => this.rerun(params),
    cancelRerun: () => {
      const running = this.rerunning;
      if (running) this.services.log.info('Re-run cancelled from the panel');
      running?.abort();
      return { cancelled: running !== undefined };
    },
    cancelRun: () => {
      const running = this.activeRun ?? this.rerunning;
      if (running) this.services.log.info('Run cancelled from the panel');
      running?.abort();
      return { cancelled: running !== undefined };
    },
    runAgain: () => {
      const handler = this.runAgainHandler;
      if (!handler || this.isRunning) return { started: false };
      this.services.log.info(`Running "${this.webviewPanel.title}" again from the panel`);
      handler();
      return { started: true };
    },
  };

  /**
   * Runs the job again and shows the new result in this panel (same tab, same column). The reply
   * comes after the run: `{status}` when it finished or was cancelled, the user-facing error otherwise.
   */
  private async rerun(params: unknown): Promise<RerunOutcome> {
    if (!this.rerunHandler) {
      throw new Error('This panel cannot run its job again: it was opened from a saved run or restored after a reload. A saved run starts again from the Run This Saved Run Again button in its title bar; otherwise run the command again.');
    }
    if (this.rerunning) {
      throw new Error('A re-run is already going in this panel: wait for it to finish, or cancel it first.');
    }
    const controller = new AbortController();
    this.rerunning = controller;
    try {
      const result = await this.rerunHandler(params, controller.signal);
      // A closed panel takes no result (and its reply goes nowhere).
      if (!this.disposed) this.showResult(result);
      return { status: 'done' };
    } catch (err) {
      if (err instanceof MechLensError && err.code === 'cancelled') return { status: 'cancelled' };
      this.services.log.error('Re-run from the panel failed', err);
      throw new Error(err instanceof MechLensError ? userFacingMessage(err)
        : `MechLens: running again failed unexpectedly (${err instanceof Error ? err.message : String(err)}). The log has the details.`);
    } finally {
      this.rerunning = undefined;
    }
  }

  private defaultFolder(): vscode.Uri | undefined {
    return this.savedUri ? vscode.Uri.joinPath(this.savedUri, '..') : vscode.workspace.workspaceFolders?.[0]?.uri;
  }

  private async save(): Promise<void> {
    if (!this.result) {
      void vscode.window.showInformationMessage('MechLens: there is no result to save yet.');
      return;
    }
    // No spaces: the name is typed in terminals and notebooks.
    const name = safeFileName(this.result.title || this.result.job, 'json').replace(/\s+/g, '-').replace(/\.json$/, '.mechlens.json');
    const folder = this.defaultFolder();
    const target = await vscode.window.showSaveDialog({
      defaultUri: this.savedUri ?? (folder ? vscode.Uri.joinPath(folder, name) : undefined),
      filters: { 'MechLens run': ['mechlens.json'], JSON: ['json'] },
      saveLabel: 'Save Run',
      title: 'MechLens: save this run (*.mechlens.json)',
    });
    if (!target) return;
    await this.services.log.step(`Saving run to ${target.fsPath}`, () =>
      writeJsonUri(target, this.result));
    this.savedUri = target;
    await this.services.recentRuns.push(target.toString());
    void vscode.commands.executeCommand('mechlens.refreshRuns');
    void vscode.window.showInformationMessage(`MechLens: saved ${vscode.workspace.asRelativePath(target)}.`);
  }

  private async export(message: Extract<FromWebview, { type: 'export' }>): Promise<void> {
    const plan = planExport(message);
    if (message.format === 'python') {
      // "Copy as Python": the script goes to the clipboard for a notebook cell; saving it is one click more.
      await vscode.env.clipboard.writeText(message.content);
      this.services.log.info(`Copied a Python script for ${plan.fileName} (${plan.bytes.length} bytes) to the clipboard`);
      const action = await vscode.window.showInformationMessage(`MechLens: copied a Python script that recomputes ${plan.fileName.replace(/\.py$/, '')} (numpy, scipy, scikit-learn, matplotlib). Paste it into a notebook, or save it.`, 'Save as .py…');
      if (action !== 'Save as .py…') return;
    }
    const folder = this.defaultFolder();
    const target = await vscode.window.showSaveDialog({
      defaultUri: folder ? vscode.Uri.joinPath(folder, plan.fileName) : undefined,
      filters: plan.filters,
      saveLabel: 'Export',
    });
    if (!target) return;
    await this.services.log.step(`Exporting ${message.format} (${plan.bytes.length} bytes) to ${target.fsPath}`, () =>
      writeUri(target, plan.bytes));
    void vscode.window.showInformationMessage(`MechLens: exported ${vscode.workspace.asRelativePath(target)}.`);
  }

  dispose(): void {
    if (!ResultPanel.open.delete(this)) return;
    this.disposed = true;
    if (this.runKey !== undefined && ResultPanel.byRunKey.get(this.runKey) === this) ResultPanel.byRunKey.delete(this.runKey);
    this.rerunning?.abort();
    this.activeRun?.abort();
    this.services.statusBar?.hide(this);
    this.webviewPanel.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
    this.services.pins?.board.panelClosed(this.pinSource);
    this.disposeEmitter.fire();
    this.disposeEmitter.dispose();
  }

  static disposeAll(): void {
    for (const panel of [...ResultPanel.open]) panel.dispose();
  }
}

/** What a restored panel's webview state may hold: the result itself, or the file it came from. */
function resultFromState(state: unknown): { result?: Result; path?: string } {
  if (isResult(state)) return { result: state };
  if (typeof state !== 'object' || state === null) return {};
  const s = state as Record<string, unknown>;
  if (isResult(s.result)) return { result: s.result };
  const path = [s.path, s.resultPath, s.savedPath].find((p): p is string => typeof p === 'string' && p.length > 0);
  return path ? { path } : {};
}

/** Brings panels back after a reload, from the state their webview kept. */
export class ResultPanelSerializer implements vscode.WebviewPanelSerializer {
  constructor(private readonly services: PanelServices) {}

  async deserializeWebviewPanel(webviewPanel: vscode.WebviewPanel, state: unknown): Promise<void> {
    const panel = ResultPanel.adopt(webviewPanel, this.services);
    const { result, path } = resultFromState(state);
    if (result) {
      this.services.log.info(`Restored panel "${webviewPanel.title}"`);
      panel.showResult(result);
      return;
    }
    if (path) {
      const uri = path.includes('://') ? vscode.Uri.parse(path) : vscode.Uri.file(path);
      try {
        panel.showResult(parseSavedRun(await vscode.workspace.fs.readFile(uri), uri.fsPath), uri);
        return;
      } catch (err) {
        this.services.log.error(`Could not restore panel from ${uri.fsPath}`, err);
        panel.showError(err instanceof MechLensError ? userFacingMessage(err) : `Could not read ${uri.fsPath}; run the analysis again.`);
        return;
      }
    }
    try {
      const stored = this.services.panelStore?.recall(webviewPanel.title);
      if (stored) {
        this.services.log.info(`Restored panel "${webviewPanel.title}" from extension storage`);
        panel.showResult(stored);
        return;
      }
    } catch (err) {
      this.services.log.error(`Could not restore panel "${webviewPanel.title}" from extension storage`, err);
    }
    panel.showError('This panel was not saved before the window reloaded. Run the analysis again, or open a saved run.');
  }
}

/** Large matrices of a result go as typed arrays, which VS Code sends beside the message text (see packed-matrices.ts). */
function toWire(message: ToWebview): ToWebview {
  return message.type === 'result' ? { ...message, result: packMatrices(message.result) } : message;
}
