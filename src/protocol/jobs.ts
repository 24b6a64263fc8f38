// The protocol's job table: for every job, the parameters its panel may send to run it again and the
// Result it returns. The other layers keep their own tables keyed by the same JobName (core: the run
// function; extension: the command, status line, inspector data and re-run check; webview: the
// renderer and the Python cards), so a job added here and missing there is a type error.
import type { AttentionResult, AttributionResult, CompareResult, ContrastResult, HeadsResult, JobName, MatchResult, Result, SaeResult, TokensResult } from './result';
import type { AttentionRerunParams, AttributionRerunParams, CompareRerunParams, ContrastRerunParams, HeadsRerunParams, MatchRerunParams, SaeRerunParams } from './rerun';
import type { TokensRerunParams } from './tokens-params';
import type { LensRerunParams, LensResult } from './lens';

export type { JobName } from './result';

export interface JobTypes {
  compare: { params: CompareRerunParams; result: CompareResult };
  tokens: { params: TokensRerunParams; result: TokensResult };
  match: { params: MatchRerunParams; result: MatchResult };
  attention: { params: AttentionRerunParams; result: AttentionResult };
  contrast: { params: ContrastRerunParams; result: ContrastResult };
  heads: { params: HeadsRerunParams; result: HeadsResult };
  sae: { params: SaeRerunParams; result: SaeResult };
  attribution: { params: AttributionRerunParams; result: AttributionResult };
  lens: { params: LensRerunParams; result: LensResult };
}

export type ResultOf<J extends JobName> = JobTypes[J]['result'];
export type RerunParamsOf<J extends JobName> = JobTypes[J]['params'];

/**
 * The table matches the Result union both ways: every job has exactly one entry, each entry's Result
 * says that job, and its params say it too. Compile-time only.
 */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const tableMatchesResults: Same<keyof JobTypes, JobName> & Same<ResultOf<JobName>, Result> = true;
const entriesNameTheirJob: { [J in JobName]: Same<ResultOf<J>['job'], J> & Same<RerunParamsOf<J>['job'], J> } = {
  compare: true, tokens: true, match: true, attention: true, contrast: true, heads: true, sae: true, attribution: true, lens: true,
};
void tableMatchesResults;
void entriesNameTheirJob;

/** How each job is named to the user (commands, notifications, the log) and how big a result is. */
export interface JobInfo<J extends JobName> {
  /** The command's title without "MechLens: " and "…": "Compare Embeddings". */
  title: string;
  /** Items a panel draws, to decide whether the result fits in the webview's own state. */
  size(result: ResultOf<J>): number;
}

export const jobInfo: { readonly [J in JobName]: JobInfo<J> } = Object.freeze({
  compare: { title: 'Compare Embeddings', size: (r: CompareResult) => r.items.length },
  tokens: { title: 'Map Token Embeddings', size: (r: TokensResult) => r.tokens.length },
  match: { title: 'Match Vocabularies', size: (r: MatchResult) => r.matches.length },
  attention: { title: 'Compare Attention Q/K', size: (r: AttentionResult) => r.items.length },
  contrast: { title: 'Contrast Sentence Groups', size: (r: ContrastResult) => r.sentences.length },
  // Patterns dominate a heads result: counted in thousands of cells, so up to ~400k cells stay in the webview state.
  heads: { title: 'Attention Heads', size: (r: HeadsResult) => Math.ceil((r.patterns ? r.texts.reduce((n, t) => n + t.tokens.length ** 2, 0) * r.nLayer * r.nHead : 0) / 1000) },
  sae: { title: 'SAE Features', size: (r: SaeResult) => r.texts.reduce((n, t) => n + t.tokens.length, 0) },
  attribution: { title: 'Logit Attribution', size: (r: AttributionResult) => r.texts.length * (r.nLayer * (r.nHead + 2) + 3) },
  lens: { title: 'Logit Lens', size: (r: LensResult) => r.texts.reduce((n, t) => n + t.tokens.length, 0) * r.nLayer },
});

export const jobNames: readonly JobName[] = Object.freeze(Object.keys(jobInfo) as JobName[]);

export function isJobName(value: unknown): value is JobName {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(jobInfo, value);
}

/**
 * A table's entry with the result it belongs to. TypeScript cannot tie `table[result.job]` to
 * `result` by itself; inside a function generic in J it can, so each table is read through one.
 */
export function sizeOfResult<J extends JobName>(result: ResultOf<J>): number {
  return jobInfo[result.job as J].size(result);
}
