// The CLI's command tables. A command that is a job is keyed by its JobName, like every layer's job
// table (README "How to add a job"), so a job without an entry here is a type error; null would mark
// a job that has no CLI command. Its module builds the job's input and reports its Result; the job
// itself runs from the core job table on a worker thread (runJob), as in the extension. The other
// commands (tools and the demo) are a second table. Each command's module is loaded only when it runs.
import type { JobName } from '../protocol/jobs';
import { isJobName } from '../protocol/jobs';
import { runJob } from '../core/worker/client';
import type { CliCommand, CliJobCommand } from './command';

const jobCommands: { readonly [J in JobName]: (() => Promise<CliJobCommand<J>>) | null } = {
  compare: async () => (await import('./commands/compare')).default,
  tokens: async () => (await import('./commands/tokens')).default,
  match: async () => (await import('./commands/match')).default,
  attention: async () => (await import('./commands/attention')).default,
  contrast: async () => (await import('./commands/contrast')).default,
  heads: async () => (await import('./commands/heads')).default,
  sae: async () => (await import('./commands/sae')).default,
  attribution: async () => (await import('./commands/attribution')).default,
  lens: async () => (await import('./commands/lens')).default,
};

const otherCommands = {
  demo: async () => (await import('./commands/demo')).default,
  activations: async () => (await import('./commands/activations')).default,
  hooks: async () => (await import('./commands/hooks')).default,
  embed2d: async () => (await import('./commands/embed2d')).default,
  cluster: async () => (await import('./commands/cluster')).default,
} satisfies Record<string, () => Promise<CliCommand>>;

type CommandName = JobName | keyof typeof otherCommands;

/** The order of `mechlens --help` and of the unknown-command message (the CLI contract's). */
const COMMAND_ORDER = [
  'compare', 'demo', 'contrast', 'attention', 'activations', 'hooks', 'embed2d', 'cluster',
  'tokens', 'match', 'heads', 'sae', 'attribution', 'lens',
] as const satisfies readonly CommandName[];
const orderListsEveryCommand: [Exclude<CommandName, (typeof COMMAND_ORDER)[number]>] extends [never] ? true : false = true;
void orderListsEveryCommand;

/** The names `mechlens` answers to, in help order: a job marked null has no command. */
export const commandNames: readonly string[] = COMMAND_ORDER.filter((name) => !isJobName(name) || jobCommands[name] !== null);

export function isCommandName(name: string): boolean {
  return commandNames.includes(name);
}

/** Loads one command's module; the name must be one of commandNames. */
export function loadCommand(name: string): Promise<CliCommand> {
  return isJobName(name) ? loadJobCommand(name) : otherCommands[name as keyof typeof otherCommands]();
}

async function loadJobCommand<J extends JobName>(job: J): Promise<CliCommand> {
  const load = jobCommands[job];
  if (!load) throw new Error(`mechlens ${job}: the job has no CLI command`);
  const command = await load();
  return {
    summary: command.summary,
    options: command.options,
    async run(args, io) {
      const result = await runJob(job, command.input(args), { signal: io.signal, onProgress: (p) => io.log(`  ${p.message}`) });
      command.report(result, args, io);
    },
  };
}
