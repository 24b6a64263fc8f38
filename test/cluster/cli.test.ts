// embed2d and cluster through the bundled CLI (dist/cli.js, built once before the run by
// scripts/run-tests.mjs: see test/helpers/cli.ts).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { builtCli } from '../helpers/cli';
import { formatNpy } from '../../src/core/io/matrix-files';
import { createRandom } from '../../src/core/random';
import { pca } from '../../src/core/layout/pca';

const root = join(__dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'mechlens-'));

before(async () => {
  const random = createRandom(3);
  const n = 150, d = 8;
  const data = new Float32Array(n * d);
  for (let i = 0; i < n; i++) for (let c = 0; c < d; c++) data[i * d + c] = (i % 3) * 6 * (c === i % 3 ? 1 : 0) + random.gaussian();
  writeFileSync(join(dir, 'points.npy'), formatNpy({ rows: n, cols: d, data }));
  writeFileSync(join(dir, 'meta.tsv'), Array.from({ length: n }, (_, i) => `w${i}`).join('\n') + '\n');
});

function mechlens(...args: string[]) {
  // NODE_PATH: the external packages (onnxruntime-node) resolve from the repository's node_modules.
  return spawnSync(process.execPath, [builtCli(), ...args], { encoding: 'utf8', cwd: dir, env: { ...process.env, NODE_OPTIONS: '', NODE_PATH: join(root, 'node_modules') } });
}

test('embed2d writes coords for every row (t-SNE and PCA) through the bundled worker', () => {
  const out = join(dir, 'map.json');
  const r = mechlens('embed2d', '--matrix', join(dir, 'points.npy'), '--perplexity', '20', '--seed', '1', '--metadata', join(dir, 'meta.tsv'), '--eps', '3', '--json', out);
  assert.equal(r.status, 0, r.stderr);
  const json = JSON.parse(readFileSync(out, 'utf8'));
  assert.equal(json.method, 'tsne');
  assert.equal(json.coords.length, 150);
  assert.equal(json.coords[0].length, 2);
  assert.equal(json.labels.length, 150);
  assert.equal(json.items[7], 'w7');
  assert.ok(json.clusters.length >= 3, 'three blobs found on the map');
  assert.ok(Number.isFinite(json.kl));
  const pcaOut = join(dir, 'pca.json');
  const p = mechlens('embed2d', '--matrix', join(dir, 'points.npy'), '--method', 'pca', '--json', pcaOut);
  assert.equal(p.status, 0, p.stderr);
  assert.equal(JSON.parse(readFileSync(pcaOut, 'utf8')).coords.length, 150);
});

// embed2d runs small PCAs on the CLI's own thread, with the column statistics summed while the file
// is read and X centred in place (src/cli/commands/embed2d.ts, runPca): the coordinates must be the
// library's, which test/linalg/pca-sklearn.test.ts holds to scikit-learn's. Near the origin the
// randomized solver centres inside its products; far from it, in X itself.
test('embed2d --method pca gives the coordinates of pca(), with the mean taken off in the products or in X', () => {
  const rows = 1200, cols = 600;
  for (const offset of [0, 40]) {
    const random = createRandom(7 + offset);
    const data = new Float32Array(rows * cols);
    for (let i = 0; i < rows; i++) for (let c = 0; c < cols; c++) data[i * cols + c] = offset + (c < 3 ? (c + 2) * random.gaussian() : 0) + random.gaussian();
    const file = join(dir, `pca-${offset}.npy`), out = join(dir, `pca-${offset}.json`);
    writeFileSync(file, formatNpy({ rows, cols, data }));
    const r = mechlens('embed2d', '--matrix', file, '--method', 'pca', '--json', out);
    assert.equal(r.status, 0, r.stderr);
    const json = JSON.parse(readFileSync(out, 'utf8'));
    assert.equal(json.pcaSolver, 'randomized');
    const expected = pca({ rows, cols, data }, { components: 2, seed: 0 }).coords.data;
    const got = (json.coords as number[][]).flat();
    assert.equal(got.length, expected.length);
    let worst = 0;
    for (let e = 0; e < got.length; e++) worst = Math.max(worst, Math.abs(got[e] - expected[e]));
    assert.ok(worst < 1e-9, `offset ${offset}: largest difference ${worst}`);
  }
});

test('cluster runs DBSCAN and k-means and summarises clusters', () => {
  const db = join(dir, 'db.json');
  const r = mechlens('cluster', '--points', join(dir, 'points.npy'), '--method', 'dbscan', '--eps', '4', '--min-samples', '5', '--json', db);
  assert.equal(r.status, 0, r.stderr);
  const dbJson = JSON.parse(readFileSync(db, 'utf8'));
  assert.equal(dbJson.labels.length, 150);
  assert.ok(dbJson.clusters.every((c: { members: string[]; centroid: number[] }) => c.members.length > 0 && c.centroid.length === 8));
  const km = join(dir, 'km.json');
  const k = mechlens('cluster', '--points', join(dir, 'points.npy'), '--method', 'kmeans', '--k', '3', '--seed', '2', '--json', km);
  assert.equal(k.status, 0, k.stderr);
  const kmJson = JSON.parse(readFileSync(km, 'utf8'));
  assert.equal(kmJson.clusters.length, 3);
  assert.ok(kmJson.inertia > 0);
  assert.equal(kmJson.centroids.length, 3);
});

test('bad arguments and inputs exit non-zero with one line naming the problem', () => {
  const cases: [string[], RegExp][] = [
    [['cluster', '--points', join(dir, 'points.npy'), '--method', 'kmeans', '--json', join(dir, 'x.json')], /--method kmeans needs --k/],
    [['cluster', '--points', join(dir, 'points.npy'), '--method', 'spectral', '--eps', '1', '--json', join(dir, 'x.json')], /--method must be one of dbscan, kmeans/],
    [['embed2d', '--matrix', join(dir, 'points.npy'), '--perplexity', 'lots', '--json', join(dir, 'x.json')], /--perplexity must be a number greater than 0 \(decimal digits only\), got "lots"/],
    [['embed2d', '--matrix', join(dir, 'nope.npy'), '--json', join(dir, 'x.json')], /nope\.npy: cannot read the matrix file/],
    [['embed2d', '--json', join(dir, 'x.json')], /--matrix is required/],
  ];
  for (const [args, message] of cases) {
    const r = mechlens(...args);
    assert.notEqual(r.status, 0, args.join(' '));
    assert.match(r.stderr, message);
    assert.equal(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`);
  }
});
