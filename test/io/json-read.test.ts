// parseJsonBytes (src/core/io/json-read.ts) reads what JSON.parse reads, from bytes, and refuses what
// it refuses; saved runs and result-cache entries are read with it, so a result whose text is longer
// than a V8 string can reopen.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseJsonBytes } from '../../src/core/io/json-read';
import { jsonBytes } from '../../src/core/io/json-stream';
import { parseSavedRun } from '../../src/extension/panels/saved-run';

const parseOrError = (parse: () => unknown): { value: unknown } | { error: true } => {
  try { return { value: parse() }; } catch (err) { assert.ok(err instanceof SyntaxError, String(err)); return { error: true }; }
};

test('parseJsonBytes gives JSON.parse\'s value for any JSON text, pretty-printed or not', () => {
  fc.assert(
    fc.property(fc.jsonValue(), fc.boolean(), (value, pretty) => {
      const text = JSON.stringify(value, null, pretty ? 2 : undefined);
      assert.deepStrictEqual(parseJsonBytes(Buffer.from(text, 'utf8')), JSON.parse(text));
    }),
    { numRuns: 1000, seed: 20 },
  );
});

test('parseJsonBytes accepts and refuses exactly the texts JSON.parse does', () => {
  const jsonish = fc.stringMatching(/^[\s\[\]{}:,"\\0-9.eE+\-tfrunlasxu\u00e9\u2028]*$/, { maxLength: 24 });
  fc.assert(
    // One deliberate difference: a leading byte-order mark is skipped (editors add one), as the next test shows.
    fc.property(fc.oneof(jsonish, fc.string(), fc.json().map((t) => t.slice(0, -1))).filter((t) => !t.startsWith('\uFEFF')), (text) => {
      assert.deepStrictEqual(parseOrError(() => parseJsonBytes(Buffer.from(text, 'utf8'))), parseOrError(() => JSON.parse(text)), JSON.stringify(text));
    }),
    { numRuns: 3000, seed: 21 },
  );
  for (const text of ['01', '1.', '.5', '-', '1e', '"\u0001"', '"\\x"', '"\\u12"', '[1,]', '{"a":1,}', 'nul', 'true false']) {
    assert.deepStrictEqual(parseOrError(() => parseJsonBytes(Buffer.from(text, 'utf8'))), parseOrError(() => JSON.parse(text)), text);
  }
});

test('parseJsonBytes: a BOM, "__proto__" keys, escapes, extreme numbers, and an error that names the byte', () => {
  assert.deepStrictEqual(parseJsonBytes(Buffer.from('\uFEFF[1]', 'utf8')), [1]);
  const proto = parseJsonBytes(Buffer.from('{"__proto__":{"x":1}}')) as Record<string, unknown>;
  assert.deepStrictEqual(Object.keys(proto), ['__proto__']);
  assert.equal(Object.getPrototypeOf(proto), Object.prototype);
  assert.deepStrictEqual(parseJsonBytes(Buffer.from('["a\\"b\\u00e9\\n", 5e-324, 1.7976931348623157e308, -0, 1e400]')), JSON.parse('["a\\"b\\u00e9\\n", 5e-324, 1.7976931348623157e308, -0, 1e400]'));
  assert.throws(() => parseJsonBytes(Buffer.from('{"a": [1, 2 3]}')), /Expected ',' or '\]' at byte 12/);
  assert.throws(() => parseJsonBytes(Buffer.from('['.repeat(5000))), /Nesting deeper than 1000/);
});

test('a saved run is read from its bytes: the same result as from its text', () => {
  const n = 300;
  const matrix = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => Math.cos(i * j) / (1 + i)));
  const result = {
    schemaVersion: 1, job: 'compare', items: Array.from({ length: n }, (_, i) => `w${i}`), itemCategories: Array.from({ length: n }, () => 'c'),
    a: { similarity: matrix }, b: { similarity: matrix }, rsa: { rho: 0.5 },
  };
  const bytes = jsonBytes(result);
  assert.deepStrictEqual(parseSavedRun(bytes, 'big.mechlens.json'), parseSavedRun(bytes.toString('utf8'), 'big.mechlens.json'));
  assert.throws(() => parseSavedRun(Buffer.from('{"job": "compare",'), 'cut.mechlens.json'), /Not valid JSON \(Unexpected end of JSON input/);
});
