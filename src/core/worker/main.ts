// Worker-thread entry (bundled to dist/worker.js): runs one task from the table, relays progress
// and animation frames, and stops when the client cancels.
import { parentPort } from 'node:worker_threads';
import { workerTasks, type TaskContext } from './tasks';
import { transferables, type FromWorker, type ToWorker, type SerializedError } from './messages';
import { MechLensError } from '../errors';
import { runRepulsionHelper } from '../layout/tsne-helper';

const port = parentPort;
if (!port) throw new Error('src/core/worker/main.ts must run in a worker thread');

const controller = new AbortController();
let cancelFlag: Int32Array | null = null;
// Synchronous tasks never yield to the event loop, so they also read the shared flag.
const signal = new Proxy(controller.signal, {
  get(target, property) {
    if (property === 'aborted') return target.aborted || (cancelFlag !== null && Atomics.load(cancelFlag, 0) === 1);
    const value = Reflect.get(target, property, target);
    return typeof value === 'function' ? value.bind(target) : value;
  },
});

const post = (message: FromWorker, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);

port.on('message', (message: ToWorker) => {
  if (message.type === 'cancel') { controller.abort(); return; }
  if (message.type === 'tsne-helper') { runRepulsionHelper(message.init); return; }
  cancelFlag = message.cancelFlag;
  void run(message.task, message.input, message.wantsIterations);
});

async function run(task: string, input: unknown, wantsIterations: boolean): Promise<void> {
  try {
    const fn = (workerTasks as Record<string, (input: unknown, context: TaskContext) => unknown>)[task];
    if (!fn) throw new MechLensError('bad-argument', `unknown worker task "${task}"`, { fix: `Known tasks: ${Object.keys(workerTasks).join(', ')}.` });
    const context: TaskContext = {
      signal,
      onProgress: (progress) => post({ type: 'progress', progress }),
      onIteration: wantsIterations ? (iteration, kl, coords) => post({ type: 'iteration', iteration, kl, coords }, [coords.buffer as ArrayBuffer]) : undefined,
    };
    const output = await fn(input, context);
    post({ type: 'done', output }, transferables(output));
  } catch (err) {
    post({ type: 'error', error: serialize(err) });
  }
}

function serialize(err: unknown): SerializedError {
  if (err instanceof MechLensError) return { name: err.name, message: err.message, code: err.code, input: err.input, line: err.line, fix: err.fix, stack: err.stack };
  if (err instanceof Error) return { name: err.name, message: err.message, stack: err.stack };
  return { name: 'Error', message: String(err) };
}
