// What the model jobs' commands (heads, lens, attribution, sae) share: the runtime options every one
// of them takes, and the --json output (progress and cancel are the job table's, command-table.ts).
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { writeJsonFileSync } from '../core/io/json-stream';
import type { ParsedArgs } from './args';

/** --provider, --cache-dir and --offline as a job's input reads them. */
export function runtimeOptions(args: ParsedArgs): { provider: string | undefined; cacheDir: string | undefined; offline: boolean } {
  return { provider: args.provider as string | undefined, cacheDir: args['cache-dir'] as string | undefined, offline: args.offline === true };
}

/** Writes `value` as JSON to `file`, making its folder first. */
export function writeJsonOutput(file: string, value: unknown): void {
  mkdirSync(dirname(file), { recursive: true });
  writeJsonFileSync(file, value);
}
