// Tasks that run on the calling thread when their input is small. A worker thread costs about as
// much to start as node itself (a fresh isolate, then worker.js), 0.1–0.2 s on this machine, while
// k-means on 50 points or DBSCAN on a 2-D map of a thousand takes milliseconds: for such inputs the
// thread was most of a CLI command's time (bench/README.md, "CLI start-up"). Above the budget they
// run on a worker as before, so the caller's thread (the extension host, the CLI's Ctrl-C handler)
// is never held for long. Neither task loads onnxruntime or any model code.
import type { Matrix } from '../matrix';
import type { DbscanOptions } from '../cluster/dbscan';
import type { KmeansOptions } from '../cluster/kmeans';
import type { RunControl } from '../run-control';

export const smallTasks = {
  dbscan: async (input: { x: Matrix; options: DbscanOptions }, control: RunControl) => (await import('../cluster/dbscan')).dbscan(input.x, input.options, control),
  kmeans: async (input: { x: Matrix; options: KmeansOptions }, control: RunControl) => (await import('../cluster/kmeans')).kmeans(input.x, input.options, control),
};

/**
 * Multiply-adds of work that run here: a few milliseconds of JavaScript, well under a thread's start.
 * k-means counts one assignment pass per run (sklearn's n_init = 10 runs) times a typical 10 passes;
 * DBSCAN its pairwise distances (the grid it uses in 2-D and 3-D does less).
 */
const WORK_HERE_BELOW = 4e6;

/** Whether `task` on `input` runs on the calling thread (see WORK_HERE_BELOW). */
export function runsHere(task: string, input: unknown): task is keyof typeof smallTasks {
  if (task !== 'dbscan' && task !== 'kmeans') return false;
  const { x, options } = input as { x?: Partial<Matrix>; options?: Partial<KmeansOptions> };
  const rows = x?.rows, cols = x?.cols;
  if (typeof rows !== 'number' || typeof cols !== 'number') return false;
  const work = task === 'dbscan' ? rows * rows * cols : rows * cols * (options?.k ?? rows) * (options?.nInit ?? 10) * 10;
  return work < WORK_HERE_BELOW;
}
