// The jobs as the extension runs them: on a long-lived worker thread (dist/worker.js, reused by
// back-to-back runs), so the extension host never blocks; a cancelled run stops at its next check, or
// its thread is terminated and replaced (core/worker/client.ts).
import type { JobInput } from '../core/analyses/jobs';
import type { RunControl } from '../core/run-control';
import { runJob } from '../core/worker/client';

export const runCompareJob = (input: JobInput<'compare'>, control: RunControl) => runJob('compare', input, control);
export const runContrastJob = (input: JobInput<'contrast'>, control: RunControl) => runJob('contrast', input, control);
export const runAttentionJob = (input: JobInput<'attention'>, control: RunControl) => runJob('attention', input, control);
export const runMatchJob = (input: JobInput<'match'>, control: RunControl) => runJob('match', input, control);
export const runTokensJob = (input: JobInput<'tokens'>, control: RunControl) => runJob('tokens', input, control);
