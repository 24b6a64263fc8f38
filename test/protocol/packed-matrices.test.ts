import { test } from 'node:test';
import assert from 'node:assert/strict';
import { flatMatrix, isPackedMatrix, packMatrices, plainRows, unpackMatrices } from '../../src/protocol/packed-matrices';

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

test('row views read the packed data without a copy; flatMatrix gives the buffer back, plainRows makes them JSON again', () => {
  const n = 300;
  const similarity = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : Math.cos(i * n + j))));
  similarity[5][6] = NaN;
  const packed = packMatrices({ a: { similarity } });
  const data = (packed.a.similarity as unknown as { data: Float64Array }).data;
  const rows = unpackMatrices(packed, true).a.similarity as unknown as Float64Array[];
  assert.equal(rows.length, n);
  assert.ok(rows.every((row) => row instanceof Float64Array && row.buffer === data.buffer), 'every row is a view of the packed buffer');
  assert.equal(rows[7][9], similarity[7][9]);
  assert.ok(Number.isNaN(rows[5][6]), 'a non-finite value stays NaN in a view');
  const flat = flatMatrix(rows);
  assert.equal(flat.buffer, data.buffer, 'consecutive row views give the packed buffer itself');
  assert.equal(flat.length, n * n);
  // Plain rows (a small matrix, or JSON) are copied into one row-major array, null as NaN.
  const copied = flatMatrix([[1, 2], [3, null as unknown as number]]);
  assert.deepEqual(Array.from(copied.subarray(0, 3)), [1, 2, 3]);
  assert.ok(Number.isNaN(copied[3]));
  // Views out of order are not one buffer: copied too, in row order.
  const swapped = flatMatrix([rows[1], rows[0]]);
  assert.notEqual(swapped.buffer, data.buffer);
  assert.equal(swapped[0], rows[1][0]);
  // plainRows: what JSON would have carried (NaN as null).
  const plain = plainRows({ a: { similarity: rows } });
  assert.deepEqual(JSON.parse(JSON.stringify(plain)), JSON.parse(JSON.stringify({ a: { similarity } })));
});
