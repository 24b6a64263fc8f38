// `npm run demo` as a user runs it (node dist/cli.js demo), offline, with an empty cache: all five
// results as JSON and HTML plus index.html; job 1's numbers against numpy and sklearn on the packaged
// GloVe (test/fixtures/demo/make_fixtures.py); job 3 against an independent GPT-2 tokenizer; the
// random-weight results marked in the JSON and, rendered in Chromium, on the page.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { getEncoding } from 'js-tiktoken';
import { RANDOM_WEIGHTS_NOTE } from '../../src/protocol/result';
import { launchBrowser } from '../helpers/chromium';

const root = join(__dirname, '../..');
const expected = JSON.parse(readFileSync(join(root, 'test/fixtures/demo/expected.json'), 'utf8')) as {
  words: string[]; cosine_a: number[][]; cosine_b: number[][]; coords_b: number[][]; explained_variance_ratio: number[]; vectors_a_first_row: number[];
};
const out = mkdtempSync(join(tmpdir(), 'mechlens-demo-'));
const cache = mkdtempSync(join(tmpdir(), 'mechlens-demo-cache-'));
const names = ['1-compare', '2-tokens', '3-match', '4-attention', '5-contrast'];
let run: ReturnType<typeof spawnSync>;
const read = (name: string) => JSON.parse(readFileSync(join(out, `${name}.json`), 'utf8'));

before(() => {
  const build = spawnSync(process.execPath, [join(root, 'scripts/build.mjs')], { encoding: 'utf8', cwd: root });
  assert.equal(build.status, 0, build.stderr);
  // What `npm run demo` runs, with an empty cache and no network variables to lean on.
  run = spawnSync(process.execPath, [join(root, 'dist/cli.js'), 'demo', '--out', out], { encoding: 'utf8', cwd: root, env: { ...process.env, MECHLENS_CACHE: cache } });
  assert.equal(run.status, 0, String(run.stderr));
});
after(() => {
  rmSync(out, { recursive: true, force: true });
  rmSync(cache, { recursive: true, force: true });
});

function assertClose(actual: number[][], wanted: number[][], tolerance: number, what: string) {
  assert.equal(actual.length, wanted.length, what);
  for (let i = 0; i < wanted.length; i++) {
    for (let j = 0; j < wanted[i].length; j++) {
      assert.ok(Math.abs(actual[i][j] - wanted[i][j]) <= tolerance, `${what}[${i}][${j}]: ${actual[i][j]} vs ${wanted[i][j]}`);
    }
  }
}

test('the demo writes all five results as JSON and HTML, an index linking them, and ends by printing the index path', () => {
  for (const name of names) {
    assert.ok(existsSync(join(out, `${name}.json`)), name);
    assert.ok(existsSync(join(out, `${name}.html`)), name);
  }
  assert.deepEqual(names.map((n) => read(n).job), ['compare', 'tokens', 'match', 'attention', 'contrast']);
  const index = readFileSync(join(out, 'index.html'), 'utf8');
  for (const name of names) {
    assert.ok(index.includes(`href="${name}.html"`), `index links ${name}.html`);
    assert.ok(index.includes(`href="${name}.json"`), `index links ${name}.json`);
  }
  assert.equal(String(run.stdout).trim().split('\n').at(-1), join(out, 'index.html'));
  assert.match(String(run.stderr), /nothing is downloaded/);
});

test('job 1 runs on the packaged GloVe: similarities equal numpy\'s cosines on the package\'s vectors to 1e-4', () => {
  const r = read('1-compare');
  assert.equal(r.a.source.spec, 'glove-6b-100d-packaged');
  assert.equal(r.a.source.dims, 100);
  assert.equal(r.a.source.vocabSize, 341_479);
  assert.deepEqual(r.items, expected.words);
  assertClose(r.a.similarity, expected.cosine_a, 1e-4, 'a.similarity');
  // The values as shipped: float32 of the JSON's decimals, the 100 values only (not the norm or index).
  assert.deepEqual(r.a.vectors[0], expected.vectors_a_first_row.map(Math.fround));
  assert.equal(r.randomWeights, undefined, 'job 1 has no model: it is not marked');
});

test('job 1\'s B is GloVe\'s top 25 principal components fitted on the 50,000 most frequent words, as sklearn fits them, and says so', () => {
  const r = read('1-compare');
  assert.equal(r.b.source.dims, 25);
  assert.match(r.b.source.description, /top 25 principal components \(PCA fitted on the 50,000 most frequent words/);
  assert.match(r.title, /top 25 principal components/);
  assertClose(r.b.similarity, expected.cosine_b, 1e-4, 'b.similarity');
  // The projected vectors themselves, up to each component's sign (sklearn and MechLens fix signs by different rules).
  const written = readFileSync(join(out, 'glove-6b-100d-pca25.txt'), 'utf8').trim().split('\n').map((l) => l.split(' '));
  assert.deepEqual(written.map((f) => f[0]), expected.words);
  const coords = written.map((f) => f.slice(1).map(Number));
  for (let p = 0; p < 25; p++) {
    const sign = Math.sign(coords[0][p]) === Math.sign(expected.coords_b[0][p]) ? 1 : -1;
    for (let i = 0; i < coords.length; i++) assert.ok(Math.abs(sign * coords[i][p] - expected.coords_b[i][p]) < 1e-4, `component ${p}, ${expected.words[i]}`);
  }
  const kept = expected.explained_variance_ratio.reduce((a, b) => a + b, 0);
  assert.ok(r.b.source.description.includes(`keeping ${(100 * kept).toFixed(1)}% of their variance`), r.b.source.description);
});

test('job 3 walks GloVe in frequency order against GPT-2\'s real tokenizer (checked with js-tiktoken)', () => {
  const r = read('3-match');
  const gpt2 = getEncoding('gpt2');
  assert.equal(r.a.spec, 'glove-6b-100d-packaged');
  assert.equal(r.matches.length, 100);
  let last = -1;
  for (const m of r.matches) {
    assert.equal([...m.word].length, 6);
    assert.deepEqual(gpt2.encode(` ${m.word}`), [m.tokenIdB], m.word);
    assert.ok(m.indexA > last, 'in GloVe\'s file order');
    last = m.indexA;
  }
  // Every six-letter word GloVe has before the last match and that is one GPT-2 token was taken.
  assert.equal(r.scanned, last + 1);
});

test('jobs 2, 4, 5 and the comparison of job 3 are marked "random weights" in the JSON', () => {
  for (const name of names.slice(1)) {
    const r = read(name);
    assert.deepEqual(r.randomWeights, { note: RANDOM_WEIGHTS_NOTE, model: 'random-gpt2' }, name);
  }
  assert.equal(read('2-tokens').model.randomWeights, true);
  assert.equal(read('3-match').b.randomWeights, true);
  assert.equal(read('3-match').compare.b.source.randomWeights, true);
  assert.equal(read('4-attention').model.randomWeights, true);
  assert.equal(read('5-contrast').model.randomWeights, true);
  assert.equal(read('2-tokens').tokens.length, 100);
  assert.ok(read('4-attention').sweep.length === 6);
});

test('rendered in Chromium, random-weight reports show the banner and mark every chart card; job 1 shows neither', async () => {
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage();
    for (const name of names) {
      await page.goto(pathToFileURL(join(out, `${name}.html`)).href);
      await page.waitForSelector('[data-rendered="true"]');
      const banner = await page.locator('.ml-random-weights-banner').count();
      const marked = (await page.locator('#app').getAttribute('class'))?.split(' ').includes('ml-random-weights');
      if (name === '1-compare') {
        assert.equal(banner, 0);
        assert.equal(marked, false);
      } else {
        assert.equal(banner, 1, name);
        assert.match(await page.locator('.ml-random-weights-banner').innerText(), /Random weights: shows the pipeline, not findings/);
        assert.equal(marked, true, name);
        const badge = await page.evaluate('getComputedStyle(document.querySelector(".ml-card-title"), "::after").content');
        assert.equal(badge, '"random weights"', name);
      }
    }
  } finally {
    await browser.close();
  }
});
