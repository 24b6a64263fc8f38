// Checkpoint reading and tokenizing, against references in the same run:
//   - open + read every tensor of a gpt2-shaped (12 layers, d=768) checkpoint to float32, for F32,
//     F16 and BF16 files: ours (src/core/models) vs numpy/torch (bench/checkpoint_reference.py),
//     both reading the same file from the page cache, checksums compared;
//   - tokenizing the notebook-style sentences: ours (transformers.js from tokenizer.json) vs js-tiktoken.
// Run: node --expose-gc --import tsx bench/checkpoint.ts [--repeats 5]
// Checkpoints go to bench/.data/checkpoint-bench-{F32,F16,BF16}/ (gitignored) and are reused.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { getEncoding } from 'js-tiktoken';
import { openCheckpoint } from '../src/core/models/checkpoint';
import { writeRandomGpt2Checkpoint } from '../src/core/models/random-checkpoint';
import { loadTokenizer } from '../src/core/models/tokenizer';

const repeatsArg = process.argv.indexOf('--repeats');
const repeats = repeatsArg >= 0 ? Number(process.argv[repeatsArg + 1]) : 3;
const dataDir = path.join(__dirname, '.data');

// Python frees the previous run's arrays at once (reference counting); V8 frees large buffers only
// on a GC, so without this each run also pays for the last one's 500 MB. Run with --expose-gc.
const collect = (globalThis as { gc?: () => void }).gc ?? (() => undefined);

function best(runs: number, f: () => void): number {
  let fastest = Infinity;
  for (let r = 0; r < runs; r++) {
    collect();
    const t = performance.now();
    f();
    fastest = Math.min(fastest, performance.now() - t);
  }
  return fastest / 1000;
}

function sumOf(a: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s;
}

async function main() {
  const rows: string[] = [];
  for (const dtype of ['F32', 'F16', 'BF16'] as const) {
    const dir = path.join(dataDir, `checkpoint-bench-${dtype}`);
    if (!fs.existsSync(path.join(dir, 'model.safetensors'))) {
      const t = performance.now();
      writeRandomGpt2Checkpoint(dir, { nLayer: 12, nEmbd: 768, nHead: 12, nPositions: 1024, dtype, seed: 1 });
      console.error(`wrote ${dir} in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    }
    const file = path.join(dir, 'model.safetensors');
    const bytes = fs.statSync(file).size;
    let arrays: Float32Array[] = [];
    let ours = Infinity;
    for (let r = 0; r < repeats; r++) {
      arrays = [];
      collect();
      const t = performance.now();
      const ckpt = openCheckpoint(dir);
      arrays = ckpt.tensorNames.map((name) => ckpt.readF32(name));
      ours = Math.min(ours, (performance.now() - t) / 1000);
    }
    // Checked outside the timed part, as the reference does.
    const values = arrays.reduce((n, a) => n + a.length, 0);
    const checksum = arrays.reduce((sum, a) => sum + sumOf(a), 0);
    arrays = [];
    const py = spawnSync('/usr/bin/python3', [path.join(__dirname, 'checkpoint_reference.py'), file, String(repeats)], { encoding: 'utf8' });
    if (py.status !== 0) throw new Error(py.stderr);
    const ref = JSON.parse(py.stdout) as { seconds: number; values: number; checksum: number };
    if (ref.values !== values || Math.abs(ref.checksum - checksum) > 1e-6 * Math.max(1, Math.abs(ref.checksum))) {
      throw new Error(`${dtype}: values differ from the reference (${values} vs ${ref.values}, checksum ${checksum} vs ${ref.checksum})`);
    }
    rows.push(`| read all tensors to float32, ${dtype} (${(bytes / 1e6).toFixed(0)} MB, ${(values / 1e6).toFixed(1)}M values) | ${ours.toFixed(3)} s (${(values * 4 / ours / 1e9).toFixed(2)} GB/s of float32) | ${ref.seconds.toFixed(3)} s (${dtype === 'BF16' ? 'torch' : 'numpy'}) | ${(ref.seconds / ours).toFixed(2)}× |`);
  }

  const tokenizer = await loadTokenizer(path.join(dataDir, 'checkpoint-bench-F32'));
  const tiktoken = getEncoding('gpt2');
  const subjects = ['I', 'She', 'He', 'They', 'We', 'The teacher', 'My neighbour', 'A stranger'];
  const verbs = ['saw', 'met', 'thanked', 'called', 'helped', 'visited', 'followed', 'greeted'];
  const places = ['at the market.', 'near the old bridge.', 'in the library yesterday.', 'after the long meeting.', 'outside the station.'];
  const sentences: string[] = [];
  for (const s of subjects) for (const v of verbs) for (const p of places) for (const o of ['him', 'her']) sentences.push(`${s} ${v} ${o} ${p}`);
  let tokens = 0;
  const oursTok = best(repeats, () => { tokens = 0; for (const s of sentences) tokens += tokenizer.encode(s).length; });
  let refTokens = 0;
  const refTok = best(repeats, () => { refTokens = 0; for (const s of sentences) refTokens += tiktoken.encode(s).length; });
  if (refTokens !== tokens) throw new Error(`token counts differ: ${tokens} vs ${refTokens}`);
  rows.push(`| tokenize ${sentences.length} sentences (${tokens} tokens) | ${oursTok.toFixed(3)} s (${Math.round(tokens / oursTok).toLocaleString('en-US')} tokens/s) | ${refTok.toFixed(3)} s (js-tiktoken) | ${(refTok / oursTok).toFixed(2)}× |`);

  console.log('| workload | MechLens | reference | speed ratio (ref time / ours) |');
  console.log('|---|---|---|---|');
  for (const r of rows) console.log(r);
}

main().catch((err) => { console.error(err); process.exit(1); });
