// Vector-file benchmark against gensim on the same generated files (issue 2's targets):
//   looking up 100 words in a 200,000 × 300 GloVe text file takes at most 1/6 of gensim's full text load;
//   a full word2vec binary load is no slower than gensim's load_word2vec_format(binary=True).
// Run: node --import tsx bench/vectors.ts [--rows 200000] [--dims 300] [--repeat 3]
// Files go to bench/.data/ (gitignored) and are reused when present.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRandom } from '../src/core/random';
import { loadVectors, lookupVectors, writeVectorFile } from '../src/core/vectors';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const rows = arg('rows', 200_000);
const dims = arg('dims', 300);
const repeat = arg('repeat', 3);
const PYTHON = '/usr/bin/python3';
const dataDir = path.join(import.meta.dirname, '.data');
const textFile = path.join(dataDir, `glove-${rows}x${dims}.txt`);
const binFile = path.join(dataDir, `w2v-${rows}x${dims}.bin`);

function makeWords(n: number): string[] {
  const r = createRandom(42);
  const seen = new Set<string>();
  const words: string[] = [];
  while (words.length < n) {
    let w = '';
    const len = 3 + r.int(9);
    for (let k = 0; k < len; k++) w += String.fromCharCode(97 + r.int(26));
    if (!seen.has(w)) {
      seen.add(w);
      words.push(w);
    }
  }
  return words;
}

async function ensureFiles(words: string[]): Promise<void> {
  fs.mkdirSync(dataDir, { recursive: true });
  if (fs.existsSync(textFile) && fs.existsSync(binFile)) return;
  const r = createRandom(7);
  const data = new Float32Array(rows * dims);
  for (let i = 0; i < data.length; i++) data[i] = r.gaussian() * 0.4;
  const m = { rows, cols: dims, data };
  console.error(`writing ${textFile} and ${binFile} ...`);
  await writeVectorFile(textFile, words, m, 'glove-text', { decimals: 7 });
  await writeVectorFile(binFile, words, m, 'word2vec-binary');
}

/** Reads a file once so both contenders start from the page cache. */
function warm(file: string): void {
  const fd = fs.openSync(file, 'r');
  const buf = Buffer.allocUnsafe(16 << 20);
  while (fs.readSync(fd, buf) > 0);
  fs.closeSync(fd);
}

interface Timing {
  wall: number;
  cpu: number;
}

/** Wall and CPU seconds of one run; the best of several runs is kept because the machine is shared. */
async function timed<T>(fn: () => Promise<T>): Promise<{ t: Timing; value: T }> {
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const value = await fn();
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const c = process.cpuUsage(c0);
  return { t: { wall, cpu: (c.user + c.system) / 1e6 }, value };
}

function bestOf(runs: Timing[]): Timing {
  return { wall: Math.min(...runs.map((r) => r.wall)), cpu: Math.min(...runs.map((r) => r.cpu)) };
}

function gensim(mode: 'text' | 'binary', file: string, query: string[], loads: number): { best: Timing; rows: Record<string, number[]> } {
  const script = `
import json, sys, time
from gensim.models import KeyedVectors
mode, path, loads = sys.argv[1], sys.argv[2], int(sys.argv[3])
query = json.loads(sys.stdin.read())
wall, cpu = float('inf'), float('inf')
for _ in range(loads):
    t0, c0 = time.perf_counter(), time.process_time()
    kv = KeyedVectors.load_word2vec_format(path, binary=(mode == 'binary'), no_header=(mode == 'text'))
    wall, cpu = min(wall, time.perf_counter() - t0), min(cpu, time.process_time() - c0)
rows = {w: [float(x) for x in kv[w]] for w in query if w in kv.key_to_index}
print(json.dumps({'best': {'wall': wall, 'cpu': cpu}, 'rows': rows}))
`;
  const r = spawnSync(PYTHON, ['-c', script, mode, file, String(loads)], { input: JSON.stringify(query), maxBuffer: 1 << 28, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`gensim failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

function maxDiff(ours: Float32Array, dims_: number, words: string[], reference: Record<string, number[]>): number {
  let worst = 0;
  words.forEach((w, i) => {
    const ref = reference[w];
    if (!ref) return;
    for (let k = 0; k < dims_; k++) worst = Math.max(worst, Math.abs(ours[i * dims_ + k] - ref[k]));
  });
  return worst;
}

async function main(): Promise<void> {
  const words = makeWords(rows);
  await ensureFiles(words);
  const r = createRandom(3);
  // 95 words spread over the whole vocabulary plus 5 absent ones, so the lookup must read to the end.
  const query = Array.from({ length: 95 }, () => words[r.int(rows)]).concat(['absent1', 'absent2', 'absent3', 'absent4', 'absent5']);
  const textMB = fs.statSync(textFile).size / 1e6;
  const binMB = fs.statSync(binFile).size / 1e6;

  // Rounds alternate MechLens and gensim so that load from other processes hits both alike.
  const lookupRuns: Timing[] = [];
  const binRuns: Timing[] = [];
  const gensimBinRuns: Timing[] = [];
  let lookup!: Awaited<ReturnType<typeof lookupVectors>>;
  let binWords = 0;
  let gensimBinRows: Record<string, number[]> = {};
  for (let round = 0; round < repeat; round++) {
    warm(textFile);
    const l = await timed(() => lookupVectors(textFile, query));
    lookupRuns.push(l.t);
    lookup = l.value;
    warm(binFile);
    const b = await timed(() => loadVectors(binFile));
    binRuns.push(b.t);
    binWords = b.value.words.length;
    const g = gensim('binary', binFile, query, 1);
    gensimBinRuns.push(g.best);
    gensimBinRows = g.rows;
  }
  warm(textFile);
  const textLoad = await timed(() => loadVectors(textFile));
  const gensimText = gensim('text', textFile, query, Math.min(repeat, 2));
  const binLookupRows = await lookupVectors(binFile, query);
  const [ourLookup, ourBin, theirBin] = [bestOf(lookupRuns), bestOf(binRuns), bestOf(gensimBinRuns)];
  const s2 = (t: Timing) => `${t.wall.toFixed(2)} s (CPU ${t.cpu.toFixed(2)} s)`;

  const lines = [
    `Vector files, ${rows.toLocaleString('en-US')} × ${dims}: GloVe text ${textMB.toFixed(0)} MB, word2vec binary ${binMB.toFixed(0)} MB. Best of ${repeat} alternating rounds (gensim text: best of ${Math.min(repeat, 2)}); ${os.cpus().length} CPUs, load average ${os.loadavg()[0].toFixed(1)} at the end; node ${process.version}; gensim via ${PYTHON}.`,
    ``,
    `| step | MechLens | gensim 4.2 | ratio, wall (CPU) | target |`,
    `|---|---|---|---|---|`,
    `| 100-word lookup in GloVe text (95 found, 5 absent: a full pass) vs gensim's full text load | ${s2(ourLookup)} | ${s2(gensimText.best)} | ${(ourLookup.wall / gensimText.best.wall).toFixed(3)} (${(ourLookup.cpu / gensimText.best.cpu).toFixed(3)}) | ≤ 0.167 |`,
    `| full GloVe text load | ${s2(textLoad.t)} | ${s2(gensimText.best)} | ${(textLoad.t.wall / gensimText.best.wall).toFixed(3)} (${(textLoad.t.cpu / gensimText.best.cpu).toFixed(3)}) | none |`,
    `| full word2vec binary load | ${s2(ourBin)} | ${s2(theirBin)} | ${(ourBin.wall / theirBin.wall).toFixed(3)} (${(ourBin.cpu / theirBin.cpu).toFixed(3)}) | ≤ 1 |`,
    ``,
    `Same numbers as gensim: max |difference| over the looked-up rows = ${maxDiff(lookup.vectors.data, dims, query, gensimText.rows)} (text), ${maxDiff(binLookupRows.vectors.data, dims, query, gensimBinRows)} (binary); missing reported: ${lookup.missing.join(', ')}; full loads: ${textLoad.value.words.length} and ${binWords} rows.`,
  ];
  console.log(lines.join('\n'));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
