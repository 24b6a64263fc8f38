// "MechLens: Compare Attention Q/K…": pick the word list, a model, the prompt template, the layer
// and whether to sweep every layer; run job 4 in a worker with progress and cancel; show the panel.
import * as vscode from 'vscode';
import path from 'node:path';
import type { AttentionResult } from '../protocol/result';
import { ATTENTION_DEFAULTS, type AttentionInput } from '../core/analyses/attention';
import { MechLensError } from '../core/errors';
import type { RunControl } from '../core/run-control';
import { buildModelPickRows, hookConfigFor, readContrastSettings, type ModelPickRow } from './contrast-options';
import { userFacingMessage } from './error-message';
import { validateTemplate } from './hook-tree';
import { formatMs, type Log } from './log';
import { ResultPanel, type PanelServices } from './panel';
import type { RecentList } from './recent';
import { effectiveSetting } from './settings';
import { settingsNamedInFiles } from './workspace-settings-scan';

export type AttentionJob = (input: AttentionInput, control: RunControl) => Promise<AttentionResult>;

export interface AttentionServices extends PanelServices {
  log: Log;
  runAttention: AttentionJob;
  cachedModelNames: (cacheDir: string | undefined) => ReadonlySet<string>;
  recentModels: RecentList;
  recentTemplates?: RecentList;
}

export interface AttentionArgs {
  uri?: vscode.Uri;
  askForFile?: boolean;
}

const totalSteps = 4;
const title = (what: string) => `MechLens: Attention Q/K — ${what}`;

async function pickWordList(args: AttentionArgs): Promise<vscode.Uri | undefined> {
  if (args.uri && args.uri.scheme === 'file') return args.uri;
  const active = vscode.window.activeTextEditor?.document;
  if (!args.askForFile && active && active.uri.scheme === 'file' && /\.(words|txt)$/i.test(active.uri.fsPath)) return active.uri;
  const picked = await vscode.window.showOpenDialog({
    canSelectMany: false, filters: { 'Word lists': ['words', 'txt'], 'All files': ['*'] }, openLabel: 'Compare Attention Q/K',
    title: 'MechLens: choose a word list', defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
  });
  return picked?.[0];
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

type ModelItem = vscode.QuickPickItem & { row: ModelPickRow };

async function pickModel(services: AttentionServices, defaultModel: string, cacheDir: string | undefined): Promise<string | undefined> {
  const rows = buildModelPickRows({ defaultModel, recent: services.recentModels.items(), cached: services.cachedModelNames(cacheDir) });
  const items: ModelItem[] = rows.map((row) => row.kind === 'separator'
    ? { row, label: row.label, kind: vscode.QuickPickItemKind.Separator }
    : row.kind === 'model' ? { row, label: row.label, description: row.description, detail: row.detail } : { row, label: row.label, detail: row.detail, alwaysShow: true });
  const chosen = await quickPick(items, { title: title('model'), step: 1, placeholder: 'The GPT-2 model whose attention to hook (a catalog model or a local folder)' },
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
      title: title('model'), prompt: 'A Hugging Face id (gpt2, openai-community/gpt2-large) or a folder with config.json, model.safetensors and tokenizer.json',
      placeHolder: 'gpt2-medium', ignoreFocusOut: true, validateInput: (t) => (t.trim() ? undefined : 'Enter a model id or folder'),
    });
    return text?.trim() || undefined;
  }
  return undefined;
}

/** An input-box check for the layer: a whole number, below the model's layer count when it is known. */
export function validateLayer(text: string, nLayer: number | undefined): string | undefined {
  const t = text.trim();
  if (!/^\d+$/.test(t)) return 'Enter a layer number: 0, 1, 2, …';
  if (nLayer !== undefined && Number(t) >= nLayer) return `The model has layers 0 to ${nLayer - 1}.`;
  return undefined;
}

export async function compareAttention(services: AttentionServices, args: AttentionArgs = {}): Promise<AttentionResult | undefined> {
  const { log } = services;
  const wordsUri = await pickWordList(args);
  if (!wordsUri) return undefined;
  const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === wordsUri.toString());
  if (doc?.isDirty) await doc.save();

  const config = vscode.workspace.getConfiguration('mechlens');
  const inspect = <T>(key: string) => config.inspect<T>(key);
  // The hooked-model jobs share `contrast.defaultModel` (gpt2-medium unless set) and the cache settings.
  const settings = readContrastSettings(inspect, vscode.workspace.isTrusted);
  if (!vscode.workspace.isTrusted) {
    const files = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => path.join(f.uri.fsPath, '.vscode', 'settings.json'));
    for (const key of settingsNamedInFiles(files, ['mechlens.contrast.defaultModel', 'mechlens.cacheDirectory'])) if (!settings.ignored.includes(key)) settings.ignored.push(key);
  }
  if (settings.ignored.length) log.warn(`Workspace is not trusted: ignoring the workspace values of ${settings.ignored.join(', ')}; using your user settings.`);
  const permutations = effectiveSetting(inspect<number>('permutations'), true).value;

  const model = await pickModel(services, settings.defaultModel, settings.cacheDir);
  if (!model) return undefined;
  const template = await vscode.window.showInputBox({
    title: title('prompt template'), prompt: 'Each word is put into this prompt; Q, K and V are read at the word\'s token',
    value: services.recentTemplates?.items()[0] ?? ATTENTION_DEFAULTS.template, validateInput: validateTemplate, ignoreFocusOut: true,
  });
  if (template === undefined) return undefined;
  const nLayer = hookConfigFor(model)?.nLayer;
  const layerText = await vscode.window.showInputBox({
    title: title('layer'), prompt: nLayer !== undefined ? `The layer to hook: 0 to ${nLayer - 1}` : 'The layer to hook (0 is the first)',
    value: String(nLayer !== undefined ? Math.min(ATTENTION_DEFAULTS.layer, nLayer - 1) : ATTENTION_DEFAULTS.layer), validateInput: (t) => validateLayer(t, nLayer), ignoreFocusOut: true,
  });
  if (layerText === undefined) return undefined;
  const layer = Number(layerText.trim());
  const sweepItems = [
    { label: 'Also sweep every layer', detail: 'Selectivity of Q, K, V, MLP and residual stream and RSA Q–K at every layer, from one forward pass', sweep: true },
    { label: `Layer ${layer} only`, detail: 'Faster: hooks Q, K and V at this layer only', sweep: false },
  ];
  const sweepChoice = await quickPick(sweepItems, { title: title('layer sweep'), step: 4, placeholder: 'Sweep all layers as well?' }, sweepItems[0]);
  if (!sweepChoice) return undefined;
  await services.recentModels.push(model);
  await services.recentTemplates?.push(template);

  const input: AttentionInput = {
    wordsPath: wordsUri.fsPath, model, template, layer, sweep: sweepChoice.sweep,
    ...(typeof permutations === 'number' && Number.isInteger(permutations) && permutations >= 0 ? { permutations } : {}),
    ...(settings.seed !== undefined ? { seed: settings.seed } : {}),
    cacheDir: settings.cacheDir, offline: settings.offline,
  };
  log.info(`Attention ${wordsUri.fsPath}: model ${model}, template "${template}", layer ${layer}${input.sweep ? ', sweep' : ''}${settings.offline ? ', offline' : ''}`);
  const fileName = path.basename(wordsUri.fsPath);
  const modelName = path.basename(model) || model;
  const panel = ResultPanel.create(services, `Q/K at layer ${layer} of ${modelName} — ${fileName}`);
  const started = performance.now();
  try {
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `MechLens: attention Q/K for ${fileName}`, cancellable: true },
      async (progress, token) => {
        const controller = new AbortController();
        const cancel = token.onCancellationRequested(() => { log.info('Cancel requested'); controller.abort(); });
        const closed = panel.onDidDispose(() => { log.info('Panel closed during the run: cancelling'); controller.abort(); });
        let reported = 0;
        try {
          return await services.runAttention(input, {
            signal: controller.signal,
            onProgress: (p) => {
              // The job reports overall fractions; the notification wants increments.
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
    log.info(`Attention finished in ${formatMs(performance.now() - started)}: ${result.items.length} words, ${result.missing.length} dropped, ` +
      `RSA Q–K r = ${result.rsa.pearson.toFixed(4)}, ρ = ${result.rsa.spearman.toFixed(4)}, p = ${result.rsa.pValue === null ? 'n/a' : result.rsa.pValue.toPrecision(3)}, provider ${result.provider}`);
    for (const warning of result.warnings) log.warn(warning);
    panel.showResult(result);
    return result;
  } catch (err) {
    if (err instanceof MechLensError && err.code === 'cancelled') {
      log.info('Attention cancelled');
      panel.showCancelled();
      return undefined;
    }
    log.error('Attention failed', err);
    const message = err instanceof MechLensError ? userFacingMessage(err)
      : `MechLens: the attention run failed unexpectedly (${err instanceof Error ? err.message : String(err)}). The log has the details.`;
    panel.showError(message);
    const action = await vscode.window.showErrorMessage(message, 'Open Log', 'Choose Another File');
    if (action === 'Open Log') log.show();
    if (action === 'Choose Another File') { panel.dispose(); void compareAttention(services, { askForFile: true }); }
    return undefined;
  }
}
