// "MechLens: Logit Lens…" (palette, and right-click on a .sentences, .txt or .words file) and
// "MechLens: Logit Lens on Selection": the texts (text-input.ts), a model, an optional target word;
// the lens runs on the worker behind a cancellable progress, and the panel fills in layer by layer
// as partial results stream back.
import * as vscode from 'vscode';
import path from 'node:path';
import type { LensControl, LensInput } from '../../core/analyses/lens';
import { LENS_DEFAULT_TOP_K, type LensResult } from '../../protocol/lens';
import { formatMs } from '../log';
import { ResultPanel } from '../panels/panel';
import type { RecentList } from '../recent';
import { enableRerun, keepAnswer, pickHookedModelStep, pickTargetFile, reportJobFailure, runSteps, runWithProgress, saveIfDirty, stepInputBox, warnIgnoredSettings, type ModelJobServices } from './job-flow';
import { readContrastSettings } from './model-hook-picks';
import { readTextsFile, readTextsSelection, textFileFilters, textFilePattern, type TextsRead } from './text-input';
import { userFacingMessage } from '../error-message';
import { MechLensError } from '../../core/errors';

type LensJob = (input: LensInput, control: LensControl) => Promise<LensResult>;

interface LensServices extends ModelJobServices {
  runLens: LensJob;
  recentTargets?: RecentList;
}

export interface LensArgs {
  uri?: vscode.Uri;
  /** Read the active editor's selection instead of a file. */
  selection?: boolean;
  askForFile?: boolean;
}

const title = (what: string) => `MechLens: Logit Lens — ${what}`;

/** An input-box check for the target: empty (none) or one word. */
function validateTargetWord(text: string): string | undefined {
  return /\S\s+\S/.test(text.trim()) ? 'One word: it is read with a leading space and must be a single token.' : undefined;
}

async function readTexts(services: LensServices, args: LensArgs): Promise<TextsRead | undefined> {
  if (args.selection) {
    const editor = vscode.window.activeTextEditor;
    if (!editor) {
      void vscode.window.showErrorMessage('MechLens: Logit Lens on Selection needs an editor with selected text. Open a file, select some lines and run it again.');
      return undefined;
    }
    return readTextsSelection(editor, 'Logit Lens on Selection');
  }
  const uri = await pickTargetFile(args, { pattern: textFilePattern, filters: textFileFilters, openLabel: 'Logit Lens', title: 'MechLens: choose a file of texts (one per line)' });
  if (!uri) return undefined;
  await saveIfDirty(uri, services.log);
  return readTextsFile(uri.fsPath);
}

export async function logitLens(services: LensServices, args: LensArgs = {}): Promise<LensResult | undefined> {
  const { log } = services;
  let texts: TextsRead | undefined;
  try {
    texts = await readTexts(services, args);
  } catch (err) {
    log.error('Logit lens: could not read the texts', err);
    void vscode.window.showErrorMessage(`MechLens: ${err instanceof MechLensError ? userFacingMessage(err) : String(err)}`, 'Open Log').then((action) => { if (action) log.show(); });
    return undefined;
  }
  if (!texts) return undefined;

  const config = vscode.workspace.getConfiguration('mechlens');
  const settings = readContrastSettings((key) => config.inspect(key), vscode.workspace.isTrusted);
  warnIgnoredSettings(log, settings.ignored, ['mechlens.contrast.defaultModel', 'mechlens.cacheDirectory'], false);
  let model: string | undefined;
  let target: string | undefined;
  const answered = await runSteps([
    {
      ask: async (at) => keepAnswer(await pickHookedModelStep(services, settings.defaultModel, settings.cacheDir,
        { ...at, title: title('model'), placeholder: 'The model whose residual stream to read through its own head', previous: model }), (v) => { model = v; }),
    },
    {
      ask: async (at) => keepAnswer(await stepInputBox({
        title: title('target word (optional)'), ...at, prompt: 'A word whose probability and rank to follow through the layers (read with a leading space; must be one token). Leave empty for none.',
        value: target ?? services.recentTargets?.items()[0] ?? '', validate: validateTargetWord,
      }), (v) => { target = v; }),
    },
  ]);
  if (!answered || !model || target === undefined) return undefined;
  await services.recentModels.push(model);
  if (target.trim()) await services.recentTargets?.push(target.trim());

  const source = texts.source;
  const input: LensInput = {
    model, texts: texts.texts, target: target.trim() || undefined, topK: LENS_DEFAULT_TOP_K,
    textsSource: args.selection ? 'selection' : source, cacheDir: settings.cacheDir, offline: settings.offline,
  };
  const what = args.selection ? source : path.basename(source);
  log.info(`Logit lens on ${texts.texts.length} texts from ${source}: model ${model}${input.target ? `, target "${input.target}"` : ''}${settings.offline ? ', offline' : ''}`);
  const modelName = path.basename(model) || model;
  const panel = ResultPanel.create(services, `Logit lens of ${modelName} — ${what}`);
  // Layers stream in while the run goes on: the panel redraws with each partial result, and keeps
  // (for a reload) only the final one.
  const control = (base: LensControl): LensControl => ({ ...base, onPartial: (partial) => panel.showPartialResult(partial) });
  enableRerun(log, panel, {
    name: 'Logit lens', title: (p) => `MechLens: logit lens of ${what}${p.target ? ` for "${p.target}"` : ''}`,
    job: 'lens', context: undefined,
    run: (p, c) => services.runLens({ ...input, target: p.target || undefined, topK: p.topK }, control(c)),
  });
  const started = performance.now();
  try {
    const result = await runWithProgress(log, panel, { title: `MechLens: logit lens of ${what}`, logSteps: false }, (c) => services.runLens(input, control(c)));
    const gflop = (2 * result.stats.lensRows * result.model.dims * (result.model.vocabSize ?? 0)) / 1e9;
    log.info(`Logit lens finished in ${formatMs(performance.now() - started)}: ${result.texts.length} texts, ${result.stats.tokens} tokens × ${result.nLayer} layers; `
      + `lens head ${gflop.toFixed(2)} GFLOP in ${formatMs(result.stats.lensMs)}, forward ${formatMs(result.stats.forwardMs)}, provider ${result.provider}`);
    for (const warning of result.warnings) log.warn(warning);
    panel.showResult(result);
    return result;
  } catch (err) {
    await reportJobFailure(err, log, panel, { name: 'Logit lens', what: `the logit lens of ${what}` }, { label: 'Choose Another File', run: () => void logitLens(services, { askForFile: true }) });
    return undefined;
  }
}
