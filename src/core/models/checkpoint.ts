// A Hugging Face checkpoint folder of a supported decoder family: config.json + model.safetensors
// (or shards listed in model.safetensors.index.json). Opening checks, before any weight is read,
// that every tensor the config implies is there with the right shape, so a bad checkpoint fails
// here with a clear message instead of deep inside graph building. Tensor names are canonical:
// without the base model's prefix (`transformer.`, `gpt_neox.`, `model.`; family-weights.ts).
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { MechLensError } from '../errors';
import { parseModelConfig, type ModelConfig } from './config';
import { canonicalName, familyWeights, tensorShapes } from './family-weights';
import { FLOAT_DTYPES, openSafetensors, readTensorF32, type SafetensorsFile, type TensorInfo } from './safetensors';

export const SINGLE_FILE = 'model.safetensors';
export const INDEX_FILE = 'model.safetensors.index.json';
/** Written by hub.ts next to a downloaded checkpoint; gives the hub commit as the revision. */
export const SOURCE_FILE = 'mechlens-source.json';

export interface CheckpointTensor {
  file: SafetensorsFile;
  /** `info.name` is the name as stored in the file (maybe with `transformer.`). */
  info: TensorInfo;
}

export interface Checkpoint {
  dir: string;
  config: ModelConfig;
  /** One file, or every shard in index order. */
  files: SafetensorsFile[];
  /** Canonical names (no base-model prefix), legacy buffers left out. */
  tensorNames: string[];
  /** Names as stored of the legacy buffers (`attn.bias`, `attn.masked_bias`, `rotary_emb.inv_freq`) that were skipped. */
  ignoredTensors: string[];
  /** 'tied': logits use the embedding matrix (LM head absent or identical); 'separate': use the LM head (`lm_head.weight`, NeoX's `embed_out.weight`). */
  lmHead: 'tied' | 'separate';
  /** The hub commit when known, else `sha256:` of config.json, the safetensors headers and a data sample. */
  revision: string;
  /** Total bytes of tensor data over all files. */
  weightBytes: number;
  /** What the checkpoint holds that is not used, said once per opening (e.g. layers beyond config.json's layer count). */
  warnings: string[];
  /** Accepts canonical or prefixed names. */
  tensor(name: string): CheckpointTensor;
  readF32(name: string): Float32Array;
}

/** GPT-2's `transformer.` prefix dropped (other families: family-weights.ts's canonicalName). */
export function canonicalTensorName(name: string): string {
  return canonicalName('gpt2', name);
}

/** Every tensor of the base model with this config, with its shape (see family-weights.ts). */
export const gpt2TensorShapes = tensorShapes;

export function openCheckpoint(dir: string): Checkpoint {
  const configPath = path.join(dir, 'config.json');
  const configText = readText(configPath, 'config.json');
  let configJson: unknown;
  try {
    configJson = JSON.parse(configText.replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new MechLensError('parse', `config.json does not parse (${(err as Error).message})`, {
      input: configPath, fix: 'Download the checkpoint again or fix the JSON.',
    });
  }
  const config = parseModelConfig(configJson, configPath);
  const family = familyWeights(config.modelType);
  const files = openWeightFiles(dir);

  const byName = new Map<string, CheckpointTensor>();
  const ignoredTensors: string[] = [];
  for (const file of files) {
    for (const info of file.tensors.values()) {
      const name = canonicalName(config.modelType, info.name);
      if (family.legacyBuffer.test(name)) { ignoredTensors.push(info.name); continue; }
      const earlier = byName.get(name);
      if (earlier) {
        throw new MechLensError('format', `Tensor "${name}" is stored twice (as "${earlier.info.name}" in ${path.basename(earlier.file.path)} and "${info.name}" in ${path.basename(file.path)})`, {
          input: dir, fix: 'Re-save the checkpoint so that each tensor appears once.',
        });
      }
      byName.set(name, { file, info });
    }
  }
  checkShapes(dir, config, byName);
  const warnings = unusedLayerWarnings(configPath, config, byName);
  const lmHead = resolveLmHead(dir, config, byName);

  const tensor = (name: string): CheckpointTensor => {
    const found = byName.get(canonicalName(config.modelType, name));
    if (!found) {
      throw new MechLensError('not-found', `Checkpoint has no tensor "${name}"`, {
        input: dir, fix: `Known tensors include ${[...byName.keys()].slice(0, 4).join(', ')}, ...`,
      });
    }
    return found;
  };
  return {
    dir,
    config,
    files,
    tensorNames: [...byName.keys()],
    ignoredTensors,
    lmHead,
    revision: readRevision(dir, configText, files),
    weightBytes: files.reduce((sum, f) => sum + (f.fileSize - f.dataStart), 0),
    warnings,
    tensor,
    readF32: (name) => {
      const t = tensor(name);
      return readTensorF32(t.file, t.info.name);
    },
  };
}

function readText(filePath: string, what: string): string {
  try {
    return fs.readFileSync(filePath, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new MechLensError('not-found', `Cannot read ${what} (${code ?? String(err)})`, {
      input: filePath, fix: 'Point at a Hugging Face checkpoint folder (config.json, model.safetensors, tokenizer.json) or a hub id such as gpt2.',
    });
  }
}

function openWeightFiles(dir: string): SafetensorsFile[] {
  const single = path.join(dir, SINGLE_FILE);
  if (fs.existsSync(single)) return [openSafetensors(single)];
  const indexPath = path.join(dir, INDEX_FILE);
  if (!fs.existsSync(indexPath)) {
    const hasBin = fs.existsSync(path.join(dir, 'pytorch_model.bin'));
    throw new MechLensError('not-found', `No ${SINGLE_FILE} or ${INDEX_FILE}${hasBin ? ' (only pytorch_model.bin, which MechLens does not read)' : ''}`, {
      input: dir, fix: hasBin
        ? 'Convert it: AutoModelForCausalLM.from_pretrained(dir).save_pretrained(dir, safe_serialization=True).'
        : 'Point at a Hugging Face checkpoint folder with safetensors weights.',
    });
  }
  let index: unknown;
  try {
    index = JSON.parse(readText(indexPath, INDEX_FILE));
  } catch (err) {
    if (err instanceof MechLensError) throw err;
    throw new MechLensError('parse', `${INDEX_FILE} does not parse (${(err as Error).message})`, { input: indexPath, fix: 'Download the checkpoint again.' });
  }
  const weightMap = (index as { weight_map?: unknown } | null)?.weight_map;
  if (typeof weightMap !== 'object' || weightMap === null || !Object.values(weightMap).every((v) => typeof v === 'string')) {
    throw new MechLensError('format', `${INDEX_FILE} has no weight_map of tensor name to file name`, { input: indexPath, fix: 'Download the checkpoint again.' });
  }
  const shardNames = [...new Set(Object.values(weightMap as Record<string, string>))];
  const files = shardNames.map((shard) => {
    if (shard.includes('/') || shard.includes('\\') || shard.startsWith('.')) {
      throw new MechLensError('format', `${INDEX_FILE} names shard "${shard}" outside the folder`, { input: indexPath, fix: 'Shard names must be plain file names.' });
    }
    return openSafetensors(path.join(dir, shard));
  });
  for (const [name, shard] of Object.entries(weightMap as Record<string, string>)) {
    const file = files[shardNames.indexOf(shard)];
    if (!file.tensors.has(name)) {
      throw new MechLensError('format', `${INDEX_FILE} puts tensor "${name}" in ${shard}, which does not contain it`, { input: indexPath, fix: 'Download the checkpoint again.' });
    }
  }
  return files;
}

function checkShapes(dir: string, config: ModelConfig, byName: Map<string, CheckpointTensor>): void {
  const configNote = config.modelType === 'gpt2'
    ? `config.json (n_layer ${config.nLayer}, n_embd ${config.nEmbd}, n_inner ${config.nInner}, vocab_size ${config.vocabSize}, n_positions ${config.nPositions})`
    : `config.json (${config.modelType}: num_hidden_layers ${config.nLayer}, hidden_size ${config.nEmbd}, heads ${config.nHead}/${config.nKvHead} kv × head_dim ${config.dHead}, intermediate_size ${config.nInner}, vocab_size ${config.vocabSize})`;
  for (const [name, expected] of tensorShapes(config)) {
    const found = byName.get(name);
    if (!found) {
      throw new MechLensError('model', `Tensor "${name}" is missing, but ${configNote} needs it with shape [${expected.join(', ')}]`, {
        input: dir, fix: 'The weights do not match config.json: download the checkpoint again, or use the config.json it was saved with.',
      });
    }
    const shape = found.info.shape;
    if (shape.length !== expected.length || shape.some((s, i) => s !== expected[i])) {
      throw new MechLensError('model', `Tensor "${name}" has shape [${shape.join(', ')}], but ${configNote} implies [${expected.join(', ')}]`, {
        input: found.file.path, fix: 'The weights do not match config.json: use the config.json the weights were saved with.',
      });
    }
    if (!(FLOAT_DTYPES as readonly string[]).includes(found.info.dtype)) {
      throw new MechLensError('unsupported', `Tensor "${name}" has dtype ${found.info.dtype}; weights must be F32, F16, BF16 or F64`, {
        input: found.file.path, fix: 'Convert the checkpoint to floating point: model.float().save_pretrained(dir, safe_serialization=True).',
      });
    }
  }
}

/**
 * Weights for more layers than config.json's layer count were accepted without a word, and the model then
 * ran with fewer layers than it was trained with: a config.json from another size of the model.
 */
function unusedLayerWarnings(configPath: string, config: ModelConfig, byName: Map<string, CheckpointTensor>): string[] {
  let deepest = -1;
  for (const name of byName.keys()) {
    const layer = /^(?:h|layers|model\.layers|gpt_neox\.layers)\.(\d+)\./.exec(name);
    if (layer) deepest = Math.max(deepest, Number(layer[1]));
  }
  if (deepest < config.nLayer) return [];
  return [`${configPath}: the config gives ${config.nLayer} layers, but the weights hold ${deepest + 1} (layers 0 to ${deepest}); only the first ${config.nLayer} are used. `
    + 'Use the config.json the weights were saved with.'];
}

function resolveLmHead(dir: string, config: ModelConfig, byName: Map<string, CheckpointTensor>): 'tied' | 'separate' {
  const family = familyWeights(config.modelType);
  const headName = family.head;
  const head = byName.get(headName);
  if (!head) {
    if (config.tieWordEmbeddings) return 'tied';
    throw new MechLensError('model', `Tensor "${headName}" is missing, but config.json says tie_word_embeddings is false, so the LM head is its own matrix`, {
      input: dir, fix: 'Download the checkpoint again, or set tie_word_embeddings to true if the head is the embedding matrix.',
    });
  }
  const expected = [config.vocabSize, config.nEmbd];
  if (head.info.shape.length !== 2 || head.info.shape[0] !== expected[0] || head.info.shape[1] !== expected[1]) {
    throw new MechLensError('model', `Tensor "${headName}" has shape [${head.info.shape.join(', ')}], but config.json implies [${expected.join(', ')}]`, {
      input: head.file.path, fix: 'Use the config.json the weights were saved with.',
    });
  }
  const embed = byName.get(family.embed)!;
  if (sameBytes(head, embed)) {
    byName.delete(headName);
    return 'tied';
  }
  return 'separate';
}

/** Compares two tensors' stored bytes in 16 MB chunks, without holding either in memory. */
function sameBytes(a: CheckpointTensor, b: CheckpointTensor): boolean {
  if (a.info.dtype !== b.info.dtype) return false;
  const length = a.info.end - a.info.begin;
  if (length !== b.info.end - b.info.begin) return false;
  if (a.file.path === b.file.path && a.info.begin === b.info.begin) return true;
  const chunk = Math.min(length, 16 << 20);
  const bufA = Buffer.alloc(chunk);
  const bufB = Buffer.alloc(chunk);
  const fdA = fs.openSync(a.file.path, 'r');
  const fdB = fs.openSync(b.file.path, 'r');
  try {
    for (let done = 0; done < length; done += chunk) {
      const n = Math.min(chunk, length - done);
      fs.readSync(fdA, bufA, 0, n, a.info.begin + done);
      fs.readSync(fdB, bufB, 0, n, b.info.begin + done);
      if (bufA.compare(bufB, 0, n, 0, n) !== 0) return false;
    }
    return true;
  } finally {
    fs.closeSync(fdA);
    fs.closeSync(fdB);
  }
}

function readRevision(dir: string, configText: string, files: SafetensorsFile[]): string {
  // A Hugging Face hub cache snapshot is named by its commit: models--NAME/snapshots/COMMIT.
  const parts = path.resolve(dir).split(path.sep);
  const snapshot = parts.at(-1) ?? '';
  if (parts.at(-2) === 'snapshots' && parts.at(-3)?.startsWith('models--') && /^[0-9a-f]{40}$/.test(snapshot)) return snapshot;
  try {
    const source = JSON.parse(fs.readFileSync(path.join(dir, SOURCE_FILE), 'utf8')) as { commit?: unknown };
    if (typeof source.commit === 'string' && source.commit) return source.commit;
  } catch {
    // No hub record: a local folder, identified by its content below.
  }
  // Headers alone are equal for every checkpoint of one shape, so a sample of each file's data
  // (first and last 64 KB) goes in too: cheap, and it tells different weights apart.
  const hash = createHash('sha256').update(configText);
  const sampleBytes = 1 << 16;
  for (const file of files) {
    const fd = fs.openSync(file.path, 'r');
    try {
      const header = Buffer.alloc(file.dataStart);
      fs.readSync(fd, header, 0, file.dataStart, 0);
      hash.update(header);
      const dataLength = file.fileSize - file.dataStart;
      const head = Buffer.alloc(Math.min(sampleBytes, dataLength));
      fs.readSync(fd, head, 0, head.length, file.dataStart);
      const tail = Buffer.alloc(Math.min(sampleBytes, dataLength));
      fs.readSync(fd, tail, 0, tail.length, file.fileSize - tail.length);
      hash.update(head).update(tail);
    } finally {
      fs.closeSync(fd);
    }
  }
  return `sha256:${hash.digest('hex')}`;
}
