// Fault injection on the download path (issue 19): a server on 127.0.0.1 that stalls, cuts
// connections, serves wrong bytes, answers 401/404/500 or redirects in a loop, each time with two
// clients asking for the same file at once. Whatever the fault, the cache ends either with the
// right file or with none, no lock is left behind, and each client gets the file or a one-line
// MechLensError that says what happened and what to do. docs/reliability.md lists the outcomes.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { downloadFile, type DownloadOptions, type DownloadResult } from '../../src/core/io/download';
import { MechLensError } from '../../src/core/errors';
import { SOURCE_FILE } from '../../src/core/models/checkpoint';
import { ensureModel, modelCacheDir } from '../../src/core/models/hub';
import { writeRandomGpt2Checkpoint } from '../../src/core/models/random-checkpoint';
import { startFaultServer, type Fault, type FaultServer } from './fault-server';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'mechlens-fault-'));
const body = randomBytes(200_000);
const sha256 = createHash('sha256').update(body).digest('hex');
/** Fast retries and lock polls; an idle timeout long enough that a busy test machine never trips it. */
const timing: DownloadOptions = { idleTimeoutMs: 10_000, retries: 2, retryDelayMs: 5, statusEveryMs: 50, lockPollMs: 5 };
/** For the stall tests: the same logic as the 30 s / 90 s defaults, at 200 ms idle per attempt and 500 ms in all. */
const stallTiming: DownloadOptions = { idleTimeoutMs: 200, maxStalledMs: 500 };

let server: FaultServer;
const ready = startFaultServer().then((s) => {
  server = s;
  server.addFile('/f.bin', body);
});
after(() => server.close());

type Outcome = { ok: DownloadResult } | { error: MechLensError };

/** Two clients at once on one destination; returns both outcomes and every status line. */
async function twoClients(fault: Fault | undefined, options: DownloadOptions = {}): Promise<{ outcomes: Outcome[]; statuses: string[]; dest: string; gets: number }> {
  await ready;
  server.clearFaults();
  if (fault) server.setFault('/f.bin', fault);
  const dest = path.join(tmp(), 'f.bin');
  const getsBefore = server.gets('/f.bin');
  const statuses: string[] = [];
  const one = () => downloadFile(`${server.url}/f.bin`, dest, { ...timing, ...options, sha256, expectedSize: body.length, onStatus: (m) => statuses.push(m) })
    .then((ok): Outcome => ({ ok }), (error: unknown): Outcome => {
      assert.ok(error instanceof MechLensError, `not a MechLensError: ${String(error)}`);
      return { error };
    });
  const outcomes = await Promise.all([one(), one()]);
  // Whatever happened, no lock is left, and the destination is the right file or absent.
  assert.deepEqual(fs.readdirSync(path.dirname(dest)).filter((f) => f.endsWith('.lock') || f.endsWith('.tmp')), []);
  if (fs.existsSync(dest)) assert.ok(fs.readFileSync(dest).equals(body), 'a wrong file under the final name');
  return { outcomes, statuses, dest, gets: server.gets('/f.bin') - getsBefore };
}

function assertBothGot(outcomes: Outcome[], dest: string): void {
  for (const o of outcomes) assert.ok('ok' in o, 'error' in o ? o.error.message : '');
  assert.ok(fs.readFileSync(dest).equals(body));
  assert.equal(fs.existsSync(`${dest}.part`), false);
}

function assertBothFailed(outcomes: Outcome[], message: RegExp, dest: string): void {
  for (const o of outcomes) {
    assert.ok('error' in o, 'expected a failure');
    assert.equal(o.error.code, 'download');
    assert.match(o.error.message, message);
    assert.ok(o.error.fix, 'the error says what to do');
  }
  assert.equal(fs.existsSync(dest), false);
}

test('no fault: one client downloads, the other waits and takes the finished file', async () => {
  const { outcomes, statuses, dest, gets } = await twoClients(undefined);
  assertBothGot(outcomes, dest);
  const reused = outcomes.filter((o) => 'ok' in o && o.ok.reused);
  assert.equal(reused.length, 1);
  assert.ok(statuses.some((m) => /^Waiting for another MechLens process \(pid \d+\) that is downloading f\.bin/.test(m)), statuses.join('\n'));
  assert.equal(gets, 1);
});

test('a server that never answers: each attempt gives up after the idle timeout, the total is bounded, the wait is shown', async () => {
  // Five attempts allowed, but the 0.5 s budget without data ends it after three.
  const { outcomes, statuses, dest } = await twoClients({ stall: true }, { ...stallTiming, retries: 4 });
  assertBothFailed(outcomes, /failed after 3 attempts \(0\.6 s in all without data\): no answer from 127\.0\.0\.1:\d+ for 0\.2 s\..*Check the network/, dest);
  assert.ok(statuses.some((m) => /^Waiting for 127\.0\.0\.1:\d+ to answer \(.* so far; an attempt gives up after 0\.2 s without data\)$/.test(m)), statuses.join('\n'));
  assert.ok(statuses.some((m) => /no answer from 127\.0\.0\.1:\d+ for 0\.2 s; trying again in/.test(m)));
});

test('a transfer that stalls midway is given up after the idle timeout and resumed', async () => {
  const { outcomes, dest } = await twoClients({ stallAfter: 50_000, times: 1 }, stallTiming);
  assertBothGot(outcomes, dest);
  assert.match(server.log.filter((r) => r.method === 'GET').at(-1)?.range ?? '', /^bytes=[1-9]\d*-$/);
});

test('connections cut midway are resumed with Range requests', async () => {
  const { outcomes, dest, gets } = await twoClients({ cutAfter: 30_000, times: 2 });
  assertBothGot(outcomes, dest);
  assert.equal(gets, 3);
});

test('wrong bytes every time: both fail on the sha256 of the file on disk, nothing is kept', async () => {
  const { outcomes, dest } = await twoClients({ wrongBytes: true });
  assertBothFailed(outcomes, /sha256 of .* is [0-9a-f]{64}, expected [0-9a-f]{64}; the file was removed/, dest);
  assert.equal(fs.existsSync(`${dest}.part`), false);
});

test('wrong bytes once: the first client fails, the waiting one then downloads the right file itself', async () => {
  const { outcomes, dest } = await twoClients({ wrongBytes: true, times: 1 });
  const failed = outcomes.filter((o) => 'error' in o);
  assert.equal(failed.length, 1);
  assert.match((failed[0] as { error: MechLensError }).error.message, /sha256 of/);
  assert.ok(fs.readFileSync(dest).equals(body));
});

for (const [status, message] of [
  [401, /HTTP 401 .*needs access rights: check the URL, or the token \(HF_TOKEN/],
  [404, /HTTP 404 .*Check the URL or name/],
  [500, /failed after 3 attempts: HTTP 500\..*Check the network/],
] as const) {
  test(`HTTP ${status} every time: both clients get "${message.source.slice(0, 30)}…"`, async () => {
    const { outcomes, dest } = await twoClients({ status });
    assertBothFailed(outcomes, message, dest);
  });
}

test('HTTP 500 twice, then the file: retried and downloaded', async () => {
  const { outcomes, dest } = await twoClients({ status: 500, times: 2 });
  assertBothGot(outcomes, dest);
});

test('a redirect loop ends with a message that says so and what to do', async () => {
  const { outcomes, dest } = await twoClients({ redirectLoop: true });
  assertBothFailed(outcomes, /Too many redirects \(10\) from http:\/\/127\.0\.0\.1:\d+\/f\.bin, the last to .*\/f\.bin\. The server redirects in a loop: check the URL \(or HF_ENDPOINT/, dest);
});

// Defect 2: a file under its final name with no record of MechLens downloading it is hashed first.
test('a model folder copied in by hand with files of the right size but other contents is fetched again, not trusted', async () => {
  await ready;
  server.clearFaults();
  const checkpoint = tmp();
  writeRandomGpt2Checkpoint(checkpoint, { nLayer: 1, nEmbd: 16, nHead: 2, nPositions: 32, seed: 5 });
  server.addRepo('test-org/copied', checkpoint);
  const cacheDir = tmp();
  const dir = modelCacheDir('test-org/copied', 'main', cacheDir);
  fs.mkdirSync(dir, { recursive: true });
  for (const name of ['model.safetensors', 'tokenizer.json', 'config.json']) {
    const real = fs.readFileSync(path.join(checkpoint, name));
    const other = Buffer.from(real);
    other[other.length >> 1] ^= 0x01; // same size, other contents
    fs.writeFileSync(path.join(dir, name), other);
  }
  await ensureModel('test-org/copied', { cacheDir, endpoint: server.url, timing });
  for (const name of ['model.safetensors', 'tokenizer.json', 'config.json']) {
    assert.ok(fs.readFileSync(path.join(dir, name)).equals(fs.readFileSync(path.join(checkpoint, name))), `${name} was accepted on its size`);
  }
  const before = server.log.length;
  fs.rmSync(path.join(dir, SOURCE_FILE));
  await ensureModel('test-org/copied', { cacheDir, endpoint: server.url, timing });
  assert.equal(server.log.slice(before).filter((r) => r.method === 'GET').length, 0, 'files MechLens downloaded and recorded are kept without fetching them again');
});

test('a hub that never answers the HEAD: a clear error after the idle timeout, not a hang', async () => {
  await ready;
  server.clearFaults();
  server.setFault('/test-org/silent/resolve/main/config.json', { stall: true });
  await assert.rejects(ensureModel('test-org/silent', { cacheDir: tmp(), endpoint: server.url, timing: { ...timing, ...stallTiming } }), (e: unknown) => {
    assert.ok(e instanceof MechLensError);
    assert.match(e.message, /Cannot reach 127\.0\.0\.1:\d+ \(no answer for 0\.2 s\)/);
    return true;
  });
});
