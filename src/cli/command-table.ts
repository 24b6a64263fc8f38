// The CLI's command tables. A command that is a job is keyed by its JobName, like every layer's job
// table (README "How to add a job"), so a job without an entry here is a type error; null would mark
// a job that has no CLI command. Its module builds the job's input and reports its Result; the job
// itself runs from the core job table on a worker thread (runJob), as in the extension. The other
// commands (tools and the demo) are a second table. Each command's module is loaded only when it runs;
// the one-line summaries that `mechlens --help` lists are here (SUMMARIES), so listing loads none.
import type { JobName } from '../protocol/jobs';
import { isJobName } from '../protocol/jobs';
import { runJob } from '../core/worker/client';
import type { CliCommand, CliJobCommand } from './command';
import { COMMAND_ORDER, type CommandName } from './command-names';

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

// The tables hold exactly the commands of COMMAND_ORDER (command-names.ts), no more and no fewer.
type TableName = JobName | keyof typeof otherCommands;
const tablesMatchOrder: [Exclude<CommandName, TableName>, Exclude<TableName, CommandName>] extends [never, never] ? true : false = true;
void tablesMatchOrder;

/**
 * One line per command, for `mechlens --help`, the usage line and `mechlens <command> --help`. Kept
 * here rather than in the command modules, so listing the commands loads none of them.
 */
const SUMMARIES: Readonly<Record<CommandName, string>> = {
  compare: 'compare two embedding spaces on a word list: cosine heatmaps, selectivity, RSA, t-SNE clusters',
  demo: 'run the five jobs offline (packaged GloVe, GPT-2 tokenizer, a random-weight GPT-2) and write JSON, HTML and index.html',
  contrast: 'contrast two sentence groups neuron by neuron: t-tests, corrections, t-SNE and clusters of significant neurons',
  attention: 'Q/K/V of each word in a prompt template at one layer (or all): cosine matrices, selectivity, RSA Q vs K per category and head',
  activations: 'capture activations at a hook point (TransformerLens name or HF module) for texts or templated words',
  hooks: 'list the hook points of a model (TransformerLens names, shapes, Hugging Face aliases)',
  embed2d: 'project the rows of a matrix file to 2-D (t-SNE, PCA or UMAP)',
  cluster: 'cluster the rows of a matrix file with DBSCAN or k-means',
  tokens: 'map a model\'s token embeddings: rows, Gram matrix E·Eᵀ, t-SNE or PCA map, DBSCAN groups',
  match: 'match vocabularies: the first K words of length L in A\'s order that are single tokens of model B, then compare them',
  heads: 'attention patterns of every head, with previous-token, duplicate-token and induction scores',
  sae: 'read texts through a sparse autoencoder (SAELens folder, Gemma Scope params.npz, catalog or hub): top features per token, L0, MSE, variance explained',
  attribution: 'direct logit attribution at the last token: embed, positions, each attention and MLP output, and each head',
  lens: 'logit lens: every block\'s residual stream through the final norm and unembedding; top k tokens per layer and position, a target word\'s probability and rank',
};

/** The one-line summary of a command; the name must be one of commandNames. */
export function commandSummary(name: string): string {
  return SUMMARIES[name as CommandName];
}

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
    options: command.options,
    async run(args, io) {
      const result = await runJob(job, command.input(args), { signal: io.signal, onProgress: (p) => io.log(`  ${p.message}`) });
      command.report(result, args, io);
    },
  };
}
