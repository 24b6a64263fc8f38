// captureActivations: the one API that jobs, the CLI and the extension use to read a model's
// activations. Inputs are tokenized, their read positions resolved (marker, target string, last
// token, all tokens or given indices), laid out in the rows of batches (checkpoints: packed
// as prefix trees up to the last read position, packing.ts; .onnx files: right-padded with an
// attention mask), run through a cached session that computes only the requested hooks, and the
// requested rows gathered into one rows × width Float32Array per hook.
import { createHash } from 'node:crypto';
import path from 'node:path';
import { cacheDirFor } from '../cache';
import { MechLensError, throwIfCancelled } from '../errors';
import { finiteWarning } from '../finite';
import type { RunControl } from '../run-control';
import { buildDecoderGraph, layersNeeded, readRowHooks, READ_ROWS } from './graph-decoder';
import { batchRows, makeBatches, packedFeeds, packTexts, paddedFeeds, type Packing } from './packing';
import { planWeights, type WeightMode, type WeightPlan } from './graph-weights';
import { hookWidth, type HookPoint } from './hooks';
import { resolveExternalDataPaths } from './external-data';
import { externalDataLocations, withOutputs } from './onnx-graph';
import { bosTokenFor, resolvePositions, type PiecePolicy, type PositionInput } from './positions';
import type { ProviderName, ProviderSetting } from './providers';
import { parseProviderSetting } from './providers';
import { createInferenceSession, defaultSessionCache, type Feed, type InferenceRunner, type SessionCache, type Tensor32 } from './runtime';
import { loadModel, resolveHook, resolveOnnxTensor, type Gpt2Model, type LoadedModel, type OnnxFileModel } from './capture-model';
import { modelLabel } from './model-label';

export type CaptureInput = string | PositionInput;
/** Which token rows to read: the last real token, the target, every token, or one index per input (negative counts from the end). */
export type CapturePositions = 'last' | 'target' | 'all' | readonly number[];

export interface CaptureOptions extends RunControl {
  /** Most rows per batch (default 64); a row is one text, or texts sharing a prefix (checkpoints). */
  batchSize?: number;
  /** Most batch × padded-length tokens per batch (default 4096), so long inputs make small batches. */
  maxBatchTokens?: number;
  /**
   * Checkpoints: how texts fill the rows of a batch (packing.ts): 'prefixes' (default) computes common
   * prefixes once, 'rows' packs without sharing, 'none' is one right-padded text per row. Same
   * numbers every way, to float rounding.
   */
  packing?: Packing;
  /** Checkpoints: width of a packed row (default 128), unless a text is longer. */
  rowTokens?: number;
  /** 'auto' (default) or a provider name; the mechlens.executionProvider setting. */
  provider?: ProviderSetting | string;
  /** For positions 'target': strings searched in inputs without a `{marker}`, e.g. [" him", " her"]. */
  targets?: readonly string[];
  /** Which token of a multi-token target is read (default its last piece). */
  piece?: PiecePolicy;
  /** Weights as external data into the safetensors file, a converted F32 sidecar, or in memory (default: auto). */
  weights?: WeightMode;
  /** Where F16/BF16 checkpoints get their converted F32 sidecar (default: <cache>/models/converted/<revision>). */
  convertedCacheDir?: string;
  threads?: number;
  sessions?: SessionCache;
  /** For hub ids: download cache root and offline mode (see hub.ts). */
  cacheDir?: string;
  offline?: boolean;
  /** Start every text with a BOS token even where the tokenizer adds none (positions.ts; SAEs trained with prepend_bos). */
  prependBos?: boolean;
  /** Notes for the user (provider fallback). Warnings about inputs are returned in the result. */
  log?: (message: string) => void;
}

export interface CapturedTensor {
  /** rows × width, row-major: one row per read position. */
  data: Float32Array;
  dims: [number, number];
  /** The row's shape before flattening, e.g. [heads, d_head] or [heads, key positions]. */
  shape: number[];
  /** The canonical hook or tensor name the request resolved to. */
  hook: string;
}

export interface CaptureResult {
  /** Keyed by the hook names as requested (aliases stay as given). */
  activations: Record<string, CapturedTensor>;
  /** Tokens of every input, as displayed ('␣him'). */
  tokens: string[][];
  tokenIds: number[][];
  /** Token index of every row. */
  positions: number[];
  /** Whether every input starts with a BOS token: the one the tokenizer's post-processor adds (Llama 3, Gemma), or one prependBos asked for; tokens and positions count it. */
  bosAdded: boolean;
  /** Input index of every row (one row per input unless positions is 'all'). */
  rowInputs: number[];
  provider: ProviderName;
  warnings: string[];
  /** Transformer blocks in the graph that ran (ONNX files: -1). */
  layersBuilt: number;
  /**
   * Token positions that went through the model: shared prefixes count once, and tokens after a
   * text's last read position are not computed (checkpoints; ONNX files compute every token).
   */
  computedTokens: number;
  revision: string;
}

interface HookRequest {
  requested: string;
  canonical: string;
  /** For checkpoint hooks; undefined for tensors of an ONNX file. */
  point?: HookPoint;
}

export async function captureActivations(
  model: string | LoadedModel,
  inputs: readonly CaptureInput[],
  hooks: readonly string[],
  positions: CapturePositions = 'last',
  options: CaptureOptions = {},
): Promise<CaptureResult> {
  const { signal, onProgress } = options;
  throwIfCancelled(signal);
  const loaded = typeof model === 'string' ? await loadModel(model, { cacheDir: options.cacheDir, offline: options.offline, signal }) : model;
  if (inputs.length === 0) throw new MechLensError('bad-argument', 'no inputs to capture', { input: loaded.source, fix: 'Give at least one text.' });
  if (hooks.length === 0) throw new MechLensError('bad-argument', 'no hooks to capture', { input: loaded.source, fix: 'Name a hook point, e.g. blocks.5.attn.hook_q (see "mechlens hooks").' });
  const tokenizer = loaded.tokenizer;
  if (!tokenizer) {
    throw new MechLensError('not-found', 'the ONNX file has no tokenizer.json next to it', { input: loaded.source, fix: 'Copy the model\'s tokenizer.json into the same folder.' });
  }
  // The environment carries the mechlens.executionProvider setting (and the CLI's) into worker threads.
  const provider = parseProviderSetting(options.provider ?? process.env.MECHLENS_EXECUTION_PROVIDER);
  const requests: HookRequest[] = hooks.map((h) => {
    if (loaded.kind === 'gpt2') {
      const point = resolveHook(loaded, h);
      return { requested: h, canonical: point.name, point };
    }
    return { requested: h, canonical: resolveOnnxTensor(loaded, h).name };
  });

  // Positions: resolvePositions tokenizes and finds markers/targets; 'all' and indices use its ids.
  const prependBos = options.prependBos ?? false;
  const resolved = resolvePositions(tokenizer, inputs, positions === 'target' ? { targets: options.targets, piece: options.piece, prependBos, signal, onProgress } : { piece: options.piece, prependBos, signal, onProgress });
  const ids = resolved.inputs.map((r) => r.ids);
  const maxPositions = loaded.kind === 'gpt2' ? loaded.checkpoint.config.nPositions : Infinity;
  ids.forEach((row, i) => {
    if (row.length > maxPositions) {
      throw new MechLensError('bad-argument', `input ${i + 1} has ${row.length} tokens, more than the model's ${maxPositions} positions`, {
        input: JSON.stringify(resolved.inputs[i].text.slice(0, 60)), fix: 'Shorten it.',
      });
    }
  });
  const rowsOf = readRows(positions, resolved.inputs.map((r) => r.position), ids);
  const rowStart: number[] = [];
  let rowCount = 0;
  for (const rows of rowsOf) { rowStart.push(rowCount); rowCount += rows.length; }
  const maxLen = ids.reduce((m, r) => Math.max(m, r.length), 0); // no spread: inputs may number millions

  const session = await sessionFor(loaded, requests, provider, options);
  const outputs = [...new Set(requests.map((r) => r.canonical))];
  const gathered = new Map<string, Gathered>();
  const gather = (name: string, tensor: Tensor32, B: number, T: number): Gathered => {
    let target = gathered.get(name);
    if (!target) {
      const layout = layoutOf(loaded, requests.find((r) => r.canonical === name)!, tensor, B, T, maxLen);
      target = { data: new Float32Array(rowCount * layout.width), ...layout };
      if (name.endsWith('hook_attn_scores')) target.data.fill(-Infinity); // masked and never-reached keys
      gathered.set(name, target);
    }
    return target;
  };
  const batchSize = options.batchSize ?? 64;
  const maxBatchTokens = options.maxBatchTokens ?? 4096;
  const label = modelLabel(loaded.source);

  const batching = loaded.kind === 'gpt2'
    ? packedLayout(ids, rowsOf, rowStart, tokenizer.padTokenId, batchSize, maxBatchTokens, options)
    : paddedLayout(ids, rowsOf, rowStart, tokenizer.padTokenId, batchSize, maxBatchTokens);
  const rowOutputs = new Set(loaded.kind === 'gpt2' ? readRowHooks(outputs, layersFor(loaded, requests)) : []);
  let done = 0;
  for (let bi = 0; bi < batching.batches; bi++) {
    throwIfCancelled(signal);
    onProgress?.({ message: `Running ${label}: batch ${bi + 1} of ${batching.batches}`, fraction: done / inputs.length });
    const run = batching.prepare(bi);
    const out = await session.run(pick(run.feeds, session.inputNames, loaded.source), outputs);
    for (const name of outputs) {
      const target = gather(name, out[name], run.size, run.width);
      const w = target.width;
      if (rowOutputs.has(name)) run.reads.forEach((r, j) => target.data.set(out[name].data.subarray(j * w, (j + 1) * w), r.dest * w));
      else run.reads.forEach((r) => copyRow(out[name], target, r.b, run.width, r.slots, r.pos, r.keys, maxLen, r.dest));
    }
    done += run.texts;
  }
  onProgress?.({ message: 'Captured', fraction: 1 });

  const activations: Record<string, CapturedTensor> = {};
  const warnings = [...(loaded.kind === 'gpt2' ? loaded.checkpoint.warnings : []), ...resolved.warnings];
  for (const r of requests) {
    const g = gathered.get(r.canonical)!;
    activations[r.requested] = { data: g.data, dims: [rowCount, g.width], shape: g.shape, hook: r.canonical };
    const nonFinite = finiteWarning(g.data, g.width, r.canonical, loaded.source);
    if (nonFinite && !warnings.includes(nonFinite)) warnings.push(nonFinite);
  }
  return {
    activations,
    tokens: ids.map((row) => row.map((id) => tokenizer.displayToken(id))),
    tokenIds: ids,
    positions: rowsOf.flat(),
    bosAdded: bosTokenFor(tokenizer, prependBos) !== undefined,
    rowInputs: rowsOf.flatMap((rows, i) => rows.map(() => i)),
    provider: session.provider,
    warnings,
    layersBuilt: loaded.kind === 'gpt2' ? layersFor(loaded, requests) : -1,
    computedTokens: batching.computedTokens,
    revision: loaded.revision,
  };
}

function readRows(positions: CapturePositions, resolvedPositions: number[], ids: number[][]): number[][] {
  if (positions === 'last' || positions === 'target') return resolvedPositions.map((p) => [p]);
  if (positions === 'all') return ids.map((row) => row.map((_, t) => t));
  if (!Array.isArray(positions) || positions.length !== ids.length) {
    throw new MechLensError('bad-argument', `positions must be "last", "target", "all" or one token index per input (${ids.length}), got ${JSON.stringify(positions)}`, {
      input: 'positions', fix: 'Give one index per input; negative indices count from the end (-1 = last token).',
    });
  }
  return positions.map((p, i) => {
    const L = ids[i].length;
    const t = p < 0 ? L + p : p;
    if (!Number.isInteger(p) || t < 0 || t >= L) {
      throw new MechLensError('bad-argument', `position ${p} is outside input ${i + 1}, which has ${L} tokens`, { input: 'positions', fix: `Use an index from ${-L} to ${L - 1}.` });
    }
    return [t];
  });
}

/** Where one row a batch computes goes: batch row b, at `slots` (null: the text's own indices). */
interface Read { b: number; slots: Int32Array | null; pos: number; keys: number; dest: number }

/** One session run: its feeds (all MechLens can give; the session picks), rows, width, and reads in read_rows order. */
interface BatchRun { feeds: Record<string, Feed>; size: number; width: number; reads: Read[]; texts: number }

interface BatchLayout { batches: number; computedTokens: number; prepare(batch: number): BatchRun }

/** Checkpoints: texts packed as prefix trees up to their last read position (packing.ts). */
function packedLayout(ids: number[][], rowsOf: number[][], rowStart: number[], padId: number, batchSize: number, maxBatchTokens: number, options: CaptureOptions): BatchLayout {
  // Causal attention: nothing after a text's last read position can change what is read.
  const kept = rowsOf.map((rows) => rows.reduce((m, p) => Math.max(m, p), 0) + 1);
  const plan = packTexts(ids, kept, { packing: options.packing, rowTokens: options.rowTokens });
  const textsOfRow: number[][] = plan.rows.map(() => []);
  plan.placements.forEach((p, i) => textsOfRow[p.row].push(i));
  const batches = batchRows(plan.rows, batchSize, maxBatchTokens);
  return {
    batches: batches.length,
    computedTokens: plan.packedTokens,
    prepare(bi) {
      const batch = batches[bi];
      const { feeds, width } = packedFeeds(batch.map((r) => plan.rows[r]), padId);
      const reads: Read[] = [];
      batch.forEach((r, b) => {
        for (const i of textsOfRow[r]) {
          const slots = plan.placements[i].slots;
          rowsOf[i].forEach((pos, k) => reads.push({ b, slots, pos, keys: pos + 1, dest: rowStart[i] + k }));
        }
      });
      feeds[READ_ROWS] = { data: BigInt64Array.from(reads, (r) => BigInt(r.b * width + r.slots![r.pos])), dims: [reads.length] };
      return { feeds, size: batch.length, width, reads, texts: batch.reduce((n, r) => n + textsOfRow[r].length, 0) };
    },
  };
}

/**
 * .onnx files: one right-padded text per row, with every input an exported model may ask for:
 * ids, Hugging Face's attention mask, positions, zero token types, or the attention_allowed mask
 * of a graph MechLens built.
 */
function paddedLayout(ids: number[][], rowsOf: number[][], rowStart: number[], padId: number, batchSize: number, maxBatchTokens: number): BatchLayout {
  const batches = makeBatches(ids.map((r) => r.length), batchSize, maxBatchTokens);
  return {
    batches: batches.length,
    computedTokens: ids.reduce((n, r) => n + r.length, 0),
    prepare(bi) {
      const batch = batches[bi];
      const { feeds: padded, width: T } = paddedFeeds(batch.map((i) => ids[i]), padId);
      const B = batch.length;
      const mask = new BigInt64Array(B * T);
      batch.forEach((i, b) => mask.fill(1n, b * T, b * T + ids[i].length));
      const dims = [B, T];
      const feeds = { ...padded, attention_mask: { data: mask, dims }, token_type_ids: { data: new BigInt64Array(B * T), dims } };
      const reads = batch.flatMap((i, b) => rowsOf[i].map((pos, k) => ({ b, slots: null, pos, keys: T, dest: rowStart[i] + k })));
      return { feeds, size: B, width: T, reads, texts: B };
    },
  };
}

/** The feeds a session's inputs name, or an error naming the input MechLens cannot provide. */
function pick(known: Record<string, Feed>, inputNames: readonly string[], source: string): Record<string, Feed> {
  const feeds: Record<string, Feed> = {};
  for (const name of inputNames) {
    const feed = known[name];
    if (!feed) {
      throw new MechLensError('unsupported', `the model needs an input "${name}" that MechLens cannot provide`, {
        input: `${source}: ${name}`, fix: `MechLens feeds ${Object.keys(known).join(', ')}. Export the model without past key values or extra inputs.`,
      });
    }
    feeds[name] = feed;
  }
  return feeds;
}

/** Where a checkpoint's graph reads its weights (graph-weights.ts), with F16/BF16 sidecars under the cache. */
export function checkpointWeights(model: Pick<Gpt2Model, 'source' | 'revision' | 'checkpoint'>, options: Pick<CaptureOptions, 'weights' | 'convertedCacheDir'>): WeightPlan {
  const converted = options.convertedCacheDir ?? path.join(cacheDirFor('models'), 'converted', createHash('sha256').update(`${model.source}\n${model.revision}`).digest('hex').slice(0, 24));
  return planWeights(model.checkpoint, options.weights, converted);
}

function layersFor(model: Gpt2Model, requests: HookRequest[]): number {
  return layersNeeded(requests.map((r) => r.point!), model.checkpoint.config.nLayer);
}

async function sessionFor(model: LoadedModel, requests: HookRequest[], provider: ProviderSetting, options: CaptureOptions): Promise<InferenceRunner> {
  const cache = options.sessions ?? defaultSessionCache;
  const canonical = [...new Set(requests.map((r) => r.canonical))].sort();
  if (model.kind === 'gpt2') {
    const layers = layersFor(model, requests);
    const key = JSON.stringify(['gpt2', model.source, model.revision, options.weights ?? 'auto', layers, canonical, provider, options.threads ?? 0]);
    return cache.get(key, async () => {
      const plan = checkpointWeights(model, options);
      const built = buildDecoderGraph({ config: model.checkpoint.config, hooks: requests.map((r) => r.point!), weight: plan.weight, lmHead: model.checkpoint.lmHead, readRows: true });
      return createInferenceSession({ bytes: built.bytes, label: model.source, ...plan.finish() }, { provider, threads: options.threads, log: options.log });
    });
  }
  const key = JSON.stringify(['onnx', model.source, model.revision, canonical, provider, options.threads ?? 0]);
  return cache.get(key, async () => {
    // The .onnx file's external data may be symlinks (a hub cache snapshot): read through their real paths.
    const external = resolveExternalDataPaths(path.dirname(model.source), externalDataLocations(model.file.model));
    const bytes = withOutputs(model.file.model, canonical, external.locations);
    return createInferenceSession({ bytes, label: model.source, externalFolder: external.folder }, { provider, threads: options.threads, log: options.log });
  });
}

interface Layout {
  width: number;
  shape: number[];
  /** Axis of the full tensor that indexes positions (1: [B, T, ...], 2: [B, H, T, T]). */
  axis: 1 | 2;
}

function layoutOf(model: LoadedModel, request: HookRequest, tensor: Tensor32, B: number, T: number, maxLen: number): Layout {
  if (request.point) {
    const shape = request.point.shape.map((d) => (d === 'positions' ? maxLen : d));
    return { width: hookWidth(request.point, maxLen), shape, axis: request.point.positionAxis };
  }
  return onnxLayout(model as OnnxFileModel, request.canonical, tensor, B, T, maxLen);
}

function onnxLayout(model: OnnxFileModel, name: string, tensor: Tensor32, B: number, T: number, maxLen: number): Layout {
  const d = tensor.dims;
  if (d.length === 4 && d[0] === B && d[2] === T && d[3] === T) return { width: d[1] * maxLen, shape: [d[1], maxLen], axis: 2 };
  if (d.length >= 2 && d[0] === B && d[1] === T) {
    const shape = d.slice(2);
    return { width: shape.reduce((a, b) => a * b, 1), shape, axis: 1 };
  }
  throw new MechLensError('unsupported', `tensor "${name}" has shape [${d.join(', ')}], which has no [batch, positions, ...] layout to read rows from (batch ${B}, positions ${T})`, {
    input: model.source, fix: 'Hook a tensor whose first two axes are batch and sequence position.',
  });
}

type Gathered = Layout & { data: Float32Array };

/**
 * Copies the row at position `pos` of the text in batch row `b` into row `row` of `target`; the
 * text's positions sit at `slots` in a packed row (null: at their own indices). Attention rows are
 * read for the first `keys` keys, along the slots; the other keys keep the fill value, as causal
 * masking leaves them.
 */
function copyRow(tensor: Tensor32, target: Gathered, b: number, T: number, slots: Int32Array | null, pos: number, keys: number, maxLen: number, row: number): void {
  const out = target.data;
  const q = slots ? slots[pos] : pos;
  if (target.axis === 1) {
    const w = target.width;
    out.set(tensor.data.subarray((b * T + q) * w, (b * T + q + 1) * w), row * w);
    return;
  }
  const H = tensor.dims[1];
  for (let h = 0; h < H; h++) {
    const src = ((b * H + h) * T + q) * T;
    const dst = row * target.width + h * maxLen;
    for (let u = 0; u < keys; u++) out[dst + u] = tensor.data[src + (slots ? slots[u] : u)];
  }
}
