// The engine's job table: each job's input and its run function (inputs, progress, cancel) -> Result.
// The worker runs jobs from here (worker/tasks.ts), so the extension asks for a job by its JobName.
// A job missing from the table, or one whose function returns another job's Result, is a type error.
// Each job's module is loaded on first use, so a worker that only runs PCA or t-SNE never loads
// onnxruntime, transformers.js or the model code.
import type { JobName, ResultOf } from '../../protocol/jobs';
import type { RunControl } from '../run-control';
import type { CompareInput } from './compare';
import type { TokensInput } from './tokens';
import type { MatchInput } from './match';
import type { AttentionInput } from './attention';
import type { ContrastInput } from './contrast';
import type { HeadsInput } from './heads';
import type { SaeInput } from './sae';
import type { AttributionInput } from './attribution';
import type { LensInput } from './lens';

export interface JobInputs {
  compare: CompareInput;
  tokens: TokensInput;
  match: MatchInput;
  attention: AttentionInput;
  contrast: ContrastInput;
  heads: HeadsInput;
  sae: SaeInput;
  attribution: AttributionInput;
  lens: LensInput;
}

export type JobInput<J extends JobName> = JobInputs[J];
export type JobRunner<J extends JobName> = (input: JobInput<J>, control: RunControl) => Promise<ResultOf<J>>;

export const jobRunners: { readonly [J in JobName]: JobRunner<J> } = Object.freeze({
  compare: async (input, control) => (await import('./compare')).runCompare(input, control),
  tokens: async (input, control) => (await import('./tokens')).runTokens(input, control),
  match: async (input, control) => (await import('./match')).runMatch(input, control),
  attention: async (input, control) => (await import('./attention')).runAttention(input, control),
  contrast: async (input, control) => (await import('./contrast')).runContrast(input, control),
  heads: async (input, control) => (await import('./heads')).runHeads(input, control),
  sae: async (input, control) => (await import('./sae')).runSae(input, control),
  attribution: async (input, control) => (await import('./attribution')).runAttribution(input, control),
  lens: async (input, control) => (await import('./lens')).runLens(input, control),
});
