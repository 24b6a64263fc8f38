// The frozen hook-point table: names, shapes, aliases, and errors that suggest close matches.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { listHookPoints, resolveHookName, hookWidth } from '../../src/core/models/hooks';
import { MechLensError } from '../../src/core/errors';

const gpt2 = { nLayer: 12, nHead: 12, nEmbd: 768, nInner: 3072, vocabSize: 50257 };

test('gpt2 has every TransformerLens hook point, in forward order, with per-position shapes', () => {
  const hooks = listHookPoints(gpt2);
  assert.equal(hooks.length, 2 + 12 * 14 + 2);
  assert.deepEqual(hooks.slice(0, 3).map((h) => h.name), ['hook_embed', 'hook_pos_embed', 'blocks.0.hook_resid_pre']);
  assert.deepEqual(hooks.slice(-2).map((h) => h.name), ['ln_final.hook_normalized', 'logits']);
  const byName = new Map(hooks.map((h) => [h.name, h]));
  for (const kind of ['hook_q', 'hook_k', 'hook_v', 'hook_z']) assert.deepEqual(byName.get(`blocks.5.attn.${kind}`)!.shape, [12, 64]);
  assert.deepEqual(byName.get('blocks.5.attn.hook_pattern')!.shape, [12, 'positions']);
  assert.equal(byName.get('blocks.5.attn.hook_pattern')!.positionAxis, 2);
  assert.deepEqual(byName.get('blocks.5.mlp.hook_pre')!.shape, [3072]);
  assert.deepEqual(byName.get('blocks.11.hook_resid_post')!.shape, [768]);
  assert.deepEqual(byName.get('logits')!.shape, [50257]);
  assert.equal(hookWidth(byName.get('blocks.0.attn.hook_attn_scores')!, 7), 84);
  assert.ok(Object.isFrozen(hooks) && hooks.every((h) => Object.isFrozen(h) && h.description.length > 10));
});

test('Hugging Face module names resolve as aliases, with or without transformer.', () => {
  const cases: [string, string][] = [
    ['transformer.h.5.attn.c_attn', 'blocks.5.attn.hook_qkv'],
    ['h.5.attn.c_attn', 'blocks.5.attn.hook_qkv'],
    ['transformer.h.5.mlp.c_fc', 'blocks.5.mlp.hook_pre'],
    ['transformer.h.5.mlp.act', 'blocks.5.mlp.hook_post'],
    ['transformer.h.5.mlp.c_proj', 'blocks.5.hook_mlp_out'],
    ['transformer.h.5.mlp', 'blocks.5.hook_mlp_out'],
    ['transformer.h.5.attn.c_proj', 'blocks.5.hook_attn_out'],
    ['transformer.h.11', 'blocks.11.hook_resid_post'],
    ['transformer.wte', 'hook_embed'],
    ['wpe', 'hook_pos_embed'],
    ['lm_head', 'logits'],
    [' blocks.3.attn.hook_k ', 'blocks.3.attn.hook_k'],
  ];
  for (const [alias, name] of cases) assert.equal(resolveHookName(alias, gpt2).name, name, alias);
});

test('unknown hooks and layers out of range fail with the closest names and the fix', () => {
  const fails = (name: string, pattern: RegExp) => assert.throws(() => resolveHookName(name, gpt2), (e: unknown) => e instanceof MechLensError && e.code === 'bad-argument' && pattern.test(e.message));
  fails('blocks.5.attn.hook_qq', /unknown hook point "blocks\.5\.attn\.hook_qq".*closest: blocks\.5\.attn\.hook_q\b/);
  fails('blocks.5.mlp.hook_pree', /closest: blocks\.5\.mlp\.hook_pre\b/);
  fails('blocks.12.attn.hook_q', /asks for layer 12, but the model has 12 layers \(0–11\)/);
  fails('transformer.h.40.mlp.c_fc', /layer 40/);
  fails('hook_embedd', /closest: hook_embed\b/);
  fails('', /unknown hook point ""/);
});
