// The local models and vector files every picker and the Models view offer: the checkpoint folders
// and vector files found in the workspace (local-scan.ts, walked again after a matching file
// appears or goes) and those added with "Add local…" (kept in globalState), plus the folder last
// browsed, where the next open dialog starts.
import * as vscode from 'vscode';
import path from 'node:path';
import { existsSync } from 'node:fs';
import type { MementoLike } from './recent';
import { scanForLocalItems, sniffInput, type LocalItem } from './local-scan';

const addedKey = 'mechlens.localItems';
const lastFolderKey = 'mechlens.lastBrowsedFolder';
/** A scan that takes longer than this is cut short: the pickers must open at once. */
const scanBudgetMs = 3000;

export class LocalInputs implements vscode.Disposable {
  private scan: Promise<LocalItem[]> | undefined;
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [this.changed];
  private controller: AbortController | undefined;

  constructor(private readonly memento: MementoLike, private readonly log?: { info(m: string): void }) {
    const watcher = vscode.workspace.createFileSystemWatcher('**/{config.json,*.safetensors,*.txt,*.vec,*.bin,*.w2v,*.gz}', false, true, false);
    const invalidate = (uri: vscode.Uri) => {
      if (/[\\/](node_modules|\.git)[\\/]/.test(uri.fsPath)) return;
      this.refresh();
    };
    this.disposables.push(watcher, watcher.onDidCreate(invalidate), watcher.onDidDelete(invalidate),
      vscode.workspace.onDidChangeWorkspaceFolders(() => this.refresh()));
  }

  /** Forgets the last scan (and stops it, if it still runs); the next `items()` walks again. */
  refresh(): void {
    this.controller?.abort();
    this.controller = undefined;
    this.scan = undefined;
    this.changed.fire();
  }

  /** Added items first (those still on disk), then what the workspace scan found. */
  async items(): Promise<LocalItem[]> {
    const added = this.added().filter((item) => existsSync(item.path));
    const found = await this.workspaceItems();
    const seen = new Set(added.map((i) => i.path));
    return [...added, ...found.filter((i) => !seen.has(i.path))];
  }

  private workspaceItems(): Promise<LocalItem[]> {
    if (!this.scan) {
      const roots = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);
      const controller = new AbortController();
      this.controller = controller;
      const timer = setTimeout(() => controller.abort(), scanBudgetMs);
      const started = performance.now();
      this.scan = scanForLocalItems(roots, { signal: controller.signal }).then(({ items, complete }) => {
        this.log?.info(`Workspace scan for local models and vector files: ${items.length} found in ${Math.round(performance.now() - started)} ms${complete ? '' : ' (stopped at its bounds)'}`);
        return items;
      }).finally(() => clearTimeout(timer));
    }
    return this.scan;
  }

  added(): LocalItem[] {
    const stored = this.memento.get<unknown>(addedKey);
    return Array.isArray(stored) ? stored.filter(isLocalItem) : [];
  }

  /** Adds a model folder or vector file; the message says why not when it is neither. */
  async add(p: string): Promise<{ item?: LocalItem; problem?: string }> {
    const kind = await sniffInput(p);
    const name = path.basename(p) || p;
    let item: LocalItem | undefined;
    if (kind.kind === 'model-folder') item = { kind: 'model', path: p, name };
    if (kind.kind === 'vectors') item = { kind: 'vectors', path: p, name, format: `${kind.format} · ${kind.dims}-d`, dims: kind.dims };
    if (!item) {
      return { problem: `${name} is neither a model folder (config.json and safetensors weights) nor a vector file (GloVe text, word2vec text or binary, fastText .vec).` };
    }
    await this.memento.update(addedKey, [item, ...this.added().filter((i) => i.path !== p)].slice(0, 50));
    this.changed.fire();
    return { item };
  }

  async remove(p: string): Promise<void> {
    await this.memento.update(addedKey, this.added().filter((i) => i.path !== p));
    this.changed.fire();
  }

  /** Where the next open dialog starts: the folder of the last path browsed, else the workspace. */
  browseStart(): vscode.Uri | undefined {
    const last = this.memento.get<unknown>(lastFolderKey);
    if (typeof last === 'string' && existsSync(last)) return vscode.Uri.file(last);
    return vscode.workspace.workspaceFolders?.[0]?.uri;
  }

  /** Remembers the folder a browsed path is in (for a folder chosen as a model, the folder above it). */
  async rememberBrowsed(p: string): Promise<void> {
    await this.memento.update(lastFolderKey, path.dirname(p));
  }

  dispose(): void {
    this.controller?.abort();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

function isLocalItem(x: unknown): x is LocalItem {
  if (typeof x !== 'object' || x === null) return false;
  const i = x as Record<string, unknown>;
  return (i.kind === 'model' || i.kind === 'vectors') && typeof i.path === 'string' && typeof i.name === 'string';
}

/** An open dialog that starts where the last one ended and remembers where this one ends. */
export async function browseFor(local: LocalInputs | undefined, options: vscode.OpenDialogOptions): Promise<vscode.Uri | undefined> {
  const picked = await vscode.window.showOpenDialog({ canSelectMany: false, defaultUri: local?.browseStart() ?? vscode.workspace.workspaceFolders?.[0]?.uri, ...options });
  const uri = picked?.[0];
  if (uri) await local?.rememberBrowsed(uri.fsPath);
  return uri;
}
