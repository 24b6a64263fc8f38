import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { detectVectorFile, loadVectors, lookupVectors, scanVocabulary, writeVectorFile, type VectorFormat } from '../../src/core/vectors';
import { randomVectors, rowOf, tmpDir } from './helpers';

const words = ['the', 'Paris', 'paris', 'café', '日本', 'apple', 'Apple', 'x_y', 'z'];
const dims = 7;
const vectors = randomVectors(words.length, dims, 7);
const variants: { format: VectorFormat; gzip: boolean; binaryNewline?: boolean }[] = [];
for (const format of ['glove-text', 'word2vec-text', 'word2vec-binary'] as const) for (const gzip of [false, true]) variants.push({ format, gzip });
variants.push({ format: 'word2vec-binary', gzip: false, binaryNewline: false });

for (const v of variants) {
  const label = `${v.format}${v.gzip ? ' .gz' : ''}${v.binaryNewline === false ? ' (records without newline)' : ''}`;
  test(`${label}: detected from content, loaded exactly, looked up, scanned in order`, async () => {
    const dir = tmpDir();
    // The name says nothing about the format: detection must read the bytes.
    const file = path.join(dir, v.gzip ? 'vectors.gz' : 'vectors.dat');
    await writeVectorFile(file, words, vectors, v.format, { gzip: v.gzip, binaryNewline: v.binaryNewline });

    const info = await detectVectorFile(file);
    assert.equal(info.format, v.format);
    assert.equal(info.gzip, v.gzip);
    assert.equal(info.dims, dims);
    assert.equal(info.headerCount, v.format === 'glove-text' ? null : words.length);

    const loaded = await loadVectors(file);
    assert.deepEqual(loaded.words, words);
    assert.deepEqual(loaded.vectors.data, vectors.data);
    assert.equal(loaded.vectors.rows, words.length);
    assert.equal(loaded.vectors.cols, dims);

    const ask = ['apple', 'PARIS', 'Paris', 'missing', '日本', 'Café', 'apple'];
    const got = await lookupVectors(file, ask);
    assert.equal(got.format, v.format);
    assert.equal(got.dims, dims);
    assert.equal(got.vectors.rows, ask.length);
    assert.deepEqual(got.found, [true, true, true, false, true, true, true]);
    assert.deepEqual(got.missing, ['missing']);
    assert.deepEqual(got.lowercased, ['PARIS', 'Café']);
    assert.deepEqual(got.warnings.filter((w) => /lower-case/.test(w)), [`${path.basename(file)}: 2 words are not in the vectors as written; read "PARIS" as "paris", "Café" as "café" (the lower-case fallback).`]);
    assert.deepEqual(rowOf(got.vectors, 0), rowOf(vectors, 5)); // apple, exact
    assert.deepEqual(rowOf(got.vectors, 1), rowOf(vectors, 2)); // PARIS -> paris
    assert.deepEqual(rowOf(got.vectors, 2), rowOf(vectors, 1)); // Paris exact, not paris
    assert.deepEqual(rowOf(got.vectors, 3), new Float32Array(dims)); // missing -> zeros
    assert.deepEqual(rowOf(got.vectors, 4), rowOf(vectors, 4));
    assert.deepEqual(rowOf(got.vectors, 5), rowOf(vectors, 3)); // Café -> café
    assert.deepEqual(rowOf(got.vectors, 6), rowOf(vectors, 5)); // repeated request
    assert.equal(got.vocabSize, words.length); // header, or a scan that reached the end
    assert.ok(got.warnings.some((w) => w.includes('"PARIS"')));

    const seen: [string, number][] = [];
    const scan = await scanVocabulary(file, (word, index) => void seen.push([word, index]));
    assert.deepEqual(seen, words.map((w, i) => [w, i]));
    assert.equal(scan.complete, true);
    const firstThree: string[] = [];
    const stopped = await scanVocabulary(file, (word) => firstThree.push(word) < 3);
    assert.deepEqual(firstThree, words.slice(0, 3));
    assert.equal(stopped.complete, false);
  });
}

test('an exact match later in the file replaces a lower-case match found earlier', async () => {
  const dir = tmpDir();
  const file = path.join(dir, 'v.txt');
  const order = ['paris', 'a', 'b', 'Paris'];
  const m = randomVectors(order.length, 3, 2);
  await writeVectorFile(file, order, m, 'glove-text');
  const got = await lookupVectors(file, ['Paris']);
  assert.deepEqual(got.lowercased, []);
  assert.deepEqual(rowOf(got.vectors, 0), rowOf(m, 3));
});

test('the first row of a repeated word wins, in lookup and load', async () => {
  const dir = tmpDir();
  const file = path.join(dir, 'v.txt');
  const m = randomVectors(3, 2, 3);
  await writeVectorFile(file, ['a', 'b', 'a'], m, 'word2vec-text');
  const got = await lookupVectors(file, ['a']);
  assert.deepEqual(rowOf(got.vectors, 0), rowOf(m, 0));
  const loaded = await loadVectors(file);
  assert.deepEqual(loaded.words, ['a', 'b']);
  assert.deepEqual(loaded.vectors.data, m.data.subarray(0, 4));
  assert.match(loaded.warnings[0], /1 repeated word kept only their first row, starting with "a" \(line 4\)/);
});

test('lookup stops reading once every word was found exactly', async () => {
  const dir = tmpDir();
  const file = path.join(dir, 'v.txt');
  const m = randomVectors(3, 2, 4);
  await writeVectorFile(file, ['a', 'b', 'c'], m, 'glove-text');
  const { appendFileSync } = await import('node:fs');
  appendFileSync(file, 'garbage-without-values\n');
  const got = await lookupVectors(file, ['b', 'a']);
  assert.deepEqual(got.missing, []);
  assert.equal(got.vocabSize, null); // it never reached the end
  // A word that is not there forces a full pass, which meets the broken line.
  await assert.rejects(lookupVectors(file, ['nope']), /v\.txt:4: Line has a word but no values/);
  // An upper-case word found only lower-cased also has to read on (an exact row may follow).
  await assert.rejects(lookupVectors(file, ['A']), /Line has a word but no values/);
});

test('looking up no words reads only the head', async () => {
  const dir = tmpDir();
  const file = path.join(dir, 'v.txt');
  await writeVectorFile(file, ['a', 'b'], randomVectors(2, 4), 'glove-text');
  const got = await lookupVectors(file, []);
  assert.equal(got.vectors.rows, 0);
  assert.equal(got.dims, 4);
});

test('text values in many notations parse like numpy float32', async () => {
  const dir = tmpDir();
  const file = path.join(dir, 'v.txt');
  const tokens = ['1', '-2.5', '+0.125', '.5', '5.', '1e-3', '-1.5E+2', '0.000001', '123456789012345678', '1.00000005960464477539', '3.4028234663852886e38', '-0'];
  const { writeFileSync } = await import('node:fs');
  writeFileSync(file, `w ${tokens.join(' ')}\r\n`);
  const got = await loadVectors(file);
  assert.deepEqual(Array.from(got.vectors.data), tokens.map((t) => Math.fround(Number(t))));
  assert.ok(Object.is(got.vectors.data[11], -0));
});

test('lookups and loads report progress and stop on cancel', async () => {
  const dir = tmpDir();
  const file = path.join(dir, 'v.txt');
  await writeVectorFile(file, ['a', 'b'], randomVectors(2, 3), 'glove-text');
  const fractions: (number | undefined)[] = [];
  await lookupVectors(file, ['zz'], { onProgress: (p) => fractions.push(p.fraction) });
  assert.equal(fractions.at(-1), 1);
  const controller = new AbortController();
  controller.abort();
  await assert.rejects(lookupVectors(file, ['a'], { signal: controller.signal }), { code: 'cancelled' });
  await assert.rejects(loadVectors(file, { signal: controller.signal }), { code: 'cancelled' });
  await assert.rejects(scanVocabulary(file, () => undefined, { signal: controller.signal }), { code: 'cancelled' });
});

test('the writer: fixed decimals for text, and words with spaces are refused', async () => {
  const dir = tmpDir();
  const file = path.join(dir, 'v.txt');
  const m = { rows: 1, cols: 2, data: new Float32Array([0.5, -1.25]) };
  await writeVectorFile(file, ['w'], m, 'glove-text', { decimals: 3 });
  const { readFileSync } = await import('node:fs');
  assert.equal(readFileSync(file, 'utf8'), 'w 0.500 -1.250\n');
  await assert.rejects(writeVectorFile(file, ['a b'], m, 'glove-text'), /non-empty words without spaces/);
});

test('a UTF-8 byte-order mark before GloVe or word2vec text is skipped', async () => {
  const dir = tmpDir();
  const { writeFileSync } = await import('node:fs');
  for (const [name, text, format] of [
    ['g.txt', '\ufeffa 1 2\nb 3 4\n', 'glove-text'],
    ['w.txt', '\ufeff2 2\r\na 1 2\r\nb 3 4\r\n', 'word2vec-text'],
  ] as const) {
    const file = path.join(dir, name);
    writeFileSync(file, text);
    const loaded = await loadVectors(file);
    assert.equal(loaded.format, format);
    assert.deepEqual(loaded.words, ['a', 'b']);
    assert.deepEqual(Array.from(loaded.vectors.data), [1, 2, 3, 4]);
  }
});

test('property: any words and finite float32 values round-trip through every format, plain and gzip', async () => {
  const fc = (await import('fast-check')).default;
  const dir = tmpDir();
  let n = 0;
  const word = fc.tuple(fc.constantFrom('a', 'B', 'é', 'ж', '語'), fc.string({ unit: fc.constantFrom('a', 'Z', '0', '_', '.', '#', '[', 'ß', '😀', '\u00a0'), maxLength: 6 })).map(([h, t]) => h + t);
  await fc.assert(
    fc.asyncProperty(
      fc.uniqueArray(word, { minLength: 1, maxLength: 8 }),
      fc.integer({ min: 1, max: 5 }),
      fc.constantFrom<VectorFormat>('glove-text', 'word2vec-text', 'word2vec-binary'),
      fc.boolean(),
      fc.infiniteStream(fc.float({ noNaN: true, noDefaultInfinity: true })),
      async (ws, d, format, gzip, values) => {
        const data = new Float32Array(ws.length * d);
        const it = values[Symbol.iterator]();
        for (let i = 0; i < data.length; i++) data[i] = it.next().value as number;
        const file = path.join(dir, `p${n++}`);
        await writeVectorFile(file, ws, { rows: ws.length, cols: d, data }, format, { gzip });
        const loaded = await loadVectors(file);
        assert.equal(loaded.format, format);
        assert.deepEqual(loaded.words, ws);
        assert.deepEqual(loaded.vectors.data, data);
        const got = await lookupVectors(file, [ws[ws.length - 1]]);
        assert.deepEqual(rowOf(got.vectors, 0), rowOf({ rows: ws.length, cols: d, data }, ws.length - 1));
      },
    ),
    { numRuns: 150 },
  );
});

test('a binary record whose first float byte is a line break is still read as binary', async () => {
  // -1.1114e30 is 0a 72 60 f1 in float32: found by the round-trip property above.
  const file = path.join(tmpDir(), 'newline-byte.bin');
  const data = new Float32Array([-1.111400111473315e30]);
  await writeVectorFile(file, ['a'], { rows: 1, cols: 1, data }, 'word2vec-binary');
  const loaded = await loadVectors(file);
  assert.equal(loaded.format, 'word2vec-binary');
  assert.deepEqual(loaded.vectors.data, data);
});

test('a binary record whose float bytes are all number characters is still read as binary', async () => {
  // 7.0289e-10 is 79 35 41 30 ("y5A0") in float32: found by the round-trip property above.
  const file = path.join(tmpDir(), 'number-bytes.bin');
  const data = new Float32Array([7.028898019179053e-10]);
  await writeVectorFile(file, ['a'], { rows: 1, cols: 1, data }, 'word2vec-binary');
  const loaded = await loadVectors(file);
  assert.equal(loaded.format, 'word2vec-binary');
  assert.deepEqual(loaded.vectors.data, data);
});
