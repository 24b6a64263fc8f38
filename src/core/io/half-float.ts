// IEEE half-precision floats widened to float32: safetensors F16 weights (models/safetensors.ts) and
// numpy's '<f2' arrays (matrix-files.ts, the .npz of Gemma Scope SAEs).

let f16Table: Float32Array | undefined;

/**
 * IEEE half bits -> float32, through a 65,536-entry table built once (256 KB): exact for every
 * value, subnormals, infinities and NaN payloads included (test/models/widening.test.ts against
 * numpy's astype). Two halves per 32-bit load when the words are 4-byte aligned (bench/linalg.ts).
 */
export function f16ToF32(bits: Uint16Array): Float32Array {
  const table = (f16Table ??= buildF16Table());
  const n = bits.length;
  const out = new Float32Array(n);
  let i = 0;
  if (bits.byteOffset % 4 === 0) {
    const words = new Uint32Array(bits.buffer, bits.byteOffset, n >> 1);
    for (let w = 0; w < words.length; w++, i += 2) {
      const v = words[w];
      out[i] = table[v & 0xffff];
      out[i + 1] = table[v >>> 16];
    }
  }
  for (; i < n; i++) out[i] = table[bits[i]];
  return out;
}

function buildF16Table(): Float32Array {
  const table = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) {
    const sign = h & 0x8000 ? -1 : 1;
    const exponent = (h >> 10) & 0x1f;
    const mantissa = h & 0x3ff;
    if (exponent === 0) table[h] = sign * mantissa * 2 ** -24;
    else if (exponent === 31) table[h] = mantissa ? NaN : sign * Infinity;
    else table[h] = sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
  }
  return table;
}
