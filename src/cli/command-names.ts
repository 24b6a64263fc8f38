// The names `mechlens` answers to, in the order of `mechlens --help` and of the unknown-command
// message (the CLI contract's). A module of its own so that the launcher (launcher.ts), which decides
// on huge pages before the CLI loads, knows the commands without loading any of their code.
export const COMMAND_ORDER = [
  'compare', 'demo', 'contrast', 'attention', 'activations', 'hooks', 'embed2d', 'cluster',
  'tokens', 'match', 'heads', 'sae', 'attribution', 'lens',
] as const;

export type CommandName = (typeof COMMAND_ORDER)[number];

/** Whether `name` is one of COMMAND_ORDER (command-table.ts checks that its tables hold exactly these). */
export function isListedCommand(name: string): name is CommandName {
  return (COMMAND_ORDER as readonly string[]).includes(name);
}
