import { mkdirSync } from 'node:fs';
import { writeJsonFileSync } from '../../core/io/json-stream';
import { dirname } from 'node:path';
import type { CompareResult } from '../../protocol/result';
import { numberOption, PERMUTATIONS, type ParsedArgs } from '../args';
import type { CliJobCommand, CliIo } from '../command';
import { writeHtmlReport } from '../report';
import { logSourceCopies } from '../source-copies';
import { selectivityText } from '../../protocol/selectivity-text';

const command: CliJobCommand<'compare'> = {
  options: {
    words: { required: true, description: 'word list file (# comments, [category] headers, one word per line)' },
    a: { required: true, description: 'source A: catalog name, vectors:PATH or model:ID#HOOK' },
    b: { required: true, description: 'source B: catalog name, vectors:PATH or model:ID#HOOK' },
    template: { description: 'prompt template for model hook sources, e.g. "The next word is {word}"' },
    permutations: { description: 'permutations for the RSA p-value (default 1000; 0 skips it)' },
    seed: { description: 'seed for permutations and t-SNE (default 0)' },
    perplexity: { description: 't-SNE perplexity (default: 30, lowered for short lists)' },
    eps: { description: 'DBSCAN eps on the t-SNE map (default: auto, from the k-distance knee)' },
    'min-samples': { description: 'DBSCAN min_samples (default 3)' },
    'no-map': { flag: true, description: 'skip t-SNE and DBSCAN' },
    'cache-dir': { description: 'download cache (default ~/.cache/mechlens or $MECHLENS_CACHE)' },
    offline: { flag: true, description: 'use only cached downloads' },
    json: { required: true, description: 'where to write the Result JSON' },
    html: { description: 'also write a self-contained HTML report here' },
  },
  input(args) {
    return {
      wordsPath: args.words as string,
      a: args.a as string,
      b: args.b as string,
      template: args.template as string | undefined,
      permutations: numberOption('compare', args, 'permutations', 1000, PERMUTATIONS),
      seed: numberOption('compare', args, 'seed', 0, { integer: true }),
      cacheDir: args['cache-dir'] as string | undefined,
      offline: args.offline === true,
      map: args['no-map'] ? false : mapOptions(args),
    };
  },
  report(result, args, io) {
    writeResultFiles(result, args, io);
    printCompareSummary(result, io);
  },
};

function mapOptions(args: ParsedArgs) {
  return {
    ...(args.perplexity !== undefined ? { perplexity: numberOption('compare', args, 'perplexity', 30, { above: 0 }) } : {}),
    ...(args.eps !== undefined ? { eps: numberOption('compare', args, 'eps', 0, { above: 0 }) } : {}),
    ...(args['min-samples'] !== undefined ? { minSamples: numberOption('compare', args, 'min-samples', 3, { integer: true, min: 1 }) } : {}),
  };
}

export function writeResultFiles(result: CompareResult, args: ParsedArgs, io: CliIo): void {
  const json = args.json as string;
  mkdirSync(dirname(json), { recursive: true });
  writeJsonFileSync(json, result);
  io.log(`Wrote ${json}`);
  if (typeof args.html === 'string') {
    mkdirSync(dirname(args.html), { recursive: true });
    writeHtmlReport(args.html, result);
    io.log(`Wrote ${args.html}`);
  }
}

export function printCompareSummary(r: CompareResult, io: CliIo): void {
  const f = (x: number | null | undefined, d = 3) => (x === null || x === undefined ? 'undefined' : x.toFixed(d));
  io.log(`${r.items.length} words compared${r.missing.length ? `, ${r.missing.length} missing: ${r.missing.join(', ')}` : ''}`);
  for (const side of [r.a, r.b]) {
    io.log(`${side.source.label} (${side.source.dims}-d${side.source.synthetic ? ', synthetic: NOT pretrained vectors' : ''}): ${selectivityText(side.selectivity)}` +
      (side.map ? `, ${side.map.clusters.length} clusters` : ''));
  }
  io.log(`RSA: Pearson r ${f(r.rsa.pearson)}, Spearman ρ ${f(r.rsa.spearman)}, cosine S_c ${f(r.rsa.cosine)}, p ${r.rsa.pValue === null ? 'n/a' : r.rsa.pValue.toPrecision(3)} (${r.rsa.permutations} permutations)`);
  for (const c of r.rsaByCategory) io.log(`  within ${c.category}: r ${f(c.pearson)}`);
  logSourceCopies(r, io);
  for (const w of r.warnings) io.log(`warning: ${w}`);
}

export default command;
