import { mkdirSync } from 'node:fs';
import { writeJsonFileSync } from '../../core/io/json-stream';
import { dirname } from 'node:path';
import { ATTENTION_DEFAULTS } from '../../core/analyses/attention';
import { MechLensError } from '../../core/errors';
import { numberOption, PERMUTATIONS } from '../args';
import type { CliJobCommand } from '../command';
import { logSourceCopies } from '../source-copies';
import { selectivityValue } from '../../protocol/selectivity-text';

const command: CliJobCommand<'attention'> = {
  options: {
    words: { required: true, description: 'word list with [categories]' },
    model: { description: `checkpoint folder or hub id (default ${ATTENTION_DEFAULTS.model})` },
    template: { description: `prompt template with {word} (default "${ATTENTION_DEFAULTS.template}")` },
    layer: { description: `layer (default ${ATTENTION_DEFAULTS.layer})` },
    sweep: { flag: true, description: 'also compute the statistics at every layer (one forward pass)' },
    pieces: { description: 'words that are several tokens: drop (default) or last-piece' },
    permutations: { description: 'permutations for the RSA p-value (default 1000)' },
    seed: { description: 'seed (default 0)' },
    sae: { description: 'also compare the words\' SAE features at the SAE\'s hook with Q and K (SAE folder, params.npz, RELEASE/SAE_ID or hf:OWNER/REPO/PATH)' },
    provider: { description: 'execution provider: auto, cpu, cuda, webgpu, dml, coreml' },
    'cache-dir': { description: 'download cache' },
    offline: { flag: true, description: 'use only cached downloads' },
    json: { required: true, description: 'where to write the Result JSON' },
  },
  input(args) {
    const pieces = args.pieces as string | undefined;
    if (pieces !== undefined && pieces !== 'drop' && pieces !== 'last-piece') {
      throw new MechLensError('bad-argument', `--pieces must be drop or last-piece, got "${pieces}"`, { input: 'mechlens attention' });
    }
    return {
      wordsPath: args.words as string,
      model: (args.model as string | undefined) ?? ATTENTION_DEFAULTS.model,
      template: args.template as string | undefined,
      layer: numberOption('attention', args, 'layer', ATTENTION_DEFAULTS.layer, { integer: true, min: 0 }),
      sweep: args.sweep === true,
      pieces: pieces as 'drop' | 'last-piece' | undefined,
      permutations: numberOption('attention', args, 'permutations', ATTENTION_DEFAULTS.permutations, PERMUTATIONS),
      seed: numberOption('attention', args, 'seed', 0, { integer: true }),
      provider: args.provider as string | undefined,
      sae: args.sae as string | undefined,
      cacheDir: args['cache-dir'] as string | undefined,
      offline: args.offline === true,
    };
  },
  report(r, args, io) {
    const file = args.json as string;
    mkdirSync(dirname(file), { recursive: true });
    writeJsonFileSync(file, r);
    const f = (x: number | null) => (x === null ? 'undefined' : x.toFixed(3));
    io.log(`Wrote ${file}`);
    io.log(`${r.items.length} words at layer ${r.layer} (${r.provider}); selectivity Q ${selectivityValue(r.q.selectivity)}, K ${selectivityValue(r.k.selectivity)}, V ${selectivityValue(r.v.selectivity)}`);
    io.log(`RSA Q vs K: r ${f(r.rsa.pearson)}, ρ ${f(r.rsa.spearman)}, p ${r.rsa.pValue ?? 'n/a'}`);
    for (const c of r.rsaByCategory) io.log(`  within ${c.category}: r ${f(c.pearson)}`);
    if (r.sae) {
      const rsa = (x: typeof r.sae.rsaQ) => (x ? `r ${f(x.pearson)}, ρ ${f(x.spearman)}, p ${x.pValue ?? 'n/a'}` : 'undefined');
      io.log(`SAE ${r.sae.info.label} at ${r.sae.hook} (mean L0 ${r.sae.meanL0.toFixed(1)}): RSA features vs Q ${rsa(r.sae.rsaQ)}; vs K ${rsa(r.sae.rsaK)}`);
    }
    if (r.sweep) for (const s of r.sweep) io.log(`  layer ${s.layer}: RSA Q-K ${f(s.rsaQK)}, selectivity q ${f(s.selectivity.q)} k ${f(s.selectivity.k)} resid ${f(s.selectivity.resid)}${s.sae ? `; SAE vs q ${f(s.sae.q)} k ${f(s.sae.k)} resid ${f(s.sae.resid)}` : ''}`);
    logSourceCopies(r, io);
    for (const w of r.warnings) io.log(`warning: ${w}`);
  },
};

export default command;
