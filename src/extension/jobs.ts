// The jobs as the extension runs them: on a long-lived worker thread (dist/worker.js, reused by
// back-to-back runs), so the extension host never blocks; a cancelled run stops at its next check, or
// its thread is terminated and replaced (core/worker/client.ts).
import type { AttentionResult, CompareResult, ContrastResult, MatchResult, TokensResult } from '../protocol/result';
import type { CompareInput } from '../core/analyses/compare';
import type { ContrastInput } from '../core/analyses/contrast';
import type { AttentionInput } from '../core/analyses/attention';
import type { TokensInput } from '../core/analyses/tokens';
import type { MatchInput } from '../core/analyses/match';
import type { RunControl } from '../core/run-control';
import { runInWorker } from '../core/worker/client';

export function runCompareJob(input: CompareInput, control: RunControl): Promise<CompareResult> {
  return runInWorker('compare', input, control);
}

export function runContrastJob(input: ContrastInput, control: RunControl): Promise<ContrastResult> {
  return runInWorker('contrast', input, control);
}

export function runAttentionJob(input: AttentionInput, control: RunControl): Promise<AttentionResult> {
  return runInWorker('attention', input, control);
}

export function runMatchJob(input: MatchInput, control: RunControl): Promise<MatchResult> {
  return runInWorker('match', input, control);
}

export function runTokensJob(input: TokensInput, control: RunControl): Promise<TokensResult> {
  return runInWorker('tokens', input, control);
}
