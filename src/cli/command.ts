import type { OptionSpec, ParsedArgs } from './args';

/** One CLI command: its options (the contract in shared/design.md) and what it does. */
export interface CliCommand {
  summary: string;
  options: Record<string, OptionSpec>;
  run(args: ParsedArgs, io: CliIo): Promise<void>;
}

export interface CliIo {
  /** Progress and notes go to stderr so stdout stays clean for scripts. */
  log(line: string): void;
  signal: AbortSignal;
}
