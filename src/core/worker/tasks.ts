// The frozen table of work that runs off the main thread: the jobs (analyses/jobs.ts) and the helper
// tasks. Adding a task is one line: a name and a function (input, context) -> output. Inputs and
// outputs are structured-cloneable; typed arrays in outputs are transferred back, not copied.
import type { Matrix } from '../matrix';
import type { RunControl } from '../run-control';
import { tsne, type TsneOptions } from '../layout/tsne';
import { pca, type PcaOptions } from '../layout/pca';
import { umap, type UmapOptions } from '../layout/umap';
import { dbscan, type DbscanOptions } from '../cluster/dbscan';
import { kmeans, type KmeansOptions } from '../cluster/kmeans';
import { jobRunners } from '../analyses/jobs';
import { pairAcrossLayers, type PairLayersInput } from '../analyses/pair-layers';
import { vectorFileWords } from '../vocabulary';

export interface TaskContext extends RunControl {
  /** Animation frames: iteration, KL divergence (NaN where there is none) and a copy of the coordinates. */
  onIteration?: (iteration: number, kl: number, coords: Float64Array) => void;
}

export const workerTasks = Object.freeze({
  tsne: (input: { x: Matrix; options?: TsneOptions }, context: TaskContext) => tsne(input.x, input.options, context),
  pca: (input: { x: Matrix; options?: PcaOptions }) => pca(input.x, input.options),
  umap: (input: { x: Matrix; options?: UmapOptions }, context: TaskContext) =>
    umap(input.x, input.options, { ...context, onIteration: context.onIteration && ((epoch, coords) => context.onIteration!(epoch, NaN, coords)) }),
  dbscan: (input: { x: Matrix; options: DbscanOptions }, context: TaskContext) => dbscan(input.x, input.options, context),
  kmeans: (input: { x: Matrix; options: KmeansOptions }, context: TaskContext) => kmeans(input.x, input.options, context),
  /** Every job of the engine's job table, under its JobName. */
  ...jobRunners,
  pairLayers: (input: PairLayersInput, context: TaskContext) => pairAcrossLayers(input, context),
  vectorWords: (input: { file: string }, context: TaskContext) => vectorFileWords(input.file, context),
});

export type WorkerTaskName = keyof typeof workerTasks;
export type TaskInput<T extends WorkerTaskName> = Parameters<(typeof workerTasks)[T]>[0];
export type TaskOutput<T extends WorkerTaskName> = Awaited<ReturnType<(typeof workerTasks)[T]>>;
