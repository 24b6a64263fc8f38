// Cancelling a run at each long step ends with the typed CancelledError, and a run started right
// after (same process, same caches and sessions) works and gives exactly the uncancelled result.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CancelledError } from '../../src/core/errors';
import type { Progress } from '../../src/core/run-control';
import { runCompare, type CompareInput } from '../../src/core/analyses/compare';
import { syntheticSpaces } from '../../src/core/analyses/demo-vectors';
import { writeVectorFile } from '../../src/core/vectors';
import { writeRandomGpt2Checkpoint } from '../../src/core/models/random-checkpoint';
import { captureActivations } from '../../src/core/models/capture';
import { tsne } from '../../src/core/layout/tsne';
import { pca } from '../../src/core/layout/pca';
import { dbscan, kmeans } from '../../src/core/cluster';
import { representationalSimilarity } from '../../src/core/stats/rsa';
import { cosineSimilarityMatrix } from '../../src/core/stats/similarity';
import type { Matrix } from '../../src/core/matrix';
import { runContrast, type ContrastInput } from '../../src/core/analyses/contrast';
import { WorkerPool } from '../../src/core/worker/client';
import { manualClock } from '../helpers/manual-clock';

let tmp = '';
let modelDir = '';
let wordsPath = '';
let vectorsA = '';
let vectorsB = '';
let points: Matrix<Float32Array>;

const CATEGORIES = ['space', 'fruit', 'tools', 'animals'];

before(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mechlens-cancel-'));
  process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));
  modelDir = path.join(tmp, 'gpt2-tiny');
  writeRandomGpt2Checkpoint(modelDir, { nLayer: 2, nEmbd: 32, nHead: 4, seed: 3 });
  const words: string[] = [];
  const categories: string[] = [];
  let text = '';
  for (const c of CATEGORIES) {
    text += `[${c}]\n`;
    for (let i = 0; i < 15; i++) { words.push(`${c}${i}`); categories.push(c); text += `${c}${i}\n`; }
  }
  wordsPath = path.join(tmp, 'w.words');
  fs.writeFileSync(wordsPath, text);
  const [a, b] = syntheticSpaces(words, categories, [20, 30], 11);
  vectorsA = path.join(tmp, 'a.txt');
  vectorsB = path.join(tmp, 'b.txt');
  await writeVectorFile(vectorsA, words, a.vectors, 'glove-text');
  await writeVectorFile(vectorsB, words, b.vectors, 'word2vec-binary');
  points = a.vectors;
});

/** A control whose signal is aborted by the first progress message that matches. */
function abortOn(pattern: RegExp): { signal: AbortSignal; onProgress: (p: Progress) => void; seen: string[] } {
  const controller = new AbortController();
  const seen: string[] = [];
  return {
    signal: controller.signal,
    seen,
    onProgress: (p) => { seen.push(p.message); if (pattern.test(p.message)) controller.abort(); },
  };
}

function isCancelled(e: unknown): boolean {
  return e instanceof CancelledError && e.code === 'cancelled';
}

/** The result without the fields that differ from run to run by design (time stamps). */
function stable<T extends { run: { createdAt: string; durationMs: number } }>(r: T): unknown {
  return { ...r, run: { ...r.run, createdAt: '', durationMs: 0 } };
}

test('capture: cancelled between inference batches, then the same capture works and matches', async () => {
  const inputs = ['I saw him at the market.', 'She told her a story.', 'The moon is bright.', 'A pear and an apple.', 'Chairs and tables.', 'Hello there.'];
  // Rows as wide as the longest text and one row per batch, so there are several batches.
  const common = { provider: 'cpu', threads: 1, batchSize: 1, rowTokens: 1 } as const;
  const progress: string[] = [];
  const reference = await captureActivations(modelDir, inputs, ['blocks.1.mlp.hook_pre'], 'last', { ...common, onProgress: (p) => progress.push(p.message) });
  assert.ok(progress.some((m) => /batch 3 of/.test(m)), progress.join('; '));
  const control = abortOn(/batch 1 of/);
  await assert.rejects(captureActivations(modelDir, inputs, ['blocks.1.mlp.hook_pre'], 'last', { ...common, ...control }), isCancelled);
  assert.ok(!control.seen.some((m) => /batch 2 of/.test(m)), 'no batch ran after the abort');
  const again = await captureActivations(modelDir, inputs, ['blocks.1.mlp.hook_pre'], 'last', common);
  assert.deepEqual(again.activations['blocks.1.mlp.hook_pre'].data, reference.activations['blocks.1.mlp.hook_pre'].data);
});

test('compare with a model source: cancelled after tokenizing, before inference; the next run matches', async () => {
  const input: CompareInput = { wordsPath, a: `vectors:${vectorsA}`, b: `model:${modelDir}#blocks.0.attn.hook_q`, map: false, permutations: 50, template: 'The word is {word}' };
  const oneToken = path.join(tmp, 'single.words');
  // Words that are single GPT-2 tokens after "The word is".
  fs.writeFileSync(oneToken, '[space]\nmoon\nstar\nplanet\n[fruit]\napple\npear\nlemon\n');
  const [a] = syntheticSpaces(['moon', 'star', 'planet', 'apple', 'pear', 'lemon'], ['space', 'space', 'space', 'fruit', 'fruit', 'fruit'], [8], 2);
  const smallA = path.join(tmp, 'small-a.txt');
  await writeVectorFile(smallA, a.words, a.vectors, 'glove-text');
  const run = { ...input, wordsPath: oneToken, a: `vectors:${smallA}` };
  const reference = await runCompare(run);
  const control = abortOn(/^Running .* on 6 prompts/);
  await assert.rejects(runCompare(run, control), isCancelled);
  assert.ok(control.seen.some((m) => /^Running /.test(m)), control.seen.join('; '));
  assert.ok(!control.seen.some((m) => /batch/.test(m)), 'the session never ran');
  assert.deepEqual(stable(await runCompare(run)), stable(reference));
});

test('t-SNE: cancelled from its progress, then the same seed gives the uncancelled map', () => {
  const options = { perplexity: 10, iterations: 300, seed: 4, method: 'exact' } as const;
  const reference = tsne(points, options);
  const control = abortOn(/t-SNE iteration/);
  assert.throws(() => tsne(points, options, control), isCancelled);
  assert.ok(control.seen.filter((m) => /t-SNE iteration/.test(m)).length === 1);
  assert.deepEqual(tsne(points, options).coords, reference.coords);
});

test('DBSCAN and k-means: cancelled from their progress, then rerun to the same labels', () => {
  // 600 points in 20 dims: DBSCAN takes the pairwise path, which checks the signal every 256 rows.
  const many: Matrix<Float32Array> = { rows: 600, cols: 20, data: new Float32Array(600 * 20) };
  for (let r = 0; r < 10; r++) many.data.set(points.data, r * points.data.length);
  for (let i = 0; i < many.data.length; i++) many.data[i] += ((i * 7919) % 101) / 1000;
  const dbscanOptions = { eps: 2.5, minSamples: 4 };
  const labels = dbscan(many, dbscanOptions);
  assert.throws(() => dbscan(many, dbscanOptions, abortOn(/DBSCAN neighbourhoods/)), isCancelled);
  assert.deepEqual(dbscan(many, dbscanOptions), labels);

  const kmeansOptions = { k: 4, nInit: 5, seed: 9 };
  const clusters = kmeans(points, kmeansOptions);
  const control = abortOn(/k-means run 1 of 5/);
  assert.throws(() => kmeans(points, kmeansOptions, control), isCancelled);
  assert.deepEqual(kmeans(points, kmeansOptions), clusters);
});

test('RSA permutation test: cancelled mid-way, then rerun to the same p-value', () => {
  const a = cosineSimilarityMatrix(points).similarity;
  const [, other] = syntheticSpaces(Array.from({ length: points.rows }, (_, i) => `w${i}`), Array.from({ length: points.rows }, (_, i) => CATEGORIES[i % 4]), [20, 12], 11);
  const b = cosineSimilarityMatrix(other.vectors).similarity;
  const options = { permutations: 2000, seed: 5 };
  const reference = representationalSimilarity(a, b, options);
  const control = abortOn(/RSA permutation 1000 of 2000/);
  assert.throws(() => representationalSimilarity(a, b, { ...options, ...control }), isCancelled);
  assert.deepEqual(representationalSimilarity(a, b, options), reference);
  assert.ok(reference.pValue! > 0 && reference.pValue! <= 1);
});

test('compare job: cancelled when its permutation test starts and during t-SNE; the next run equals an uncancelled one', async () => {
  const input: CompareInput = { wordsPath, a: `vectors:${vectorsA}`, b: `vectors:${vectorsB}`, permutations: 500, seed: 2, map: { perplexity: 10 } };
  const reference = await runCompare(input);
  const atRsa = abortOn(/^RSA with 500 permutations/);
  await assert.rejects(runCompare(input, atRsa), isCancelled);
  assert.ok(!atRsa.seen.some((m) => /t-SNE/.test(m)), 'nothing after the RSA step ran');
  const inTsne = abortOn(/t-SNE iteration/);
  await assert.rejects(runCompare(input, inTsne), isCancelled);
  assert.deepEqual(stable(await runCompare(input)), stable(reference));
});

/** Many short sentences, so that tokenizing them spans several cancel checks (one per 256 inputs). */
function manySentences(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `Sentence ${i} says that the ${CATEGORIES[i % 4]} number ${i * 7} is here.`);
}

test('capture: cancelled while the tokenizer works, before any batch; the same capture then works and matches', async () => {
  const inputs = manySentences(2000);
  const common = { provider: 'cpu', threads: 1, batchSize: 256 } as const;
  const reference = await captureActivations(modelDir, inputs, ['blocks.0.mlp.hook_pre'], 'last', common);
  // Abort on the second tokenizing line (input 257): the check before input 513 must stop it.
  const control = abortOn(/^Tokenizing input 257 of 2000/);
  await assert.rejects(captureActivations(modelDir, inputs, ['blocks.0.mlp.hook_pre'], 'last', { ...common, ...control }), isCancelled);
  assert.deepEqual(control.seen.filter((m) => /^Tokenizing/.test(m)), ['Tokenizing input 1 of 2000', 'Tokenizing input 257 of 2000'], control.seen.join('; '));
  assert.ok(!control.seen.some((m) => /batch/.test(m)), 'no inference batch ran');
  const again = await captureActivations(modelDir, inputs, ['blocks.0.mlp.hook_pre'], 'last', common);
  assert.deepEqual(again.activations['blocks.0.mlp.hook_pre'].data, reference.activations['blocks.0.mlp.hook_pre'].data);
});

test('contrast job in a worker thread: cancelled while tokenizing, the task stops itself (its thread is kept) and the next run equals an uncancelled one', async () => {
  const sentences = manySentences(600);
  const sentencesPath = path.join(tmp, 'many.sentences');
  fs.writeFileSync(sentencesPath, `[him]\n${sentences.slice(0, 300).map((s) => `${s} I saw {him}.`).join('\n')}\n[her]\n${sentences.slice(300).map((s) => `${s} I saw {her}.`).join('\n')}\n`);
  const input: ContrastInput = { sentencesPath, model: modelDir, hook: 'blocks.0.mlp.hook_pre', shuffles: 0, seed: 1 };
  // A clock that never moves: the grace never runs out, so the thread is abandoned only if the task
  // never stops by itself, and the outcome does not depend on how busy the machine is.
  const pool = new WorkerPool({ schedule: manualClock().schedule });
  try {
    const control = abortOn(/^Tokenizing input 257 of 600/);
    await assert.rejects(pool.run('contrast', input, control), isCancelled);
    // Progress lines are posted before the answer, so a tokenizer that ran on would show input 513.
    assert.deepEqual(control.seen.filter((m) => /^Tokenizing/.test(m)), ['Tokenizing input 1 of 600', 'Tokenizing input 257 of 600'], control.seen.join('; '));
    assert.ok(!control.seen.some((m) => /batch/.test(m)), 'no inference batch ran');
    assert.deepEqual(pool.stats, { idle: 1, busy: 0, started: 1, discarded: 0, abandoned: 0, expired: 0 }, 'the thread was kept, not abandoned');
    const next = await pool.run('contrast', input);
    assert.deepEqual(stable(next), stable(await runContrast(input)));
    assert.equal(pool.stats.started, 1, 'the same thread ran the next job');
  } finally {
    await pool.shutdown();
  }
});

// PCA of the GPT-2 vocabulary takes seconds (the embed2d and tokens PCA, t-SNE's PCA of wide inputs):
// it checks the signal between its passes over X, so a cancel lands within one GEMM, and a rerun is unchanged.
test('randomized PCA stops between its power iterations when cancelled; the same PCA right after is unchanged', () => {
  const rows = 600, cols = 80;
  const data = new Float64Array(rows * cols);
  for (let i = 0; i < data.length; i++) data[i] = Math.sin(i * 0.37) + ((i * 7919) % 13) / 13;
  const x: Matrix = { rows, cols, data };
  const options = { components: 2, solver: 'randomized' as const, seed: 3 };
  const reference = pca(x, options);
  // A signal that turns aborted at its fourth reading: after the centring, inside the power iterations.
  let readings = 0;
  const signal = { get aborted() { return ++readings >= 4; } } as AbortSignal;
  assert.throws(() => pca(x, options, { signal }), CancelledError);
  assert.equal(readings, 4, 'stopped at the first check after the signal turned');
  assert.deepEqual(pca(x, options).coords.data, reference.coords.data);
});
