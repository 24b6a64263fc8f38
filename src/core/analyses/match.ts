// Job 3: match vocabularies (design.md, "The five jobs"). Walk A's vocabulary in file order
// (word2vec order is frequency order), keep words of L characters that are one token of model B,
// stop at K, then run job 1 on the matches. The notebook's seed: 100 six-letter words in
// word2vec ∩ GPT-2.
import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import type { CompareResult, LeadingSpace, MatchResult, SourceInfo, VocabularyMatch } from '../../protocol/result';
import { SCHEMA_VERSION } from '../../protocol/result';
import { MechLensError, throwIfCancelled } from '../errors';
import { loadModel } from '../models/capture-model';
import { ensureModel } from '../models/hub';
import type { RunControl } from '../run-control';
import type { WordList } from '../text/word-list';
import { describeVectorCopy } from '../vectors/catalog';
import { scanVocabulary } from '../vectors/scan';
import { resolveVectorSpec, vectorSpecPath } from '../vectors/spec';
import { runCompare } from './compare';
import type { MapOptions } from './embedding-map';
import { DEFAULT_HOOK_TEMPLATE } from './model-source';
import { parseModelSpec } from './sources';
import { VERSION } from '../version';

export interface MatchInput {
  /** Static vectors whose file order is walked: a catalog name or vectors:PATH. */
  a: string;
  /** The model: `model:ID_OR_DIR` or `model:ID_OR_DIR#embed` (or `#HOOK` to compare at a hook). */
  b: string;
  /** Characters per word (Unicode code points, not bytes); default 6. */
  length?: number;
  /** Matches to find; default 100. */
  count?: number;
  /** Default 'with': the word as the token ` word`, as it appears mid-sentence. */
  leadingSpace?: LeadingSpace;
  /** Run job 1 on the matches (default true). */
  compare?: boolean;
  permutations?: number;
  seed?: number;
  /** t-SNE + DBSCAN per space in the compare; false skips the maps. */
  map?: false | MapOptions;
  /** Template for a hook source B (default `The next word is {word}`); embeddings use the matched form. */
  template?: string;
  cacheDir?: string;
  offline?: boolean;
  catalogBaseUrl?: string;
}

export const MATCH_DEFAULTS = Object.freeze({ length: 6, count: 100, leadingSpace: 'with', permutations: 1000, seed: 0 } as const);

export async function runMatch(input: MatchInput, control: RunControl = {}): Promise<MatchResult> {
  const started = Date.now();
  const { signal } = control;
  const step = (message: string, fraction?: number) => control.onProgress?.({ message, fraction });
  const length = input.length ?? MATCH_DEFAULTS.length;
  const count = input.count ?? MATCH_DEFAULTS.count;
  const leadingSpace = input.leadingSpace ?? MATCH_DEFAULTS.leadingSpace;
  const seed = input.seed ?? MATCH_DEFAULTS.seed;
  if (!(Number.isInteger(length) && length >= 1)) throw new MechLensError('bad-argument', `the word length must be a whole number ≥ 1, got ${length}`, { input: 'length', fix: 'Give e.g. --length 6.' });
  if (!(Number.isInteger(count) && count >= 1)) throw new MechLensError('bad-argument', `the number of words must be a whole number ≥ 1, got ${count}`, { input: 'count', fix: 'Give e.g. --count 100.' });
  if (!['with', 'without', 'either'].includes(leadingSpace)) throw new MechLensError('bad-argument', `leading space must be with, without or either, got "${leadingSpace}"`, { input: 'leading-space', fix: 'Use with (" word"), without ("word") or either.' });
  if (!input.b.trim().startsWith('model:')) {
    throw new MechLensError('bad-argument', 'source B must be a model', { input: input.b, fix: 'Write model:gpt2 or model:PATH#embed.' });
  }
  const { model: modelId, hook } = parseModelSpec(input.b);

  const resolved = resolveVectorSpec(input.a);
  if (resolved.kind === 'file' && !existsSync(resolved.path)) {
    throw new MechLensError('not-found', 'vector file not found', { input: resolved.path, fix: 'Check the path after vectors:.' });
  }
  step(`Loading ${modelId}`, 0);
  const dir = await ensureModel(modelId, { cacheDir: input.cacheDir, offline: input.offline, signal, onStatus: (message) => control.onProgress?.({ message }) });
  const model = await loadModel(dir);
  if (model.kind !== 'gpt2') throw new MechLensError('unsupported', 'vocabulary matching needs a checkpoint folder with tokenizer.json', { input: input.b, fix: 'Give the Hugging Face checkpoint folder or hub id.' });
  const tokenizer = model.tokenizer;
  const pathA = await vectorSpecPath(resolved, { cacheDir: input.cacheDir, offline: input.offline, baseUrl: input.catalogBaseUrl, signal, onStatus: (message) => control.onProgress?.({ message }) });

  step(`Walking the vocabulary of ${basename(pathA)}`, 0.05);
  const forms: ('with' | 'without')[] = leadingSpace === 'either' ? ['with', 'without'] : [leadingSpace];
  const matches: VocabularyMatch[] = [];
  const scan = await scanVocabulary(pathA, (word, index) => {
    if ([...word].length !== length) return true;
    for (const form of forms) {
      const ids = tokenizer.encode(form === 'with' ? ` ${word}` : word);
      if (ids.length === 1) {
        matches.push({ word, indexA: index, tokenIdB: ids[0], token: tokenizer.displayToken(ids[0]), form });
        break;
      }
    }
    return matches.length < count;
  }, { signal, onProgress: (p) => step(`${p.message} (${matches.length} of ${count} found)`, 0.05 + 0.1 * (p.fraction ?? 0)) });
  throwIfCancelled(signal);

  const warnings = [...scan.warnings];
  const complete = scan.complete;
  if (matches.length < count) {
    warnings.push(`Only ${matches.length} of the ${count} words asked for: ${basename(pathA)} has ${matches.length} words of ${length} characters that are single tokens ${describeForms(leadingSpace)} in ${basename(modelId)} (all ${scan.rows} rows read).`);
  }
  const aInfo: SourceInfo = {
    spec: input.a, label: resolved.kind === 'catalog' ? resolved.entry.name : basename(pathA), kind: resolved.kind === 'catalog' ? 'catalog' : 'vectors',
    dims: scan.dims, format: scan.format + (scan.gzip ? '.gz' : ''), ...(complete ? { vocabSize: scan.rows } : {}),
    copy: describeVectorCopy(pathA, resolved.kind === 'catalog' ? resolved.entry.name : undefined),
  };
  const embed = hook === 'embed';
  const bInfo: SourceInfo = {
    spec: input.b, label: `${basename(modelId)}#${hook}`, kind: embed ? 'model-embed' : 'model-hook',
    dims: model.checkpoint.config.nEmbd, vocabSize: tokenizer.vocabSize, revision: model.revision, copy: model.copy,
  };

  let compare: CompareResult | null = null;
  if (input.compare !== false) {
    if (matches.length < 3) {
      warnings.push(`Job 1 needs at least 3 words; only ${matches.length} matched, so no comparison was run.`);
    } else {
      const template = embed ? (matches.every((m) => m.form === 'without') ? '{word}' : ' {word}') : input.template ?? DEFAULT_HOOK_TEMPLATE;
      const otherForm = embed ? matches.filter((m) => (template === ' {word}') !== (m.form === 'with')) : [];
      if (otherForm.length) {
        warnings.push(`${otherForm.length} ${otherForm.length === 1 ? 'word is a single token' : 'words are single tokens'} only without a leading space (${otherForm.slice(0, 5).map((m) => m.word).join(', ')}${otherForm.length > 5 ? ', …' : ''}); the comparison reads B as "${template}", so they are missing there.`);
      }
      const wordList: WordList = { items: matches.map((m, i) => ({ word: m.word, category: null, line: i + 1 })), categories: [], warnings: [] };
      step(`Comparing ${matches.length} matched words`, 0.15);
      compare = await runCompare({
        wordsPath: `${matches.length} words matched in ${aInfo.label} and ${basename(modelId)}`,
        wordList,
        a: input.a,
        b: embed ? `model:${modelId}#embed` : input.b,
        template,
        permutations: input.permutations ?? MATCH_DEFAULTS.permutations,
        seed,
        map: input.map === false ? false : { seed, ...(input.map ?? {}) },
        cacheDir: input.cacheDir,
        offline: input.offline,
        catalogBaseUrl: input.catalogBaseUrl,
      }, { signal, onProgress: (p) => step(p.message, 0.15 + 0.85 * (p.fraction ?? 0)) });
      compare.title = `${aInfo.label} vs ${bInfo.label} on ${matches.length} matched ${letterWords(length)}`;
    }
  }

  step('Done', 1);
  return {
    schemaVersion: SCHEMA_VERSION,
    job: 'match',
    title: matchTitle(matches.length, length, aInfo.label, basename(modelId)),
    a: aInfo,
    b: bInfo,
    length,
    count,
    leadingSpace,
    matches,
    scanned: scan.rows,
    complete,
    compare,
    rsa: compare?.rsa ?? null,
    warnings,
    run: {
      createdAt: new Date().toISOString(), version: VERSION, durationMs: Date.now() - started,
      options: { length, count, leadingSpace, compare: input.compare !== false, permutations: input.permutations ?? MATCH_DEFAULTS.permutations, seed, map: input.map ?? {} },
    },
    inputs: { a: input.a, b: input.b, length, count, leadingSpace, seed },
  };
}

function describeForms(leadingSpace: LeadingSpace): string {
  return leadingSpace === 'with' ? 'with a leading space' : leadingSpace === 'without' ? 'without a leading space' : 'with or without a leading space';
}

const NUMBER_WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve'];

/** "six-letter words" (numbers to twelve spelled out, as in prose), "15-letter words". */
export function letterWords(length: number, count = 2): string {
  return `${NUMBER_WORDS[length] ?? length}-letter word${count === 1 ? '' : 's'}`;
}

/** The match panel's title, as a sentence: "First 4 six-letter words of b.w2v.bin that are single tokens in tiny". */
export function matchTitle(found: number, length: number, source: string, model: string): string {
  if (found === 0) return `No ${letterWords(length)} of ${source} are single tokens in ${model}`;
  if (found === 1) return `The first ${letterWords(length, 1)} of ${source} that is a single token in ${model}`;
  return `First ${found} ${letterWords(length)} of ${source} that are single tokens in ${model}`;
}
