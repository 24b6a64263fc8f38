// "MechLens: Attention Heads…" and "… on Selection": texts from a .sentences, .txt or .words file
// (explorer, editor, or an open dialog), from the editor's selection, one typed text, or the built-in
// probe (random tokens repeated twice); a model; then the heads job in a worker with progress and
// cancel, and its panel. A probe run can run again from the panel with another N or seed.
import * as vscode from 'vscode';
import path from 'node:path';
import type { HeadsResult } from '../../protocol/result';
import { rerunLimits } from '../../protocol/rerun';
import { HEADS_DEFAULTS, type HeadsInput } from '../../core/analyses/heads';
import { MechLensError } from '../../core/errors';
import type { RunControl } from '../../core/run-control';
import { userFacingMessage } from '../error-message';
import { formatMs } from '../log';
import { ResultPanel } from '../panels/panel';
import { readContrastSettings } from './model-hook-picks';
import { readTextsFile, readTextsSelection, textFileFilters, textFilePattern, type TextsRead } from './text-input';
import {
  BACK, backableQuickPick, enableRerun, keepAnswer, pickHookedModelStep, pickTargetFile, reportJobFailure, runSteps, runWithProgress, saveIfDirty, stepInputBox, warnIgnoredSettings,
  type Back, type StepAt, type ModelJobServices,
} from './job-flow';

type HeadsJob = (input: HeadsInput, control: RunControl) => Promise<HeadsResult>;

interface HeadsServices extends ModelJobServices {
  runHeads: HeadsJob;
}

export interface HeadsArgs {
  uri?: vscode.Uri;
  /** Run on the active editor's selection. */
  selection?: boolean;
  askForFile?: boolean;
}

/** Most pattern values a panel result carries (about 64 MB as JSON); above it the panel shows the scores only. */
export const PANEL_PATTERN_VALUES = 4_000_000;
const title = (what: string) => `MechLens: Attention Heads — ${what}`;

type Choice = ({ texts: string[]; source: string } | { repeatRandom: number; seed: number }) & { what: string };

export async function attentionHeads(services: HeadsServices, args: HeadsArgs = {}): Promise<HeadsResult | undefined> {
  const { log } = services;
  const config = vscode.workspace.getConfiguration('mechlens');
  const settings = readContrastSettings(<T>(key: string) => config.inspect<T>(key), vscode.workspace.isTrusted);
  warnIgnoredSettings(log, settings.ignored, ['mechlens.contrast.defaultModel', 'mechlens.cacheDirectory'], false);

  // From a file or a selection the texts are at hand; from the palette the input is the first question.
  let choice: Choice | undefined;
  // Until answered, the counters count the steps of the preselected answer (texts from a file).
  let kind = 'file' as InputKind;
  try {
    choice = await textsAtHand(args);
  } catch (err) {
    if (!(err instanceof MechLensError)) throw err;
    log.error('Attention heads: no texts', err);
    const action = await vscode.window.showErrorMessage(userFacingMessage(err), 'Choose Another File');
    if (action) void attentionHeads(services, { askForFile: true });
    return undefined;
  }
  if (choice === undefined && (args.selection || args.uri || args.askForFile)) return undefined;
  const fromPalette = choice === undefined;
  const limit = rerunLimits.repeatTokens;
  let repeat: string | undefined;
  let seed: string | undefined;
  let typed: string | undefined;
  let model: string | undefined;
  const answered = await runSteps([
    {
      when: () => fromPalette,
      ask: async (at) => {
        const picked = await pickInputKind(at, kind);
        if (picked === BACK || picked === undefined) return picked ?? false;
        kind = picked.kind;
        if (picked.file) choice = picked.file;
        return true;
      },
    },
    {
      when: () => fromPalette && kind === 'probe',
      ask: async (at) => keepAnswer(await stepInputBox({
        title: title('random tokens'), ...at, prompt: `How many random tokens before they repeat (${limit.min} to ${limit.max}); the model reads the BOS token, N tokens, then the same N`,
        value: repeat ?? String(HEADS_DEFAULTS.repeatRandom), validate: (t) => (/^\d+$/.test(t.trim()) && Number(t) >= limit.min && Number(t) <= limit.max ? undefined : `A whole number from ${limit.min} to ${limit.max}`),
      }), (v) => { repeat = v; }),
    },
    {
      when: () => fromPalette && kind === 'probe',
      ask: async (at) => keepAnswer(await stepInputBox({
        title: title('seed'), ...at, prompt: 'Seed of the random tokens (the same seed gives the same tokens)', value: seed ?? String(settings.seed ?? HEADS_DEFAULTS.seed),
        validate: (t) => (/^\d+$/.test(t.trim()) && Number(t) <= rerunLimits.seed.max ? undefined : 'A whole number, 0 or more'),
      }), (v) => { seed = v; }),
    },
    {
      when: () => fromPalette && kind === 'typed',
      ask: async (at) => keepAnswer(await stepInputBox({
        title: title('text'), ...at, prompt: 'The text whose attention patterns to read', value: typed ?? 'When Mary and John went to the store, John gave a drink to Mary',
        validate: (t) => (t.trim() ? undefined : 'Enter a text'),
      }), (v) => { typed = v.trim(); }),
    },
    {
      ask: async (at) => keepAnswer(await pickHookedModelStep(services, settings.defaultModel, settings.cacheDir,
        { ...at, title: title('model'), placeholder: 'The model whose attention heads to read (a catalog model or a local folder)', previous: model }), (v) => { model = v; }),
    },
  ]);
  if (!answered || !model) return undefined;
  if (fromPalette && kind === 'probe') {
    choice = { repeatRandom: Number(repeat), seed: Number(seed), what: `${Number(repeat)} random tokens ×2 (seed ${Number(seed)})` };
  } else if (fromPalette && kind === 'typed') {
    choice = { texts: [typed!], source: 'typed text', what: 'a typed text' };
  }
  if (!choice) return undefined;
  await services.recentModels.push(model);

  const input: HeadsInput = {
    model, patterns: true, maxPatternValues: PANEL_PATTERN_VALUES, cacheDir: settings.cacheDir, offline: settings.offline,
    ...('texts' in choice ? { texts: choice.texts, textsSource: choice.source } : { repeatRandom: choice.repeatRandom, seed: choice.seed }),
  };
  log.info(`Attention heads: ${choice.what}, model ${model}${settings.offline ? ', offline' : ''}`);
  const modelName = path.basename(model) || model;
  const panel = ResultPanel.create(services, `Heads of ${modelName} — ${choice.what}`);
  if ('repeatRandom' in choice) {
    enableRerun(log, panel, {
      name: 'Attention heads', job: 'heads', context: undefined,
      title: (p) => `MechLens: attention heads of ${modelName}, ${p.repeatTokens} random tokens repeated (seed ${p.seed})`,
      run: (p, control) => services.runHeads({ ...input, repeatRandom: p.repeatTokens, seed: p.seed }, control),
    });
  }
  const started = performance.now();
  try {
    const result = await runWithProgress(log, panel, { title: `MechLens: attention heads of ${modelName} on ${choice.what}`, logSteps: false },
      (control) => services.runHeads(input, control));
    const tokens = result.texts.reduce((n, t) => n + t.tokens.length, 0);
    log.info(`Attention heads finished in ${formatMs(performance.now() - started)}: ${result.texts.length} text(s), ${tokens} tokens, ${result.nLayer} × ${result.nHead} heads, provider ${result.provider}`);
    for (const warning of result.warnings) log.warn(warning);
    panel.showResult(result);
    return result;
  } catch (err) {
    await reportJobFailure(err, log, panel, { name: 'Attention heads', what: `the attention-heads run on ${choice.what}` }, { label: 'Choose Another File', run: () => void attentionHeads(services, { askForFile: true }) });
    return undefined;
  }
}

/** What the model reads, asked from the palette: texts from a file, the induction probe, or a typed text. */
type InputKind = 'file' | 'probe' | 'typed';

/** The texts of the selection or of a file (explorer, editor, or an open dialog); undefined from the palette, where the input is asked. */
async function textsAtHand(args: HeadsArgs): Promise<Choice | undefined> {
  if (args.selection) return selectionTexts();
  const active = vscode.window.activeTextEditor?.document;
  if (args.uri || (!args.askForFile && active && textFilePattern.test(active.uri.fsPath))) {
    return fileTexts(args);
  }
  return args.askForFile ? fileTexts(args) : undefined;
}

/** The input step from the palette; a file is chosen here (the open dialog is part of the step). */
async function pickInputKind(at: StepAt, previous: InputKind | undefined): Promise<{ kind: InputKind; file?: Choice } | Back | undefined> {
  const items = [
    { label: '$(file) Texts from a file…', detail: 'A .sentences, .txt or .words file: one text per line', choice: 'file' as const },
    { label: '$(symbol-number) Repeated random tokens (induction probe)', detail: 'N random tokens, then the same N again: induction heads attend to the token after the earlier copy', choice: 'probe' as const },
    { label: '$(edit) Type a text…', detail: 'One text, e.g. a sentence with a repeated name', choice: 'typed' as const },
  ];
  for (;;) {
    const picked = await backableQuickPick(items, { title: title('input'), ...at, placeholder: 'What should the model read?' }, items.find((i) => i.choice === previous) ?? items[0]);
    if (picked === BACK || !picked) return picked;
    if (picked.choice !== 'file') return { kind: picked.choice };
    try {
      const file = await fileTexts({ askForFile: true });
      // No file chosen: back to the choice of input.
      if (file) return { kind: 'file', file };
    } catch (err) {
      if (!(err instanceof MechLensError)) throw err;
      void vscode.window.showWarningMessage(`MechLens: ${userFacingMessage(err)}`);
    }
  }
}

async function fileTexts(args: HeadsArgs): Promise<Choice | undefined> {
  const uri = await pickTargetFile(args, { pattern: textFilePattern, filters: textFileFilters, openLabel: 'Attention Heads', title: 'MechLens: choose a file of texts (one per line)' });
  if (!uri) return undefined;
  await saveIfDirty(uri);
  const { texts, source } = readTextsFile(uri.fsPath);
  return { texts, source, what: path.basename(uri.fsPath) };
}

function selectionTexts(): Choice | undefined {
  const editor = vscode.window.activeTextEditor;
  let read: TextsRead;
  try {
    if (!editor) throw new MechLensError('bad-argument', 'no editor is open', { fix: 'Open a file, select the text to read (each selected line is one text), then run "MechLens: Attention Heads on Selection" again.' });
    read = readTextsSelection(editor, 'Attention Heads on Selection');
  } catch (err) {
    if (!(err instanceof MechLensError)) throw err;
    void vscode.window.showWarningMessage(`MechLens: ${userFacingMessage(err)}`);
    return undefined;
  }
  const { texts, source } = read;
  return { texts, source, what: texts.length === 1 ? 'the selection' : `${texts.length} selected lines` };
}
