// The logit lens's unembedding against the forward pass, as rates (issue 16): for gpt2-medium's shape
// (24 layers, d 1024, vocabulary 50,257, random weights) and one 20-token text, the forward that
// hooks every block's hook_resid_post (captureActivations) and the lens head on all 24 × 20 rows
// (lensHead: final norm, [480, 1024] × [1024, 50257] GEMM in calls of up to headRowsPerCall rows,
// softmax, top k, target rank) are each
// timed best of --rounds warm runs, and turned into GFLOP/s: the forward's multiply-adds are
// 2 · 12 · d² per token per block (attention and MLP weights) plus 4 · T · d per token per block
// (scores and mixing); the lens's 2 · rows · d · V. Target: lens ≥ 70 % of the forward's rate.
// Prints the load average next to the numbers: the machine is shared.
//
// Run: node --import tsx bench/lens.ts [--rounds 3] [--threads N] [--checkpoint DIR]
// (--checkpoint keeps the 1.4 GB random checkpoint in DIR and reuses it on later runs)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { headRowsPerCall, lensHead } from '../src/core/analyses/lens';
import { captureActivations } from '../src/core/models/capture';
import { loadModel, type Gpt2Model } from '../src/core/models/capture-model';
import { writeRandomGpt2Checkpoint } from '../src/core/models/random-checkpoint';
import { SessionCache } from '../src/core/models/runtime';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const rounds = arg('rounds', 4);
const threads = arg('threads', os.availableParallelism?.() ?? os.cpus().length);

async function main(): Promise<void> {
  const kept = process.argv.indexOf('--checkpoint');
  const dir = kept >= 0 ? path.resolve(process.argv[kept + 1]) : fs.mkdtempSync(path.join(os.tmpdir(), 'mechlens-bench-lens-'));
  try {
    if (!fs.existsSync(path.join(dir, 'config.json'))) {
      const t0 = Date.now();
      writeRandomGpt2Checkpoint(dir, { nLayer: 24, nEmbd: 1024, nHead: 16, nPositions: 1024, seed: 1 });
      console.log(`random gpt2-medium checkpoint written in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    }
    const model = (await loadModel(dir)) as Gpt2Model;
    const c = model.checkpoint.config;
    const text = 'The Eiffel Tower is in the city of Paris, and the Colosseum is in the city of Rome, which is';
    const ids = model.tokenizer.encode(text).slice(0, 20);
    const input = model.tokenizer.decode(ids);
    const T = model.tokenizer.encode(input).length;
    const hooks = Array.from({ length: c.nLayer }, (_, l) => `blocks.${l}.hook_resid_post`);
    const sessions = new SessionCache(4);
    const options = { provider: 'cpu', threads, sessions };
    const head = await lensHead(model, 10, true, options);
    let forwardMs = Infinity;
    let lensMs = Infinity;
    let resid = new Float32Array(0);
    for (let r = 0; r <= rounds; r++) {
      const f0 = performance.now();
      const captured = await captureActivations(model, [input], hooks, 'all', options);
      const f1 = performance.now();
      resid = new Float32Array(c.nLayer * T * c.nEmbd);
      hooks.forEach((h, l) => resid.set(captured.activations[h].data, l * T * c.nEmbd));
      const l0 = performance.now();
      await head.read(resid, c.nLayer * T, headRowsPerCall(c.vocabSize), 464);
      const l1 = performance.now();
      if (r > 0) { forwardMs = Math.min(forwardMs, f1 - f0); lensMs = Math.min(lensMs, l1 - l0); } // round 0 warms up
    }
    const forwardFlop = c.nLayer * T * (2 * 12 * c.nEmbd * c.nEmbd + 4 * T * c.nEmbd);
    const lensFlop = 2 * c.nLayer * T * c.nEmbd * c.vocabSize;
    const forwardRate = forwardFlop / forwardMs / 1e6;
    const lensRate = lensFlop / lensMs / 1e6;
    console.log(`load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}, ${threads} threads, ${T} tokens × ${c.nLayer} layers`);
    console.log(`forward: ${(forwardFlop / 1e9).toFixed(2)} GFLOP in ${forwardMs.toFixed(0)} ms = ${forwardRate.toFixed(1)} GFLOP/s`);
    console.log(`lens head: ${(lensFlop / 1e9).toFixed(2)} GFLOP in ${lensMs.toFixed(0)} ms = ${lensRate.toFixed(1)} GFLOP/s (${(100 * lensRate / forwardRate).toFixed(0)} % of the forward's rate; target ≥ 70 %)`);
    await sessions.dispose();
  } finally {
    if (kept < 0) fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => { console.error(err); process.exitCode = 1; });
