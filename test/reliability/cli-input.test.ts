// Hostile numbers through the built CLI (issue 19, defects 6, 7 and 10): NaN cells in matrix files and
// NaN weights, unbounded or oddly written counts, and Ctrl-C during long loops. Each gets one clean line
// that names the input and the fix, or a warning naming the hook; nothing runs on silently.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { builtCli, repoRoot } from '../helpers/cli';
import { formatNpy } from '../../src/core/io/matrix-files';
import { writeRandomGpt2Checkpoint } from '../../src/core/models/random-checkpoint';
import { createRandom } from '../../src/core/random';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mechlens-cli-input-'));
const env = { ...process.env, NODE_OPTIONS: '', NODE_PATH: path.join(repoRoot, 'node_modules'), MECHLENS_EXECUTION_PROVIDER: 'cpu' };
const mechlens = (...args: string[]) => spawnSync(process.execPath, [builtCli(), ...args], { encoding: 'utf8', cwd: tmp, env });
const file = (name: string) => path.join(tmp, name);
const lines = (stderr: string) => stderr.trim().split('\n');

/** Three blobs in 6-D; the points file with one NaN at row 4, column 3 (1-based). */
function points(n = 60, d = 6): Float32Array {
  const random = createRandom(5);
  const data = new Float32Array(n * d);
  for (let i = 0; i < n; i++) for (let c = 0; c < d; c++) data[i * d + c] = (c === i % 3 ? 8 : 0) + random.gaussian();
  return data;
}

before(() => {
  const data = points();
  fs.writeFileSync(file('points.npy'), formatNpy({ rows: 60, cols: 6, data }));
  const bad = Float32Array.from(data);
  bad[3 * 6 + 2] = NaN;
  fs.writeFileSync(file('nan.npy'), formatNpy({ rows: 60, cols: 6, data: bad }));
  fs.writeFileSync(file('nan.csv'), 'a,b,c\n1,2,3\n4,nan,6\n7,8,9\n10,11,12\n');
  fs.writeFileSync(file('inf.tsv'), '1\t2\n3\tInfinity\n5\t6\n7\t8\n');
});
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

test('a NaN cell in a matrix file stops embed2d (PCA, t-SNE, UMAP) and cluster (k-means, DBSCAN) with one line naming file, row and column', () => {
  const runs: string[][] = [
    ['embed2d', '--matrix', file('nan.npy'), '--method', 'pca'],
    ['embed2d', '--matrix', file('nan.npy'), '--method', 'tsne'],
    ['embed2d', '--matrix', file('nan.npy'), '--method', 'umap'],
    ['cluster', '--points', file('nan.npy'), '--method', 'kmeans', '--k', '3'],
    ['cluster', '--points', file('nan.npy'), '--method', 'dbscan', '--eps', '2'],
  ];
  for (const args of runs) {
    const out = file(`${args[0]}-${args[4]}.json`);
    const r = mechlens(...args, '--json', out);
    assert.equal(r.status, 1, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(lines(r.stderr).length, 1, `${args.join(' ')}: one error line: ${r.stderr}`);
    assert.match(lines(r.stderr)[0], /^mechlens: .*nan\.npy: value NaN at row 4, column 3 is not a finite number\. .*nan_to_num/);
    assert.ok(!fs.existsSync(out), 'no result written');
  }
  const csv = mechlens('cluster', '--points', file('nan.csv'), '--method', 'kmeans', '--k', '2', '--json', file('csv.json'));
  assert.equal(csv.status, 1);
  assert.match(csv.stderr, /nan\.csv: value NaN at row 2, column 2 is not a finite number/);
  const tsv = mechlens('embed2d', '--matrix', file('inf.tsv'), '--method', 'pca', '--json', file('tsv.json'));
  assert.equal(tsv.status, 1);
  assert.match(tsv.stderr, /inf\.tsv: value Infinity at row 2, column 2 is not a finite number/);
  // The same file without the NaN still runs.
  const ok = mechlens('cluster', '--points', file('points.npy'), '--method', 'kmeans', '--k', '3', '--json', file('ok.json'));
  assert.equal(ok.status, 0, ok.stderr);
  assert.equal(new Set(JSON.parse(fs.readFileSync(file('ok.json'), 'utf8')).labels).size, 3);
});

/** Overwrites the first value of one tensor of a safetensors file with NaN (F32). */
function poisonTensor(safetensors: string, tensor: string): void {
  const bytes = fs.readFileSync(safetensors);
  const headerLength = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + headerLength).toString('utf8')) as Record<string, { dtype: string; data_offsets: [number, number] }>;
  const info = header[tensor];
  assert.equal(info?.dtype, 'F32', `${tensor} is F32`);
  bytes.writeFloatLE(NaN, 8 + headerLength + info.data_offsets[0]);
  fs.writeFileSync(safetensors, bytes);
}

test('activations on NaN weights: still written (as null), with a warning that names the hook and the model', () => {
  const model = file('nan-gpt2');
  writeRandomGpt2Checkpoint(model, { nLayer: 2, nEmbd: 32, nHead: 2, nPositions: 32, seed: 4 });
  poisonTensor(path.join(model, 'model.safetensors'), 'h.1.ln_1.weight');
  const out = file('act.json');
  const hook = 'blocks.1.hook_resid_post';
  const r = mechlens('activations', '--model', model, '--hook', hook, '--text', 'The cat sat', '--json', out);
  assert.equal(r.status, 0, r.stderr);
  const warning = lines(r.stderr).filter((l) => l.startsWith('warning:'));
  assert.equal(warning.length, 1, r.stderr);
  assert.match(warning[0], new RegExp(`^warning: ${hook.replace(/\./g, '\\.')}: 32 of 32 values are NaN or infinite .*Check the weights of .*nan-gpt2`));
  const json = JSON.parse(fs.readFileSync(out, 'utf8'));
  assert.ok(json.activations[0].every((v: unknown) => v === null));
  assert.ok(json.warnings.some((w: string) => w.startsWith(hook)));
  // An earlier hook, before the NaN weight, is clean and gets no warning.
  const clean = mechlens('activations', '--model', model, '--hook', 'blocks.0.hook_resid_post', '--text', 'The cat sat', '--json', file('act0.json'));
  assert.equal(clean.status, 0, clean.stderr);
  assert.doesNotMatch(clean.stderr, /NaN/);
});

test('numbers out of range say the allowed range; hex, binary and Infinity are refused; --permutations has an upper bound with an estimate', () => {
  const words = path.join(repoRoot, 'samples/space-furniture-fruit.words');
  const vectors = `vectors:${path.join(repoRoot, 'test/fixtures/compare/a.glove.txt')}`;
  const cases: [string[], RegExp][] = [
    [['compare', '--words', words, '--a', vectors, '--b', vectors, '--permutations', '0x10'], /^mechlens: mechlens compare: --permutations must be a whole number from 0 to 1000000 \(decimal digits only\), got "0x10"\.$/],
    [['compare', '--words', words, '--a', vectors, '--b', vectors, '--permutations', '1e20'], /--permutations must be a whole number from 0 to 1000000, got "1e20" \(that would take about [\d.e+]+ years for 100 words; 1000 gives p to 0\.001\)/],
    [['compare', '--words', words, '--a', vectors, '--b', vectors, '--permutations', '-1'], /--permutations must be a whole number from 0 to 1000000, got "-1"/],
    [['compare', '--words', words, '--a', vectors, '--b', vectors, '--seed', '0b11'], /--seed must be a whole number \(decimal digits only\), got "0b11"/],
    [['cluster', '--points', file('points.npy'), '--method', 'kmeans', '--k', '0'], /--k must be a whole number of at least 1, got "0"/],
    [['cluster', '--points', file('points.npy'), '--method', 'dbscan', '--eps', 'Infinity'], /--eps must be a number greater than 0 \(decimal digits only\), got "Infinity"/],
    [['embed2d', '--matrix', file('points.npy'), '--perplexity', '-3'], /--perplexity must be a number greater than 0, got "-3"/],
  ];
  for (const [args, message] of cases) {
    const r = mechlens(...args, '--json', file('x.json'));
    assert.equal(r.status, 1, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(lines(r.stderr).length, 1, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr.trim(), message);
  }
  assert.ok(!fs.existsSync(file('x.json')));
});

/** Waits for a line on the child's stderr matching `ready`, sends SIGINT, and times the exit. */
function interruptWhen(args: string[], ready: RegExp): Promise<{ code: number | null; stderr: string; afterSignalMs: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [builtCli(), ...args], { cwd: tmp, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '', sentAt = 0;
    const failsafe = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`no "${ready}" line, or no exit after SIGINT: ${stderr}`)); }, 120_000);
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderr += chunk;
      if (!sentAt && ready.test(stderr)) { sentAt = Date.now(); child.kill('SIGINT'); }
    });
    child.on('exit', (code) => { clearTimeout(failsafe); resolve({ code, stderr, afterSignalMs: sentAt ? Date.now() - sentAt : -1 }); });
  });
}

function assertCancelled(run: { code: number | null; stderr: string; afterSignalMs: number }, out: string): void {
  assert.ok(run.afterSignalMs >= 0, `the progress line came: ${run.stderr}`);
  assert.equal(run.code, 130, run.stderr);
  // A second is the aim; the bound allows for a loaded machine, not for the 30 s the loop would run.
  assert.ok(run.afterSignalMs < 6000, `exited ${run.afterSignalMs} ms after SIGINT`);
  const last = lines(run.stderr).at(-1);
  assert.equal(last, 'mechlens: cancelled (Ctrl-C); no result was written.');
  assert.doesNotMatch(run.stderr, /internal error|at .*\.js:\d+/);
  assert.ok(!fs.existsSync(out), 'no result written');
}

test('Ctrl-C during the RSA permutation loop of compare stops it within seconds with one line and exit 130', async () => {
  const random = createRandom(9);
  const words = Array.from({ length: 300 }, (_, i) => `w${i}`);
  fs.writeFileSync(file('many.words'), `${words.join('\n')}\n`);
  const vector = () => Array.from({ length: 10 }, () => random.gaussian().toFixed(4)).join(' ');
  fs.writeFileSync(file('a.txt'), words.map((w) => `${w} ${vector()}`).join('\n') + '\n');
  fs.writeFileSync(file('b.txt'), words.map((w) => `${w} ${vector()}`).join('\n') + '\n');
  const out = file('compare.json');
  // 300 words, 44,850 pairs, a million permutations: many minutes of one synchronous loop.
  const run = await interruptWhen(['compare', '--words', file('many.words'), '--a', `vectors:${file('a.txt')}`, '--b', `vectors:${file('b.txt')}`,
    '--permutations', '1000000', '--no-map', '--json', out], /RSA with 1000000 permutations/);
  assertCancelled(run, out);
});

test('Ctrl-C during t-SNE of embed2d stops it within seconds with one line and exit 130', async () => {
  const n = 4000, d = 20;
  const random = createRandom(2);
  const data = new Float32Array(n * d).map(() => random.gaussian());
  fs.writeFileSync(file('big.npy'), formatNpy({ rows: n, cols: d, data }));
  const out = file('tsne.json');
  const run = await interruptWhen(['embed2d', '--matrix', file('big.npy'), '--json', out], /t-SNE|nearest|perplexity/i);
  assertCancelled(run, out);
});

test('Ctrl-C reaches a CLI that relaunched itself for huge pages (input over 16 MiB): one line and exit 130', async () => {
  const n = 5600, d = 768;
  const random = createRandom(3);
  const data = new Float32Array(n * d).map(() => random.gaussian());
  fs.writeFileSync(file('large.npy'), formatNpy({ rows: n, cols: d, data }));
  const out = file('tsne-large.json');
  const run = await interruptWhen(['embed2d', '--matrix', file('large.npy'), '--json', out], /t-SNE|nearest|perplexity/i);
  assertCancelled(run, out);
});

// Terminating a thread inside onnxruntime aborts the process (exit 134), so a cancelled task's thread
// is abandoned and ended only when its native call returns (core/worker/client.ts). Several runs each,
// since the signal lands at a different point of the call every time.
test('Ctrl-C during t-SNE\'s neighbour search (GEMM tiles in onnxruntime) exits 130 with one line, run after run', async () => {
  const n = 12000, d = 64;
  const random = createRandom(3);
  fs.writeFileSync(file('knn.npy'), formatNpy({ rows: n, cols: d, data: new Float32Array(n * d).map(() => random.gaussian()) }));
  for (let attempt = 0; attempt < 3; attempt++) {
    const out = file(`knn-${attempt}.json`);
    assertCancelled(await interruptWhen(['embed2d', '--matrix', file('knn.npy'), '--json', out], /Finding nearest neighbours/), out);
  }
});

test('Ctrl-C during a model run (inside an onnxruntime session) exits 130 with one line, run after run', async () => {
  const modelDir = file('ctrl-c-model');
  writeRandomGpt2Checkpoint(modelDir, { nLayer: 2, nEmbd: 128, nHead: 4, seed: 4 });
  const sentence = (i: number, target: string) => `Sentence ${i} is about the ${['moon', 'pear', 'chair'][i % 3]} and goes on for a few more words, and I saw {${target}}.`;
  const half = (from: number, target: string) => Array.from({ length: 300 }, (_, i) => sentence(from + i, target)).join('\n');
  fs.writeFileSync(file('ctrl-c.sentences'), `[him]\n${half(0, 'him')}\n[her]\n${half(300, 'her')}\n`);
  for (let attempt = 0; attempt < 3; attempt++) {
    const out = file(`ctrl-c-${attempt}.json`);
    const run = await interruptWhen(['contrast', '--sentences', file('ctrl-c.sentences'), '--model', modelDir, '--hook', 'blocks.1.mlp.hook_pre', '--json', out], /batch 2 of/);
    assertCancelled(run, out);
  }
});

test('the lower-case fallback is said once per file, naming it, even when A and B are the same file', () => {
  fs.writeFileSync(file('drizzle.words'), '[weather]\nDrizzle\nRain\nsnow\n[sky]\nsun\nmoon\nstar\n');
  fs.writeFileSync(file('lower.txt'), 'drizzle 1 2 3\nrain 2 1 0\nsnow 1 1 2\nsun 0 1 1\nmoon 1 1 0\nstar 0 2 1\n');
  const r = mechlens('compare', '--words', file('drizzle.words'), '--a', `vectors:${file('lower.txt')}`, '--b', `vectors:${file('lower.txt')}`, '--no-map', '--permutations', '10', '--json', file('drizzle.json'));
  assert.equal(r.status, 0, r.stderr);
  const fallback = lines(r.stderr).filter((l) => /Drizzle/.test(l));
  assert.deepEqual(fallback, ['warning: lower.txt: 2 words are not in the vectors as written; read "Drizzle" as "drizzle", "Rain" as "rain" (the lower-case fallback).']);
});
