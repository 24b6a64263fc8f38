// runInWorker: runs a task from the worker table (tasks.ts) on a long-lived worker thread. Starting a
// thread per run cost a fresh V8 isolate each time and left the process's RSS growing run after run
// (bench/soak.ts), so threads are kept and reused: a run takes an idle one or starts one, and gives it
// back when the task answers. A thread that crashes is thrown away and replaced on the next run. A
// cancelled task that does not answer within CANCEL_GRACE_MS is abandoned: the caller gets
// CancelledError at once, a fresh thread serves the next run, and the old one is ended only when its
// task returns (a thread is never terminated inside onnxruntime; see abandon). The worker drops its
// model and session caches after every task (main.ts), so a reused thread holds nothing from the run
// before. Idle threads are unref'd: they never keep a CLI process alive; shutdownWorkers() ends them
// on extension deactivate and CLI exit. An idle thread still holds its isolate and loaded modules
// (tens of MiB or more: bench/README.md, Soak), so one left idle for IDLE_TIMEOUT_MS is ended too.
// Inputs are cloned (core never takes the caller's buffers) unless the caller says they may be
// transferred; outputs are transferred back. Small k-means and DBSCAN runs skip the thread and run on the
// calling thread on the same terms (small-tasks.ts): starting a thread would cost more than the run.
import type { Worker } from 'node:worker_threads';
import { dirname, join } from 'node:path';
import { CancelledError, MechLensError } from '../errors';
import type { RunControl } from '../run-control';
import { transferables, type FromWorker, type SerializedError, type ToWorker } from './messages';
import type { TaskInput, TaskOutput, WorkerTaskName } from './tasks';
import { runsHere, smallTasks } from './small-tasks';
import type { JobName, ResultOf } from '../../protocol/jobs';
import type { JobInput } from '../analyses/jobs';

export interface WorkerControl extends RunControl {
  onIteration?: (iteration: number, kl: number, coords: Float64Array) => void;
  /** A streaming job's result so far (see TaskContext.onPartial). */
  onPartial?: (partial: unknown) => void;
  /** Move the input's typed-array buffers into the worker instead of copying them (they become unusable here). */
  transferInput?: boolean;
}

/**
 * How long a cancelled task may take to answer before the caller is told it is cancelled. A task that
 * answers within it keeps its thread; one that does not is abandoned (see WorkerPool.abandon): never
 * terminated at once, since a thread terminated while inside onnxruntime's native code (a model run,
 * a linalg GEMM tile) takes the whole process down ("terminate called after throwing Napi::Error").
 */
const CANCEL_GRACE_MS = 200;
/**
 * An abandoned thread is ended once its task returns (it checks the cancel flag between native calls,
 * so within one model batch or GEMM tile). One whose task has not returned after this long never
 * checks the flag (a defect: a pure JS loop), and is terminated anyway.
 */
const ABANDONED_LIMIT_MS = 60_000;
/** Back-to-back runs reuse the thread; one idle for this long is ended to give its memory back. */
const IDLE_TIMEOUT_MS = 120_000;

export interface WorkerEntry { file: string; bootstrap: string | null }

/**
 * Where the worker entry is: dist/worker.js next to the bundle, or src/core/worker/main.ts when
 * running from source under tsx. Node refuses a .ts worker file even with --import tsx, so from
 * source the worker starts from a tiny CommonJS bootstrap that registers tsx and requires main.ts.
 */
export function workerEntry(moduleFile: string = __filename): WorkerEntry {
  if (!moduleFile.endsWith('.ts')) return { file: join(dirname(moduleFile), 'worker.js'), bootstrap: null };
  const file = join(dirname(moduleFile), 'main.ts');
  const paths = JSON.stringify([dirname(moduleFile)]);
  // tsx/cjs for require(); tsx's ESM hooks for the dynamic import()s that lazy-load modules (model
  // sources). tsx/esm/api's register() resolves its loader wrongly when required from CommonJS
  // (tsx 4.23), so the loader is registered with module.register directly.
  const resolve = (id: string) => `require.resolve('${id}', { paths: ${paths} })`;
  const esmHooks = `require('node:module').register(require('node:url').pathToFileURL(${resolve('tsx/esm')}).href, { data: {} });`;
  return { file, bootstrap: `require(${resolve('tsx/cjs')}); ${esmHooks} require(${JSON.stringify(file)});` };
}

/** Runs fn after ms and returns what cancels it. Tests inject a manual clock; the default is an unref'd setTimeout. */
export type Schedule = (fn: () => void, ms: number) => () => void;

const realSchedule: Schedule = (fn, ms) => {
  const timer = setTimeout(fn, ms);
  timer.unref();
  return () => clearTimeout(timer);
};

export interface WorkerPoolOptions {
  /** The thread's code (default: workerEntry()); tests give a scripted fake. */
  entry?: WorkerEntry;
  /** Idle threads kept for the next runs (default 1); more concurrent runs start more threads, which end when they finish. */
  maxIdle?: number;
  cancelGraceMs?: number;
  abandonedLimitMs?: number;
  idleTimeoutMs?: number;
  /** The clock of the grace, abandon-limit and idle timers. */
  schedule?: Schedule;
}

export interface WorkerPoolStats {
  idle: number;
  busy: number;
  /** Threads started since the pool was made: stays at 1 while one thread serves run after run. */
  started: number;
  /** Threads thrown away: crashed, or beyond maxIdle. */
  discarded: number;
  /** Threads whose cancelled task did not answer within the grace: out of the pool, ended when the task returns. */
  abandoned: number;
  /** Idle threads ended after idleTimeoutMs. */
  expired: number;
}

export class WorkerPool {
  private readonly entry: WorkerEntry;
  private readonly maxIdle: number;
  private readonly cancelGraceMs: number;
  private readonly abandonedLimitMs: number;
  private readonly idleTimeoutMs: number;
  private readonly schedule: Schedule;
  private readonly idle: Worker[] = [];
  private readonly idleTimers = new Map<Worker, () => void>();
  /** Each busy thread's cancel-and-abandon, for shutdown. */
  private readonly busy = new Map<Worker, () => void>();
  /** Abandoned threads, each with the promise of its end. */
  private readonly abandonedThreads = new Map<Worker, Promise<void>>();
  private started = 0;
  private discarded = 0;
  private abandoned = 0;
  private expired = 0;
  private nextRunId = 1;

  constructor(options: WorkerPoolOptions = {}) {
    this.entry = options.entry ?? workerEntry();
    this.maxIdle = options.maxIdle ?? 1;
    this.cancelGraceMs = options.cancelGraceMs ?? CANCEL_GRACE_MS;
    this.abandonedLimitMs = options.abandonedLimitMs ?? ABANDONED_LIMIT_MS;
    this.idleTimeoutMs = options.idleTimeoutMs ?? IDLE_TIMEOUT_MS;
    this.schedule = options.schedule ?? realSchedule;
  }

  get stats(): WorkerPoolStats {
    return { idle: this.idle.length, busy: this.busy.size, started: this.started, discarded: this.discarded, abandoned: this.abandoned, expired: this.expired };
  }

  run<T extends WorkerTaskName>(task: T, input: TaskInput<T>, control: WorkerControl = {}): Promise<TaskOutput<T>> {
    const { signal } = control;
    if (signal?.aborted) return Promise.reject(new CancelledError());
    const worker = this.acquire();
    const runId = this.nextRunId++;
    const cancelFlag = new Int32Array(new SharedArrayBuffer(4));
    return new Promise<TaskOutput<T>>((resolve, reject) => {
      let settled = false;
      let cancelGrace = () => {};
      /** What becomes of the thread: kept for the next run, thrown away (it failed), or abandoned to its task. */
      const finish = (error: Error | null, output: unknown, thread: 'reuse' | 'discard' | 'abandon') => {
        if (settled) return;
        settled = true;
        signal?.removeEventListener('abort', onAbort);
        cancelGrace();
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
        if (thread === 'reuse') this.release(worker);
        else if (thread === 'discard') this.discard(worker);
        else this.abandon(worker, runId);
        if (error) reject(error); else resolve(output as TaskOutput<T>);
      };
      const askToStop = () => {
        // The shared flag reaches synchronous loops that never read messages; the message wakes async ones.
        Atomics.store(cancelFlag, 0, 1);
        worker.postMessage({ type: 'cancel', runId } satisfies ToWorker);
      };
      const onAbort = () => {
        askToStop();
        cancelGrace = this.schedule(() => finish(new CancelledError(), undefined, 'abandon'), this.cancelGraceMs);
      };
      const onMessage = (message: FromWorker) => {
        if (message.runId !== runId) return; // a late message from an earlier run on this thread
        if (message.type === 'progress') control.onProgress?.(message.progress);
        else if (message.type === 'iteration') control.onIteration?.(message.iteration, message.kl, message.coords);
        else if (message.type === 'partial') control.onPartial?.(message.output);
        else if (message.type === 'done') finish(null, message.output, 'reuse');
        else finish(deserialize(message.error), undefined, 'reuse');
      };
      const onError = (err: Error) => finish(err, undefined, 'discard');
      const onExit = (code: number) => finish(new MechLensError('memory', `the ${task} worker stopped unexpectedly (exit code ${code})`, { fix: 'It may have run out of memory; try fewer points.' }), undefined, 'discard');
      this.busy.set(worker, () => { askToStop(); finish(new CancelledError(), undefined, 'abandon'); });
      signal?.addEventListener('abort', onAbort, { once: true });
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
      const message: ToWorker = { type: 'run', runId, task, input, cancelFlag, wantsIterations: control.onIteration !== undefined, wantsPartials: control.onPartial !== undefined };
      try {
        worker.postMessage(message, control.transferInput ? transferables(input) : []);
      } catch (err) {
        // An input that cannot be cloned: the thread never saw the run and stays usable.
        finish(err instanceof Error ? err : new Error(String(err)), undefined, 'reuse');
      }
    });
  }

  /**
   * Cancels the runs in progress (they end with CancelledError at once), ends the idle threads, and
   * resolves once every thread has ended: abandoned ones when their tasks return (see abandon), so a
   * process that exits after this never tears a thread down inside native code. The pool stays
   * usable: a later run starts a new thread.
   */
  async shutdown(): Promise<void> {
    const idle = this.idle.splice(0);
    for (const w of idle) this.clearIdleTimer(w);
    for (const cancelAndAbandon of [...this.busy.values()]) cancelAndAbandon();
    await Promise.all([...idle.map((w) => w.terminate().catch(() => undefined)), ...this.abandonedThreads.values()]);
  }

  private acquire(): Worker {
    const worker = this.idle.pop() ?? this.spawn();
    this.clearIdleTimer(worker);
    worker.ref(); // a run in progress keeps the process alive, as the one-thread-per-run design did
    return worker;
  }

  private spawn(): Worker {
    const entry = this.entry;
    // Loaded here, not at the top: a process that never starts a thread (a CLI command whose task
    // ran on its own thread, see small-tasks.ts) skips worker_threads and the stream modules it brings.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const threads = require('node:worker_threads') as typeof import('node:worker_threads');
    // SHARE_ENV: settings the extension writes to process.env after the thread started (memory share,
    // execution provider) still reach the tasks; a copied environment would freeze them at start.
    const worker = entry.bootstrap === null
      ? new threads.Worker(entry.file, { env: threads.SHARE_ENV })
      : new threads.Worker(entry.bootstrap, { eval: true, env: threads.SHARE_ENV });
    this.started++;
    // Always listening, so a thread that fails while idle is dropped instead of raising in the host.
    worker.on('error', () => this.forget(worker));
    worker.on('exit', () => this.forget(worker));
    return worker;
  }

  private release(worker: Worker): void {
    this.busy.delete(worker);
    if (this.idle.length >= this.maxIdle) { this.discard(worker); return; }
    worker.unref();
    this.idle.push(worker);
    this.idleTimers.set(worker, this.schedule(() => {
      if (!this.idle.includes(worker)) return;
      this.forget(worker);
      this.expired++;
      void worker.terminate().catch(() => undefined);
    }, this.idleTimeoutMs));
  }

  private clearIdleTimer(worker: Worker): void {
    this.idleTimers.get(worker)?.();
    this.idleTimers.delete(worker);
  }

  private discard(worker: Worker): void {
    this.forget(worker);
    this.discarded++;
    void worker.terminate().catch(() => undefined);
  }

  /**
   * Takes a thread whose cancelled task has not answered out of the pool without terminating it: it
   * may be inside onnxruntime, where a terminate aborts the process. Its task sees the cancel flag at
   * its next check and answers; the answer is dropped and the thread, now between tasks, is
   * terminated. It stays ref'd meanwhile, so a CLI process does not exit (and tear the thread down)
   * under it.
   */
  private abandon(worker: Worker, runId: number): void {
    this.forget(worker);
    this.abandoned++;
    this.abandonedThreads.set(worker, new Promise<void>((ended) => {
      let cancelLimit = () => {};
      const end = () => {
        cancelLimit();
        worker.off('message', onAnswer);
        this.abandonedThreads.delete(worker);
        worker.terminate().catch(() => undefined).finally(ended);
      };
      const onAnswer = (message: FromWorker) => { if (message.runId === runId && (message.type === 'done' || message.type === 'error')) end(); };
      worker.on('message', onAnswer);
      worker.once('exit', end);
      cancelLimit = this.schedule(end, this.abandonedLimitMs);
    }));
  }

  private forget(worker: Worker): void {
    this.clearIdleTimer(worker);
    this.busy.delete(worker);
    const at = this.idle.indexOf(worker);
    if (at >= 0) this.idle.splice(at, 1);
  }
}

/** The pool runInWorker uses: one per process (extension host or CLI). */
const defaultWorkerPool = new WorkerPool();

export function runInWorker<T extends WorkerTaskName>(task: T, input: TaskInput<T>, control: WorkerControl = {}): Promise<TaskOutput<T>> {
  if (runsHere(task, input)) return runHere(task, input, control) as Promise<TaskOutput<T>>;
  return defaultWorkerPool.run(task, input, control);
}

/**
 * A small task on this thread (small-tasks.ts), on the same terms as on a worker: the task gets its
 * own copy of the input, or the caller's buffers moved to it (transferInput detaches them here too),
 * and progress goes to the same callbacks.
 */
async function runHere(task: keyof typeof smallTasks, input: unknown, control: WorkerControl): Promise<unknown> {
  if (control.signal?.aborted) throw new CancelledError();
  const own = structuredClone(input, { transfer: control.transferInput ? transferables(input) : [] });
  return smallTasks[task](own as never, { signal: control.signal, onProgress: control.onProgress });
}

/** Runs a job of the engine's job table (core/analyses/jobs.ts) on a worker: the extension's and the CLI's way to run one. */
export function runJob<J extends JobName>(job: J, input: JobInput<J>, control: RunControl): Promise<ResultOf<J>> {
  // The worker table holds the job table under the same names; TypeScript does not see through the spread.
  return runInWorker(job, input as TaskInput<J>, control) as Promise<TaskOutput<J> & ResultOf<J>>;
}

/** Ends the default pool's threads: extension deactivate, CLI exit. */
export function shutdownWorkers(): Promise<void> {
  return defaultWorkerPool.shutdown();
}

function deserialize(error: SerializedError): Error {
  if (error.code === 'cancelled') return new CancelledError();
  if (error.code) {
    const err = new MechLensError(error.code, error.message, { input: error.input, line: error.line, fix: error.fix });
    err.message = error.message;
    return err;
  }
  const err = new Error(error.message);
  err.name = error.name;
  if (error.stack) err.stack = error.stack;
  return err;
}
