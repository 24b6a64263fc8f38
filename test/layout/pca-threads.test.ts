// PCA on two threads (pca.ts TwoThreads): the helper thread takes chunks of the Gram, of X·Vᵀ and
// Xᵀ·U, and of the eigensolver's rotations; every chunk computes its outputs with the one-thread
// sums in their order, so one and two threads must give the same bits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { EigenvalueDecomposition, Matrix as MlMatrix } from 'ml-matrix';
import { pca, type PcaResult } from '../../src/core/layout/pca';
import { applyRotations, Rotations, symmetricEigen } from '../../src/core/layout/eigen';
import { gramBands } from '../../src/core/layout/pca-kernels';
import { createRandom } from '../../src/core/random';

function sameBits(a: ArrayLike<number>, b: ArrayLike<number>, what: string): void {
  assert.equal(a.length, b.length, `${what}: length`);
  for (let i = 0; i < a.length; i++) assert.ok(Object.is(a[i], b[i]), `${what}[${i}]: ${a[i]} vs ${b[i]}`);
}

function sameResult(one: PcaResult, two: PcaResult, what: string): void {
  assert.equal(one.solver, two.solver);
  sameBits(one.mean, two.mean, `${what} mean`);
  sameBits(one.components.data, two.components.data, `${what} components`);
  sameBits(one.coords.data, two.coords.data, `${what} coords`);
  sameBits(one.explainedVariance, two.explainedVariance, `${what} explained variance`);
  sameBits(one.explainedVarianceRatio, two.explainedVarianceRatio, `${what} ratio`);
}

test('pca gives the same bits on one and two threads (covariance and randomized, float32 and float64)', { skip: availableParallelism() < 2 && 'one CPU' }, () => {
  const random = createRandom(11);
  // Odd sizes: a last partial row chunk, an odd column count (the Gram's last single row), uneven column chunks.
  const cases: [number, number, boolean][] = [[4099, 131, true], [2501, 97, false], [5003, 66, true]];
  for (const [rows, cols, float32] of cases) {
    const data = float32 ? new Float32Array(rows * cols) : new Float64Array(rows * cols);
    for (let i = 0; i < data.length; i++) data[i] = random.gaussian() * (1 + (i % cols) / 7) + 100;
    const x = { rows, cols, data };
    for (const options of [{ solver: 'covariance', components: 5 }, { solver: 'randomized', components: 3 }, { solver: 'covariance', components: 2, center: false }] as const) {
      const what = `${rows} × ${cols} ${float32 ? 'float32' : 'float64'} ${options.solver}${'center' in options ? ' uncentred' : ''}`;
      sameResult(pca(x, { ...options, threads: 1 }), pca(x, { ...options, threads: 2 }), what);
    }
  }
});

test('symmetricEigen: rotations applied in row chunks, or after growing their storage, give ml-matrix bit for bit', () => {
  const random = createRandom(5);
  const n = 70, rows = 90;
  const x = Float64Array.from({ length: rows * n }, () => random.gaussian());
  const flat = new Float64Array(n * n);
  for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) { let s = 0; for (let r = 0; r < rows; r++) s += x[r * n + a] * x[r * n + b]; flat[a * n + b] = s; }
  const theirs = new EigenvalueDecomposition(new MlMatrix(Array.from({ length: n }, (_, a) => Array.from(flat.subarray(a * n, (a + 1) * n)))), { assumeSymmetric: true });
  // Storage for 16 rotations (grows many times), applied to rows 0–30 and 31–69 separately.
  const rotations = new Rotations(new Int32Array(16), new Float64Array(32));
  const ours = symmetricEigen(flat, n, rotations, (w, r, size) => {
    applyRotations(w, size, r.index, r.cs, r.count, 31, size);
    applyRotations(w, size, r.index, r.cs, r.count, 0, 31);
  });
  assert.ok(rotations.count > 16);
  for (let j = 0; j < n; j++) {
    assert.ok(Object.is(ours.values[j], theirs.realEigenvalues[j]), `eigenvalue ${j}`);
    for (let c = 0; c < n; c++) assert.ok(Object.is(ours.vectors[j * n + c], theirs.eigenvectorMatrix.get(c, j)), `vector ${j}, entry ${c}`);
  }
});

test('gramBands: even boundaries from 0 to cols, about equal parts of the triangle', () => {
  for (const [cols, bands] of [[768, 8], [131, 8], [5, 8], [2, 1]]) {
    const bounds = gramBands(cols, bands);
    assert.equal(bounds[0], 0);
    assert.equal(bounds[bounds.length - 1], cols);
    for (let j = 1; j < bounds.length; j++) assert.ok(bounds[j] > bounds[j - 1]);
    for (let j = 1; j < bounds.length - 1; j++) assert.equal(bounds[j] % 2, 0);
  }
  const bounds = gramBands(768, 8);
  const part = (a0: number, a1: number) => (a1 - a0) * 768 - (a1 * a1 - a0 * a0) / 2;
  for (let j = 1; j < bounds.length; j++) assert.ok(Math.abs(part(bounds[j - 1], bounds[j]) / (768 * 768 / 16) - 1) < 0.05);
});
