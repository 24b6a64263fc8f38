// The heads job: every layer's attention pattern (blocks.L.attn.hook_pattern) for a few texts, or for
// the built-in probe (random tokens repeated twice), and three head detectors per (layer, head):
// previous-token, duplicate-token and induction (head-detectors.ts), each text's scores averaged
// over the texts. Every family runs through the same decoder graph, so Gemma-2's sliding windows and
// attention softcap are in the patterns as the model computes them.
import type { HeadScores, HeadsResult, HeadsText } from '../../protocol/result';
import { SCHEMA_VERSION } from '../../protocol/result';
import { MechLensError, throwIfCancelled } from '../errors';
import { loadCheckpointModel } from './checkpoint-model';
import { captureActivations } from '../models/capture';
import type { Gpt2Model } from '../models/capture-model';
import type { PositionInput } from '../models/positions';
import type { Gpt2Tokenizer } from '../models/tokenizer';
import { createRandom } from '../random';
import type { RunControl } from '../run-control';
import { VERSION } from '../version';
import { HEAD_DETECTORS, scoreHeads, type HeadDetectorName } from './head-detectors';
import { modelRunTitle, textCount } from './run-title';

export interface HeadsInput {
  model: string;
  /** Texts to run; each is tokenized (after the BOS token where the tokenizer adds one). */
  texts?: readonly string[];
  /** Where the texts came from (a file, a selection), for the result's inputs. */
  textsSource?: string;
  /** Token sequences to run as they are (no BOS added); for tests and scripts. */
  tokenIds?: readonly (readonly number[])[];
  /** The built-in probe: this many random tokens, repeated twice. */
  repeatRandom?: number;
  /** Seed of the probe's tokens (default 0). */
  seed?: number;
  /** Keep patterns[text][layer][head][q][k] in the result. */
  patterns?: boolean;
  /** Keep no patterns (and say so in a warning) when they would be more values than this; the scores are kept. */
  maxPatternValues?: number;
  cacheDir?: string;
  offline?: boolean;
  provider?: string;
}

export const HEADS_DEFAULTS = Object.freeze({ model: 'gpt2', repeatRandom: 50, seed: 0 });

/** Most pattern values captured at once (texts run in groups under it): 32M floats, 128 MB. */
const CAPTURE_BUDGET = 32 * 1024 * 1024;

export async function runHeads(input: HeadsInput, control: RunControl = {}): Promise<HeadsResult> {
  const started = Date.now();
  const { signal } = control;
  const step = (message: string, fraction?: number) => control.onProgress?.({ message, fraction });
  const given = [input.texts?.length ? 'texts' : null, input.tokenIds?.length ? 'token ids' : null, input.repeatRandom !== undefined ? 'the repeat-random probe' : null].filter(Boolean);
  if (given.length !== 1) {
    throw new MechLensError('bad-argument', given.length ? `give one input, not ${given.join(' and ')}` : 'no input: give texts or the repeat-random probe', {
      input: input.model, fix: 'Give texts (--text T, repeatable) or --repeat-random N [--seed S].',
    });
  }

  const { model } = await loadCheckpointModel(input, control, {
    needs: 'the heads job needs a Hugging Face checkpoint folder',
    fix: 'Use a checkpoint folder or hub id of a supported family (GPT-2, Pythia, Llama, Qwen, Gemma).',
  });
  const { nLayer, nHead } = model.checkpoint.config;
  const tokenizer = model.tokenizer;
  const seed = input.seed ?? HEADS_DEFAULTS.seed;

  let sequences: { text: string; ids: number[] }[];
  let probe: HeadsResult['probe'] = null;
  if (input.repeatRandom !== undefined) {
    const made = repeatedRandomTokens(tokenizer, model.checkpoint.config.vocabSize, input.repeatRandom, seed, input.model);
    probe = { kind: 'repeat-random', tokens: input.repeatRandom, seed, bos: { id: made.bos, token: tokenizer.displayToken(made.bos) } };
    sequences = [{ text: tokenizer.decode(made.ids), ids: made.ids }];
  } else if (input.tokenIds?.length) {
    sequences = input.tokenIds.map((ids) => ({ text: tokenizer.decode(ids), ids: [...ids] }));
  } else {
    sequences = input.texts!.map((text, i) => ({ text, ids: tokenize(tokenizer, text, i, input.textsSource) }));
  }
  sequences.forEach((s, i) => checkIds(s.ids, model, i));

  const hooks = Array.from({ length: nLayer }, (_, l) => `blocks.${l}.attn.hook_pattern`);
  const perText: HeadScores[] = [];
  const warnings: string[] = [];
  const patternValues = sequences.reduce((n, s) => n + s.ids.length ** 2, 0) * nLayer * nHead;
  const keepPatterns = !!input.patterns && patternValues <= (input.maxPatternValues ?? Infinity);
  if (input.patterns && !keepPatterns) {
    warnings.push(`The patterns are ${patternValues.toLocaleString('en-US')} values, more than the ${input.maxPatternValues!.toLocaleString('en-US')} this view keeps: only the scores are shown. Use fewer or shorter texts to see the patterns.`);
  }
  const patterns: number[][][][][] | undefined = keepPatterns ? [] : undefined;
  let provider = '';
  let revision = '';
  const groups = groupTexts(sequences.map((s) => s.ids.length), nLayer * nHead);
  let done = 0;
  for (const group of groups) {
    throwIfCancelled(signal);
    const inputs: PositionInput[] = group.map((i) => ({ text: sequences[i].text, ids: sequences[i].ids }));
    const captured = await captureActivations(model, inputs, hooks, 'all', {
      signal, provider: input.provider,
      onProgress: (p) => step(p.message, 0.05 + 0.85 * (done + (p.fraction ?? 0) * group.length) / sequences.length),
    });
    provider = captured.provider;
    revision = captured.revision;
    for (const w of captured.warnings) if (!warnings.includes(w)) warnings.push(w);
    let row = 0;
    for (const i of group) {
      const ids = sequences[i].ids;
      const T = ids.length;
      const scores = emptyScores();
      const textPatterns: number[][][][] = [];
      for (const hook of hooks) {
        const tensor = captured.activations[hook];
        const pattern = headMajor(tensor.data, row, T, nHead, tensor.dims[1] / nHead);
        const layerScores = scoreHeads(pattern, nHead, ids);
        for (const name of HEAD_DETECTORS) scores[name].push(Array.from(layerScores[name]));
        if (patterns) textPatterns.push(Array.from({ length: nHead }, (_, h) => Array.from({ length: T }, (_, q) => Array.from(pattern.subarray((h * T + q) * T, (h * T + q + 1) * T)))));
      }
      perText.push(scores);
      patterns?.push(textPatterns);
      row += T;
    }
    done += group.length;
  }

  step('Done', 1);
  const texts: HeadsText[] = sequences.map((s, i) => ({ text: s.text, tokens: s.ids.map((id) => ({ id, token: tokenizer.displayToken(id) })), scores: perText[i] }));
  const modelName = input.model.replace(/^.*[\\/]/, '');
  const what = probe ? `${probe.tokens} random tokens repeated (seed ${seed})` : textCount(texts.length);
  return {
    schemaVersion: SCHEMA_VERSION,
    job: 'heads',
    title: modelRunTitle('Attention heads', modelName, what),
    model: { spec: `model:${input.model}`, label: modelName, kind: 'model-hook', dims: model.checkpoint.config.nEmbd, revision, provider, copy: model.copy },
    provider,
    nLayer,
    nHead,
    scores: meanScores(perText),
    texts,
    ...(patterns ? { patterns } : {}),
    probe,
    bosAdded: probe ? true : input.tokenIds ? false : tokenizer.bosTokenId !== undefined,
    warnings,
    run: { createdAt: new Date().toISOString(), version: VERSION, durationMs: Date.now() - started, options: { repeatRandom: input.repeatRandom ?? null, seed, patterns: !!input.patterns } },
    inputs: { model: input.model, texts: input.textsSource ?? null, repeatRandom: input.repeatRandom ?? null, seed },
  };
}

/**
 * The probe's tokens: [BOS] + R + R, R being `n` token ids drawn uniformly with replacement from the
 * ordinary vocabulary (no special or added `<…>` token) by the seeded generator. The BOS is the token
 * the tokenizer's post-processor adds (Llama 3, Gemma), else its end-of-text token, which
 * TransformerLens's prepend_bos puts first for GPT-2 (`<|endoftext|>`).
 */
export function repeatedRandomTokens(tokenizer: Gpt2Tokenizer, modelVocab: number, n: number, seed: number, source = tokenizer.source): { ids: number[]; bos: number } {
  if (!Number.isInteger(n) || n < 2) {
    throw new MechLensError('bad-argument', `the probe needs at least 2 random tokens, got ${n}`, { input: source, fix: 'Give --repeat-random N with N ≥ 2 (50 is usual).' });
  }
  const ordinary = ordinaryTokenIds(tokenizer, modelVocab);
  const random = createRandom(seed);
  const half = Array.from({ length: n }, () => ordinary[random.int(ordinary.length)]);
  const bos = tokenizer.bosTokenId ?? tokenizer.eosTokenId;
  return { ids: [bos, ...half, ...half], bos };
}

const SPECIAL_TOKEN = /^<[^<>\s]+>$/;

/** Ids the tokenizer and the model both have, that are not special or added tokens such as `<|endoftext|>` or `<unused0>`. */
function ordinaryTokenIds(tokenizer: Gpt2Tokenizer, modelVocab: number): Int32Array {
  const out: number[] = [];
  const limit = Math.min(tokenizer.vocabSize, modelVocab);
  for (let id = 0; id < limit; id++) {
    let token: string;
    try {
      token = tokenizer.tokenString(id);
    } catch {
      continue; // a hole in the vocabulary
    }
    if (id !== tokenizer.eosTokenId && id !== tokenizer.bosTokenId && !SPECIAL_TOKEN.test(token)) out.push(id);
  }
  return Int32Array.from(out);
}

function tokenize(tokenizer: Gpt2Tokenizer, text: string, index: number, source: string | undefined): number[] {
  const ids = tokenizer.encode(text);
  if (ids.length === 0) {
    throw new MechLensError('bad-argument', `text ${index + 1} is empty: it has no tokens`, { input: source ?? 'texts', fix: 'Remove the empty text.' });
  }
  return tokenizer.bosTokenId === undefined ? ids : [tokenizer.bosTokenId, ...ids];
}

function checkIds(ids: readonly number[], model: Gpt2Model, index: number): void {
  const vocab = model.checkpoint.config.vocabSize;
  for (const id of ids) {
    if (!Number.isInteger(id) || id < 0 || id >= vocab) {
      throw new MechLensError('bad-argument', `token id ${id} of input ${index + 1} is outside the model's vocabulary (0..${vocab - 1})`, { input: model.source, fix: 'Use ids from this model\'s tokenizer.' });
    }
  }
}

/**
 * One text's pattern at one layer as heads × T × T, from the captured rows (one row per query, each
 * `heads × keyStride` wide, keys past the query zero as causal masking leaves them).
 */
function headMajor(rows: Float32Array, firstRow: number, T: number, nHead: number, keyStride: number): Float32Array {
  const out = new Float32Array(nHead * T * T);
  const width = nHead * keyStride;
  for (let q = 0; q < T; q++) {
    const src = (firstRow + q) * width;
    for (let h = 0; h < nHead; h++) out.set(rows.subarray(src + h * keyStride, src + h * keyStride + T), (h * T + q) * T);
  }
  return out;
}

/** Consecutive groups of texts whose patterns (tokens × longest × heads × layers) fit CAPTURE_BUDGET together. */
function groupTexts(lengths: readonly number[], headsTimesLayers: number): number[][] {
  const groups: number[][] = [];
  let current: number[] = [];
  let tokens = 0;
  let longest = 0;
  lengths.forEach((T, i) => {
    const nextLongest = Math.max(longest, T);
    if (current.length && (tokens + T) * nextLongest * headsTimesLayers > CAPTURE_BUDGET) {
      groups.push(current);
      current = [];
      tokens = 0;
      longest = 0;
    }
    current.push(i);
    tokens += T;
    longest = Math.max(longest, T);
  });
  if (current.length) groups.push(current);
  return groups;
}

function emptyScores(): HeadScores {
  return { previousToken: [], duplicateToken: [], induction: [] };
}

/** The mean over texts of each text's L × H scores. */
export function meanScores(perText: readonly HeadScores[]): HeadScores {
  const out = emptyScores();
  for (const name of HEAD_DETECTORS as readonly HeadDetectorName[]) {
    out[name] = perText[0][name].map((row, l) => row.map((_, h) => perText.reduce((sum, t) => sum + t[name][l][h], 0) / perText.length));
  }
  return out;
}
