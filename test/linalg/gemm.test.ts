// core/linalg's GEMM: the MLAS path (onnxruntime) and the JS kernel against a plain triple loop in
// float64, for every transpose combination and both element types, and the size policy.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gemm, gramOfRows, gemmCounts, JS_BELOW, type GemmBackend } from '../../src/core/linalg';
import { createRandom } from '../../src/core/random';

function randomMatrix(rows: number, cols: number, seed: number, float64: boolean) {
  const r = createRandom(seed);
  const data = float64 ? new Float64Array(rows * cols) : new Float32Array(rows * cols);
  for (let i = 0; i < data.length; i++) data[i] = r.gaussian();
  return { rows, cols, data };
}

function reference(a: { rows: number; cols: number; data: ArrayLike<number> }, b: { rows: number; cols: number; data: ArrayLike<number> }, ta: boolean, tb: boolean): Float64Array {
  const m = ta ? a.cols : a.rows, k = ta ? a.rows : a.cols, n = tb ? b.rows : b.cols;
  const at = (i: number, c: number) => (ta ? a.data[c * a.cols + i] : a.data[i * a.cols + c]);
  const bt = (c: number, j: number) => (tb ? b.data[j * b.cols + c] : b.data[c * b.cols + j]);
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) { let s = 0; for (let c = 0; c < k; c++) s += at(i, c) * bt(c, j); out[i * n + j] = s; }
  return out;
}

for (const backend of ['js', 'onnx'] as GemmBackend[]) {
  for (const float64 of [true, false]) {
    test(`gemm ${backend} ${float64 ? 'float64' : 'float32'}: every transpose combination equals the triple loop`, () => {
      const [m, k, n] = [37, 53, 29];
      for (const ta of [false, true]) {
        for (const tb of [false, true]) {
          const a = randomMatrix(ta ? k : m, ta ? m : k, 1, float64);
          const b = randomMatrix(tb ? n : k, tb ? k : n, 2, float64);
          const before = gemmCounts[backend];
          const c = gemm(a, b, { transposeA: ta, transposeB: tb, backend });
          assert.equal(gemmCounts[backend], before + 1, `${backend} ran`);
          assert.equal(c.rows, m); assert.equal(c.cols, n);
          assert.ok(float64 ? c.data instanceof Float64Array : c.data instanceof Float32Array, 'element type kept');
          const expected = reference(a, b, ta, tb);
          // float32 products: k · 2⁻²⁴ relative to the sum of |terms| (≤ about 3k here).
          const tol = float64 ? 1e-12 : 2e-5;
          for (let e = 0; e < expected.length; e++) assert.ok(Math.abs(c.data[e] - expected[e]) <= tol * Math.max(1, Math.abs(expected[e])) * (float64 ? 1 : 10), `${ta}${tb} [${e}] ${c.data[e]} vs ${expected[e]}`);
        }
      }
    });
  }
}

test('gemm picks JS below JS_BELOW multiply-adds and onnxruntime above, and does not change its operands', () => {
  const small = randomMatrix(10, 10, 3, true);
  const copy = Float64Array.from(small.data);
  const js = gemmCounts.js;
  gemm(small, small, { transposeB: true });
  assert.equal(gemmCounts.js, js + 1);
  assert.ok(10 * 10 * 10 < JS_BELOW);
  const big = randomMatrix(200, 100, 4, false);
  const onnx = gemmCounts.onnx;
  gemm(big, big, { transposeB: true });
  assert.equal(gemmCounts.onnx, onnx + 1, 'the MLAS path runs (onnxruntime-node/dist/binding still loads synchronously)');
  assert.deepEqual(small.data, copy);
});

test('gramOfRows equals A·Aᵀ and is exactly symmetric, across several blocks', () => {
  const a = randomMatrix(1100, 24, 5, true);
  const g = gramOfRows(a);
  const expected = reference(a, a, false, true);
  for (let i = 0; i < 1100; i++) {
    for (let j = 0; j < 1100; j++) {
      assert.equal(g.data[i * 1100 + j], g.data[j * 1100 + i]);
      if ((i * 7 + j) % 97 === 0) assert.ok(Math.abs(g.data[i * 1100 + j] - expected[i * 1100 + j]) < 1e-12 * Math.max(1, Math.abs(expected[i * 1100 + j])));
    }
  }
});

test('gemm refuses mismatched shapes and mixed element types', () => {
  assert.throws(() => gemm(randomMatrix(3, 4, 1, true), randomMatrix(3, 4, 1, true)), /inner dimensions/);
  assert.throws(() => gemm(randomMatrix(3, 4, 1, true) as never, randomMatrix(4, 3, 1, false) as never), /same element type/);
});

test('gemm into: each backend writes the product into the given array, equal bit for bit to a new one, and refuses a wrong size or type', () => {
  for (const backend of ['js', 'onnx'] as GemmBackend[]) {
    for (const float64 of [true, false]) {
      const a = randomMatrix(53, 37, 3, float64), b = randomMatrix(53, 29, 4, float64);
      const fresh = gemm(a, b, { transposeA: true, backend }).data;
      const into = float64 ? new Float64Array(37 * 29).fill(7) : new Float32Array(37 * 29).fill(7);
      const result = gemm(a, b, { transposeA: true, backend, into });
      assert.equal(result.data, into, `${backend} ${float64}: the given array is the result`);
      assert.deepEqual(into, fresh, `${backend} ${float64}: same product`);
      assert.throws(() => gemm(a, b, { transposeA: true, backend, into: into.subarray(1) }), RangeError);
      assert.throws(() => gemm(a, b, { transposeA: true, backend, into: float64 ? new Float32Array(37 * 29) : new Float64Array(37 * 29) }), RangeError);
    }
  }
});
