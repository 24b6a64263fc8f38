// Job 1: compare two embedding spaces on a word list (design.md, "The five jobs").
import type { CompareResult, EmbeddingMap, SpaceResult } from '../../protocol/result';
import { SCHEMA_VERSION } from '../../protocol/result';
import { MechLensError, throwIfCancelled } from '../errors';
import { assertFits, matrixBytes } from '../memory';
import { toJson, type Matrix } from '../matrix';
import type { RunControl } from '../run-control';
import { representationalSimilarity, rsaByCategory } from '../stats/rsa';
import { selectivityIndex } from '../stats/selectivity';
import { cosineSimilarityMatrix } from '../stats/similarity';
import { readWordListFile, type WordList } from '../text/word-list';
import { loadSourceVectors } from './sources';
import type { SourceOptions, SourceVectors } from './source-vectors';
import { embeddingMap, type MapOptions } from './embedding-map';
import { VERSION } from '../version';

export interface CompareInput extends SourceOptions {
  /** Path of the word list; `wordList` may carry it already parsed. */
  wordsPath: string;
  wordList?: WordList;
  a: string;
  b: string;
  permutations?: number;
  seed?: number;
  /** t-SNE + DBSCAN per space; false skips the maps. */
  map?: false | MapOptions;
  /** Marks generated vectors, so every chart says they are not pretrained. */
  synthetic?: { a?: boolean; b?: boolean };
}

export async function runCompare(input: CompareInput, control: RunControl = {}): Promise<CompareResult> {
  const started = Date.now();
  const { signal } = control;
  const permutations = input.permutations ?? 1000;
  const seed = input.seed ?? 0;
  const step = (message: string, fraction?: number) => control.onProgress?.({ message, fraction });

  step('Reading the word list', 0);
  const list = input.wordList ?? readWordListFile(input.wordsPath);
  const words = list.items.map((i) => i.word);

  step(`Looking up ${words.length} words in A`, 0.05);
  const a = await loadSourceVectors(input.a, words, input, { signal, onProgress: control.onProgress });
  step(`Looking up ${words.length} words in B`, 0.2);
  const b = await loadSourceVectors(input.b, words, input, { signal, onProgress: control.onProgress });
  throwIfCancelled(signal);

  const keep: number[] = [];
  const missing: string[] = [];
  words.forEach((w, i) => (a.found[i] && b.found[i] ? keep.push(i) : missing.push(w)));
  if (keep.length < 3) {
    throw new MechLensError('not-found', `only ${keep.length} of ${words.length} words are in both sources (${a.info.label}: ${a.missing.length} missing, ${b.info.label}: ${b.missing.length} missing)`, {
      input: input.wordsPath,
      fix: 'Compare needs at least 3 shared words: check the vocabulary (case, spelling) or choose other sources.',
    });
  }
  const items = keep.map((i) => words[i]);
  const itemCategories = keep.map((i) => list.items[i].category);
  const categories = list.categories.filter((c) => itemCategories.includes(c));

  step('Cosine similarities', 0.3);
  // Two n × n Float64 matrices, each also copied into the JSON result.
  assertFits(4 * matrixBytes(items.length, items.length), `the two ${items.length.toLocaleString('en-US')} × ${items.length.toLocaleString('en-US')} similarity matrices of this comparison`, input.wordsPath);
  const spaceA = analyseSpace(a, keep, items, itemCategories);
  const spaceB = analyseSpace(b, keep, items, itemCategories);

  step(`RSA with ${permutations} permutations`, 0.35);
  const rsa = representationalSimilarity(spaceA.sim, spaceB.sim, { permutations, seed, signal });
  const byCategory = rsaByCategory(spaceA.sim, spaceB.sim, itemCategories, { permutations, seed, signal });

  // A and B may be one file: its warnings (which name it) are said once.
  const warnings = [...new Set([...list.warnings, ...a.warnings, ...b.warnings])];
  for (const s of byCategory.skipped) warnings.push(`RSA within "${s.category}" is undefined: ${s.reason}.`);
  for (const [space, label] of [[spaceA, a.info.label], [spaceB, b.info.label]] as const) {
    if (space.result.zeroVectors.length) warnings.push(`${label}: ${space.result.zeroVectors.join(', ')} ${space.result.zeroVectors.length === 1 ? 'has' : 'have'} an all-zero vector; cosine similarity is undefined and shown as 0.`);
    if (space.result.selectivity.reason) warnings.push(`${label}: selectivity index undefined: ${space.result.selectivity.reason}`);
    for (const w of space.result.selectivity.warnings ?? []) warnings.push(`${label}: ${w}`);
  }

  if (input.map !== false) {
    const mapOptions: MapOptions = { seed, ...(input.map ?? {}) };
    step(`t-SNE of ${a.info.label}`, 0.45);
    spaceA.result.map = await embeddingMap(spaceA.vectors, items, mapOptions, { signal, onProgress: (p) => step(`${a.info.label}: ${p.message}`, 0.45 + 0.25 * (p.fraction ?? 0)) });
    step(`t-SNE of ${b.info.label}`, 0.7);
    spaceB.result.map = await embeddingMap(spaceB.vectors, items, mapOptions, { signal, onProgress: (p) => step(`${b.info.label}: ${p.message}`, 0.7 + 0.25 * (p.fraction ?? 0)) });
  }
  // t-SNE lowers a perplexity the words cannot carry; the record lets the panel say so by the field and in the card.
  const askedPerplexity = input.map === false ? undefined : input.map?.perplexity;
  const usedPerplexity = spaceA.result.map?.options.perplexity;
  const adjusted: NonNullable<CompareResult['adjusted']> = {};
  if (askedPerplexity !== undefined && typeof usedPerplexity === 'number' && Math.abs(usedPerplexity - askedPerplexity) > 1e-9) {
    adjusted.perplexity = { asked: askedPerplexity, used: usedPerplexity, why: `at most (n − 1) / 3 for ${items.length} words` };
  }
  if (input.synthetic?.a) spaceA.result.source.synthetic = true;
  if (input.synthetic?.b) spaceB.result.source.synthetic = true;

  step('Done', 1);
  return {
    schemaVersion: SCHEMA_VERSION,
    job: 'compare',
    title: `${a.info.label} vs ${b.info.label} on ${baseName(input.wordsPath)}`,
    items,
    itemCategories,
    categories,
    missing,
    ...(Object.keys(adjusted).length ? { adjusted } : {}),
    a: spaceA.result,
    b: spaceB.result,
    rsa,
    rsaByCategory: byCategory.rsa,
    warnings,
    run: {
      createdAt: new Date().toISOString(),
      version: VERSION,
      durationMs: Date.now() - started,
      options: { permutations, seed, template: input.template ?? null, map: input.map === false ? false : { seed, ...(input.map ?? {}) } },
    },
    inputs: { words: input.wordsPath, seed, ...(input.template ? { template: input.template } : {}) },
  };
}

function analyseSpace(source: SourceVectors, keep: number[], items: string[], categories: (string | null)[]): { result: SpaceResult; sim: Matrix; vectors: Matrix<Float32Array> } {
  const { cols } = source.vectors;
  const data = new Float32Array(keep.length * cols);
  keep.forEach((row, i) => data.set(source.vectors.data.subarray(row * cols, (row + 1) * cols), i * cols));
  const vectors: Matrix<Float32Array> = { rows: keep.length, cols, data };
  const cosine = cosineSimilarityMatrix(vectors);
  const result: SpaceResult = {
    source: source.info,
    similarity: toJson(cosine.similarity),
    selectivity: selectivityIndex(cosine.similarity, categories),
    lowercased: source.lowercased,
    missing: source.missing,
    zeroVectors: cosine.zeroRows.map((i) => items[i]),
    vectors: toJson(vectors),
  };
  return { result, sim: cosine.similarity, vectors };
}

function baseName(path: string): string {
  return path.split(/[\\/]/).pop() ?? path;
}

export type { EmbeddingMap };
