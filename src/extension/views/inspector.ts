// The two webview side views of the MechLens container: the Inspector (details of the selection in
// the active panel, with small charts and open/copy/export) and Pinned Charts (chart cards pinned
// from panels). Both use the one HTML builder (nonce CSP, dist/ and media/ only) and dist/sideview.js,
// check every message they get, and post nothing before the page says `ready`.
import * as vscode from 'vscode';
import { writeUri } from '../panels/write-file';
import { buildWebviewHtml, createNonce } from '../webview-html';
import { webviewOptions } from '../webview-resources';
import { inspectSelection } from '../job-table';
import { planExport } from '../panels/panel-messages';
import { PinBoard, type PinSource } from './pin-board';
import type { Log } from '../log';
import type { PairLayers, PairLayersInput } from '../../core/analyses/pair-layers';
import type { RunControl } from '../../core/run-control';
import { MechLensError } from '../../core/errors';
import { userFacingMessage } from '../error-message';
import type { AnyResult } from '../../protocol/result';
import {
  inspectorRequests, isFromSideView, pinnedRequests, type Focus, type FromSideView, type InspectorData, type PinnedChart, type ToSideView,
} from '../../protocol/side-view';
import { answerRequest, type RequestHandlers, type RequestMap } from '../../protocol/ipc';

export const inspectorViewId = 'mechlens.inspector';
export const pinnedViewId = 'mechlens.pinned';

abstract class SideView<M extends RequestMap> implements vscode.WebviewViewProvider, vscode.Disposable {
  private view: vscode.WebviewView | undefined;
  private ready = false;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly extensionUri: vscode.Uri, private readonly title: string, protected readonly log?: Log) {}

  /** The message that brings a (re)loaded page up to date. */
  protected abstract current(): ToSideView;
  protected abstract handle(message: Exclude<FromSideView, { type: 'ready' | 'request' }>): Promise<void>;
  /** The view's requests (protocol/side-view.ts) and the host's answers to them. */
  protected abstract readonly requests: M;
  protected abstract readonly requestHandlers: RequestHandlers<M>;

  resolveWebviewView(view: vscode.WebviewView): void {
    this.view = view;
    this.ready = false;
    view.webview.options = webviewOptions(this.extensionUri);
    const uri = (...segments: string[]) => view.webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, ...segments)).toString();
    view.webview.html = buildWebviewHtml({
      cspSource: view.webview.cspSource, nonce: createNonce(), title: this.title,
      styles: [uri('dist', 'codicons', 'codicon.css'), uri('dist', 'webview.css')],
      scripts: [uri('dist', 'sideview.js')],
    });
    this.disposables.push(
      view.webview.onDidReceiveMessage((m: unknown) => {
        if (!isFromSideView(m)) {
          this.log?.warn(`Ignored a malformed message from the ${this.title} view: ${JSON.stringify(m)?.slice(0, 200)}`);
          return;
        }
        if (m.type === 'ready') {
          this.ready = true;
          this.post();
          return;
        }
        if (m.type === 'request') {
          void answerRequest(this.requests, this.requestHandlers, m, (reply) => { void this.view?.webview.postMessage(reply satisfies ToSideView); });
          return;
        }
        void this.handle(m).catch((err: unknown) => {
          this.log?.error(`${this.title}: "${m.type}" failed`, err);
          void vscode.window.showErrorMessage(`MechLens: ${m.type} from the ${this.title} view failed. See the log for details.`);
        });
      }),
      view.onDidDispose(() => { this.view = undefined; this.ready = false; }),
    );
  }

  protected post(): void {
    if (this.view && this.ready) void this.view.webview.postMessage(this.current());
  }

  /** Writes an export the page made (CSV, SVG) where the user picks. */
  protected async export(message: Extract<FromSideView, { type: 'export' }>): Promise<void> {
    const plan = planExport(message);
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const target = await vscode.window.showSaveDialog({ defaultUri: folder ? vscode.Uri.joinPath(folder, plan.fileName) : undefined, filters: plan.filters, saveLabel: 'Export' });
    if (!target) return;
    await writeUri(target, plan.bytes);
    void vscode.window.showInformationMessage(`MechLens: exported ${vscode.workspace.asRelativePath(target)}.`);
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

/** What the Inspector needs of the panel a selection came from. */
interface InspectedPanel {
  readonly currentResult: AnyResult | undefined;
  reveal(): void;
  post(message: { type: 'focus'; items: string[]; focus?: Focus }): void;
}

export class InspectorViewProvider extends SideView<typeof inspectorRequests> {
  private latest: InspectorData = inspectSelection(undefined, []);
  private source: { panel: InspectedPanel; items: string[]; focus?: Focus } | undefined;

  /** `pairLayers` runs the model for a pair at every layer (in a worker); without it the pair view offers no such run. */
  constructor(extensionUri: vscode.Uri, log?: Log, private readonly pairLayers?: (input: PairLayersInput, control: RunControl) => Promise<PairLayers>) {
    super(extensionUri, 'MechLens Inspector', log);
  }

  /** Called when a panel reports a selection (or becomes active with one). */
  inspect(panel: InspectedPanel, items: readonly string[], focus?: Focus): void {
    this.source = { panel, items: [...items], focus };
    this.latest = inspectSelection(panel.currentResult, items, focus);
    this.post();
  }

  protected current(): ToSideView {
    return { type: 'inspect', data: this.latest };
  }

  protected readonly requests = inspectorRequests;
  protected readonly requestHandlers: RequestHandlers<typeof inspectorRequests> = {
    pairLayers: () => this.runLayers(),
  };

  protected async handle(message: Exclude<FromSideView, { type: 'ready' | 'request' }>): Promise<void> {
    if (message.type === 'open') {
      if (!this.source) return;
      this.source.panel.reveal();
      this.source.panel.post({ type: 'focus', items: this.source.items, focus: this.source.focus });
    } else if (message.type === 'copy') {
      await vscode.env.clipboard.writeText(message.text);
      vscode.window.setStatusBarMessage('MechLens: copied the Inspector\'s numbers', 3000);
    } else if (message.type === 'export') {
      await this.export(message);
    }
  }

  /** The inspected pair through every layer of its model, behind a cancellable progress notification. */
  private async runLayers(): Promise<void> {
    const data = this.latest;
    if (data.kind !== 'pair' || !data.layerSource || !this.pairLayers) return;
    const { model, template } = data.layerSource;
    const run = this.pairLayers;
    try {
      const layers = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `MechLens: "${data.words[0]}" × "${data.words[1]}" across the layers of ${model}`, cancellable: true },
        (progress, token) => {
          const abort = new AbortController();
          token.onCancellationRequested(() => abort.abort());
          return run({ model, template, words: data.words }, { signal: abort.signal, onProgress: (p) => progress.report({ message: p.message }) });
        });
      // The user may have picked something else meanwhile: only the same pair gets the layers.
      if (this.latest === data) {
        this.latest = { ...data, layers: { layers: layers.layers, series: layers.series } };
        this.post();
      }
      for (const w of layers.warnings) this.log?.warn(w);
    } catch (err) {
      this.post();
      if (err instanceof MechLensError && err.code === 'cancelled') return;
      this.log?.error(`Similarity across layers of ${model} failed`, err);
      void vscode.window.showErrorMessage(err instanceof MechLensError ? userFacingMessage(err) : `MechLens: could not run ${model} for "${data.words.join('", "')}". See the log for details.`, 'Open Log')
        .then((action) => { if (action) this.log?.show(); });
    }
  }
}

export class PinnedViewProvider extends SideView<typeof pinnedRequests> {
  readonly board = new PinBoard(() => this.post());

  constructor(extensionUri: vscode.Uri, log?: Log) {
    super(extensionUri, 'MechLens Pinned Charts', log);
  }

  protected current(): ToSideView {
    return { type: 'pins', pins: this.board.list() satisfies PinnedChart[] };
  }

  /** A pin arrived: make sure the view is visible without taking focus from the editor. */
  reveal(): void {
    void vscode.commands.executeCommand(`${pinnedViewId}.focus`, { preserveFocus: true });
  }

  protected readonly requests = pinnedRequests;
  protected readonly requestHandlers: RequestHandlers<typeof pinnedRequests> = {};

  protected async handle(message: Exclude<FromSideView, { type: 'ready' | 'request' }>): Promise<void> {
    if (message.type === 'unpin') this.board.unpin(message.id);
    else if (message.type === 'open' && message.id && !this.board.reveal(message.id)) {
      void vscode.window.showInformationMessage('MechLens: the panel of this chart was closed.');
    } else if (message.type === 'export') await this.export(message);
  }
}

export type { PinSource };
