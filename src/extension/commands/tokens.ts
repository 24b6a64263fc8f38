// "MechLens: Map Token Embeddings…": pick a model, the tokens (the first N, the whole vocabulary, or a
// token list file) and the projection; run job 2 in a worker with progress and cancel; show the panel.
// From the explorer, the right-clicked file is the token list and the tokens step is skipped.
import * as vscode from 'vscode';
import path from 'node:path';
import type { LeadingSpace, TokensResult } from '../../protocol/result';
import { AUTO_PCA_ABOVE, TOKENS_DEFAULTS, type TokensInput } from '../../core/analyses/tokens';
import type { RunControl } from '../../core/run-control';
import type { TokensRerunParams } from '../../protocol/tokens-params';
import { validateTokensRerun } from './rerun-params';

export { validateTokensRerun };
import { hookConfigFor, readContrastSettings } from './model-hook-picks';
import { formatMs } from '../log';
import { ResultPanel } from '../panels/panel';
import {
  BACK, backableQuickPick, enableRerun, jobRunKey, keepAnswer, pickHookedModelStep, reportJobFailure, retryLabel, runInPanel, runSteps, runWithProgress, saveIfDirty, stepInputBox, warnIgnoredSettings,
  type Back, type StepAt, type ModelJobServices,
} from './job-flow';

type TokensJob = (input: TokensInput, control: RunControl) => Promise<TokensResult>;

interface TokensServices extends ModelJobServices {
  runTokens: TokensJob;
}

interface TokensArgs {
  /** A token list file (explorer or editor context menu). */
  uri?: vscode.Uri;
}

/** The notebook's model for job 2 is GPT-2 small. */
const defaultTokensModel = 'gpt2';
const title = (what: string) => `MechLens: Map Token Embeddings — ${what}`;

/** An input-box check for N: a whole number from 1, at most the vocabulary when it is known. */
export function validateTokenCount(text: string, vocabSize: number | undefined): string | undefined {
  const t = text.trim().replace(/[,_\s]/g, '');
  if (!/^\d+$/.test(t) || Number(t) < 1) return 'Enter a whole number of tokens: 100, 1000, …';
  if (vocabSize !== undefined && Number(t) > vocabSize) return `The model has ${vocabSize.toLocaleString('en-US')} tokens.`;
  return undefined;
}

/** The first run's input with the panel's changes: a null eps is the job's default for the method. */
export function rerunInput(input: TokensInput, p: TokensRerunParams): TokensInput {
  const rest = { ...input };
  delete rest.eps;
  return { ...rest, method: p.method, perplexity: p.perplexity, minSamples: p.minSamples, ...(p.eps !== null ? { eps: p.eps } : {}), ...(p.first !== null ? { first: p.first } : {}) };
}

type Selection = { first: number } | { tokensPath: string; leadingSpace: LeadingSpace };
/** Which rows of the embedding matrix: the first N, all of them, or a token list file. */
type TokensKind = 'first' | 'all' | 'file';

/** The "which tokens" step; a token list file is chosen here (the open dialog is part of the step). */
async function pickTokensKind(model: string, vocabSize: number | undefined, at: StepAt, previous: TokensKind | undefined): Promise<{ kind: TokensKind; file?: string } | Back | undefined> {
  const items: (vscode.QuickPickItem & { kind2: TokensKind })[] = [
    { label: `First ${TOKENS_DEFAULTS.first} tokens`, description: 'the notebook\'s choice', detail: 'Token ids 0 to 99; change N next', kind2: 'first' },
    {
      label: vocabSize !== undefined ? `The whole vocabulary (${vocabSize.toLocaleString('en-US')} tokens)` : 'The whole vocabulary',
      detail: `Mapped with PCA above ${AUTO_PCA_ABOVE.toLocaleString('en-US')} tokens; the panel draws it on canvas`, kind2: 'all',
    },
    { label: '$(file) A token list file…', detail: 'One word or token per line (␣word for the leading-space token); # comments and [headers] skipped', kind2: 'file' },
  ];
  for (;;) {
    const chosen = await backableQuickPick(items, { title: title('tokens'), ...at, placeholder: `Which rows of ${path.basename(model) || model}'s embedding matrix to map` },
      items.find((i) => i.kind2 === previous) ?? items[0]);
    if (chosen === BACK || !chosen) return chosen;
    if (chosen.kind2 !== 'file') return { kind: chosen.kind2 };
    const picked = await vscode.window.showOpenDialog({
      canSelectMany: false, filters: { 'Token lists': ['tokens', 'words', 'txt'], 'All files': ['*'] }, openLabel: 'Map these tokens',
      title: 'MechLens: choose a token list', defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
    });
    // No file chosen: back to the choice of tokens.
    if (!picked?.[0]) continue;
    await saveIfDirty(picked[0]);
    return { kind: 'file', file: picked[0].fsPath };
  }
}

/** How many tokens N, for the first N (or the whole vocabulary of a model whose size is not known here). */
function askTokenCount(vocabSize: number | undefined, at: StepAt, previous: number | undefined): Promise<string | Back | undefined> {
  return stepInputBox({
    title: title('number of tokens'), ...at, value: String(previous ?? TOKENS_DEFAULTS.first),
    prompt: `Map the first N token ids (1 to ${vocabSize !== undefined ? vocabSize.toLocaleString('en-US') : 'the vocabulary size'})`,
    validate: (t) => validateTokenCount(t, vocabSize),
  });
}

async function pickLeadingSpace(at: StepAt, previous: LeadingSpace | undefined): Promise<LeadingSpace | Back | undefined> {
  const items: (vscode.QuickPickItem & { value: LeadingSpace })[] = [
    { label: 'With a leading space', description: '" word", as mid-sentence (default)', value: 'with' },
    { label: 'Without a leading space', description: '"word", as at the start of a text', value: 'without' },
    { label: 'Either', description: '" word" if it is one token, else "word"', value: 'either' },
  ];
  const chosen = await backableQuickPick(items, { title: title('leading space'), ...at, placeholder: 'How a list entry without ␣ becomes a token' }, items.find((i) => i.value === previous) ?? items[0]);
  return chosen === BACK || !chosen ? chosen : chosen.value;
}

async function pickMethod(n: number | undefined, at: StepAt, previous: 'tsne' | 'pca' | undefined): Promise<'tsne' | 'pca' | Back | undefined> {
  const items: (vscode.QuickPickItem & { value: 'tsne' | 'pca' })[] = [
    { label: 't-SNE', description: `perplexity ${TOKENS_DEFAULTS.perplexity}, as in the notebook`, detail: 'Local neighbourhoods; DBSCAN min_samples 3 on the map, eps from the points\' spacing', value: 'tsne' },
    { label: 'PCA', description: 'the two leading principal components', detail: 'Global structure in seconds, even for the whole vocabulary; DBSCAN eps chosen from the spacing', value: 'pca' },
  ];
  const large = n !== undefined && n > AUTO_PCA_ABOVE;
  const chosen = await backableQuickPick(items, {
    title: title('projection'), ...at,
    placeholder: large ? `${n.toLocaleString('en-US')} tokens: PCA is the quick choice; t-SNE of that many takes minutes` : 'How to draw the tokens in two dimensions',
  }, items.find((i) => i.value === previous) ?? (large ? items[1] : items[0]));
  return chosen === BACK || !chosen ? chosen : chosen.value;
}

export async function mapTokenEmbeddings(services: TokensServices, args: TokensArgs = {}): Promise<TokensResult | undefined> {
  const { log } = services;
  const listUri = args.uri?.scheme === 'file' ? args.uri : undefined;
  if (listUri) await saveIfDirty(listUri, log);

  const config = vscode.workspace.getConfiguration('mechlens');
  // Shares the cache, offline and seed settings of the other model jobs; the default model is the notebook's.
  const settings = readContrastSettings((key) => config.inspect(key), vscode.workspace.isTrusted);
  warnIgnoredSettings(log, settings.ignored.filter((k) => k !== 'mechlens.contrast.defaultModel'), ['mechlens.cacheDirectory'], false);

  let model: string | undefined;
  // Until answered, the counters count the steps of the preselected answer (the first N tokens).
  let kind = (listUri ? 'file' : 'first') as TokensKind;
  let tokensPath = listUri?.fsPath;
  let first: number | undefined;
  let leadingSpace: LeadingSpace | undefined;
  let method: 'tsne' | 'pca' | undefined;
  const vocabSizeOf = () => (model === undefined ? undefined : hookConfigFor(model)?.vocabSize);
  /** N of the first N token ids mapped (the vocabulary size for all of them), as answered so far. */
  const count = () => (kind === 'file' ? undefined : kind === 'all' && vocabSizeOf() !== undefined ? vocabSizeOf() : first);
  // A list from the Explorer has no "which tokens" step; the whole vocabulary of a model whose size is known needs no N.
  const answered = await runSteps([
    {
      ask: async (at) => keepAnswer(await pickHookedModelStep(services, defaultTokensModel, settings.cacheDir,
        { ...at, title: title('model'), placeholder: 'The model whose token-embedding matrix (wte) to map', previous: model }), (v) => { model = v; }),
    },
    {
      when: () => !listUri,
      ask: async (at) => keepAnswer(await pickTokensKind(model!, vocabSizeOf(), at, kind), (v) => { kind = v.kind; if (v.file) tokensPath = v.file; }),
    },
    {
      when: () => kind === 'first' || (kind === 'all' && vocabSizeOf() === undefined),
      ask: async (at) => keepAnswer(await askTokenCount(vocabSizeOf(), at, first), (v) => { first = Number(v.trim().replace(/[,_\s]/g, '')); }),
    },
    { when: () => kind === 'file', ask: async (at) => keepAnswer(await pickLeadingSpace(at, leadingSpace), (v) => { leadingSpace = v; }) },
    {
      ask: async (at) => keepAnswer(await pickMethod(count(), at, method), (v) => { method = v; }),
    },
  ]);
  if (!answered || !model || !method) return undefined;
  const n = count();
  const selection: Selection | undefined = kind === 'file' ? (tokensPath && leadingSpace ? { tokensPath, leadingSpace } : undefined) : n !== undefined ? { first: n } : undefined;
  if (!selection) return undefined;
  await services.recentModels.push(model);

  const input: TokensInput = {
    model, ...selection, method,
    ...(settings.seed !== undefined ? { seed: settings.seed } : {}),
    cacheDir: settings.cacheDir, offline: settings.offline,
  };
  const what = 'first' in selection ? `the first ${selection.first} tokens` : path.basename(selection.tokensPath);
  const modelName = path.basename(model) || model;
  log.info(`Map tokens: ${what} of ${model}, ${method}${'leadingSpace' in selection ? `, leading space ${selection.leadingSpace}` : ''}${settings.offline ? ', offline' : ''}`);
  const panel = ResultPanel.create(services, `Token embeddings of ${modelName} — ${what}`, jobRunKey('tokens', model, 'first' in selection ? selection.first : selection.tokensPath));
  enableRerun(log, panel, {
    name: 'Map tokens', title: (p) => `MechLens: mapping ${p.first !== null ? `the first ${p.first} tokens` : what} of ${modelName} (${p.method === 'tsne' ? `t-SNE, perplexity ${p.perplexity}` : 'PCA'})`,
    job: 'tokens', context: { listRun: !('first' in selection) },
    run: (p, control) => services.runTokens(rerunInput(input, p), control),
  });
  return runInPanel(panel, async () => {
  const started = performance.now();
  try {
    const result = await runWithProgress(log, panel, { title: `MechLens: mapping ${what} of ${modelName}`, logSteps: true },
      (control) => services.runTokens(input, control));
    log.info(`Map tokens finished in ${formatMs(performance.now() - started)}: ${result.tokens.length} tokens (${result.dims}-d), ${result.method} map, ` +
      `${result.clusters.length} groups, ${result.ungrouped.indices.length} ungrouped (eps ${result.map.eps}, min_samples ${result.map.minSamples})`);
    for (const warning of result.warnings) log.warn(warning);
    panel.showResult(result);
    return result;
  } catch (err) {
    await reportJobFailure(err, log, panel, { name: 'Map tokens', what: 'the token map' },
      { label: 'first' in selection ? retryLabel('Model', modelName) : retryLabel('Token List', selection.tokensPath), run: () => void mapTokenEmbeddings(services) },
      { browseModel: () => void mapTokenEmbeddings(services, args) });
    return undefined;
  }
  });
}
