// A second thread for the synchronous loops of t-SNE (neighbour search, Barnes-Hut iterations).
// The threads meet through Atomics on shared memory, not messages: for each generation of work the
// main thread publishes its parameters and opens a ticket counter; both threads take chunks from
// it until none are left. So the main thread never waits for the helper to start or to be
// scheduled (it takes the chunks the helper does not), and a loaded CPU balances itself. Every
// chunk writes its own slots of the output, so results do not depend on which thread did what.
//
// A Barnes-Hut iteration at 1,000 points is under a millisecond, so the hand-over must cost
// microseconds: each side polls for a while (SPIN_MS) before it sleeps in Atomics.wait, whose
// wake-up goes through the scheduler. And starting the thread (~0.1 s from source, more for the
// bundled worker) costs as much as a whole small run, so the thread is started early (prestart)
// and kept for the next job (neighbours, then iterations, then the next run) until idle for IDLE_MS.
import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import { existsSync } from 'node:fs';

/**
 * Shared control words: [generation (−1: stop), ticket (generation << 16 | chunk), chunks done,
 * chunks the helper did in all, chunks of the current generation, gate]. While the main thread
 * prepares a generation (builds the tree), only the chunks counted so far may run; it then raises
 * the count and sets the gate to the generation.
 */
const GENERATION = 0, TICKET = 1, DONE = 2, HELPER_CHUNKS = 3, TOTAL = 4, GATE = 5;
/** If the helper holds a chunk this long (default), it is presumed dead: the main thread redoes everything itself. */
const STUCK_MS = 20_000;
/** How long a thread polls before it sleeps: longer than the main thread's work between two generations (a KL evaluation at 10,000 points included), short enough not to hog a loaded CPU. */
const SPIN_MS = 2;
/** A parked helper thread is ended after this long unused, to give its memory back. */
const IDLE_MS = 30_000;
/** Generations per probe (see Balance). */
const PROBE = 8;
/** Generations in the chosen mode before the next probe: doubles while the probe loses (an idle machine: 3 probes in 1,000 iterations, ~2 % of the time). */
const HOLD_FIRST = 100, HOLD_MAX = 800;

/**
 * Whether two threads pay off right now. Lock-step generations of a few hundred microseconds lose
 * badly on a busy machine (a thread descheduled for a time slice stalls both), so every so often
 * PROBE generations run the other way (main thread alone, or both threads again; results are the
 * same either way), and whichever was faster per generation is kept.
 */
class Balance {
  solo = false;
  private probing = false;
  private left = HOLD_FIRST;
  private hold = HOLD_FIRST;
  private spent = 0;
  private count = 0;
  private current = 0;

  /** Records one generation's wall milliseconds. */
  add(ms: number): void {
    if (this.probing) {
      this.spent += ms;
      if (++this.count < PROBE) return;
      const probe = this.spent / PROBE;
      this.probing = false; this.spent = 0; this.count = 0;
      if (probe < this.current) this.hold = HOLD_FIRST; // keep the probed way
      else { this.solo = !this.solo; this.hold = Math.min(2 * this.hold, HOLD_MAX); }
      this.left = this.hold;
      return;
    }
    // The current way's speed: its last PROBE generations before the probe.
    if (this.left <= PROBE) { this.spent += ms; this.count++; }
    if (--this.left > 0) return;
    this.current = this.spent / this.count;
    this.spent = 0; this.count = 0;
    this.probing = true; this.solo = !this.solo;
  }
}

export interface SharedControl {
  control: SharedArrayBuffer;
  params: SharedArrayBuffer;
}

export function sharedControl(params: number): SharedControl {
  return { control: new SharedArrayBuffer(4 * 6), params: new SharedArrayBuffer(8 * Math.max(1, params)) };
}

export interface ChunkWork {
  run(chunk: number): void;
}

/** Polls control[index] for up to SPIN_MS while it equals value; true if it changed. */
function spinWhile(control: Int32Array, index: number, value: number): boolean {
  const until = performance.now() + SPIN_MS;
  for (;;) {
    for (let k = 0; k < 256; k++) if (Atomics.load(control, index) !== value) return true;
    if (performance.now() > until) return false;
  }
}

/**
 * Takes chunks of the given generation until none are left. The helper counts each chunk in
 * HELPER_CHUNKS before it is counted done, so the count is complete when the main thread sees the
 * generation finished.
 */
function takeChunks(control: Int32Array, generation: number, work: ChunkWork, beforeChunk?: () => void, isHelper = false): void {
  for (;;) {
    beforeChunk?.();
    // Take a ticket only if it still belongs to this generation. A plain Atomics.add here let a thread
    // that had just finished generation g consume the first ticket of g + 1 and drop it, so no one
    // ran that chunk: the main thread waited STUCK_MS, then terminated the helper (exit code 1).
    const ticket = Atomics.load(control, TICKET);
    if (ticket >>> 16 !== (generation & 0x3fff)) return;
    if ((ticket & 0xffff) >= Atomics.load(control, TOTAL)) {
      // The count is final once the gate is up (it is raised first); until then more chunks may come.
      const gate = Atomics.load(control, GATE);
      if (gate === generation) { if ((ticket & 0xffff) >= Atomics.load(control, TOTAL)) return; continue; }
      if (Atomics.load(control, GENERATION) !== generation) return;
      if (!spinWhile(control, GATE, gate)) Atomics.wait(control, GATE, gate, 1);
      continue;
    }
    if (Atomics.compareExchange(control, TICKET, ticket, ticket + 1) !== ticket) continue;
    work.run(ticket & 0xffff);
    if (isHelper) Atomics.add(control, HELPER_CHUNKS, 1);
    if (Atomics.add(control, DONE, 1) + 1 === Atomics.load(control, TOTAL)) Atomics.notify(control, DONE);
  }
}

/**
 * Tests only: the main thread leaves each generation to the helper until the helper has finished a
 * chunk (or HELPER_FIRST_WAIT_MS passed), so a test of the two-thread path knows the helper worked
 * however late the machine lets its thread start.
 */
let helperFirst = false;
const HELPER_FIRST_WAIT_MS = 120_000;

export function letHelperGoFirst(on: boolean): void {
  helperFirst = on;
}

function waitForFirstChunk(control: Int32Array, ms: number): void {
  const until = Date.now() + ms;
  for (let done = Atomics.load(control, DONE); done === 0 && Date.now() < until; done = Atomics.load(control, DONE)) Atomics.wait(control, DONE, 0, 50);
}

/** The helper thread, started once and parked between jobs (see the top of this file). */
let parked: { worker: Worker; timer: ReturnType<typeof setTimeout> } | null = null;

function startWorker(): Worker {
  let worker: Worker;
  if (__filename.endsWith('.ts')) {
    // From source (tsx): an entry that loads only the layout modules, ~10× faster to start than the task worker's.
    const tsx = `require.resolve('tsx/cjs', { paths: [${JSON.stringify(__dirname)}] })`;
    worker = new Worker(`require(${tsx}); require(${JSON.stringify(join(__dirname, 'helper-main.ts'))});`, { eval: true });
  } else if (existsSync(join(__dirname, 'layout-helper.js'))) {
    // The bundle's own entry for it (scripts/build.mjs), next to the bundle that runs t-SNE.
    worker = new Worker(join(__dirname, 'layout-helper.js'));
  } else {
    // A bundle without its own helper entry: the task worker beside it serves 'tsne-helper' too.
    worker = new Worker(join(__dirname, 'worker.js'));
  }
  worker.unref();
  const forget = () => { if (parked?.worker === worker) { clearTimeout(parked.timer); parked = null; } };
  worker.on('error', forget);
  worker.on('exit', forget);
  return worker;
}

/** The parked helper thread, or a new one. */
function takeWorker(): Worker {
  if (parked) { clearTimeout(parked.timer); const { worker } = parked; parked = null; return worker; }
  return startWorker();
}

function parkWorker(worker: Worker): void {
  if (parked) { void worker.terminate(); return; }
  const timer = setTimeout(() => { if (parked?.worker === worker) { parked = null; void worker.terminate(); } }, IDLE_MS);
  timer.unref();
  parked = { worker, timer };
}

/** Starts the helper thread now, if none is parked, so that it is up when a job needs it. */
export function prestartHelper(): void {
  if (!parked) parkWorker(startWorker());
}

/** The main thread's side: borrows the helper thread and opens generations. */
export class HelperThread {
  readonly control: Int32Array;
  readonly params: Float64Array;
  private worker: Worker | null;
  private failed = false;
  private readonly onError = () => { this.failed = true; };
  private generation = 0;
  private readonly balance = new Balance();

  /** init goes to the worker as { type: 'tsne-helper', init }; it must hold the SharedControl buffers. */
  constructor(init: SharedControl & { kind: string }) {
    this.control = new Int32Array(init.control);
    this.params = new Float64Array(init.params);
    const worker = takeWorker();
    worker.on('error', this.onError);
    worker.postMessage({ type: 'tsne-helper', init });
    this.worker = worker;
  }

  /** Chunks the helper thread has done so far (0 while it starts, or if it never could). */
  get helperChunks(): number {
    return Atomics.load(this.control, HELPER_CHUNKS);
  }

  /**
   * Runs chunks 0 … total−1 of work on both threads (params already written) and returns when all
   * are done. With prepare, only chunks 0 … total−1 may run (on the helper) while prepare runs here;
   * it returns the final count. beforeChunk runs on the main thread before each chunk it takes
   * (progress, cancel: if it throws, the helper finishes at most its current chunk and the caller
   * disposes). stuckMs must exceed the longest a chunk can take on a busy machine.
   */
  run(total: number, work: ChunkWork, beforeChunk?: () => void, stuckMs = STUCK_MS, prepare?: () => number): void {
    const control = this.control;
    const start = performance.now();
    if (this.balance.solo) {
      if (prepare) total = prepare();
      for (let chunk = 0; chunk < total; chunk++) { beforeChunk?.(); work.run(chunk); }
      this.balance.add(performance.now() - start);
      return;
    }
    this.generation = (this.generation % 0x3fff) + 1; // 1 … 16383: fits the ticket's high bits, never 0 or −1
    // The count before the ticket: a thread that sees the new ticket must see its count.
    Atomics.store(control, TOTAL, total);
    Atomics.store(control, DONE, 0);
    if (!prepare) Atomics.store(control, GATE, this.generation);
    Atomics.store(control, TICKET, this.generation << 16);
    Atomics.store(control, GENERATION, this.generation);
    if (this.worker) Atomics.notify(control, GENERATION);
    if (prepare) {
      total = prepare();
      Atomics.store(control, TOTAL, total);
      Atomics.store(control, GATE, this.generation);
      if (this.worker) Atomics.notify(control, GATE);
    }
    if (helperFirst && this.worker && total > 0) waitForFirstChunk(control, HELPER_FIRST_WAIT_MS);
    takeChunks(control, this.generation, work, beforeChunk);
    const started = Date.now();
    for (;;) {
      const done = Atomics.load(control, DONE);
      if (done === total) { this.balance.add(performance.now() - start); return; }
      if (spinWhile(control, DONE, done)) continue;
      const left = stuckMs - (Date.now() - started);
      if (left <= 0) break;
      Atomics.wait(control, DONE, done, Math.min(left, 50));
    }
    // The helper took a chunk and never finished it: retire it and redo all chunks here.
    this.dispose(true);
    for (let chunk = 0; chunk < total; chunk++) work.run(chunk);
  }

  /** Ends this job; the thread is parked for the next one, or terminated when it failed or stuck. */
  dispose(terminate = false): void {
    Atomics.store(this.control, GENERATION, -1);
    Atomics.notify(this.control, GENERATION);
    Atomics.notify(this.control, GATE);
    const worker = this.worker;
    this.worker = null;
    if (!worker) return;
    worker.off('error', this.onError);
    if (terminate || this.failed) void worker.terminate();
    else parkWorker(worker);
  }
}

/** The helper thread's loop over generations (runs inside the worker; returns when told to stop). */
export function serveChunks(init: SharedControl, work: ChunkWork): void {
  const control = new Int32Array(init.control);
  let seen = Atomics.load(control, GENERATION);
  if (seen < 0) return;
  // Join the generation that may already be open when the thread starts.
  if (seen > 0) takeChunks(control, seen, work, undefined, true);
  for (;;) {
    if (!spinWhile(control, GENERATION, seen)) Atomics.wait(control, GENERATION, seen);
    const generation = Atomics.load(control, GENERATION);
    if (generation < 0) return;
    if (generation === seen) continue;
    seen = generation;
    takeChunks(control, generation, work, undefined, true);
  }
}
