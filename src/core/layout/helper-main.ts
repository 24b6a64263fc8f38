// The helper thread's entry (see startWorker in helper-thread.ts): only the layout modules, so the
// thread starts in a fraction of the task worker's time. Bundled as dist/layout-helper.js; from
// source it runs under tsx. dist/worker.js handles the same message, as a fallback.
import { parentPort } from 'node:worker_threads';
import { runRepulsionHelper, type HelperInit } from './tsne-helper';

parentPort?.on('message', (message: { type: string; init: HelperInit }) => {
  if (message.type === 'tsne-helper') runRepulsionHelper(message.init);
});
