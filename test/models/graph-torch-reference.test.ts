// The reference forward itself, and the ONNX graph, against a PyTorch forward with Hugging Face
// semantics (test/fixtures/graph-reference/make_reference_fixture.py): tanh and erf GELU, the
// inverse-layer attention scale, a large LayerNorm eps and `transformer.`-prefixed names.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { openCheckpoint } from '../../src/core/models/checkpoint';
import { referenceForward } from '../helpers/reference-forward';
import { buildGpt2Graph } from '../../src/core/models/graph-gpt2';
import { paddedFeeds } from '../../src/core/models/packing';
import { planWeights } from '../../src/core/models/graph-weights';
import { listHookPoints } from '../../src/core/models/hooks';
import { createInferenceSession } from '../../src/core/models/runtime';
import { unpaddedRow } from '../helpers/padded-rows';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'graph-reference');
interface Stored { dims: number[]; data: (number | null)[] }
const fixture = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'reference.json'), 'utf8')) as {
  models: { name: string; dir: string; runs: { ids: number[]; hooks: Record<string, Stored> }[] }[];
};

function assertClose(name: string, got: ArrayLike<number>, want: Stored, tol: number) {
  assert.equal(got.length, want.data.length, `${name}: length`);
  for (let i = 0; i < got.length; i++) {
    const w = want.data[i];
    if (w === null) assert.equal(got[i], -Infinity, `${name}[${i}] masked`);
    else assert.ok(Math.abs(got[i] - w) <= tol, `${name}[${i}]: ${got[i]} vs torch ${w}`);
  }
}

for (const model of fixture.models) {
  test(`reference forward equals the torch HF forward on "${model.name}" to 1e-6`, () => {
    const ckpt = openCheckpoint(path.join(FIXTURES, model.dir));
    const hookNames = listHookPoints(ckpt.config).map((h) => h.name);
    for (const run of model.runs) {
      const ours = referenceForward(ckpt.config, (n) => ckpt.readF32(n), run.ids);
      assert.deepEqual(Object.keys(run.hooks).sort(), hookNames.sort(), 'torch script covers every hook');
      for (const name of hookNames) {
        assert.deepEqual(ours[name].dims, run.hooks[name].dims, `${name} dims`);
        assertClose(name, ours[name].data, run.hooks[name], 1e-6);
      }
    }
  });

  test(`ONNX graph equals the torch HF forward on "${model.name}" to 1e-4, batched with padding`, async () => {
    const ckpt = openCheckpoint(path.join(FIXTURES, model.dir));
    const hooks = listHookPoints(ckpt.config);
    const plan = planWeights(ckpt);
    const built = buildGpt2Graph({ config: ckpt.config, hooks, weight: plan.weight });
    const session = await createInferenceSession({ bytes: built.bytes, label: model.name, ...plan.finish() }, { provider: 'cpu', threads: 1 });
    const { feeds, width: T } = paddedFeeds(model.runs.map((r) => r.ids), 0);
    const out = await session.run(feeds);
    await session.dispose();
    model.runs.forEach((run, b) => {
      const L = run.ids.length;
      for (const hook of hooks) {
        const picked = unpaddedRow(out[hook.name], hook.positionAxis, b, L, T);
        assertClose(`${hook.name} (row ${b})`, picked, run.hooks[hook.name], 1e-4);
      }
    });
  });
}
