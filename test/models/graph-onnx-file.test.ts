// Any .onnx file opened directly: its tensors are listed and hooked by name (added as graph
// outputs); a file that is not ONNX fails with a clear message.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeRandomGpt2Checkpoint } from '../../src/core/models/random-checkpoint';
import { openCheckpoint } from '../../src/core/models/checkpoint';
import { buildGpt2Graph } from '../../src/core/models/graph-gpt2';
import { listHookPoints } from '../../src/core/models/hooks';
import { openOnnxModel, listOnnxTensors } from '../../src/core/models/onnx-graph';
import { referenceForward } from '../helpers/reference-forward';
import { captureActivations } from '../../src/core/models/capture';
import { loadModel, listModelHooks } from '../../src/core/models/capture-model';
import { MechLensError } from '../../src/core/errors';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mechlens-onnxfile-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));
const ckptDir = path.join(tmp, 'ckpt');
writeRandomGpt2Checkpoint(ckptDir, { nLayer: 2, nEmbd: 64, nHead: 4, seed: 9 });
const ckpt = openCheckpoint(ckptDir);

// An exported-style file: weights inline, only logits as output, tokenizer.json beside it.
const exportDir = path.join(tmp, 'export');
fs.mkdirSync(exportDir);
const hooks = listHookPoints(ckpt.config);
const built = buildGpt2Graph({
  config: ckpt.config,
  hooks: [...hooks.filter((h) => h.name === 'logits' || h.name === 'blocks.1.mlp.hook_pre' || h.name === 'blocks.0.attn.hook_pattern')],
  weight: (name) => ({ dims: ckpt.tensor(name).info.shape, source: { kind: 'inline', data: ckpt.readF32(name) } }),
  // Standard ONNX ops only, as an exporter such as torch.onnx writes them (GELU spelled out with Tanh).
  contribOps: false,
});
const onnxPath = path.join(exportDir, 'model.onnx');
fs.writeFileSync(onnxPath, built.bytes);
fs.copyFileSync(path.join(ckptDir, 'tokenizer.json'), path.join(exportDir, 'tokenizer.json'));
fs.copyFileSync(path.join(ckptDir, 'tokenizer_config.json'), path.join(exportDir, 'tokenizer_config.json'));

test('an .onnx file lists its inputs, initializers and node outputs by name', () => {
  const file = openOnnxModel(onnxPath);
  assert.deepEqual(file.inputs.map((t) => t.name), ['input_ids', 'position_ids', 'attention_allowed']);
  assert.deepEqual(file.outputs.map((t) => t.name).sort(), ['blocks.0.attn.hook_pattern', 'blocks.1.mlp.hook_pre', 'logits']);
  const names = new Set(file.tensors.map((t) => t.name));
  for (const w of ['wte.weight', 'h.1.mlp.c_fc.weight']) assert.ok(names.has(w), w);
  const pre = file.tensors.find((t) => t.name === 'blocks.1.mlp.hook_pre')!;
  assert.equal(pre.kind, 'node-output');
  assert.equal(pre.producer, 'Add');
  assert.deepEqual(pre.dims, ['batch', 'positions', 256]);
  assert.equal(listOnnxTensors(file.model).tensors.length, file.tensors.length);
});

test('any node output of an .onnx file can be captured by name, named outputs match the reference', async () => {
  const model = await loadModel(onnxPath);
  assert.equal(model.kind, 'onnx');
  const listing = listModelHooks(model);
  assert.ok(listing.some((h) => h.name === 'blocks.1.mlp.hook_pre'));
  assert.ok(!listing.some((h) => h.name === 'wte.weight'), 'weights are not hookable rows');
  const anonymous = listing.find((h) => h.description.startsWith('Tanh'))!.name; // inside block 0's GELU
  const texts = ['The next word is apple', 'grape'];
  const r = await captureActivations(onnxPath, texts, ['blocks.1.mlp.hook_pre', 'blocks.0.attn.hook_pattern', anonymous], 'last', { provider: 'cpu', threads: 1, batchSize: 8 });
  assert.equal(r.layersBuilt, -1);
  r.tokenIds.forEach((ids, i) => {
    const ref = referenceForward(ckpt.config, (n) => ckpt.readF32(n), ids);
    const L = ids.length;
    const pre = r.activations['blocks.1.mlp.hook_pre'];
    for (let j = 0; j < 256; j++) assert.ok(Math.abs(pre.data[i * 256 + j] - ref['blocks.1.mlp.hook_pre'].data[(L - 1) * 256 + j]) <= 1e-4);
    const maxLen = Math.max(...r.tokenIds.map((x) => x.length));
    const pattern = r.activations['blocks.0.attn.hook_pattern'];
    assert.deepEqual(pattern.shape, [4, maxLen]);
    for (let h = 0; h < 4; h++) for (let k = 0; k < L; k++) {
      assert.ok(Math.abs(pattern.data[i * 4 * maxLen + h * maxLen + k] - ref['blocks.0.attn.hook_pattern'].data[(h * L + L - 1) * L + k]) <= 1e-4);
    }
  });
  assert.equal(r.activations[anonymous].dims[1], 256);
  await assert.rejects(captureActivations(onnxPath, ['x'], ['blocks.1.mlp.hook_pree'], 'last', { provider: 'cpu' }),
    (e: unknown) => e instanceof MechLensError && /no tensor "blocks\.1\.mlp\.hook_pree".*closest: blocks\.1\.mlp\.hook_pre\b/.test(e.message));
});

test('a file that is not ONNX gives a clear error naming it', async () => {
  const notOnnx = path.join(tmp, 'notes.onnx');
  fs.writeFileSync(notOnnx, 'hello, this is a text file and not a model\n');
  assert.throws(() => openOnnxModel(notOnnx), (e: unknown) => e instanceof MechLensError && e.code === 'format' && e.message.startsWith(`${notOnnx}: is not an ONNX model`));
  const safetensors = path.join(ckptDir, 'model.safetensors');
  assert.throws(() => openOnnxModel(safetensors), /is not an ONNX model/);
  await assert.rejects(loadModel(notOnnx), /is not an ONNX model/);
  assert.throws(() => openOnnxModel(path.join(tmp, 'missing.onnx')), /cannot read the ONNX file/);
});
