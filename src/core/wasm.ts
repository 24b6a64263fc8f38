// A few bytes of WebAssembly written by hand (the project has no wasm toolchain): the encodings a
// small kernel needs, and instantiation against one imported memory (its own, or one shared between
// threads). Used by the F16 widening kernel (io/half-float.ts), t-SNE's near-field and attraction
// sums (layout/near-field.ts, layout/attraction.ts), and the SIMD GEMM that bench/linalg.ts measures
// against MLAS.

/** Unsigned LEB128. */
export const leb = (v: number): number[] => {
  const out: number[] = [];
  do { let b = v & 0x7f; v >>>= 7; if (v) b |= 0x80; out.push(b); } while (v);
  return out;
};

/** Signed LEB128 (i32.const immediates). */
export const sleb = (v: number): number[] => {
  const out: number[] = [];
  for (;;) { const b = v & 0x7f; v >>= 7; if ((v === 0 && !(b & 0x40)) || (v === -1 && b & 0x40)) { out.push(b); return out; } out.push(b | 0x80); }
};

export const localGet = (i: number) => [0x20, i], localSet = (i: number) => [0x21, i], localTee = (i: number) => [0x22, i];
export const i32Const = (v: number) => [0x41, ...sleb(v)];
/** A SIMD instruction: the 0xfd prefix, its opcode, then its immediates. */
export const simd = (op: number, ...immediates: number[]) => [0xfd, ...leb(op), ...immediates];
/** v128.const with the same 32-bit integer in every lane. */
export const i32x4Const = (v: number) => simd(0x0c, ...new Uint8Array(new Int32Array(4).fill(v).buffer));

const section = (id: number, body: number[]) => [id, ...leb(body.length), ...body];
const name = (s: string) => [...leb(s.length), ...Buffer.from(s)];

/** One function's body entry: local declarations as [count, type] runs, then the code (ending in `end`). */
export function functionBody(locals: [count: number, type: number][], code: number[]): number[] {
  const declared = [...leb(locals.length), ...locals.flatMap(([count, type]) => [...leb(count), type])];
  return [...leb(declared.length + code.length), ...declared, ...code];
}

/** Value types of parameters and locals. */
export const I32 = 0x7f, F64 = 0x7c, V128 = 0x7b;

/**
 * A module that imports memory e.m and exports one function of the given parameters (a count: that
 * many i32) and no result. A shared memory (one that two threads use at once) must be imported as
 * shared, with a maximum.
 */
export function moduleBytes(exportName: string, params: number | number[], body: number[], shared = false): Uint8Array {
  const types = typeof params === 'number' ? new Array<number>(params).fill(I32) : params;
  const limits = shared ? [0x03, 1, ...leb(MAX_PAGES)] : [0x00, 1];
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [1, 0x60, ...leb(types.length), ...types, 0]),
    ...section(2, [1, ...name('e'), ...name('m'), 0x02, ...limits]),
    ...section(3, [1, 0]),
    ...section(7, [1, ...name(exportName), 0x00, 0]),
    ...section(10, [1, ...body]),
  ]);
}

/** 4 GiB, wasm32's whole address space: the maximum a shared memory declares. */
const MAX_PAGES = 65536;

/** The few WebAssembly APIs used here (the project's TypeScript lib has no DOM/wasm globals). */
interface WasmApi {
  Memory: new (d: { initial: number; maximum?: number; shared?: boolean }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}
export interface WasmMemory { buffer: ArrayBuffer | SharedArrayBuffer; grow(pages: number): number }

const wasmApi = () => (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** Compiles the module synchronously (a few hundred bytes: well under a millisecond) and returns its export and memory. */
export function instantiate<F>(bytes: Uint8Array, exportName: string, pages: number): { fn: F; memory: WasmMemory } {
  const memory = new (wasmApi().Memory)({ initial: pages });
  return { fn: instantiateWith<F>(bytes, exportName, memory), memory };
}

/** A memory of at least `bytes`; a shared one's buffer is a SharedArrayBuffer, and it can be posted to a worker. */
export function wasmMemory(bytes: number, shared: boolean): WasmMemory {
  const pages = Math.max(1, Math.ceil(bytes / 65536));
  return new (wasmApi().Memory)(shared ? { initial: pages, maximum: pages, shared: true } : { initial: pages });
}

/** The module's export, run against a given memory (a shared one for a module built with shared = true). */
export function instantiateWith<F>(bytes: Uint8Array, exportName: string, memory: WasmMemory): F {
  const api = wasmApi();
  return new api.Instance(new api.Module(bytes), { e: { m: memory } }).exports[exportName] as F;
}
