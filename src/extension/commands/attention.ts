// "MechLens: Compare Attention Q/K…": pick the word list, a model, the prompt template, the layer
// and whether to sweep every layer; run job 4 in a worker with progress and cancel; show the panel.
import * as vscode from 'vscode';
import path from 'node:path';
import type { AttentionResult } from '../../protocol/result';
import { ATTENTION_DEFAULTS, type AttentionInput } from '../../core/analyses/attention';
import type { RunControl } from '../../core/run-control';
import { hookConfigFor, readContrastSettings } from './model-hook-picks';
import { pickSae } from './sae';
import { validateTemplate } from './prompt-template';
import { formatMs } from '../log';
import { ResultPanel } from '../panels/panel';
import { attentionCacheParts, cachedResult, runCached, type ResultCacheProvider } from './result-cache-flow';
import type { RecentList } from '../recent';
import { effectiveSetting } from '../settings';
import {
  BACK, backableQuickPick, enableRerun, jobRunKey, keepAnswer, pickHookedModelStep, pickTargetFile, reportJobFailure, retryLabel, runInPanel, runSteps, runWithProgress, saveIfDirty, stepInputBox, warnIgnoredSettings,
  type Back, type StepAt, type ModelJobServices,
} from './job-flow';

type AttentionJob = (input: AttentionInput, control: RunControl) => Promise<AttentionResult>;

interface AttentionServices extends ModelJobServices {
  runAttention: AttentionJob;
  recentTemplates?: RecentList;
  /** SAEs picked before (shared with SAE Features… and Contrast), for the SAE step. */
  recentSaes: RecentList;
  /** The result cache for a cache root; undefined (or absent) runs every time. */
  resultCache?: ResultCacheProvider;
}

interface AttentionArgs {
  uri?: vscode.Uri;
  askForFile?: boolean;
}

const title = (what: string) => `MechLens: Attention Q/K — ${what}`;

function pickWordList(args: AttentionArgs): Promise<vscode.Uri | undefined> {
  return pickTargetFile(args, {
    pattern: /\.(words|txt)$/i, filters: { 'Word lists': ['words', 'txt'], 'All files': ['*'] }, openLabel: 'Compare Attention Q/K', title: 'MechLens: choose a word list',
  });
}

/** An input-box check for the layer: a whole number, below the model's layer count when it is known. */
export function validateLayer(text: string, nLayer: number | undefined): string | undefined {
  const t = text.trim();
  if (!/^\d+$/.test(t)) return 'Enter a layer number: 0, 1, 2, …';
  if (nLayer !== undefined && Number(t) >= nLayer) return `The model has layers 0 to ${nLayer - 1}.`;
  return undefined;
}

/** Step 5: the words' SAE features as one more representation, or none (''); BACK, or undefined when cancelled. */
async function pickWordFeatures(services: AttentionServices, model: string, at: StepAt, previous: string | undefined): Promise<string | Back | undefined> {
  const none = { label: 'No SAE', detail: 'Q, K and V only', sae: false };
  const withSae = { label: '$(symbol-misc) SAE features…', detail: "Also compare the words' features of a sparse autoencoder (at its own hook) with Q and K by RSA", sae: true };
  for (;;) {
    const chosen = await backableQuickPick([none, withSae], { title: title('SAE features'), ...at, placeholder: 'Compare SAE features with Q and K as well?' }, previous ? withSae : none);
    if (chosen === BACK || !chosen) return chosen;
    if (!chosen.sae) return '';
    const spec = await pickSae(services, model, { ...at, title: title('SAE'), back: true }, previous || undefined);
    if (spec !== BACK) return spec; // Back from the SAE list returns to "No SAE / SAE features…"
  }
}

export async function compareAttention(services: AttentionServices, args: AttentionArgs = {}): Promise<AttentionResult | undefined> {
  const { log } = services;
  const wordsUri = await pickWordList(args);
  if (!wordsUri) return undefined;
  await saveIfDirty(wordsUri);

  const config = vscode.workspace.getConfiguration('mechlens');
  const inspect = <T>(key: string) => config.inspect<T>(key);
  // The hooked-model jobs share `contrast.defaultModel` (gpt2-medium unless set) and the cache settings.
  const settings = readContrastSettings(inspect, vscode.workspace.isTrusted);
  warnIgnoredSettings(log, settings.ignored, ['mechlens.contrast.defaultModel', 'mechlens.cacheDirectory'], false);
  const permutations = effectiveSetting(inspect<number>('permutations'), true).value;

  let model: string | undefined;
  let template: string | undefined;
  let layer: number | undefined;
  let sweep: boolean | undefined;
  let sae: string | undefined;
  const nLayerOf = (m: string | undefined) => (m === undefined ? undefined : hookConfigFor(m)?.nLayer);
  const answered = await runSteps([
    {
      ask: async (at) => keepAnswer(await pickHookedModelStep(services, settings.defaultModel, settings.cacheDir,
        { ...at, title: title('model'), placeholder: 'The GPT-2 model whose attention to hook (a catalog model or a local folder)', previous: model }), (v) => { model = v; }),
    },
    {
      ask: async (at) => keepAnswer(await stepInputBox({
        title: title('prompt template'), ...at, prompt: 'Each word is put into this prompt; Q, K and V are read at the word\'s token',
        value: template ?? services.recentTemplates?.items()[0] ?? ATTENTION_DEFAULTS.template, validate: validateTemplate,
      }), (v) => { template = v; }),
    },
    {
      ask: async (at) => {
        const nLayer = nLayerOf(model);
        // The layer asked before Back is kept while the model still has it.
        const kept = layer !== undefined && (nLayer === undefined || layer < nLayer) ? layer : undefined;
        return keepAnswer(await stepInputBox({
          title: title('layer'), ...at, prompt: nLayer !== undefined ? `The layer to hook: 0 to ${nLayer - 1}` : 'The layer to hook (0 is the first)',
          value: String(kept ?? (nLayer !== undefined ? Math.min(ATTENTION_DEFAULTS.layer, nLayer - 1) : ATTENTION_DEFAULTS.layer)), validate: (t) => validateLayer(t, nLayer),
        }), (v) => { layer = Number(v.trim()); });
      },
    },
    {
      ask: async (at) => {
        const sweepItems = [
          { label: 'Also sweep every layer', detail: 'Selectivity of Q, K, V, MLP and residual stream and RSA Q–K at every layer, from one forward pass', sweep: true },
          { label: `Layer ${layer} only`, detail: 'Faster: hooks Q, K and V at this layer only', sweep: false },
        ];
        const chosen = await backableQuickPick(sweepItems, { title: title('layer sweep'), ...at, placeholder: 'Sweep all layers as well?' }, sweepItems.find((i) => i.sweep === sweep) ?? sweepItems[0]);
        return keepAnswer(chosen, (v) => { sweep = v.sweep; });
      },
    },
    { ask: async (at) => keepAnswer(await pickWordFeatures(services, model!, at, sae), (v) => { sae = v; }) },
  ]);
  if (!answered || model === undefined || template === undefined || layer === undefined || sweep === undefined || sae === undefined) return undefined;
  const nLayer = nLayerOf(model);
  await services.recentModels.push(model);
  await services.recentTemplates?.push(template);
  if (sae) await services.recentSaes.push(sae);

  const input: AttentionInput = {
    wordsPath: wordsUri.fsPath, model, template, layer, sweep, ...(sae ? { sae } : {}),
    ...(typeof permutations === 'number' && Number.isInteger(permutations) && permutations >= 0 ? { permutations } : {}),
    ...(settings.seed !== undefined ? { seed: settings.seed } : {}),
    cacheDir: settings.cacheDir, offline: settings.offline,
  };
  log.info(`Attention ${wordsUri.fsPath}: model ${model}, template "${template}", layer ${layer}${input.sweep ? ', sweep' : ''}${sae ? `, SAE ${sae}` : ''}${settings.offline ? ', offline' : ''}`);
  const fileName = path.basename(wordsUri.fsPath);
  const modelName = path.basename(model) || model;
  const panel = ResultPanel.create(services, `Q/K at layer ${layer} of ${modelName} — ${fileName}`, jobRunKey('attention', wordsUri.fsPath, model));
  enableRerun(log, panel, {
    name: 'Attention', title: (p) => `MechLens: attention Q/K for ${fileName}, layer ${p.layer}`,
    job: 'attention', context: { nLayer },
    run: (p, control) => {
      const rerun: AttentionInput = { ...input, layer: p.layer, template: p.template, permutations: p.permutations };
      return cachedResult(services.resultCache?.(settings.cacheDir), attentionCacheParts(rerun), () => services.runAttention(rerun, control), log);
    },
  });
  return runInPanel(panel, async () => {
  const started = performance.now();
  try {
    const result = await runCached({ log, panel, cache: services.resultCache?.(settings.cacheDir), parts: attentionCacheParts(input), what: `the attention run on ${fileName}` },
      () => runWithProgress(log, panel, { title: `MechLens: attention Q/K for ${fileName}`, logSteps: false },
        (control) => services.runAttention(input, control)));
    log.info(`Attention finished in ${formatMs(performance.now() - started)}: ${result.items.length} words, ${result.missing.length} dropped, ` +
      `RSA Q–K r = ${result.rsa.pearson.toFixed(4)}, ρ = ${result.rsa.spearman.toFixed(4)}, p = ${result.rsa.pValue === null ? 'n/a' : result.rsa.pValue.toPrecision(3)}, provider ${result.provider}`);
    for (const warning of result.warnings) log.warn(warning);
    panel.showResult(result);
    return result;
  } catch (err) {
    await reportJobFailure(err, log, panel, { name: 'Attention', what: 'the attention run' },
      { label: retryLabel('Word List', wordsUri.fsPath), run: () => void compareAttention(services, { askForFile: true }) },
      { browseModel: () => void compareAttention(services, { uri: wordsUri }) });
    return undefined;
  }
  });
}
