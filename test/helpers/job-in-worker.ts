// The one check every extension job test makes (test/extension/*-job.test.ts): the job run through
// its worker thread answers what the core run function answers in-process, reports progress on the
// way, and a cancel ends it with CancelledError. A random GPT-2 checkpoint is made in a temporary folder.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeRandomGpt2Checkpoint, type RandomCheckpointOptions } from '../../src/core/models/random-checkpoint';
import { CancelledError } from '../../src/core/errors';
import type { Progress, RunControl } from '../../src/core/run-control';

export interface JobInWorkerCase<I, R> {
  checkpoint: RandomCheckpointOptions;
  /** The job's input, given the temporary folder and the checkpoint folder in it. */
  input: (dir: string, model: string) => I;
  viaWorker: (input: I, control: RunControl) => Promise<R>;
  direct: (input: I) => Promise<R>;
  /** Asserts on the two results and the progress seen. */
  check: (viaWorker: R, direct: R, progress: Progress[]) => void;
  /** The cancelled run: by default the same input, aborted right after it starts. */
  cancelled?: (input: I, controller: AbortController) => { input: I; control: RunControl };
}

export async function checkJobInWorker<I, R>(job: JobInWorkerCase<I, R>): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mechlens-'));
  try {
    const model = path.join(dir, 'model');
    writeRandomGpt2Checkpoint(model, job.checkpoint);
    const input = job.input(dir, model);
    const progress: Progress[] = [];
    const viaWorker = await job.viaWorker(input, { onProgress: (p) => progress.push(p) });
    job.check(viaWorker, await job.direct(input), progress);
    const controller = new AbortController();
    const cancelled = job.cancelled?.(input, controller) ?? { input, control: { signal: controller.signal } };
    const run = job.viaWorker(cancelled.input, cancelled.control);
    if (!job.cancelled) controller.abort();
    await assert.rejects(run, (err) => err instanceof CancelledError);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
