import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CancelledError } from '../../src/core/errors';
import { acquireLock, readLockOwner } from '../../src/core/io/file-lock';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'mechlens-lock-'));

/** A pid that belonged to a process that has ended. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

function writeLock(file: string, pid: number, host = os.hostname()): void {
  fs.writeFileSync(file, JSON.stringify({ pid, host, startedAt: new Date().toISOString() }));
}

test('a free lock is taken with this process as owner, and released', async () => {
  const file = path.join(tmp(), 'x.lock');
  const lock = await acquireLock(file);
  assert.equal(lock.waited, false);
  assert.equal(readLockOwner(file)?.pid, process.pid);
  assert.equal(readLockOwner(file)?.host, os.hostname());
  lock.release();
  assert.equal(fs.existsSync(file), false);
  assert.deepEqual(fs.readdirSync(path.dirname(file)), [], 'no temporary file is left');
});

test('a lock whose owner pid is dead on this host is stale and is taken over at once', async () => {
  const file = path.join(tmp(), 'x.lock');
  writeLock(file, deadPid());
  const waits: unknown[] = [];
  const lock = await acquireLock(file, { onWait: (o) => waits.push(o) });
  assert.deepEqual(waits, []);
  assert.equal(readLockOwner(file)?.pid, process.pid);
  lock.release();
});

test('a lock of a live owner that has not been touched for staleMs is stale; a fresh one is waited for', async () => {
  const dir = tmp();
  const file = path.join(dir, 'x.lock');
  writeLock(file, process.ppid);
  const controller = new AbortController();
  const waits: Array<number | undefined> = [];
  await assert.rejects(acquireLock(file, {
    staleMs: 60_000, pollMs: 5, signal: controller.signal,
    onWait: (owner) => { waits.push(owner?.pid); controller.abort(); },
  }), CancelledError);
  assert.deepEqual(waits, [process.ppid], 'the wait names the owner');
  assert.equal(readLockOwner(file)?.pid, process.ppid, 'a live lock is left alone');

  const old = new Date(Date.now() - 120_000);
  fs.utimesSync(file, old, old);
  const lock = await acquireLock(file, { staleMs: 60_000, pollMs: 5 });
  assert.equal(readLockOwner(file)?.pid, process.pid);
  lock.release();
});

test('a lock from another host is judged by its age only (its pid means nothing here)', async () => {
  const file = path.join(tmp(), 'x.lock');
  writeLock(file, deadPid(), 'some-other-host');
  const controller = new AbortController();
  await assert.rejects(acquireLock(file, { pollMs: 5, signal: controller.signal, onWait: () => controller.abort() }), CancelledError);
});

test('the owner touches its lock while it works, so a long download is not judged stale', async () => {
  const file = path.join(tmp(), 'x.lock');
  const lock = await acquireLock(file, { staleMs: 80 });
  const old = new Date(Date.now() - 60_000);
  fs.utimesSync(file, old, old);
  while (Date.now() - fs.statSync(file).mtimeMs > 30_000) await new Promise((r) => setTimeout(r, 5));
  lock.release();
});

test('two waiters in one process take turns', async () => {
  const file = path.join(tmp(), 'x.lock');
  const order: string[] = [];
  const first = await acquireLock(file);
  const second = acquireLock(file, { pollMs: 5 }).then((l) => { order.push('second'); return l; });
  order.push('first');
  first.release();
  const held = await second;
  assert.equal(held.waited, true);
  assert.deepEqual(order, ['first', 'second']);
  held.release();
});

test('release leaves a lock that another process took over alone', async () => {
  const file = path.join(tmp(), 'x.lock');
  const lock = await acquireLock(file);
  writeLock(file, process.ppid);
  lock.release();
  assert.equal(readLockOwner(file)?.pid, process.ppid);
});
