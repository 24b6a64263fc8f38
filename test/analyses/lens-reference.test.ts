// The logit lens head (graph-lens.ts) against PyTorch (test/fixtures/lens/make_lens_fixtures.py):
// every block's residual stream from MechLens's decoder graph, through the lens head's final norm,
// unembedding, softcap and softmax, gives the reference's top ids and probabilities, the target's
// probability and rank, and the first top-1 layer, to 1e-4, for GPT-2 (two configurations) and
// every other family's fixture checkpoint (Pythia, Llama 3, Llama with biases, Qwen2, Qwen3,
// Gemma-2 with its final softcap, Gemma-3).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { firstTop1Layers, lensHead } from '../../src/core/analyses/lens';
import { openCheckpoint } from '../../src/core/models/checkpoint';
import { buildDecoderGraph } from '../../src/core/models/graph-decoder';
import { listHookPoints } from '../../src/core/models/hooks';
import { paddedFeeds } from '../../src/core/models/packing';
import { planWeights } from '../../src/core/models/graph-weights';
import { createInferenceSession, SessionCache } from '../../src/core/models/runtime';
import type { LensText } from '../../src/protocol/lens';

const FIXTURES = path.join(__dirname, '..', 'fixtures');
interface RefLayer { hook: string; top_ids: number[][]; top_logits: number[][]; top_probs: number[][]; target_prob: number[]; target_rank: number[] }
const reference = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'lens', 'reference.json'), 'utf8')) as {
  topK: number;
  models: { name: string; family: string; dir: string; target: number; runs: { ids: number[]; layers: RefLayer[]; first_top1: (number | null)[] }[] }[];
};
const TOL = 1e-4;

/** Every hook_resid_post of every run, [layer][run] -> [T, d], from the decoder graph (itself tested against torch). */
async function residuals(dir: string, runs: number[][]) {
  const ckpt = openCheckpoint(dir);
  const hooks = listHookPoints(ckpt.config).filter((h) => h.name.endsWith('.hook_resid_post'));
  const plan = planWeights(ckpt);
  const built = buildDecoderGraph({ config: ckpt.config, hooks, weight: plan.weight, lmHead: ckpt.lmHead });
  const session = await createInferenceSession({ bytes: built.bytes, label: dir, ...plan.finish() }, { provider: 'cpu', threads: 1 });
  const { feeds, width: T } = paddedFeeds(runs, 0);
  const out = await session.run(feeds);
  await session.dispose();
  const d = ckpt.config.nEmbd;
  return { ckpt, rows: hooks.map((h) => runs.map((ids, b) => out[h.name].data.slice(b * T * d, (b * T + ids.length) * d))) };
}

for (const model of reference.models) {
  test(`${model.name} (${model.family}): top ${reference.topK} ids and probabilities, target probability and rank, first top-1 layer equal torch's to 1e-4`, async () => {
    const dir = path.join(FIXTURES, model.dir);
    const { ckpt, rows } = await residuals(dir, model.runs.map((r) => r.ids));
    const sessions = new SessionCache();
    const head = await lensHead({ source: dir, revision: ckpt.revision, checkpoint: ckpt }, reference.topK, true, { provider: 'cpu', threads: 1, sessions });
    const d = ckpt.config.nEmbd;
    for (const [b, run] of model.runs.entries()) {
      const T = run.ids.length;
      // All layers of the run in one call, as the job batches them, with a small maxRows so that the
      // rows are split across calls too.
      const stacked = new Float32Array(rows.length * T * d);
      rows.forEach((layerRows, l) => stacked.set(layerRows[b], l * T * d));
      const read = await head.read(stacked, rows.length * T, 5, model.target);
      const text: LensText = { text: '', tokens: run.ids.map((id) => ({ id, token: '' })), layers: [] };
      run.layers.forEach((ref, l) => {
        const positions = [];
        for (let t = 0; t < T; t++) {
          const r = l * T + t;
          const where = `${ref.hook} position ${t}`;
          for (let i = 0; i < reference.topK; i++) {
            const got = read.topIds[r * read.k + i];
            const want = ref.top_ids[t][i];
            if (got !== want) {
              // A near-tie in float64 (random weights): the neighbour's id, with a logit within rounding.
              const j = ref.top_ids[t].indexOf(got);
              assert.ok(j >= 0 && Math.abs(j - i) === 1 && Math.abs(ref.top_logits[t][i] - ref.top_logits[t][j]) < TOL, `${where}: top ${i + 1} is ${got}, torch has ${want}`);
            }
            const gotProb = read.topProbs[r * read.k + i];
            assert.ok(Math.abs(gotProb - ref.top_probs[t][i]) <= TOL, `${where}: top ${i + 1} probability ${gotProb} vs torch ${ref.top_probs[t][i]}`);
          }
          assert.ok(Math.abs(read.targetProb![r] - ref.target_prob[t]) <= TOL, `${where}: target probability ${read.targetProb![r]} vs ${ref.target_prob[t]}`);
          assert.equal(read.targetRank![r], ref.target_rank[t], `${where}: target rank`);
          positions.push({ top: [], target: { id: model.target, prob: read.targetProb![r], rank: read.targetRank![r] } });
        }
        text.layers.push({ hook: ref.hook, positions });
      });
      assert.deepEqual(firstTop1Layers(text), run.first_top1, 'first layer where the target is top-1, per position');
    }
    await sessions.dispose();
  });
}

test('the fixtures exercise what the lens must get right', () => {
  const families = new Set(reference.models.map((m) => m.family));
  for (const f of ['gpt2', 'gpt_neox', 'llama', 'qwen2', 'qwen3', 'gemma2', 'gemma3']) assert.ok(families.has(f), `a ${f} fixture`);
  const firstTop1 = reference.models.flatMap((m) => m.runs.flatMap((r) => r.first_top1));
  assert.ok(firstTop1.some((l) => l !== null) && firstTop1.some((l) => l === null), 'targets that do and do not become top-1');
  const config = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'families', 'gemma2-softcap-window', 'config.json'), 'utf8')) as { final_logit_softcapping: number };
  assert.ok(config.final_logit_softcapping > 0, 'Gemma-2 fixture has a final softcap');
});
