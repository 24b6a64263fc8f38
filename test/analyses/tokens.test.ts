// Job 2 on a seeded random checkpoint: the rows, Gram matrix, norms, PCA map and DBSCAN groups must
// equal numpy/scikit-learn on the same wte rows (test/fixtures/tokens: dump-rows.ts + make_fixtures.py);
// token lists honour the leading-space option and name the pieces of words that are not one token.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTokens } from '../../src/core/analyses/tokens';
import { parseNpy } from '../../src/core/io/matrix-files';
import { writeRandomGpt2Checkpoint } from '../../src/core/models/random-checkpoint';
import { FIXTURE_CHECKPOINT, FIXTURE_FIRST } from '../fixtures/tokens/dump-rows';

const fixtures = join(__dirname, '../fixtures/tokens');
const expected = JSON.parse(readFileSync(join(fixtures, 'expected.json'), 'utf8'));
const rows = parseNpy(readFileSync(join(fixtures, 'rows.regression.npy')));
let model = '';
let tmp = '';

before(() => {
  tmp = mkdtempSync(join(tmpdir(), 'mechlens-tokens-'));
  model = join(tmp, 'gpt2-tiny');
  writeRandomGpt2Checkpoint(model, FIXTURE_CHECKPOINT);
});

const near = (a: number, b: number, tol: number) => Math.abs(a - b) <= tol;

test('the first 40 tokens: rows, Gram E·Eᵀ and norms equal numpy; PCA map and DBSCAN equal scikit-learn', async () => {
  const r = await runTokens({ model, first: FIXTURE_FIRST, method: 'pca', eps: expected.eps, minSamples: 3 });
  assert.equal(r.job, 'tokens');
  assert.deepEqual(r.tokenIds, Array.from({ length: FIXTURE_FIRST }, (_, i) => i));
  assert.deepEqual(r.tokens.slice(0, 4), ['!', '"', '#', '$']);
  assert.equal(r.dims, rows.cols);
  assert.deepEqual(r.selection, { kind: 'first', first: FIXTURE_FIRST });
  r.embeddings!.forEach((row, i) => row.forEach((v, k) => assert.equal(v, rows.data[i * rows.cols + k], `row ${i},${k}`)));
  const scale = Math.max(...expected.gram.flat().map(Math.abs));
  r.gram!.forEach((row, i) => row.forEach((v, j) => assert.ok(near(v, expected.gram[i][j], 1e-12 * scale), `gram ${i},${j}: ${v} vs ${expected.gram[i][j]}`)));
  r.norms.forEach((v, i) => assert.ok(near(v, expected.norms[i], 1e-12), `norm ${i}`));
  r.coords.forEach(([x, y], i) => {
    assert.ok(near(x, expected.pcaCoords[i][0], 1e-7) && near(y, expected.pcaCoords[i][1], 1e-7), `pca ${i}: ${x},${y} vs ${expected.pcaCoords[i]}`);
  });
  r.map.explainedVarianceRatio!.forEach((v, i) => assert.ok(near(v, expected.pcaExplainedVarianceRatio[i], 1e-9)));
  assert.deepEqual(r.labels, expected.dbscanLabels);
  // Groups and the ungrouped list partition the tokens, with centroids on the map.
  for (const c of r.clusters) {
    const idx = r.labels.flatMap((l, i) => (l === c.label ? [i] : []));
    assert.deepEqual(c.indices, idx);
    assert.deepEqual(c.members, idx.map((i) => r.tokens[i]));
    assert.deepEqual(c.tokenIds, idx.map((i) => r.tokenIds[i]));
    [0, 1].forEach((k) => assert.ok(near(c.centroid[k], idx.reduce((s, i) => s + expected.pcaCoords[i][k], 0) / idx.length, 1e-7)));
  }
  const noise = expected.dbscanLabels.flatMap((l: number, i: number) => (l < 0 ? [i] : []));
  assert.deepEqual(r.ungrouped.indices, noise);
  assert.deepEqual(r.ungrouped.tokens, noise.map((i: number) => r.tokens[i]));
  assert.equal(r.clusters.length, Math.max(...expected.dbscanLabels) + 1);
});

test('t-SNE map with the notebook defaults is seeded, reported, and clustered with min_samples 3 and eps from the map\'s spacing (an explicit eps 7 is kept)', async () => {
  const { autoEps } = await import('../../src/core/analyses/embedding-map');
  const { fromJson } = await import('../../src/core/matrix');
  const once = await runTokens({ model, first: 30, iterations: 250 });
  const again = await runTokens({ model, first: 30, iterations: 250 });
  assert.equal(once.method, 'tsne');
  assert.deepEqual(once.coords, again.coords);
  assert.equal(once.coords.length, 30);
  assert.equal(once.map.perplexity, 5);
  assert.equal(once.map.eps, autoEps(fromJson(once.coords), 3, 0));
  assert.equal(once.run.options.epsChosen, 'auto');
  assert.equal(once.map.minSamples, 3);
  const given = await runTokens({ model, first: 30, iterations: 250, eps: 7 });
  assert.deepEqual([given.map.eps, given.run.options.eps, given.run.options.epsChosen], [7, 7, 'given']);
  assert.ok(Number.isFinite(once.map.kl));
  const covered = [...once.clusters.flatMap((c) => c.indices), ...once.ungrouped.indices].sort((a, b) => a - b);
  assert.deepEqual(covered, Array.from({ length: 30 }, (_, i) => i));
});

test('above the matrix cap the rows and Gram matrix are left out with a note; the map still covers every token', async () => {
  const r = await runTokens({ model, first: 40, method: 'pca', matrixCap: 10 });
  assert.equal(r.embeddings, null);
  assert.equal(r.gram, null);
  assert.equal(r.norms.length, 40);
  assert.equal(r.coords.length, 40);
  assert.ok(r.warnings.some((w) => w.includes('left out of the result')), r.warnings.join('\n'));
});

test('token lists: leading space with / without / either, ␣ marks, pieces of multi-token words, repeats kept once', async () => {
  const entries = ['the', 'planet', '␣of', 'starfruit', 'ations', 'the'];
  const frozen = [...entries];
  const withSpace = await runTokens({ model, tokens: entries, leadingSpace: 'with', iterations: 250 });
  assert.deepEqual(entries, frozen, 'input not mutated');
  assert.deepEqual(withSpace.tokens, ['␣the', '␣planet', '␣of']);
  assert.deepEqual(withSpace.tokenIds, [262, 5440, 286]);
  assert.deepEqual(withSpace.missing, [{ word: 'starfruit', pieces: ['␣star', 'fruit'] }, { word: 'ations', pieces: ['␣at', 'ions'] }]);
  assert.ok(withSpace.warnings.includes('"starfruit" is not a single token: ␣star|fruit; left out.'), withSpace.warnings.join('\n'));
  assert.ok(withSpace.warnings.some((w) => w.startsWith('"the" is the same token as "the"')));

  const without = await runTokens({ model, tokens: entries, leadingSpace: 'without', iterations: 250 });
  assert.deepEqual(without.tokens, ['the', 'planet', '␣of', 'ations']);
  assert.deepEqual(without.tokenIds, [1169, 47427, 286, 602]);

  const either = await runTokens({ model, tokens: entries, leadingSpace: 'either', iterations: 250 });
  assert.deepEqual(either.tokens, ['␣the', '␣planet', '␣of', 'ations']);
  assert.ok(either.warnings.includes('"starfruit" is not a single token: ␣star|fruit or star|fruit; left out.'), either.warnings.join('\n'));
});

test('a token list file skips comments, blank lines and [headers]', async () => {
  const file = join(tmp, 'list.tokens');
  writeFileSync(file, '\uFEFF# tokens to map\n[space]\nmoon\n\nstar\n[fruit]\napple\npear\n');
  const r = await runTokens({ model, tokensPath: file, iterations: 250 });
  assert.deepEqual(r.tokens, ['␣moon', '␣star', '␣apple', '␣pear']);
  assert.deepEqual(r.selection, { kind: 'list', path: file, leadingSpace: 'with' });
  assert.equal(r.inputs.tokens, file);
});

test('bad inputs name the input and the fix', async () => {
  await assert.rejects(runTokens({ model, first: 10, tokens: ['the'] }), /either the first N tokens or a token list.*Drop --first or --tokens/);
  await assert.rejects(runTokens({ model, first: 0 }), /first: the number of tokens must be a whole number ≥ 1, got 0.*--first 100/);
  await assert.rejects(runTokens({ model, tokens: ['starfruit', 'watermelon'] }), /none of the 2 entries is a single token/);
  await assert.rejects(runTokens({ model, tokensPath: join(tmp, 'nope.txt') }), /nope\.txt: File not found\. Check the path/);
  // Read as strictly as word lists: a NUL byte or invalid UTF-8 names its line.
  writeFileSync(join(tmp, 'nul.tokens'), 'moon\nst\u0000ar\n');
  await assert.rejects(runTokens({ model, tokensPath: join(tmp, 'nul.tokens') }), /nul\.tokens:2: Unreadable line: it contains the control character U\+0000 at column 3/);
  writeFileSync(join(tmp, 'latin1.tokens'), Buffer.from([0x6d, 0x6f, 0x6f, 0x6e, 0x0a, 0x63, 0x61, 0x66, 0xe9, 0x0a]));
  await assert.rejects(runTokens({ model, tokensPath: join(tmp, 'latin1.tokens') }), /latin1\.tokens:2/);
  await assert.rejects(runTokens({ model, first: 5, eps: 0 }), /eps: DBSCAN eps must be positive/);
  await assert.rejects(runTokens({ model: join(tmp, 'no-model') }), /no-model/);
});

test('a PCA map without eps gets DBSCAN eps from the points\' spacing (sampled k-distance = the full one for small N)', async () => {
  const { autoEps } = await import('../../src/core/analyses/embedding-map');
  const { fromJson } = await import('../../src/core/matrix');
  const r = await runTokens({ model, first: FIXTURE_FIRST, method: 'pca' });
  const coords = fromJson(r.coords);
  assert.equal(r.run.options.epsChosen, 'auto');
  assert.equal(r.run.options.eps, r.map.eps);
  // Each point's distance to its 2nd nearest neighbour, by brute force: the full eps is 1.5 × their median.
  const kth = r.coords.map(([x, y], i) => r.coords.filter((_, j) => j !== i).map(([u, v]) => Math.hypot(u - x, v - y)).sort((a, b) => a - b)[1]);
  const sorted = [...kth].sort((a, b) => a - b);
  const median = sorted.length % 2 ? sorted[(sorted.length - 1) / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
  assert.ok(near(r.map.eps, 1.5 * median, 1e-15), `${r.map.eps} vs ${1.5 * median}`);
  // Sampling 21 of 40 points (odd, so the median is one point's): 1.5 × some point's distance to its 2nd neighbour.
  const sampled = autoEps(coords, 3, 1, 21);
  assert.ok(kth.some((d) => near(1.5 * d, sampled, 1e-15)), `${sampled} is not 1.5 × a k-distance`);
  assert.ok(sampled >= 1.5 * Math.min(...kth) && sampled <= 1.5 * Math.max(...kth));
  assert.equal(autoEps(coords, 3, 1, 21), sampled, 'seeded');
});
