// IEEE half-precision floats widened to float32: safetensors F16 weights (models/safetensors.ts) and
// numpy's '<f2' arrays (matrix-files.ts, the .npz of Gemma Scope SAEs).
import { functionBody, i32Const, i32x4Const, instantiate, leb, localGet, localSet, localTee, moduleBytes, simd } from '../wasm';

/**
 * IEEE half bits -> float32, exact for every value: subnormals, infinities and NaN payloads included
 * (numpy's astype keeps a signalling NaN signalling; the CPU's F16C conversion, which torch and
 * onnxruntime's Cast use, quiets it). test/linalg/widening.test.ts compares all 65,536 patterns bit
 * for bit. A WebAssembly SIMD kernel converts eight halves per step with integer operations (one
 * exact float subtraction renormalises subnormals), through a small buffer in wasm memory that stays
 * in cache: about half numpy's CPU time (bench/README.md). Without WebAssembly a table does it.
 */
export function f16ToF32(bits: Uint16Array): Float32Array {
  const kernel = (f16Kernel ??= createF16Kernel());
  return kernel ? kernel(bits) : f16ToF32ByTable(bits);
}

/** Halves per kernel call: 64 KiB in, 128 KiB out, both in L2 with room to spare. */
const CHUNK = 32768;

let f16Kernel: ((bits: Uint16Array) => Float32Array) | null | undefined;

function createF16Kernel(): ((bits: Uint16Array) => Float32Array) | null {
  let convert: (from: number, to: number, end: number) => void, buffer: ArrayBufferLike;
  try {
    const { fn, memory } = instantiate<typeof convert>(moduleBytes('f16', 3, f16KernelBody()), 'f16', (6 * CHUNK) / 65536);
    convert = fn;
    buffer = memory.buffer;
  } catch {
    return null; // a runtime without WebAssembly SIMD: the table below
  }
  const halves = new Uint16Array(buffer, 0, CHUNK);
  const floats = new Float32Array(buffer, 2 * CHUNK, CHUNK);
  return (bits) => {
    const n = bits.length;
    const out = new Float32Array(n);
    for (let i = 0; i < n; i += CHUNK) {
      const count = Math.min(CHUNK, n - i);
      halves.set(bits.subarray(i, i + count));
      // Whole steps of eight: a short last chunk converts a few stale halves past its end, never copied out.
      convert(0, 2 * CHUNK, 2 * count);
      out.set(count === CHUNK ? floats : floats.subarray(0, count), i);
    }
    return out;
  };
}

/**
 * f16(from, to, end): halves at byte `from` up to `end` -> float32 at byte `to`. For each half h
 * (after Fabian Giesen's half_to_float): o = (h & 0x7fff) << 13 moved to float32's exponent bias
 * (+112 << 23); an all-ones exponent (inf, NaN) gets another +112 << 23, which keeps the payload; a
 * zero exponent (zero, subnormal) becomes 2^-14 · (1 + m/1024) - 2^-14 = m · 2^-24, exact; then the
 * sign. Parameters 0 from, 1 to, 2 end; v128 locals 3 eight halves, 4 four widened, 5 o, 6 exponent.
 */
function f16KernelBody(): number[] {
  const AND = simd(0x4e), OR = simd(0x50), BITSELECT = simd(0x52), EQ = simd(0x37), SHL = simd(0xab), ADD = simd(0xae), F32_SUB = simd(0xe5);
  const EXPONENT = 0x7c00 << 13, BIAS = (127 - 15) << 23;
  const widen = (extend: number[], offset: number) => [
    ...localGet(1),
    ...localGet(3), ...extend, ...localSet(4),
    ...localGet(4), ...i32x4Const(0x7fff), ...AND, ...i32Const(13), ...SHL, ...localTee(5), ...i32x4Const(EXPONENT), ...AND, ...localSet(6),
    ...localGet(5), ...i32x4Const(BIAS), ...ADD,
    ...localGet(6), ...i32x4Const(EXPONENT), ...EQ, ...i32x4Const(BIAS), ...AND, ...ADD, ...localSet(5),
    // bitselect(subnormal path, normal path, exponent == 0)
    ...localGet(5), ...i32x4Const(1 << 23), ...ADD, ...i32x4Const(113 << 23), ...F32_SUB,
    ...localGet(5),
    ...localGet(6), ...i32x4Const(0), ...EQ, ...BITSELECT,
    ...localGet(4), ...i32x4Const(0x8000), ...AND, ...i32Const(16), ...SHL, ...OR,
    ...simd(0x0b, 4, ...leb(offset)), // v128.store
  ];
  const code = [
    0x03, 0x40, // loop
    ...localGet(0), ...simd(0x00, 4, 0), ...localSet(3), // v128.load
    ...widen(simd(0xa9), 0), ...widen(simd(0xaa), 16), // i32x4.extend_low/high_i16x8_u
    ...localGet(0), ...i32Const(16), 0x6a, ...localTee(0),
    ...localGet(1), ...i32Const(32), 0x6a, ...localSet(1),
    ...localGet(2), 0x49, 0x0d, 0, // br_if from < end
    0x0b, 0x0b,
  ];
  return functionBody([[4, 0x7b]], code);
}

let f16Table: Int32Array | undefined;

/**
 * The same conversion through a 65,536-entry table of float32 bit patterns (256 KB, built once):
 * integer loads and stores, two halves per 32-bit load when the words are 4-byte aligned.
 */
export function f16ToF32ByTable(bits: Uint16Array): Float32Array {
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
