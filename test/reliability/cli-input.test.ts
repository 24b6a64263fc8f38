// Hostile numbers through the built CLI (issue 19, defects 6, 7 and 10): NaN cells in matrix files and
// NaN weights and unbounded or oddly written counts. Each gets one clean line that names the input and
// the fix, or a warning naming the hook; nothing runs on silently. Ctrl-C is in ctrl-c.test.ts.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
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

test('the lower-case fallback is said once per file, naming it, even when A and B are the same file', () => {
  fs.writeFileSync(file('drizzle.words'), '[weather]\nDrizzle\nRain\nsnow\n[sky]\nsun\nmoon\nstar\n');
  fs.writeFileSync(file('lower.txt'), 'drizzle 1 2 3\nrain 2 1 0\nsnow 1 1 2\nsun 0 1 1\nmoon 1 1 0\nstar 0 2 1\n');
  const r = mechlens('compare', '--words', file('drizzle.words'), '--a', `vectors:${file('lower.txt')}`, '--b', `vectors:${file('lower.txt')}`, '--no-map', '--permutations', '10', '--json', file('drizzle.json'));
  assert.equal(r.status, 0, r.stderr);
  const fallback = lines(r.stderr).filter((l) => /Drizzle/.test(l));
  assert.deepEqual(fallback, ['warning: lower.txt: 2 words are not in the vectors as written; read "Drizzle" as "drizzle", "Rain" as "rain" (the lower-case fallback).']);
});
