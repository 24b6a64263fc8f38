// The result cache's hit path against the run it replaces, in the same process: runAttention on a
// random GPT-2 checkpoint with the real tokenizer (the reference), then the cache lookup the
// extension does before a run (key: hash of the word list, every option and the checkpoint's
// files; then read and parse the stored Result). The weights file is also grown to show that the
// key's cost does not follow the model's size (large files are fingerprinted by stat, not hashed).
// Run: npx tsx bench/result-cache.ts [layers] [dims]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runAttention, type AttentionInput } from '../src/core/analyses/attention';
import { writeRandomGpt2Checkpoint } from '../src/core/models/random-checkpoint';
import { ResultCache } from '../src/core/result-cache/store';
import { resultCacheKey, type CacheKeyParts } from '../src/core/result-cache/key';

const layers = Number(process.argv[2] ?? 6);
const dims = Number(process.argv[3] ?? 256);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function time<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const t0 = performance.now();
  const value = await fn();
  return [performance.now() - t0, value];
}

async function main(): Promise<void> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'mechlens-bench-cache-'));
  const model = path.join(root, 'model');
  writeRandomGpt2Checkpoint(model, { nLayer: layers, nEmbd: dims, nHead: 4, seed: 1 });
  const input: AttentionInput = { wordsPath: path.resolve('samples/next-word.words'), model, layer: Math.min(5, layers - 1), sweep: true, permutations: 1000 };
  const parts: CacheKeyParts = { job: 'attention', options: { ...input }, inputFiles: [input.wordsPath], models: [model] };
  const cache = new ResultCache(path.join(root, 'results'));

  const runs: number[] = [];
  let result;
  for (let i = 0; i < 3; i++) {
    const [ms, r] = await time(() => runAttention(input));
    runs.push(ms);
    result = r;
  }
  const key = (await resultCacheKey(parts))!;
  await cache.set(key, result);
  const bytes = fs.statSync(path.join(cache.dir, `${key}.json`)).size;
  const hits: number[] = [];
  for (let i = 0; i < 20; i++) {
    const [ms, hit] = await time(async () => cache.get(await resultCacheKey(parts) ?? ''));
    if (!hit) throw new Error('expected a hit');
    hits.push(ms);
  }
  const weights = path.join(model, 'model.safetensors');
  const weightMb = fs.statSync(weights).size / 2 ** 20;
  // A 2 GiB weights file (sparse: no disk used) stands in for gpt2-large: the key must not read it.
  fs.truncateSync(weights, 2 * 2 ** 30);
  const bigKeys: number[] = [];
  for (let i = 0; i < 20; i++) bigKeys.push((await time(() => resultCacheKey(parts)))[0]);

  console.log(`runAttention (${layers} layers, ${dims} dims, sweep, ${result?.items.length} words, 1000 permutations): median ${median(runs).toFixed(0)} ms of ${runs.length}`);
  console.log(`cache hit (key + read ${(bytes / 1024).toFixed(0)} KB entry), weights ${weightMb.toFixed(1)} MB: median ${median(hits).toFixed(1)} ms of ${hits.length} -> ${(median(runs) / median(hits)).toFixed(0)}x faster`);
  console.log(`key alone with a 2 GiB weights file: median ${median(bigKeys).toFixed(1)} ms of ${bigKeys.length}`);
  fs.rmSync(root, { recursive: true, force: true });
}

main().catch((err) => { console.error(err); process.exitCode = 1; });
