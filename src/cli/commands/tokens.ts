import { mkdirSync } from 'node:fs';
import { writeJsonFileSync } from '../../core/io/json-stream';
import { dirname } from 'node:path';
import { MechLensError } from '../../core/errors';
import type { LeadingSpace } from '../../protocol/result';
import { numberOption, type NumberRange, type ParsedArgs } from '../args';
import type { CliJobCommand } from '../command';
import { logSourceCopies } from '../source-copies';

const command: CliJobCommand<'tokens'> = {
  options: {
    model: { required: true, description: 'Hugging Face id (gpt2, gpt2-medium, ...) or checkpoint folder' },
    first: { description: 'map the first N token ids (default 100)' },
    tokens: { description: 'file of words or tokens, one per line (␣word for the leading-space token)' },
    'leading-space': { description: 'list entries as " word" (with, default), "word" (without) or either' },
    method: { description: 'tsne (default; PCA above 10,000 tokens) or pca' },
    perplexity: { description: 't-SNE perplexity (default 5, the notebook\'s)' },
    iterations: { description: 't-SNE iterations (default 1000)' },
    eps: { description: 'DBSCAN eps on the map (default: from the map\'s spacing, as compare; the notebook used 7)' },
    'min-samples': { description: 'DBSCAN min_samples (default 3)' },
    seed: { description: 'seed for t-SNE (default 0)' },
    'matrix-cap': { description: 'largest N whose embedding rows and Gram matrix go into the JSON (default 2000)' },
    'cache-dir': { description: 'download cache (default ~/.cache/mechlens or $MECHLENS_CACHE)' },
    offline: { flag: true, description: 'use only cached downloads' },
    json: { required: true, description: 'where to write the Result JSON' },
  },
  input(args) {
    return {
      model: args.model as string,
      ...(args.first !== undefined ? { first: numberOption('tokens', args, 'first', 100, { integer: true, min: 1 }, command.options.first?.description) } : {}),
      ...(args.tokens !== undefined ? { tokensPath: args.tokens as string } : {}),
      leadingSpace: leadingSpaceOption('tokens', args),
      method: choice('tokens', args, 'method', ['tsne', 'pca']) as 'tsne' | 'pca' | undefined,
      perplexity: optionalNumber(args, 'perplexity', { above: 0 }),
      iterations: optionalNumber(args, 'iterations', { integer: true, min: 250 }),
      eps: optionalNumber(args, 'eps', { above: 0 }),
      minSamples: optionalNumber(args, 'min-samples', { integer: true, min: 1 }),
      seed: optionalNumber(args, 'seed', { integer: true }),
      matrixCap: optionalNumber(args, 'matrix-cap', { integer: true, min: 0 }),
      cacheDir: args['cache-dir'] as string | undefined,
      offline: args.offline === true,
    };
  },
  report(result, args, io) {
    const json = args.json as string;
    mkdirSync(dirname(json), { recursive: true });
    writeJsonFileSync(json, result);
    io.log(`Wrote ${json}`);
    io.log(`${result.tokens.length} tokens (${result.dims}-d), ${result.method} map: ${result.clusters.length} groups, ${result.ungrouped.indices.length} ungrouped`);
    for (const c of result.clusters.slice(0, 20)) io.log(`  group ${c.label}: ${c.members.slice(0, 12).join(' ')}${c.members.length > 12 ? ` … (${c.members.length})` : ''}`);
    logSourceCopies(result, io);
    for (const w of result.warnings) io.log(`warning: ${w}`);
  },
};

function optionalNumber(args: ParsedArgs, name: string, check: NumberRange): number | undefined {
  return args[name] === undefined ? undefined : numberOption('tokens', args, name, 0, check, command.options[name]?.description);
}

export function choice(command: string, args: ParsedArgs, name: string, allowed: string[]): string | undefined {
  const v = args[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !allowed.includes(v)) {
    throw new MechLensError('bad-argument', `--${name} must be ${allowed.slice(0, -1).join(', ')} or ${allowed[allowed.length - 1]}, got "${String(v)}"`, { input: `mechlens ${command}` });
  }
  return v;
}

export function leadingSpaceOption(command: string, args: ParsedArgs): LeadingSpace | undefined {
  return choice(command, args, 'leading-space', ['with', 'without', 'either']) as LeadingSpace | undefined;
}

export default command;
