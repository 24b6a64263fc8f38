// The jobs as the extension runs them: each in its own worker thread (dist/worker.js), so the
// extension host never blocks, and a cancelled run is stopped by terminating its worker.
import type { AttentionResult, CompareResult, ContrastResult } from '../protocol/result';
import type { CompareInput } from '../core/analyses/compare';
import type { ContrastInput } from '../core/analyses/contrast';
import type { AttentionInput } from '../core/analyses/attention';
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
