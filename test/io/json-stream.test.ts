import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { streamJson, writeJsonFileSync } from '../../src/core/io/json-stream';
import { JsonRows, toJson } from '../../src/core/matrix';
import { createRandom } from '../../src/core/random';

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

// The fast paths (issue 18: embed2d's output, run cold once per CLI process) must write what
// JSON.stringify writes. Slices hold 8,192 values, so the shapes below cross slice boundaries.
const specials = [NaN, Infinity, -Infinity, -0, 0, 5e-324, -1.7976931348623157e308, 1e21, 1e-7, 123456789012345680000, 0.1 + 0.2];

function matrixOf(rows: number, cols: number, fill: (k: number) => number, kind: 'f64' | 'f32' = 'f64') {
  const data = kind === 'f64' ? new Float64Array(rows * cols) : new Float32Array(rows * cols);
  for (let k = 0; k < data.length; k++) data[k] = fill(k);
  return { rows, cols, data };
}

test('JsonRows writes a matrix as JSON.stringify writes toJson of it, across slice boundaries and at the edges', () => {
  const random = createRandom(5);
  const fill = (k: number) => (k % 97 === 3 ? specials[k % specials.length] : 4 * random.gaussian());
  const shapes: [number, number][] = [[50257, 2], [4097, 2], [4096, 2], [8193, 1], [3, 8192], [2, 8193], [5, 20000], [7, 0], [0, 3], [0, 0], [1, 1]];
  for (const [rows, cols] of shapes) {
    for (const kind of ['f64', 'f32'] as const) {
      const m = matrixOf(rows, cols, fill, kind);
      const expected = JSON.stringify({ coords: toJson(m), after: 1 });
      assert.equal(streamed({ coords: new JsonRows(m), after: 1 }), expected, `${rows} × ${cols} ${kind}`);
      assert.equal(JSON.stringify({ coords: new JsonRows(m), after: 1 }), expected, `toJSON, ${rows} × ${cols} ${kind}`);
    }
  }
  const inArray = [new JsonRows(matrixOf(2, 2, (k) => -k)), new JsonRows(matrixOf(1, 3, () => NaN))];
  assert.equal(streamed(inArray), '[[[0,-1],[-2,-3]],[[null,null,null]]]');
});

test('JsonRows equals JSON.stringify(toJson(m)) for any doubles', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 6 }), fc.array(fc.double(), { minLength: 240, maxLength: 240 }), (rows, cols, values) => {
      const m = matrixOf(rows, cols, (k) => values[k % values.length]);
      assert.equal(streamed(new JsonRows(m)), JSON.stringify(toJson(m)));
    }),
    { numRuns: 300, seed: 18 },
  );
});

test('typed arrays of every kind are written as JSON.stringify writes them as plain arrays, across slices', () => {
  const random = createRandom(9);
  const n = 20000;
  const kinds = [Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array, Float32Array, Float64Array];
  for (const Kind of kinds) {
    const values = new Kind(n);
    const float = Kind === Float32Array || Kind === Float64Array;
    for (let i = 0; i < n; i++) values[i] = float ? (i % 89 === 0 ? specials[i % specials.length] : 1e3 * random.gaussian()) : Math.round(1e10 * random.gaussian());
    values[1] = float ? -0 : -1; // -0 writes 0; -1 wraps in the unsigned kinds
    assert.equal(streamed({ v: values }), JSON.stringify({ v: Array.from(values) }), Kind.name);
    assert.equal(streamed(new Kind(0)), '[]');
  }
  assert.equal(streamed(new BigInt64Array([1n, -2n])), '[1,-2]');
  fc.assert(
    fc.property(fc.float64Array({ maxLength: 300 }), fc.int32Array({ maxLength: 300 }), (f, i) => {
      assert.equal(streamed([f, i]), JSON.stringify([Array.from(f), Array.from(i)]));
    }),
    { numRuns: 200, seed: 4 },
  );
});

test('an array written twice in one value is written the same both times, and again after a toJSON changed it', () => {
  const words = Array.from({ length: 5000 }, (_, i) => `w${i}`);
  const twice = { items: words, clusters: [{ label: 0, members: words }] };
  assert.equal(streamed(twice), JSON.stringify(twice));
  // A toJSON that runs between the two appearances changes the array: the second must show it.
  const changing = { a: words, b: { toJSON: () => { words[0] = 'changed'; return 1; } }, c: words };
  const expected = JSON.stringify(changing);
  words[0] = 'w0';
  assert.equal(streamed(changing), expected);
  assert.match(expected, /"c":\["changed"/);
});

test('writeJsonFileSync writes the UTF-8 of JSON.stringify, multi-byte text across its buffer and pieces longer than it included', () => {
  const words = Array.from({ length: 30000 }, (_, i) => (i % 3 ? `wörd${i}😀` : `\u2028"${i}\\`));
  const value = {
    words, again: words, long: 'ü'.repeat(100000), longAscii: 'x'.repeat(300000), surrogates: '😀'.repeat(50000),
    rows: new JsonRows(matrixOf(9000, 3, (k) => (k % 1001 === 0 ? NaN : k / 7))), labels: Int32Array.from({ length: 9000 }, (_, i) => i - 4500),
  };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mechlens-json-'));
  try {
    const file = path.join(dir, 'out.json');
    writeJsonFileSync(file, value, '\n');
    const expected = JSON.stringify({ ...value, rows: toJson(value.rows.matrix), labels: Array.from(value.labels) }) + '\n';
    assert.ok(fs.readFileSync(file).equals(Buffer.from(expected, 'utf8')));
    assert.deepEqual(fs.readdirSync(dir), ['out.json']);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
