// The Inspector's word pair across layers on a random checkpoint: the cosine of the two words' Q, K,
// V and residual-stream rows at every layer must equal the one from the independent reference forward pass.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pairAcrossLayers } from '../../src/core/analyses/pair-layers';
import { openCheckpoint } from '../../src/core/models/checkpoint';
import { writeRandomGpt2Checkpoint } from '../../src/core/models/random-checkpoint';
import { referenceForward } from '../helpers/reference-forward';
import { loadTokenizer } from '../../src/core/models/tokenizer';
import { cosineBetween } from '../../src/core/stats/similarity';

let dir = '';
before(() => {
  dir = join(mkdtempSync(join(tmpdir(), 'mechlens-pair-')), 'gpt2-tiny');
  writeRandomGpt2Checkpoint(dir, { nLayer: 3, nEmbd: 32, nHead: 4, seed: 11 });
});

test('pairAcrossLayers: Q, K, V and resid cosines of the two words at every layer, as the reference forward says', async () => {
  const r = await pairAcrossLayers({ model: dir, words: ['moon', 'star'], template: 'The next word is {word}' });
  assert.deepEqual(r.layers, [0, 1, 2]);
  assert.deepEqual(r.series.map((s) => s.name), ['Q', 'K', 'V', 'resid']);
  const ckpt = openCheckpoint(dir);
  const tok = await loadTokenizer(dir);
  const forward = ['moon', 'star'].map((w) => {
    const ids = tok.encode(`The next word is ${w}`);
    return { ids, out: referenceForward(ckpt.config, (n) => ckpt.readF32(n), ids) };
  });
  const at = (k: number, hook: string) => forward[k].out[hook].data.subarray((forward[k].ids.length - 1) * 32, forward[k].ids.length * 32);
  const hooks = { Q: 'attn.hook_q', K: 'attn.hook_k', V: 'attn.hook_v', resid: 'hook_resid_post' } as const;
  for (const s of r.series) {
    s.values.forEach((v, l) => {
      const hook = `blocks.${l}.${hooks[s.name as keyof typeof hooks]}`;
      const want = cosineBetween(at(0, hook), at(1, hook));
      assert.ok(v !== null && want !== null && Math.abs(v - want) < 1e-4, `${s.name} layer ${l}: ${v} vs ${want}`);
    });
  }
  // Different layers give different values: the series is not one number repeated.
  assert.ok(new Set(r.series[3].values.map((v) => v?.toFixed(6))).size > 1);
});

test('pairAcrossLayers: a template without {word} is refused with the fix', async () => {
  await assert.rejects(pairAcrossLayers({ model: dir, words: ['moon', 'star'], template: 'no marker' }), /must contain \{word\} exactly once/);
});
