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
import { formatMs } from '../log';
import { ResultPanel } from '../panels/panel';
import type { RecentList } from '../recent';
import { BACK, backableQuickPick, enableRerun, keepAnswer, pickHookedModelStep, reportJobFailure, runSteps, runWithProgress, saveIfDirty, stepInputBox, type Back, type StepAt, type ModelJobServices } from './job-flow';
import { readTextsFile, readTextsSelection, textFileFilters, textFilePattern } from './text-input';

type SaeJob = (input: SaeInput, control: RunControl) => Promise<SaeResult>;

interface SaeServices extends ModelJobServices {
  runSae: SaeJob;
  recentSaes: RecentList;
}

interface SaeArgs {
  uri?: vscode.Uri;
}

/** Most texts one run reads from a file (each is a row of chips in the panel). */
const MAX_TEXTS = 200;

type TextsPicked = { texts: string[]; from: string };

/** The texts of the editor's selection or of a file (explorer, or the editor's); undefined when neither is at hand and a text is asked for. */
function textsAtHand(args: SaeArgs): TextsPicked | { uri: vscode.Uri } | undefined {
  const editor = vscode.window.activeTextEditor;
  if (!args.uri && editor && !editor.selection.isEmpty) {
    const { texts, source } = readTextsSelection(editor, 'SAE Features…');
    return { texts, from: `the ${source}` };
  }
  const uri = args.uri ?? (editor && textFilePattern.test(editor.document.uri.fsPath) ? editor.document.uri : undefined);
  return uri && { uri };
}

async function readFileTexts(uri: vscode.Uri): Promise<TextsPicked> {
  await saveIfDirty(uri);
  const file = uri.fsPath;
  const { texts } = readTextsFile(file);
  return { texts: texts.slice(0, MAX_TEXTS), from: path.basename(file) + (texts.length > MAX_TEXTS ? ` (its first ${MAX_TEXTS} of ${texts.length})` : '') };
}

/** The text step, without a file or a selection: a typed text, or (left empty) a file from an open dialog. */
async function askText(at: StepAt, previous: string | undefined): Promise<TextsPicked | Back | undefined> {
  const typed = await stepInputBox({
    title: 'MechLens: SAE Features — text', ...at, prompt: 'A text to read through the SAE; leave empty to choose a .sentences, .txt or .words file (or run the command on a file or a selection)',
    value: previous ?? 'The Eiffel Tower is in Paris',
  });
  if (typed === BACK || typed === undefined) return typed;
  if (typed.trim()) return { texts: [typed.trim()], from: 'the text typed' };
  const picked = await vscode.window.showOpenDialog({ canSelectMany: false, filters: textFileFilters, openLabel: 'Read through the SAE' });
  return picked?.[0] ? readFileTexts(picked[0]) : undefined;
}

type SaeItem = vscode.QuickPickItem & { spec?: string; action?: 'folder' | 'npz' | 'enter' };

/** The catalog's SAEs for this model first, then browse and enter rows (also Contrast's "SAE features" hook row); `previous` preselected. */
export async function pickSae(services: { recentSaes: RecentList }, model: string, at: StepAt & { title: string }, previous?: string): Promise<string | Back | undefined> {
  const name = path.basename(model);
  const releases = [...SAE_RELEASES].sort((a, b) => Number(b.model === name) - Number(a.model === name));
  const recent = services.recentSaes.items();
  const items: SaeItem[] = [
    ...(previous && !recent.includes(previous) ? [previous] : []).map((spec) => ({ label: spec, description: 'chosen before', spec })),
    ...recent.map((spec) => ({ label: spec, description: 'recent', spec })),
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
  const active = items.find((i) => previous !== undefined && i.spec === previous);
  for (;;) {
    const chosen = await backableQuickPick(items, { ...at, placeholder: 'The sparse autoencoder to read the activations through' }, active);
    if (chosen === BACK || !chosen) return chosen;
    if (chosen.spec) return chosen.spec;
    if (chosen.action === 'enter') {
      const typed = await stepInputBox({ title: `${at.title} spec`, prompt: 'RELEASE/SAE_ID or hf:OWNER/REPO/PATH', value: previous ?? 'gpt2-small-res-jb/blocks.8.hook_resid_pre', step: at.step, totalSteps: at.totalSteps, back: true });
      if (typed === BACK) continue;
      return typed?.trim() || undefined;
    }
    const folder = chosen.action === 'folder';
    const picked = await vscode.window.showOpenDialog({
      canSelectFiles: !folder, canSelectFolders: folder, canSelectMany: false, openLabel: 'Use this SAE',
      ...(folder ? {} : { filters: { 'Gemma Scope params': ['npz'] } }), title: 'MechLens: SAE',
    });
    if (picked?.[0]) return picked[0].fsPath;
  }
}

/** The hook step: null for the SAE's own hook, or a typed hook name; `previous` preselected. */
async function pickHook(at: StepAt, previous: string | null | undefined): Promise<string | null | Back | undefined> {
  const items: (vscode.QuickPickItem & { hook: string | null })[] = [
    { label: "The SAE's own hook", detail: 'What cfg.json, the Gemma Scope path or the catalog says', hook: null },
    { label: '$(edit) Another hook…', detail: 'A TransformerLens name, e.g. blocks.20.hook_resid_post', hook: '' },
  ];
  for (;;) {
    const chosen = await backableQuickPick(items, { title: 'MechLens: SAE Features — hook', ...at, placeholder: 'Where to read the activations' }, previous ? items[1] : items[0]);
    if (chosen === BACK || !chosen) return chosen;
    if (chosen.hook === null) return null;
    const typed = await stepInputBox({ title: 'MechLens: SAE Features — hook', prompt: 'A TransformerLens hook name', value: previous ?? 'blocks.8.hook_resid_pre', step: at.step, totalSteps: at.totalSteps, back: true });
    if (typed === BACK) continue;
    return typed?.trim() || undefined;
  }
}

export async function saeFeatures(services: SaeServices, args: SaeArgs = {}): Promise<SaeResult | undefined> {
  const { log } = services;
  const atHand = textsAtHand(args);
  let picked = atHand && 'uri' in atHand ? await readFileTexts(atHand.uri) : atHand;
  const config = vscode.workspace.getConfiguration('mechlens');
  const trusted = vscode.workspace.isTrusted;
  const cacheDir = (trusted ? config.get<string>('cacheDirectory') : config.inspect<string>('cacheDirectory')?.globalValue) || undefined;
  const offline = config.get<boolean>('offline') ?? false;
  let model: string | undefined;
  let sae: string | undefined;
  let hook: string | null | undefined;
  let typedText: string | undefined;
  const answered = await runSteps([
    {
      when: () => atHand === undefined,
      ask: async (at) => keepAnswer(await askText(at, typedText), (v) => { picked = v; if (v.from === 'the text typed') typedText = v.texts[0]; }),
    },
    {
      ask: async (at) => keepAnswer(await pickHookedModelStep(services, services.recentModels.items()[0] ?? 'gpt2', cacheDir,
        { ...at, title: 'MechLens: SAE Features — model', placeholder: 'The model whose activations the SAE reads', previous: model }), (v) => { model = v; }),
    },
    { ask: async (at) => keepAnswer(await pickSae(services, model!, { title: 'MechLens: SAE Features — SAE', ...at }, sae), (v) => { sae = v; }) },
    { ask: async (at) => keepAnswer(await pickHook(at, hook), (v) => { hook = v; }) },
  ]);
  if (!answered || !picked || !model || !sae || hook === undefined) return undefined;
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
