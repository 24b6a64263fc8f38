// mechlens attribution: direct logit attribution at the last position of a text (issue 16's CLI
// contract): the target's logit (minus a contrast's) split into the embedding, the position
// embedding, every block's attention and MLP output and the final norm's constant, and per head.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { AttributionResult } from '../../protocol/result';
import type { CliJobCommand } from '../command';
import { runtimeOptions, writeJsonOutput } from '../model-job';
import { writeHtmlReport } from '../report';
import { logSourceCopies } from '../source-copies';

const command: CliJobCommand<'attribution'> = {
  options: {
    model: { required: true, description: 'Hugging Face checkpoint folder or hub id (gpt2, pythia-70m, Qwen/Qwen3-0.6B, ...)' },
    text: { required: true, repeat: true, description: 'the text; the logit at its last token is attributed (repeatable: one attribution per text)' },
    target: { required: true, description: 'target word, read with a leading space; must be one token' },
    contrast: { description: 'contrast word (one token with a leading space): attribute logit(target) − logit(contrast)' },
    provider: { description: 'execution provider: auto, cpu, cuda, webgpu, dml, coreml' },
    'cache-dir': { description: 'download cache (default ~/.cache/mechlens or $MECHLENS_CACHE)' },
    offline: { flag: true, description: 'use only cached downloads' },
    json: { required: true, description: 'where to write the JSON: target, contrast, logitDiff, constant, components, heads (first text) and texts (all)' },
    html: { description: 'also write the panel as a self-contained HTML report here' },
  },
  input(args) {
    return {
      model: args.model as string,
      texts: args.text as string[],
      target: args.target as string,
      contrast: args.contrast as string | undefined,
      ...runtimeOptions(args),
    };
  },
  report(result, args, io) {
    const file = args.json as string;
    writeJsonOutput(file, cliJson(result));
    io.log(`Wrote ${file}`);
    if (typeof args.html === 'string') {
      mkdirSync(dirname(args.html), { recursive: true });
      writeHtmlReport(args.html, result);
      io.log(`Wrote ${args.html}`);
    }
    const first = result.texts[0];
    const what = result.contrast ? `logit(${result.target.token}) − logit(${result.contrast.token})` : `logit(${result.target.token})`;
    io.log(`${what} = ${first.logitDiff.toPrecision(6)}${result.softcap !== null ? ` before the final softcap (${result.softcap}); after it ${(first.logits.target.postSoftcap - (first.logits.contrast?.postSoftcap ?? 0)).toPrecision(6)}` : ''}`);
    io.log(`Σ components + constant = ${first.sum.toPrecision(6)} (constant ${first.constant.toPrecision(4)})`);
    const top = [...first.components].sort((a, b) => Math.abs(b.value) - Math.abs(a.value)).slice(0, 5);
    io.log(`largest: ${top.map((c) => `${c.name} ${c.value >= 0 ? '+' : ''}${c.value.toPrecision(3)}`).join(', ')}`);
    logSourceCopies(result, io);
    for (const w of result.warnings) io.log(`warning: ${w}`);
  },
};

/** The contract's fields for the first text at the top level, every text under `texts`, and the run's provenance. */
export function cliJson(result: AttributionResult): Record<string, unknown> {
  const first = result.texts[0];
  const { target, contrast, softcap, ...rest } = result;
  return {
    target,
    ...(contrast ? { contrast } : {}),
    logitDiff: first.logitDiff,
    constant: first.constant,
    components: first.components,
    heads: first.heads,
    sum: first.sum,
    softcap,
    logits: first.logits,
    text: first.text,
    tokens: first.tokens,
    ...rest,
  };
}

export default command;
