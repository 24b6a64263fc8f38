// Two processes that want the same cache entry at once (issue 19, defect 1): two real child
// processes against a server on 127.0.0.1. The server holds the first transfer of the weights at a
// gate until the second process reports that it waits, so the overlap is certain, not a matter of timing.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { SOURCE_FILE } from '../../src/core/models/checkpoint';
import { ensureModel, MODEL_LOCK_FILE, modelCacheDir } from '../../src/core/models/hub';
import { writeRandomGpt2Checkpoint } from '../../src/core/models/random-checkpoint';
import { catalogCachePath } from '../../src/core/vectors/catalog';
import { startFaultServer, type FaultServer } from './fault-server';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'mechlens-conc-'));
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const childScript = path.join(__dirname, 'download-child.ts');

const checkpoint = tmp();
writeRandomGpt2Checkpoint(checkpoint, { nLayer: 1, nEmbd: 16, nHead: 2, nPositions: 32, seed: 3 });
const weightsBytes = fs.statSync(path.join(checkpoint, 'model.safetensors')).size;
const REPO = 'test-org/tiny';
const WEIGHTS_GET = `/cdn/${REPO}/model.safetensors`;

let server: FaultServer;
const ready = (async () => {
  server = await startFaultServer();
  server.addRepo(REPO, checkpoint);
})();
after(() => server.close());

interface Child {
  process: ChildProcess;
  lines: string[];
  /** Resolves with the first output line that matches. */
  line(pattern: RegExp): Promise<string>;
  exit: Promise<number | null>;
}

function startChild(args: string[]): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', childScript, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_OPTIONS: '' } });
  const lines: string[] = [];
  const watchers: Array<{ pattern: RegExp; resolve: (l: string) => void }> = [];
  let rest = '';
  child.stdout!.setEncoding('utf8').on('data', (text: string) => {
    rest += text;
    const parts = rest.split('\n');
    rest = parts.pop()!;
    for (const l of parts) {
      lines.push(l);
      for (const w of watchers.filter((x) => x.pattern.test(l))) {
        watchers.splice(watchers.indexOf(w), 1);
        w.resolve(l);
      }
    }
  });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (t: string) => (stderr += t));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => {
    if (code !== 0 && stderr) lines.push(`stderr ${stderr}`);
    resolve(code);
  }));
  return {
    process: child,
    lines,
    // Rejects if the child ends without such a line (so a child that never waits fails the test, not hangs it).
    line: (pattern) => new Promise((resolve, reject) => {
      const seen = lines.find((l) => pattern.test(l));
      if (seen) return resolve(seen);
      watchers.push({ pattern, resolve });
      void exit.then(() => reject(new Error(`the child ended without a line matching ${pattern}:\n${lines.join('\n')}`)));
    }),
    exit,
  };
}

/** Waits for a condition on the disk (the child writes what it got; no fixed sleep). */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 20));
}

function assertCompleteModel(dir: string): void {
  for (const name of fs.readdirSync(checkpoint)) {
    assert.ok(fs.readFileSync(path.join(dir, name)).equals(fs.readFileSync(path.join(checkpoint, name))), `${name} differs from the served one`);
  }
  const record = JSON.parse(fs.readFileSync(path.join(dir, SOURCE_FILE), 'utf8')) as { files: Array<{ name: string; bytes: number; sha256: string | null }> };
  const weights = record.files.find((f) => f.name === 'model.safetensors')!;
  assert.equal(weights.bytes, weightsBytes);
  assert.equal(weights.sha256, sha256(fs.readFileSync(path.join(checkpoint, 'model.safetensors'))));
  const left = fs.readdirSync(dir).filter((f) => f.endsWith('.part') || f.endsWith('.lock') || f.endsWith('.tmp'));
  assert.deepEqual(left, [], 'no .part, .lock or temporary file is left');
}

test('two processes downloading one model: the second waits, says so, then uses the entry the first completed', async () => {
  await ready;
  const cacheDir = tmp();
  server.setFault(WEIGHTS_GET, { gateAfter: 1000, times: 1 });
  const first = startChild(['model', REPO, cacheDir, server.url]);
  await server.gateReached(); // the first process is halfway through the weights
  const second = startChild(['model', REPO, cacheDir, server.url]);
  const waiting = await second.line(/^status /);
  assert.match(waiting, new RegExp(`Waiting for another MechLens process \\(pid ${first.process.pid}\\) that is downloading ${REPO}`));
  server.openGate();
  assert.equal(await first.exit, 0, first.lines.join('\n'));
  assert.equal(await second.exit, 0, second.lines.join('\n'));
  const dir = modelCacheDir(REPO, 'main', cacheDir);
  assert.equal(first.lines.at(-1), `done ${dir}`);
  assert.equal(second.lines.at(-1), `done ${dir}`);
  assertCompleteModel(dir);
  assert.equal(server.gets(WEIGHTS_GET), 1, 'the weights were fetched once');
  assert.equal(server.gets(`/${REPO}/resolve/main/tokenizer.json`), 1, 'tokenizer.json was fetched once');
  server.clearFaults();
});

test('a process killed mid-download leaves a stale lock (dead pid) that the next run breaks, then resumes the part', async () => {
  await ready;
  const cacheDir = tmp();
  server.setFault(WEIGHTS_GET, { gateAfter: 1000, times: 1 });
  const before = server.gets(WEIGHTS_GET);
  const victim = startChild(['model', REPO, cacheDir, server.url]);
  await server.gateReached();
  const dir = modelCacheDir(REPO, 'main', cacheDir);
  await until(() => (fs.statSync(path.join(dir, 'model.safetensors.part'), { throwIfNoEntry: false })?.size ?? 0) >= 1000);
  victim.process.kill('SIGKILL');
  await victim.exit;
  server.openGate();
  const lock = JSON.parse(fs.readFileSync(path.join(dir, MODEL_LOCK_FILE), 'utf8')) as { pid: number };
  assert.equal(lock.pid, victim.process.pid, 'the killed process left its lock');
  assert.ok(fs.existsSync(path.join(dir, 'model.safetensors.part')));
  const statuses: string[] = [];
  await ensureModel(REPO, { cacheDir, endpoint: server.url, onStatus: (m) => statuses.push(m), timing: { lockPollMs: 20 } });
  assertCompleteModel(dir);
  assert.deepEqual(statuses.filter((m) => /Waiting for another/.test(m)), [], 'a dead owner is not waited for');
  const resumed = server.log.filter((r) => r.method === 'GET' && r.path === WEIGHTS_GET).slice(before).at(-1);
  assert.match(resumed?.range ?? '', /^bytes=[1-9]\d*-$/, 'the part was resumed');
  server.clearFaults();
});

test('two processes fetching one catalog vector set: one download, both get the verified file', async () => {
  await ready;
  const cacheDir = tmp();
  const gz = gzipSync(Buffer.from(Array.from({ length: 3000 }, (_, i) => `w${i} ${(i % 7) / 7} ${randomBytes(1)[0] / 255}`).join('\n')));
  const entry = {
    name: 'test-vectors-2', description: 'test', dims: 2, vocabSize: 3000, downloadBytes: gz.length,
    md5: createHash('md5').update(gz).digest('hex'), format: 'glove-text', cased: true, license: 'test',
  };
  const urlPath = `/${entry.name}/${entry.name}.gz`;
  server.addFile(urlPath, gz);
  server.setFault(urlPath, { gateAfter: 500, times: 1 });
  const args = ['vectors', entry.name, cacheDir, server.url, JSON.stringify(entry)];
  const first = startChild(args);
  await server.gateReached();
  const second = startChild(args);
  assert.equal(await second.line(/^status /), `status test-vectors-2: Waiting for another MechLens process (pid ${first.process.pid}) that is downloading test-vectors-2.gz`);
  server.openGate();
  assert.equal(await first.exit, 0, first.lines.join('\n'));
  assert.equal(await second.exit, 0, second.lines.join('\n'));
  const dest = catalogCachePath(entry.name, cacheDir);
  assert.equal(second.lines.at(-1), `done ${dest}`);
  assert.ok(fs.readFileSync(dest).equals(gz));
  assert.equal(server.gets(urlPath), 1);
  // Beside the set only its verified-download record (core/vectors/catalog.ts): no .part, no lock.
  assert.deepEqual(fs.readdirSync(path.dirname(dest)).filter((f) => f !== path.basename(dest)), [`.${path.basename(dest)}.verified.json`]);
  server.clearFaults();
});
