// "MechLens: Contrast Sentence Groups…": pick the .sentences file, a model, a hook, the test and the
// correction; run job 5 in a worker with progress and cancel; show the result in a panel.
import * as vscode from 'vscode';
import path from 'node:path';
import type { ContrastResult } from '../protocol/result';
import type { ContrastInput } from '../core/analyses/contrast';
import { MechLensError } from '../core/errors';
import type { RunControl } from '../core/run-control';
import { userFacingMessage } from './error-message';
import { formatMs, type Log } from './log';
import { ResultPanel, type PanelServices } from './panel';
import type { RecentList } from './recent';
import { settingsNamedInFiles } from './workspace-settings-scan';
import {
  buildHookPickRows, buildModelPickRows, contrastTitle, correctionChoices, hookConfigFor, readContrastSettings, testChoices, validateHook,
  type ModelPickRow,
} from './contrast-options';

export type ContrastJob = (input: ContrastInput, control: RunControl) => Promise<ContrastResult>;

export interface ContrastServices extends PanelServices {
  log: Log;
  runContrast: ContrastJob;
  cachedModelNames: (cacheDir: string | undefined) => ReadonlySet<string>;
  recentModels: RecentList;
  recentHooks: RecentList;
}

export interface ContrastArgs {
  uri?: vscode.Uri;
  askForFile?: boolean;
}

const totalSteps = 4;

async function pickSentenceFile(args: ContrastArgs): Promise<vscode.Uri | undefined> {
  if (args.uri && args.uri.scheme === 'file') return args.uri;
  const active = vscode.window.activeTextEditor?.document;
  if (!args.askForFile && active && active.uri.scheme === 'file' && /\.sentences$/i.test(active.uri.fsPath)) return active.uri;
  const picked = await vscode.window.showOpenDialog({
    canSelectMany: false, filters: { 'Sentence sets': ['sentences'], 'All files': ['*'] }, openLabel: 'Contrast',
    title: 'MechLens: choose a sentence set with two [groups]', defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
  });
  return picked?.[0];
}

type ModelItem = vscode.QuickPickItem & { row: ModelPickRow };

async function pickModel(services: ContrastServices, defaultModel: string, cacheDir: string | undefined): Promise<string | undefined> {
  const rows = buildModelPickRows({ defaultModel, recent: services.recentModels.items(), cached: services.cachedModelNames(cacheDir) });
  const items: ModelItem[] = rows.map((row) => row.kind === 'separator'
    ? { row, label: row.label, kind: vscode.QuickPickItemKind.Separator }
    : row.kind === 'model' ? { row, label: row.label, description: row.description, detail: row.detail } : { row, label: row.label, detail: row.detail, alwaysShow: true });
  const chosen = await quickPick(items, { title: 'MechLens: Contrast — model', step: 1, placeholder: 'The model to run the sentences through (a catalog model or a local folder)' },
    items.find((i) => i.row.kind === 'model' && i.row.picked));
  if (!chosen) return undefined;
  const row = chosen.row;
  if (row.kind === 'model') return row.model;
  if (row.kind === 'browse') {
    const folder = await vscode.window.showOpenDialog({ canSelectFiles: false, canSelectFolders: true, canSelectMany: false, openLabel: 'Use this model', title: 'MechLens: model folder' });
    return folder?.[0]?.fsPath;
  }
  if (row.kind === 'enter') {
    const text = await vscode.window.showInputBox({
      title: 'MechLens: Contrast — model', prompt: 'A Hugging Face id (gpt2, openai-community/gpt2-large) or a folder with config.json, model.safetensors and tokenizer.json',
      placeHolder: 'gpt2-medium', ignoreFocusOut: true, validateInput: (t) => (t.trim() ? undefined : 'Enter a model id or folder'),
    });
    return text?.trim() || undefined;
  }
  return undefined;
}

async function pickHook(services: ContrastServices, model: string, defaultHook: string): Promise<string | undefined> {
  const config = hookConfigFor(model);
  const typeRow = { label: '$(edit) Type a hook name…', detail: 'TransformerLens names (blocks.5.mlp.hook_pre) or Hugging Face aliases (transformer.h.5.mlp.c_fc)', alwaysShow: true, hook: '' };
  const recent = services.recentHooks.items().filter((h) => validateHook(h, config) === undefined);
  const hookRows = config ? buildHookPickRows(config, defaultHook) : [];
  const items: (vscode.QuickPickItem & { hook: string })[] = [
    ...(config ? [] : [{ label: defaultHook, description: 'default', hook: defaultHook }]),
    ...recent.filter((h) => h !== defaultHook).map((h) => ({ label: h, description: 'recent', hook: h })),
    ...hookRows.map((r) => ({ label: r.label, description: r.picked ? `default · ${r.description}` : r.description, detail: r.detail, hook: r.hook })),
    typeRow,
  ];
  const chosen = await quickPick(items, { title: 'MechLens: Contrast — hook point', step: 2, placeholder: `Where to read the activations at the target token (default ${defaultHook})` },
    items.find((i) => i.hook === defaultHook));
  if (!chosen) return undefined;
  if (chosen.hook) return chosen.hook;
  const text = await vscode.window.showInputBox({
    title: 'MechLens: Contrast — hook point', value: defaultHook, ignoreFocusOut: true, validateInput: (t) => validateHook(t, config),
  });
  return text?.trim() || undefined;
}

async function quickPick<T extends vscode.QuickPickItem>(items: T[], o: { title: string; step: number; placeholder: string }, active?: T): Promise<T | undefined> {
  const qp = vscode.window.createQuickPick<T>();
  qp.title = o.title;
  qp.step = o.step;
  qp.totalSteps = totalSteps;
  qp.placeholder = o.placeholder;
  qp.matchOnDescription = true;
  qp.matchOnDetail = true;
  qp.items = items;
  if (active) qp.activeItems = [active];
  const chosen = await new Promise<T | undefined>((resolve) => {
    qp.onDidAccept(() => resolve(qp.selectedItems[0] ?? qp.activeItems[0]));
    qp.onDidHide(() => resolve(undefined));
    qp.show();
  });
  qp.dispose();
  return chosen;
}

async function pickChoice<V extends string>(choices: readonly { value: V; label: string; detail: string }[], title: string, step: number): Promise<V | undefined> {
  const items = choices.map((c) => ({ label: c.label, detail: c.detail, value: c.value }));
  return (await quickPick(items, { title, step, placeholder: title.replace(/^MechLens: Contrast — /, 'Choose the ') }, items[0]))?.value;
}

export async function contrastSentences(services: ContrastServices, args: ContrastArgs = {}): Promise<ContrastResult | undefined> {
  const { log } = services;
  const sentencesUri = await pickSentenceFile(args);
  if (!sentencesUri) return undefined;
  const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === sentencesUri.toString());
  if (doc?.isDirty) await doc.save();

  const config = vscode.workspace.getConfiguration('mechlens');
  const settings = readContrastSettings((key) => config.inspect(key), vscode.workspace.isTrusted);
  if (!vscode.workspace.isTrusted) {
    const files = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => path.join(f.uri.fsPath, '.vscode', 'settings.json'));
    for (const key of settingsNamedInFiles(files, ['mechlens.contrast.defaultModel', 'mechlens.cacheDirectory'])) if (!settings.ignored.includes(key)) settings.ignored.push(key);
  }
  if (settings.ignored.length) log.warn(`Workspace is not trusted: ignoring the workspace values of ${settings.ignored.join(', ')}; using your user settings.`);

  const model = await pickModel(services, settings.defaultModel, settings.cacheDir);
  if (!model) return undefined;
  const hook = await pickHook(services, model, settings.defaultHook);
  if (!hook) return undefined;
  const test = await pickChoice(testChoices, 'MechLens: Contrast — t-test', 3);
  if (!test) return undefined;
  const correction = await pickChoice(correctionChoices, 'MechLens: Contrast — multiple-comparison correction', 4);
  if (!correction) return undefined;
  await services.recentModels.push(model);
  await services.recentHooks.push(hook);

  const input: ContrastInput = {
    sentencesPath: sentencesUri.fsPath, model, hook, test, correction,
    ...(settings.alpha !== undefined ? { alpha: settings.alpha } : {}), ...(settings.seed !== undefined ? { seed: settings.seed } : {}),
    cacheDir: settings.cacheDir, offline: settings.offline,
  };
  log.info(`Contrast ${sentencesUri.fsPath}: model ${model}, hook ${hook}, ${test}, ${correction}${settings.offline ? ', offline' : ''}`);
  const fileName = path.basename(sentencesUri.fsPath);
  const panel = ResultPanel.create(services, contrastTitle(sentencesUri.fsPath, model, hook));
  const started = performance.now();
  try {
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `MechLens: contrasting ${fileName}`, cancellable: true },
      async (progress, token) => {
        const controller = new AbortController();
        const cancel = token.onCancellationRequested(() => { log.info('Cancel requested'); controller.abort(); });
        const closed = panel.onDidDispose(() => { log.info('Panel closed during the run: cancelling'); controller.abort(); });
        let reported = 0;
        try {
          return await services.runContrast(input, {
            signal: controller.signal,
            onProgress: (p) => {
              let increment: number | undefined;
              if (p.fraction !== undefined && Number.isFinite(p.fraction) && p.fraction * 100 > reported) {
                increment = Math.min(100, p.fraction * 100) - reported;
                reported += increment;
              }
              progress.report({ message: p.message, increment });
              panel.showProgress(p.message, p.fraction);
            },
          });
        } finally {
          cancel.dispose();
          closed.dispose();
        }
      },
    );
    log.info(`Contrast finished in ${formatMs(performance.now() - started)}: ${result.significant.length} of ${result.t.length} neurons significant ` +
      `(${result.test}, ${result.correction}), label-shuffle p = ${result.labelShuffle.pValue.toPrecision(3)}, provider ${result.provider}`);
    for (const warning of result.warnings) log.warn(warning);
    panel.showResult(result);
    return result;
  } catch (err) {
    if (err instanceof MechLensError && err.code === 'cancelled') {
      log.info('Contrast cancelled');
      panel.showCancelled();
      return undefined;
    }
    log.error('Contrast failed', err);
    const message = err instanceof MechLensError ? userFacingMessage(err)
      : `MechLens: the contrast failed unexpectedly (${err instanceof Error ? err.message : String(err)}). The log has the details.`;
    panel.showError(message);
    const action = await vscode.window.showErrorMessage(message, 'Open Log', 'Choose Another File');
    if (action === 'Open Log') log.show();
    if (action === 'Choose Another File') { panel.dispose(); void contrastSentences(services, { askForFile: true }); }
    return undefined;
  }
}
