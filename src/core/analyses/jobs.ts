// The engine's job table: each job's input and its run function (inputs, progress, cancel) -> Result.
// The worker runs jobs from here (worker/tasks.ts), so the extension asks for a job by its JobName.
// A job missing from the table, or one whose function returns another job's Result, is a type error.
import type { JobName, ResultOf } from '../../protocol/jobs';
import type { RunControl } from '../run-control';
import { runCompare, type CompareInput } from './compare';
import { runTokens, type TokensInput } from './tokens';
import { runMatch, type MatchInput } from './match';
import { runAttention, type AttentionInput } from './attention';
import { runContrast, type ContrastInput } from './contrast';

export interface JobInputs {
  compare: CompareInput;
  tokens: TokensInput;
  match: MatchInput;
  attention: AttentionInput;
  contrast: ContrastInput;
}

export type JobInput<J extends JobName> = JobInputs[J];
export type JobRunner<J extends JobName> = (input: JobInput<J>, control: RunControl) => Promise<ResultOf<J>>;

export const jobRunners: { readonly [J in JobName]: JobRunner<J> } = Object.freeze({
  compare: runCompare,
  tokens: runTokens,
  match: runMatch,
  attention: runAttention,
  contrast: runContrast,
});
