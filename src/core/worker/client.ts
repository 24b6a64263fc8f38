// runInWorker: one worker thread per call, so a cancelled or crashed run can simply be terminated
// and nothing leaks. Inputs are cloned (core never takes the caller's buffers) unless the caller
// says they may be transferred; outputs are transferred back.
import { Worker } from 'node:worker_threads';
import { dirname, join } from 'node:path';
import { CancelledError, MechLensError } from '../errors';
import type { RunControl } from '../run-control';
import { transferables, type FromWorker, type SerializedError, type ToWorker } from './messages';
import type { TaskInput, TaskOutput, WorkerTaskName } from './tasks';

export interface WorkerControl extends RunControl {
  onIteration?: (iteration: number, kl: number, coords: Float64Array) => void;
  /** Move the input's typed-array buffers into the worker instead of copying them (they become unusable here). */
  transferInput?: boolean;
}

/** How long a cancelled worker may take to stop by itself before it is terminated. */
const CANCEL_GRACE_MS = 200;

/**
 * Where the worker entry is: dist/worker.js next to the bundle, or src/core/worker/main.ts when
 * running from source under tsx. Node refuses a .ts worker file even with --import tsx, so from
 * source the worker starts from a tiny CommonJS bootstrap that registers tsx and requires main.ts.
 */
export function workerEntry(moduleFile: string = __filename): { file: string; bootstrap: string | null } {
  if (!moduleFile.endsWith('.ts')) return { file: join(dirname(moduleFile), 'worker.js'), bootstrap: null };
  const file = join(dirname(moduleFile), 'main.ts');
  const paths = JSON.stringify([dirname(moduleFile)]);
  return { file, bootstrap: `require(require.resolve('tsx/cjs', { paths: ${paths} })); require(${JSON.stringify(file)});` };
}

export function runInWorker<T extends WorkerTaskName>(task: T, input: TaskInput<T>, control: WorkerControl = {}): Promise<TaskOutput<T>> {
  const { signal } = control;
  if (signal?.aborted) return Promise.reject(new CancelledError());
  const entry = workerEntry();
  const worker = entry.bootstrap === null ? new Worker(entry.file) : new Worker(entry.bootstrap, { eval: true });
  const cancelFlag = new Int32Array(new SharedArrayBuffer(4));
  return new Promise<TaskOutput<T>>((resolve, reject) => {
    let settled = false;
    const finish = (error: Error | null, output?: unknown) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      void worker.terminate();
      if (error) reject(error); else resolve(output as TaskOutput<T>);
    };
    const onAbort = () => {
      Atomics.store(cancelFlag, 0, 1);
      worker.postMessage({ type: 'cancel' } satisfies ToWorker);
      setTimeout(() => finish(new CancelledError()), CANCEL_GRACE_MS).unref();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    worker.on('message', (message: FromWorker) => {
      if (settled) return;
      if (message.type === 'progress') control.onProgress?.(message.progress);
      else if (message.type === 'iteration') control.onIteration?.(message.iteration, message.kl, message.coords);
      else if (message.type === 'done') finish(null, message.output);
      else finish(deserialize(message.error));
    });
    worker.on('error', (err) => finish(err));
    worker.on('exit', (code) => finish(new MechLensError('memory', `the ${task} worker stopped unexpectedly (exit code ${code})`, { fix: 'It may have run out of memory; try fewer points.' })));
    const message: ToWorker = { type: 'run', task, input, cancelFlag, wantsIterations: control.onIteration !== undefined };
    worker.postMessage(message, control.transferInput ? transferables(input) : []);
  });
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
