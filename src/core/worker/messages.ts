// Messages between runInWorker (client.ts) and the worker entry (main.ts). A thread serves many runs
// one after another, so every message names its run: a late answer from a cancelled run is ignored.
import type { Progress } from '../run-control';
import type { ErrorCode } from '../errors';
import type { HelperInit } from '../layout/tsne-helper';

export type ToWorker =
  /** cancelFlag: Int32Array over a SharedArrayBuffer; [0] becomes 1 on cancel, so synchronous loops see it. */
  | { type: 'run'; runId: number; task: string; input: unknown; cancelFlag: Int32Array; wantsIterations: boolean; wantsPartials?: boolean }
  | { type: 'cancel'; runId: number }
  /** A second thread for Barnes-Hut t-SNE (see layout/tsne-helper.ts); it then serves only that. */
  | { type: 'tsne-helper'; init: HelperInit };

export interface SerializedError {
  name: string;
  message: string;
  code?: ErrorCode;
  input?: string;
  line?: number;
  fix?: string;
  stack?: string;
}

export type FromWorker = { runId: number } & (
  | { type: 'progress'; progress: Progress }
  | { type: 'iteration'; iteration: number; kl: number; coords: Float64Array }
  /** A result so far, from a job that streams (the logit lens, layer by layer). */
  | { type: 'partial'; output: unknown }
  | { type: 'done'; output: unknown }
  | { type: 'error'; error: SerializedError });

/** The ArrayBuffers under the typed arrays of a value (deduplicated), for postMessage's transfer list. */
export function transferables(value: unknown, seen = new Set<ArrayBuffer>(), depth = 0): ArrayBuffer[] {
  if (value === null || typeof value !== 'object' || depth > 8) return [...seen];
  if (ArrayBuffer.isView(value)) {
    if (value.buffer instanceof ArrayBuffer) seen.add(value.buffer);
  } else if (Array.isArray(value)) {
    for (const v of value) if (v !== null && typeof v === 'object') transferables(v, seen, depth + 1);
  } else {
    for (const v of Object.values(value)) transferables(v, seen, depth + 1);
  }
  return [...seen];
}
