// A WebAssembly SIMD GEMM kernel, the alternative to onnxruntime's MLAS that bench/linalg.ts measures
// (issue 18: "measure both, choose, and write down why"). Hand-assembled (no wasm toolchain in the
// project): out = A·Bᵀ for float32 rows of length k, one row of A against four of B per step, four
// f32x4 accumulators, so each 128-bit load of A feeds four multiply-adds. k and n must be multiples
// of 4. It stays in bench/: MLAS won (bench/README.md), so core/linalg does not carry it.

import { functionBody, i32Const as i32, instantiate, leb, localGet as get, localSet as set, localTee as tee, moduleBytes, simd } from '../src/core/wasm';

const ADD = 0x6a, MUL = 0x6c, LT_U = 0x49, SHL = 0x74;
const V128_LOAD = (align = 2) => simd(0x00, align, 0), V128_ZERO = simd(0x0c, ...new Array(16).fill(0));
const F32X4_ADD = simd(0xe4), F32X4_MUL = simd(0xe6), lane = (l: number) => simd(0x1f, l);
const F32_ADD = 0x92, f32Store = (offset: number) => [0x38, 2, ...leb(offset)];
const loop = (body: number[]) => [0x03, 0x40, ...body, 0x0b];

// Params: 0 a, 1 b, 2 out, 3 m, 4 n, 5 k (byte pointers into the imported memory; counts in floats).
// i32 locals: 6 i, 7 j, 8 c, 9 pa, 10–13 pb0–pb3, 14 kb (row bytes), 15 po. v128: 16–19 acc, 20 va.
function kernelBody(): number[] {
  const hsum = (acc: number) => [...get(acc), ...lane(0), ...get(acc), ...lane(1), F32_ADD, ...get(acc), ...lane(2), F32_ADD, ...get(acc), ...lane(3), F32_ADD];
  const macc = (acc: number, pb: number) => [...get(acc), ...get(20), ...get(pb), ...get(8), ADD, ...V128_LOAD(), ...F32X4_MUL, ...F32X4_ADD, ...set(acc)];
  const inner = loop([
    ...get(9), ...get(8), ADD, ...V128_LOAD(), ...set(20),
    ...macc(16, 10), ...macc(17, 11), ...macc(18, 12), ...macc(19, 13),
    ...get(8), ...i32(16), ADD, ...tee(8), ...get(14), LT_U, 0x0d, 0,
  ]);
  const columns = loop([
    ...V128_ZERO, ...set(16), ...V128_ZERO, ...set(17), ...V128_ZERO, ...set(18), ...V128_ZERO, ...set(19),
    ...get(10), ...get(14), ADD, ...set(11), ...get(11), ...get(14), ADD, ...set(12), ...get(12), ...get(14), ADD, ...set(13),
    ...i32(0), ...set(8),
    ...inner,
    ...get(15), ...hsum(16), ...f32Store(0), ...get(15), ...hsum(17), ...f32Store(4),
    ...get(15), ...hsum(18), ...f32Store(8), ...get(15), ...hsum(19), ...f32Store(12),
    ...get(15), ...i32(16), ADD, ...set(15),
    ...get(13), ...get(14), ADD, ...set(10),
    ...get(7), ...i32(4), ADD, ...tee(7), ...get(4), LT_U, 0x0d, 0,
  ]);
  const rows = loop([
    ...i32(0), ...set(7), ...get(1), ...set(10),
    ...get(0), ...get(6), ...get(14), MUL, ADD, ...set(9),
    ...columns,
    ...get(6), ...i32(1), ADD, ...tee(6), ...get(3), LT_U, 0x0d, 0,
  ]);
  const code = [...get(5), ...i32(2), SHL, ...set(14), ...get(2), ...set(15), ...rows, 0x0b];
  return functionBody([[10, 0x7f], [5, 0x7b]], code);
}

/** out = A·Bᵀ (m × n) for float32 A (m × k) and B (n × k); copies into and out of wasm memory. */
export function createWasmSimdGemm(): (a: Float32Array, m: number, b: Float32Array, n: number, k: number) => Float32Array {
  const { fn: dots, memory } = instantiate<(a: number, b: number, out: number, m: number, n: number, k: number) => void>(moduleBytes('dots', 6, kernelBody()), 'dots', 1);
  return (a, m, b, n, k) => {
    if (k % 4 || n % 4) throw new RangeError('wasm kernel: k and n must be multiples of 4');
    const bytes = 4 * (m * k + n * k + m * n);
    const pages = Math.ceil(bytes / 65536);
    if (memory.buffer.byteLength < pages * 65536) memory.grow(pages - memory.buffer.byteLength / 65536);
    const f = new Float32Array(memory.buffer);
    f.set(a, 0); f.set(b, m * k);
    dots(0, 4 * m * k, 4 * (m * k + n * k), m, n, k);
    return new Float32Array(memory.buffer, 4 * (m * k + n * k), m * n).slice();
  };
}
