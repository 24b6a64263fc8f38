// The logit-lens panel's "Copy as Python" script, run with /usr/bin/python3 against the job's result
// on random checkpoints (GPT-2, and Gemma-2: RMSNorm with (1 + w), rotary, the final softcap): it
// reproduces the panel's top-1 and target probabilities to 1e-4, the same top-1 ids and the target's
// ranks. transformers is not installed here, so test/fixtures/transformers_stub stands in for it with
// the fixtures' PyTorch forwards and Hugging Face's conventions (the last hidden state comes after the
// final norm). A script that skips the final norm must fail the comparison.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runLens } from '../../src/core/analyses/lens';
import { lensGridName } from '../../src/webview/lens-python';
import { pythonForCard } from '../../src/webview/python-cards';
import { HEADS_FIXTURE_MODELS, fixtureDir } from '../fixtures/heads/checkpoints';

const python = '/usr/bin/python3';
const hasTorch = spawnSync(python, ['-c', 'import numpy, torch'], { encoding: 'utf8' }).status === 0;
const stub = path.join(__dirname, '..', 'fixtures', 'transformers_stub');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mechlens-lens-py-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));
const models = HEADS_FIXTURE_MODELS.filter((m) => m.name === 'gpt2' || m.name === 'gemma2');
before(() => { for (const m of models) m.write(fixtureDir(tmp, m)); });
const texts = ['The cat sat on the mat because the cat was tired.', 'Alice met Bob, then Alice thanked Bob.'];

interface LensNumbers { maxTop1Difference: number; maxTop1RelativeDifference: number; top1IdsAgree: number; maxTargetDifference: number; maxTargetRelativeDifference: number; targetRank: number[][] }

function runScript(script: string, file: string): LensNumbers {
  fs.writeFileSync(file, script);
  const r = spawnSync(python, [file, '--no-plot'], { encoding: 'utf8', env: { ...process.env, PYTHONPATH: stub, MPLBACKEND: 'Agg' } });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as LensNumbers;
}

for (const model of models) {
  test(`${model.name}: each text's lens script recomputes the panel's probabilities, top-1 ids and target ranks to 1e-4`, { skip: !hasTorch && 'no /usr/bin/python3 with numpy and torch' }, async () => {
    const result = await runLens({ model: fixtureDir(tmp, model), texts, target: 'the', topK: 5, provider: 'cpu' });
    if (model.name === 'gemma2') assert.ok(result.finalSoftcap, 'the Gemma-2 fixture has a final softcap');
    for (let i = 0; i < texts.length; i++) {
      const script = pythonForCard(result, lensGridName(i))!;
      const numbers = runScript(script, path.join(tmp, `${model.name}-${i}.py`));
      assert.ok(numbers.maxTop1Difference < 1e-4, `text ${i}: top-1 probabilities differ by ${numbers.maxTop1Difference}`);
      assert.ok(numbers.maxTargetDifference < 1e-4, `text ${i}: target probabilities differ by ${numbers.maxTargetDifference}`);
      // A random model's probabilities are all near 1 / vocabulary: relative differences are the real test.
      assert.ok(numbers.maxTop1RelativeDifference < 1e-4, `text ${i}: top-1 probabilities differ by ${numbers.maxTop1RelativeDifference} relative`);
      assert.ok(numbers.maxTargetRelativeDifference < 1e-4, `text ${i}: target probabilities differ by ${numbers.maxTargetRelativeDifference} relative`);
      assert.equal(numbers.top1IdsAgree, 1);
      assert.deepEqual(numbers.targetRank, result.texts[i].layers.map((layer) => layer.positions.map((p) => p.target!.rank)));
    }
    // The same script without the final norm on the inner layers must be caught.
    const script = pythonForCard(result, lensGridName(0))!;
    const broken = script.replace('head(final_norm(out.hidden_states[l + 1][0]))', 'head(out.hidden_states[l + 1][0])');
    assert.notEqual(broken, script);
    const numbers = runScript(broken, path.join(tmp, `${model.name}-no-norm.py`));
    assert.ok(numbers.maxTop1RelativeDifference > 1e-2, `without the final norm, top-1: ${numbers.maxTop1RelativeDifference}`);
    assert.ok(numbers.maxTargetRelativeDifference > 1e-2, `without the final norm, target: ${numbers.maxTargetRelativeDifference}`);
    assert.notDeepEqual(numbers.targetRank, result.texts[0].layers.map((layer) => layer.positions.map((p) => p.target!.rank)));
  });
}
