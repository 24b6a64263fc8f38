// Products on onnxruntime's MLAS GEMM (multithreaded, AVX2/AVX-512 where the CPU has them): one
// Gemm node per shape class (element type and transposes), with symbolic dimensions so one session
// serves every size. onnxruntime is loaded on the first large product only: commands that never
// multiply big matrices never pay its ~0.1–0.2 s start.
import type { DenseTensor, SyncCpuSession } from '../models/runtime';
import type { Values } from './js-kernels';

type Runtime = typeof import('../models/runtime');

let runtime: Runtime | null | undefined;
let loadError: unknown;
const sessions = new Map<string, SyncCpuSession>();

/** runtime.ts, loaded on first use; null when onnxruntime cannot load on this platform. */
function loadRuntime(): Runtime | null {
  if (runtime !== undefined) return runtime;
  try {
    // A synchronous lazy load: gemm() is synchronous, and importing runtime.ts at the top would
    // load onnxruntime into every process that touches linalg, small products included.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    runtime = require('../models/runtime') as Runtime;
  } catch (err) {
    loadError = err;
    runtime = null;
  }
  return runtime;
}

/** Why the MLAS path is unavailable, or null when it is available. */
export function onnxGemmUnavailable(): string | null {
  return loadRuntime() ? null : `onnxruntime could not be loaded (${loadError instanceof Error ? loadError.message : String(loadError)})`;
}

function gemmModel(elem: 'float32' | 'float64', transA: boolean, transB: boolean): Uint8Array {
  // Lazy like runtime.ts: the graph builder brings protobufjs.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { GraphBuilder } = require('../models/onnx-graph') as typeof import('../models/onnx-graph');
  const g = new GraphBuilder();
  const a = g.input('a', elem, transA ? ['k', 'm'] : ['m', 'k']);
  const b = g.input('b', elem, transB ? ['n', 'k'] : ['k', 'n']);
  g.op('Gemm', [a, b], { transA: transA ? 1 : 0, transB: transB ? 1 : 0 }, ['y']);
  g.output('y', elem, ['m', 'n']);
  return g.encode('linalg_gemm');
}

function session(elem: 'float32' | 'float64', transA: boolean, transB: boolean): SyncCpuSession {
  return linalgSession(`${elem}:${transA ? 'T' : 'N'}${transB ? 'T' : 'N'}`, () => gemmModel(elem, transA, transB));
}

/** A cached synchronous CPU session for a small linalg graph, built by `model` on first use under `key`. */
export function linalgSession(key: string, model: () => Uint8Array): SyncCpuSession {
  let s = sessions.get(key);
  if (!s) {
    const rt = loadRuntime();
    if (!rt) throw new Error(onnxGemmUnavailable() ?? 'onnxruntime unavailable');
    s = rt.createSyncCpuSession(model());
    sessions.set(key, s);
  }
  return s;
}

/**
 * op(A)·op(B) on MLAS, where op transposes when asked; a is aRows × aCols and b bRows × bCols as
 * stored. Both operands have the same element type, and so does the result (m × n), written into
 * `into` when given (onnxruntime writes there directly).
 */
export function gemmOnnx(a: Values, aRows: number, aCols: number, b: Values, bRows: number, bCols: number, transA: boolean, transB: boolean, into?: Values): Values {
  const elem = a instanceof Float64Array ? 'float64' : 'float32';
  const feeds: Record<string, DenseTensor> = { a: { data: a, dims: [aRows, aCols] }, b: { data: b, dims: [bRows, bCols] } };
  const output = into && { y: { data: into, dims: [transA ? aCols : aRows, transB ? bRows : bCols] } };
  return session(elem, transA, transB).run(feeds, ['y'], output).y.data;
}

/**
 * Loads onnxruntime and makes the sessions of the given shape classes now, so that a caller that
 * knows products are coming (a worker about to run PCA on a file still being read) pays for that
 * while it waits instead of at the first product. False when onnxruntime cannot load.
 */
export function warmGemmSessions(classes: readonly { elem: 'float32' | 'float64'; transA: boolean; transB: boolean }[]): boolean {
  if (!loadRuntime()) return false;
  for (const c of classes) session(c.elem, c.transA, c.transB);
  return true;
}

/** Releases the cached sessions (tests, and processes that are done with large products). */
export function disposeGemmSessions(): void {
  for (const s of sessions.values()) s.dispose();
  sessions.clear();
}
