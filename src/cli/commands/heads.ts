// mechlens heads: every layer's attention pattern for texts or the repeat-random probe, and the
// previous-token, duplicate-token and induction score of every head (core/analyses/heads.ts).
import { HEADS_DEFAULTS } from '../../core/analyses/heads';
import { MechLensError } from '../../core/errors';
import type { HeadScores } from '../../protocol/result';
import { numberOption } from '../args';
import type { CliJobCommand } from '../command';
import { runtimeOptions, writeJsonOutput } from '../model-job';
import { logSourceCopies } from '../source-copies';

const command: CliJobCommand<'heads'> = {
  options: {
    model: { required: true, description: 'Hugging Face checkpoint folder or hub id (gpt2, pythia-70m, ...)' },
    text: { repeat: true, description: 'an input text (repeatable); scores are averaged over the texts' },
    'repeat-random': { description: 'the induction probe instead of texts: N random ordinary tokens repeated twice, after the BOS token' },
    seed: { description: `seed of the probe's tokens (default ${HEADS_DEFAULTS.seed})` },
    patterns: { flag: true, description: 'also write patterns[text][layer][head][q][k]' },
    provider: { description: 'execution provider: auto, cpu, cuda, webgpu, dml, coreml' },
    'cache-dir': { description: 'download cache (default ~/.cache/mechlens or $MECHLENS_CACHE)' },
    offline: { flag: true, description: 'use only cached downloads' },
    json: { required: true, description: 'where to write the Result JSON' },
  },
  input(args) {
    const texts = args.text as string[] | undefined;
    const probe = args['repeat-random'] !== undefined;
    if (!texts === !probe) {
      throw new MechLensError('bad-argument', texts ? '--text and --repeat-random cannot be combined' : 'give --text T (repeatable) or --repeat-random N', {
        input: 'mechlens heads', fix: 'Example: mechlens heads --model gpt2 --repeat-random 50 --seed 0 --json heads.json',
      });
    }
    if (!probe && args.seed !== undefined) throw new MechLensError('bad-argument', '--seed goes with --repeat-random', { input: 'mechlens heads', fix: 'Drop --seed, or use --repeat-random N --seed S.' });
    return {
      model: args.model as string,
      texts,
      repeatRandom: probe ? numberOption('heads', args, 'repeat-random', HEADS_DEFAULTS.repeatRandom, { integer: true, min: 2 }) : undefined,
      seed: numberOption('heads', args, 'seed', HEADS_DEFAULTS.seed, { integer: true, min: 0 }),
      patterns: args.patterns === true,
      ...runtimeOptions(args),
    };
  },
  report(result, args, io) {
    const file = args.json as string;
    writeJsonOutput(file, result);
    io.log(`Wrote ${file}`);
    const tokens = result.texts.reduce((n, t) => n + t.tokens.length, 0);
    io.log(`${result.texts.length} text${result.texts.length === 1 ? '' : 's'} (${tokens} tokens), ${result.nLayer} layers × ${result.nHead} heads, provider ${result.provider}`);
    for (const [name, label] of [['previousToken', 'previous-token'], ['duplicateToken', 'duplicate-token'], ['induction', 'induction']] as const) {
      io.log(`  top ${label} heads: ${topHeads(result.scores, name, 3)}`);
    }
    logSourceCopies(result, io);
    for (const w of result.warnings) io.log(`warning: ${w}`);
  },
};

/** "L5H1 0.912, L4H11 0.871, …": the k best heads under one detector. */
function topHeads(scores: HeadScores, name: keyof HeadScores, k: number): string {
  const all = scores[name].flatMap((row, l) => row.map((score, h) => ({ l, h, score })));
  return all.sort((a, b) => b.score - a.score).slice(0, k).map((x) => `L${x.l}H${x.h} ${x.score.toFixed(3)}`).join(', ');
}

export default command;
