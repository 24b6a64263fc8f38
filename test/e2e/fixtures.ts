// Inputs the e2e tests put into the workspace: two small GloVe-format vector files over the words
// of samples/space-furniture-fruit.words (plus words the list does not use), with category
// structure of different strength, so the heatmaps show blocks and RSA is clearly positive.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createRandom } from '../../src/core/random';

export interface VectorFiles {
  a: string;
  b: string;
  /** The words of the list, in file order, and their categories. */
  words: string[];
  categories: string[];
}

/** Reads `[category]` headers and words of a .words file; comments and blank lines skipped. */
export function readWordList(file: string): { words: string[]; categories: string[] } {
  const words: string[] = [];
  const categories: string[] = [];
  let category = '';
  for (const raw of readFileSync(file, 'utf8').split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) category = header[1];
    else {
      words.push(line);
      categories.push(category);
    }
  }
  return { words, categories };
}

function gloveFile(words: string[], categories: string[], dims: number, spread: number, seed: number): string {
  const random = createRandom(seed);
  const centroids = new Map<string, number[]>();
  const lines: string[] = [];
  for (let i = 0; i < words.length; i++) {
    let centroid = centroids.get(categories[i]);
    if (!centroid) {
      centroid = Array.from({ length: dims }, () => random.gaussian());
      centroids.set(categories[i], centroid);
    }
    const vector = centroid.map((c) => c + spread * random.gaussian());
    lines.push(`${words[i]} ${vector.map((v) => v.toFixed(5)).join(' ')}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Writes `vectors/space-a.txt` (16-d, tight categories) and `vectors/space-b.txt` (24-d, looser). */
export function writeVectorFiles(workspace: string, wordsFile: string): VectorFiles {
  const { words, categories } = readWordList(wordsFile);
  const extra = ['river', 'piano', 'cloud', 'engine', 'violet'];
  const allWords = [...extra.slice(0, 2), ...words, ...extra.slice(2)];
  const allCategories = [...extra.slice(0, 2).map((w) => `other-${w}`), ...categories, ...extra.slice(2).map((w) => `other-${w}`)];
  const dir = path.join(workspace, 'vectors');
  mkdirSync(dir, { recursive: true });
  const a = path.join(dir, 'space-a.txt');
  const b = path.join(dir, 'space-b.txt');
  writeFileSync(a, gloveFile(allWords, allCategories, 16, 0.6, 11));
  writeFileSync(b, gloveFile(allWords, allCategories, 24, 1.0, 23));
  return { a, b, words, categories };
}

/** A vector file whose third line has fewer numbers than the others. */
export function writeBadVectorFile(workspace: string): string {
  const file = path.join(workspace, 'vectors', 'broken.txt');
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, 'space 0.1 0.2 0.3\nmoon 0.3 0.1 0.2\nplanet 0.5 oops\nchair 0.9 0.1 0.0\n');
  return file;
}
