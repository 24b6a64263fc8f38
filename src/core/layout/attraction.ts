// The attractive half of the Barnes-Hut t-SNE gradient, Σ_j p_ij q_ij (y_i − y_j) per row of the
// sparse P, for row ranges that either thread takes. At 20,000 points P has ~2.8 million entries and
// this is a third of an iteration's work, most of it divisions. A WebAssembly SIMD kernel runs two
// rows at once, one per f64x2 lane: one division instruction serves both, and each row still sums
// its own entries in column order with the same operations (no fused multiply-add in wasm), so the
// forces equal attractiveForces' bit for bit (test/layout/quadtree.test.ts); the longer row's last
// entries go through the same steps one at a time. y, the forces and P live in one memory that both
// threads share (a shared WebAssembly.Memory, posted to the helper), so nothing is copied per
// iteration. Without WebAssembly SIMD, attractiveForces runs on the same buffer.
import type { SparseP } from './affinities';
import { attractiveForces } from './forces';
import { F64, I32, V128, functionBody, i32Const, instantiateWith, leb, localGet, localSet, localTee, moduleBytes, simd, wasmMemory, type WasmMemory } from '../wasm';

/** The memory of P, y and the forces: a wasm memory (shared between threads when asked), or a plain buffer without WebAssembly SIMD. */
export interface AttractionArena {
  n: number;
  entries: number;
  memory: WasmMemory | null;
  buffer: ArrayBufferLike;
}

/** Byte offsets in the arena: y, the forces, then P's row starts, columns and values. */
function layout(n: number, entries: number) {
  const y = 0, out = 16 * n, rowStart = 32 * n;
  const columns = rowStart + 8 * Math.ceil((4 * (n + 1)) / 8);
  const values = columns + 8 * Math.ceil((4 * entries) / 8);
  return { y, out, rowStart, columns, values, bytes: values + 8 * entries };
}

type Kernel = (from: number, to: number, rowStart: number, columns: number, values: number, out: number, exaggeration: number) => void;
const kernelBytes: Record<'shared' | 'own', Uint8Array | undefined> = { shared: undefined, own: undefined };

/** A new arena holding P (copied once), shared for the helper thread or the caller's own. */
export function attractionArena(P: SparseP, shared: boolean): AttractionArena {
  const n = P.n, entries = P.values.length;
  const at = layout(n, entries);
  let memory: WasmMemory | null = null;
  try {
    memory = wasmMemory(at.bytes, shared);
    kernelOf(memory, shared); // compiles now: a runtime without SIMD falls back here, not on first use
  } catch {
    memory = null;
  }
  const buffer = memory ? memory.buffer : shared ? new SharedArrayBuffer(at.bytes) : new ArrayBuffer(at.bytes);
  new Int32Array(buffer, at.rowStart, n + 1).set(P.rowStart);
  new Int32Array(buffer, at.columns, entries).set(P.columns);
  new Float64Array(buffer, at.values, entries).set(P.values);
  return { n, entries, memory, buffer };
}

function kernelOf(memory: WasmMemory, shared: boolean): Kernel {
  const key = shared ? 'shared' : 'own';
  return instantiateWith<Kernel>((kernelBytes[key] ??= moduleBytes('attract', [I32, I32, I32, I32, I32, I32, F64], attractionBody(), shared)), 'attract', memory);
}

/** One thread's view of an arena: write y, call rows(), read forces. */
export class Attraction {
  readonly y: Float64Array;
  readonly forces: Float64Array;
  private readonly at: ReturnType<typeof layout>;
  private readonly kernel: Kernel | null;
  /** P, in the arena. */
  readonly rowStart: Int32Array;
  readonly columns: Int32Array;
  readonly values: Float64Array;

  constructor(readonly arena: AttractionArena) {
    const { n, entries, buffer, memory } = arena;
    this.at = layout(n, entries);
    this.y = new Float64Array(buffer, this.at.y, 2 * n);
    this.forces = new Float64Array(buffer, this.at.out, 2 * n);
    this.rowStart = new Int32Array(buffer, this.at.rowStart, n + 1);
    this.columns = new Int32Array(buffer, this.at.columns, entries);
    this.values = new Float64Array(buffer, this.at.values, entries);
    this.kernel = memory ? kernelOf(memory, buffer instanceof SharedArrayBuffer) : null;
  }

  /** Forces of rows [from, to) at the current y, with P multiplied by exaggeration. */
  rows(from: number, to: number, exaggeration: number): void {
    if (this.kernel) this.kernel(from, to, this.at.rowStart, this.at.columns, this.at.values, this.at.out, exaggeration);
    else attractiveForces(this.y, this.forces, this.rowStart, this.columns, this.values, exaggeration, from, to);
  }
}

/**
 * attract(from, to, rowStart, columns, values, out, exaggeration), byte offsets; y at 0. Rows in
 * pairs (lanes 0 and 1) over their common length, then each row's rest one entry at a time, then a
 * last odd row alone.
 */
function attractionBody(): number[] {
  const FROM = 0, TO = 1, RS = 2, COLS = 3, VALS = 4, OUT = 5, EXAG = 6;
  const I = 7, EA = 8, EB = 9, END_A = 10, END_B = 11, STOP = 12, J = 13;
  const YI0 = 14, YI1 = 15, F0 = 16, F1 = 17, D0 = 18, D1 = 19, PQ = 20;
  const VY0 = 21, VY1 = 22, VF0 = 23, VF1 = 24, VD0 = 25, VD1 = 26, VPQ = 27, VEX = 28, PA = 29, PB = 30;
  const get = localGet, set = localSet, tee = localTee;
  const i32Load = (offset: number) => [0x28, 2, ...leb(offset)], f64Load = (offset: number) => [0x2b, 3, ...leb(offset)], f64Store = (offset: number) => [0x39, 3, ...leb(offset)];
  const ADD32 = [0x6a], SUB32 = [0x6b], SHL = [0x74], GE_S = [0x4e], LT_S = [0x48];
  const FADD = [0xa0], FSUB = [0xa1], FMUL = [0xa2], FDIV = [0xa3];
  const f64Const = (v: number) => [0x44, ...new Uint8Array(new Float64Array([v]).buffer)];
  const ADD = simd(0xf0), SUB = simd(0xf1), MUL = simd(0xf2), DIV = simd(0xf3);
  const ones = simd(0x0c, ...new Uint8Array(new Float64Array([1, 1]).buffer)), zeros = simd(0x0c, ...new Array<number>(16).fill(0));
  const lanes = (low: number) => simd(0x0d, ...[0, 1, 2, 3, 4, 5, 6, 7].map((b) => low + b), ...[0, 1, 2, 3, 4, 5, 6, 7].map((b) => 16 + low + b));
  const extract = (lane: number) => simd(0x21, lane);
  /** address of base[index] for elements of 2^shift bytes. */
  const element = (base: number, index: number, shift: number) => [...get(base), ...get(index), ...i32Const(shift), ...SHL, ...ADD32];
  const pointAddress = (index: number) => [...get(index), ...i32Const(4), ...SHL];

  // One row's entries [e, end) one at a time into f0, f1 (attractiveForces' loop).
  const tail = (e: number, end: number) => [
    0x02, 0x40, 0x03, 0x40,
    ...get(e), ...get(end), ...GE_S, 0x0d, 1,
    ...element(COLS, e, 2), ...i32Load(0), ...i32Const(4), ...SHL, ...set(J),
    ...get(YI0), ...get(J), ...f64Load(0), ...FSUB, ...set(D0),
    ...get(YI1), ...get(J), ...f64Load(8), ...FSUB, ...set(D1),
    ...element(VALS, e, 3), ...f64Load(0), ...get(EXAG), ...FMUL,
    ...f64Const(1), ...get(D0), ...get(D0), ...FMUL, ...FADD, ...get(D1), ...get(D1), ...FMUL, ...FADD,
    ...FDIV, ...set(PQ),
    ...get(F0), ...get(PQ), ...get(D0), ...FMUL, ...FADD, ...set(F0),
    ...get(F1), ...get(PQ), ...get(D1), ...FMUL, ...FADD, ...set(F1),
    ...get(e), ...i32Const(1), ...ADD32, ...set(e),
    0x0c, 0,
    0x0b, 0x0b,
  ];
  const fromLane = (lane: number) => [
    ...get(VY0), ...extract(lane), ...set(YI0), ...get(VY1), ...extract(lane), ...set(YI1),
    ...get(VF0), ...extract(lane), ...set(F0), ...get(VF1), ...extract(lane), ...set(F1),
  ];
  const storeRow = (offset: number) => [
    ...element(OUT, I, 4), ...get(F0), ...f64Store(offset),
    ...element(OUT, I, 4), ...get(F1), ...f64Store(offset + 8),
  ];

  const code = [
    ...get(EXAG), ...simd(0x14), ...set(VEX), // f64x2.splat
    ...get(FROM), ...set(I),
    0x02, 0x40, 0x03, 0x40,
    ...get(I), ...i32Const(1), ...ADD32, ...get(TO), ...GE_S, 0x0d, 1, // fewer than two rows left
    ...element(RS, I, 2), ...tee(J), ...i32Load(0), ...set(EA),
    ...get(J), ...i32Load(4), ...tee(END_A), ...set(EB),
    ...get(J), ...i32Load(8), ...set(END_B),
    // stop = ea + min(endA − ea, endB − eb)
    ...get(EA),
    ...get(END_A), ...get(EA), ...SUB32, ...get(END_B), ...get(EB), ...SUB32,
    ...get(END_A), ...get(EA), ...SUB32, ...get(END_B), ...get(EB), ...SUB32, ...LT_S,
    0x1b, // select
    ...ADD32, ...set(STOP),
    ...pointAddress(I), ...simd(0x00, 4, 0), ...set(PA),
    ...pointAddress(I), ...simd(0x00, 4, 16), ...set(PB),
    ...get(PA), ...get(PB), ...lanes(0), ...set(VY0),
    ...get(PA), ...get(PB), ...lanes(8), ...set(VY1),
    ...zeros, ...set(VF0), ...zeros, ...set(VF1),
    0x02, 0x40, 0x03, 0x40,
    ...get(EA), ...get(STOP), ...GE_S, 0x0d, 1,
    ...element(COLS, EA, 2), ...i32Load(0), ...i32Const(4), ...SHL, ...simd(0x00, 4, 0), ...set(PA),
    ...element(COLS, EB, 2), ...i32Load(0), ...i32Const(4), ...SHL, ...simd(0x00, 4, 0), ...set(PB),
    ...get(VY0), ...get(PA), ...get(PB), ...lanes(0), ...SUB, ...set(VD0),
    ...get(VY1), ...get(PA), ...get(PB), ...lanes(8), ...SUB, ...set(VD1),
    ...element(VALS, EB, 3),
    ...element(VALS, EA, 3), ...simd(0x0a, 3, 0), // v128.load64_splat: values[ea] in both lanes
    ...simd(0x57, 3, 0, 1), // v128.load64_lane: values[eb] into lane 1
    ...get(VEX), ...MUL,
    ...ones, ...get(VD0), ...get(VD0), ...MUL, ...ADD, ...get(VD1), ...get(VD1), ...MUL, ...ADD,
    ...DIV, ...set(VPQ),
    ...get(VF0), ...get(VPQ), ...get(VD0), ...MUL, ...ADD, ...set(VF0),
    ...get(VF1), ...get(VPQ), ...get(VD1), ...MUL, ...ADD, ...set(VF1),
    ...get(EA), ...i32Const(1), ...ADD32, ...set(EA),
    ...get(EB), ...i32Const(1), ...ADD32, ...set(EB),
    0x0c, 0,
    0x0b, 0x0b,
    ...fromLane(0), ...tail(EA, END_A), ...storeRow(0),
    ...fromLane(1), ...tail(EB, END_B), ...storeRow(16),
    ...get(I), ...i32Const(2), ...ADD32, ...set(I),
    0x0c, 0,
    0x0b, 0x0b,
    // A last row alone.
    ...get(I), ...get(TO), ...LT_S, 0x04, 0x40,
    ...element(RS, I, 2), ...tee(J), ...i32Load(0), ...set(EA),
    ...get(J), ...i32Load(4), ...set(END_A),
    ...pointAddress(I), ...f64Load(0), ...set(YI0),
    ...pointAddress(I), ...f64Load(8), ...set(YI1),
    ...f64Const(0), ...set(F0), ...f64Const(0), ...set(F1),
    ...tail(EA, END_A), ...storeRow(0),
    0x0b,
    0x0b,
  ];
  return functionBody([[7, I32], [7, F64], [10, V128]], code);
}
