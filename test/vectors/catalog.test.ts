import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { MechLensError } from '../../src/core/errors';
import { catalogCachePath, catalogUrl, ensureCatalogVectors, lookupVectors, resolveVectorSpec, vectorSpecPath, VECTOR_CATALOG, writeVectorFile, type VectorCatalogEntry } from '../../src/core/vectors';
import { startServer } from '../download/http-fixture';
import { randomVectors, rowOf, tmpDir } from './helpers';

test('the catalog lists the gensim-data sets with release URLs and is frozen', () => {
  assert.deepEqual(
    VECTOR_CATALOG.map((e) => e.name),
    ['glove-wiki-gigaword-50', 'glove-wiki-gigaword-100', 'glove-wiki-gigaword-200', 'glove-wiki-gigaword-300', 'word2vec-google-news-300', 'fasttext-wiki-news-subwords-300', 'glove-twitter-25', 'glove-twitter-50', 'glove-twitter-100', 'glove-twitter-200', 'glove-6b-100d-packaged'],
  );
  // The packaged set (test/vectors/packaged-glove.test.ts) has no download and no md5.
  for (const e of VECTOR_CATALOG.filter((entry) => !entry.packaged)) {
    assert.equal(e.dims, Number(/(\d+)$/.exec(e.name)![1]));
    assert.match(e.md5, /^[0-9a-f]{32}$/);
    assert.ok(Object.isFrozen(e));
  }
  assert.ok(Object.isFrozen(VECTOR_CATALOG));
  assert.equal(catalogUrl(VECTOR_CATALOG[0]), 'https://github.com/RaRe-Technologies/gensim-data/releases/download/glove-wiki-gigaword-50/glove-wiki-gigaword-50.gz');
});

async function fakeSet(name: string) {
  const dir = tmpDir();
  const words = Array.from({ length: 3000 }, (_, i) => `w${i}`);
  const m = randomVectors(words.length, 16, 9);
  const file = path.join(dir, 'src.gz');
  await writeVectorFile(file, words, m, 'word2vec-text', { gzip: true });
  const body = fs.readFileSync(file);
  const entry: VectorCatalogEntry = { ...VECTOR_CATALOG[0], name, dims: 16, vocabSize: words.length, downloadBytes: body.length, md5: createHash('md5').update(body).digest('hex') };
  return { body, entry, m };
}

test('ensureCatalogVectors downloads into the cache, resumes a dropped transfer, then serves from the cache', async () => {
  const { body, entry, m } = await fakeSet('fake-set-16');
  const server = await startServer({ [`/fake-set-16/fake-set-16.gz`]: { body, dropAfter: Math.floor(body.length / 2), dropTimes: 1 } });
  try {
    const cacheDir = tmpDir();
    const progress: number[] = [];
    const opts = { cacheDir, baseUrl: server.url, catalog: [entry], retryDelayMs: 5, onProgress: (n: number) => progress.push(n) };
    const p = await ensureCatalogVectors('fake-set-16', opts);
    assert.equal(p, catalogCachePath('fake-set-16', cacheDir));
    assert.equal(p, path.join(cacheDir, 'vectors', 'fake-set-16.gz'));
    assert.deepEqual(fs.readFileSync(p), body);
    assert.equal(server.requests.length, 2);
    assert.match(server.requests[1].range ?? '', /^bytes=\d+-$/);
    assert.equal(progress.at(-1), body.length);
    assert.equal(fs.existsSync(p + '.part'), false);

    const got = await lookupVectors(p, ['w2999', 'w0']);
    assert.deepEqual(rowOf(got.vectors, 0), rowOf(m, 2999));

    // Cached now: no request, and offline works too.
    assert.equal(await ensureCatalogVectors('fake-set-16', opts), p);
    assert.equal(await ensureCatalogVectors('fake-set-16', { ...opts, offline: true }), p);
    assert.equal(server.requests.length, 2);
  } finally {
    await server.close();
  }
});

test('concurrent requests for one set share one download', async () => {
  const { body, entry } = await fakeSet('fake-set-b');
  const server = await startServer({ '/fake-set-b/fake-set-b.gz': { body } });
  try {
    const opts = { cacheDir: tmpDir(), baseUrl: server.url, catalog: [entry] };
    const [a, b] = await Promise.all([ensureCatalogVectors('fake-set-b', opts), ensureCatalogVectors('fake-set-b', opts)]);
    assert.equal(a, b);
    assert.equal(server.requests.length, 1);
  } finally {
    await server.close();
  }
});

test('a corrupted download fails its md5 check and leaves nothing in the cache', async () => {
  const { body, entry } = await fakeSet('fake-set-c');
  const server = await startServer({ '/fake-set-c/fake-set-c.gz': { body: Buffer.concat([body.subarray(0, 100), Buffer.from('x'), body.subarray(101)]) } });
  try {
    const cacheDir = tmpDir();
    await assert.rejects(ensureCatalogVectors('fake-set-c', { cacheDir, baseUrl: server.url, catalog: [entry] }), /md5 of .* the file was removed/);
    assert.deepEqual(fs.readdirSync(path.join(cacheDir, 'vectors')), []);
  } finally {
    await server.close();
  }
});

test('a set copied into the cache by hand is checked against the release md5 once, and refused when it is not the set', async () => {
  const { body, entry } = await fakeSet('fake-set-h');
  const cacheDir = tmpDir();
  const own = catalogCachePath('fake-set-h', cacheDir);
  fs.mkdirSync(path.dirname(own), { recursive: true });
  const opts = { cacheDir, catalog: [entry], offline: true };
  // Right size, other bytes: the copy the offline message's "copy it into the cache" could produce by mistake.
  const wrong = Buffer.from(body);
  wrong[body.length >> 1] ^= 0xff;
  fs.writeFileSync(own, wrong);
  await assert.rejects(ensureCatalogVectors('fake-set-h', opts), (err: unknown) => {
    assert.ok(err instanceof MechLensError);
    assert.match(err.message, /is not fake-set-h: its md5 is [0-9a-f]{32}, the release's is /);
    assert.match(err.fix ?? '', /Delete it/);
    return true;
  });
  fs.writeFileSync(own, body.subarray(1));
  await assert.rejects(ensureCatalogVectors('fake-set-h', opts), new RegExp(`it has ${body.length - 1} bytes, the release has ${body.length}`));
  // The real set: hashed once, then recorded, so the next run does not hash it again.
  fs.writeFileSync(own, body);
  const statuses: string[] = [];
  assert.equal(await ensureCatalogVectors('fake-set-h', { ...opts, onStatus: (m: string) => statuses.push(m) }), own);
  assert.equal(statuses.filter((m) => /checking the md5/.test(m)).length, 1);
  assert.equal(await ensureCatalogVectors('fake-set-h', { ...opts, onStatus: (m: string) => statuses.push(m) }), own);
  assert.equal(statuses.filter((m) => /checking the md5/.test(m)).length, 1, 'the record spares the second hash');
  // Replaced after it was recorded (same size; a time of its own, whatever the file system's resolution): checked again.
  fs.writeFileSync(own, wrong);
  fs.utimesSync(own, 1_000_000, 1_000_000);
  await assert.rejects(ensureCatalogVectors('fake-set-h', opts), /its md5 is/);
});

test('offline mode without a cached copy says how to get one', async () => {
  const cacheDir = tmpDir();
  await assert.rejects(ensureCatalogVectors('glove-wiki-gigaword-50', { cacheDir, offline: true }), (e: unknown) => {
    assert.ok(e instanceof MechLensError);
    assert.equal(e.code, 'not-found');
    assert.match(e.message, /glove-wiki-gigaword-50 is not downloaded yet and offline mode is on/);
    assert.ok(e.message.includes(path.join(cacheDir, 'vectors')));
    return true;
  });
});

test('cancel stops a catalog download and keeps the part for later', async () => {
  const { body, entry } = await fakeSet('fake-set-d');
  const server = await startServer({ '/fake-set-d/fake-set-d.gz': { body, stallAfter: 1000 } });
  try {
    const cacheDir = tmpDir();
    const controller = new AbortController();
    await assert.rejects(
      ensureCatalogVectors('fake-set-d', { cacheDir, baseUrl: server.url, catalog: [entry], signal: controller.signal, onProgress: (n) => n >= 1000 && controller.abort() }),
      { code: 'cancelled' },
    );
    assert.equal(fs.existsSync(catalogCachePath('fake-set-d', cacheDir)), false);
    assert.equal(fs.statSync(catalogCachePath('fake-set-d', cacheDir) + '.part').size, 1000);
  } finally {
    await server.close();
  }
});

test('resolveVectorSpec: catalog names, vectors:PATH, model: refused, typos get a suggestion', async () => {
  const spec = resolveVectorSpec('glove-wiki-gigaword-50');
  assert.equal(spec.kind, 'catalog');
  assert.deepEqual(resolveVectorSpec('vectors:data/v.txt', { cwd: '/work' }), { kind: 'file', spec: 'vectors:data/v.txt', path: '/work/data/v.txt' });
  assert.equal((resolveVectorSpec('vectors:~/v.bin') as { path: string }).path.endsWith('/v.bin'), true);
  assert.throws(() => resolveVectorSpec('model:gpt2#embed'), (e: unknown) => e instanceof MechLensError && e.code === 'unsupported' && /model source/.test(e.message));
  assert.throws(() => resolveVectorSpec('glove-wiki-gigaword-5O'), /Did you mean glove-wiki-gigaword-50\?/);
  assert.throws(() => resolveVectorSpec('vectors:'), /needs a file path/);
  assert.throws(() => resolveVectorSpec('  '), /Empty vector source/);
  assert.equal(await vectorSpecPath('vectors:/tmp/x.txt'), '/tmp/x.txt');
});

test('lookupVectorSpec reads a vectors:PATH file and a catalog set through the cache, reporting download progress', async () => {
  const { lookupVectorSpec } = await import('../../src/core/vectors');
  const dir = tmpDir();
  const m = randomVectors(2, 3, 5);
  await writeVectorFile(path.join(dir, 'v.txt'), ['a', 'b'], m, 'glove-text');
  const local = await lookupVectorSpec('vectors:v.txt', ['b'], { cwd: dir });
  assert.equal(local.path, path.join(dir, 'v.txt'));
  assert.deepEqual(rowOf(local.vectors, 0), rowOf(m, 1));

  const { body, entry, m: fake } = await fakeSet('fake-set-e');
  const server = await startServer({ '/fake-set-e/fake-set-e.gz': { body } });
  try {
    const messages: string[] = [];
    const got = await lookupVectorSpec('fake-set-e', ['w7'], { cacheDir: tmpDir(), baseUrl: server.url, catalog: [entry] }, { onProgress: (p) => messages.push(p.message) });
    assert.deepEqual(rowOf(got.vectors, 0), rowOf(fake, 7));
    assert.ok(messages.includes('Downloading fake-set-e'));
    assert.equal(got.spec, 'fake-set-e');
  } finally {
    await server.close();
  }
});
