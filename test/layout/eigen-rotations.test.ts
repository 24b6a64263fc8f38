// The eigensolver's recorded rotations (eigen.ts): applied in row chunks they must give ml-matrix's
// result bit for bit. (PCA's products moved to core/linalg's GEMM; test/linalg covers them.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EigenvalueDecomposition, Matrix as MlMatrix } from 'ml-matrix';
import { applyRotations, Rotations, symmetricEigen } from '../../src/core/layout/eigen';
import { createRandom } from '../../src/core/random';

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
