// `mechlens demo`: the README's first command. Runs the jobs on the bundled samples with vectors
// generated on the spot (pretrained vectors cannot be shipped or fetched everywhere), and says so.
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { runCompare } from '../../core/analyses/compare';
import { syntheticSpaces } from '../../core/analyses/demo-vectors';
import { writeVectorFile } from '../../core/vectors';
import { readWordListFile } from '../../core/text/word-list';
import type { CliCommand } from '../command';
import { printCompareSummary, writeResultFiles } from './compare';

const SAMPLES = ['space-furniture-fruit', 'next-word'];

const command: CliCommand = {
  summary: 'run the jobs on the bundled samples with generated (not pretrained) vectors',
  options: {
    out: { description: 'output folder (default out/demo)' },
    samples: { description: 'folder holding the sample word lists (default: samples/ of the package)' },
  },
  async run(args, io) {
    const out = resolve((args.out as string | undefined) ?? 'out/demo');
    const samples = resolve((args.samples as string | undefined) ?? join(__dirname, '..', 'samples'));
    mkdirSync(out, { recursive: true });
    io.log('MechLens demo. NOTE: the vectors below are SYNTHETIC (random, with category structure), not');
    io.log('pretrained embeddings; use --a/--b with glove-wiki-gigaword-50 or vectors:FILE for real ones.\n');

    const lists = SAMPLES.map((name) => ({ name, list: readWordListFile(join(samples, `${name}.words`)) }));
    const vocabulary = new Map<string, string | null>();
    for (const { list } of lists) for (const item of list.items) if (!vocabulary.has(item.word)) vocabulary.set(item.word, item.category);
    const [small, large] = syntheticSpaces([...vocabulary.keys()], [...vocabulary.values()], [50, 300]);
    const pathA = join(out, 'synthetic-50d.txt');
    const pathB = join(out, 'synthetic-300d.bin');
    await writeVectorFile(pathA, small.words, small.vectors, 'glove-text');
    await writeVectorFile(pathB, large.words, large.vectors, 'word2vec-binary');
    io.log(`Generated ${pathA} (GloVe text) and ${pathB} (word2vec binary), ${vocabulary.size} words.`);

    for (const { name, list } of lists) {
      io.log(`\n== compare: ${name}.words`);
      const result = await runCompare(
        { wordsPath: join(samples, `${name}.words`), wordList: list, a: `vectors:${pathA}`, b: `vectors:${pathB}`, synthetic: { a: true, b: true } },
        { signal: io.signal },
      );
      writeResultFiles(result, { json: join(out, `compare-${name}.json`), html: join(out, `compare-${name}.html`) }, io);
      printCompareSummary(result, io);
    }
    io.log(`\nOpen ${join(out, 'compare-space-furniture-fruit.html')} in a browser to see the charts.`);
  },
};

export default command;
