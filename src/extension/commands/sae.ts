// "MechLens: SAE Features…": texts (the selection, or the lines of a .sentences, .txt or .words file),
// a model, an SAE (the catalog's releases for that model, a local folder or params.npz, or a hub
// spec) and its hook; runs the `sae` job in a worker with progress and cancel, and shows the panel.
import * as vscode from 'vscode';
import path from 'node:path';
import type { SaeResult } from '../../protocol/result';
import type { SaeInput } from '../../core/analyses/sae';
import { SAE_DEFAULTS } from '../../core/analyses/sae';
import { isCheckedOnHub, SAE_RELEASES, UNCHECKED_NOTE } from '../../core/models/sae/catalog';
import type { RunControl } from '../../core/run-control';
import { formatMs, type Log } from '../log';
import { ResultPanel, type PanelServices } from '../panels/panel';
import type { RecentList } from '../recent';
import { enableRerun, pickHookedModel, reportJobFailure, runWithProgress, saveIfDirty, stepQuickPick } from './job-flow';
import { readTextsFile, readTextsSelection, textFileFilters, textFilePattern } from './text-input';

type SaeJob = (input: SaeInput, control: RunControl) => Promise<SaeResult>;

interface SaeServices extends PanelServices {
  log: Log;
  runSae: SaeJob;
  cachedModelNames: (cacheDir: string | undefined) => ReadonlySet<string>;
  recentModels: RecentList;
  recentSaes: RecentList;
}

interface SaeArgs {
  uri?: vscode.Uri;
}

const totalSteps = 3;
/** Most texts one run reads from a file (each is a row of chips in the panel). */
const MAX_TEXTS = 200;

/** The texts to read: the editor's selection (one text per line), else the file's sentences, lines or words. */
async function pickTexts(args: SaeArgs): Promise<{ texts: string[]; from: string } | undefined> {
  const editor = vscode.window.activeTextEditor;
  if (!args.uri && editor && !editor.selection.isEmpty) {
    const { texts, source } = readTextsSelection(editor, 'SAE Features…');
    return { texts, from: `the ${source}` };
  }
  let uri = args.uri ?? (editor && textFilePattern.test(editor.document.uri.fsPath) ? editor.document.uri : undefined);
  if (!uri) {
    const typed = await vscode.window.showInputBox({
      title: 'MechLens: SAE Features — text', prompt: 'A text to read through the SAE (or run the command on a .sentences, .txt or .words file, or on a selection)',
      value: 'The Eiffel Tower is in Paris', ignoreFocusOut: true,
    });
    if (typed?.trim()) return { texts: [typed.trim()], from: 'the text typed' };
    const picked = await vscode.window.showOpenDialog({ canSelectMany: false, filters: textFileFilters, openLabel: 'Read through the SAE' });
    uri = picked?.[0];
    if (!uri) return undefined;
  }
  await saveIfDirty(uri);
  const file = uri.fsPath;
  const { texts } = readTextsFile(file);
  return { texts: texts.slice(0, MAX_TEXTS), from: path.basename(file) + (texts.length > MAX_TEXTS ? ` (its first ${MAX_TEXTS} of ${texts.length})` : '') };
}

type SaeItem = vscode.QuickPickItem & { spec?: string; action?: 'folder' | 'npz' | 'enter' };

/** The catalog's SAEs for this model first, then browse and enter rows (also Contrast's "SAE features" hook row). */
export async function pickSae(services: { recentSaes: RecentList }, model: string, step = { title: 'MechLens: SAE Features — SAE', step: 2, totalSteps }): Promise<string | undefined> {
  const name = path.basename(model);
  const releases = [...SAE_RELEASES].sort((a, b) => Number(b.model === name) - Number(a.model === name));
  const items: SaeItem[] = [
    ...services.recentSaes.items().map((spec) => ({ label: spec, description: 'recent', spec })),
    { label: 'Local', kind: vscode.QuickPickItemKind.Separator },
    { label: '$(folder-opened) Browse for an SAELens folder…', detail: 'A folder with cfg.json and sae_weights.safetensors', action: 'folder', alwaysShow: true },
    { label: '$(file-binary) Browse for a Gemma Scope params.npz…', detail: 'Keep the release folder (gemma-scope-2b-pt-res/layer_L/…) so the hook is known, or name it next', action: 'npz', alwaysShow: true },
    { label: '$(edit) Enter an SAE spec…', detail: 'RELEASE/SAE_ID (gpt2-small-res-jb/blocks.8.hook_resid_pre) or hf:OWNER/REPO/PATH', action: 'enter', alwaysShow: true },
    ...releases.flatMap((r) => [
      { label: `${r.name} (${r.model})`, kind: vscode.QuickPickItemKind.Separator } as SaeItem,
      ...r.examples.map((id) => ({
        label: `${r.name}/${id}`, spec: `${r.name}/${id}`, detail: r.description,
        description: [r.model === name ? 'for this model' : r.model, isCheckedOnHub(r, id) ? undefined : UNCHECKED_NOTE].filter(Boolean).join(' · '),
      })),
    ]),
  ];
  const chosen = await stepQuickPick(items, { ...step, placeholder: 'The sparse autoencoder to read the activations through' });
  if (!chosen) return undefined;
  if (chosen.spec) return chosen.spec;
  if (chosen.action === 'enter') {
    const typed = await vscode.window.showInputBox({ title: `${step.title} spec`, value: 'gpt2-small-res-jb/blocks.8.hook_resid_pre', ignoreFocusOut: true });
    return typed?.trim() || undefined;
  }
  const folder = chosen.action === 'folder';
  const picked = await vscode.window.showOpenDialog({
    canSelectFiles: !folder, canSelectFolders: folder, canSelectMany: false, openLabel: 'Use this SAE',
    ...(folder ? {} : { filters: { 'Gemma Scope params': ['npz'] } }), title: 'MechLens: SAE',
  });
  return picked?.[0]?.fsPath;
}

async function pickHook(): Promise<string | null | undefined> {
  const items: (vscode.QuickPickItem & { hook: string | null })[] = [
    { label: "The SAE's own hook", detail: 'What cfg.json, the Gemma Scope path or the catalog says', hook: null },
    { label: '$(edit) Another hook…', detail: 'A TransformerLens name, e.g. blocks.20.hook_resid_post', hook: '' },
  ];
  const chosen = await stepQuickPick(items, { title: 'MechLens: SAE Features — hook', step: 3, totalSteps, placeholder: 'Where to read the activations' }, items[0]);
  if (!chosen) return undefined;
  if (chosen.hook === null) return null;
  const typed = await vscode.window.showInputBox({ title: 'MechLens: SAE Features — hook', value: 'blocks.8.hook_resid_pre', ignoreFocusOut: true });
  return typed?.trim() || undefined;
}

export async function saeFeatures(services: SaeServices, args: SaeArgs = {}): Promise<SaeResult | undefined> {
  const { log } = services;
  const picked = await pickTexts(args);
  if (!picked) return undefined;
  const config = vscode.workspace.getConfiguration('mechlens');
  const trusted = vscode.workspace.isTrusted;
  const cacheDir = (trusted ? config.get<string>('cacheDirectory') : config.inspect<string>('cacheDirectory')?.globalValue) || undefined;
  const offline = config.get<boolean>('offline') ?? false;
  const model = await pickHookedModel(services, services.recentModels.items()[0] ?? 'gpt2', cacheDir,
    { title: 'MechLens: SAE Features — model', placeholder: 'The model whose activations the SAE reads', totalSteps });
  if (!model) return undefined;
  const sae = await pickSae(services, model);
  if (!sae) return undefined;
  const hook = await pickHook();
  if (hook === undefined) return undefined;
  await services.recentModels.push(model);
  await services.recentSaes.push(sae);

  const input: SaeInput = { model, sae, ...(hook ? { hook } : {}), texts: picked.texts, top: SAE_DEFAULTS.top, cacheDir, offline };
  log.info(`SAE features of ${picked.texts.length} texts from ${picked.from}: model ${model}, SAE ${sae}${hook ? `, hook ${hook}` : ''}`);
  const panel = ResultPanel.create(services, `SAE · ${path.basename(sae)} · ${path.basename(model)}`);
  enableRerun(log, panel, {
    name: 'SAE features', title: (p) => `MechLens: SAE features, top ${p.top}`, job: 'sae', context: undefined,
    run: (p, control) => services.runSae({ ...input, top: p.top }, control),
  });
  const started = performance.now();
  try {
    const result = await runWithProgress(log, panel, { title: `MechLens: reading ${picked.texts.length} texts through ${path.basename(sae)}`, logSteps: true },
      (control) => services.runSae(input, control));
    log.info(`SAE features finished in ${formatMs(performance.now() - started)}: ${result.dSae} features at ${result.hook}, mean L0 ${result.meanL0.toFixed(1)}, provider ${result.provider}`);
    for (const warning of result.warnings) log.warn(warning);
    panel.showResult(result);
    return result;
  } catch (err) {
    await reportJobFailure(err, log, panel, { name: 'SAE features', what: 'the SAE features' }, { label: 'Choose Another File', run: () => void saeFeatures(services) });
    return undefined;
  }
}
