// What the job-command tests (compare, attention, contrast) share: the fake vscode installed before
// the command module loads (it imports vscode at load time), a clean `recorded` and no open panels
// before each test, an in-memory Memento, and the quick-pick answer helpers.
import { before, beforeEach } from 'node:test';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FakeUri, installFakeVscode, recorded, type QuickPickItem } from '../fake-vscode';
import { RecentList, type MementoLike } from '../../../src/extension/recent';
import type * as LogModule from '../../../src/extension/log';
import type * as PanelModule from '../../../src/extension/panels/panel';

export class Memory implements MementoLike {
  private readonly store = new Map<string, unknown>();
  get<T>(key: string): T | undefined { return this.store.get(key) as T | undefined; }
  update(key: string, value: unknown): Thenable<void> { this.store.set(key, value); return Promise.resolve(); }
}

export interface CommandHarness<M> {
  command: M;
  log: typeof LogModule;
  panel: typeof PanelModule;
  /** The PanelServices part every command's services share, with its recent runs kept in `memory`. */
  panelServices: (memory: Memory) => { extensionUri: never; log: LogModule.Log; recentRuns: RecentList };
}

/** Registers the hooks; the modules are on the returned object once `before` has run. */
export function commandHarness<M>(load: () => Promise<M>): CommandHarness<M> {
  const h = {} as Partial<CommandHarness<M>>;
  h.panelServices = (memory) => ({ extensionUri: FakeUri.file('/ext') as never, log: new (h.log as typeof LogModule).Log(), recentRuns: new RecentList(memory, 'runs') });
  before(async () => {
    installFakeVscode();
    h.command = await load();
    h.log = await import('../../../src/extension/log');
    h.panel = await import('../../../src/extension/panels/panel');
  });
  beforeEach(() => {
    h.panel?.ResultPanel.disposeAll();
    Object.assign(recorded, { quickPicks: [], quickPickAnswers: [], inputBoxAnswers: [], inputBoxes: [], warnings: [], warningActions: [], openDialogAnswers: [], openDialogs: [], errors: [], errorButtons: [], errorActions: [], infos: [], progress: [], steps: [], log: [], panels: [], inspect: {}, trusted: true });
  });
  return h as CommandHarness<M>;
}

export const byLabel = (label: string) => (items: QuickPickItem[]) => items.find((i) => i.label === label);
export const byPrefix = (prefix: string) => (items: QuickPickItem[]) => items.find((i) => i.label.includes(prefix));
export const tick = () => new Promise((r) => setImmediate(r));

/** A folder that passes the model prompt's check: config.json beside safetensors weights (their content is not read here). */
export function checkpointFolder(name: string): string {
  const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'mechlens-model-')), name);
  mkdirSync(dir);
  writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ model_type: 'gpt2', n_layer: 4, n_embd: 8, n_head: 2, vocab_size: 10, n_positions: 16 }));
  writeFileSync(path.join(dir, 'model.safetensors'), '');
  return dir;
}
