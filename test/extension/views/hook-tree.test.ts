import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { configForCatalogModel, configForModelFolder, formatHookShape, hookGroups, hookSourceSpec, shortHookName, sourceNeedsTemplate } from '../../../src/extension/views/hook-tree';
import { validateTemplate } from '../../../src/extension/commands/prompt-template';
import { listHookPoints } from '../../../src/core/models/hooks';
import { gpt2ConfigJson } from '../../../src/core/models/config';
import { MODEL_CATALOG } from '../../../src/core/models/hub';
import { MechLensError } from '../../../src/core/errors';

test('hook points group into embeddings, one group per layer, and the output, covering the whole table once', () => {
  const gpt2 = MODEL_CATALOG.find((m) => m.name === 'gpt2')!;
  const config = configForCatalogModel(gpt2);
  assert.deepEqual(config, { nLayer: 12, nHead: 12, nEmbd: 768, nInner: 3072, vocabSize: 50257 });
  const groups = hookGroups(config);
  assert.deepEqual(groups.map((g) => g.label), ['Embeddings', ...Array.from({ length: 12 }, (_, l) => `Layer ${l}`), 'Output']);
  assert.deepEqual(groups.flatMap((g) => g.hooks.map((h) => h.name)), listHookPoints(config).map((h) => h.name));
  assert.ok(groups[6].hooks.every((h) => h.name.startsWith('blocks.5.')));
  const q = groups[6].hooks.find((h) => h.name === 'blocks.5.attn.hook_q')!;
  assert.equal(formatHookShape(q.shape), '12 × 64');
  assert.equal(shortHookName(q.name), 'attn.hook_q');
  const pattern = groups[1].hooks.find((h) => h.name.endsWith('hook_pattern'))!;
  assert.equal(formatHookShape(pattern.shape), '12 × T');
  assert.equal(formatHookShape(groups.at(-1)!.hooks.find((h) => h.name === 'logits')!.shape), '50257');
  assert.equal(shortHookName('ln_final.hook_normalized'), 'ln_final.hook_normalized');
});

test('a cached model folder gives its hook table from config.json; a broken config names the file', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mechlens-'));
  try {
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(gpt2ConfigJson({ nLayer: 2, nHead: 4, nEmbd: 32, nPositions: 64, vocabSize: 100 })));
    const config = configForModelFolder(dir);
    assert.deepEqual(hookGroups(config).map((g) => g.label), ['Embeddings', 'Layer 0', 'Layer 1', 'Output']);
    assert.equal(formatHookShape(hookGroups(config)[1].hooks.find((h) => h.name === 'blocks.0.mlp.hook_pre')!.shape), '128');
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ model_type: 'llama' }));
    assert.throws(() => configForModelFolder(dir), (e: unknown) => e instanceof MechLensError && e.message.includes(path.join(dir, 'config.json')));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('hooks become source specs, and only hooks that run the model need a prompt template', () => {
  assert.equal(hookSourceSpec('gpt2', 'hook_embed'), 'model:gpt2#embed');
  assert.equal(hookSourceSpec('openai-community/gpt2', 'blocks.5.attn.hook_q'), 'model:openai-community/gpt2#blocks.5.attn.hook_q');
  assert.equal(sourceNeedsTemplate('model:gpt2#embed'), false);
  assert.equal(sourceNeedsTemplate('model:gpt2'), false);
  assert.equal(sourceNeedsTemplate('glove-wiki-gigaword-50'), false);
  assert.equal(sourceNeedsTemplate('vectors:/a#b.txt'), false);
  assert.equal(sourceNeedsTemplate('model:gpt2#blocks.5.attn.hook_q'), true);
  assert.equal(sourceNeedsTemplate('model:/m#odels/x#blocks.0.hook_resid_post'), true);
  assert.equal(validateTemplate('The next word is {word}'), undefined);
  assert.match(validateTemplate('The next word is') ?? '', /needs a \{word\} placeholder/);
  assert.match(validateTemplate('{word} and {word}') ?? '', /only once/);
});
