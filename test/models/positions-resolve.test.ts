import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { getEncoding } from 'js-tiktoken';
import { MechLensError } from '../../src/core/errors';
import { parseSentenceSet } from '../../src/core/text/sentence-set';
import { parseWordList } from '../../src/core/text/word-list';
import { checkSingleTokens, resolvePositions } from '../../src/core/models/positions';
import { writeRandomGpt2Checkpoint } from '../../src/core/models/random-checkpoint';
import { loadTokenizer } from '../../src/core/models/tokenizer';

const tiktoken = getEncoding('gpt2');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mechlens-'));
writeRandomGpt2Checkpoint(dir, { nLayer: 1, nEmbd: 8, nHead: 2, nPositions: 64 });
const tokenizerPromise = loadTokenizer(dir);
const pieces = (text: string) => tiktoken.encode(text).map((id) => tiktoken.decode([id]));

test('a {target} marker from a sentence set is read at its token', async () => {
  const tokenizer = await tokenizerPromise;
  const set = parseSentenceSet('[him]\nI saw {him} at the market.\nYesterday she told {him} everything.\n[her]\nI saw {her} at the market.\n{Her} dog barked.\n', 'pronouns.sentences');
  const { inputs, warnings } = resolvePositions(tokenizer, set.sentences);
  assert.deepEqual(warnings, []);
  assert.deepEqual(inputs.map((i) => i.how), ['marker', 'marker', 'marker', 'marker']);
  assert.deepEqual(inputs.map((i) => tokenizer.displayToken(i.ids[i.position])), ['␣him', '␣him', '␣her', 'Her']);
  assert.deepEqual(inputs.map((i) => i.position), [2, 3, 2, 0]);
  for (const input of inputs) assert.deepEqual(input.ids, tiktoken.encode(input.text));
});

test('a marked word of several tokens is read at its last (or first) piece, with a warning naming the pieces', async () => {
  const tokenizer = await tokenizerPromise;
  const sentence = { text: 'We ate a grapefruitlike snack.', target: 'grapefruitlike', targetStart: 9, line: 4, source: 's.sentences' };
  const expected = pieces(' grapefruitlike');
  assert.ok(expected.length > 1);
  const last = resolvePositions(tokenizer, [sentence]);
  const wanted = tiktoken.encode(sentence.text);
  assert.equal(last.inputs[0].position, 3 + expected.length - 1);
  assert.equal(last.inputs[0].ids[last.inputs[0].position], wanted[3 + expected.length - 1]);
  assert.deepEqual(last.inputs[0].targetSpan, [3, 3 + expected.length - 1]);
  assert.equal(last.warnings.length, 1);
  assert.match(last.warnings[0], /^s\.sentences:4: the target is \d tokens \(/);
  assert.ok(last.warnings[0].includes(expected.map((p) => p.replace(/ /g, '␣')).join('|')), last.warnings[0]);
  const first = resolvePositions(tokenizer, [sentence], { piece: 'first-piece' });
  assert.equal(first.inputs[0].position, 3);
});

test('a target string is searched in the token sequence; the error names the sentence when it is absent', async () => {
  const tokenizer = await tokenizerPromise;
  const texts = ['I saw him at the market.', 'She thanked her mother.', 'Then himself came along, and him too.'];
  const { inputs } = resolvePositions(tokenizer, texts, { targets: [' him', ' her'] });
  assert.deepEqual(inputs.map((i) => i.how), ['search', 'search', 'search']);
  assert.deepEqual(inputs.map((i) => tokenizer.displayToken(i.ids[i.position])), ['␣him', '␣her', '␣him']);
  // " himself" is one different token, so the search skips it and finds the later " him".
  assert.equal(inputs[2].position, tiktoken.encode('Then himself came along, and').length);
  // A target without its leading space still finds the word mid-sentence.
  assert.equal(resolvePositions(tokenizer, ['I saw him.'], { targets: ['him'] }).inputs[0].position, 2);
  assert.throws(() => resolvePositions(tokenizer, [{ text: 'Nobody is here.', line: 7, source: 'x.sentences' }], { targets: [' him'] }), (err: unknown) => {
    assert.ok(err instanceof MechLensError);
    assert.match(err.message, /^x\.sentences:7: The sentence "Nobody is here\." does not contain the target " him" \(␣him\) as tokens/);
    return true;
  });
  const lenient = resolvePositions(tokenizer, ['Nobody is here.'], { targets: [' him'], fallback: 'last' });
  assert.equal(lenient.inputs[0].how, 'last');
  assert.equal(lenient.inputs[0].position, 3);
});

test('without marker or target the last real token is read, whatever the padding of the batch', async () => {
  const tokenizer = await tokenizerPromise;
  const texts = ['The next word is apple', 'A much longer prompt whose last word is banana'];
  const { inputs } = resolvePositions(tokenizer, texts);
  const batch = tokenizer.encodeBatch(texts);
  inputs.forEach((input, b) => {
    assert.equal(input.how, 'last');
    assert.equal(input.position, batch.lengths[b] - 1);
    assert.equal(batch.mask[b * batch.seqLen + input.position], 1);
    assert.deepEqual(input.ids, [...batch.ids.subarray(b * batch.seqLen, b * batch.seqLen + batch.lengths[b])]);
  });
  assert.throws(() => resolvePositions(tokenizer, ['ok', '']), /Input 2 is empty/);
  assert.throws(() => resolvePositions(tokenizer, ['no him here'], { targets: [' her'] }), /: Input 1 "no him here" does not contain the target " her"/);
});

test('checkSingleTokens flags exactly the notebook words that GPT-2 splits, naming their pieces', async () => {
  const tokenizer = await tokenizerPromise;
  const words = parseWordList(fs.readFileSync(path.join(__dirname, '../../samples/next-word.words'), 'utf8')).items.map((i) => i.word);
  const all = [...words, 'spaceship', 'grapefruit', 'kiwi'];
  const template = 'The next word is {word}';
  const result = checkSingleTokens(tokenizer, template, all, 'last-piece');
  const split = all.filter((w) => tiktoken.encode(` ${w}`).length > 1);
  assert.ok(split.length >= 2, `some words split: ${split}`);
  assert.deepEqual(result.checks.filter((c) => !c.single).map((c) => c.word), split);
  assert.deepEqual(result.kept, all);
  for (const check of result.checks) assert.deepEqual(check.pieces, pieces(` ${check.word}`).map((p) => p.replace(/ /g, '␣')));
  assert.equal(result.warnings.length, split.length);
  const grapefruit = result.warnings.find((w) => w.startsWith('"grapefruit"'));
  const shown = pieces(' grapefruit').map((p) => p.replace(/ /g, '␣'));
  assert.ok(shown.length > 1);
  assert.equal(grapefruit, `"grapefruit" is not a single token in "${template}": ${shown.join('|')}; using its last piece "${shown.at(-1)}".`);
  const positioned = resolvePositions(tokenizer, result.inputs, { warnPieces: false });
  assert.deepEqual(positioned.warnings, []);
  positioned.inputs.forEach((input, i) => assert.equal(input.position, input.ids.length - 1, all[i]));

  const dropped = checkSingleTokens(tokenizer, template, all, 'drop');
  assert.deepEqual(dropped.kept, all.filter((w) => !split.includes(w)));
  assert.equal(dropped.inputs.length, dropped.kept.length);
  assert.match(dropped.warnings.find((w) => w.startsWith('"grapefruit"'))!, /; dropped\.$/);
  assert.throws(() => checkSingleTokens(tokenizer, 'no placeholder', ['a']), /must contain \{word\} exactly once/);
});

test('checkSingleTokens handles a word mid-template and at the start', async () => {
  const tokenizer = await tokenizerPromise;
  const mid = checkSingleTokens(tokenizer, 'I like {word} a lot.', ['apple', 'kiwi']);
  assert.deepEqual(mid.checks.map((c) => c.single), [true, tiktoken.encode(' kiwi').length === 1]);
  const start = checkSingleTokens(tokenizer, '{word} is a word.', ['Apple']);
  assert.deepEqual(start.checks[0].pieces, pieces('Apple'));
  const positioned = resolvePositions(tokenizer, mid.inputs, { warnPieces: false });
  assert.equal(tokenizer.displayToken(positioned.inputs[0].ids[positioned.inputs[0].position]), '␣apple');
});

test('a set where some sentences are marked and one is not: an error naming that line, unless a target is given', async () => {
  const tokenizer = await tokenizerPromise;
  const parsed = parseSentenceSet('[him]\nI saw {him} at the market.\nYesterday she told him everything.\n[her]\nI saw {her} at the market.\n', 'pronouns.sentences');
  const set = { sentences: parsed.sentences.map((s) => ({ ...s, source: 'pronouns.sentences' })) };
  assert.throws(() => resolvePositions(tokenizer, set.sentences), (err: unknown) => {
    assert.ok(err instanceof MechLensError);
    assert.equal(err.line, 3);
    assert.match(err.message, /^pronouns\.sentences:3: This sentence has no \{target\} marker, but 2 of the 3 sentences are marked\. Mark the word .* or give --target/);
    return true;
  });
  // With a target the unmarked sentence is searched for it, explicitly.
  const searched = resolvePositions(tokenizer, set.sentences, { targets: [' him'] }).inputs;
  assert.deepEqual(searched.map((i) => i.how), ['marker', 'search', 'marker']);
  assert.equal(tokenizer.displayToken(searched[1].ids[searched[1].position]), '␣him');
  // Texts without a source are named by their index.
  assert.throws(() => resolvePositions(tokenizer, [{ text: 'I saw him', target: 'him', targetStart: 6 }, 'she left']), /Input 2 "she left" has no \{target\} marker, but 1 of the 2 inputs are marked/);
  // No marker anywhere: the last token, as documented.
  assert.deepEqual(resolvePositions(tokenizer, ['she left', 'he came']).inputs.map((i) => i.how), ['last', 'last']);
});
