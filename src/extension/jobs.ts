// The jobs as the extension runs them.
// TODO(worker): run through src/core/worker/client.ts's runInWorker once it lands, so the
// extension host never blocks; until then the job runs in-process.
import type { CompareResult } from '../protocol/result';
import { runCompare, type CompareInput } from '../core/analyses/compare';
import type { RunControl } from '../core/run-control';

export function runCompareJob(input: CompareInput, control: RunControl): Promise<CompareResult> {
  return runCompare(input, control);
}
