// Random checkpoints of every family in the hub layout (tensor names as save_pretrained writes
// them), their config.json read back as Hugging Face reads it, and the BOS rule of their tokenizers
// against transformers.js's own add_special_tokens encoding.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AutoTokenizer, env } from '@huggingface/transformers';
import { openCheckpoint } from '../../src/core/models/checkpoint';
import { parseModelConfig } from '../../src/core/models/config';
import { writeRandomCheckpoint, type RandomFamilyCheckpointOptions } from '../../src/core/models/random-checkpoint';
import { ropeInverseFrequencies } from '../../src/core/models/rope';
import { loadTokenizer } from '../../src/core/models/tokenizer';
import { resolvePositions } from '../../src/core/models/positions';
import { MechLensError } from '../../src/core/errors';
import { MODEL_CATALOG } from '../../src/core/models/hub';
import { tensorShapes } from '../../src/core/models/family-weights';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mechlens-families-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));

const LAYOUTS: { family: RandomFamilyCheckpointOptions['family']; stored: string[]; absent: string[] }[] = [
  { family: 'gpt_neox', stored: ['gpt_neox.embed_in.weight', 'gpt_neox.layers.0.attention.query_key_value.weight', 'gpt_neox.layers.1.mlp.dense_4h_to_h.bias', 'gpt_neox.final_layer_norm.bias', 'embed_out.weight'], absent: ['lm_head.weight'] },
  { family: 'llama', stored: ['model.embed_tokens.weight', 'model.layers.0.self_attn.k_proj.weight', 'model.layers.1.mlp.gate_proj.weight', 'model.norm.weight'], absent: ['lm_head.weight', 'model.layers.0.self_attn.q_proj.bias'] },
  { family: 'qwen2', stored: ['model.layers.0.self_attn.q_proj.bias', 'model.layers.0.self_attn.v_proj.bias'], absent: ['model.layers.0.self_attn.o_proj.bias'] },
  { family: 'qwen3', stored: ['model.layers.0.self_attn.q_norm.weight', 'model.layers.1.self_attn.k_norm.weight'], absent: ['model.layers.0.self_attn.q_proj.bias'] },
  { family: 'gemma2', stored: ['model.layers.0.pre_feedforward_layernorm.weight', 'model.layers.1.post_feedforward_layernorm.weight'], absent: ['lm_head.weight'] },
  { family: 'gemma3', stored: ['model.layers.0.self_attn.q_norm.weight', 'model.layers.1.post_feedforward_layernorm.weight'], absent: ['lm_head.weight'] },
];

for (const layout of LAYOUTS) {
  test(`a random ${layout.family} checkpoint has the hub's tensor names and opens with its config`, () => {
    const dir = path.join(tmp, layout.family);
    const written = writeRandomCheckpoint(dir, { family: layout.family, nLayer: 2, nEmbd: 32, nHead: 4, nKvHead: 2, vocabSize: 50304, tokenizer: false });
    for (const name of layout.stored) assert.ok(written.storedNames.includes(name), `${name} stored`);
    for (const name of layout.absent) assert.ok(!written.storedNames.includes(name), `${name} not stored`);
    const ckpt = openCheckpoint(dir);
    assert.equal(ckpt.config.modelType, layout.family);
    assert.equal(ckpt.lmHead, layout.family === 'gpt_neox' ? 'separate' : 'tied');
    assert.equal(ckpt.config.nKvHead, layout.family === 'gpt_neox' ? 4 : 2);
  });
}

test('config.json: rope_scaling and rope_parameters, head_dim, sliding-window layers and Gemma scalars read as HF reads them', () => {
  const llama3 = parseModelConfig({
    model_type: 'llama', hidden_size: 2048, num_attention_heads: 32, num_key_value_heads: 8, num_hidden_layers: 16, intermediate_size: 8192, vocab_size: 128256,
    rope_theta: 500000, rope_scaling: { rope_type: 'llama3', factor: 32, low_freq_factor: 1, high_freq_factor: 4, original_max_position_embeddings: 8192 },
  }, 'llama-3.2-1b');
  assert.equal(llama3.dHead, 64);
  assert.equal(llama3.rope[0].invFreq.length, 32);
  // Llama 3.2's highest frequencies are kept, its lowest divided by the factor (HF _compute_llama3_parameters).
  const plain = ropeInverseFrequencies(64, 500000, null).invFreq;
  assert.equal(llama3.rope[0].invFreq[0], plain[0]);
  assert.equal(llama3.rope[0].invFreq[31], Math.fround(plain[31] / 32));
  const v5 = parseModelConfig({ model_type: 'llama', hidden_size: 64, num_attention_heads: 4, num_hidden_layers: 1, intermediate_size: 64, vocab_size: 10, rope_parameters: { rope_type: 'linear', factor: 4, rope_theta: 100 } }, 'v5');
  assert.deepEqual(v5.rope[0].invFreq, ropeInverseFrequencies(16, 100, null).invFreq.map((f) => Math.fround(f / 4)));
  const qwen2 = parseModelConfig({ model_type: 'qwen2', hidden_size: 64, num_attention_heads: 4, num_hidden_layers: 4, intermediate_size: 64, vocab_size: 10, use_sliding_window: true, sliding_window: 8, max_window_layers: 2 }, 'q');
  assert.deepEqual(qwen2.slidingWindow, [null, null, 8, 8]);
  assert.deepEqual([qwen2.qkvBias, qwen2.attnOutBias], [true, false]);
  const gemma = parseModelConfig({ model_type: 'gemma2', hidden_size: 2304, num_attention_heads: 8, num_key_value_heads: 4, head_dim: 256, num_hidden_layers: 3, intermediate_size: 9216, vocab_size: 256000, query_pre_attn_scalar: 256, attn_logit_softcapping: 50, final_logit_softcapping: 30, sliding_window: 4096, hidden_activation: 'gelu_pytorch_tanh' }, 'g');
  assert.deepEqual(gemma.slidingWindow, [4096, null, 4096]);
  assert.equal(gemma.attnScale, 1 / 16);
  assert.equal(gemma.embedScale, Math.sqrt(2304));
  assert.equal(gemma.tieWordEmbeddings, true);
  assert.deepEqual([gemma.attnSoftcap, gemma.finalSoftcap, gemma.norm, gemma.activation], [50, 30, 'rmsnorm_plus_one', 'gelu_pytorch_tanh']);
  const pythia = parseModelConfig({ model_type: 'gpt_neox', hidden_size: 768, num_attention_heads: 12, num_hidden_layers: 12, intermediate_size: 3072, vocab_size: 50304, rotary_pct: 0.25, use_parallel_residual: true }, 'p');
  assert.equal(pythia.rope[0].rotaryDim, 16);
  assert.equal(pythia.parallelResidual, true);
  assert.throws(() => parseModelConfig({ model_type: 'llama', hidden_size: 64, num_attention_heads: 4, num_hidden_layers: 1, intermediate_size: 64, vocab_size: 10, rope_scaling: { rope_type: 'yarn', factor: 4 } }, 'y'),
    (e: unknown) => e instanceof MechLensError && /rope scaling type "yarn" is not supported/.test(e.message));
});

test('BOS is added exactly when the tokenizer\'s post-processor adds it, as transformers.js encodes with special tokens', async () => {
  env.allowRemoteModels = false;
  const withBos = path.join(tmp, 'bos');
  const without = path.join(tmp, 'nobos');
  writeRandomCheckpoint(withBos, { family: 'llama', nLayer: 1, nEmbd: 16, nHead: 2 });
  writeRandomCheckpoint(without, { family: 'qwen2', nLayer: 1, nEmbd: 16, nHead: 2 });
  for (const [dir, bos] of [[withBos, 50257], [without, undefined]] as const) {
    const ours = await loadTokenizer(dir);
    assert.equal(ours.bosTokenId, bos);
    const theirs = await AutoTokenizer.from_pretrained(path.resolve(dir), { local_files_only: true });
    for (const text of ['I saw him at the market.', ' leading space', 'x']) {
      const expected = theirs.encode(text); // add_special_tokens defaults to true
      const resolved = resolvePositions(ours, [text]).inputs[0];
      assert.deepEqual(resolved.ids, expected, text);
      assert.equal(resolved.position, expected.length - 1, 'the last token is read, BOS counted');
    }
    const marked = resolvePositions(ours, [{ text: 'I saw him there', target: 'him', targetStart: 6 }]).inputs[0];
    assert.equal(ours.displayToken(marked.ids[marked.position]), '␣him');
  }
});

test('the catalog lists Pythia (and deduped), SmolLM2, Qwen2.5, Qwen3, Llama 3.2, Gemma 2 and 3 with parameters that follow from their shapes, license and gating', () => {
  const names = MODEL_CATALOG.filter((m) => m.family).map((m) => m.name);
  assert.deepEqual(names, [
    'pythia-14m', 'pythia-14m-deduped', 'pythia-70m', 'pythia-70m-deduped', 'pythia-160m', 'pythia-160m-deduped', 'pythia-410m', 'pythia-410m-deduped',
    'SmolLM2-135M', 'SmolLM2-360M', 'Qwen2.5-0.5B', 'Qwen3-0.6B', 'Llama-3.2-1B', 'gemma-2-2b', 'gemma-3-270m',
  ]);
  assert.deepEqual(MODEL_CATALOG.filter((m) => m.gated).map((m) => m.name), ['Llama-3.2-1B', 'gemma-2-2b', 'gemma-3-270m']);
  for (const m of MODEL_CATALOG) assert.ok(m.license, `${m.name} has a license`);
  for (const m of MODEL_CATALOG) {
    const f = m.family;
    if (!f) continue;
    const config = parseModelConfig({
      model_type: f.modelType === 'gemma3' ? 'gemma3_text' : f.modelType, hidden_size: m.dModel, num_attention_heads: m.heads, num_key_value_heads: f.nKvHead, head_dim: f.dHead, num_hidden_layers: m.layers,
      intermediate_size: f.nInner, vocab_size: f.vocabSize, tie_word_embeddings: f.modelType !== 'gpt_neox',
    }, m.name);
    let params = config.tieWordEmbeddings ? 0 : config.vocabSize * config.nEmbd;
    for (const shape of tensorShapes(config).values()) params += shape.reduce((a, b) => a * b, 1);
    assert.equal(m.params, params, m.name);
    assert.ok(m.approxBytes >= 2 * m.params, `${m.name}: the size shown before a download covers the weights`);
  }
});

/** A Gemma-style tokenizer.json: SentencePiece BPE with '▁' for spaces, <0xNN> byte fallback and a <bos> template. */
function gemmaStyleTokenizer(): Record<string, unknown> {
  const vocab: Record<string, number> = { '<pad>': 0, '<eos>': 1, '<bos>': 2, '<unk>': 3 };
  for (let b = 0; b < 256; b++) vocab[`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`] = 4 + b;
  const merges: string[] = [];
  const add = (token: string) => { if (vocab[token] === undefined) vocab[token] = Object.keys(vocab).length; };
  for (const ch of '▁Isawhimtere.') add(ch);
  for (const word of ['▁saw', '▁him', '▁there']) {
    let built = word[0];
    for (const ch of word.slice(1)) { merges.push(`${built} ${ch}`); built += ch; add(built); }
  }
  const special = (id: number, content: string) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });
  return {
    version: '1.0', truncation: null, padding: null,
    added_tokens: [special(0, '<pad>'), special(1, '<eos>'), special(2, '<bos>'), special(3, '<unk>')],
    normalizer: { type: 'Replace', pattern: { String: ' ' }, content: '▁' },
    pre_tokenizer: null,
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '<bos>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
      pair: [{ SpecialToken: { id: '<bos>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '<bos>', type_id: 1 } }, { Sequence: { id: 'B', type_id: 1 } }],
      special_tokens: { '<bos>': { id: '<bos>', ids: [2], tokens: ['<bos>'] } },
    },
    decoder: { type: 'Sequence', decoders: [{ type: 'Replace', pattern: { String: '▁' }, content: ' ' }, { type: 'ByteFallback' }, { type: 'Fuse' }] },
    model: { type: 'BPE', dropout: null, unk_token: '<unk>', continuing_subword_prefix: null, end_of_word_suffix: null, fuse_unk: true, byte_fallback: true, ignore_merges: false, vocab, merges },
  };
}

test('a Gemma-style SentencePiece tokenizer (▁ spaces, <0xNN> byte fallback) maps tokens to bytes and characters and adds <bos>', async () => {
  const dir = path.join(tmp, 'gemma-tokenizer');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'tokenizer.json'), JSON.stringify(gemmaStyleTokenizer()));
  fs.writeFileSync(path.join(dir, 'tokenizer_config.json'), JSON.stringify({ tokenizer_class: 'GemmaTokenizer', bos_token: '<bos>', eos_token: '<eos>', pad_token: '<pad>', add_bos_token: true }));
  const tokenizer = await loadTokenizer(dir);
  assert.equal(tokenizer.bosTokenId, 2);
  const text = 'I saw him there é';
  const resolved = resolvePositions(tokenizer, [{ text, target: 'him', targetStart: 6 }]).inputs[0];
  const shown = resolved.ids.map((id) => tokenizer.displayToken(id));
  assert.deepEqual(shown.slice(0, 5), ['<bos>', 'I', '␣saw', '␣him', '␣there']);
  assert.equal(shown[resolved.position], '␣him');
  // é is not in the vocabulary: two byte-fallback tokens that together are its UTF-8 bytes.
  assert.deepEqual(resolved.ids.slice(-2).map((id) => [...tokenizer.tokenBytes(id)]), [[0xc3], [0xa9]]);
  const offsets = tokenizer.encodeWithOffsets(text);
  assert.equal(offsets.ends[offsets.ends.length - 1], text.length);
  const theirs = await AutoTokenizer.from_pretrained(path.resolve(dir), { local_files_only: true });
  assert.deepEqual(resolved.ids, theirs.encode(text));
});
