// runLens end to end on random checkpoints with the real GPT-2 tokenizer (GPT-2, and a Llama 3-style
// model whose tokenizer adds <|begin_of_text|>): texts split over several forward chunks and head
// calls still give, at the last layer, the model's own next-token distribution (softmax of the
// decoder graph's logits, an independent path); targets are read with a leading space and a word of
// several tokens is refused with its pieces; partial results stream layer by layer. The head's
// numbers themselves are checked against PyTorch in lens-reference.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runLens } from '../../src/core/analyses/lens';
import { captureActivations } from '../../src/core/models/capture';
import { writeRandomCheckpoint, writeRandomGpt2Checkpoint } from '../../src/core/models/random-checkpoint';
import { SessionCache } from '../../src/core/models/runtime';
import type { LensResult } from '../../src/protocol/lens';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mechlens-lens-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));
const gpt2 = path.join(tmp, 'gpt2');
const llama = path.join(tmp, 'llama');
writeRandomGpt2Checkpoint(gpt2, { nLayer: 3, nEmbd: 32, nHead: 4, seed: 3 });
writeRandomCheckpoint(llama, { family: 'llama', nLayer: 2, nEmbd: 32, nHead: 4, nKvHead: 2, seed: 6 });
const texts = ['The Eiffel Tower is in the city of', 'Hello world', 'A b c d e f g h i j k l'];

function softmax(row: Float32Array): Float64Array {
  let max = -Infinity;
  for (const v of row) max = Math.max(max, v);
  const out = Float64Array.from(row, (v) => Math.exp(v - max));
  const sum = out.reduce((a, b) => a + b, 0);
  return out.map((v) => v / sum);
}

for (const [name, dir] of [['gpt2', gpt2], ['llama', llama]] as const) {
  test(`${name}: the last layer of the lens is the model's next-token distribution, across chunks and head calls`, async () => {
    const sessions = new SessionCache(4);
    const partials: LensResult[] = [];
    const r = await runLens({ model: dir, texts, target: 'the', topK: 4, provider: 'cpu', threads: 1, sessions, chunkTokens: 8 }, { onPartial: (p) => partials.push(structuredClone(p)) });
    const logits = await captureActivations(dir, texts, ['logits'], 'all', { provider: 'cpu', threads: 1, sessions });
    const vocab = logits.activations.logits.dims[1];
    let row = 0;
    assert.equal(r.texts.length, texts.length);
    r.texts.forEach((t, i) => {
      assert.equal(t.text, texts[i]);
      assert.deepEqual(t.tokens.map((x) => x.id), logits.tokenIds[i]);
      assert.equal(t.layers.length, r.nLayer);
      t.layers.forEach((layer, l) => assert.equal(layer.hook, `blocks.${l}.hook_resid_post`));
      for (let p = 0; p < t.tokens.length; p++, row++) {
        const probs = softmax(logits.activations.logits.data.subarray(row * vocab, (row + 1) * vocab));
        const at = t.layers[r.nLayer - 1].positions[p];
        const best = probs.indexOf(Math.max(...probs));
        assert.equal(at.top[0].id, best, `text ${i} token ${p}: top-1`);
        for (const c of at.top) assert.ok(Math.abs(c.prob - probs[c.id]) < 1e-5, `text ${i} token ${p}: p(${c.id}) ${c.prob} vs ${probs[c.id]}`);
        assert.ok(Math.abs(at.target!.prob - probs[r.target!.id]) < 1e-5);
        assert.equal(at.target!.rank, 1 + probs.filter((q) => q > probs[r.target!.id]).length);
      }
      assert.equal(t.firstTop1!.length, t.tokens.length);
    });
    assert.equal(r.target!.token, ' the');
    if (name === 'llama') assert.ok(r.bosAdded && r.texts.every((t) => t.tokens[0].token === '<|begin_of_text|>'));
    // chunkTokens 8 puts the texts in separate forwards: partial results came before the end.
    assert.ok(partials.length >= 1 && partials.some((p) => p.texts.length < texts.length || p.texts.some((t) => t.layers.length < r.nLayer)));
    await sessions.dispose();
  });
}

test('a target that is several tokens is refused with its pieces; an empty text list is refused', async () => {
  await assert.rejects(runLens({ model: gpt2, texts: ['Hello'], target: 'Eiffelicious', provider: 'cpu' }), /not one token with a leading space.*\|/);
  await assert.rejects(runLens({ model: gpt2, texts: ['  ', ''], provider: 'cpu' }), /no text to read/);
  await assert.rejects(runLens({ model: gpt2, texts: ['Hello'], topK: 0, provider: 'cpu' }), /top k must be/);
});
