// The heads panel's "Copy as Python" script, run with /usr/bin/python3 against the job's result on
// the fixture checkpoints (GPT-2, and Llama with a BOS): it prints the same three scores as the panel
// to 1e-4. transformers is not installed here, so test/fixtures/transformers_stub stands in for
// AutoModelForCausalLM with the fixture's PyTorch forwards (checked against the job in
// test/analyses/heads.test.ts); what this checks is the script's own code.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runHeads } from '../../src/core/analyses/heads';
import { pythonForCard } from '../../src/webview/python-cards';
import { HEADS_FIXTURE_MODELS, HEADS_FIXTURE_TEXTS, fixtureDir } from '../fixtures/heads/checkpoints';

const python = '/usr/bin/python3';
const hasTorch = spawnSync(python, ['-c', 'import numpy, torch'], { encoding: 'utf8' }).status === 0;
const stub = path.join(__dirname, '..', 'fixtures', 'transformers_stub');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mechlens-heads-py-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));
const models = HEADS_FIXTURE_MODELS.filter((m) => m.name === 'gpt2' || m.name === 'llama');
before(() => { for (const m of models) m.write(fixtureDir(tmp, m)); });

for (const model of models) {
  test(`${model.name}: each score map's script recomputes the panel's three scores to 1e-4`, { skip: !hasTorch && 'no /usr/bin/python3 with numpy and torch' }, async () => {
    const result = await runHeads({ model: fixtureDir(tmp, model), texts: HEADS_FIXTURE_TEXTS, provider: 'cpu' });
    for (const card of ['scores-previousToken', 'scores-induction']) {
      const script = pythonForCard(result, card)!;
      const file = path.join(tmp, `${model.name}-${card}.py`);
      fs.writeFileSync(file, script);
      const r = spawnSync(python, [file, '--no-plot'], { encoding: 'utf8', env: { ...process.env, PYTHONPATH: stub, MPLBACKEND: 'Agg' } });
      assert.equal(r.status, 0, r.stderr);
      const numbers = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Record<string, number[][] | number>;
      assert.ok((numbers.maxDifferenceFromPanel as number) < 1e-4, `${card}: ${numbers.maxDifferenceFromPanel}`);
      for (const d of ['previousToken', 'duplicateToken', 'induction'] as const) {
        (numbers[d] as number[][]).forEach((row, l) => row.forEach((v, h) => assert.ok(Math.abs(v - result.scores[d][l][h]) < 1e-4, `${d}[${l}][${h}]: ${v} vs ${result.scores[d][l][h]}`)));
      }
    }
  });
}
