// The Models view says where each catalog model and vector set was found: the Hugging Face hub
// cache and gensim-data's folder (built here), or MechLens's own cache.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { installFakeVscode } from '../fake-vscode';
import type * as ModelsModule from '../../../src/extension/views/models';
import { catalogEntries, cachedModelNames, cachedCatalogNames } from '../../../src/extension/catalog';
import { writeRandomGpt2Checkpoint } from '../../../src/core/models/random-checkpoint';
import { addGensimData, addHubSnapshot, setHubRef } from '../../helpers/hub-cache';

let modelsModule: typeof ModelsModule;
before(async () => {
  installFakeVscode();
  modelsModule = await import('../../../src/extension/views/models');
});

type Item = { description?: string; tooltip?: string; iconPath?: { id: string } };
const tmp = (name: string) => fs.mkdtempSync(path.join(os.tmpdir(), `mechlens-${name}-`));

test('catalog entries found in the hub cache or gensim-data say so, with the path, and count as cached for the pickers', async () => {
  const hubCache = tmp('hub');
  const checkpoint = tmp('ckpt');
  writeRandomGpt2Checkpoint(checkpoint, { nLayer: 1, nEmbd: 8, nHead: 2, nPositions: 16 });
  const commit = 'c'.repeat(40);
  const snapshot = addHubSnapshot(hubCache, 'gpt2', commit, checkpoint);
  setHubRef(hubCache, 'gpt2', 'main', commit);
  const gensim = tmp('gensim');
  const gensimFile = addGensimData(gensim, 'glove-wiki-gigaword-300', Buffer.from('not read by the view'));
  const cacheDir = tmp('own');
  const saved = { hub: process.env.HF_HUB_CACHE, gensim: process.env.GENSIM_DATA_DIR };
  process.env.HF_HUB_CACHE = hubCache;
  process.env.GENSIM_DATA_DIR = gensim;
  try {
    const provider = new modelsModule.ModelsTreeProvider(catalogEntries, () => cacheDir);
    const [, vectorCatalog, modelCatalog] = await Promise.all((await provider.getChildren()).map((r) => provider.getChildren(r)));
    const item = (nodes: unknown[], spec: string) => provider.getTreeItem(nodes.find((n) => modelsModule.specOfNode(n) === spec) as never) as unknown as Item;

    const gpt2 = item(modelCatalog, 'model:gpt2#embed');
    assert.equal(gpt2.description, '12 layers · d=768 · HF hub cache');
    assert.match(gpt2.tooltip ?? '', new RegExp(`gpt2: from the Hugging Face hub cache \\(repository gpt2, commit cccccccccccc\\): ${snapshot.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    assert.equal(gpt2.iconPath?.id, 'pass-filled');
    assert.equal(item(modelCatalog, 'model:gpt2-medium#embed').description, '24 layers · d=1024 · 1.5 GB');

    const glove300 = item(vectorCatalog, 'glove-wiki-gigaword-300');
    assert.equal(glove300.description, '300-d · gensim-data');
    assert.ok(glove300.tooltip?.includes(`from gensim-data's folder: ${gensimFile}`));
    assert.equal(item(vectorCatalog, 'glove-wiki-gigaword-50').description, '50-d · 69.2 MB');

    assert.deepEqual([...cachedModelNames(cacheDir)], ['gpt2']);
    // The packaged GloVe counts as at hand wherever its npm package is installed (a dev dependency here).
    assert.deepEqual([...cachedCatalogNames(cacheDir)].filter((n) => n !== 'glove-6b-100d-packaged'), ['glove-wiki-gigaword-300']);
  } finally {
    for (const [k, v] of [['HF_HUB_CACHE', saved.hub], ['GENSIM_DATA_DIR', saved.gensim]] as const) if (v === undefined) delete process.env[k]; else process.env[k] = v;
  }
});
