// A second thread for Barnes-Hut t-SNE. t-SNE's loop is synchronous, so the two threads meet
// through Atomics on shared memory, not messages: each iteration the main thread bumps a
// generation counter, both threads build the same quadtree from the shared coordinates and each
// computes the repulsion and attraction of its half of the points into shared arrays. Results
// do not depend on the number of threads (same trees, same groups, Z summed in one fixed order).
import { Worker } from 'node:worker_threads';
import { QuadTree } from './quadtree';
import { attractiveForces } from './forces';
import { workerEntry } from '../worker/client';
import type { SparseP } from './affinities';

export interface HelperInit {
  n: number;
  theta: number;
  rowStart: Int32Array;
  columns: Int32Array;
  values: Float64Array;
  y: SharedArrayBuffer;
  negF: SharedArrayBuffer;
  pointZ: SharedArrayBuffer;
  attractive: SharedArrayBuffer;
  /** Int32 [requested generation (−1: stop), finished generation]. */
  control: SharedArrayBuffer;
  /** Float64 [exaggeration]. */
  params: SharedArrayBuffer;
}

/** Waits longer for the first answer: the helper thread has to start (and compile, under tsx). */
const FIRST_ANSWER_MS = 30_000;
const ANSWER_MS = 10_000;

export class RepulsionHelper {
  readonly buffers: { y: Float64Array; negF: Float64Array; pointZ: Float64Array; attractive: Float64Array };
  private readonly control: Int32Array;
  private readonly params: Float64Array;
  private readonly worker: Worker;
  private generation = 0;
  private dead = false;

  constructor(P: SparseP, theta: number) {
    const n = P.n;
    const shared = (count: number) => new SharedArrayBuffer(8 * count);
    const init: HelperInit = {
      n, theta, rowStart: P.rowStart, columns: P.columns, values: P.values,
      y: shared(2 * n), negF: shared(2 * n), pointZ: shared(n), attractive: shared(2 * n),
      control: new SharedArrayBuffer(8), params: shared(1),
    };
    this.buffers = { y: new Float64Array(init.y), negF: new Float64Array(init.negF), pointZ: new Float64Array(init.pointZ), attractive: new Float64Array(init.attractive) };
    this.control = new Int32Array(init.control);
    this.params = new Float64Array(init.params);
    const entry = workerEntry();
    this.worker = entry.bootstrap === null ? new Worker(entry.file) : new Worker(entry.bootstrap, { eval: true });
    this.worker.unref();
    this.worker.on('error', () => { this.dead = true; });
    this.worker.postMessage({ type: 'tsne-helper', init });
  }

  start(exaggeration: number): void {
    if (this.dead) return;
    this.params[0] = exaggeration;
    this.generation++;
    Atomics.store(this.control, 0, this.generation);
    Atomics.notify(this.control, 0);
  }

  /** Blocks until the helper finished this generation; if it does not answer in time, runs fallback instead and retires it. */
  wait(fallback: () => void): void {
    if (this.dead) { fallback(); return; }
    const limit = this.generation === 1 ? FIRST_ANSWER_MS : ANSWER_MS;
    const started = Date.now();
    for (;;) {
      const done = Atomics.load(this.control, 1);
      if (done === this.generation) return;
      const left = limit - (Date.now() - started);
      if (left <= 0 || this.dead) { this.retire(); fallback(); return; }
      Atomics.wait(this.control, 1, done, left);
    }
  }

  dispose(): void {
    this.retire();
  }

  private retire(): void {
    this.dead = true;
    Atomics.store(this.control, 0, -1);
    Atomics.notify(this.control, 0);
    void this.worker.terminate();
  }
}

/** The helper thread's loop (runs inside the worker; returns when told to stop). */
export function runRepulsionHelper(init: HelperInit): void {
  const { n, theta, rowStart, columns, values } = init;
  const y = new Float64Array(init.y), negF = new Float64Array(init.negF), pointZ = new Float64Array(init.pointZ), attractive = new Float64Array(init.attractive);
  const control = new Int32Array(init.control), params = new Float64Array(init.params);
  const tree = new QuadTree();
  const positionSplit = QuadTree.split(n, 0.5), rowSplit = Math.floor(n / 2);
  let generation = 0;
  for (;;) {
    Atomics.wait(control, 0, generation);
    const next = Atomics.load(control, 0);
    if (next < 0) return;
    if (next === generation) continue;
    generation = next;
    tree.build(y, n);
    tree.repulsion(y, theta, negF, pointZ, positionSplit, n);
    attractiveForces(y, attractive, rowStart, columns, values, params[0], rowSplit, n);
    Atomics.store(control, 1, generation);
    Atomics.notify(control, 1);
  }
}
