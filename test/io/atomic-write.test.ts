import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { openAtomicFile, openTempFilePaths, removeOpenTempFilesSync, writeFileAtomic, writeFileAtomicSync } from '../../src/core/io/atomic-write';
import { writeJsonFileSync } from '../../src/core/io/json-stream';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'mechlens-atomic-'));

test('a process killed in the middle of writing a result leaves the previous result whole', async () => {
  const dir = tmp();
  const target = path.join(dir, 'out.json');
  const previous = JSON.stringify({ schemaVersion: 1, run: 'previous' });
  fs.writeFileSync(target, previous);
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'atomic-child.ts'), target], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, NODE_OPTIONS: '' } });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => { if (d.toString().includes('mid')) resolve(); });
    child.on('exit', (code) => reject(new Error(`the writer ended (${code}) before it got halfway`)));
  });
  const temp = fs.readdirSync(dir).filter((f) => f.endsWith('.tmp'));
  assert.equal(temp.length, 1, 'the writer works on a temporary file beside the target');
  assert.ok(fs.statSync(path.join(dir, temp[0])).size > 1 << 20, 'more than a megabyte was already written');
  child.kill('SIGKILL');
  await new Promise((resolve) => child.on('exit', resolve));
  assert.equal(fs.readFileSync(target, 'utf8'), previous);
});

test('writeFileAtomicSync and writeFileAtomic replace the file and leave no temporary file', async () => {
  const dir = tmp();
  const target = path.join(dir, 'sub', 'x.txt');
  writeFileAtomicSync(target, 'one');
  assert.equal(fs.readFileSync(target, 'utf8'), 'one');
  await writeFileAtomic(target, new Uint8Array([116, 119, 111]));
  assert.equal(fs.readFileSync(target, 'utf8'), 'two');
  assert.deepEqual(fs.readdirSync(path.dirname(target)), ['x.txt']);
});

test('a failed write (the serializer throws) leaves the previous file and no temporary file', () => {
  const dir = tmp();
  const target = path.join(dir, 'out.json');
  fs.writeFileSync(target, '{"ok":true}');
  const cyclic: Record<string, unknown> = { rows: [[1, 2]] };
  cyclic.self = cyclic;
  assert.throws(() => writeJsonFileSync(target, cyclic), /circular/);
  assert.equal(fs.readFileSync(target, 'utf8'), '{"ok":true}');
  assert.deepEqual(fs.readdirSync(dir), ['out.json']);
});

test('nothing appears under the target name before commit; abort drops the temporary file', () => {
  const dir = tmp();
  const target = path.join(dir, 'a.bin');
  const file = openAtomicFile(target);
  file.write('partial');
  assert.equal(fs.existsSync(target), false);
  assert.equal(path.dirname(file.tempPath), dir, 'same folder, so the rename is atomic');
  file.abort();
  assert.deepEqual(fs.readdirSync(dir), []);
});

// The CLI's exit on Ctrl-C does not wait for a thread stuck in a native call (src/cli/main.ts): it
// deletes the temporary files of every thread's writes in progress, which the main thread learns of
// from the other threads' announcements, then exits.
test('a temporary file open in a worker thread is known to the main thread and removed by removeOpenTempFilesSync; the target stays as it was', async () => {
  const dir = tmp();
  const target = path.join(dir, 'weights.bin');
  fs.writeFileSync(target, 'previous');
  const release = new Int32Array(new SharedArrayBuffer(4));
  const module = path.join(__dirname, '../../src/core/io/atomic-write.ts');
  // The thread opens a file, writes, tells us where, and then holds on (as a thread inside onnxruntime would).
  const code = `require('tsx/cjs'); const { workerData, parentPort } = require('node:worker_threads');
    const file = require(workerData.module).openAtomicFile(workerData.target); file.write('partial bytes');
    parentPort.postMessage(file.tempPath);
    while (Atomics.wait(workerData.release, 0, 0, 50) === 'timed-out') {}`;
  const worker = new Worker(code, { eval: true, workerData: { module, target, release } });
  try {
    const tempPath = await new Promise<string>((resolve, reject) => { worker.once('message', resolve); worker.once('error', reject); });
    assert.ok(fs.existsSync(tempPath));
    // The announcement travels on a BroadcastChannel; it arrives within a few turns of the event loop.
    for (let turn = 0; turn < 100 && !openTempFilePaths().includes(tempPath); turn++) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.deepEqual(openTempFilePaths(), [tempPath], 'the main thread knows the worker\'s temporary file');
    removeOpenTempFilesSync();
    assert.deepEqual(fs.readdirSync(dir), ['weights.bin'], 'the temporary file is gone');
    assert.equal(fs.readFileSync(target, 'utf8'), 'previous');
    assert.deepEqual(openTempFilePaths(), []);
  } finally {
    Atomics.store(release, 0, 1);
    await worker.terminate();
  }
});
