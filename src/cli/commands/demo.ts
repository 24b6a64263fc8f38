// `mechlens demo`: the README's first command. Runs the five jobs offline on what ships with the
// package (see cli/demo/run-demo.ts), or with --pretrained on the notebooks' models and vectors.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { CliCommand } from '../command';
import { runDemo } from '../demo/run-demo';

const command: CliCommand = {
  options: {
    out: { description: 'output folder (default out/demo)' },
    pretrained: { flag: true, description: 'run the notebooks\' setup instead: gpt2, gpt2-medium, glove-wiki-gigaword-50/300 (downloads what is missing, about 2.5 GB)' },
    samples: { description: 'folder holding the sample word lists (default: samples/ of the package)' },
    'cache-dir': { description: 'download cache (default ~/.cache/mechlens or $MECHLENS_CACHE)' },
    offline: { flag: true, description: 'with --pretrained: use only what is already cached' },
  },
  async run(args, io) {
    const out = resolve((args.out as string | undefined) ?? 'out/demo');
    // dist/cli.js has samples/ one folder up; run from src/cli/commands (tsx) it is three up.
    const samples = resolve((args.samples as string | undefined) ?? [join(__dirname, '..', 'samples'), join(__dirname, '..', '..', '..', 'samples')].find((d) => existsSync(d)) ?? 'samples');
    const outcome = await runDemo({
      out,
      samples,
      pretrained: args.pretrained === true,
      cacheDir: args['cache-dir'] as string | undefined,
      offline: args.offline === true,
      log: io.log,
      signal: io.signal,
    });
    io.log(`\nWrote ${outcome.entries.length} results (JSON and HTML) to ${out}. Open the index in a browser:`);
    process.stdout.write(`${outcome.index}\n`);
  },
};

export default command;
