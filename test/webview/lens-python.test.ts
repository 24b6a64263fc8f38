// The logit-lens panel's "Copy as Python" script, run with /usr/bin/python3 against the job's result
// on random checkpoints (GPT-2, and Gemma-2: RMSNorm with (1 + w), rotary, the final softcap): it
// reproduces the panel's top-1 and target probabilities to 1e-4, the same top-1 ids and the target's
// ranks. transformers is not installed here, so test/fixtures/transformers_stub stands in for it with
// the fixtures' PyTorch forwards and Hugging Face's conventions (the last hidden state comes after the
// final norm). A script that skips the final norm must fail the comparison.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runLens } from '../../src/core/analyses/lens';
import type { LensResult } from '../../src/protocol/lens';
import { lensGridName } from '../../src/webview/lens-python';
import { pythonForCard } from '../../src/webview/python-cards';
import { HEADS_FIXTURE_MODELS, fixtureDir } from '../fixtures/heads/checkpoints';
import { runScripts, skipWithoutTorch as skip } from '../helpers/stand-in-python';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mechlens-lens-py-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));
const models = HEADS_FIXTURE_MODELS.filter((m) => m.name === 'gpt2' || m.name === 'gemma2');
const texts = ['The cat sat on the mat because the cat was tired.', 'Alice met Bob, then Alice thanked Bob.'];

interface LensNumbers { maxTop1Difference: number; maxTop1RelativeDifference: number; top1IdsAgree: number; maxTargetDifference: number; maxTargetRelativeDifference: number; targetRank: number[][] }

// Every model's job, then all scripts in one interpreter: each text's script per model, and per
// model the first text's script without the final norm on the inner layers.
let results: LensResult[];
let printed: LensNumbers[];
before(async () => {
  if (skip) return;
  results = [];
  for (const m of models) {
    m.write(fixtureDir(tmp, m));
    results.push(await runLens({ model: fixtureDir(tmp, m), texts, target: 'the', topK: 5, provider: 'cpu' }));
  }
  const scripts = models.flatMap((m, i) => {
    const perText = texts.map((_, t) => ({ file: path.join(tmp, `${m.name}-${t}.py`), script: pythonForCard(results[i], lensGridName(t))! }));
    const broken = perText[0].script.replace('head(final_norm(out.hidden_states[l + 1][0]))', 'head(out.hidden_states[l + 1][0])');
    assert.notEqual(broken, perText[0].script);
    return [...perText, { file: path.join(tmp, `${m.name}-no-norm.py`), script: broken }];
  });
  printed = runScripts(scripts) as LensNumbers[];
});

const ranks = (result: LensResult, i: number) => result.texts[i].layers.map((layer) => layer.positions.map((p) => p.target!.rank));

models.forEach((model, m) => {
  test(`${model.name}: each text's lens script recomputes the panel's probabilities, top-1 ids and target ranks to 1e-4`, { skip }, () => {
    const result = results[m];
    if (model.name === 'gemma2') assert.ok(result.finalSoftcap, 'the Gemma-2 fixture has a final softcap');
    texts.forEach((_, i) => {
      const numbers = printed[m * (texts.length + 1) + i];
      console.log(`${model.name} text ${i}: top-1 ${numbers.maxTop1RelativeDifference.toExponential(2)}, target ${numbers.maxTargetRelativeDifference.toExponential(2)} largest relative difference`);
      assert.ok(numbers.maxTop1Difference < 1e-4, `text ${i}: top-1 probabilities differ by ${numbers.maxTop1Difference}`);
      assert.ok(numbers.maxTargetDifference < 1e-4, `text ${i}: target probabilities differ by ${numbers.maxTargetDifference}`);
      // A random model's probabilities are all near 1 / vocabulary: relative differences are the real test.
      assert.ok(numbers.maxTop1RelativeDifference < 1e-4, `text ${i}: top-1 probabilities differ by ${numbers.maxTop1RelativeDifference} relative`);
      assert.ok(numbers.maxTargetRelativeDifference < 1e-4, `text ${i}: target probabilities differ by ${numbers.maxTargetRelativeDifference} relative`);
      assert.equal(numbers.top1IdsAgree, 1);
      assert.deepEqual(numbers.targetRank, ranks(result, i));
    });
    // The same script without the final norm on the inner layers must be caught.
    const numbers = printed[m * (texts.length + 1) + texts.length];
    assert.ok(numbers.maxTop1RelativeDifference > 1e-2, `without the final norm, top-1: ${numbers.maxTop1RelativeDifference}`);
    assert.ok(numbers.maxTargetRelativeDifference > 1e-2, `without the final norm, target: ${numbers.maxTargetRelativeDifference}`);
    assert.notDeepEqual(numbers.targetRank, ranks(result, 0));
  });
});
