// The frozen table of work that runs off the main thread: the jobs (analyses/jobs.ts) and the helper
// tasks. Adding a task is one line: a name and a function (input, context) -> output. Inputs and
// outputs are structured-cloneable; typed arrays in outputs are transferred back, not copied. Each
// task loads its module on first use, so a worker that only runs PCA or t-SNE never loads
// onnxruntime, transformers.js or the model code.
import type { Matrix } from '../matrix';
import type { RunControl } from '../run-control';
import type { TsneOptions } from '../layout/tsne';
import type { PcaOptions } from '../layout/pca';
import type { UmapOptions } from '../layout/umap';
import { smallTasks } from './small-tasks';
import { jobRunners } from '../analyses/jobs';
import type { PairLayersInput } from '../analyses/pair-layers';

export interface TaskContext extends RunControl {
  /** Animation frames: iteration, KL divergence (NaN where there is none) and a copy of the coordinates. */
  onIteration?: (iteration: number, kl: number, coords: Float64Array) => void;
  /** A job's result so far (jobs that stream, e.g. the logit lens's LensControl.onPartial). */
  onPartial?: (partial: unknown) => void;
}

export const workerTasks = Object.freeze({
  tsne: async (input: { x: Matrix; options?: TsneOptions }, context: TaskContext) => (await import('../layout/tsne')).tsne(input.x, input.options, context),
  // The task's x is its own copy (cloned or transferred to this thread): centre it in place.
  pca: async (input: { x: Matrix; options?: PcaOptions }, context: TaskContext) => (await import('../layout/pca')).pca(input.x, { ...input.options, overwriteInput: true }, context),
  /**
   * Loads a layout's module (and for PCA onnxruntime and its products' sessions) while the caller is
   * still reading the input, so the thread's start overlaps the read; the next task on this thread
   * starts at once.
   */
  warmUp: async (input: { task: 'pca' | 'tsne' | 'umap' }) => {
    if (input.task === 'pca') (await import('../layout/pca')).warmUpPca();
    else await (input.task === 'tsne' ? import('../layout/tsne') : import('../layout/umap'));
  },
  umap: async (input: { x: Matrix; options?: UmapOptions }, context: TaskContext) =>
    (await import('../layout/umap')).umap(input.x, input.options, { ...context, onIteration: context.onIteration && ((epoch, coords) => context.onIteration!(epoch, NaN, coords)) }),
  // Also run on the calling thread when small (small-tasks.ts).
  dbscan: smallTasks.dbscan,
  kmeans: smallTasks.kmeans,
  /** Every job of the engine's job table, under its JobName. */
  ...jobRunners,
  pairLayers: async (input: PairLayersInput, context: TaskContext) => (await import('../analyses/pair-layers')).pairAcrossLayers(input, context),
  vectorWords: async (input: { file: string }, context: TaskContext) => (await import('../diagnostics/vocabulary')).vectorFileWords(input.file, context),
});

export type WorkerTaskName = keyof typeof workerTasks;
export type TaskInput<T extends WorkerTaskName> = Parameters<(typeof workerTasks)[T]>[0];
export type TaskOutput<T extends WorkerTaskName> = Awaited<ReturnType<(typeof workerTasks)[T]>>;

/** Tasks that may load models or inference sessions: their caches are released after each run. */
export const modelTasks: ReadonlySet<string> = new Set<WorkerTaskName>(['compare', 'contrast', 'attention', 'tokens', 'match', 'lens', 'pairLayers']);
