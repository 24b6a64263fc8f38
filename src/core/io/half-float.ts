// IEEE half-precision floats widened to float32: safetensors F16 weights (models/safetensors.ts) and
// numpy's '<f2' arrays (matrix-files.ts, the .npz of Gemma Scope SAEs).

let f16Table: Int32Array | undefined;

/**
 * IEEE half bits -> float32, through a 65,536-entry table of float32 bit patterns built once
 * (256 KB): exact for every value, subnormals, infinities and NaN payloads included (numpy's astype
 * keeps them; test/linalg/widening.test.ts compares bits). Integer loads and stores, two halves per
 * 32-bit load when the words are 4-byte aligned: no float conversions in the loop (bench/linalg.ts).
 */
export function f16ToF32(bits: Uint16Array): Float32Array {
  const table = (f16Table ??= buildF16Table());
  const n = bits.length;
  const out = new Int32Array(n);
  let i = 0;
  if (bits.byteOffset % 4 === 0) {
    const words = new Int32Array(bits.buffer, bits.byteOffset, n >> 1);
    for (let w = 0; w < words.length; w++, i += 2) {
      const v = words[w];
      out[i] = table[v & 0xffff];
      out[i + 1] = table[v >>> 16];
    }
  }
  for (; i < n; i++) out[i] = table[bits[i]];
  return new Float32Array(out.buffer);
}

function buildF16Table(): Int32Array {
  const table = new Int32Array(65536);
  const value = new Float32Array(table.buffer);
  for (let h = 0; h < 65536; h++) {
    const sign = h & 0x8000 ? -1 : 1;
    const exponent = (h >> 10) & 0x1f;
    const mantissa = h & 0x3ff;
    if (exponent === 0) value[h] = sign * mantissa * 2 ** -24;
    // Infinity and NaN by bits: a float NaN written through a Float32Array may lose its payload.
    else if (exponent === 31) table[h] = ((h & 0x8000) << 16) | 0x7f800000 | (mantissa << 13);
    else value[h] = sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
  }
  return table;
}
