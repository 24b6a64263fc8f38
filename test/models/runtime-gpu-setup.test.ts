// GPU setup against a local 127.0.0.1 server: a NuGet-like package (a zip built here) with the two
// CUDA provider libraries, the registration/catalog JSON that states its SHA-512, and failures.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { setupCudaProvider, cudaPackageUrls } from '../../src/core/models/gpu-setup';
import { listZipEntries, readZipEntry } from '../../src/core/io/zip';
import { makeZip } from '../helpers/zip';
import { MechLensError } from '../../src/core/errors';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mechlens-gpusetup-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));

const cudaLib = Buffer.from(Array.from({ length: 200_000 }, (_, i) => (i * 7919) % 251));
const sharedLib = Buffer.from('ELF shared provider bridge '.repeat(100));
const pkg = makeZip([
  { name: '[Content_Types].xml', data: Buffer.from('<Types/>') },
  { name: 'runtimes/linux-x64/native/libonnxruntime.so', data: Buffer.from('not wanted') },
  { name: 'runtimes/linux-x64/native/libonnxruntime_providers_cuda.so', data: cudaLib },
  { name: 'runtimes/linux-x64/native/libonnxruntime_providers_shared.so', data: sharedLib, store: true },
]);
const pkgSha512 = createHash('sha512').update(pkg).digest('base64');
const hits: string[] = [];
let corrupt = false;
const server = http.createServer((req, res) => {
  hits.push(req.url ?? '');
  const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  if (req.url === '/leaf.json') { res.end(JSON.stringify({ catalogEntry: `${base}/catalog.json` })); return; }
  if (req.url === '/catalog.json') { res.end(JSON.stringify({ packageHash: pkgSha512, packageHashAlgorithm: 'SHA512' })); return; }
  if (req.url === '/pkg.nupkg') {
    const body = corrupt ? Buffer.concat([pkg.subarray(0, 100), Buffer.from([pkg[100] ^ 1]), pkg.subarray(101)]) : pkg;
    res.setHeader('content-length', body.length);
    res.end(body);
    return;
  }
  if (req.url === '/no-cuda.nupkg') { res.end(makeZip([{ name: 'readme.txt', data: Buffer.from('x') }])); return; }
  res.statusCode = 404;
  res.end();
});
before(() => new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r())));
after(() => server.close());
const base = () => `http://127.0.0.1:${(server.address() as { port: number }).port}`;

test('downloads the package, checks NuGet\'s SHA-512, and writes both libraries next to onnxruntime', async () => {
  const targetDir = path.join(tmp, 'native');
  const cacheDir = path.join(tmp, 'cache');
  const progress: string[] = [];
  const r = await setupCudaProvider({ cacheDir, targetDir, version: '1.30.0', packageUrl: `${base()}/pkg.nupkg`, registrationUrl: `${base()}/leaf.json`, onProgress: (p) => progress.push(p.message) });
  assert.deepEqual(r.files.map((f) => path.basename(f)), ['libonnxruntime_providers_cuda.so', 'libonnxruntime_providers_shared.so']);
  assert.deepEqual(fs.readFileSync(path.join(targetDir, 'libonnxruntime_providers_cuda.so')), cudaLib);
  assert.deepEqual(fs.readFileSync(path.join(targetDir, 'libonnxruntime_providers_shared.so')), sharedLib);
  assert.ok(!fs.existsSync(path.join(targetDir, 'libonnxruntime.so')), 'only the provider libraries are taken');
  assert.equal(r.sha512, pkgSha512);
  assert.ok(progress.some((m) => /Downloading/.test(m)));
  // A second run finds the verified package in the cache and downloads nothing.
  hits.length = 0;
  await setupCudaProvider({ cacheDir, targetDir, version: '1.30.0', packageUrl: `${base()}/pkg.nupkg`, registrationUrl: `${base()}/leaf.json` });
  assert.deepEqual(hits, ['/leaf.json', '/catalog.json']);
});

test('a package whose SHA-512 differs is removed and nothing is installed', async () => {
  corrupt = true;
  try {
    const targetDir = path.join(tmp, 'native-bad');
    const cacheDir = path.join(tmp, 'cache-bad');
    await assert.rejects(
      setupCudaProvider({ cacheDir, targetDir, version: '1.30.0', packageUrl: `${base()}/pkg.nupkg`, expectedSha512: pkgSha512 }),
      (e: unknown) => e instanceof MechLensError && /SHA-512 of Microsoft\.ML\.OnnxRuntime\.Gpu\.Linux 1\.30\.0 is .* but NuGet states/.test(e.message),
    );
    assert.ok(!fs.existsSync(path.join(targetDir, 'libonnxruntime_providers_cuda.so')));
    assert.deepEqual(fs.readdirSync(cacheDir), []);
  } finally {
    corrupt = false;
  }
});

test('a package without the libraries, and damaged zips, fail with clear messages', async () => {
  const noCuda = makeZip([{ name: 'readme.txt', data: Buffer.from('x') }]);
  await assert.rejects(
    setupCudaProvider({ cacheDir: path.join(tmp, 'c3'), targetDir: path.join(tmp, 'n3'), version: '9.9.9', packageUrl: `${base()}/no-cuda.nupkg`, expectedSha512: createHash('sha512').update(noCuda).digest('base64') }),
    /has no runtimes\/linux-x64\/native\/libonnxruntime_providers_cuda\.so/,
  );
  const junk = path.join(tmp, 'junk.nupkg');
  fs.writeFileSync(junk, 'this is not a zip file at all');
  assert.throws(() => listZipEntries(junk), /is not a readable zip archive \(.zip, .npz or NuGet package\): no end-of-central-directory record/);
  const flipped = Buffer.from(pkg);
  const entries = (() => { fs.writeFileSync(junk, flipped); return listZipEntries(junk); })();
  const cuda = entries.find((e) => e.name.endsWith('cuda.so'))!;
  flipped[cuda.localHeaderOffset + 30 + cuda.name.length + 10] ^= 0xff; // inside the deflated data
  fs.writeFileSync(junk, flipped);
  assert.throws(() => readZipEntry(junk, cuda), /fails its CRC check|invalid|incorrect/);
  assert.equal(cudaPackageUrls('1.30.0').packageUrl, 'https://www.nuget.org/api/v2/package/Microsoft.ML.OnnxRuntime.Gpu.Linux/1.30.0');
});
