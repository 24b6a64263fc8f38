// Execution-provider choice per platform (pure), setting parsing, CPU fallback, and the session cache.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { providerCandidates, parseProviderSetting, type ProviderEnvironment } from '../../src/core/models/providers';
import { createInferenceSession, SessionCache, type InferenceRunner } from '../../src/core/models/runtime';
import { GraphBuilder } from '../../src/core/models/onnx-graph';
import { MechLensError } from '../../src/core/errors';

const env = (platform: NodeJS.Platform, extra: Partial<ProviderEnvironment> = {}): ProviderEnvironment =>
  ({ platform, arch: 'x64', cudaLibrariesPresent: false, vulkanPresent: false, ...extra });

test('auto picks the design order per platform and skips providers that cannot start', () => {
  assert.deepEqual(providerCandidates('auto', env('linux')), ['cpu']);
  assert.deepEqual(providerCandidates('auto', env('linux', { cudaLibrariesPresent: true })), ['cuda', 'cpu']);
  assert.deepEqual(providerCandidates('auto', env('linux', { cudaLibrariesPresent: true, vulkanPresent: true })), ['cuda', 'webgpu', 'cpu']);
  assert.deepEqual(providerCandidates('auto', env('linux', { cudaLibrariesPresent: true, arch: 'arm64' })), ['cpu'], 'no CUDA package for arm64');
  assert.deepEqual(providerCandidates('auto', env('win32')), ['dml', 'webgpu', 'cpu']);
  assert.deepEqual(providerCandidates('auto', env('darwin', { arch: 'arm64' })), ['coreml', 'webgpu', 'cpu']);
  assert.deepEqual(providerCandidates('auto', env('freebsd')), ['cpu']);
});

test('an explicit setting is tried first and still falls back to CPU', () => {
  assert.deepEqual(providerCandidates('cuda', env('linux')), ['cuda', 'cpu']);
  assert.deepEqual(providerCandidates('webgpu', env('win32')), ['webgpu', 'cpu']);
  assert.deepEqual(providerCandidates('cpu', env('linux', { cudaLibrariesPresent: true })), ['cpu']);
  assert.equal(parseProviderSetting(undefined), 'auto');
  assert.equal(parseProviderSetting(' CUDA '), 'cuda');
  assert.equal(parseProviderSetting(''), 'auto');
  assert.throws(() => parseProviderSetting('tpu'), (e: unknown) => e instanceof MechLensError && /unknown execution provider "tpu".*auto, cuda, webgpu, dml, coreml, cpu/.test(e.message));
});

function tinyModel(): Uint8Array {
  const g = new GraphBuilder();
  const x = g.input('input_ids', 'int64', ['batch', 'positions']);
  const table = g.weight('table', { dims: [4, 2], source: { kind: 'inline', data: new Float32Array([0, 1, 10, 11, 20, 21, 30, 31]) } });
  g.op1('Gather', [table, x], { axis: 0 }, 'rows');
  g.output('rows', 'float32', ['batch', 'positions', 2]);
  return g.encode('tiny');
}

test('a provider that cannot start falls back to CPU, says so once, and the runner records CPU', async () => {
  const logged: string[] = [];
  const pretend = env('linux', { cudaLibrariesPresent: true });
  // This machine has no CUDA provider library, so onnxruntime throws and CPU takes over.
  const runner = await createInferenceSession({ bytes: tinyModel(), label: 'tiny' }, { provider: 'cuda', environment: pretend, log: (m) => logged.push(m) });
  assert.equal(runner.provider, 'cpu');
  const out = await runner.run({ input_ids: { data: BigInt64Array.from([3n, 0n]), dims: [1, 2] } });
  assert.deepEqual(Array.from(out.rows.data), [30, 31, 0, 1]);
  assert.deepEqual(out.rows.dims, [1, 2, 2]);
  await runner.dispose();
  const again = await createInferenceSession({ bytes: tinyModel(), label: 'tiny' }, { provider: 'cuda', environment: pretend, log: (m) => logged.push(m) });
  await again.dispose();
  assert.equal(logged.length, 1, logged.join('\n'));
  assert.match(logged[0], /cuda: .*Running on CPU instead/);
});

test('a broken model fails with a message naming it', async () => {
  await assert.rejects(createInferenceSession({ bytes: new Uint8Array([8, 7, 18, 0]), label: 'broken.onnx' }, { provider: 'cpu' }),
    (e: unknown) => e instanceof MechLensError && /broken\.onnx: onnxruntime could not load the model graph/.test(e.message));
});

test('the session cache reuses by key, evicts the least recently used, and releases after runs finish', async () => {
  const released: string[] = [];
  const fake = (name: string): InferenceRunner => ({
    provider: 'cpu', inputNames: [], outputNames: [],
    run: async () => ({}),
    dispose: async () => { released.push(name); },
  });
  const cache = new SessionCache(2);
  let created = 0;
  const make = (name: string) => async () => { created++; return fake(name); };
  const a = await cache.get('a', make('a'));
  assert.equal(await cache.get('a', make('a')), a);
  await cache.get('b', make('b'));
  await cache.get('a', make('a')); // a is now the most recent
  await cache.get('c', make('c'));
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(released, ['b']);
  assert.equal(created, 3);
  await assert.rejects(cache.get('bad', async () => { throw new Error('no'); }));
  assert.equal(cache.size, 2, 'failed creations are not cached');
  await cache.dispose();
  assert.deepEqual(released.sort(), ['a', 'b', 'c']);
});
