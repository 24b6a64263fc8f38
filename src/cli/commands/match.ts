import { mkdirSync } from 'node:fs';
import { writeJsonFileSync } from '../../core/io/json-stream';
import { dirname } from 'node:path';
import { numberOption, PERMUTATIONS } from '../args';
import type { CliJobCommand } from '../command';
import { logSourceCopies } from '../source-copies';
import { leadingSpaceOption } from './tokens';

const command: CliJobCommand<'match'> = {
  options: {
    a: { required: true, description: 'static vectors walked in file order: catalog name or vectors:PATH' },
    b: { required: true, description: 'the model: model:ID_OR_DIR or model:ID_OR_DIR#embed' },
    length: { description: 'characters per word (default 6)' },
    count: { description: 'words to find (default 100)' },
    'leading-space': { description: 'single token as " word" (with, default), "word" (without) or either' },
    permutations: { description: 'permutations for the RSA p-value (default 1000; 0 skips it)' },
    seed: { description: 'seed for permutations and t-SNE (default 0)' },
    template: { description: 'prompt template when B is a hook source, e.g. "The next word is {word}"' },
    'no-compare': { flag: true, description: 'only list the matches; skip job 1 on them' },
    'no-map': { flag: true, description: 'skip t-SNE and DBSCAN in the comparison' },
    'cache-dir': { description: 'download cache (default ~/.cache/mechlens or $MECHLENS_CACHE)' },
    offline: { flag: true, description: 'use only cached downloads' },
    json: { required: true, description: 'where to write the Result JSON' },
  },
  input(args) {
    return {
      a: args.a as string,
      b: args.b as string,
      length: numberOption('match', args, 'length', 6, { integer: true, min: 1 }, command.options.length.description),
      count: numberOption('match', args, 'count', 100, { integer: true, min: 1 }, command.options.count.description),
      leadingSpace: leadingSpaceOption('match', args),
      permutations: numberOption('match', args, 'permutations', 1000, PERMUTATIONS, command.options.permutations.description),
      seed: numberOption('match', args, 'seed', 0, { integer: true }, command.options.seed.description),
      template: args.template as string | undefined,
      compare: args['no-compare'] !== true,
      map: args['no-map'] ? false : {},
      cacheDir: args['cache-dir'] as string | undefined,
      offline: args.offline === true,
    };
  },
  report(result, args, io) {
    const json = args.json as string;
    mkdirSync(dirname(json), { recursive: true });
    writeJsonFileSync(json, result);
    io.log(`Wrote ${json}`);
    io.log(`${result.matches.length} of ${result.count} words matched after ${result.scanned} rows of ${result.a.label}`);
    const f = (x: number | null | undefined) => (x === null || x === undefined ? 'undefined' : x.toFixed(3));
    if (result.rsa) io.log(`RSA: Pearson r ${f(result.rsa.pearson)}, Spearman ρ ${f(result.rsa.spearman)}, cosine S_c ${f(result.rsa.cosine)}, p ${result.rsa.pValue === null ? 'n/a' : result.rsa.pValue.toPrecision(3)}`);
    logSourceCopies(result, io);
    for (const w of result.warnings) io.log(`warning: ${w}`);
    for (const w of result.compare?.warnings ?? []) io.log(`warning: ${w}`);
  },
};

export default command;
