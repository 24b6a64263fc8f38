import type { JobName, ResultOf } from '../protocol/jobs';
import type { JobInput } from '../core/analyses/jobs';
import type { OptionSpec, ParsedArgs } from './args';

/** One CLI command: its options (the contract in shared/design.md) and what it does (its summary is command-table.ts's). */
export interface CliCommand {
  options: Record<string, OptionSpec>;
  run(args: ParsedArgs, io: CliIo): Promise<void>;
}

/**
 * A CLI command that runs a job of the core job table (core/analyses/jobs.ts) on a worker, as the
 * extension does: the command only turns options into the job's input and the Result into files and
 * lines; cli/command-table.ts runs the job between the two.
 */
export interface CliJobCommand<J extends JobName> {
  options: Record<string, OptionSpec>;
  /** The job's input from the options; a bad option throws MechLensError before the job starts. */
  input(args: ParsedArgs): JobInput<J>;
  /** Writes the Result where the options say and the summary lines to the log. */
  report(result: ResultOf<J>, args: ParsedArgs, io: CliIo): void;
}

export interface CliIo {
  /** Progress and notes go to stderr so stdout stays clean for scripts. */
  log(line: string): void;
  signal: AbortSignal;
}
