// The heads panel's "Copy as Python" script, run with /usr/bin/python3 against the job's result on
// the fixture checkpoints (GPT-2, and Llama with a BOS): it prints the same three scores as the panel
// to 1e-4. transformers is not installed here, so test/fixtures/transformers_stub stands in for
// AutoModelForCausalLM with the fixture's PyTorch forwards (checked against the job in
// test/analyses/heads.test.ts); what this checks is the script's own code. A copy whose
// previous-token detector looks at the query's own position must fail.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runHeads } from '../../src/core/analyses/heads';
import type { HeadsResult } from '../../src/protocol/result';
import { pythonForCard } from '../../src/webview/python-cards';
import { HEADS_FIXTURE_MODELS, HEADS_FIXTURE_TEXTS, fixtureDir } from '../fixtures/heads/checkpoints';
import { runScripts, skipWithoutTorch as skip } from '../helpers/stand-in-python';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mechlens-heads-py-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));
const models = HEADS_FIXTURE_MODELS.filter((m) => m.name === 'gpt2' || m.name === 'llama');
const cards = ['scores-previousToken', 'scores-induction'];
const detectors = ['previousToken', 'duplicateToken', 'induction'] as const;
type Printed = Record<(typeof detectors)[number], number[][]> & { maxDifferenceFromPanel: number };

// Every model's jobs, then all scripts in one interpreter: each card's script, and GPT-2's
// previous-token script with k == q in place of k == q - 1.
let results: HeadsResult[];
let printed: Printed[];
before(async () => {
  if (skip) return;
  results = [];
  for (const m of models) {
    m.write(fixtureDir(tmp, m));
    results.push(await runHeads({ model: fixtureDir(tmp, m), texts: HEADS_FIXTURE_TEXTS, provider: 'cpu' }));
  }
  const scripts = models.flatMap((m, i) => cards.map((card) => ({ file: path.join(tmp, `${m.name}-${card}.py`), script: pythonForCard(results[i], card)! })));
  const broken = scripts[0].script.replace('"previousToken": k == q - 1,', '"previousToken": k == q,');
  assert.notEqual(broken, scripts[0].script);
  printed = runScripts([...scripts, { file: path.join(tmp, 'gpt2-wrong-previous-token.py'), script: broken }]) as Printed[];
});

/** The largest difference between a script's three score maps and the panel's. */
function largestDifference(numbers: Printed, result: HeadsResult): number {
  return Math.max(...detectors.flatMap((d) => numbers[d].flatMap((row, l) => row.map((v, h) => Math.abs(v - result.scores[d][l][h])))));
}

models.forEach((model, i) => {
  test(`${model.name}: each score map's script recomputes the panel's three scores to 1e-4`, { skip }, () => {
    cards.forEach((card, c) => {
      const numbers = printed[i * cards.length + c];
      assert.ok(numbers.maxDifferenceFromPanel < 1e-4, `${card}: ${numbers.maxDifferenceFromPanel}`);
      for (const d of detectors) assert.deepEqual(numbers[d].map((row) => row.length), results[i].scores[d].map((row) => row.length), `${card}: ${d} layers × heads`);
      const difference = largestDifference(numbers, results[i]);
      console.log(`${model.name} ${card}: largest difference from the panel ${difference.toExponential(2)}`);
      assert.ok(difference < 1e-4, `${card}: the scores differ from the panel's by ${difference}`);
    });
  });
});

test('the GPT-2 script with an off-by-one previous-token detector fails the comparison', { skip }, () => {
  const numbers = printed.at(-1)!;
  assert.ok(numbers.maxDifferenceFromPanel > 1e-2, `its own check: ${numbers.maxDifferenceFromPanel}`);
  assert.ok(largestDifference(numbers, results[0]) > 1e-2);
});
