import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isPackedMatrix, packMatrices, unpackMatrices } from '../../src/protocol/packed-matrices';

/** What VS Code does to a webview message: typed arrays go beside the JSON text, not in it. */
function messageText(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (ArrayBuffer.isView(v) ? { $$vscode_array_buffer_reference$$: true, index: 0 } : v));
}

test('large matrices are packed as Float64Arrays and come back as the same rows; the input is not changed', () => {
  const n = 300;
  const similarity = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : Math.sin(i * n + j))));
  similarity[3][4] = NaN;
  const result = { job: 'compare', items: ['a'], a: { similarity, selectivity: { index: 0.5 } }, small: [[1, 2], [3, 4]], coords: [[0.5, null]] };
  const before = JSON.stringify(result);
  const packed = packMatrices(result);
  assert.equal(JSON.stringify(result), before, 'the input is not changed');
  assert.ok(isPackedMatrix(packed.a.similarity));
  assert.deepEqual(packed.small, [[1, 2], [3, 4]], 'small matrices stay as they are');
  assert.ok(messageText(packed).length < 1000, 'the matrix is not in the message text');
  // Unpacked equals what JSON would have carried (NaN becomes null).
  assert.deepEqual(unpackMatrices(packed), JSON.parse(before));
});

test('ragged arrays, arrays of strings and nested objects are left alone', () => {
  const value = { ragged: Array.from({ length: 300 }, (_, i) => new Array(300 + (i % 2)).fill(0)), words: Array.from({ length: 300 }, () => new Array(300).fill('w')) };
  const packed = packMatrices(value);
  assert.ok(!isPackedMatrix(packed.ragged));
  assert.ok(!isPackedMatrix(packed.words));
  assert.deepEqual(unpackMatrices(packed), value);
});
