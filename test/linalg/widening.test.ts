// F16 and BF16 widening in the safetensors reader against numpy's astype(float32) and torch's
// .float() on all 65,536 patterns (subnormals, ±0, ±inf, NaN), through the two-per-word path and
// the one-at-a-time path (odd lengths, views at an offset that is not a multiple of 4 bytes). F16
// both through the WebAssembly kernel (a short last step, several chunks) and through the table
// it falls back to without WebAssembly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseNpy } from '../../src/core/io/matrix-files';
import { bf16ToF32, f16ToF32 } from '../../src/core/models/safetensors';
import { f16ToF32ByTable } from '../../src/core/io/half-float';

const dir = join(__dirname, '../fixtures/linalg');
const reference = (name: string) => parseNpy(readFileSync(join(dir, name))).data as Float32Array;

function sameBits(got: Float32Array, want: Float32Array, offset: number, what: string): void {
  const g = new Uint32Array(got.buffer, got.byteOffset, got.length);
  const w = new Uint32Array(want.buffer, want.byteOffset, want.length);
  for (let i = 0; i < got.length; i++) {
    const p = i + offset;
    // numpy and torch keep NaN payloads, and so do we: equal bits for every pattern.
    assert.equal(g[i], w[p], `${what}: pattern 0x${p.toString(16)}`);
  }
}

for (const [name, widen, file] of [['F16 (numpy astype)', f16ToF32, 'f16-all.npy'], ['F16 by table (numpy astype)', f16ToF32ByTable, 'f16-all.npy'], ['BF16 (torch .float())', bf16ToF32, 'bf16-all.npy']] as const) {
  test(`${name}: every 16-bit pattern, aligned, odd-length and unaligned views`, () => {
    const want = reference(file);
    assert.equal(want.length, 65536);
    const patterns = new Uint16Array(65536 + 2);
    for (let p = 0; p < 65536; p++) patterns[p] = p;
    sameBits(widen(patterns.subarray(0, 65536)), want, 0, 'aligned');
    sameBits(widen(patterns.subarray(0, 65535)), want, 0, 'odd length');
    sameBits(widen(patterns.subarray(1, 65536)), want.subarray(0), 1, 'unaligned (2-byte offset)');
    // Special values by name: subnormal, ±0, ±inf.
    const special = widen(Uint16Array.of(name.startsWith('F16') ? 0x0001 : 0x0001, 0x8000, name.startsWith('F16') ? 0x7c00 : 0x7f80, name.startsWith('F16') ? 0xfc00 : 0xff80));
    assert.equal(special[0], name.startsWith('F16') ? 2 ** -24 : 2 ** -133);
    assert.ok(Object.is(special[1], -0));
    assert.equal(special[2], Infinity);
    assert.equal(special[3], -Infinity);
  });
}

test('F16: a long array (several kernel chunks and a short tail) equals the table, value for value', () => {
  const n = 3 * 32768 + 13;
  const bits = new Uint16Array(n);
  for (let i = 0; i < n; i++) bits[i] = Math.imul(i, 2654435761) >>> 16;
  const got = f16ToF32(bits), want = f16ToF32ByTable(bits);
  assert.equal(got.length, n);
  sameBits(got, want, 0, 'chunked');
});
