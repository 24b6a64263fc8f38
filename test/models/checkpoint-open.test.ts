import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MechLensError } from '../../src/core/errors';
import { gpt2TensorShapes, openCheckpoint, SOURCE_FILE } from '../../src/core/models/checkpoint';
import { parseGpt2Config } from '../../src/core/models/config';
import { randomValues, writeRandomGpt2Checkpoint, type RandomCheckpointOptions } from '../../src/core/models/random-checkpoint';
import { bf16ToF32, f16ToF32, f32ToBf16, f32ToF16, openSafetensors, readTensorF32, writeSafetensors, type TensorToWrite } from '../../src/core/models/safetensors';

// Small shapes keep these fast; the 50,257 vocabulary is exercised by the tokenizer tests.
const small: RandomCheckpointOptions = { nLayer: 2, nEmbd: 16, nHead: 2, nPositions: 32, vocabSize: 300, tokenizer: false };
const make = (options: RandomCheckpointOptions = {}) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mechlens-'));
  writeRandomGpt2Checkpoint(dir, { ...small, ...options });
  return dir;
};

function assertModelError(fn: () => unknown, pattern: RegExp, input: string) {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof MechLensError, `expected MechLensError, got ${String(err)}`);
    assert.match(err.message, pattern);
    assert.ok(err.message.includes(input), `names ${input}: ${err.message}`);
    assert.ok(err.fix, 'says what to do');
    return true;
  });
}

test('both tensor-name conventions load to the same canonical names and values', () => {
  const plain = openCheckpoint(make({ prefix: false }));
  const prefixed = openCheckpoint(make({ prefix: true }));
  const expectedNames = [...gpt2TensorShapes(plain.config).keys()].sort();
  assert.deepEqual([...plain.tensorNames].sort(), expectedNames);
  assert.deepEqual([...prefixed.tensorNames].sort(), expectedNames);
  assert.equal(prefixed.tensor('h.1.mlp.c_fc.weight').info.name, 'transformer.h.1.mlp.c_fc.weight');
  assert.equal(plain.tensor('transformer.h.1.mlp.c_fc.weight').info.name, 'h.1.mlp.c_fc.weight');
  for (const name of expectedNames) {
    const want = randomValues(name, gpt2TensorShapes(plain.config).get(name)!, 0);
    assert.deepEqual(plain.readF32(name), want, name);
    assert.deepEqual(prefixed.readF32(`transformer.${name}`), want, name);
  }
  assert.deepEqual(prefixed.tensor('wte.weight').info.shape, [300, 16]);
  assert.deepEqual(prefixed.tensor('h.0.attn.c_attn.weight').info.shape, [16, 48]);
  assert.equal(plain.lmHead, 'tied');
  assert.throws(() => plain.tensor('h.9.ln_1.weight'), /Checkpoint has no tensor "h.9.ln_1.weight"/);
});

test('LayerNorm gains are ~1 and weights ~N(0, 0.02), so every layer does something', () => {
  const ckpt = openCheckpoint(make());
  const mean = (a: Float32Array) => a.reduce((s, x) => s + x, 0) / a.length;
  const std = (a: Float32Array) => Math.sqrt(mean(a.map((x) => x * x)) - mean(a) ** 2);
  const gain = ckpt.readF32('h.0.ln_1.weight');
  assert.ok(Math.abs(mean(gain) - 1) < 0.08 && std(gain) > 0.03, `gain mean ${mean(gain)} std ${std(gain)}`);
  const w = ckpt.readF32('h.1.mlp.c_proj.weight');
  assert.ok(Math.abs(std(w) - 0.02) < 0.002 && Math.abs(mean(w)) < 0.002, `weight std ${std(w)}`);
  assert.notDeepEqual(ckpt.readF32('h.0.ln_1.weight'), ckpt.readF32('h.1.ln_1.weight'));
});

test('legacy h.N.attn.bias / attn.masked_bias buffers are skipped', () => {
  for (const prefix of [false, true]) {
    const ckpt = openCheckpoint(make({ legacyBias: true, prefix }));
    const p = prefix ? 'transformer.' : '';
    assert.deepEqual(ckpt.ignoredTensors.sort(), [`${p}h.0.attn.bias`, `${p}h.0.attn.masked_bias`, `${p}h.1.attn.bias`, `${p}h.1.attn.masked_bias`]);
    assert.ok(!ckpt.tensorNames.some((n) => /\.attn\.(bias|masked_bias)$/.test(n)));
    assert.ok(ckpt.tensorNames.includes('h.0.attn.c_attn.bias'));
    assert.deepEqual(ckpt.readF32('h.1.ln_2.bias'), randomValues('h.1.ln_2.bias', [16], 0));
  }
});

test('F16 and BF16 checkpoints read as the float32 weights rounded the way numpy/torch round them', () => {
  const f32 = openCheckpoint(make({ dtype: 'F32', seed: 3 }));
  for (const [dtype, roundTrip] of [
    ['F16', (x: Float32Array) => f16ToF32(f32ToF16(x))],
    ['BF16', (x: Float32Array) => bf16ToF32(f32ToBf16(x))],
  ] as const) {
    const half = openCheckpoint(make({ dtype, seed: 3, prefix: true }));
    assert.equal(half.tensor('wte.weight').info.dtype, dtype);
    for (const name of ['wte.weight', 'h.0.ln_1.weight', 'h.1.attn.c_attn.bias']) {
      const reference = f32.readF32(name);
      const got = half.readF32(name);
      assert.deepEqual(got, roundTrip(reference), `${dtype} ${name}`);
      const tolerance = dtype === 'F16' ? 2 ** -11 : 2 ** -8;
      for (let i = 0; i < got.length; i++) assert.ok(Math.abs(got[i] - reference[i]) <= tolerance * Math.abs(reference[i]) + 1e-7);
    }
  }
});

test('sharded checkpoints with model.safetensors.index.json load like a single file', () => {
  const single = openCheckpoint(make({ seed: 5 }));
  const dir = make({ seed: 5, shards: 3, prefix: true });
  const sharded = openCheckpoint(dir);
  assert.equal(sharded.files.length, 3);
  assert.deepEqual(sharded.files.map((f) => path.basename(f.path)), ['model-00001-of-00003.safetensors', 'model-00002-of-00003.safetensors', 'model-00003-of-00003.safetensors']);
  const index = JSON.parse(fs.readFileSync(path.join(dir, 'model.safetensors.index.json'), 'utf8'));
  assert.equal(Object.keys(index.weight_map).length, single.tensorNames.length);
  assert.equal(index.metadata.total_size, sharded.weightBytes);
  for (const name of single.tensorNames) assert.deepEqual(sharded.readF32(name), single.readF32(name), name);
  assert.ok(new Set(single.tensorNames.map((n) => path.basename(sharded.tensor(n).file.path))).size === 3);
});

test('lm_head.weight: absent or identical means tied to wte, different values mean separate', () => {
  assert.equal(openCheckpoint(make({ lmHead: 'copy' })).lmHead, 'tied');
  assert.ok(!openCheckpoint(make({ lmHead: 'copy' })).tensorNames.includes('lm_head.weight'));
  const separate = openCheckpoint(make({ lmHead: 'separate' }));
  assert.equal(separate.lmHead, 'separate');
  assert.ok(separate.tensorNames.includes('lm_head.weight'));
  assert.notDeepEqual(separate.readF32('lm_head.weight'), separate.readF32('wte.weight'));
});

test('revision: the hub commit when recorded, else a content hash that tells seeds apart', () => {
  const a = make({ seed: 1 });
  const b = make({ seed: 2 });
  const revA = openCheckpoint(a).revision;
  assert.match(revA, /^sha256:[0-9a-f]{64}$/);
  assert.equal(openCheckpoint(a).revision, revA);
  assert.notEqual(openCheckpoint(b).revision, revA);
  fs.writeFileSync(path.join(a, SOURCE_FILE), JSON.stringify({ id: 'gpt2', revision: 'main', commit: '607a30d783dfa663caf39e06633721c8d4cfcd7e' }));
  assert.equal(openCheckpoint(a).revision, '607a30d783dfa663caf39e06633721c8d4cfcd7e');
});

/** Rewrites a checkpoint's model.safetensors through `edit` of its (stored name -> tensor) map. */
function rewriteWeights(dir: string, edit: (tensors: Record<string, TensorToWrite>) => void) {
  const file = path.join(dir, 'model.safetensors');
  const st = openSafetensors(file);
  const tensors: Record<string, TensorToWrite> = {};
  for (const info of st.tensors.values()) tensors[info.name] = { dtype: 'F32', shape: info.shape, data: readTensorF32(st, info.name) };
  edit(tensors);
  writeSafetensors(file, tensors);
}

test('a missing tensor is named with the shape the config needs', () => {
  const dir = make({ prefix: true });
  rewriteWeights(dir, (t) => { delete t['transformer.h.1.mlp.c_proj.bias']; });
  assertModelError(() => openCheckpoint(dir), /Tensor "h\.1\.mlp\.c_proj\.bias" is missing, but config\.json \(n_layer 2, n_embd 16.*\) needs it with shape \[16\]/, dir);
});

test('a config that does not match the tensor shapes names the tensor, expected and found shapes', () => {
  const dir = make();
  const configPath = path.join(dir, 'config.json');
  const config = JSON.parse(fs.readFileSync(configPath, 'utf8'));
  fs.writeFileSync(configPath, JSON.stringify({ ...config, n_embd: 32, n_head: 4 }));
  assertModelError(() => openCheckpoint(dir), /Tensor "wte\.weight" has shape \[300, 16\], but config\.json .* implies \[300, 32\]/, 'model.safetensors');
  fs.writeFileSync(configPath, JSON.stringify({ ...config, n_layer: 3 }));
  assertModelError(() => openCheckpoint(dir), /Tensor "h\.2\.ln_1\.weight" is missing/, dir);
  fs.writeFileSync(configPath, JSON.stringify({ ...config, n_inner: 32 }));
  assertModelError(() => openCheckpoint(dir), /Tensor "h\.0\.mlp\.c_fc\.weight" has shape \[16, 64\], but .* implies \[16, 32\]/, 'model.safetensors');
});

test('integer weights, duplicated names and unreadable config.json are refused clearly', () => {
  const intDir = make();
  rewriteWeights(intDir, (t) => { t['h.0.ln_1.bias'] = { dtype: 'F16', shape: [16], data: new Uint16Array(16) }; });
  const file = path.join(intDir, 'model.safetensors');
  const bytes = fs.readFileSync(file);
  const headerLength = Number(bytes.readBigUInt64LE(0));
  const header = bytes.subarray(8, 8 + headerLength).toString().replace('{"dtype":"F16","shape":[16]', '{"dtype":"I16","shape":[16]');
  fs.writeFileSync(file, Buffer.concat([bytes.subarray(0, 8), Buffer.from(header), bytes.subarray(8 + headerLength)]));
  assertModelError(() => openCheckpoint(intDir), /Tensor "h\.0\.ln_1\.bias" has dtype I16; weights must be F32, F16, BF16/, 'model.safetensors');

  const dupDir = make();
  rewriteWeights(dupDir, (t) => { t['transformer.wpe.weight'] = { ...t['wpe.weight'] }; });
  assertModelError(() => openCheckpoint(dupDir), /Tensor "wpe\.weight" is stored twice/, dupDir);

  const badJson = make();
  fs.writeFileSync(path.join(badJson, 'config.json'), '{"model_type": "gpt2",');
  assertModelError(() => openCheckpoint(badJson), /config\.json does not parse/, 'config.json');

  const noWeights = make();
  fs.rmSync(path.join(noWeights, 'model.safetensors'));
  fs.writeFileSync(path.join(noWeights, 'pytorch_model.bin'), 'x');
  assertModelError(() => openCheckpoint(noWeights), /only pytorch_model\.bin, which MechLens does not read/, noWeights);
  assert.throws(() => openCheckpoint(path.join(noWeights, 'nothing-here')), /config\.json: Cannot read config\.json \(ENOENT\)/);
});

test('a broken shard index is refused naming the index file', () => {
  const dir = make({ shards: 2 });
  const indexPath = path.join(dir, 'model.safetensors.index.json');
  const index = JSON.parse(fs.readFileSync(indexPath, 'utf8'));
  index.weight_map['wte.weight'] = 'model-00002-of-00002.safetensors';
  if (Object.values(index.weight_map).every((f) => f === 'model-00002-of-00002.safetensors')) throw new Error('fixture needs two shards');
  fs.writeFileSync(indexPath, JSON.stringify(index));
  const st = openSafetensors(path.join(dir, 'model-00002-of-00002.safetensors'));
  assert.ok(!st.tensors.has('wte.weight'), 'wte is in the first shard');
  assertModelError(() => openCheckpoint(dir), /puts tensor "wte\.weight" in model-00002-of-00002\.safetensors, which does not contain it/, indexPath);
  index.weight_map['wte.weight'] = 'sub/elsewhere.safetensors';
  fs.writeFileSync(indexPath, JSON.stringify(index));
  assertModelError(() => openCheckpoint(dir), /names shard "sub\/elsewhere\.safetensors" outside the folder/, indexPath);
});

test('config.json: the GPT-2 family is read; other architectures are refused naming what was found and what is supported', () => {
  const distilgpt2 = {
    _num_labels: 1, activation_function: 'gelu_new', architectures: ['GPT2LMHeadModel'], attn_pdrop: 0.1, bos_token_id: 50256,
    embd_pdrop: 0.1, eos_token_id: 50256, initializer_range: 0.02, layer_norm_epsilon: 1e-5, model_type: 'gpt2', n_ctx: 1024,
    n_embd: 768, n_head: 12, n_layer: 6, n_positions: 1024, resid_pdrop: 0.1, vocab_size: 50257,
  };
  const c = parseGpt2Config(distilgpt2, 'distilgpt2/config.json');
  assert.deepEqual(
    [c.nLayer, c.nHead, c.nEmbd, c.dHead, c.nInner, c.nPositions, c.vocabSize, c.layerNormEpsilon, c.activation, c.eosTokenId],
    [6, 12, 768, 64, 3072, 1024, 50257, 1e-5, 'gelu_new', 50256],
  );
  const xl = parseGpt2Config({ model_type: 'gpt2', n_layer: 48, n_head: 25, n_embd: 1600, n_ctx: 1024, vocab_size: 50257 }, 'xl');
  assert.equal(xl.nPositions, 1024);
  assert.equal(xl.nInner, 6400);
  assert.equal(parseGpt2Config({ architectures: ['GPT2ForSequenceClassification'], n_layer: 1, n_head: 1, n_embd: 4 }, 'x').architecture, 'GPT2ForSequenceClassification');
  assert.throws(() => parseGpt2Config({ model_type: 'mamba', architectures: ['MambaForCausalLM'], n_layer: 2 }, '/m/config.json'), (err: unknown) => {
    assert.ok(err instanceof MechLensError);
    assert.equal(err.code, 'unsupported');
    assert.match(err.message, /^\/m\/config\.json: Unsupported architecture: found model_type "mamba" and architectures MambaForCausalLM; MechLens supports model_type gpt2 \(GPT2LMHeadModel.*\), gpt_neox \(GPTNeoXForCausalLM.*llama \(LlamaForCausalLM.*qwen2 .*qwen3 .*gemma2 \(Gemma2ForCausalLM/);
    return true;
  });
  assert.throws(() => parseGpt2Config({ architectures: ['BertModel'] }, 'c'), /found no model_type and architectures BertModel/);
  assert.throws(() => parseGpt2Config({ model_type: 'gpt2', n_layer: 2, n_head: 3, n_embd: 16 }, 'c'), /n_embd 16 is not divisible by n_head 3/);
  assert.throws(() => parseGpt2Config({ model_type: 'gpt2', n_layer: 0, n_head: 2, n_embd: 16 }, 'c'), /config "n_layer" is 0, expected a positive integer/);
  assert.throws(() => parseGpt2Config({ model_type: 'gpt2', n_layer: 1, n_head: 2, n_embd: 16, activation_function: 'swiglu' }, 'c'), /activation_function "swiglu" is not supported/);
  assert.throws(() => parseGpt2Config([], 'c'), /config\.json is not a JSON object/);
});

test('openCheckpoint does not modify the folder', () => {
  const dir = make({ legacyBias: true, lmHead: 'copy' });
  const before = fs.readdirSync(dir).map((f) => [f, fs.statSync(path.join(dir, f)).mtimeMs, fs.statSync(path.join(dir, f)).size]);
  openCheckpoint(dir).readF32('wte.weight');
  assert.deepEqual(fs.readdirSync(dir).map((f) => [f, fs.statSync(path.join(dir, f)).mtimeMs, fs.statSync(path.join(dir, f)).size]), before);
});

test('property: any JSON as config.json gives a consistent GPT-2 config or a MechLensError', () => {
  const field = fc.oneof(fc.integer({ min: -2, max: 64 }), fc.double(), fc.string({ maxLength: 6 }), fc.constant(null), fc.boolean());
  const config = fc.record({
    model_type: fc.oneof(fc.constant('gpt2'), fc.string({ maxLength: 6 })),
    architectures: fc.oneof(fc.constant(['GPT2LMHeadModel']), fc.array(fc.string({ maxLength: 8 }), { maxLength: 2 })),
    n_layer: field, n_head: field, n_embd: field, n_positions: field, n_inner: field, vocab_size: field,
    layer_norm_epsilon: field, activation_function: fc.oneof(fc.constant('gelu_new'), fc.string({ maxLength: 6 })),
  }, { requiredKeys: [] });
  fc.assert(fc.property(fc.oneof(config, fc.jsonValue()), (json) => {
    try {
      const c = parseGpt2Config(json, 'config.json');
      for (const v of [c.nLayer, c.nHead, c.nEmbd, c.nPositions, c.nInner, c.vocabSize]) assert.ok(Number.isSafeInteger(v) && v > 0);
      assert.equal(c.dHead * c.nHead, c.nEmbd);
      assert.ok(c.layerNormEpsilon > 0);
    } catch (err) {
      if (!(err instanceof MechLensError)) throw err;
      assert.ok(err.message.startsWith('config.json: '), err.message);
    }
  }), { numRuns: 400 });
});

test('a config.json with fewer layers than the weights is opened with a warning naming both counts', async () => {
  const dir = make({ nLayer: 3, vocabSize: 50257, tokenizer: true });
  assert.deepEqual(openCheckpoint(dir).warnings, []);
  const configPath = path.join(dir, 'config.json');
  const config = JSON.parse(fs.readFileSync(configPath, 'utf8'));
  fs.writeFileSync(configPath, JSON.stringify({ ...config, n_layer: 2 }));
  const opened = openCheckpoint(dir);
  assert.equal(opened.config.nLayer, 2);
  assert.deepEqual(opened.warnings, [`${configPath}: the config gives 2 layers, but the weights hold 3 (layers 0 to 2); only the first 2 are used. Use the config.json the weights were saved with.`]);
  // The jobs pass it on once: captureActivations returns it with its own warnings.
  const { captureActivations } = await import('../../src/core/models/capture');
  const captured = await captureActivations(dir, ['hello there'], ['blocks.1.hook_resid_post'], 'last', { provider: 'cpu' });
  assert.equal(captured.warnings.filter((w) => w.includes('the config gives 2 layers')).length, 1);
});
