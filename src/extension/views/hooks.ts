// The "Hook Points" view: the hook points of the model selected in the Models view, with their
// per-position shapes and Hugging Face aliases. A hook can be copied, or used as a compare source.
import * as vscode from 'vscode';
import type { HookPoint, HookShapeConfig } from '../../core/models/hooks';
import { formatHookShape, hookGroups, hookSourceSpec, shortHookName, type HookGroup } from './hook-tree';

export interface HookModel {
  /** What a source spec names: a catalog name, a hub id or a folder. */
  model: string;
  label: string;
  config: HookShapeConfig;
}

type HookNode = { kind: 'group'; group: HookGroup; index: number } | { kind: 'hook'; hook: HookPoint; model: string };

/** The hook node's source spec, for the view's inline actions. */
export function hookNodeSpec(node: unknown): { name: string; spec: string } | undefined {
  if (typeof node !== 'object' || node === null || (node as HookNode).kind !== 'hook') return undefined;
  const { hook, model } = node as Extract<HookNode, { kind: 'hook' }>;
  return { name: hook.name, spec: hookSourceSpec(model, hook.name) };
}

export class HooksTreeProvider implements vscode.TreeDataProvider<HookNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private model: HookModel | undefined;
  private groups: HookGroup[] = [];
  /** The view showing this tree, whose description names the model. */
  view: vscode.TreeView<HookNode> | undefined;

  setModel(model: HookModel | undefined): void {
    this.model = model;
    this.groups = model ? hookGroups(model.config) : [];
    if (this.view) this.view.description = model?.label;
    void vscode.commands.executeCommand('setContext', 'mechlens.hooksModelSelected', !!model);
    this.changed.fire();
  }

  getTreeItem(node: HookNode): vscode.TreeItem {
    if (node.kind === 'group') {
      // Embeddings open; the layers start closed, since a 48-layer model has 600 hooks.
      const item = new vscode.TreeItem(node.group.label, node.index === 0 ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed);
      item.id = `${this.model?.model}:group:${node.index}`;
      item.description = `${node.group.hooks.length} hooks`;
      return item;
    }
    const { hook } = node;
    const item = new vscode.TreeItem(shortHookName(hook.name), vscode.TreeItemCollapsibleState.None);
    item.id = `${node.model}:${hook.name}`;
    item.description = formatHookShape(hook.shape);
    const tooltip = new vscode.MarkdownString();
    tooltip.appendCodeblock(hook.name, 'text');
    tooltip.appendText(`${hook.description}\nShape per position: ${formatHookShape(hook.shape)}`);
    if (hook.aliases.length) tooltip.appendText(`\nHugging Face: ${hook.aliases.join(', ')}`);
    item.tooltip = tooltip;
    item.iconPath = new vscode.ThemeIcon('debug-breakpoint-log');
    item.contextValue = 'mechlens.hook';
    return item;
  }

  getChildren(node?: HookNode): HookNode[] {
    if (!this.model) return [];
    if (!node) return this.groups.map((group, index) => ({ kind: 'group', group, index }));
    if (node.kind === 'group') return node.group.hooks.map((hook) => ({ kind: 'hook', hook, model: this.model!.model }));
    return [];
  }

  dispose(): void {
    this.changed.dispose();
  }
}
