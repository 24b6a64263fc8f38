// The result cache (core/result-cache/store.ts) and its key (core/result-cache/key.ts): a hit returns what
// was stored; any change of input text, option, model or vector file is a miss; broken entries are
// removed; the folder stays under its cap by dropping the least recently used; concurrent writers in
// several processes never leave a half-written entry.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ResultCache } from '../../src/core/result-cache/store';
import { canonicalJson, resultCacheKey, type CacheKeyParts } from '../../src/core/result-cache/key';

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'mechlens-result-cache-'));
}

/** A word list, a model folder with a weights file above the whole-file hashing size, and a vector file. */
function workspace() {
  const root = tempDir();
  const words = path.join(root, 'animals.words');
  fs.writeFileSync(words, '[animals]\ncat\ndog\n');
  const model = path.join(root, 'tiny-gpt2');
  fs.mkdirSync(model);
  fs.writeFileSync(path.join(model, 'config.json'), '{"n_layer": 2}');
  fs.writeFileSync(path.join(model, 'tokenizer.json'), '{}');
  fs.writeFileSync(path.join(model, 'model.safetensors'), Buffer.alloc(5 * 1024 * 1024, 1));
  const vectors = path.join(root, 'vectors.txt');
  fs.writeFileSync(vectors, 'cat 1 0\ndog 0 1\n');
  const parts = (over: Partial<CacheKeyParts> = {}): CacheKeyParts => ({
    job: 'attention', options: { model, layer: 1, template: 'The next word is {word}' }, inputFiles: [words], models: [model], ...over,
  });
  return { root, words, model, vectors, parts };
}

test('a stored result is returned as stored; an unknown key is a miss', async () => {
  const cache = new ResultCache(tempDir());
  const key = 'a'.repeat(64);
  assert.equal(await cache.get(key), undefined);
  const value = { job: 'attention', schemaVersion: 1, numbers: [0.1, -2.5e-12, 3] };
  await cache.set(key, value);
  const hit = await cache.get<typeof value>(key);
  assert.deepEqual(hit?.value, value);
  assert.ok(!Number.isNaN(Date.parse(hit?.storedAt ?? '')));
  assert.equal(await cache.get('b'.repeat(64)), undefined);
  await assert.rejects(cache.get('../escape'), /sha256 hex/);
});

test('the key is stable for the same run and changes with the input text, any option, the model file or the vector file', async () => {
  const w = workspace();
  const base = await resultCacheKey(w.parts());
  assert.match(base ?? '', /^[0-9a-f]{64}$/);
  assert.equal(await resultCacheKey(w.parts()), base, 'same run, same key');
  // Option order does not matter; option values do.
  assert.equal(await resultCacheKey(w.parts({ options: { template: 'The next word is {word}', layer: 1, model: w.model } })), base);
  assert.notEqual(await resultCacheKey(w.parts({ options: { model: w.model, layer: 2, template: 'The next word is {word}' } })), base);
  assert.notEqual(await resultCacheKey(w.parts({ environment: { provider: 'cuda' } })), base);
  assert.notEqual(await resultCacheKey(w.parts({ job: 'contrast' })), base);

  fs.writeFileSync(w.words, '[animals]\ncat\ndog\nbird\n');
  const edited = await resultCacheKey(w.parts());
  assert.notEqual(edited, base, 'editing the word list is a miss');

  // A same-size rewrite of the large weights file: caught by mtime/ctime/inode, not by content.
  const weights = path.join(w.model, 'model.safetensors');
  const replacement = `${weights}.new`;
  fs.writeFileSync(replacement, Buffer.alloc(5 * 1024 * 1024, 2));
  fs.renameSync(replacement, weights);
  assert.notEqual(await resultCacheKey(w.parts()), edited, 'replacing the weights is a miss');
  const afterWeights = await resultCacheKey(w.parts());
  fs.writeFileSync(path.join(w.model, 'config.json'), '{"n_layer": 3}');
  assert.notEqual(await resultCacheKey(w.parts()), afterWeights, 'a changed config is a miss');

  const vectorParts = w.parts({ job: 'compare', models: [], sources: [`vectors:${w.vectors}`, `model:${w.model}#embed`] });
  const withVectors = await resultCacheKey(vectorParts);
  fs.writeFileSync(w.vectors, 'cat 1 0\ndog 0 2\n');
  assert.notEqual(await resultCacheKey(vectorParts), withVectors, 'a changed vector file is a miss');
});

test('no key when an input, a model or a source is not on disk (a first run downloads it)', async () => {
  const w = workspace();
  assert.equal(await resultCacheKey(w.parts({ inputFiles: [path.join(w.root, 'gone.words')] })), undefined);
  assert.equal(await resultCacheKey(w.parts({ models: [path.join(w.root, 'no-model')], cacheDir: w.root })), undefined);
  assert.equal(await resultCacheKey(w.parts({ models: ['gpt2'], cacheDir: w.root })), undefined, 'a hub id not in the cache');
  assert.equal(await resultCacheKey(w.parts({ models: [], sources: ['glove-wiki-gigaword-50'], cacheDir: w.root })), undefined);
  // Once the hub model's cache folder exists, it is fingerprinted like any folder.
  const hubDir = path.join(w.root, 'models', 'openai-community', 'gpt2', 'main');
  fs.mkdirSync(hubDir, { recursive: true });
  fs.writeFileSync(path.join(hubDir, 'config.json'), '{}');
  assert.match(await resultCacheKey(w.parts({ models: ['gpt2'], cacheDir: w.root })) ?? '', /^[0-9a-f]{64}$/);
});

test('canonical JSON sorts keys at every depth and keeps array order', () => {
  assert.equal(canonicalJson({ b: 1, a: { d: [3, 1], c: null } }), '{"a":{"c":null,"d":[3,1]},"b":1}');
});

test('a corrupt, truncated or foreign entry is a miss and is removed', async () => {
  const dir = tempDir();
  const cache = new ResultCache(dir);
  const key = 'c'.repeat(64);
  const file = path.join(dir, `${key}.json`);
  for (const broken of ['{"key": "cccc', 'not json', JSON.stringify({ key: 'd'.repeat(64), storedAt: 'x', value: 1 }), 'null', JSON.stringify({ key, value: 1 })]) {
    fs.writeFileSync(file, broken);
    assert.equal(await cache.get(key), undefined, broken);
    assert.equal(fs.existsSync(file), false, `removed: ${broken}`);
  }
  await cache.set(key, { ok: true });
  assert.deepEqual((await cache.get(key))?.value, { ok: true }, 'the key works again after the broken entry');
});

test('over the cap, the least recently used entries go; a hit counts as a use', async () => {
  const dir = tempDir();
  const payload = 'x'.repeat(1000);
  const entryBytes = Buffer.byteLength(JSON.stringify({ key: '0'.repeat(64), storedAt: new Date().toISOString(), value: payload }));
  const cache = new ResultCache(dir, entryBytes * 3 + 10);
  const keys = ['1', '2', '3', '4'].map((c) => c.repeat(64));
  const at = (i: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, i));
  for (let i = 0; i < 3; i++) {
    await cache.set(keys[i], payload);
    fs.utimesSync(path.join(dir, `${keys[i]}.json`), at(i), at(i));
  }
  // Using the oldest entry makes the second one the least recently used.
  assert.ok(await cache.get(keys[0]));
  await cache.set(keys[3], payload);
  assert.ok(fs.existsSync(path.join(dir, `${keys[0]}.json`)), 'recently read entry kept');
  assert.equal(fs.existsSync(path.join(dir, `${keys[1]}.json`)), false, 'least recently used entry evicted');
  assert.ok(fs.existsSync(path.join(dir, `${keys[2]}.json`)));
  assert.ok(fs.existsSync(path.join(dir, `${keys[3]}.json`)), 'the new entry is never the one evicted');
  const usage = await cache.usage();
  assert.equal(usage.entries, 3);
  assert.ok(usage.bytes <= cache.maxBytes);
  // An entry larger than the whole cap is not stored at all.
  await new ResultCache(dir, 100).set('5'.repeat(64), payload);
  assert.equal(fs.existsSync(path.join(dir, `${'5'.repeat(64)}.json`)), false);
  const cleared = await cache.clear();
  assert.equal(cleared.entries, 3);
  assert.deepEqual(await cache.usage(), { entries: 0, bytes: 0 });
});

test('writers in four processes on one key, and in one process on many keys, never leave a broken entry', async () => {
  const dir = tempDir();
  const key = 'e'.repeat(64);
  const moduleUrl = path.resolve(__dirname, '../../src/core/result-cache/store.ts');
  const script = `
    const { ResultCache } = require(${JSON.stringify(moduleUrl)});
    const cache = new ResultCache(${JSON.stringify(dir)});
    (async () => {
      const writer = Number(process.argv[1]);
      for (let i = 0; i < 40; i++) await cache.set(${JSON.stringify(key)}, { writer, i, rows: Array.from({ length: 2000 }, (_, j) => j * writer) });
    })().catch((e) => { console.error(e); process.exit(1); });`;
  const children = [1, 2, 3, 4].map((writer) => new Promise<number>((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '-e', script, String(writer)], { stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('exit', (code) => resolve(code ?? 1));
  }));
  const reader = new ResultCache(dir);
  let reads = 0;
  let done = false;
  const exits = Promise.all(children).finally(() => { done = true; });
  // Read the file itself, not through get(), which would quietly drop a half-written entry.
  const file = path.join(dir, `${key}.json`);
  while (!done) {
    let text: string | undefined;
    try { text = fs.readFileSync(file, 'utf8'); } catch { text = undefined; }
    if (text !== undefined) {
      reads++;
      const entry = JSON.parse(text) as { value: { writer: number; rows: number[] } };
      assert.equal(entry.value.rows.length, 2000);
      assert.equal(entry.value.rows[1999], 1999 * entry.value.writer, 'an entry is always one writer\'s whole value');
    }
    await new Promise((r) => setTimeout(r, 2));
  }
  assert.deepEqual(await exits, [0, 0, 0, 0]);
  const final = await reader.get<{ writer: number; i: number }>(key);
  assert.equal(final?.value.i, 39, 'the last write of some writer wins');
  assert.ok(reads > 0);
  assert.deepEqual(fs.readdirSync(dir).filter((n) => n.endsWith('.tmp')), [], 'no temporary files left');

  const cache = new ResultCache(dir);
  const many = Array.from({ length: 30 }, (_, i) => i.toString(16).padStart(64, '0'));
  await Promise.all(many.map((k, i) => cache.set(k, { i })));
  for (const [i, k] of many.entries()) assert.deepEqual((await cache.get(k))?.value, { i });
});
