// Job 1 with model sources: GPT-2 token embeddings vs Q activations of a random checkpoint,
// checked against the checkpoint's own rows and the independent reference forward pass.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCompare } from '../../src/core/analyses/compare';
import { openCheckpoint } from '../../src/core/models/checkpoint';
import { writeRandomGpt2Checkpoint } from '../../src/core/models/random-checkpoint';
import { referenceForward } from '../helpers/reference-forward';
import { loadTokenizer } from '../../src/core/models/tokenizer';

let dir = '';
let wordsPath = '';

before(() => {
  const tmp = mkdtempSync(join(tmpdir(), 'mechlens-model-'));
  dir = join(tmp, 'gpt2-tiny');
  writeRandomGpt2Checkpoint(dir, { nLayer: 2, nEmbd: 32, nHead: 4, seed: 5 });
  wordsPath = join(tmp, 'w.words');
  // "starfruit" and "watermelon" are several GPT-2 tokens: they must be reported, not silently used.
  writeFileSync(wordsPath, '[space]\nmoon\nstar\nplanet\n[fruit]\napple\npear\nstarfruit\n[furniture]\nchair\ntable\nwatermelon\n');
});

test('model:DIR#embed vs model:DIR#blocks.1.attn.hook_q reads the right rows and positions', async () => {
  const r = await runCompare({ wordsPath, a: `model:${dir}#embed`, b: `model:${dir}#blocks.1.attn.hook_q`, map: false, permutations: 0 });
  assert.deepEqual(r.items, ['moon', 'star', 'planet', 'apple', 'pear', 'chair', 'table']);
  assert.deepEqual(r.missing, ['starfruit', 'watermelon']);
  assert.ok(r.warnings.some((w) => w.includes('"starfruit" is not a single token')), r.warnings.join('\n'));
  assert.equal(r.a.source.kind, 'model-embed');
  assert.equal(r.b.source.provider, 'cpu');
  assert.equal(r.b.source.dims, 32);

  const ckpt = openCheckpoint(dir);
  const tokenizer = await loadTokenizer(dir);
  const wte = ckpt.readF32('wte.weight');
  r.items.forEach((word, i) => {
    const [id] = tokenizer.encode(` ${word}`);
    const row = wte.subarray(id * 32, id * 32 + 32);
    r.a.vectors[i].forEach((v, k) => assert.ok(Math.abs(v - row[k]) < 1e-7));
    const ids = tokenizer.encode(`The next word is ${word}`);
    const ref = referenceForward(ckpt.config, (n) => ckpt.readF32(n), ids)['blocks.1.attn.hook_q'];
    const last = ids.length - 1;
    const width = ref.data.length / ids.length;
    r.b.vectors[i].forEach((v, k) => assert.ok(Math.abs(v - ref.data[last * width + k]) < 1e-4, `${word} q[${k}]`));
  });
});
