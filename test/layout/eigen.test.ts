import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EigenvalueDecomposition, Matrix as MlMatrix } from 'ml-matrix';
import { symmetricEigen } from '../../src/core/layout/eigen';
import { createRandom } from '../../src/core/random';

test('symmetricEigen gives ml-matrix EigenvalueDecomposition bit for bit', () => {
  const random = createRandom(3);
  const cases: [string, number, (a: number, b: number) => number][] = [];
  // A Gram matrix (PCA's case), a rank-deficient one (zero eigenvalues), repeated eigenvalues, 1 × 1.
  const rows = 40;
  const x = Float64Array.from({ length: rows * 30 }, () => random.gaussian());
  cases.push(['gram', 30, (a, b) => { let s = 0; for (let r = 0; r < rows; r++) s += x[r * 30 + a] * x[r * 30 + b]; return s; }]);
  cases.push(['rank 3', 25, (a, b) => { let s = 0; for (let r = 0; r < 3; r++) s += x[r * 30 + a] * x[r * 30 + b]; return s; }]);
  cases.push(['identity plus ones', 12, (a, b) => (a === b ? 2 : 1)]);
  cases.push(['diagonal with zero rows', 9, (a, b) => (a === b && a % 3 !== 0 ? a : 0)]);
  cases.push(['one', 1, () => 4]);
  for (const [name, n, entry] of cases) {
    const flat = new Float64Array(n * n);
    for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) flat[a * n + b] = entry(Math.min(a, b), Math.max(a, b));
    const ours = symmetricEigen(flat, n);
    const theirs = new EigenvalueDecomposition(new MlMatrix(Array.from({ length: n }, (_, a) => Array.from(flat.subarray(a * n, (a + 1) * n)))), { assumeSymmetric: true });
    const values = theirs.realEigenvalues, vectors = theirs.eigenvectorMatrix;
    for (let j = 0; j < n; j++) {
      assert.ok(Object.is(ours.values[j], values[j]), `${name}: eigenvalue ${j}: ${ours.values[j]} vs ${values[j]}`);
      for (let c = 0; c < n; c++) assert.ok(Object.is(ours.vectors[j * n + c], vectors.get(c, j)), `${name}: vector ${j}, entry ${c}`);
    }
  }
});
