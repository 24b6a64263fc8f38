// What the model jobs' commands (heads, lens, attribution, sae) share around their worker run: the
// runtime options every one of them takes, progress on stderr with cancel, and the --json output.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { writeJsonFileSync } from '../core/io/json-stream';
import type { WorkerControl } from '../core/worker/client';
import type { ParsedArgs } from './args';
import type { CliIo } from './command';

/** --provider, --cache-dir and --offline as a job's input reads them. */
export function runtimeOptions(args: ParsedArgs): { provider: string | undefined; cacheDir: string | undefined; offline: boolean } {
  return { provider: args.provider as string | undefined, cacheDir: args['cache-dir'] as string | undefined, offline: args.offline === true };
}

/** The worker run's cancel (Ctrl+C) and its progress lines, indented under the command's own. */
export function workerControl(io: CliIo): WorkerControl {
  return { signal: io.signal, onProgress: (p) => io.log(`  ${p.message}`) };
}

/** Writes `value` as JSON to `file`, making its folder first. */
export function writeJsonOutput(file: string, value: unknown): void {
  mkdirSync(dirname(file), { recursive: true });
  writeJsonFileSync(file, value);
}
