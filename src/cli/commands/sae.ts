// mechlens sae: texts read through a sparse autoencoder at its hook; per token the top features and
// L0, per text the reconstruction MSE and variance explained (the JSON shape is in the CLI contract).
import { SAE_DEFAULTS } from '../../core/analyses/sae';
import { MechLensError } from '../../core/errors';
import { SAE_RELEASES } from '../../core/models/sae/catalog';
import { numberOption } from '../args';
import type { CliJobCommand } from '../command';
import { runtimeOptions, writeJsonOutput } from '../model-job';
import { logSourceCopies } from '../source-copies';

const command: CliJobCommand<'sae'> = {
  options: {
    model: { required: true, description: 'Hugging Face id (gpt2, gemma-2-2b, ...) or checkpoint folder' },
    sae: { required: true, description: `SAE: a folder (cfg.json + sae_weights.safetensors), a params.npz, RELEASE/SAE_ID (${SAE_RELEASES.map((r) => r.name).join(', ')}; e.g. gpt2-small-res-jb/blocks.8.hook_resid_pre) or hf:OWNER/REPO/PATH[@REVISION]` },
    hook: { description: 'hook to read (default: the one the SAE names)' },
    text: { repeat: true, required: true, description: 'an input text (repeatable)' },
    top: { description: `features listed per token, largest first, active only (default ${SAE_DEFAULTS.top})` },
    features: { description: 'compute only these features, e.g. 12,4051,7 (no reconstruction then)' },
    provider: { description: 'execution provider: auto (default), cuda, webgpu, dml, coreml or cpu' },
    'cache-dir': { description: 'download cache for models and SAEs (default ~/.cache/mechlens or $MECHLENS_CACHE)' },
    offline: { flag: true, description: 'use only cached downloads' },
    json: { required: true, description: 'where to write the JSON' },
  },
  input(args) {
    const features = parseFeatures(args.features as string | undefined);
    return {
      model: args.model as string,
      sae: args.sae as string,
      hook: args.hook as string | undefined,
      texts: args.text as string[],
      top: numberOption('sae', args, 'top', SAE_DEFAULTS.top, { integer: true, min: 1 }),
      ...(features ? { features } : {}),
      ...runtimeOptions(args),
    };
  },
  report(result, args, io) {
    const file = args.json as string;
    writeJsonOutput(file, result);
    io.log(`${result.sae.label}: ${result.sae.architecture} SAE, ${result.dSae} features at ${result.hook} (${result.provider.toUpperCase()})${result.bosPrepended ? `; texts start with a BOS (${result.bosFrom === 'sae-config' ? "the SAE's prepend_bos" : 'the tokenizer'})` : ''}`);
    for (const t of result.texts) {
      const ve = t.varianceExplained === null ? 'n/a' : t.varianceExplained.toFixed(4);
      io.log(`  ${t.tokens.length} tokens, mean L0 ${(t.positions.reduce((s, p) => s + p.l0, 0) / t.positions.length).toFixed(1)}, MSE ${t.mse === null ? 'n/a' : t.mse.toPrecision(4)}, variance explained ${ve}: ${JSON.stringify(t.text.slice(0, 60))}`);
    }
    logSourceCopies(result, io);
    for (const w of result.warnings) io.log(`warning: ${w}`);
    io.log(`Wrote ${file}`);
  },
};

function parseFeatures(value: string | undefined): number[] | undefined {
  if (value === undefined) return undefined;
  const parts = value.split(',').map((s) => s.trim()).filter(Boolean);
  if (!parts.length || parts.some((p) => !/^\d+$/.test(p))) {
    throw new MechLensError('bad-argument', `--features must be comma-separated feature indices, got "${value}"`, { input: 'mechlens sae', fix: 'Example: --features 12,4051,7' });
  }
  return parts.map(Number);
}

export default command;
