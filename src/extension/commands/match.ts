// "MechLens: Match Vocabularies…" (job 3): pick source A (a vector set walked in file order), model B,
// the word length L, the leading-space form and the count K; run the match and job 1 on the matches
// in a worker with progress and cancel; show the result in a panel whose controls can run it again
// with another L, K or leading space.
import * as vscode from 'vscode';
import path from 'node:path';
import type { LeadingSpace, MatchResult } from '../../protocol/result';
import { MATCH_DEFAULTS, type MatchInput } from '../../core/analyses/match';
import { MechLensError } from '../../core/errors';
import type { RunControl } from '../../core/run-control';
import { formatMs, type Log } from '../log';
import {
  backableQuickPick, enableRerun, jobRunKey, keepAnswer, pickHookedModelStep, pickVectorSourceStep, reportJobFailure, runInPanel, runSteps, runWithProgress, stepInputBox, warnIgnoredSettings,
  type Back, type StepAt, type ModelJobServices,
} from './job-flow';
import { ResultPanel } from '../panels/panel';
import type { RecentList } from '../recent';
import { pathSettings, readCompareSettings, type Inspect } from '../settings';
import { buildSourcePickRows, describeSpec, specForFile, validateSourceSpec, type CatalogEntryLike } from './source-picks';
import { rerunLimits } from '../../protocol/rerun';

type MatchJob = (input: MatchInput, control: RunControl) => Promise<MatchResult>;

interface MatchServices extends ModelJobServices {
  runMatch: MatchJob;
  catalog: () => readonly CatalogEntryLike[];
  cachedCatalogNames: (cacheDir: string | undefined) => ReadonlySet<string>;
  /** Vector sets used as source A, latest first (models used as B are recentModels). */
  recentSources: RecentList;
}

interface MatchArgs {
  /** A vector file (explorer context menu): it becomes source A without asking. */
  uri?: vscode.Uri;
}

/** The notebook's model: GPT-2's tokenizer is the same for every GPT-2 size, so the smallest does. */
const defaultMatchModel = 'gpt2';
const title = (what: string) => `MechLens: Match Vocabularies — ${what}`;

/** An input-box check for L and K: a whole number in range. */
export function validateWholeNumber(text: string, min: number, max: number, what: string): string | undefined {
  const t = text.trim();
  if (!/^\d+$/.test(t) || Number(t) < min || Number(t) > max) return `Enter ${what}: a whole number from ${min} to ${max.toLocaleString('en-US')}.`;
  return undefined;
}

/** A typed source A must be a vector set: matching walks its vocabulary file. */
export function validateVectorSpec(text: string, catalogNames: readonly string[]): string | undefined {
  if (text.trim().startsWith('model:')) return 'Source A must be a vector set (a catalog name or vectors:PATH); the model is chosen next.';
  return validateSourceSpec(text, catalogNames);
}

/** Source A: a vector set whose vocabulary is walked in file order; `previous` preselected. */
async function pickSourceA(services: MatchServices, cacheDir: string | undefined, defaultSpec: string | undefined, at: StepAt, previous: string | undefined): Promise<string | Back | undefined> {
  const catalog = services.catalog();
  const recent = services.recentSources.items().filter((s) => !s.startsWith('model:'));
  const local = (await services.local?.items() ?? []).filter((i) => i.kind === 'vectors');
  const rows = buildSourcePickRows({
    catalog, recent: previous && !recent.includes(previous) ? [previous, ...recent] : recent, last: previous,
    defaultSpec: defaultSpec?.startsWith('model:') ? undefined : defaultSpec, cached: services.cachedCatalogNames(cacheDir), local,
  });
  const names = catalog.map((e) => e.name);
  return pickVectorSourceStep({
    side: 'A', rows, at, local: services.local,
    title: title('source A'),
    placeholder: 'Choose the vector set whose vocabulary is walked in file order (word2vec order is frequency order)',
    enter: {
      prompt: 'A catalog name or vectors:PATH (GloVe text, word2vec text or binary, fastText .vec, optionally .gz)',
      placeholder: 'vectors:/path/to/GoogleNews-vectors-negative300.bin · glove-wiki-gigaword-50',
      validate: (t) => validateVectorSpec(t, names),
    },
  });
}

const leadingSpaceItems: (vscode.QuickPickItem & { value: LeadingSpace })[] = [
  { label: 'With a leading space', description: '" planet"', detail: 'The form a word takes mid-sentence, as the notebook looks it up', value: 'with' },
  { label: 'Without a leading space', description: '"planet"', detail: 'The form at the start of a text', value: 'without' },
  { label: 'Either', description: '" planet", else "planet"', detail: 'A word counts when either form is one token (the one with the space is tried first)', value: 'either' },
];

function askNumber(what: string, prompt: string, value: number, range: { min: number; max: number }, at: StepAt): Promise<string | Back | undefined> {
  return stepInputBox({
    title: title(what), ...at, prompt: `${prompt} (${range.min} to ${range.max})`, value: String(value),
    validate: (t) => validateWholeNumber(t, range.min, range.max, `the ${what}`),
  });
}

export async function matchVocabularies(services: MatchServices, args: MatchArgs = {}): Promise<MatchResult | undefined> {
  const { log } = services;
  const config = vscode.workspace.getConfiguration('mechlens');
  const inspect: Inspect = (key) => config.inspect(key);
  const settings = readCompareSettings(inspect, vscode.workspace.isTrusted);
  warnIgnoredSettings(log, settings.ignored, pathSettings.map((k) => `mechlens.${k}`), true);

  const fromExplorer = args.uri?.scheme === 'file' ? specForFile(args.uri.fsPath) : undefined;
  let pickedA = fromExplorer;
  let model: string | undefined;
  let length: number | undefined;
  let form: LeadingSpace | undefined;
  let count: number | undefined;
  const answered = await runSteps([
    { when: () => !fromExplorer, ask: async (at) => keepAnswer(await pickSourceA(services, settings.cacheDir, settings.defaultA, at, pickedA), (v) => { pickedA = v; }) },
    {
      ask: async (at) => keepAnswer(await pickHookedModelStep({ cachedModelNames: services.cachedModelNames, recentModels: services.recentModels, local: services.local },
        defaultMatchModel, settings.cacheDir,
        { ...at, title: title('model B'), placeholder: 'The model whose tokenizer must hold each word as one token (its token embeddings are space B)', previous: model }), (v) => { model = v; }),
    },
    { ask: async (at) => keepAnswer(await askNumber('word length', 'Characters per word (L); the notebook uses 6', length ?? MATCH_DEFAULTS.length, rerunLimits.length, at), (v) => { length = Number(v.trim()); }) },
    {
      ask: async (at) => {
        const chosen = await backableQuickPick(leadingSpaceItems, { title: title('leading space'), ...at, placeholder: 'Which form of each word must be a single token of the model?' },
          leadingSpaceItems.find((i) => i.value === form) ?? leadingSpaceItems[0]);
        return keepAnswer(chosen, (v) => { form = v.value; });
      },
    },
    {
      ask: async (at) => keepAnswer(await askNumber('number of words', 'How many words to find (K), walking source A in file order', count ?? MATCH_DEFAULTS.count, rerunLimits.count, at),
        (v) => { count = Number(v.trim()); }),
    },
  ]);
  if (!answered || !pickedA || !model || length === undefined || !form || count === undefined) return undefined;
  const a = pickedA;
  await services.recentSources.push(a);
  await services.recentModels.push(model);

  const input: MatchInput = {
    a, b: `model:${model}#embed`, length, count, leadingSpace: form,
    permutations: settings.permutations, seed: settings.seed, map: settings.map, cacheDir: settings.cacheDir, offline: settings.offline,
  };
  log.info(`Match ${a} ∩ ${model}: L = ${length}, K = ${count}, leading space ${form}, permutations = ${input.permutations ?? 'default'}, seed = ${input.seed ?? 'default'}${input.offline ? ', offline' : ''}`);
  const modelName = path.basename(model) || model;
  const panel = ResultPanel.create(services, `${describeSpec(a).label} ∩ ${modelName} — ${count} words of ${length} letters`, jobRunKey('match', a, model));
  const run = (params: Pick<MatchInput, 'length' | 'count' | 'leadingSpace'>, control: RunControl) => services.runMatch({ ...input, ...params }, control);
  return runInPanel(panel, async () => {
  try {
    const result = await runWithProgress(log, panel, { title: `MechLens: matching ${describeSpec(a).label} and ${modelName}`, logSteps: true },
      (control) => run({}, control));
    logOutcome(log, result, true);
    panel.showResult(result);
    enableRerun(log, panel, {
      name: 'Match',
      job: 'match', context: undefined,
      run: async ({ length: l, count: k, leadingSpace }, control) => logOutcome(log, await run({ length: l, count: k, leadingSpace }, control), false),
      title: (p) => `MechLens: matching ${p.count} words of ${p.length} letters again`,
    });
    return result;
  } catch (err) {
    // A problem with the vector file asks for source A again; anything else keeps it.
    const aboutA = err instanceof MechLensError && err.input !== undefined && a.endsWith(err.input);
    await reportJobFailure(err, log, panel, { name: 'Match', what: 'the vocabulary match', cancelledMessage: 'MechLens: vocabulary matching cancelled.' }, {
      label: aboutA ? `Choose Another Source A (replaces ${describeSpec(a).label})` : 'Choose Other Inputs', run: () => void matchVocabularies(services, aboutA || !fromExplorer ? {} : args),
    }, { browseModel: () => void matchVocabularies(services, args) });
    return undefined;
  }
  });
}

/** Logs the run's summary, and its warnings unless enableRerun logs them (it does for a re-run). */
function logOutcome(log: Log, result: MatchResult, withWarnings: boolean): MatchResult {
  const rsa = result.rsa;
  log.info(`Match finished in ${formatMs(result.run.durationMs)}: ${result.matches.length} of ${result.count} words after ${result.scanned} rows` +
    (rsa ? `, RSA r = ${rsa.pearson.toFixed(4)}, S_c = ${rsa.cosine.toFixed(4)}, p = ${rsa.pValue === null ? 'n/a' : rsa.pValue.toPrecision(3)}` : ', no comparison'));
  if (withWarnings) for (const warning of result.warnings) log.warn(warning);
  for (const warning of result.compare?.warnings ?? []) log.warn(warning);
  return result;
}
