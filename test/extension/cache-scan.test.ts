import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cachedModels, cachedVectorFiles, resolveCacheDir } from '../../src/extension/cache-scan';
import { cachedCatalogNames, catalogEntries } from '../../src/extension/catalog';

test('the cache scan lists complete vector files and model folders, never partial downloads', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mechlens-'));
  try {
    assert.deepEqual(cachedVectorFiles(dir), []);
    assert.deepEqual(cachedModels(dir), []);
    const vectors = path.join(dir, 'vectors');
    fs.mkdirSync(vectors, { recursive: true });
    fs.writeFileSync(path.join(vectors, 'glove-wiki-gigaword-50.gz'), Buffer.alloc(10));
    fs.writeFileSync(path.join(vectors, 'glove-wiki-gigaword-300.gz.part'), Buffer.alloc(5));
    fs.writeFileSync(path.join(vectors, 'glove-wiki-gigaword-5000.gz'), Buffer.alloc(1));
    for (const [id, files] of [['gpt2', ['config.json', 'model.safetensors']], ['openai-community/gpt2-medium', ['config.json']], ['half/empty', ['tokenizer.json']]] as const) {
      fs.mkdirSync(path.join(dir, 'models', id), { recursive: true });
      for (const f of files) fs.writeFileSync(path.join(dir, 'models', id, f), Buffer.alloc(f === 'model.safetensors' ? 100 : 2));
    }
    const files = cachedVectorFiles(dir);
    assert.deepEqual(files.map((f) => [f.name, f.sizeBytes]), [['glove-wiki-gigaword-50.gz', 10], ['glove-wiki-gigaword-5000.gz', 1]]);
    assert.deepEqual([...cachedCatalogNames(dir)], ['glove-wiki-gigaword-50'], 'a partial download does not count as cached');
    assert.deepEqual(cachedModels(dir).map((m) => [m.id, m.sizeBytes]), [['gpt2', 102], ['openai-community/gpt2-medium', 2]]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the picker sees every catalog entry with its size and dimensions', () => {
  const glove = catalogEntries().find((e) => e.name === 'glove-wiki-gigaword-50');
  assert.deepEqual(glove && { dims: glove.dims, vocabSize: glove.vocabSize, sizeBytes: glove.sizeBytes }, { dims: 50, vocabSize: 400_000, sizeBytes: 69_182_535 });
  assert.ok(catalogEntries().some((e) => e.name === 'word2vec-google-news-300'));
});

test('an empty cache setting means the default cache folder', () => {
  const saved = process.env.MECHLENS_CACHE;
  try {
    process.env.MECHLENS_CACHE = '/tmp/mechlens-cache-test';
    assert.equal(resolveCacheDir(undefined), '/tmp/mechlens-cache-test');
    assert.equal(resolveCacheDir('/data/cache'), '/data/cache');
  } finally {
    if (saved === undefined) delete process.env.MECHLENS_CACHE;
    else process.env.MECHLENS_CACHE = saved;
  }
});
