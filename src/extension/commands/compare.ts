// "MechLens: Compare Embeddings…": pick the word list and two sources, run job 1 in a worker with
// progress and cancel, and show the result in a panel.
import * as vscode from 'vscode';
import path from 'node:path';
import type { CompareResult } from '../../protocol/result';
import type { CompareInput } from '../../core/analyses/compare';
import { MechLensError } from '../../core/errors';
import type { RunControl } from '../../core/run-control';
import { formatMs, type Log } from '../log';
import {
  enableRerun, jobRunKey, keepAnswer, pickTargetFile, pickVectorSourceStep, reportJobFailure, retryLabel, runInPanel, runSteps, runWithProgress, saveIfDirty, stepInputBox, warnIgnoredSettings, type Back, type StepAt,
} from './job-flow';
import type { LocalInputs } from '../local-inputs';
import { checkSourceSpec, sniffWordList } from './input-checks';
import { reclusterCompare } from '../../core/analyses/recluster-map';
import { ResultPanel, type PanelServices } from '../panels/panel';
import { cachedResult, compareCacheParts, runCached, type ResultCacheProvider } from './result-cache-flow';
import type { RecentList } from '../recent';
import { pathSettings, readCompareSettings, type Inspect } from '../settings';
import { sourceNeedsTemplate } from '../views/hook-tree';
import { validateTemplate } from './prompt-template';
import { buildSourcePickRows, describeSpec, specForFile, type CatalogEntryLike, type ModelEntryLike } from './source-picks';

type CompareJob = (input: CompareInput, control: RunControl) => Promise<CompareResult>;

export interface CompareServices extends PanelServices {
  log: Log;
  runCompare: CompareJob;
  catalog: () => readonly CatalogEntryLike[];
  /** Catalog names already in the cache. */
  cachedCatalogNames: (cacheDir: string | undefined) => ReadonlySet<string>;
  /** Models offered for their token embeddings, and which of them are cached. */
  models?: () => readonly ModelEntryLike[];
  cachedModelNames?: (cacheDir: string | undefined) => ReadonlySet<string>;
  recentSources: { a: RecentList; b: RecentList };
  /** Prompt templates used for hook sources, latest first. */
  recentTemplates?: RecentList;
  /** The result cache for a cache root; undefined (or absent) runs every time. */
  resultCache?: ResultCacheProvider;
  /** Local checkpoint folders and vector files, and where the last open dialog ended. */
  local?: LocalInputs;
}

export interface CompareArgs {
  /** The word list (explorer or editor context menu), if any. */
  uri?: vscode.Uri;
  /** Offered first as source A (from the Models view). */
  presetA?: string;
  /** Skip the active editor and ask for a file. */
  askForFile?: boolean;
}

const wordListFilters = { 'Word lists': ['words', 'txt'], 'All files': ['*'] };

/**
 * The word list: from the explorer, the editor or a dialog, then checked by content. A vector file
 * (a GloVe .txt looks like a word list by name) is said to be one at once, with the offer to use it
 * as source A instead; undefined when the user goes no further.
 */
async function pickWordList(services: CompareServices, args: CompareArgs): Promise<{ words?: vscode.Uri; useAsSourceA?: string }> {
  let ask = args;
  for (;;) {
    const uri = await pickTargetFile(ask, { pattern: /\.(words|txt)$/i, filters: wordListFilters, openLabel: 'Compare Embeddings', title: 'MechLens: choose a word list' }, services.local);
    if (!uri) return {};
    const { vectors, problem } = await sniffWordList(uri.fsPath);
    if (!problem) return { words: uri };
    services.log.info(`Not a word list: ${problem}`);
    const useIt = 'Use as Source A';
    const other = 'Choose a Word List…';
    const action = await vscode.window.showWarningMessage(`MechLens: ${problem}`, ...(vectors ? [useIt] : []), other);
    if (action === useIt) return { useAsSourceA: specForFile(uri.fsPath) };
    if (action !== other) return {};
    ask = { askForFile: true };
  }
}

interface SourceQuestion {
  side: 'A' | 'B';
  recent: RecentList;
  /** The other side's list: sources are one kind, and a source used as B is a recent choice for A too. */
  otherRecent: RecentList;
  defaultSpec?: string;
  /** Offered first, ahead of the recent choices. */
  preset?: string;
  /** The answer given before a Back: preselected. */
  previous?: string;
  cacheDir?: string;
  at: StepAt;
}

async function pickSource(services: CompareServices, question: SourceQuestion): Promise<string | Back | undefined> {
  const { side, recent, preset, previous, at } = question;
  const catalog = services.catalog();
  const recentSpecs = [...new Set([...(previous ? [previous] : []), ...(preset ? [preset] : []), ...recent.items(), ...question.otherRecent.items()])];
  const rows = buildSourcePickRows({
    catalog, recent: recentSpecs, last: previous ?? preset ?? recent.items()[0], defaultSpec: question.defaultSpec, cached: services.cachedCatalogNames(question.cacheDir),
    models: services.models?.(), cachedModels: services.cachedModelNames?.(question.cacheDir), local: await services.local?.items(),
  });
  const names = catalog.map((e) => e.name);
  return pickVectorSourceStep({
    side, rows, at, local: services.local,
    title: `MechLens: Compare Embeddings — source ${side}`,
    placeholder: `Choose embedding space ${side}: a catalog vector set, a vector file, or a model's token embeddings`,
    enter: {
      prompt: 'A catalog name, vectors:PATH, or model:ID_OR_DIR#embed (a Hugging Face id such as gpt2, or a local folder)',
      placeholder: 'model:gpt2#embed · vectors:/path/to/vectors.txt · glove-wiki-gigaword-50',
      validate: (t) => checkSourceSpec(t, names),
    },
  });
}

export async function compareEmbeddings(services: CompareServices, args: CompareArgs = {}): Promise<CompareResult | undefined> {
  const { log } = services;
  const listed = await pickWordList(services, args);
  if (listed.useAsSourceA) return compareEmbeddings(services, { askForFile: true, presetA: listed.useAsSourceA });
  const wordsUri = listed.words;
  if (!wordsUri) return undefined;
  await saveIfDirty(wordsUri, log);

  const config = vscode.workspace.getConfiguration('mechlens');
  const inspect: Inspect = (key) => config.inspect(key);
  const settings = readCompareSettings(inspect, vscode.workspace.isTrusted);
  warnIgnoredSettings(log, settings.ignored, pathSettings.map((k) => `mechlens.${k}`), true);

  let a: string | undefined;
  let b: string | undefined;
  let template: string | undefined;
  const { a: recentA, b: recentB } = services.recentSources;
  const answered = await runSteps([
    { ask: async (at) => keepAnswer(await pickSource(services, { side: 'A', at, recent: recentA, otherRecent: recentB, defaultSpec: settings.defaultA, preset: args.presetA, previous: a, cacheDir: settings.cacheDir }), (v) => { a = v; }) },
    { ask: async (at) => keepAnswer(await pickSource(services, { side: 'B', at, recent: recentB, otherRecent: recentA, defaultSpec: settings.defaultB, previous: b, cacheDir: settings.cacheDir }), (v) => { b = v; }) },
    {
      when: () => (a !== undefined && sourceNeedsTemplate(a)) || (b !== undefined && sourceNeedsTemplate(b)),
      ask: async (at) => keepAnswer(await stepInputBox({
        title: 'MechLens: Compare Embeddings — prompt template for the hooked model', ...at,
        prompt: 'Each word is put into this prompt, and the hook is read at the word\'s last token',
        value: template ?? services.recentTemplates?.items()[0] ?? 'The next word is {word}',
        validate: validateTemplate,
      }), (v) => { template = v; }),
    },
  ]);
  // A template typed before Back to a source that needs none is not used.
  if (answered && a && b && !sourceNeedsTemplate(a) && !sourceNeedsTemplate(b)) template = undefined;
  if (!answered || !a || !b) return undefined;
  if (template !== undefined) await services.recentTemplates?.push(template);
  await services.recentSources.a.push(a);
  await services.recentSources.b.push(b);

  const wordsName = path.basename(wordsUri.fsPath);
  const title = `${describeSpec(a).label} vs ${describeSpec(b).label} — ${wordsName}`;
  const input: CompareInput = {
    wordsPath: wordsUri.fsPath,
    a,
    b,
    permutations: settings.permutations,
    seed: settings.seed,
    cacheDir: settings.cacheDir,
    offline: settings.offline,
    map: settings.map,
    ...(template !== undefined ? { template } : {}),
  };
  log.info(`Compare ${wordsUri.fsPath}: A = ${a}, B = ${b}, permutations = ${input.permutations ?? 'default'}, seed = ${input.seed ?? 'default'}${input.offline ? ', offline' : ''}${template ? `, template "${template}"` : ''}, map ${JSON.stringify(settings.map)}`);

  const panel = ResultPanel.create(services, title, jobRunKey('compare', wordsUri.fsPath, a, b));
  enableRerun(log, panel, {
    name: 'Compare', title: () => `MechLens: comparing ${wordsName} again`, job: 'compare', context: undefined,
    run: async (p, control) => {
      // Only eps or min_samples changed: DBSCAN again on the maps on screen, without reading the sources or running t-SNE.
      const shown = panel.currentResult;
      const reclustered = shown?.job === 'compare' ? reclusterCompare(shown, p) : undefined;
      if (reclustered) {
        log.info(`Compare: re-clustered the existing t-SNE maps with eps ${p.eps ?? 'auto'}, min_samples ${p.minSamples}`);
        return reclustered;
      }
      const rerun: CompareInput = {
        ...input, permutations: p.permutations,
        // null in the panel means "the job's automatic choice", which is an absent option.
        map: { ...settings.map, perplexity: p.perplexity ?? undefined, eps: p.eps ?? undefined, minSamples: p.minSamples },
      };
      const fresh = await cachedResult(services.resultCache?.(settings.cacheDir), compareCacheParts(rerun), () => services.runCompare(rerun, control), log);
      // The job runs DBSCAN only, as the notebook does; a k from the panel adds k-means on the new maps.
      return p.k === null ? fresh : reclusterCompare(fresh, p) ?? fresh;
    },
  });
  return runInPanel(panel, async () => {
  const started = performance.now();
  try {
    const result = await runCached({ log, panel, cache: services.resultCache?.(settings.cacheDir), parts: compareCacheParts(input), what: `the comparison on ${wordsName}` },
      () => runWithProgress(log, panel, { title: `MechLens: comparing ${wordsName}`, logSteps: true },
        (control) => services.runCompare(input, control)));
    log.info(`Compare finished in ${formatMs(performance.now() - started)}: ${result.items.length} words, ${result.missing.length} missing, ` +
      `RSA r = ${result.rsa.pearson.toFixed(4)}, ρ = ${result.rsa.spearman.toFixed(4)}, p = ${result.rsa.pValue === null ? 'n/a' : result.rsa.pValue.toPrecision(3)}`);
    for (const warning of result.warnings) log.warn(warning);
    panel.showResult(result);
    return result;
  } catch (err) {
    await reportFailure(err, services, panel, wordsUri, args, [input.a, input.b]);
    return undefined;
  }
  });
}

function reportFailure(err: unknown, services: CompareServices, panel: ResultPanel, wordsUri: vscode.Uri, args: CompareArgs, sources: readonly string[]): Promise<void> {
  // A problem with the word list asks for another list; a problem with a source keeps the list and asks again for the sources.
  const failedInput = err instanceof MechLensError ? err.input : undefined;
  const failedSource = failedInput ? sources.find((s) => s.endsWith(failedInput)) : undefined;
  const aboutWordList = err instanceof MechLensError && !failedSource && (failedInput === wordsUri.fsPath || err.code === 'parse');
  const label = aboutWordList ? retryLabel('Word List', wordsUri.fsPath)
    : failedSource ? `Choose Other Sources (replaces ${describeSpec(failedSource).label})` : 'Choose Other Sources';
  return reportJobFailure(err, services.log, panel, { name: 'Compare', what: 'the comparison', cancelledMessage: 'MechLens: comparison cancelled.' }, {
    label, run: () => void compareEmbeddings(services, aboutWordList ? { askForFile: true } : { ...args, uri: wordsUri }),
  });
}
