import { test } from 'node:test';
import assert from 'node:assert/strict';
import os from 'node:os';
import path from 'node:path';
import { cacheDirFor, cachePath, defaultCacheDir } from '../../src/core/cache';

test('defaultCacheDir honours MECHLENS_CACHE, else ~/.cache/mechlens', () => {
  assert.equal(defaultCacheDir({ MECHLENS_CACHE: '/data/ml-cache' }), '/data/ml-cache');
  assert.equal(defaultCacheDir({ MECHLENS_CACHE: 'rel/cache' }), path.resolve('rel/cache'));
  assert.equal(defaultCacheDir({ MECHLENS_CACHE: '  ' }), path.join(os.homedir(), '.cache', 'mechlens'));
  assert.equal(defaultCacheDir({}), path.join(os.homedir(), '.cache', 'mechlens'));
});

test('cache paths are per kind and cannot climb out of the cache', () => {
  assert.equal(cacheDirFor('vectors', '/c'), '/c/vectors');
  assert.equal(cachePath('models', 'openai-community/gpt2', '/c'), '/c/models/openai-community/gpt2');
  assert.equal(cachePath('vectors', 'glove-wiki-gigaword-50.gz', '/c'), '/c/vectors/glove-wiki-gigaword-50.gz');
  for (const bad of ['../x', 'a/../../x', '/etc/passwd', '']) {
    assert.throws(() => cachePath('models', bad, '/c'), /not a plain relative name/);
  }
});
