// Direct logit attribution against PyTorch (test/fixtures/attribution/make_attribution_fixtures.py,
// which follows Hugging Face's modeling code through the families' and GPT-2's reference forwards):
// GPT-2 (LayerNorm, learned positions), Llama 3 (RMSNorm, GQA, BOS), Gemma-2 (post-norms, (1 + w),
// embedding scale, final softcap), Pythia (parallel residual), Qwen2, Qwen3 and Gemma-3: every
// family the graph builder supports. Every component, head, constant
// and logit to 1e-4; the identity Σ components + constant = logit difference; the heads plus the
// output bias rebuild the attention component; and the logits agree with the model's own output.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runAttribution, singleToken } from '../../src/core/analyses/attribution';
import { loadTokenizer } from '../../src/core/models/tokenizer';
import { MechLensError } from '../../src/core/errors';
import { writeFixtureCheckpoints, type FixtureInputs } from '../fixtures/attribution/checkpoints';

interface ExpectedCase {
  text: string; ids: number[]; target: string; contrast: string | null; logitDiff: number; constant: number; scale: number;
  components: { name: string; value: number }[]; heads: number[][];
  logits: { target: { id: number; preSoftcap: number; postSoftcap: number }; contrast?: { id: number; preSoftcap: number; postSoftcap: number } };
}
const expected = JSON.parse(fs.readFileSync(path.join(__dirname, '../fixtures/attribution/expected.json'), 'utf8')) as {
  models: { name: string; family: string; softcap: number | null; cases: ExpectedCase[] }[];
};

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mechlens-attribution-'));
let inputs: FixtureInputs;
before(async () => { inputs = await writeFixtureCheckpoints(tmp); });
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** 1e-4 relative, with a floor of 1e-6 for values near zero (float32 forward vs float64 reference). */
function close(got: number, want: number, what: string) {
  assert.ok(Math.abs(got - want) <= 1e-4 * Math.abs(want) + 1e-6, `${what}: ${got} vs torch ${want}`);
}

for (const model of expected.models) {
  test(`${model.name} (${model.family}): components, heads, constant and logits equal PyTorch's to 1e-4, and they sum to the logit difference`, async () => {
    const dir = inputs.models.find((m) => m.name === model.name)!.dir;
    for (const want of model.cases) {
      const result = await runAttribution({ model: dir, texts: [want.text], target: want.target, contrast: want.contrast ?? undefined, provider: 'cpu' });
      const got = result.texts[0];
      const label = `${model.name} "${want.text}"`;
      assert.deepEqual(got.tokenIds, want.ids, `${label}: token ids`);
      assert.equal(result.softcap, model.softcap);
      assert.deepEqual(got.components.map((c) => c.name), want.components.map((c) => c.name), `${label}: component names`);
      got.components.forEach((c, i) => close(c.value, want.components[i].value, `${label} ${c.name}`));
      assert.equal(got.heads.length, want.heads.length);
      got.heads.forEach((row, l) => row.forEach((v, h) => close(v, want.heads[l][h], `${label} head ${l}.${h}`)));
      close(got.constant, want.constant, `${label} constant`);
      close(got.scale, want.scale, `${label} scale`);
      close(got.logitDiff, want.logitDiff, `${label} logit difference`);
      close(got.logits.target.preSoftcap, want.logits.target.preSoftcap, `${label} target logit before the softcap`);
      close(got.logits.target.postSoftcap, want.logits.target.postSoftcap, `${label} target logit after the softcap`);
      if (want.logits.contrast) close(got.logits.contrast!.postSoftcap, want.logits.contrast.postSoftcap, `${label} contrast logit`);
      else assert.equal(got.logits.contrast, undefined);
      // The identity, to 1e-4 relative: Σ components + constant is the logit difference before the softcap.
      const sum = got.components.reduce((s, c) => s + c.value, 0) + got.constant;
      assert.ok(Math.abs(sum - got.logitDiff) <= 1e-4 * Math.abs(got.logitDiff), `${label}: Σ ${sum} vs logit difference ${got.logitDiff}`);
      close(got.sum, sum, `${label} reported sum`);
      // ... and against the model's own float32 logits (after its softcap).
      close(got.logits.target.postSoftcap, got.logits.target.model, `${label} target logit vs the model's`);
      if (got.logits.contrast) close(got.logits.contrast.postSoftcap, got.logits.contrast.model, `${label} contrast logit vs the model's`);
      // Heads plus the output bias's share are the attention component.
      got.heads.forEach((row, l) => {
        const attn = got.components.find((c) => c.name === `blocks.${l}.attn`)!.value;
        close(row.reduce((s, v) => s + v, 0) + got.attnBias[l], attn, `${label} Σ heads of layer ${l}`);
      });
    }
  });
}

test('several texts: one attribution per text, each equal to its own run', async () => {
  const dir = inputs.models.find((m) => m.name === 'gemma2')!.dir;
  const texts = expected.models.find((m) => m.name === 'gemma2')!.cases.map((c) => c.text);
  const both = await runAttribution({ model: dir, texts, target: 'Paris', contrast: 'London', provider: 'cpu' });
  assert.equal(both.texts.length, 2);
  for (const [i, text] of texts.entries()) {
    const alone = (await runAttribution({ model: dir, texts: [text], target: 'Paris', contrast: 'London', provider: 'cpu' })).texts[0];
    close(both.texts[i].logitDiff, alone.logitDiff, `text ${i}`);
    both.texts[i].components.forEach((c, k) => close(c.value, alone.components[k].value, `text ${i} ${c.name}`));
  }
  assert.equal(both.job, 'attribution');
  assert.deepEqual(both.target, { id: inputs.models[0].cases[0].targetId, token: '␣Paris' });
});

test('a target or contrast that is not one token with a leading space is an error naming its pieces', async () => {
  const tokenizer = await loadTokenizer(inputs.models[0].dir);
  assert.deepEqual(singleToken(tokenizer, 'Paris', 'target').token, '␣Paris');
  assert.throws(() => singleToken(tokenizer, 'grapefruitz', 'target'), (e: unknown) => e instanceof MechLensError && /target "grapefruitz" is not one token.*␣gra/.test(e.message));
  assert.throws(() => singleToken(tokenizer, '  ', 'contrast'), /contrast word is empty/);
  await assert.rejects(runAttribution({ model: inputs.models[0].dir, texts: ['a b'], target: 'Paris', contrast: 'Parisianism', provider: 'cpu' }), /contrast "Parisianism" is not one token/);
  await assert.rejects(runAttribution({ model: inputs.models[0].dir, texts: ['a b'], target: 'Paris', contrast: ' Paris', provider: 'cpu' }), /same token/);
});
