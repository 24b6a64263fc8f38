// A model opened for capturing: a Hugging Face checkpoint folder of a supported family (kind 'gpt2'
// for history, whatever the family: the decoder graph is built here, hooks from hooks.ts), or any
// .onnx file (its own tensors are the hooks). Also the token-embedding matrix, read straight from
// the safetensors file without a session.
import fs from 'node:fs';
import path from 'node:path';
import { MechLensError } from '../errors';
import { openCheckpoint, type Checkpoint } from './checkpoint';
import { familyWeights } from './family-weights';
import { listHookPoints, resolveHookName, type HookPoint } from './hooks';
import { closeNames, openOnnxModel, type OnnxModelFile, type OnnxTensorInfo } from './onnx-graph';
import { bf16ToF32, f16ToF32 } from './safetensors';
import type { SourceCopy } from '../../protocol/result';
import { ensureModel } from './hub';
import { describeModelCopy } from './hub-cache';
import { loadTokenizer, type Gpt2Tokenizer } from './tokenizer';
import { hasTokenizerFiles } from './tokenizer-json';

export interface Gpt2Model {
  kind: 'gpt2';
  /** The checkpoint folder. */
  source: string;
  checkpoint: Checkpoint;
  tokenizer: Gpt2Tokenizer;
  revision: string;
  hookPoints: readonly HookPoint[];
  /** Where the folder was found (hub cache, MechLens's cache, a local folder), for the result's provenance. */
  copy: SourceCopy;
}

export interface OnnxFileModel {
  kind: 'onnx';
  source: string;
  file: OnnxModelFile;
  /** tokenizer.json next to the .onnx file, when there is one. */
  tokenizer?: Gpt2Tokenizer;
  revision: string;
  copy: SourceCopy;
}

export type LoadedModel = Gpt2Model | OnnxFileModel;

/** One row of `mechlens hooks`: a hook point of a checkpoint or a tensor of an ONNX file. */
export interface HookListing {
  name: string;
  /** Per-position shape ('positions' = sequence length), or the tensor's declared dims for ONNX files. */
  shape: (number | string)[];
  description: string;
  aliases: string[];
}

const cache = new Map<string, Promise<LoadedModel>>();

export interface LoadModelOptions {
  /** Re-read the folder even if it was opened before. */
  fresh?: boolean;
  /** For hub ids: the download cache root, offline mode, cancellation. */
  cacheDir?: string;
  offline?: boolean;
  signal?: AbortSignal;
}

/**
 * Opens a checkpoint folder, an .onnx file, or a hub id (downloaded into the cache by hub.ts).
 * Opened models are cached per path; `fresh` re-reads.
 */
export async function loadModel(source: string, options: LoadModelOptions = {}): Promise<LoadedModel> {
  let where = path.resolve(source);
  if (!fs.existsSync(where) && !path.isAbsolute(source) && !source.startsWith('.')) {
    where = await ensureModel(source, { cacheDir: options.cacheDir, offline: options.offline, signal: options.signal });
  }
  const key = where;
  let entry = options.fresh ? undefined : cache.get(key);
  if (!entry) {
    entry = open(key);
    cache.set(key, entry);
    entry.catch(() => cache.delete(key));
  }
  return entry;
}

/**
 * Forgets every opened model, so the next loadModel reads the files again. A worker thread that
 * serves run after run calls it after each run (src/core/worker/main.ts).
 */
export function forgetLoadedModels(): void {
  cache.clear();
}

async function open(source: string): Promise<LoadedModel> {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(source);
  } catch {
    throw new MechLensError('not-found', 'no such model folder or file', {
      input: source, fix: 'Give a Hugging Face checkpoint folder (config.json, model.safetensors, tokenizer.json), an .onnx file, or a hub id such as gpt2.',
    });
  }
  if (stat.isFile()) {
    const file = openOnnxModel(source);
    const tokenizerDir = path.dirname(source);
    const tokenizer = hasTokenizerFiles(tokenizerDir) ? await loadTokenizer(tokenizerDir) : undefined;
    return { kind: 'onnx', source, file, tokenizer, revision: `mtime:${stat.mtimeMs}:${stat.size}`, copy: { ...describeModelCopy(tokenizerDir), path: source } };
  }
  const checkpoint = openCheckpoint(source);
  const tokenizer = await loadTokenizer(source);
  return { kind: 'gpt2', source, checkpoint, tokenizer, revision: checkpoint.revision, hookPoints: listHookPoints(checkpoint.config), copy: describeModelCopy(source) };
}

/** What `mechlens hooks` prints: every hook point, or every tensor of an ONNX file. */
export function listModelHooks(model: LoadedModel): HookListing[] {
  if (model.kind === 'gpt2') {
    return model.hookPoints.map((h) => ({ name: h.name, shape: h.shape, description: h.description, aliases: h.aliases }));
  }
  return model.file.tensors
    .filter((t) => t.kind === 'node-output')
    .map((t) => ({ name: t.name, shape: t.dims ?? [], description: `${t.producer ?? 'node'} output${t.elemType ? ` (${t.elemType})` : ''}`, aliases: [] }));
}

/** The ONNX tensor named `name`, or a clear error naming the closest tensors. */
export function resolveOnnxTensor(model: OnnxFileModel, name: string): OnnxTensorInfo {
  const t = model.file.tensors.find((x) => x.name === name && x.kind === 'node-output');
  if (t) return t;
  throw new MechLensError('bad-argument', `the ONNX model has no tensor "${name}" to hook`, {
    input: model.source,
    fix: `Run "mechlens hooks --model ${model.source}" for the list${closeNames(name, model.file.tensors.filter((x) => x.kind === 'node-output').map((x) => x.name))}.`,
  });
}

export function resolveHook(model: Gpt2Model, name: string): HookPoint {
  return resolveHookName(name, model.checkpoint.config);
}

export interface EmbeddingRows {
  /** rows × nEmbd, row-major. */
  data: Float32Array;
  dims: [number, number];
  tokenIds: number[];
}

/**
 * Rows of the token-embedding matrix (wte, embed_in, embed_tokens; all of it when `tokenIds` is absent), read from the
 * safetensors file row by row, so asking for 100 tokens of gpt2-xl reads 100 rows, not 400 MB.
 */
export async function tokenEmbeddings(model: string | LoadedModel, tokenIds?: readonly number[]): Promise<EmbeddingRows> {
  const loaded = typeof model === 'string' ? await loadModel(model) : model;
  if (loaded.kind !== 'gpt2') {
    throw new MechLensError('unsupported', 'token embeddings are read from a checkpoint folder, not an .onnx file', {
      input: loaded.source, fix: 'Use the Hugging Face checkpoint folder of the model.',
    });
  }
  const tensorName = familyWeights(loaded.checkpoint.config.modelType).embed;
  const vocab = loaded.checkpoint.tensor(tensorName).info.shape[0];
  const ids = tokenIds ? [...tokenIds] : Array.from({ length: vocab }, (_, i) => i);
  const rows = checkpointRows(loaded.checkpoint, tensorName, ids, loaded.source, 'embedding matrix');
  return { data: rows.data, dims: rows.dims, tokenIds: ids };
}

/**
 * Rows `ids` of a 2-D checkpoint tensor (an embedding matrix or LM head) as float32, read row by
 * row from the safetensors file: the unembedding rows of two tokens read 2 rows, not the matrix.
 */
export function checkpointRows(checkpoint: Checkpoint, tensorName: string, ids: readonly number[], source: string = checkpoint.dir, what = `${tensorName} matrix`): { data: Float32Array; dims: [number, number] } {
  const { file, info } = checkpoint.tensor(tensorName);
  const [vocab, d] = info.shape;
  for (const id of ids) {
    if (!Number.isInteger(id) || id < 0 || id >= vocab) {
      throw new MechLensError('bad-argument', `token id ${id} is outside the ${what} (0..${vocab - 1})`, { input: source, fix: 'Use ids from this model\'s tokenizer.' });
    }
  }
  const bytesPer = info.dtype === 'F32' ? 4 : info.dtype === 'F64' ? 8 : 2;
  const rowBytes = d * bytesPer;
  const out = new Float32Array(ids.length * d);
  const fd = fs.openSync(file.path, 'r');
  try {
    // Contiguous runs of ids are read in one call (the whole matrix is one run).
    const buf = Buffer.alloc(Math.min(ids.length, 4096) * rowBytes);
    for (let i = 0; i < ids.length;) {
      let run = 1;
      while (i + run < ids.length && run < 4096 && ids[i + run] === ids[i] + run) run++;
      const bytes = run * rowBytes;
      fs.readSync(fd, buf, 0, bytes, info.begin + ids[i] * rowBytes);
      const aligned = new Uint8Array(bytes);
      aligned.set(buf.subarray(0, bytes));
      out.set(toF32(aligned, info.dtype, run * d), i * d);
      i += run;
    }
  } finally {
    fs.closeSync(fd);
  }
  return { data: out, dims: [ids.length, d] };
}

function toF32(bytes: Uint8Array, dtype: string, count: number): Float32Array {
  switch (dtype) {
    case 'F32': return new Float32Array(bytes.buffer, 0, count);
    case 'F16': return f16ToF32(new Uint16Array(bytes.buffer, 0, count));
    case 'BF16': return bf16ToF32(new Uint16Array(bytes.buffer, 0, count));
    default: return Float32Array.from(new Float64Array(bytes.buffer, 0, count));
  }
}
