import { mkdirSync } from 'node:fs';
import { writeJsonFileSync } from '../../core/io/json-stream';
import { dirname } from 'node:path';
import { CONTRAST_DEFAULTS } from '../../core/analyses/contrast';
import { MechLensError } from '../../core/errors';
import { numberOption, type NumberRange, type ParsedArgs } from '../args';
import type { CliJobCommand } from '../command';
import { logSourceCopies } from '../source-copies';

const command: CliJobCommand<'contrast'> = {
  options: {
    sentences: { required: true, description: 'sentence set: two [groups], the target word marked as {word}' },
    model: { required: true, description: 'Hugging Face checkpoint folder or hub id (gpt2, gpt2-medium, ...)' },
    hook: { description: `hook point (default ${CONTRAST_DEFAULTS.hook}; with --sae, the SAE's hook)` },
    sae: { description: 'contrast the features of this SAE instead of the hook\'s units: a folder, params.npz, RELEASE/SAE_ID or hf:OWNER/REPO/PATH (see mechlens sae)' },
    target: { repeat: true, description: 'target string searched in sentences without a {marker}, e.g. " him" (repeatable)' },
    test: { description: 'student (default, as scipy ttest_ind) or welch' },
    correction: { description: 'bonferroni (default, alpha / nNeurons) or fdr (Benjamini-Hochberg)' },
    alpha: { description: 'family-wise or false-discovery level (default 0.05)' },
    k: { description: 'k-means clusters of significant neurons (default 3)' },
    perplexity: { description: 't-SNE perplexity (default 30)' },
    eps: { description: 'DBSCAN eps on the t-SNE map (default: from the map\'s spacing, as compare; the notebook used 1)' },
    'min-samples': { description: 'DBSCAN min_samples (default 3)' },
    shuffles: { description: 'label shuffles for the significant-count check (default 200; 0 skips)' },
    seed: { description: 'seed for shuffles, t-SNE and k-means (default 0)' },
    provider: { description: 'execution provider: auto, cpu, cuda, webgpu, dml, coreml' },
    'cache-dir': { description: 'download cache (default ~/.cache/mechlens or $MECHLENS_CACHE)' },
    offline: { flag: true, description: 'use only cached downloads' },
    json: { required: true, description: 'where to write the Result JSON' },
  },
  input(args) {
    const pick = <T extends string>(name: string, allowed: readonly T[]): T | undefined => {
      const v = args[name];
      if (v === undefined) return undefined;
      if (!allowed.includes(v as T)) throw new MechLensError('bad-argument', `--${name} must be ${allowed.join(' or ')}, got "${String(v)}"`, { input: 'mechlens contrast' });
      return v as T;
    };
    const n = (name: string, fallback: number, check: NumberRange) => (args[name] === undefined ? undefined : numberOption('contrast', args, name, fallback, check));
    return {
      sentencesPath: args.sentences as string,
      model: args.model as string,
      hook: args.hook as string | undefined,
      sae: args.sae as string | undefined,
      targets: args.target as string[] | undefined,
      test: pick('test', ['student', 'welch'] as const),
      correction: pick('correction', ['bonferroni', 'fdr'] as const),
      alpha: n('alpha', 0.05, { above: 0, below: 1 }),
      k: n('k', 3, { integer: true, min: 1 }),
      perplexity: n('perplexity', 30, { above: 0 }),
      eps: n('eps', 1, { above: 0 }),
      minSamples: n('min-samples', 3, { integer: true, min: 1 }),
      shuffles: n('shuffles', 200, { integer: true, min: 0, max: 100_000 }),
      seed: n('seed', 0, { integer: true }),
      provider: args.provider as string | undefined,
      cacheDir: args['cache-dir'] as string | undefined,
      offline: args.offline === true,
    };
  },
  report(result, args, io) {
    writeJson(args, result);
    io.log(`Wrote ${args.json as string}`);
    io.log(`${result.sentences.length} sentences (${result.groups.join(' vs ')}), ${result.t.length} ${result.sae ? `features of the SAE ${result.sae.label}` : 'neurons'} at ${result.hook}, provider ${result.provider}`);
    io.log(`${result.test === 'student' ? 'Student' : 'Welch'} t-test, ${result.correction} at ${result.alpha}: ${result.significant.length} significant (p threshold ${result.threshold.toPrecision(3)})`);
    if (result.labelShuffle.shuffles) io.log(`Shuffled labels: ${result.labelShuffle.meanShuffled.toFixed(1)} significant on average over ${result.labelShuffle.shuffles} shuffles (p ${result.labelShuffle.pValue.toPrecision(3)})`);
    for (const c of result.clusters) io.log(`  ${c.label < 0 ? 'noise' : `cluster ${c.label}`}: ${c.neurons.length} units, mean t ${c.meanT.toFixed(2)}, mean |t| ${c.meanAbsT.toFixed(2)}`);
    logSourceCopies(result, io);
    for (const w of result.warnings) io.log(`warning: ${w}`);
  },
};

function writeJson(args: ParsedArgs, result: unknown): void {
  const file = args.json as string;
  mkdirSync(dirname(file), { recursive: true });
  writeJsonFileSync(file, result);
}

export default command;
