import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { installFakeVscode, recorded } from '../fake-vscode';
import type * as ModelsModule from '../../../src/extension/views/models';
import type * as HooksModule from '../../../src/extension/views/hooks';
import { catalogEntries } from '../../../src/extension/catalog';

let modelsModule: typeof ModelsModule;
let hooksModule: typeof HooksModule;

before(async () => {
  installFakeVscode();
  modelsModule = await import('../../../src/extension/views/models');
  hooksModule = await import('../../../src/extension/views/hooks');
});

type Item = { label: string; description?: string; contextValue?: string; iconPath?: { id: string } };

test('the Models view lists the local items, both catalogs with cache status, and cached files and models, each usable as a source', async () => {
  const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'mechlens-'));
  try {
    fs.mkdirSync(path.join(cache, 'vectors'), { recursive: true });
    fs.writeFileSync(path.join(cache, 'vectors', 'glove-wiki-gigaword-50.gz'), Buffer.alloc(3));
    const gpt2 = path.join(cache, 'models', 'openai-community', 'gpt2', 'main');
    fs.mkdirSync(gpt2, { recursive: true });
    fs.writeFileSync(path.join(gpt2, 'config.json'), '{}');
    fs.writeFileSync(path.join(gpt2, 'mechlens-source.json'), JSON.stringify({ id: 'openai-community/gpt2', revision: 'main' }));

    const localModel = { kind: 'model' as const, path: path.join(cache, 'my-gpt2'), name: 'my-gpt2' };
    const localVectors = { kind: 'vectors' as const, path: path.join(cache, 'v.txt'), name: 'v.txt', format: 'GloVe text · 50-d', dims: 50 };
    const local = { items: async () => [localModel, localVectors], added: () => [localVectors], onDidChange: () => ({ dispose: () => undefined }) };
    const provider = new modelsModule.ModelsTreeProvider(catalogEntries, () => cache, local as never);
    const roots = await provider.getChildren();
    assert.deepEqual(roots.map((r) => (provider.getTreeItem(r) as unknown as Item).label), ['On this machine', 'Word vector catalog', 'Model catalog', 'Cached models', 'Cached vector files']);
    const [localNodes, vectorCatalog, modelCatalog, cachedModels, files] = await Promise.all(roots.map((r) => provider.getChildren(r)));
    // Local items first: a model folder is a model for the model jobs and a token-embedding source; a vector file a source.
    assert.deepEqual(localNodes.map((n) => modelsModule.specOfNode(n)), [`model:${localModel.path}#embed`, `vectors:${localVectors.path}`]);
    assert.deepEqual(localNodes.map((n) => (provider.getTreeItem(n) as unknown as Item).description), ['model folder · workspace', 'GloVe text · 50-d · added']);
    assert.equal(modelsModule.localPathOfNode(localNodes[1]), localVectors.path);

    const glove50 = vectorCatalog.find((n) => modelsModule.specOfNode(n) === 'glove-wiki-gigaword-50')!;
    const glove50Item = provider.getTreeItem(glove50) as unknown as Item;
    assert.equal(glove50Item.description, '50-d · cached');
    assert.equal(glove50Item.iconPath?.id, 'pass-filled');
    assert.equal(glove50Item.contextValue, 'mechlens.source.catalog');
    const glove300Item = provider.getTreeItem(vectorCatalog.find((n) => modelsModule.specOfNode(n) === 'glove-wiki-gigaword-300')!) as unknown as Item;
    assert.equal(glove300Item.description, '300-d · 394 MB');

    assert.deepEqual(modelCatalog.slice(0, 5).map((n) => modelsModule.specOfNode(n)), ['model:gpt2#embed', 'model:distilgpt2#embed', 'model:gpt2-medium#embed', 'model:gpt2-large#embed', 'model:gpt2-xl#embed']);
    // The other families follow; gated models say so next to their size.
    assert.equal(modelsModule.specOfNode(modelCatalog[5]), 'model:pythia-14m#embed');
    const llama = modelCatalog.find((n) => modelsModule.specOfNode(n) === 'model:Llama-3.2-1B#embed')!;
    assert.match(String((provider.getTreeItem(llama) as unknown as Item).description), /^16 layers · d=2048 · .* · gated$/);
    assert.equal((provider.getTreeItem(modelCatalog[0]) as unknown as Item).description, '12 layers · d=768 · cached');
    assert.equal((provider.getTreeItem(modelCatalog[1]) as unknown as Item).description, '6 layers · d=768 · 353 MB');

    assert.deepEqual(cachedModels.map((n) => modelsModule.specOfNode(n)), ['model:openai-community/gpt2#embed']);
    assert.deepEqual(files.map((n) => modelsModule.specOfNode(n)), [`vectors:${path.join(cache, 'vectors', 'glove-wiki-gigaword-50.gz')}`]);

    // Selecting a model fills the Hook Points view, whose hooks are sources too.
    const model = modelsModule.hookModelOfNode(modelCatalog[1])!;
    assert.equal(model.model, 'distilgpt2');
    const hooks = new hooksModule.HooksTreeProvider();
    assert.deepEqual(hooks.getChildren(), []);
    hooks.setModel(model);
    assert.ok(recorded.commands.includes('setContext "mechlens.hooksModelSelected" true'));
    const groups = hooks.getChildren();
    assert.deepEqual(groups.map((g) => (hooks.getTreeItem(g) as unknown as Item).label), ['Embeddings', 'Layer 0', 'Layer 1', 'Layer 2', 'Layer 3', 'Layer 4', 'Layer 5', 'Output']);
    const layer5 = hooks.getChildren(groups[6]);
    const q = layer5.find((n) => hooksModule.hookNodeSpec(n)?.name === 'blocks.5.attn.hook_q')!;
    assert.deepEqual(hooksModule.hookNodeSpec(q), { name: 'blocks.5.attn.hook_q', spec: 'model:distilgpt2#blocks.5.attn.hook_q' });
    const qItem = hooks.getTreeItem(q) as unknown as Item & { tooltip: { value: string } };
    assert.equal(qItem.label, 'attn.hook_q');
    assert.equal(qItem.description, '12 × 64');
    const cAttn = layer5.find((n) => hooksModule.hookNodeSpec(n)?.name === 'blocks.5.attn.hook_qkv')!;
    assert.match((hooks.getTreeItem(cAttn) as unknown as { tooltip: { value: string } }).tooltip.value, /Hugging Face: transformer\.h\.5\.attn\.c_attn, h\.5\.attn\.c_attn/);
    assert.equal(hooksModule.hookNodeSpec(groups[0]), undefined);
  } finally {
    fs.rmSync(cache, { recursive: true, force: true });
  }
});
