// mechlens lens: the logit lens of one or more texts (core/analyses/lens.ts), written as the
// Result JSON, whose `texts[].tokens` and `texts[].layers[].positions[]` are the CLI contract's shape.
import { LENS_DEFAULT_TOP_K, lensTopKLimit } from '../../protocol/lens';
import { MechLensError } from '../../core/errors';
import { numberOption } from '../args';
import type { CliJobCommand } from '../command';
import { runtimeOptions, writeJsonOutput } from '../model-job';
import { logSourceCopies } from '../source-copies';

const command: CliJobCommand<'lens'> = {
  options: {
    model: { required: true, description: 'Hugging Face id (gpt2, pythia-70m, SmolLM2-135M, ...) or checkpoint folder' },
    text: { repeat: true, required: true, description: 'an input text (repeatable)' },
    target: { description: 'a word read with a leading space (must be one token): its probability and rank at every layer' },
    top: { description: `tokens kept per layer and position (default ${LENS_DEFAULT_TOP_K}, at most ${lensTopKLimit.max})` },
    provider: { description: 'execution provider: auto (default), cuda, webgpu, dml, coreml or cpu' },
    'cache-dir': { description: 'download cache for hub models (default ~/.cache/mechlens or $MECHLENS_CACHE)' },
    offline: { flag: true, description: 'use only cached downloads' },
    json: { required: true, description: 'where to write the JSON: texts[].tokens, texts[].layers[].positions[].top / .target' },
  },
  input(args) {
    const texts = args.text as string[];
    const empty = texts.findIndex((t) => t.trim() === '');
    if (empty >= 0) throw new MechLensError('bad-argument', `--text number ${empty + 1} is empty`, { input: 'mechlens lens', fix: 'Give each --text some words.' });
    return {
      model: args.model as string,
      texts,
      target: args.target as string | undefined,
      topK: numberOption('lens', args, 'top', LENS_DEFAULT_TOP_K, { integer: true, min: lensTopKLimit.min, max: lensTopKLimit.max }),
      ...runtimeOptions(args),
    };
  },
  report(r, args, io) {
    const file = args.json as string;
    writeJsonOutput(file, r);
    const show = (s: string) => JSON.stringify(s);
    for (const t of r.texts) {
      const last = t.layers[t.layers.length - 1].positions[t.tokens.length - 1];
      const target = r.target && last.target ? `; ${show(r.target.token)} p ${last.target.prob.toPrecision(3)}, rank ${last.target.rank}, first top-1 at layer ${t.firstTop1?.[t.tokens.length - 1] ?? 'none'}` : '';
      io.log(`${show(t.text.slice(0, 60))}: next token ${show(last.top[0].token)} (p ${last.top[0].prob.toPrecision(3)})${target}`);
    }
    const gflop = (2 * r.stats.lensRows * r.model.dims * (r.model.vocabSize ?? 0)) / 1e9;
    io.log(`${r.stats.tokens} tokens × ${r.nLayer} layers through the lens head on ${r.provider.toUpperCase()}: ${gflop.toFixed(2)} GFLOP in ${(r.stats.lensMs / 1000).toFixed(2)} s (forward ${(r.stats.forwardMs / 1000).toFixed(2)} s)`);
    logSourceCopies(r, io);
    for (const w of r.warnings) io.log(`warning: ${w}`);
    io.log(`Wrote ${file}`);
  },
};

export default command;
