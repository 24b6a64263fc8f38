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
import { ResultPanel } from '../panels/panel';
import type { RecentList } from '../recent';
import { enableRerun, keepAnswer, pickHookedModelStep, pickTargetFile, reportJobFailure, runSteps, runWithProgress, saveIfDirty, stepInputBox, warnIgnoredSettings, type ModelJobServices } from './job-flow';
import { wordProblem } from './attribution-inputs';
import { readTextsFile, readTextsSelection, textFileFilters, textFilePattern } from './text-input';
import { readContrastSettings } from './model-hook-picks';

type AttributionJob = (input: AttributionInput, control: RunControl) => Promise<AttributionResult>;

interface AttributionServices extends ModelJobServices {
  runAttribution: AttributionJob;
  recentTargets: RecentList;
}

export interface AttributionArgs {
  uri?: vscode.Uri;
  /** Attribute the active editor's selection (each non-empty line a text). */
  selection?: boolean;
}

const stepTitle = (what: string) => `MechLens: Logit Attribution — ${what}`;

/** The texts of the selection or of a file; `typed` when none is at hand and the text is asked for as a step; undefined when the user backed out. */
async function textsAtHand(args: AttributionArgs, log: Log): Promise<{ texts: string[]; source: string } | 'typed' | undefined> {
  if (args.selection) {
    const editor = vscode.window.activeTextEditor;
    if (!editor) throw new MechLensError('bad-argument', 'no editor is open', { fix: 'Open a file, select one or more lines of text (one text per line), then run Logit Attribution on Selection again.' });
    return readTextsSelection(editor, 'Logit Attribution on Selection');
  }
  const active = vscode.window.activeTextEditor?.document;
  if (!args.uri && !(active && textFilePattern.test(active.uri.fsPath))) return 'typed';
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
  const atHand = await textsAtHand(args, log);
  if (!atHand) return undefined;
  const config = vscode.workspace.getConfiguration('mechlens');
  const settings = readContrastSettings((key) => config.inspect(key), vscode.workspace.isTrusted);
  warnIgnoredSettings(log, settings.ignored, ['mechlens.cacheDirectory'], false);
  let typed: string | undefined;
  let model: string | undefined;
  let tokenizer: Gpt2Tokenizer | undefined;
  let target: string | undefined;
  let contrast: string | undefined;
  const recentTarget = services.recentTargets.items()[0];
  const answered = await runSteps([
    {
      when: () => atHand === 'typed',
      ask: async (at) => keepAnswer(await stepInputBox({
        title: stepTitle('text'), ...at, prompt: 'The text whose next-token logit is attributed (or press Escape and right-click a .sentences, .txt or .words file)',
        placeholder: 'The Eiffel Tower is in the city of', value: typed, validate: (t) => (t.trim() ? undefined : 'Type a text'),
      }), (v) => { typed = v.trim(); }),
    },
    {
      ask: async (at) => keepAnswer(await pickHookedModelStep(services, services.recentModels.items()[0] ?? 'gpt2', settings.cacheDir,
        { ...at, title: stepTitle('model'), placeholder: 'The model whose next-token logit is attributed', previous: model }), (v) => { model = v; }),
    },
    {
      ask: async (at) => {
        tokenizer = await tokenizerIfLocal(model!, settings.cacheDir, log);
        return keepAnswer(await stepInputBox({
          title: stepTitle('target'), ...at, prompt: 'The token whose logit is attributed, read with a leading space (" Paris"); it must be one token', placeholder: 'Paris',
          value: target ?? recentTarget?.split('|')[0], validate: (t) => wordProblem(tokenizer, t, 'target', false),
        }), (v) => { target = v.trim(); });
      },
    },
    {
      ask: async (at) => keepAnswer(await stepInputBox({
        title: stepTitle('contrast (optional)'), ...at, prompt: 'A contrast token: attribute logit(target) − logit(contrast). Leave empty for the target alone.', placeholder: 'London',
        value: contrast ?? recentTarget?.split('|')[1] ?? '', validate: (t) => wordProblem(tokenizer, t, 'contrast', true),
      }), (v) => { contrast = v.trim(); }),
    },
  ]);
  if (!answered || !model || !target || contrast === undefined) return undefined;
  const picked = atHand === 'typed' ? (typed ? { texts: [typed], source: 'typed text' } : undefined) : atHand;
  if (!picked) return undefined;
  await services.recentModels.push(model);
  await services.recentTargets.push(`${target}|${contrast}`);

  const input: AttributionInput = {
    model, texts: picked.texts, target, ...(contrast ? { contrast } : {}), source: picked.source,
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
