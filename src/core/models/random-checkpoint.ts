// Random GPT-2 checkpoints in the real Hugging Face layout (config.json, model.safetensors or shards
// + index, tokenizer.json, tokenizer_config.json) with the real GPT-2 tokenizer: the fixtures of the
// model tests, the demo and the benchmarks. Each tensor's values depend only on the seed and the
// tensor's canonical name, so the same seed gives the same weights whatever the dtype, the naming
// convention or the sharding.
import fs from 'node:fs';
import path from 'node:path';
import { createRandom } from '../random';
import { gpt2ConfigJson, parseGpt2Config, type Gpt2Config } from './config';
import { INDEX_FILE, SINGLE_FILE, gpt2TensorShapes } from './checkpoint';
import { SAFETENSORS_DTYPE_BYTES, writeSafetensors, type TensorToWrite } from './safetensors';
import { gpt2TokenizerConfigJson, gpt2TokenizerJsonFromPackage } from './tokenizer-json';

export interface RandomCheckpointOptions {
  nLayer?: number;
  nEmbd?: number;
  nHead?: number;
  nPositions?: number;
  vocabSize?: number;
  /** MLP width; 4 * nEmbd when absent. */
  nInner?: number;
  seed?: number;
  /** Store names as `transformer.h.0...` (GPT2LMHeadModel.save_pretrained) instead of `h.0...` (GPT2Model / OpenAI). */
  prefix?: boolean;
  /** Add the original checkpoints' `h.N.attn.bias` mask and `h.N.attn.masked_bias` buffers. */
  legacyBias?: boolean;
  dtype?: 'F32' | 'F16' | 'BF16';
  /** More than 1 writes `model-0000k-of-0000n.safetensors` shards and model.safetensors.index.json. */
  shards?: number;
  /** 'absent' (tied, as save_pretrained writes it), 'copy' (an identical lm_head.weight) or 'separate' (its own values). */
  lmHead?: 'absent' | 'copy' | 'separate';
  /** Write tokenizer.json and tokenizer_config.json (default true). */
  tokenizer?: boolean;
}

export interface RandomCheckpoint {
  dir: string;
  config: Gpt2Config;
  /** Names as stored, in file order. */
  storedNames: string[];
  files: string[];
}

export function writeRandomGpt2Checkpoint(dir: string, options: RandomCheckpointOptions = {}): RandomCheckpoint {
  const shape = {
    nLayer: options.nLayer ?? 3,
    nEmbd: options.nEmbd ?? 64,
    nHead: options.nHead ?? 4,
    nPositions: options.nPositions ?? 128,
    vocabSize: options.vocabSize ?? 50257,
    nInner: options.nInner,
  };
  const seed = options.seed ?? 0;
  const dtype = options.dtype ?? 'F32';
  const prefix = options.prefix ? 'transformer.' : '';
  const shardCount = Math.max(1, Math.floor(options.shards ?? 1));
  fs.mkdirSync(dir, { recursive: true });

  const configJson = gpt2ConfigJson(shape);
  const configPath = path.join(dir, 'config.json');
  fs.writeFileSync(configPath, JSON.stringify(configJson, null, 2) + '\n');
  const config = parseGpt2Config(configJson, configPath);

  const tensors: Record<string, TensorToWrite> = {};
  for (const [name, tensorShape] of gpt2TensorShapes(config)) {
    tensors[prefix + name] = { dtype, shape: tensorShape, data: () => randomValues(name, tensorShape, seed) };
    const layer = /^h\.(\d+)\.ln_2\.bias$/.exec(name);
    if (layer && options.legacyBias) {
      // Where GPT2Attention registered them: a causal mask and a large negative fill value.
      tensors[`${prefix}h.${layer[1]}.attn.bias`] = { dtype, shape: [1, 1, config.nPositions, config.nPositions], data: () => causalMask(config.nPositions) };
      tensors[`${prefix}h.${layer[1]}.attn.masked_bias`] = { dtype, shape: [], data: () => Float32Array.of(-1e4) };
    }
  }
  if (options.lmHead === 'copy' || options.lmHead === 'separate') {
    const headSource = options.lmHead === 'copy' ? 'wte.weight' : 'lm_head.weight';
    tensors['lm_head.weight'] = { dtype, shape: [config.vocabSize, config.nEmbd], data: () => randomValues(headSource, [config.vocabSize, config.nEmbd], seed) };
  }

  const files = shardCount === 1 ? writeSingle(dir, tensors) : writeShards(dir, tensors, shardCount);
  if (options.tokenizer ?? true) {
    fs.writeFileSync(path.join(dir, 'tokenizer.json'), JSON.stringify(gpt2TokenizerJsonFromPackage()));
    fs.writeFileSync(path.join(dir, 'tokenizer_config.json'), JSON.stringify(gpt2TokenizerConfigJson(config.nPositions), null, 2) + '\n');
    files.push('tokenizer.json', 'tokenizer_config.json');
  }
  return { dir, config, storedNames: Object.keys(tensors), files: ['config.json', ...files] };
}

function writeSingle(dir: string, tensors: Record<string, TensorToWrite>): string[] {
  writeSafetensors(path.join(dir, SINGLE_FILE), tensors, { format: 'pt' });
  return [SINGLE_FILE];
}

/** Splits the tensors into `count` consecutive groups of about equal bytes, as save_pretrained does. */
function writeShards(dir: string, tensors: Record<string, TensorToWrite>, count: number): string[] {
  const entries = Object.entries(tensors);
  const bytesOf = (t: TensorToWrite) => t.shape.reduce((a, b) => a * b, 1) * SAFETENSORS_DTYPE_BYTES[t.dtype];
  const totalSize = entries.reduce((sum, [, t]) => sum + bytesOf(t), 0);
  const groups: Array<Array<[string, TensorToWrite]>> = [[]];
  let groupBytes = 0;
  let bytesLeft = totalSize;
  for (const [i, entry] of entries.entries()) {
    const size = bytesOf(entry[1]);
    // The share of what is left that the current group should take; one huge tensor (wte) may
    // fill a shard alone, so the target is recomputed as groups close.
    const groupsLeft = count - groups.length + 1;
    const share = (bytesLeft + groupBytes) / groupsLeft;
    const mustSplit = entries.length - i <= count - groups.length;
    if (groupBytes > 0 && groups.length < count && (mustSplit || groupBytes + size / 2 > share)) {
      groups.push([]);
      groupBytes = 0;
    }
    groups[groups.length - 1].push(entry);
    groupBytes += size;
    bytesLeft -= size;
  }
  const pad = (n: number) => String(n).padStart(5, '0');
  const weightMap: Record<string, string> = {};
  const names = groups.map((group, i) => {
    const fileName = `model-${pad(i + 1)}-of-${pad(groups.length)}.safetensors`;
    writeSafetensors(path.join(dir, fileName), Object.fromEntries(group), { format: 'pt' });
    for (const [name] of group) weightMap[name] = fileName;
    return fileName;
  });
  fs.writeFileSync(path.join(dir, INDEX_FILE), JSON.stringify({ metadata: { total_size: totalSize }, weight_map: weightMap }, null, 2) + '\n');
  return [...names, INDEX_FILE];
}

/** ~N(0, 0.02) like GPT-2's init, but LayerNorm gains ~1 + N(0, 0.1) and biases large enough to matter. */
export function randomValues(canonicalName: string, shape: number[], seed: number): Float32Array {
  const count = shape.reduce((a, b) => a * b, 1);
  const random = createRandom(tensorSeed(canonicalName, seed));
  const isNorm = /(^|\.)ln_(1|2|f)\.weight$/.test(canonicalName);
  const isBias = canonicalName.endsWith('.bias');
  const mean = isNorm ? 1 : 0;
  const std = isNorm ? 0.1 : isBias ? 0.05 : 0.02;
  const out = new Float32Array(count);
  // Marsaglia's polar method: no sin/cos, and three times faster than random.gaussian() here,
  // which matters for the 355M values of a gpt2-medium-shaped benchmark checkpoint.
  let i = 0;
  while (i < count) {
    let u: number, v: number, s: number;
    do {
      u = 2 * random.next() - 1;
      v = 2 * random.next() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const f = std * Math.sqrt((-2 * Math.log(s)) / s);
    out[i++] = mean + u * f;
    if (i < count) out[i++] = mean + v * f;
  }
  return out;
}

function tensorSeed(name: string, seed: number): number {
  // FNV-1a of the name, mixed with the seed.
  let h = 0x811c9dc5 ^ Math.imul(seed >>> 0, 0x9e3779b1);
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

function causalMask(n: number): Float32Array {
  const mask = new Float32Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) mask[i * n + j] = 1;
  return mask;
}
