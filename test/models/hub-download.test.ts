import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CancelledError, MechLensError } from '../../src/core/errors';
import { openCheckpoint, SOURCE_FILE } from '../../src/core/models/checkpoint';
import { COMMIT, FakeHub, sha256 } from '../helpers/fake-hub';
import { ensureModel, headRequest, MODEL_CATALOG, modelCacheDir, resolveModelId } from '../../src/core/models/hub';
import { writeRandomGpt2Checkpoint } from '../../src/core/models/random-checkpoint';
import { loadTokenizer } from '../../src/core/models/tokenizer';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'mechlens-'));

const hub = new FakeHub();
const source = tmp();
writeRandomGpt2Checkpoint(source, { nLayer: 1, nEmbd: 16, nHead: 2, nPositions: 32, seed: 9, prefix: true });
const sharded = tmp();
writeRandomGpt2Checkpoint(sharded, { nLayer: 2, nEmbd: 16, nHead: 2, nPositions: 32, seed: 4, shards: 3, tokenizer: false });
fs.copyFileSync(path.join(source, 'tokenizer.json'), path.join(sharded, 'tokenizer.json'));
const llama = tmp();
fs.writeFileSync(path.join(llama, 'config.json'), JSON.stringify({ model_type: 'mamba', architectures: ['MambaForCausalLM'] }));
fs.writeFileSync(path.join(llama, 'tokenizer.json'), '{}');
fs.writeFileSync(path.join(llama, 'model.safetensors'), 'weights that must never be fetched');

const ready = (async () => {
  await hub.start();
  hub.addCheckpoint('test-org/tiny-gpt2', source);
  hub.addCheckpoint('openai-community/gpt2', source);
  hub.addCheckpoint('test-org/sharded', sharded);
  hub.addCheckpoint('test-org/llama', llama);
  hub.addCheckpoint('private-org/tiny', source);
})();
after(() => hub.stop());

function assertSameFiles(dir: string, from: string) {
  for (const name of fs.readdirSync(from)) {
    assert.ok(fs.readFileSync(path.join(dir, name)).equals(fs.readFileSync(path.join(from, name))), name);
  }
}

test('downloads a checkpoint in the hub layout into <cache>/models/<id>/<revision>, with progress, verified, and usable', async () => {
  await ready;
  const cacheDir = tmp();
  const events: Array<[string, number, number | undefined, number, number | undefined]> = [];
  const dir = await ensureModel('test-org/tiny-gpt2', { cacheDir, endpoint: hub.endpoint, onProgress: (...e) => events.push(e) });
  assert.equal(dir, path.join(cacheDir, 'models', 'test-org', 'tiny-gpt2', 'main'));
  assertSameFiles(dir, source);
  const record = JSON.parse(fs.readFileSync(path.join(dir, SOURCE_FILE), 'utf8'));
  assert.equal(record.commit, COMMIT);
  const weights = record.files.find((f: { name: string }) => f.name === 'model.safetensors');
  assert.equal(weights.sha256, sha256(fs.readFileSync(path.join(source, 'model.safetensors'))));
  assert.equal(openCheckpoint(dir).revision, COMMIT);
  assert.equal((await loadTokenizer(dir)).encode('I saw him.').length, 4);

  const totalBytes = ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'model.safetensors'].reduce((s, f) => s + fs.statSync(path.join(source, f)).size, 0);
  const last = events.at(-1)!;
  assert.equal(last[0], 'model.safetensors');
  assert.equal(last[3], totalBytes);
  assert.equal(last[4], totalBytes);
  for (let i = 1; i < events.length; i++) assert.ok(events[i][3] >= events[i - 1][3], 'overall progress never goes back');
  assert.ok(new Set(events.map((e) => e[0])).size === 4);
  assert.ok(!fs.readdirSync(dir).some((f) => f.endsWith('.part') || f.endsWith('.tmp')));
});

test('two requests for the same model at once share one download', async () => {
  await ready;
  const cacheDir = tmp();
  const from = hub.log.length;
  const [a, b] = await Promise.all([
    ensureModel('test-org/tiny-gpt2', { cacheDir, endpoint: hub.endpoint }),
    ensureModel('test-org/tiny-gpt2', { cacheDir, endpoint: hub.endpoint }),
  ]);
  assert.equal(a, b);
  assertSameFiles(a, source);
  assert.equal(hub.log.slice(from).filter((r) => r.method === 'GET' && r.url.startsWith('/cdn/')).length, 1);
});

test('a cached model is used without the network; offline mode hits the cache and explains a miss', async () => {
  await ready;
  const cacheDir = tmp();
  const dir = await ensureModel('test-org/tiny-gpt2', { cacheDir, endpoint: hub.endpoint });
  const requests = hub.log.length;
  assert.equal(await ensureModel('test-org/tiny-gpt2', { cacheDir, endpoint: hub.endpoint }), dir);
  assert.equal(await ensureModel('test-org/tiny-gpt2', { cacheDir, offline: true, endpoint: 'http://127.0.0.1:1' }), dir);
  assert.equal(hub.log.length, requests, 'no request for a cached model');
  await assert.rejects(ensureModel('test-org/other', { cacheDir, offline: true }), (err: unknown) => {
    assert.ok(err instanceof MechLensError);
    assert.equal(err.code, 'not-found');
    assert.match(err.message, /Model test-org\/other \(revision main\) is not in the cache \(no folder .*\); offline mode does not download/);
    assert.match(err.message, /Turn off offline mode/);
    return true;
  });
  // A local folder is used as it is, offline or not.
  assert.equal(await ensureModel(source, { offline: true }), source);
  await assert.rejects(ensureModel(path.join(source, 'config.json')), /is a file, not a checkpoint folder/);
  await assert.rejects(ensureModel('./no/such/../folder'), /is neither a folder nor a Hugging Face model id/);
});

test('catalog names resolve to hub ids; the catalog is a frozen table of the GPT-2 family', async () => {
  await ready;
  assert.deepEqual(MODEL_CATALOG.filter((m) => !m.family).map((m) => m.name), ['gpt2', 'distilgpt2', 'gpt2-medium', 'gpt2-large', 'gpt2-xl']);
  assert.ok(Object.isFrozen(MODEL_CATALOG) && Object.isFrozen(MODEL_CATALOG[0]));
  for (const m of MODEL_CATALOG.filter((e) => !e.family)) {
    const perLayer = 12 * m.dModel * m.dModel + 13 * m.dModel;
    const params = 50257 * m.dModel + 1024 * m.dModel + m.layers * perLayer + 2 * m.dModel;
    assert.equal(m.params, params, m.name);
    // The hub's files are F32 and still carry the legacy 1024 x 1024 attn.bias mask of every layer.
    const bytes = 4 * (m.params + m.layers * 1024 * 1024);
    assert.ok(Math.abs(m.approxBytes / bytes - 1) < 0.001, `${m.name}: ${m.approxBytes} vs ${bytes}`);
  }
  assert.equal(resolveModelId('gpt2'), 'openai-community/gpt2');
  const cacheDir = tmp();
  const dir = await ensureModel('gpt2', { cacheDir, endpoint: hub.endpoint });
  assert.equal(dir, modelCacheDir('openai-community/gpt2', 'main', cacheDir));
  assert.ok(hub.log.some((r) => r.url === '/openai-community/gpt2/resolve/main/model.safetensors'));
});

test('an interrupted transfer resumes with a Range request and ends verified', async () => {
  await ready;
  const cacheDir = tmp();
  const size = fs.statSync(path.join(source, 'model.safetensors')).size;
  hub.faults = { dropAfter: new Map([['model.safetensors', Math.floor(size / 3)]]) };
  const from = hub.log.length;
  const dir = await ensureModel('test-org/tiny-gpt2', { cacheDir, endpoint: hub.endpoint });
  hub.faults = {};
  assertSameFiles(dir, source);
  const gets = hub.log.slice(from).filter((r) => r.method === 'GET' && r.url.endsWith('/model.safetensors') && r.url.startsWith('/cdn/'));
  assert.equal(gets.length, 2);
  assert.equal(gets[0].range, undefined);
  assert.match(gets[1].range ?? '', /^bytes=\d+-$/);
  assert.ok(Number(/\d+/.exec(gets[1].range!)![0]) > 0);
});

test('a cancelled download keeps its part, is reported offline as partial, and resumes next time', async () => {
  await ready;
  const cacheDir = tmp();
  const controller = new AbortController();
  hub.faults = { slow: new Set(['model.safetensors']) };
  await assert.rejects(ensureModel('test-org/tiny-gpt2', {
    cacheDir, endpoint: hub.endpoint, signal: controller.signal,
    onProgress: (file, received) => { if (file === 'model.safetensors' && received > 300_000) controller.abort(); },
  }), (err: unknown) => err instanceof CancelledError);
  hub.faults = {};
  const dir = modelCacheDir('test-org/tiny-gpt2', 'main', cacheDir);
  assert.ok(fs.existsSync(path.join(dir, 'model.safetensors.part')));
  assert.ok(!fs.existsSync(path.join(dir, 'model.safetensors')));
  assert.ok(!fs.existsSync(path.join(dir, SOURCE_FILE)));
  await assert.rejects(ensureModel('test-org/tiny-gpt2', { cacheDir, offline: true }), /partly downloaded model\.safetensors/);
  const from = hub.log.length;
  await ensureModel('test-org/tiny-gpt2', { cacheDir, endpoint: hub.endpoint });
  assertSameFiles(dir, source);
  const resumed = hub.log.slice(from).find((r) => r.method === 'GET' && r.url.endsWith('/model.safetensors') && r.url.startsWith('/cdn/'));
  assert.match(resumed?.range ?? '', /^bytes=[1-9]\d*-$/);
  assert.ok(!hub.log.slice(from).some((r) => r.method === 'GET' && r.url.endsWith('/config.json')), 'complete files are not fetched again');
});

test('a corrupted file (sha256 mismatch) leaves no file behind and says so', async () => {
  await ready;
  const cacheDir = tmp();
  hub.faults = { corrupt: new Set(['model.safetensors']) };
  await assert.rejects(ensureModel('test-org/tiny-gpt2', { cacheDir, endpoint: hub.endpoint }), (err: unknown) => {
    assert.ok(err instanceof MechLensError);
    assert.match(err.message, /sha256 of .*model\.safetensors is [0-9a-f]{64}, expected [0-9a-f]{64}; the file was removed/);
    return true;
  });
  hub.faults = {};
  const dir = modelCacheDir('test-org/tiny-gpt2', 'main', cacheDir);
  assert.deepEqual(fs.readdirSync(dir).filter((f) => f.startsWith('model.safetensors') || f === SOURCE_FILE), []);
  await assert.rejects(ensureModel('test-org/tiny-gpt2', { cacheDir, offline: true }), /missing model\.safetensors/);
});

test('sharded checkpoints download every shard from the index', async () => {
  await ready;
  const cacheDir = tmp();
  const dir = await ensureModel('test-org/sharded', { cacheDir, endpoint: hub.endpoint, revision: 'v1.0' });
  assert.equal(dir, path.join(cacheDir, 'models', 'test-org', 'sharded', 'v1.0'));
  assertSameFiles(dir, sharded);
  assert.equal(openCheckpoint(dir).files.length, 3);
  assert.ok(hub.log.some((r) => r.url === '/test-org/sharded/resolve/v1.0/model.safetensors.index.json'));
});

test('an unsupported architecture is refused before any weights are fetched; an unknown id names config.json', async () => {
  await ready;
  const cacheDir = tmp();
  await assert.rejects(ensureModel('test-org/llama', { cacheDir, endpoint: hub.endpoint }), /found model_type "mamba"/);
  assert.ok(!hub.log.some((r) => r.url.includes('test-org/llama') && r.url.endsWith('.safetensors')));
  await assert.rejects(ensureModel('test-org/missing', { cacheDir, endpoint: hub.endpoint }), (err: unknown) => {
    assert.ok(err instanceof MechLensError);
    assert.match(err.message, /The hub has no config\.json for test-org\/missing at revision main \(HTTP 404\)/);
    assert.match(err.message, /Check the model id/);
    return true;
  });
});

test('HEAD reads X-Linked-Size and the sha256 X-Linked-Etag of LFS files, Content-Length of git files', async () => {
  await ready;
  const weights = fs.readFileSync(path.join(source, 'model.safetensors'));
  const lfs = await headRequest(`${hub.endpoint}/test-org/tiny-gpt2/resolve/main/model.safetensors`);
  assert.deepEqual(lfs, { status: 200, size: weights.length, sha256: sha256(weights), commit: COMMIT });
  const git = await headRequest(`${hub.endpoint}/test-org/tiny-gpt2/resolve/main/config.json`);
  assert.deepEqual(git, { status: 200, size: fs.statSync(path.join(source, 'config.json')).size, sha256: undefined, commit: COMMIT });
  assert.equal((await headRequest(`${hub.endpoint}/test-org/tiny-gpt2/resolve/main/nope.json`)).status, 404);
  await assert.rejects(headRequest('http://127.0.0.1:1/x'), /Cannot reach 127\.0\.0\.1:1/);
});

test('a private repository needs the token, which is sent to the hub host only', async () => {
  await ready;
  const cacheDir = tmp();
  const saved = process.env.HF_TOKEN;
  delete process.env.HF_TOKEN;
  try {
    await assert.rejects(ensureModel('private-org/tiny', { cacheDir, endpoint: hub.endpoint }), /The hub refused access to private-org\/tiny \(HTTP 401 for config\.json\)/);
    const dir = await ensureModel('private-org/tiny', { cacheDir, endpoint: hub.endpoint, token: 'secret-token' });
    assertSameFiles(dir, source);
    // HF_TOKEN from the environment, with HF_ENDPOINT naming the hub, as huggingface_hub reads them.
    const fromEnv = await ensureModel('private-org/tiny', { cacheDir: tmp(), env: { HF_TOKEN: 'secret-token', HF_ENDPOINT: hub.endpoint, HF_HUB_CACHE: tmp() } });
    assertSameFiles(fromEnv, source);
  } finally {
    if (saved !== undefined) process.env.HF_TOKEN = saved;
  }
});
