// The logit lens (issue #16): every block's hook_resid_post read through the model's own head
// (final norm, unembedding, Gemma-2's final softcap; graph-lens.ts) and softmaxed, with the top k
// tokens per (layer, position) and, for a target word, its probability and rank at every layer.
// Texts go through the model in chunks (one forward hooks every block's residual stream), and each
// chunk's rows go through the lens head a group of layers at a time, as one GEMM over
// [layers · positions, d]: results stream out layer by layer (onPartial) while the rest runs.
import type { LensLayer, LensResult, LensTargetToken, LensText } from '../../protocol/lens';
import { LENS_DEFAULT_TOP_K, lensTopKLimit } from '../../protocol/lens';
import { SCHEMA_VERSION } from '../../protocol/result';
import { MechLensError, throwIfCancelled } from '../errors';
import { loadCheckpointModel } from './checkpoint-model';
import { captureActivations, checkpointWeights, type CaptureOptions } from '../models/capture';
import type { Gpt2Model } from '../models/capture-model';
import { buildLensGraph, LENS_RESID, LENS_TARGET, LENS_TARGET_PROB, LENS_TARGET_RANK, LENS_TOP_IDS, LENS_TOP_PROBS } from '../models/graph-lens';
import { singleToken } from '../models/single-token';
import { parseProviderSetting } from '../models/providers';
import { createInferenceSession, defaultSessionCache, type Feed, type InferenceRunner, type SessionCache } from '../models/runtime';
import type { Gpt2Tokenizer } from '../models/tokenizer';
import type { RunControl } from '../run-control';
import { VERSION } from '../version';
import { modelRunTitle, textCount } from './run-title';

export interface LensInput {
  /** Hub id or checkpoint folder of a supported family. */
  model: string;
  texts: readonly string[];
  /** A word read with a leading space; it must be one token. */
  target?: string;
  topK?: number;
  /** Where the texts came from, for the saved run: a file path, "selection", or null. */
  textsSource?: string | null;
  provider?: string;
  cacheDir?: string;
  offline?: boolean;
  threads?: number;
  weights?: CaptureOptions['weights'];
  sessions?: SessionCache;
  /** Tokens per forward chunk (default CHUNK_TOKENS); smaller holds fewer residual streams at once. */
  chunkTokens?: number;
}

export interface LensControl extends RunControl {
  /**
   * The result so far, after a group of layers (at most every PARTIAL_INTERVAL_MS): texts done, and the
   * current texts' layers up to now. On the worker this is TaskContext.onPartial.
   */
  onPartial?: (partial: LensResult) => void;
}

/** Tokens per forward chunk: all of a chunk's residual streams (layers × tokens × d) are held at once. */
const CHUNK_TOKENS = 512;
/**
 * Rows × vocabulary per lens-head call: bounds the [rows, vocab] logits, probabilities and rank
 * comparison that the head session keeps in its arena between calls (about 9 bytes a cell). Smaller
 * calls cost no speed: the GEMM's packed weights are shared, and 167 rows fill MLAS's kernels.
 */
const HEAD_CELLS = 8 * 1024 * 1024;
/** Shortest time between two partial results: each is the whole result so far, cloned to the panel. */
const PARTIAL_INTERVAL_MS = 300;

export async function runLens(input: LensInput, control: LensControl = {}): Promise<LensResult> {
  const started = Date.now();
  const { signal } = control;
  const step = (message: string, fraction?: number) => control.onProgress?.({ message, fraction });
  const topK = input.topK ?? LENS_DEFAULT_TOP_K;
  if (!Number.isInteger(topK) || topK < lensTopKLimit.min || topK > lensTopKLimit.max) {
    throw new MechLensError('bad-argument', `top k must be a whole number from ${lensTopKLimit.min} to ${lensTopKLimit.max}, got ${topK}`, { input: '--top', fix: `Use e.g. --top ${LENS_DEFAULT_TOP_K}.` });
  }
  const texts = input.texts.map((t) => t.trim()).filter((t) => t.length > 0);
  if (texts.length === 0) {
    throw new MechLensError('bad-argument', 'no text to read', { input: input.textsSource ?? '--text', fix: 'Give at least one non-empty text (one per line in a .txt, .sentences or .words file).' });
  }
  const { model } = await loadCheckpointModel(input, control, {
    needs: 'the logit lens needs a Hugging Face checkpoint folder, not an .onnx file',
    fix: 'Use a checkpoint folder or hub id of a supported family (GPT-2, Pythia, Llama, Qwen, Gemma).',
  });
  const config = model.checkpoint.config;
  const target = input.target?.trim() ? lensTargetToken(model.tokenizer, input.target) : null;
  const hooks = Array.from({ length: config.nLayer }, (_, l) => `blocks.${l}.hook_resid_post`);
  const head = await lensHead(model, topK, target !== null, input);
  const decode = tokenDecoder(model.tokenizer);
  const modelName = input.model.replace(/[\\/]+$/, '').replace(/^.*[\\/]/, '');

  const out: LensText[] = [];
  const warnings: string[] = [];
  const stats = { tokens: 0, lensRows: 0, lensMs: 0, forwardMs: 0 };
  let provider = head.provider as string;
  let bosAdded = true;
  const chunks = chunkTexts(texts.map((t) => model.tokenizer.encode(t).length), input.chunkTokens ?? CHUNK_TOKENS);
  const totalRows = texts.reduce((n, t) => n + model.tokenizer.encode(t).length, 0) * config.nLayer;
  let rowsDone = 0;
  let lastPartial = 0;
  const result = (): LensResult => ({
    schemaVersion: SCHEMA_VERSION,
    job: 'lens',
    title: modelRunTitle('Logit lens', modelName, textCount(texts.length), target ? ` for "${target.word}"` : ''),
    model: { spec: `model:${input.model}#blocks.*.hook_resid_post`, label: modelName, kind: 'model-hook', dims: config.nEmbd, vocabSize: config.vocabSize, revision: model.revision, provider, copy: model.copy },
    provider,
    nLayer: config.nLayer,
    topK,
    target,
    bosAdded,
    finalSoftcap: config.finalSoftcap,
    texts: out,
    stats: { ...stats },
    warnings,
    run: { createdAt: new Date().toISOString(), version: VERSION, durationMs: Date.now() - started, options: { topK, target: target?.word ?? null, provider } },
    inputs: { model: input.model, texts: input.textsSource ?? null, target: target?.word ?? null, topK },
  });

  for (const chunk of chunks) {
    throwIfCancelled(signal);
    const chunkTexts = chunk.map((i) => texts[i]);
    const forwardStart = Date.now();
    const captured = await captureActivations(model, chunkTexts, hooks, 'all', {
      signal, provider: input.provider, threads: input.threads, weights: input.weights, sessions: input.sessions,
      onProgress: (p) => step(`${p.message} (texts ${chunk[0] + 1}–${chunk[chunk.length - 1] + 1} of ${texts.length})`, rowsDone / totalRows),
    });
    stats.forwardMs += Date.now() - forwardStart;
    provider = captured.provider;
    bosAdded &&= captured.bosAdded;
    for (const w of captured.warnings) if (!warnings.includes(w)) warnings.push(w);
    const rowStart: number[] = [];
    let rows = 0;
    for (const ids of captured.tokenIds) { rowStart.push(rows); rows += ids.length; }
    stats.tokens += rows;
    const entries: LensText[] = chunkTexts.map((text, j) => ({
      text, tokens: captured.tokenIds[j].map((id) => ({ id, token: decode(id) })), layers: [],
    }));
    out.push(...entries);

    // Layers are grouped so that each head call is one large GEMM (up to HEAD_CELLS logits).
    const maxRows = headRowsPerCall(config.vocabSize);
    const layersPerCall = Math.max(1, Math.floor(maxRows / rows));
    for (let l0 = 0; l0 < config.nLayer; l0 += layersPerCall) {
      throwIfCancelled(signal);
      const group = hooks.slice(l0, l0 + layersPerCall);
      const stacked = new Float32Array(group.length * rows * config.nEmbd);
      group.forEach((hook, g) => stacked.set(captured.activations[hook].data, g * rows * config.nEmbd));
      const lensStart = Date.now();
      const read = await head.read(stacked, group.length * rows, maxRows, target?.id);
      stats.lensMs += Date.now() - lensStart;
      stats.lensRows += group.length * rows;
      group.forEach((hook, g) => {
        entries.forEach((entry, j) => {
          const layer: LensLayer = { hook, positions: [] };
          for (let t = 0; t < entry.tokens.length; t++) {
            const r = g * rows + rowStart[j] + t;
            const top = Array.from({ length: read.k }, (_, i) => {
              const id = read.topIds[r * read.k + i];
              return { id, token: decode(id), prob: read.topProbs[r * read.k + i] };
            });
            layer.positions.push(target ? { top, target: { id: target.id, prob: read.targetProb![r], rank: read.targetRank![r] } } : { top });
          }
          entry.layers.push(layer);
        });
      });
      rowsDone += group.length * rows;
      step(`Logit lens: layer ${l0 + group.length} of ${config.nLayer} (texts ${chunk[0] + 1}–${chunk[chunk.length - 1] + 1} of ${texts.length})`, rowsDone / totalRows);
      if (control.onPartial && Date.now() - lastPartial >= PARTIAL_INTERVAL_MS) {
        lastPartial = Date.now();
        control.onPartial(result());
      }
    }
    if (target) for (const entry of entries) entry.firstTop1 = firstTop1Layers(entry);
  }
  step('Done', 1);
  return result();
}

/** Rows per lens-head call for a vocabulary: HEAD_CELLS logits at most (166 rows for GPT-2's 50,257). */
export function headRowsPerCall(vocabSize: number): number {
  return Math.max(1, Math.floor(HEAD_CELLS / vocabSize));
}

/** Per position, the first layer at which the target has rank 1. */
export function firstTop1Layers(text: LensText): (number | null)[] {
  return text.tokens.map((_, t) => {
    const l = text.layers.findIndex((layer) => layer.positions[t].target?.rank === 1);
    return l < 0 ? null : l;
  });
}

/** The target word with a leading space as one token (the check the logit views share), or an error that names its pieces. */
export function lensTargetToken(tokenizer: Gpt2Tokenizer, word: string): LensTargetToken {
  const { id } = singleToken(tokenizer, word, 'target');
  return { word: word.trim(), id, token: tokenizer.decode([id]) };
}

/** Groups text indices into runs of about `budget` tokens (a longer text runs alone). */
export function chunkTexts(lengths: readonly number[], budget: number): number[][] {
  const chunks: number[][] = [];
  let current: number[] = [];
  let tokens = 0;
  lengths.forEach((n, i) => {
    if (current.length > 0 && tokens + n > budget) { chunks.push(current); current = []; tokens = 0; }
    current.push(i);
    tokens += n;
  });
  if (current.length) chunks.push(current);
  return chunks;
}

function tokenDecoder(tokenizer: Gpt2Tokenizer): (id: number) => string {
  const cache = new Map<number, string>();
  return (id) => {
    let s = cache.get(id);
    if (s === undefined) { s = tokenizer.decode([id]); cache.set(id, s); }
    return s;
  };
}

export interface LensRead {
  k: number;
  /** rows × k, most likely first. */
  topProbs: Float32Array;
  topIds: Int32Array;
  targetProb?: Float32Array;
  targetRank?: Int32Array;
}

export interface LensHead {
  provider: string;
  /** Runs `rows` residual rows ([rows, d], row-major) through the head, at most `maxRows` per call. */
  read(resid: Float32Array, rows: number, maxRows: number, targetId?: number): Promise<LensRead>;
}

/** The lens head's session for a model (cached like the capture sessions). */
export async function lensHead(model: Pick<Gpt2Model, 'source' | 'revision' | 'checkpoint'>, topK: number, withTarget: boolean, options: Pick<LensInput, 'provider' | 'threads' | 'weights' | 'sessions'> = {}): Promise<LensHead> {
  const config = model.checkpoint.config;
  const provider = parseProviderSetting(options.provider ?? process.env.MECHLENS_EXECUTION_PROVIDER);
  const k = Math.min(topK, config.vocabSize);
  const cache = options.sessions ?? defaultSessionCache;
  const key = JSON.stringify(['lens', model.source, model.revision, options.weights ?? 'auto', k, withTarget, provider, options.threads ?? 0]);
  const session: InferenceRunner = await cache.get(key, async () => {
    const plan = checkpointWeights(model, { weights: options.weights });
    const built = buildLensGraph({ config, weight: plan.weight, lmHead: model.checkpoint.lmHead, topK: k, target: withTarget });
    return createInferenceSession({ bytes: built.bytes, label: model.source, ...plan.finish() }, { provider, threads: options.threads });
  });
  const d = config.nEmbd;
  return {
    provider: session.provider,
    async read(resid, rows, maxRows, targetId) {
      const read: LensRead = { k, topProbs: new Float32Array(rows * k), topIds: new Int32Array(rows * k) };
      if (withTarget) { read.targetProb = new Float32Array(rows); read.targetRank = new Int32Array(rows); }
      for (let r0 = 0; r0 < rows; r0 += maxRows) {
        const n = Math.min(maxRows, rows - r0);
        const feeds: Record<string, Feed> = { [LENS_RESID]: { data: resid.subarray(r0 * d, (r0 + n) * d), dims: [n, d] } };
        if (withTarget) feeds[LENS_TARGET] = { data: BigInt64Array.of(BigInt(targetId ?? 0)), dims: [1] };
        const got = await session.run(feeds);
        read.topProbs.set(got[LENS_TOP_PROBS].data, r0 * k);
        read.topIds.set(got[LENS_TOP_IDS].data, r0 * k);
        if (withTarget) {
          read.targetProb!.set(got[LENS_TARGET_PROB].data, r0);
          read.targetRank!.set(got[LENS_TARGET_RANK].data, r0);
        }
      }
      return read;
    },
  };
}
