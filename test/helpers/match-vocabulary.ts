// A small word2vec-style vocabulary for job 3's tests (panel fixture, e2e): common English words
// in a made-up "frequency order", of mixed lengths, with ~140 six-letter words among them so the
// notebook's defaults (K = 100 words of L = 6) can be met against the real GPT-2 tokenizer. A few
// rare six-letter words are not one GPT-2 token, and capitalized forms stand where word2vec has
// them. Vectors carry planted topic structure, so A's heatmap shows blocks.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createRandom } from '../../src/core/random';

const topics: Record<string, string> = {
  space: 'planet rocket galaxy comets orbits lunar solar cosmic meteor astral nebula',
  home: 'window carpet pillow mirror drawer closet garage kettle blanket sofa chairs tables',
  food: 'butter cheese tomato potato orange banana cherry lemons pepper salmon carrot noodle',
  nature: 'forest desert island valley stream meadow canyon glacier flower branch spring winter summer autumn',
  people: 'people person mother father sister family friend police doctor player member worker',
  city: 'street market office school church bridge museum tunnel harbor castle palace',
  time: 'moment minute second always before during future recent period season',
  things: 'engine camera guitar violin letter silver golden yellow purple travel',
  words: 'little should around public number system really things better making change health social ground toward course former within across almost series result higher simply growth',
};

/** Words not tied to a topic: other lengths, capitalized forms, and rare six-letter words (several GPT-2 tokens). */
const filler = 'the of and to in a is that for it was on with he as be at by this had not are but from or have an they which one you were her all she there would their we him been has when who will more no if out so said what up its about into than them can only other new some could time these two may then do first any my now such like our over man me even most made after also did many Apple London Monday zephyr quokka fjords sphinx cwtch gnomon kvetch'.split(' ');

/** Word order of the generated file: topic words interleaved with filler, as a frequency-sorted file mixes them. */
export function matchVocabulary(): { words: string[]; topicOf: Map<string, string> } {
  const topicOf = new Map<string, string>();
  const topicWords = Object.entries(topics).flatMap(([topic, list]) => list.split(' ').map((w) => { topicOf.set(w, topic); return w; }));
  // Round-robin over topics, so the first K matches span every topic rather than one block.
  const queues = Object.values(topics).map((list) => list.split(' '));
  const interleaved: string[] = [];
  while (queues.some((q) => q.length)) for (const q of queues) { const w = q.shift(); if (w) interleaved.push(w); }
  const words: string[] = [];
  let f = 0;
  interleaved.forEach((w, i) => {
    if (i % 2 === 0 && f < filler.length) words.push(filler[f++]);
    words.push(w);
  });
  words.push(...filler.slice(f));
  if (new Set(words).size !== words.length || words.length !== topicWords.length + filler.length) throw new Error('duplicate word in the match vocabulary');
  return { words, topicOf };
}

/**
 * Writes a word2vec text file (`N D` header, then `word v1 … vD`) of the vocabulary: each topic has a
 * centroid and its words scatter around it; filler words are plain noise. Returns the path and words.
 */
export function writeMatchVectors(dir: string, options: { name?: string; dims?: number; seed?: number } = {}): { file: string; words: string[] } {
  const { words, topicOf } = matchVocabulary();
  const dims = options.dims ?? 20;
  const random = createRandom(options.seed ?? 31);
  const centroids = new Map<string, number[]>();
  const lines = [`${words.length} ${dims}`];
  for (const word of words) {
    const topic = topicOf.get(word);
    let centroid = topic ? centroids.get(topic) : undefined;
    if (topic && !centroid) {
      centroid = Array.from({ length: dims }, () => random.gaussian());
      centroids.set(topic, centroid);
    }
    const vector = Array.from({ length: dims }, (_, d) => (centroid ? centroid[d] : 0) + 0.7 * random.gaussian());
    lines.push(`${word} ${vector.map((v) => v.toFixed(5)).join(' ')}`);
  }
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, options.name ?? 'word2vec-small.txt');
  writeFileSync(file, `${lines.join('\n')}\n`);
  return { file, words };
}
