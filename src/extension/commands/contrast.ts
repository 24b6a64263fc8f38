// "MechLens: Contrast Sentence Groups…": pick the .sentences file, a model, a hook, the test and the
// correction; run job 5 in a worker with progress and cancel; show the result in a panel.
import * as vscode from 'vscode';
import path from 'node:path';
import type { ContrastResult } from '../../protocol/result';
import type { ContrastInput } from '../../core/analyses/contrast';
import type { RunControl } from '../../core/run-control';
import { formatMs } from '../log';
import { ResultPanel } from '../panels/panel';
import { contrastCacheParts, cachedResult, runCached, type ResultCacheProvider } from './result-cache-flow';
import type { RecentList } from '../recent';
import {
  BACK, backableQuickPick, enableRerun, jobRunKey, keepAnswer, pickHookedModelStep, pickTargetFile, reportJobFailure, retryLabel, runInPanel, runSteps, runWithProgress, saveIfDirty, stepInputBox,
  warnIgnoredSettings, type Back, type StepAt, type ModelJobServices,
} from './job-flow';
import { reclusterContrast } from '../../core/analyses/recluster-map';
import { pickSae } from './sae';
import {
  buildHookPickRows, contrastTitle, defaultHookFor, correctionChoices, hookConfigFor, readContrastSettings, testChoices, validateHook,
} from './model-hook-picks';

type ContrastJob = (input: ContrastInput, control: RunControl) => Promise<ContrastResult>;

interface ContrastServices extends ModelJobServices {
  runContrast: ContrastJob;
  recentHooks: RecentList;
  /** SAEs picked before (shared with SAE Features…), for the hook step's "SAE features" row. */
  recentSaes: RecentList;
  /** The result cache for a cache root; undefined (or absent) runs every time. */
  resultCache?: ResultCacheProvider;
}

interface ContrastArgs {
  uri?: vscode.Uri;
  askForFile?: boolean;
}

function pickSentenceFile(args: ContrastArgs): Promise<vscode.Uri | undefined> {
  return pickTargetFile(args, {
    pattern: /\.sentences$/i, filters: { 'Sentence sets': ['sentences'], 'All files': ['*'] }, openLabel: 'Contrast',
    title: 'MechLens: choose a sentence set with two [groups]',
  });
}

/** A hook name, or an SAE whose features at its own hook are the units to contrast. */
type HookChoice = { hook: string; sae?: undefined } | { hook?: undefined; sae: string };

/** The hook step: the default hook first, recent ones, the model's hooks, an SAE's features, or a typed name; `previous` preselected. */
async function pickHook(services: ContrastServices, model: string, configured: string, at: StepAt, previous: HookChoice | undefined): Promise<HookChoice | Back | undefined> {
  const config = hookConfigFor(model);
  const { hook: defaultHook, why } = defaultHookFor(config, configured);
  const typeRow = { label: '$(edit) Type a hook name…', detail: 'TransformerLens names (blocks.5.mlp.hook_pre) or Hugging Face aliases (transformer.h.5.mlp.c_fc)', alwaysShow: true, hook: '' };
  const saeRow = { label: '$(symbol-misc) SAE features…', detail: "Contrast a sparse autoencoder's features at its hook (SAELens folder, Gemma Scope params.npz, catalog or hub)", alwaysShow: true, hook: '\0sae' };
  const recent = services.recentHooks.items().filter((h) => validateHook(h, config) === undefined);
  const hookRows = config ? buildHookPickRows(config, defaultHook) : [];
  const toItem = (r: (typeof hookRows)[number]) => ({ label: r.label, description: r.picked ? `default · ${r.description}` : r.description, detail: r.detail, hook: r.hook });
  // The default row first (Enter takes it), then the hooks used recently, then the rest.
  const items: (vscode.QuickPickItem & { hook: string })[] = [
    ...(config ? hookRows.filter((r) => r.picked).map(toItem) : [{ label: defaultHook, description: 'default', hook: defaultHook }]),
    ...recent.filter((h) => h !== defaultHook).map((h) => ({ label: h, description: 'recent', hook: h })),
    ...hookRows.filter((r) => !r.picked).map(toItem),
    saeRow,
    typeRow,
  ];
  const active = previous?.sae ? saeRow : items.find((i) => i.hook === (previous?.hook ?? defaultHook)) ?? (previous?.hook ? typeRow : undefined);
  for (;;) {
    const chosen = await backableQuickPick(items, { title: 'MechLens: Contrast — hook point', ...at, placeholder: `Where to read the activations at the target token; Enter takes ${defaultHook} (${why})` }, active);
    if (chosen === BACK || !chosen) return chosen;
    if (chosen === saeRow) {
      const sae = await pickSae(services, model, { title: 'MechLens: Contrast — SAE', ...at, back: true }, previous?.sae);
      if (sae === BACK) continue;
      return sae ? { sae } : undefined;
    }
    if (chosen.hook) return { hook: chosen.hook };
    const text = await stepInputBox({
      title: 'MechLens: Contrast — hook point', prompt: 'A hook name of this model', value: previous?.hook ?? defaultHook, ...at, back: true, validate: (t) => validateHook(t, config),
    });
    if (text === BACK) continue;
    return text?.trim() ? { hook: text.trim() } : undefined;
  }
}

/** A choice step (the test, the correction): `previous` preselected, else the first row. */
async function pickChoice<V extends string>(choices: readonly { value: V; label: string; detail: string }[], title: string, at: StepAt, previous: V | undefined): Promise<V | Back | undefined> {
  const items = choices.map((c) => ({ label: c.label, detail: c.detail, value: c.value }));
  const chosen = await backableQuickPick(items, { title, ...at, placeholder: title.replace(/^MechLens: Contrast — /, 'Choose the ') }, items.find((i) => i.value === previous) ?? items[0]);
  return chosen === BACK || !chosen ? chosen : chosen.value;
}

export async function contrastSentences(services: ContrastServices, args: ContrastArgs = {}): Promise<ContrastResult | undefined> {
  const { log } = services;
  const sentencesUri = await pickSentenceFile(args);
  if (!sentencesUri) return undefined;
  await saveIfDirty(sentencesUri);

  const config = vscode.workspace.getConfiguration('mechlens');
  const settings = readContrastSettings((key) => config.inspect(key), vscode.workspace.isTrusted);
  warnIgnoredSettings(log, settings.ignored, ['mechlens.contrast.defaultModel', 'mechlens.cacheDirectory'], false);

  let model: string | undefined;
  let hookChoice: HookChoice | undefined;
  let test: ContrastInput['test'] | undefined;
  let correction: ContrastInput['correction'] | undefined;
  const answered = await runSteps([
    {
      ask: async (at) => keepAnswer(await pickHookedModelStep(services, settings.defaultModel, settings.cacheDir,
        { ...at, title: 'MechLens: Contrast — model', placeholder: 'The model to run the sentences through (a catalog model or a local folder)', previous: model }), (v) => {
        // Another model has other hooks: the hook asked for the first one is not offered as the answer.
        if (v !== model) hookChoice = undefined;
        model = v;
      }),
    },
    { ask: async (at) => keepAnswer(await pickHook(services, model!, settings.defaultHook, at, hookChoice), (v) => { hookChoice = v; }) },
    { ask: async (at) => keepAnswer(await pickChoice(testChoices, 'MechLens: Contrast — t-test', at, test), (v) => { test = v; }) },
    { ask: async (at) => keepAnswer(await pickChoice(correctionChoices, 'MechLens: Contrast — multiple-comparison correction', at, correction), (v) => { correction = v; }) },
  ]);
  if (!answered || !model || !hookChoice || !test || !correction) return undefined;
  const { sae } = hookChoice;
  const hook = hookChoice.hook ?? `the SAE's hook`;
  await services.recentModels.push(model);
  if (sae) await services.recentSaes.push(sae);
  else await services.recentHooks.push(hook);

  const input: ContrastInput = {
    sentencesPath: sentencesUri.fsPath, model, ...(sae ? { sae } : { hook }), test, correction,
    ...(settings.alpha !== undefined ? { alpha: settings.alpha } : {}), ...(settings.seed !== undefined ? { seed: settings.seed } : {}),
    cacheDir: settings.cacheDir, offline: settings.offline,
  };
  log.info(`Contrast ${sentencesUri.fsPath}: model ${model}, ${sae ? `features of the SAE ${sae}` : `hook ${hook}`}, ${test}, ${correction}${settings.offline ? ', offline' : ''}`);
  const fileName = path.basename(sentencesUri.fsPath);
  const panel = ResultPanel.create(services, contrastTitle(sentencesUri.fsPath, model, hook), jobRunKey('contrast', sentencesUri.fsPath, model));
  const modelConfig = hookConfigFor(model);
  enableRerun(log, panel, {
    name: 'Contrast', title: (p) => `MechLens: contrasting ${fileName} at ${p.hook}`,
    job: 'contrast', context: { hookConfig: modelConfig },
    run: (p, control) => {
      // Only eps, min_samples or k changed: cluster the significant neurons again on the map on screen, without the model or t-SNE.
      const shown = panel.currentResult;
      const reclustered = shown?.job === 'contrast' ? reclusterContrast(shown, p) : undefined;
      if (reclustered) {
        log.info(`Contrast: re-clustered the existing t-SNE map with eps ${p.eps}, min_samples ${p.minSamples}, k ${p.k}`);
        return Promise.resolve(reclustered);
      }
      const rerun: ContrastInput = {
        ...input, hook: p.hook, test: p.test, correction: p.correction, alpha: p.alpha,
        perplexity: p.perplexity, eps: p.eps, minSamples: p.minSamples, k: p.k, shuffles: p.shuffles,
      };
      return cachedResult(services.resultCache?.(settings.cacheDir), contrastCacheParts(rerun), () => services.runContrast(rerun, control), log);
    },
  });
  return runInPanel(panel, async () => {
  const started = performance.now();
  try {
    const result = await runCached({ log, panel, cache: services.resultCache?.(settings.cacheDir), parts: contrastCacheParts(input), what: `the contrast of ${fileName}` },
      () => runWithProgress(log, panel, { title: `MechLens: contrasting ${fileName}`, logSteps: false },
        (control) => services.runContrast(input, control)));
    log.info(`Contrast finished in ${formatMs(performance.now() - started)}: ${result.significant.length} of ${result.t.length} neurons significant ` +
      `(${result.test}, ${result.correction}), label-shuffle p = ${result.labelShuffle.pValue.toPrecision(3)}, provider ${result.provider}`);
    for (const warning of result.warnings) log.warn(warning);
    panel.showResult(result);
    return result;
  } catch (err) {
    await reportJobFailure(err, log, panel, { name: 'Contrast', what: 'the contrast' },
      { label: retryLabel('Sentence Set', sentencesUri.fsPath), run: () => void contrastSentences(services, { askForFile: true }) },
      { browseModel: () => void contrastSentences(services, { uri: sentencesUri }) });
    return undefined;
  }
  });
}
