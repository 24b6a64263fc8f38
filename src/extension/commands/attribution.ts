// "MechLens: Logit Attribution…" (palette, and right-click on a .sentences, .txt or .words file) and
// "MechLens: Logit Attribution on Selection": the texts (one per line of the file, or the selection),
// a model, the target word and an optional contrast, each checked as you type to be one token of the
// model with a leading space; then the job in a worker with progress and cancel, and its panel.
import * as vscode from 'vscode';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { AttributionResult } from '../../protocol/result';
import type { AttributionInput } from '../../core/analyses/attribution';
import { MechLensError } from '../../core/errors';
import { findCachedModel } from '../../core/models/hub';
import { loadTokenizer, type Gpt2Tokenizer } from '../../core/models/tokenizer';
import type { RunControl } from '../../core/run-control';
import { formatMs, type Log } from '../log';
import { ResultPanel, type PanelServices } from '../panels/panel';
import type { RecentList } from '../recent';
import { enableRerun, pickHookedModel, pickTargetFile, reportJobFailure, runWithProgress, saveIfDirty, warnIgnoredSettings } from './job-flow';
import { wordProblem } from './attribution-inputs';
import { readTextsFile, readTextsSelection, textFileFilters, textFilePattern } from './text-input';
import { readContrastSettings } from './model-hook-picks';

type AttributionJob = (input: AttributionInput, control: RunControl) => Promise<AttributionResult>;

interface AttributionServices extends PanelServices {
  log: Log;
  runAttribution: AttributionJob;
  cachedModelNames: (cacheDir: string | undefined) => ReadonlySet<string>;
  recentModels: RecentList;
  recentTargets: RecentList;
}

export interface AttributionArgs {
  uri?: vscode.Uri;
  /** Attribute the active editor's selection (each non-empty line a text). */
  selection?: boolean;
}

const totalSteps = 3;
const stepTitle = (what: string) => `MechLens: Logit Attribution — ${what}`;

/** The texts and where they came from, or undefined when the user backed out. */
async function pickTexts(args: AttributionArgs, log: Log): Promise<{ texts: string[]; source: string } | undefined> {
  if (args.selection) {
    const editor = vscode.window.activeTextEditor;
    if (!editor) throw new MechLensError('bad-argument', 'no editor is open', { fix: 'Open a file, select one or more lines of text (one text per line), then run Logit Attribution on Selection again.' });
    return readTextsSelection(editor, 'Logit Attribution on Selection');
  }
  const active = vscode.window.activeTextEditor?.document;
  if (!args.uri && !(active && textFilePattern.test(active.uri.fsPath))) {
    const typed = await vscode.window.showInputBox({
      title: stepTitle('text'), prompt: 'The text whose next-token logit is attributed (or press Escape and right-click a .sentences, .txt or .words file)',
      placeHolder: 'The Eiffel Tower is in the city of', ignoreFocusOut: true, validateInput: (t) => (t.trim() ? undefined : 'Type a text'),
    });
    return typed?.trim() ? { texts: [typed.trim()], source: 'typed text' } : undefined;
  }
  const uri = await pickTargetFile({ uri: args.uri }, {
    pattern: textFilePattern, filters: textFileFilters, openLabel: 'Attribute', title: 'MechLens: choose a file of texts (one per line)',
  });
  if (!uri) return undefined;
  await saveIfDirty(uri, log);
  return readTextsFile(uri.fsPath);
}

/** The tokenizer of a model that is already on disk (a folder or a cached hub model), for checking words as they are typed. */
async function tokenizerIfLocal(model: string, cacheDir: string | undefined, log: Log): Promise<Gpt2Tokenizer | undefined> {
  const dir = existsSync(path.join(model, 'tokenizer.json')) ? model : findCachedModel(model, { cacheDir });
  if (!dir) return undefined;
  try {
    return await loadTokenizer(dir);
  } catch (err) {
    log.warn(`Could not read the tokenizer of ${model} to check the words as they are typed: ${err instanceof Error ? err.message : String(err)}`);
    return undefined;
  }
}

export async function logitAttribution(services: AttributionServices, args: AttributionArgs = {}): Promise<AttributionResult | undefined> {
  const { log } = services;
  const picked = await pickTexts(args, log);
  if (!picked) return undefined;
  const config = vscode.workspace.getConfiguration('mechlens');
  const settings = readContrastSettings((key) => config.inspect(key), vscode.workspace.isTrusted);
  warnIgnoredSettings(log, settings.ignored, ['mechlens.cacheDirectory'], false);
  const model = await pickHookedModel(services, services.recentModels.items()[0] ?? 'gpt2', settings.cacheDir,
    { title: stepTitle('model'), placeholder: 'The model whose next-token logit is attributed', totalSteps });
  if (!model) return undefined;
  const tokenizer = await tokenizerIfLocal(model, settings.cacheDir, log);
  const recentTarget = services.recentTargets.items()[0];
  const target = await vscode.window.showInputBox({
    title: stepTitle('target'), prompt: 'The token whose logit is attributed, read with a leading space (" Paris"); it must be one token', placeHolder: 'Paris',
    value: recentTarget?.split('|')[0], ignoreFocusOut: true, validateInput: (t) => wordProblem(tokenizer, t, 'target', false),
  });
  if (!target?.trim()) return undefined;
  const contrast = await vscode.window.showInputBox({
    title: stepTitle('contrast (optional)'), prompt: 'A contrast token: attribute logit(target) − logit(contrast). Leave empty for the target alone.', placeHolder: 'London',
    value: recentTarget?.split('|')[1] ?? '', ignoreFocusOut: true, validateInput: (t) => wordProblem(tokenizer, t, 'contrast', true),
  });
  if (contrast === undefined) return undefined;
  await services.recentModels.push(model);
  await services.recentTargets.push(`${target.trim()}|${contrast.trim()}`);

  const input: AttributionInput = {
    model, texts: picked.texts, target: target.trim(), ...(contrast.trim() ? { contrast: contrast.trim() } : {}), source: picked.source,
    cacheDir: settings.cacheDir, offline: settings.offline,
  };
  const what = input.contrast ? `${input.target} − ${input.contrast}` : input.target;
  log.info(`Logit attribution of ${what}: ${picked.texts.length} text${picked.texts.length === 1 ? '' : 's'} from ${picked.source}, model ${model}${settings.offline ? ', offline' : ''}`);
  const panel = ResultPanel.create(services, `Logit attribution · ${what} · ${path.basename(model) || model}`);
  enableRerun(log, panel, {
    name: 'Logit Attribution', title: (p) => `MechLens: attributing ${p.contrast ? `${p.target} − ${p.contrast}` : p.target}`, job: 'attribution', context: undefined,
    run: (p, control) => services.runAttribution({ ...input, target: p.target, contrast: p.contrast || undefined }, control),
  });
  const started = performance.now();
  try {
    const result = await runWithProgress(log, panel, { title: `MechLens: attributing ${what} in ${picked.texts.length} text${picked.texts.length === 1 ? '' : 's'}`, logSteps: true },
      (control) => services.runAttribution(input, control));
    const first = result.texts[0];
    log.info(`Logit attribution finished in ${formatMs(performance.now() - started)}: first text's logit difference ${first.logitDiff.toPrecision(5)}, ` +
      `Σ components + constant ${first.sum.toPrecision(5)}${result.softcap !== null ? ` (before the final softcap ${result.softcap})` : ''}, provider ${result.provider}`);
    for (const warning of result.warnings) log.warn(warning);
    panel.showResult(result);
    return result;
  } catch (err) {
    await reportJobFailure(err, log, panel, { name: 'Logit Attribution', what: 'the logit attribution' }, { label: 'Choose Another File', run: () => void logitAttribution(services, {}) });
    return undefined;
  }
}
