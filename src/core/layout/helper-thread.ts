// A second thread for the synchronous loops of t-SNE (neighbour search, Barnes-Hut iterations).
// The threads meet through Atomics on shared memory, not messages: for each generation of work the
// main thread publishes its parameters and opens a ticket counter; both threads take chunks from
// it until none are left. So the main thread never waits for the helper to start or to be
// scheduled (it takes the chunks the helper does not), and a loaded CPU balances itself. Every
// chunk writes its own slots of the output, so results do not depend on which thread did what.
import { Worker } from 'node:worker_threads';
import { workerEntry } from '../worker/client';

/** Shared control words: [generation (−1: stop), ticket (generation << 16 | chunk), chunks done, chunks the helper did in all]. */
export const GENERATION = 0, TICKET = 1, DONE = 2, HELPER_CHUNKS = 3;
/** params[TOTAL] is the number of chunks of the current generation; the other params belong to the job. */
export const TOTAL = 0;
/** If the helper holds a chunk this long (default), it is presumed dead: the main thread redoes everything itself. */
const STUCK_MS = 20_000;

export interface SharedControl {
  control: SharedArrayBuffer;
  params: SharedArrayBuffer;
}

export function sharedControl(params: number): SharedControl {
  return { control: new SharedArrayBuffer(16), params: new SharedArrayBuffer(8 * (params + 1)) };
}

export interface ChunkWork {
  run(chunk: number): void;
}

/** Takes chunks of the given generation until none are left; returns how many it did. */
export function takeChunks(control: Int32Array, generation: number, total: number, work: ChunkWork, beforeChunk?: () => void): number {
  let did = 0;
  for (;;) {
    beforeChunk?.();
    // Take a ticket only if it still belongs to this generation. A plain Atomics.add here let a thread
    // that had just finished generation g consume the first ticket of g + 1 and drop it, so no one
    // ran that chunk: the main thread waited STUCK_MS, then terminated the helper (exit code 1).
    const ticket = Atomics.load(control, TICKET);
    if (ticket >>> 16 !== (generation & 0x3fff) || (ticket & 0xffff) >= total) return did;
    if (Atomics.compareExchange(control, TICKET, ticket, ticket + 1) !== ticket) continue;
    work.run(ticket & 0xffff);
    did++;
    if (Atomics.add(control, DONE, 1) + 1 === total) Atomics.notify(control, DONE);
  }
}

/** The main thread's side: owns the worker and opens generations. */
export class HelperThread {
  readonly control: Int32Array;
  readonly params: Float64Array;
  private worker: Worker | null;
  private generation = 0;

  /** init goes to the worker as { type: 'tsne-helper', init }; it must hold the SharedControl buffers. */
  constructor(init: SharedControl & { kind: string }) {
    this.control = new Int32Array(init.control);
    this.params = new Float64Array(init.params);
    const entry = workerEntry();
    const worker = entry.bootstrap === null ? new Worker(entry.file) : new Worker(entry.bootstrap, { eval: true });
    worker.unref();
    worker.on('error', () => { this.worker = null; });
    worker.postMessage({ type: 'tsne-helper', init });
    this.worker = worker;
  }

  /** Chunks the helper thread has done so far (0 while it starts, or if it never could). */
  get helperChunks(): number {
    return Atomics.load(this.control, HELPER_CHUNKS);
  }

  /**
   * Runs chunks 0 … total−1 of work on both threads (params already written) and returns when all
   * are done. beforeChunk runs on the main thread before each chunk it takes (progress, cancel:
   * if it throws, the helper finishes at most its current chunk and the caller disposes). stuckMs
   * must exceed the longest a chunk can take on a busy machine.
   */
  run(total: number, work: ChunkWork, beforeChunk?: () => void, stuckMs = STUCK_MS): void {
    const control = this.control;
    this.params[TOTAL] = total;
    this.generation = (this.generation % 0x3fff) + 1; // 1 … 16383: fits the ticket's high bits, never 0 or −1
    Atomics.store(control, DONE, 0);
    Atomics.store(control, TICKET, this.generation << 16);
    Atomics.store(control, GENERATION, this.generation);
    if (this.worker) Atomics.notify(control, GENERATION);
    takeChunks(control, this.generation, total, work, beforeChunk);
    const started = Date.now();
    for (;;) {
      const done = Atomics.load(control, DONE);
      if (done === total) return;
      const left = stuckMs - (Date.now() - started);
      if (left <= 0) break;
      Atomics.wait(control, DONE, done, Math.min(left, 50));
    }
    // The helper took a chunk and never finished it: retire it and redo all chunks here.
    this.dispose();
    for (let chunk = 0; chunk < total; chunk++) work.run(chunk);
  }

  dispose(): void {
    Atomics.store(this.control, GENERATION, -1);
    Atomics.notify(this.control, GENERATION);
    if (this.worker) void this.worker.terminate();
    this.worker = null;
  }
}

/** The helper thread's loop over generations (runs inside the worker; returns when told to stop). */
export function serveChunks(init: SharedControl, work: ChunkWork): void {
  const control = new Int32Array(init.control);
  const params = new Float64Array(init.params);
  let seen = Atomics.load(control, GENERATION);
  if (seen < 0) return;
  // Join the generation that may already be open when the thread starts.
  if (seen > 0) Atomics.add(control, HELPER_CHUNKS, takeChunks(control, seen, params[TOTAL], work));
  for (;;) {
    Atomics.wait(control, GENERATION, seen);
    const generation = Atomics.load(control, GENERATION);
    if (generation < 0) return;
    if (generation === seen) continue;
    seen = generation;
    Atomics.add(control, HELPER_CHUNKS, takeChunks(control, generation, params[TOTAL], work));
  }
}
