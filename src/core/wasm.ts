// A few bytes of WebAssembly written by hand (the project has no wasm toolchain): the encodings a
// small kernel needs, and instantiation against one imported memory. Used by the F16 widening kernel
// (io/half-float.ts) and the SIMD GEMM that bench/linalg.ts measures against MLAS.

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

/** A module that imports memory e.m and exports one function of i32 parameters and no result. */
export function moduleBytes(exportName: string, params: number, body: number[]): Uint8Array {
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [1, 0x60, params, ...new Array<number>(params).fill(0x7f), 0]),
    ...section(2, [1, ...name('e'), ...name('m'), 0x02, 0x00, 1]),
    ...section(3, [1, 0]),
    ...section(7, [1, ...name(exportName), 0x00, 0]),
    ...section(10, [1, ...body]),
  ]);
}

/** The few WebAssembly APIs used here (the project's TypeScript lib has no DOM/wasm globals). */
interface WasmApi {
  Memory: new (d: { initial: number }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}
export interface WasmMemory { buffer: ArrayBuffer; grow(pages: number): number }

/** Compiles the module synchronously (a few hundred bytes: well under a millisecond) and returns its export and memory. */
export function instantiate<F>(bytes: Uint8Array, exportName: string, pages: number): { fn: F; memory: WasmMemory } {
  const api = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
  const memory = new api.Memory({ initial: pages });
  const instance = new api.Instance(new api.Module(bytes), { e: { m: memory } });
  return { fn: instance.exports[exportName] as F, memory };
}
