// Job 2: map a model's token-embedding matrix (design.md, "The five jobs"). Defaults are the
// notebook's: the first 100 tokens, t-SNE perplexity 5, DBSCAN min_samples 3 on the map (eps from the map's
// spacing unless given, as in Compare; the notebook's is 7).
// The whole GPT-2 vocabulary must run too: above AUTO_PCA_ABOVE tokens the map is PCA unless t-SNE
// is asked for, and the N × d rows and the N × N Gram matrix are left out of the JSON above MATRIX_CAP.
import { assertReadableLine, isComment, readUtf8File, splitLines } from '../text/lines';
import type { LeadingSpace, TokenCluster, TokensResult } from '../../protocol/result';
import { SCHEMA_VERSION } from '../../protocol/result';
import { dbscan } from '../cluster/dbscan';
import { summarizeClusters } from '../cluster/summary';
import { MechLensError, throwIfCancelled } from '../errors';
import { pca } from '../layout/pca';
import { tsne } from '../layout/tsne';
import { trustworthiness } from '../layout/trustworthiness';
import { toJson, type Matrix } from '../matrix';
import { loadModel, tokenEmbeddings } from '../models/capture-model';
import { ensureModel } from '../models/hub';
import { familyWeights } from '../models/family-weights';
import type { Gpt2Tokenizer } from '../models/tokenizer';
import type { RunControl } from '../run-control';
import { gramMatrix } from '../stats/similarity';
import { VERSION } from '../version';
import { autoEps } from './embedding-map';

export interface TokensInput {
  /** Hugging Face id or checkpoint folder. */
  model: string;
  /** The first N token ids (default 100 when no list is given). */
  first?: number;
  /** Words or tokens, one per entry; `␣word` asks for the leading-space token explicitly. */
  tokens?: string[];
  /** A file of such entries, one per line (# comments, blank lines and [headers] skipped). */
  tokensPath?: string;
  /** How a list entry without `␣` becomes a token (default 'with': ` word`, as mid-sentence). */
  leadingSpace?: LeadingSpace;
  /** Default 'tsne', or 'pca' above AUTO_PCA_ABOVE tokens. */
  method?: 'tsne' | 'pca';
  perplexity?: number;
  iterations?: number;
  eps?: number;
  minSamples?: number;
  seed?: number;
  /** Largest N for which `embeddings` and `gram` go into the result. */
  matrixCap?: number;
  cacheDir?: string;
  offline?: boolean;
}

export const TOKENS_DEFAULTS = Object.freeze({ first: 100, leadingSpace: 'with', perplexity: 5, iterations: 1000, eps: 7, minSamples: 3, seed: 0, matrixCap: 2000 } as const);
/** Exact-ish t-SNE of 50k points takes many minutes on a laptop; PCA takes seconds. */
export const AUTO_PCA_ABOVE = 10_000;
/** Trustworthiness compares every pair in the original space (N² · d): up to here it costs seconds. */
export const TRUSTWORTHINESS_UP_TO = 2000;
const TRUSTWORTHINESS_K = 5;

interface ChosenTokens {
  ids: number[];
  missing: { word: string; pieces: string[] }[];
  warnings: string[];
}

export async function runTokens(input: TokensInput, control: RunControl = {}): Promise<TokensResult> {
  const started = Date.now();
  const { signal } = control;
  const step = (message: string, fraction?: number) => control.onProgress?.({ message, fraction });
  const leadingSpace = input.leadingSpace ?? TOKENS_DEFAULTS.leadingSpace;
  const seed = input.seed ?? TOKENS_DEFAULTS.seed;
  const minSamples = input.minSamples ?? TOKENS_DEFAULTS.minSamples;
  const matrixCap = input.matrixCap ?? TOKENS_DEFAULTS.matrixCap;
  const useList = input.tokens !== undefined || input.tokensPath !== undefined;
  if (useList && input.first !== undefined) {
    throw new MechLensError('bad-argument', 'give either the first N tokens or a token list, not both', { input: input.tokensPath ?? 'tokens', fix: 'Drop --first or --tokens.' });
  }
  const first = useList ? null : input.first ?? TOKENS_DEFAULTS.first;
  if (first !== null && !(Number.isInteger(first) && first >= 1)) {
    throw new MechLensError('bad-argument', `the number of tokens must be a whole number ≥ 1, got ${first}`, { input: 'first', fix: 'Give e.g. --first 100.' });
  }
  if (input.eps !== undefined && !(input.eps > 0)) throw new MechLensError('bad-argument', `DBSCAN eps must be positive, got ${input.eps}`, { input: 'eps', fix: 'The notebook uses eps 7 on the t-SNE map.' });
  if (!(Number.isInteger(minSamples) && minSamples >= 1)) throw new MechLensError('bad-argument', `DBSCAN min_samples must be a whole number ≥ 1, got ${minSamples}`, { input: 'min-samples', fix: 'The notebook uses 3.' });

  step(`Loading ${input.model}`, 0);
  const dir = await ensureModel(input.model, { cacheDir: input.cacheDir, offline: input.offline, signal, onStatus: (message) => control.onProgress?.({ message }) });
  const model = await loadModel(dir);
  if (model.kind !== 'gpt2') {
    throw new MechLensError('unsupported', 'token embeddings are read from a checkpoint folder, not an .onnx file', { input: input.model, fix: 'Give the Hugging Face checkpoint folder or hub id.' });
  }
  const vocab = model.checkpoint.tensor(familyWeights(model.checkpoint.config.modelType).embed).info.shape[0];
  let chosen: ChosenTokens;
  if (useList) {
    const entries = input.tokens ?? readTokenListFile(input.tokensPath!);
    chosen = tokensFromList(model.tokenizer, entries, leadingSpace);
    if (chosen.ids.length === 0) {
      throw new MechLensError('not-found', `none of the ${entries.length} entries is a single token of the model`, { input: input.tokensPath ?? 'tokens', fix: 'Check the warnings for each word\'s pieces, or switch --leading-space.' });
    }
  } else {
    const n = Math.min(first!, vocab);
    chosen = { ids: Array.from({ length: n }, (_, i) => i), missing: [], warnings: n < first! ? [`The model has only ${vocab} tokens; mapped all of them.`] : [] };
  }
  const n = chosen.ids.length;
  const warnings = [...chosen.warnings];

  step(`Reading ${n} embedding rows`, 0.05);
  const rows = await tokenEmbeddings(model, chosen.ids);
  const d = rows.dims[1];
  const e: Matrix<Float32Array> = { rows: n, cols: d, data: rows.data };
  const tokens = chosen.ids.map((id) => model.tokenizer.displayToken(id));
  throwIfCancelled(signal);

  const norms = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let c = 0; c < d; c++) s += e.data[i * d + c] * e.data[i * d + c];
    norms[i] = Math.sqrt(s);
  }
  let gram = null;
  if (n <= matrixCap) {
    step('Gram matrix E·Eᵀ', 0.1);
    gram = toJson(gramMatrix(e, { signal }));
  } else {
    warnings.push(`${n} tokens is more than ${matrixCap}: the embedding rows and the Gram matrix are left out of the result (they would be ${n} × ${n}); the map and clusters cover every token.`);
  }

  const method = input.method ?? (n > AUTO_PCA_ABOVE ? 'pca' : 'tsne');
  if (!input.method && method === 'pca') warnings.push(`${n} tokens: mapped with PCA (t-SNE of more than ${AUTO_PCA_ABOVE} points takes long); ask for method tsne to run it anyway.`);
  const mapInfo: TokensResult['map'] = { method, seed, eps: input.eps ?? TOKENS_DEFAULTS.eps, minSamples };
  let coords: Matrix<Float64Array>;
  if (n < 2) {
    coords = { rows: n, cols: 2, data: new Float64Array(n * 2) };
    warnings.push('One token: nothing to map.');
  } else if (method === 'pca') {
    step(`PCA of ${n} tokens`, 0.15);
    // scikit-learn's svd_solver='auto' (PCA(2) as a notebook runs it): randomized SVD for the whole
    // vocabulary, exact for small matrices; the result says which ran.
    const p = pca(e, { components: Math.min(2, n, d), seed }, { signal });
    coords = p.coords.cols === 2 ? p.coords : padToTwoColumns(p.coords);
    mapInfo.explainedVarianceRatio = Array.from(p.explainedVarianceRatio);
    mapInfo.pcaSolver = p.svdSolver;
  } else {
    const iterations = input.iterations ?? TOKENS_DEFAULTS.iterations;
    const t = tsne(e, { perplexity: input.perplexity ?? TOKENS_DEFAULTS.perplexity, iterations, seed, init: 'pca', metric: 'euclidean' }, {
      signal,
      onIteration: (it, kl) => step(`t-SNE of ${n} tokens, iteration ${it}, KL ${kl.toFixed(3)}`, 0.15 + 0.8 * (it / iterations)),
    });
    coords = t.coords;
    Object.assign(mapInfo, { perplexity: t.perplexity, iterations: t.iterations, kl: t.kl });
    warnings.push(...t.warnings.map((w) => `t-SNE: ${w}`));
  }
  throwIfCancelled(signal);
  // How well the map keeps each token's nearest neighbours: the notebook shows the map without saying.
  if (n > 2 * TRUSTWORTHINESS_K && n <= TRUSTWORTHINESS_UP_TO) {
    step(`Trustworthiness of the map (k = ${TRUSTWORTHINESS_K})`, 0.95);
    mapInfo.trustworthiness = trustworthiness(e, coords, TRUSTWORTHINESS_K, 'euclidean');
  }

  // Without an explicit eps the radius comes from the map's own spacing, as in Compare (autoEps): the
  // notebook's eps 7 suits its t-SNE maps only, and a PCA map has the embeddings' own scale.
  const epsChosen = input.eps === undefined && n > 1 ? 'auto' : 'given';
  if (epsChosen === 'auto') mapInfo.eps = autoEps(coords, minSamples, seed);
  const eps = mapInfo.eps;
  step('DBSCAN on the map', 0.96);
  const labels = n > 0 ? dbscan(coords, { eps, minSamples, metric: 'euclidean' }, { signal }) : new Int32Array(0);
  const summaries = summarizeClusters(labels, coords, tokens);
  const clusters: TokenCluster[] = summaries.filter((c) => c.label >= 0).map((c) => ({
    label: c.label, indices: c.indices, members: c.members, tokenIds: c.indices.map((i) => chosen.ids[i]), centroid: c.centroid,
  }));
  const noise = summaries.find((c) => c.label < 0)?.indices ?? [];
  if (n >= minSamples && clusters.length === 0) warnings.push(`DBSCAN found no group with eps ${eps} and min_samples ${minSamples}: every token is ungrouped. Try a larger eps.`);

  const modelName = input.model.replace(/[\\/]+$/, '').split(/[\\/]/).pop() ?? input.model;
  step('Done', 1);
  return {
    schemaVersion: SCHEMA_VERSION,
    job: 'tokens',
    title: `${useList ? `${n} listed` : `First ${n}`} token embeddings of ${modelName}`,
    model: { spec: `model:${input.model}#embed`, label: modelName, kind: 'model-embed', dims: d, vocabSize: vocab, revision: model.revision, copy: model.copy },
    selection: useList ? { kind: 'list', path: input.tokensPath ?? null, leadingSpace } : { kind: 'first', first: n },
    tokenIds: chosen.ids,
    tokens,
    missing: chosen.missing,
    dims: d,
    matrixCap,
    embeddings: n <= matrixCap ? toJson(e) : null,
    gram,
    norms,
    method,
    coords: toJson(coords),
    labels: Array.from(labels),
    clusters,
    ungrouped: { indices: noise, tokens: noise.map((i) => tokens[i]), tokenIds: noise.map((i) => chosen.ids[i]) },
    map: mapInfo,
    warnings,
    run: {
      createdAt: new Date().toISOString(), version: VERSION, durationMs: Date.now() - started,
      options: { first, leadingSpace, method, perplexity: input.perplexity ?? TOKENS_DEFAULTS.perplexity, iterations: input.iterations ?? TOKENS_DEFAULTS.iterations, eps, epsChosen, minSamples, seed, matrixCap },
    },
    inputs: { model: input.model, first, tokens: input.tokensPath ?? (input.tokens ? `${input.tokens.length} tokens` : null), leadingSpace, seed },
  };
}

/** Entries of a token list file: one per line; # comments, blank lines and [category] headers are skipped. */
export function readTokenListFile(path: string): string[] {
  // The same strict reading as word lists: invalid UTF-8, NUL and other control characters are errors naming the line.
  const entries: string[] = [];
  splitLines(readUtf8File(path)).forEach((line, i) => {
    const trimmed = line.trim();
    if (!trimmed || isComment(trimmed) || /^\[.*\]$/.test(trimmed)) return;
    assertReadableLine(trimmed, i + 1, path);
    entries.push(trimmed);
  });
  if (entries.length === 0) throw new MechLensError('bad-argument', 'the token list is empty', { input: path, fix: 'Put one word or token per line.' });
  return entries;
}

/**
 * Each entry becomes one token id: `␣word` (or a literal leading space) means the token " word";
 * otherwise `leadingSpace` decides (' word', 'word', or ' word' falling back to 'word'). Entries that
 * are not one token are left out with their pieces; repeated tokens are kept once.
 */
function tokensFromList(tokenizer: Gpt2Tokenizer, entries: readonly string[], leadingSpace: LeadingSpace): ChosenTokens {
  const ids: number[] = [];
  const seen = new Map<number, string>();
  const missing: { word: string; pieces: string[] }[] = [];
  const warnings: string[] = [];
  for (const entry of entries) {
    const explicit = entry.startsWith('␣') || entry.startsWith(' ');
    const bare = explicit ? entry.slice(1) : entry;
    const forms = explicit ? [` ${bare}`] : leadingSpace === 'with' ? [` ${bare}`] : leadingSpace === 'without' ? [bare] : [` ${bare}`, bare];
    const encoded = forms.map((f) => tokenizer.encode(f));
    const hit = encoded.find((ids) => ids.length === 1);
    if (!hit) {
      const pieces = encoded[0].map((id) => tokenizer.displayToken(id));
      missing.push({ word: entry, pieces });
      warnings.push(`"${entry}" is not a single token: ${encoded.map((e) => e.map((id) => tokenizer.displayToken(id)).join('|')).join(' or ')}; left out.`);
      continue;
    }
    const id = hit[0];
    const before = seen.get(id);
    if (before !== undefined) {
      warnings.push(`"${entry}" is the same token as "${before}" (${tokenizer.displayToken(id)}); kept once.`);
      continue;
    }
    seen.set(id, entry);
    ids.push(id);
  }
  return { ids, missing, warnings };
}

function padToTwoColumns(m: Matrix<Float64Array>): Matrix<Float64Array> {
  const out = new Float64Array(m.rows * 2);
  for (let i = 0; i < m.rows; i++) out[i * 2] = m.data[i * m.cols];
  return { rows: m.rows, cols: 2, data: out };
}
