// The near-field sum of the Barnes-Hut repulsion (quadtree.ts): every point of a traversal group
// against the group's flat list of nearby cells and points, z += c·q, f += c·q²·(p − l) with
// q = 1/(1 + |p − l|²). It is most of t-SNE's time at 20,000 points. A WebAssembly SIMD kernel runs
// two points per f64x2 lane pair, four points per pass over the list, so one division instruction
// serves two points; each point still sums its list in list order with the same operations (wasm
// has no fused multiply-add), so its results equal the JavaScript loop's bit for bit
// (test/layout/quadtree.test.ts). Without WebAssembly SIMD the JavaScript loop does it.
import { functionBody, i32Const, instantiate, leb, localGet, localSet, localTee, moduleBytes, simd } from '../wasm';

/** Points per kernel call; a larger group (a leaf of duplicates) goes in several calls. */
export const NEAR_BATCH = 64;
/** Byte offsets in the kernel's memory: five arrays of NEAR_BATCH doubles, then the list. */
const PX = 0, PY = 8 * NEAR_BATCH, Z = 16 * NEAR_BATCH, FX = 24 * NEAR_BATCH, FY = 32 * NEAR_BATCH, LIST = 40 * NEAR_BATCH;

/**
 * One thread's near-field sum. The caller writes the list (x, y, count triples) into `list`, the
 * group's points into px/py and the far-field's start values into z/fx/fy, calls sum(count, size),
 * and reads z/fx/fy back.
 */
export interface NearField {
  readonly list: Float64Array;
  readonly px: Float64Array;
  readonly py: Float64Array;
  readonly z: Float64Array;
  readonly fx: Float64Array;
  readonly fy: Float64Array;
  /** Sums list[0 … size) into the first `count` points (count ≤ NEAR_BATCH). */
  sum(count: number, size: number): void;
}

/** Whether tests force the JavaScript loop (to compare the two). */
let javascriptOnly = false;
export function useJavaScriptNearField(on: boolean): void {
  javascriptOnly = on;
}

/** A near-field sum whose list holds up to listCapacity doubles: the WebAssembly kernel where the runtime has SIMD. */
export function createNearField(listCapacity: number): NearField {
  if (!javascriptOnly) {
    try {
      return wasmNearField(listCapacity);
    } catch {
      // a runtime without WebAssembly SIMD: the loop below
    }
  }
  return javascriptNearField(listCapacity);
}

function javascriptNearField(listCapacity: number): NearField {
  const list = new Float64Array(listCapacity);
  const px = new Float64Array(NEAR_BATCH), py = new Float64Array(NEAR_BATCH), z = new Float64Array(NEAR_BATCH), fx = new Float64Array(NEAR_BATCH), fy = new Float64Array(NEAR_BATCH);
  return {
    list, px, py, z, fx, fy,
    sum(count, size) {
      for (let k = 0; k < count; k++) {
        const x = px[k], y = py[k];
        let zk = z[k], fxk = fx[k], fyk = fy[k];
        for (let l = 0; l < size; l += 3) {
          const lx = x - list[l], ly = y - list[l + 1];
          const d2 = lx * lx + ly * ly;
          if (d2 === 0) continue; // the point itself (and exact duplicates)
          const q = 1 / (1 + d2);
          const cq = list[l + 2] * q;
          zk += cq;
          const m = cq * q;
          fxk += m * lx; fyk += m * ly;
        }
        z[k] = zk; fx[k] = fxk; fy[k] = fyk;
      }
    },
  };
}

let compiled: Uint8Array | undefined;

function wasmNearField(listCapacity: number): NearField {
  const bytes = LIST + 8 * listCapacity;
  const { fn, memory } = instantiate<(pointEnd: number, listEnd: number) => void>((compiled ??= moduleBytes('near', 2, nearFieldBody())), 'near', Math.ceil(bytes / 65536));
  const buffer = memory.buffer;
  const view = (at: number, length: number) => new Float64Array(buffer, at, length);
  const px = view(PX, NEAR_BATCH), py = view(PY, NEAR_BATCH), z = view(Z, NEAR_BATCH), fx = view(FX, NEAR_BATCH), fy = view(FY, NEAR_BATCH);
  return {
    list: view(LIST, listCapacity), px, py, z, fx, fy,
    sum(count, size) {
      if (count === 0) return;
      // The kernel takes points in pairs: an odd count repeats the last point in a lane whose result is not read.
      if (count & 1) { px[count] = px[count - 1]; py[count] = py[count - 1]; z[count] = 0; fx[count] = 0; fy[count] = 0; }
      fn(8 * (count + (count & 1)), LIST + 8 * size);
    },
  };
}

/**
 * near(pointEnd, listEnd): points at byte offsets [0, pointEnd) of each array (an even count), the
 * list from LIST to listEnd. Four points per pass over the list while four are left, then two.
 * Locals: 0 pointEnd, 1 listEnd, 2 p (byte offset of the first point), 3 l (list address); v128:
 * 4 + 5j … for vector j (px, py, z, fx, fy), then the list entry and temporaries.
 */
function nearFieldBody(): number[] {
  const POINT_END = 0, LIST_END = 1, P = 2, L = 3;
  const vector = (j: number) => ({ px: 4 + 5 * j, py: 5 + 5 * j, z: 6 + 5 * j, fx: 7 + 5 * j, fy: 8 + 5 * j });
  const CX = 14, CY = 15, C = 16, LX = 17, LY = 18, D2 = 19, Q = 20, CQ = 21, M = 22;
  const load = (offset: number) => simd(0x00, 4, ...leb(offset));
  const store = (offset: number) => simd(0x0b, 4, ...leb(offset));
  const splat = (offset: number) => simd(0x0a, 3, ...leb(offset)); // v128.load64_splat
  const ones = simd(0x0c, ...new Uint8Array(new Float64Array([1, 1]).buffer));
  const zeros = simd(0x0c, ...new Array<number>(16).fill(0));
  const AND = simd(0x4e), NE = simd(0x48), ADD = simd(0xf0), SUB = simd(0xf1), MUL = simd(0xf2), DIV = simd(0xf3);
  const arrays = (j: number) => [[vector(j).px, PX], [vector(j).py, PY], [vector(j).z, Z], [vector(j).fx, FX], [vector(j).fy, FY]] as const;
  const pass = (vectors: number) => {
    const js = Array.from({ length: vectors }, (_, j) => j);
    return [
      ...js.flatMap((j) => arrays(j).flatMap(([local, base]) => [...localGet(P), ...load(base + 16 * j), ...localSet(local)])),
      ...i32Const(LIST), ...localSet(L),
      0x02, 0x40, 0x03, 0x40, // block, loop
      ...localGet(L), ...localGet(LIST_END), 0x4f, 0x0d, 1, // br_if l >= listEnd: out
      ...localGet(L), ...splat(0), ...localSet(CX),
      ...localGet(L), ...splat(8), ...localSet(CY),
      ...localGet(L), ...splat(16), ...localSet(C),
      ...js.flatMap((j) => {
        const v = vector(j);
        return [
          // d2 = lx·lx + ly·ly; q = 1 / (1 + d2); cq = count·q, or 0 where d2 = 0 (the point itself: z += 0 leaves z as it was)
          ...localGet(v.px), ...localGet(CX), ...SUB, ...localTee(LX), ...localGet(LX), ...MUL,
          ...localGet(v.py), ...localGet(CY), ...SUB, ...localTee(LY), ...localGet(LY), ...MUL,
          ...ADD, ...localSet(D2),
          ...ones, ...ones, ...localGet(D2), ...ADD, ...DIV, ...localSet(Q),
          ...localGet(C), ...localGet(Q), ...MUL, ...localGet(D2), ...zeros, ...NE, ...AND, ...localSet(CQ),
          ...localGet(v.z), ...localGet(CQ), ...ADD, ...localSet(v.z),
          ...localGet(CQ), ...localGet(Q), ...MUL, ...localSet(M),
          ...localGet(v.fx), ...localGet(M), ...localGet(LX), ...MUL, ...ADD, ...localSet(v.fx),
          ...localGet(v.fy), ...localGet(M), ...localGet(LY), ...MUL, ...ADD, ...localSet(v.fy),
        ];
      }),
      ...localGet(L), ...i32Const(24), 0x6a, ...localSet(L),
      0x0c, 0, // br loop
      0x0b, 0x0b,
      ...js.flatMap((j) => arrays(j).slice(2).flatMap(([local, base]) => [...localGet(P), ...localGet(local), ...store(base + 16 * j)])),
    ];
  };
  const code = [
    0x02, 0x40, 0x03, 0x40, // block, loop: four points at a time
    ...localGet(P), ...i32Const(32), 0x6a, ...localGet(POINT_END), 0x4b, 0x0d, 1, // br_if p + 32 > pointEnd: out
    ...pass(2),
    ...localGet(P), ...i32Const(32), 0x6a, ...localSet(P),
    0x0c, 0,
    0x0b, 0x0b,
    ...localGet(P), ...localGet(POINT_END), 0x49, 0x04, 0x40, // if p < pointEnd: the last two
    ...pass(1),
    0x0b,
    0x0b,
  ];
  return functionBody([[2, 0x7f], [19, 0x7b]], code);
}
