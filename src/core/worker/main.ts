// Worker-thread entry (bundled to dist/worker.js): runs tasks from the table one after another for
// as long as the pool keeps the thread (client.ts), relays progress and animation frames, and stops
// a task when the client cancels it.
import { parentPort } from 'node:worker_threads';
import v8 from 'node:v8';
import vm from 'node:vm';
import { workerTasks, modelTasks, type TaskContext } from './tasks';
import { handlerFor } from '../../protocol/ipc';
import { transferables, type FromWorker, type ToWorker, type SerializedError } from './messages';
import { MechLensError } from '../errors';
import { runRepulsionHelper } from '../layout/tsne-helper';

const port = parentPort;
if (!port) throw new Error('src/core/worker/main.ts must run in a worker thread');

/**
 * A full garbage collection, run once a task has answered. An idle thread allocates nothing, so V8
 * would otherwise keep the finished run's dead matrices (ArrayBuffers outside the JS heap) for as
 * long as the thread waits. gc() is taken from a throwaway context while --expose-gc is briefly on,
 * then the flag is turned off again so no later context gets a gc global (the trick jest's leak
 * detector uses).
 */
const collectGarbage: () => void = (() => {
  v8.setFlagsFromString('--expose-gc');
  try {
    return vm.runInNewContext('gc') as () => void;
  } finally {
    v8.setFlagsFromString('--no-expose-gc');
  }
})();

/** The run in progress: the pool sends one run at a time to a thread. */
let current: { runId: number; controller: AbortController } | null = null;

/** An AbortSignal that also reads the shared flag, since synchronous tasks never yield to see the cancel message. */
function runSignal(controller: AbortController, cancelFlag: Int32Array): AbortSignal {
  return new Proxy(controller.signal, {
    get(target, property) {
      if (property === 'aborted') return target.aborted || Atomics.load(cancelFlag, 0) === 1;
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

port.on('message', (message: ToWorker) => {
  if (message.type === 'cancel') { if (current?.runId === message.runId) current.controller.abort(); return; }
  if (message.type === 'tsne-helper') { runRepulsionHelper(message.init); return; }
  const controller = new AbortController();
  current = { runId: message.runId, controller };
  // Collected once run() has returned, so its frame (the input, the answer) is no longer live.
  void run(message.runId, message.task, message.input, message.wantsIterations, message.wantsPartials === true, runSignal(controller, message.cancelFlag)).then(collectGarbage);
});

async function run(runId: number, task: string, input: unknown, wantsIterations: boolean, wantsPartials: boolean, signal: AbortSignal): Promise<void> {
  const post = (message: FromWorker, transfer: ArrayBuffer[] = []) => port!.postMessage(message, transfer);
  let answer: FromWorker;
  try {
    // The same own-property lookup the panels' and views' requests use (protocol/ipc.ts): a task name
    // from the message can only name an entry of the table.
    const fn = handlerFor(workerTasks, task) as ((input: unknown, context: TaskContext) => unknown) | undefined;
    if (!fn) throw new MechLensError('bad-argument', `unknown worker task "${task}"`, { fix: `Known tasks: ${Object.keys(workerTasks).join(', ')}.` });
    const context: TaskContext = {
      signal,
      onProgress: (progress) => post({ runId, type: 'progress', progress }),
      onIteration: wantsIterations ? (iteration, kl, coords) => post({ runId, type: 'iteration', iteration, kl, coords }, [coords.buffer as ArrayBuffer]) : undefined,
      onPartial: wantsPartials ? (output) => post({ runId, type: 'partial', output }) : undefined,
    };
    answer = { runId, type: 'done', output: await fn(input, context) };
  } catch (err) {
    answer = { runId, type: 'error', error: serialize(err) };
  }
  // Before answering, drop what this run loaded: the next run on this thread must not see weights or
  // sessions of files that may have changed since, and an idle thread should not hold a model.
  if (modelTasks.has(task)) await releaseRunCaches();
  if (current?.runId === runId) current = null;
  post(answer, answer.type === 'done' ? transferables(answer.output) : []);
}

/** Loaded here only after a model task, which has loaded these modules already (no start-up cost). */
async function releaseRunCaches(): Promise<void> {
  const { forgetLoadedModels } = await import('../models/capture-model');
  const { defaultSessionCache } = await import('../models/runtime');
  forgetLoadedModels();
  await defaultSessionCache.dispose().catch(() => undefined);
}

function serialize(err: unknown): SerializedError {
  if (err instanceof MechLensError) return { name: err.name, message: err.message, code: err.code, input: err.input, line: err.line, fix: err.fix, stack: err.stack };
  if (err instanceof Error) return { name: err.name, message: err.message, stack: err.stack };
  return { name: 'Error', message: String(err) };
}
