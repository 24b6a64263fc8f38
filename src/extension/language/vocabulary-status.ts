// The vocabulary that word lists and sentence sets are checked against, made visible: a status-bar
// item while a .words or .sentences file is active, and a picker (the item's command) that writes
// `mechlens.diagnostics.vocabulary`. diagnostics.ts re-checks the open files when that setting changes.
import * as vscode from 'vscode';
import path from 'node:path';
import { stepQuickPick } from '../commands/job-flow';
import type { VocabularyChoice } from './diagnostics';

const chooseVocabularyCommand = 'mechlens.chooseDiagnosticsVocabulary';
const kinds: Record<string, 'words' | 'sentences'> = { 'mechlens-words': 'words', 'mechlens-sentences': 'sentences' };

/** A short name for a spec: the folder or file name of a path, the id otherwise. */
function vocabularyName(spec: string): string {
  const bare = spec.replace(/^(vectors|model):/, '').replace(/#.*$/, '');
  return /[\\/]/.test(bare) && !/^[\w.-]+\/[\w.-]+$/.test(bare) ? path.basename(bare) : bare;
}

/** The status-bar text and tooltip for the current choice; `setting` is the setting's own value ('' when automatic). */
export function vocabularyStatus(choice: VocabularyChoice | undefined, setting: string): { text: string; tooltip: string } {
  if (!choice) {
    return { text: '$(book) Vocabulary: off', tooltip: setting === 'off' ? 'MechLens: vocabulary checks are off. Click to choose a model or vector set.' : 'MechLens: no model or vector set to check against yet. Click to choose one.' };
  }
  const how = setting ? 'chosen in mechlens.diagnostics.vocabulary' : 'automatic: the last source or model you used';
  return { text: `$(book) ${vocabularyName(choice.spec)}`, tooltip: `MechLens checks this file against ${choice.spec} (${how}). Click to change.` };
}

interface VocabularyPickItem extends vscode.QuickPickItem { value?: string; enter?: true }

/** Automatic, the recent sources and models (no repeats), typing one, and off; the current setting is marked. */
export function vocabularyPickItems(setting: string, recent: readonly string[]): VocabularyPickItem[] {
  const mark = (value: string) => (value === setting ? '$(check) current' : undefined);
  const unique = [...new Set(recent.filter((s) => s && s !== 'off'))];
  return [
    { label: '$(sparkle) Automatic', detail: 'The last source A of Compare Embeddings, else the model used last', description: mark(''), value: '' },
    ...unique.map((spec) => ({ label: vocabularyName(spec), detail: spec, description: mark(spec), value: spec })),
    { label: '$(edit) Enter a model, vector set or vectors:PATH…', enter: true as const },
    { label: '$(circle-slash) Off', detail: 'Do not check word lists and sentence sets against a vocabulary', description: mark('off'), value: 'off' },
  ];
}

/** Asks for the vocabulary and writes it to the user settings; returns the value written. */
export async function chooseDiagnosticsVocabulary(recent: readonly string[]): Promise<string | undefined> {
  const config = vscode.workspace.getConfiguration('mechlens');
  const setting = (config.get<string>('diagnostics.vocabulary', '') ?? '').trim();
  const items = vocabularyPickItems(setting, recent);
  const picked = await stepQuickPick(items, { title: 'MechLens: check word lists and sentence sets against', step: 1, totalSteps: 1,
    placeholder: 'A model tokenizer or a vector set already on disk (nothing is downloaded)' }, items.find((i) => i.value === setting));
  if (!picked) return undefined;
  const value = picked.enter
    ? (await vscode.window.showInputBox({ title: 'MechLens: vocabulary for diagnostics', prompt: 'A model id or folder, model:ID#hook, a catalog vector set, or vectors:PATH', value: setting === 'off' ? '' : setting }))?.trim()
    : picked.value;
  if (value === undefined) return undefined;
  await config.update('diagnostics.vocabulary', value, vscode.ConfigurationTarget.Global);
  return value;
}

/** The status-bar item: shown for .words and .sentences editors, naming what they are checked against. */
export class VocabularyStatusItem implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('mechlens.vocabulary', vscode.StatusBarAlignment.Right, 100);
  private readonly disposables: vscode.Disposable[];

  constructor(private readonly current: (kind: 'words' | 'sentences') => VocabularyChoice | undefined, private readonly recent: () => string[]) {
    this.item.name = 'MechLens Vocabulary';
    this.item.command = chooseVocabularyCommand;
    this.disposables = [
      this.item,
      vscode.window.onDidChangeActiveTextEditor(() => this.refresh()),
      vscode.workspace.onDidChangeConfiguration((e) => { if (e.affectsConfiguration('mechlens.diagnostics')) this.refresh(); }),
    ];
    this.refresh();
  }

  /** The item's command: the picker, then the item shows the new choice. */
  async choose(): Promise<void> {
    await chooseDiagnosticsVocabulary(this.recent());
    this.refresh();
  }

  private refresh(): void {
    const kind = kinds[vscode.window.activeTextEditor?.document.languageId ?? ''];
    if (!kind) return this.item.hide();
    const setting = (vscode.workspace.getConfiguration('mechlens').get<string>('diagnostics.vocabulary', '') ?? '').trim();
    Object.assign(this.item, vocabularyStatus(this.current(kind), setting));
    this.item.show();
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
