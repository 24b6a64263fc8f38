import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { streamJson, writeJsonFileSync } from '../../src/core/io/json-stream';

function streamed(value: unknown): string {
  let out = '';
  streamJson(value, (chunk) => { out += chunk; });
  return out;
}

test('streamJson writes exactly what JSON.stringify writes, for any JSON-like value', () => {
  fc.assert(
    fc.property(fc.anything({ withBoxedValues: true, withNullPrototype: true, withObjectString: true, withSparseArray: true, withDate: true, withMap: true, withSet: true }), (value) => {
      const expected = JSON.stringify(value) as string | undefined;
      if (expected === undefined) assert.throws(() => streamed(value), TypeError);
      else assert.equal(streamed(value), expected);
    }),
    { numRuns: 500, seed: 19 },
  );
});

test('streamJson follows JSON.stringify on undefined, functions, non-finite numbers, toJSON and -0', () => {
  const value = {
    a: undefined, f: () => 1, n: NaN, i: -Infinity, z: -0, d: new Date(0),
    list: [undefined, () => 1, Symbol('s'), NaN, 1e21, 5e-324, 'é"\\\u2028'],
    custom: { toJSON: (key: string) => `key ${key}` },
  };
  assert.equal(streamed(value), JSON.stringify(value));
});

test('streamJson refuses cycles and BigInt as JSON.stringify does', () => {
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  assert.throws(() => streamed(cyclic), /circular/);
  assert.throws(() => streamed({ big: 1n }), /BigInt/);
  assert.throws(() => streamed(undefined), TypeError);
});

test('typed arrays are written as JSON arrays of numbers', () => {
  assert.equal(streamed({ v: new Float32Array([0.5, NaN, -2]) }), '{"v":[0.5,null,-2]}');
  assert.equal(streamed(new Float64Array(5000).fill(0.25)), JSON.stringify(new Array(5000).fill(0.25)));
});

test('a compare-shaped result larger than the longest string V8 allows is written (JSON.stringify throws on it)', () => {
  // Two 3,400 × 3,400 similarity matrices of 24-character numbers, as `compare` on a long word list
  // makes. Every row is the same array, so the test needs one row of memory, but the text is about
  // 555 million characters, past V8's cap of 2^29 - 24.
  const n = 3400;
  const row = Array.from({ length: n }, (_, j) => -(1 + (j + 1) * 2 ** -40) * 1e-100);
  const matrix = Array.from({ length: n }, () => row);
  const result = { schemaVersion: 1, items: ['w'], a: { similarity: matrix }, b: { similarity: matrix }, warnings: [] };
  assert.throws(() => JSON.stringify(result), RangeError);

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mechlens-json-'));
  const file = path.join(dir, 'big.json');
  try {
    writeJsonFileSync(file, result);
    const rowText = JSON.stringify(row);
    const matrixChars = n * rowText.length + (n - 1) + 2;
    const expected = '{"schemaVersion":1,"items":["w"],"a":{"similarity":'.length + matrixChars + '},"b":{"similarity":'.length + matrixChars + '},"warnings":[]}'.length;
    assert.equal(fs.statSync(file).size, expected);
    const fd = fs.openSync(file, 'r');
    const head = Buffer.alloc(200);
    fs.readSync(fd, head, 0, 200, 0);
    assert.ok(head.toString().startsWith(`{"schemaVersion":1,"items":["w"],"a":{"similarity":[${rowText.slice(0, 100)}`));
    const tail = Buffer.alloc(200);
    fs.readSync(fd, tail, 0, 200, expected - 200);
    fs.closeSync(fd);
    assert.ok(tail.toString().endsWith(`${rowText.slice(-100)}]},"warnings":[]}`));
    assert.deepEqual(fs.readdirSync(dir), ['big.json']);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('an array of long strings is written member by member, in chunks, not as one string', () => {
  const big = 'x'.repeat(1 << 20);
  const value = new Array(40).fill(big);
  const chunks: string[] = [];
  streamJson(value, (chunk) => chunks.push(chunk));
  assert.ok(chunks.length >= 20, `${chunks.length} chunks`);
  assert.ok(Math.max(...chunks.map((c) => c.length)) < 3 << 20);
  assert.equal(chunks.join(''), JSON.stringify(value));
});
