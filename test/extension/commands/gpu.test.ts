// "MechLens: Set Up GPU (CUDA)" driven through the fake vscode module: the whole flow against a
// NuGet-like server on 127.0.0.1 (registration, catalog with the SHA-512, the package), and each
// way it can end: unsupported platform, no NVIDIA driver, download failure, cancel.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { installFakeVscode, recorded } from '../fake-vscode';
import { startServer, type TestServer } from '../../download/http-fixture';
import { makeZip } from '../../helpers/zip';

import { MechLensError } from '../../../src/core/errors';

installFakeVscode();
type GpuCommand = typeof import('../../../src/extension/commands/gpu');
// Loaded after the fake is installed, so its `import * as vscode` gets the fake.
let cmd: GpuCommand;
const setUpGpu: GpuCommand['setUpGpu'] = (s) => cmd.setUpGpu(s);

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mechlens-gpucmd-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));

const cudaLib = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 31) % 253));
const sharedLib = Buffer.from('provider bridge '.repeat(64));
const pkg = makeZip([
  { name: 'runtimes/linux-x64/native/libonnxruntime_providers_cuda.so', data: cudaLib },
  { name: 'runtimes/linux-x64/native/libonnxruntime_providers_shared.so', data: sharedLib },
]);
const sha512 = createHash('sha512').update(pkg).digest('base64');
let server: TestServer;

before(async () => {
  cmd = await import('../../../src/extension/commands/gpu');
  server = await startServer({
    '/leaf.json': { body: Buffer.from(JSON.stringify({ catalogEntry: { packageHash: sha512, packageHashAlgorithm: 'SHA512' } })) },
    '/pkg.nupkg': { body: pkg },
    '/stall.nupkg': { body: pkg, stallAfter: 1000 },
  });
});
after(() => server.close());
beforeEach(() => {
  for (const list of [recorded.errors, recorded.infos, recorded.log, recorded.progress, recorded.commands, recorded.errorActions, recorded.errorButtons]) list.length = 0;
});

interface Logged { lines: string[]; shown: number }
function makeLog(): Logged & { info(m: string): void; warn(m: string): void; error(c: string, e: unknown): void; show(): void } {
  const log = { lines: [] as string[], shown: 0 };
  return Object.assign(log, {
    info: (m: string) => log.lines.push(`info ${m}`),
    warn: (m: string) => log.lines.push(`warn ${m}`),
    error: (c: string, e: unknown) => log.lines.push(`error ${c}: ${e instanceof Error ? e.message : String(e)}`),
    show: () => { log.shown++; },
  });
}

function services(name: string, packagePath = '/pkg.nupkg', driver = true) {
  const log = makeLog();
  const targetDir = path.join(tmp, name, 'native');
  return {
    log, targetDir,
    svc: {
      log, cacheDir: path.join(tmp, name, 'cache'), platform: 'linux' as NodeJS.Platform, arch: 'x64',
      detectDriver: () => ({ found: driver, looked: '/proc/driver/nvidia/version and libcuda.so.1 in /nowhere', version: driver ? '550.54' : undefined }),
      setupOptions: { targetDir, version: '1.30.0', packageUrl: `${server.url}${packagePath}`, registrationUrl: `${server.url}/leaf.json` },
    },
  };
}

test('the command downloads the package, checks its SHA-512, places both libraries and says where', async () => {
  const { svc, log, targetDir } = services('ok');
  assert.equal(await setUpGpu(svc), 'installed');
  assert.deepEqual(fs.readFileSync(path.join(targetDir, 'libonnxruntime_providers_cuda.so')), cudaLib);
  assert.deepEqual(fs.readFileSync(path.join(targetDir, 'libonnxruntime_providers_shared.so')), sharedLib);
  assert.deepEqual(server.requests.map((r) => r.path).filter((p) => p !== '/stall.nupkg'), ['/leaf.json', '/pkg.nupkg']);
  // Progress: the steps by name, increments that never go backwards or past 100 %.
  const messages = recorded.progress.map((p) => p.message ?? '');
  assert.ok(messages.some((m) => /^Looking up the checksum/.test(m)) && messages.some((m) => /^Downloading Microsoft\.ML\.OnnxRuntime\.Gpu\.Linux 1\.30\.0 \(\d+ %\)$/.test(m)), messages.join(' | '));
  const increments = recorded.progress.map((p) => p.increment ?? 0);
  assert.ok(increments.every((i) => i >= 0));
  assert.equal(increments.reduce((a, b) => a + b, 0), 100);
  assert.equal(recorded.errors.length, 0, recorded.errors.join('\n'));
  assert.match(recorded.infos[0], new RegExp(`CUDA provider 1\\.30\\.0 installed in ${targetDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\. .*CUDA 12 and cuDNN 9`));
  assert.ok(log.lines.some((l) => l.includes(`SHA-512 ${sha512}`)), log.lines.join('\n'));
});

test('on Windows or macOS the command names the built-in provider and offers the setting instead', async () => {
  for (const [platform, builtIn] of [['win32', 'DirectML'], ['darwin', 'CoreML']] as const) {
    recorded.errors.length = 0;
    recorded.errorActions.push('Open Settings');
    const { svc } = services(`os-${platform}`);
    assert.equal(await setUpGpu({ ...svc, platform, arch: 'arm64', setup: async () => assert.fail('no download on an unsupported platform') }), 'unsupported');
    assert.match(recorded.errors[0], new RegExp(`needs Linux on x64, and this is ${platform} arm64\\. On .*${builtIn} is built in`));
  }
  assert.ok(recorded.commands.some((c) => c.startsWith('workbench.action.openSettings "mechlens.executionProvider"')), recorded.commands.join('\n'));
});

test('without an NVIDIA driver the command stops and says what to install, unless the user downloads anyway', async () => {
  const stopped = services('no-driver', '/pkg.nupkg', false);
  let calls = 0;
  const counting = { ...stopped.svc, setup: async () => { calls++; throw new Error('not reached'); } };
  assert.equal(await setUpGpu(counting), 'no-driver');
  assert.equal(calls, 0);
  assert.match(recorded.errors[0], /no NVIDIA driver found .*Install the NVIDIA driver and the CUDA 12 and cuDNN 9 runtime libraries, then run "MechLens: Set Up GPU \(CUDA\)" again/);
  assert.deepEqual(recorded.errorButtons[0], ['Download Anyway', 'Open Log']);
  assert.ok(stopped.log.lines.some((l) => l.includes('looked at /proc/driver/nvidia/version')));

  recorded.errorActions.push('Download Anyway');
  const anyway = services('driver-anyway', '/pkg.nupkg', false);
  assert.equal(await setUpGpu(anyway.svc), 'installed');
  assert.ok(fs.existsSync(path.join(anyway.targetDir, 'libonnxruntime_providers_cuda.so')));
});

test('a failed download names the URL and the fix, offers Retry and the log, and installs nothing', async () => {
  const { svc, log, targetDir } = services('missing', '/no-such.nupkg');
  recorded.errorActions.push('Open Log');
  assert.equal(await setUpGpu(svc), 'failed');
  assert.match(recorded.errors[0], /downloading the CUDA provider \(Microsoft\.ML\.OnnxRuntime\.Gpu\.Linux\) failed: .*HTTP 404.*no-such\.nupkg.* Check the internet connection \(and the proxy settings\), then choose Retry\./);
  assert.deepEqual(recorded.errorButtons[0], ['Retry', 'Open Log']);
  assert.equal(log.shown, 1);
  assert.ok(log.lines.some((l) => l.startsWith('error GPU setup failed')));
  assert.ok(!fs.existsSync(path.join(targetDir, 'libonnxruntime_providers_cuda.so')));
  // Retry runs the whole command again (here failing the same way, then dismissed).
  recorded.errors.length = 0;
  recorded.errorActions.push('Retry', undefined);
  assert.equal(await setUpGpu(svc), 'failed');
  assert.equal(recorded.errors.length, 2);
});

test('cancelling during the download stops it and installs nothing', async () => {
  const { svc, targetDir } = services('cancel', '/stall.nupkg');
  const run = setUpGpu(svc);
  // Cancel once the stalled transfer has reported progress.
  for (let i = 0; i < 200 && !recorded.progress.some((p) => /^Downloading/.test(p.message ?? '')); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(recorded.progress.some((p) => /^Downloading/.test(p.message ?? '')), 'the download started');
  recorded.cancelProgress();
  assert.equal(await run, 'cancelled');
  assert.match(recorded.infos[0], /GPU setup cancelled; nothing was installed/);
  assert.equal(recorded.errors.length, 0);
  assert.ok(!fs.existsSync(path.join(targetDir, 'libonnxruntime_providers_cuda.so')));
});

test('the driver probe reads /proc\'s version or finds libcuda.so.1; messages for other errors', () => {
  const proc = path.join(tmp, 'nvidia-version');
  fs.writeFileSync(proc, 'NVRM version: NVIDIA UNIX x86_64 Kernel Module  550.54.14  Thu Feb 22 01:44:30 UTC 2024\n');
  assert.deepEqual({ ...cmd.detectNvidiaDriver(proc, []), looked: '' }, { found: true, version: '550.54.14', looked: '' });
  const libDir = path.join(tmp, 'lib');
  fs.mkdirSync(libDir);
  assert.equal(cmd.detectNvidiaDriver(path.join(tmp, 'absent'), [libDir]).found, false);
  fs.writeFileSync(path.join(libDir, 'libcuda.so.1'), '');
  assert.equal(cmd.detectNvidiaDriver(path.join(tmp, 'absent'), [libDir]).found, true);
  assert.match(cmd.failureMessage(new MechLensError('unsupported', 'cannot write x into onnxruntime\'s folder (EACCES)', { input: '/opt/ort', fix: 'Make the folder writable.' })),
    /^MechLens: the CUDA provider setup failed: \/opt\/ort: cannot write x into onnxruntime's folder \(EACCES\)\. Make the folder writable\.$/);
});
