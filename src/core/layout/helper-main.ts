// The helper thread's entry when running from source (see startWorker in helper-thread.ts): only
// the layout modules, so the thread starts in a fraction of the task worker's time. The bundle
// starts dist/worker.js instead, which handles the same message.
import { parentPort } from 'node:worker_threads';
import { runRepulsionHelper, type HelperInit } from './tsne-helper';

parentPort?.on('message', (message: { type: string; init: HelperInit }) => {
  if (message.type === 'tsne-helper') runRepulsionHelper(message.init);
});
