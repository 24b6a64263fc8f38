// The long-lived worker pool (src/core/worker/client.ts): one thread serves run after run; a thread
// that crashes is replaced; a cancelled task that does not answer within the grace is abandoned (a
// fresh thread serves the next run) and its thread ended only once the task returns; shutdown ends
// everything. The pool's bookkeeping is driven here by a scripted fake thread that speaks the worker
// protocol and can hang, block as a native call does, crash or answer late on demand, and its timers
// by a manual clock; the real worker is checked at the end (reuse, fresh files).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CancelledError, MechLensError } from '../../src/core/errors';
import { WorkerPool, type WorkerEntry } from '../../src/core/worker/client';
import { manualClock } from '../helpers/manual-clock';
import { runCompare, type CompareInput } from '../../src/core/analyses/compare';
import { syntheticSpaces } from '../../src/core/analyses/demo-vectors';
import { writeVectorFile } from '../../src/core/vectors';
import { writeRandomGpt2Checkpoint } from '../../src/core/models/random-checkpoint';
import { forgetLoadedModels } from '../../src/core/models/capture-model';
import { defaultSessionCache } from '../../src/core/models/runtime';

/** A fake worker: tasks named for the fault they play. Answers carry the thread id, to tell threads apart. */
const FAKE: WorkerEntry = {
  file: 'fake-worker',
  bootstrap: `
    const { parentPort, threadId } = require('node:worker_threads');
    let current = null;
    const cancelledError = { name: 'CancelledError', message: 'The run was cancelled.', code: 'cancelled' };
    parentPort.on('message', (m) => {
      if (m.type === 'cancel') { if (current && current.runId === m.runId) current.cancelled = true; return; }
      const { runId, task, input } = m;
      const done = (output) => parentPort.postMessage({ runId, type: 'done', output });
      if (task === 'echo') done({ value: input.value, threadId, env: process.env[input.env ?? ''] ?? null });
      else if (task === 'slow-echo') setTimeout(() => done({ value: input.value, threadId }), 80);
      else if (task === 'hang') {  // ignores cancel: only terminate stops it
        parentPort.postMessage({ runId, type: 'progress', progress: { message: 'hang started' } });
        setTimeout(() => { for (;;) {} }, 0);
      } else if (task === 'blocking') {  // a native call: deaf to messages until the test opens input.gate[0]
        parentPort.postMessage({ runId, type: 'progress', progress: { message: 'blocking started' } });
        setTimeout(() => {
          Atomics.wait(input.gate, 0, 0);
          Atomics.store(input.gate, 1, 1);  // the call returned: a terminated thread never gets here
          if (Atomics.load(m.cancelFlag, 0) === 1) parentPort.postMessage({ runId, type: 'error', error: cancelledError });
          else done({ value: 'unblocked', threadId });
        }, 0);
      }
      else if (task === 'crash') process.exit(7);
      else if (task === 'uncaught') setTimeout(() => { throw new Error('boom in the worker'); }, 0);
      else if (task === 'polite') {  // stops by itself once cancelled, as the real tasks do
        current = { runId, cancelled: false };
        parentPort.postMessage({ runId, type: 'progress', progress: { message: 'polite started' } });
        const tick = () => current.cancelled ? parentPort.postMessage({ runId, type: 'error', error: cancelledError }) : setTimeout(tick, 5);
        tick();
      } else if (task === 'late') {  // answers, then sends more for the same run while the next run is going
        done({ value: 'late first', threadId });
        setTimeout(() => { parentPort.postMessage({ runId, type: 'progress', progress: { message: 'stale' } }); done({ value: 'stale', threadId }); }, 20);
      }
    });`,
};

type Echo = { value: unknown; threadId: number; env: string | null };
// The fake's task names are not in the real table; the pool does not care.
const run = (pool: WorkerPool, task: string, input: unknown = {}, control = {}) => pool.run(task as 'pca', input as never, control) as unknown as Promise<Echo>;

const activeWorkers = () => process.getActiveResourcesInfo().filter((r) => r === 'Worker' || r === 'MessagePort').length;

/** Starts a run and aborts it once the fake reports it has started; resolves to the run's promise then. */
function cancelled(pool: WorkerPool, task: string, input: unknown = {}): Promise<{ settled: Promise<unknown> }> {
  return new Promise((started) => {
    const controller = new AbortController();
    const settled = run(pool, task, input, { signal: controller.signal, onProgress: () => { controller.abort(); started({ settled }); } });
    settled.catch(() => undefined);
  });
}

/** A gate for the 'blocking' task: [0] opens it, [1] becomes 1 when the blocked call has returned. */
const gate = () => new Int32Array(new SharedArrayBuffer(8));
const open = (g: Int32Array) => { Atomics.store(g, 0, 1); Atomics.notify(g, 0); };
const waitForPromise = (p: Promise<unknown>) => Promise.race([p.then(() => true), new Promise<boolean>((r) => setImmediate(() => r(false)))]);

test('one thread serves run after run, and an idle thread keeps nothing alive', async () => {
  const pool = new WorkerPool({ entry: FAKE });
  const answers: Echo[] = [];
  for (let i = 0; i < 5; i++) answers.push(await run(pool, 'echo', { value: i }));
  assert.deepEqual(answers.map((a) => a.value), [0, 1, 2, 3, 4]);
  assert.equal(new Set(answers.map((a) => a.threadId)).size, 1, 'the same thread answered every run');
  assert.deepEqual(pool.stats, { idle: 1, busy: 0, started: 1, discarded: 0, abandoned: 0, expired: 0 });
  assert.equal(activeWorkers(), 0, 'the idle thread is unref\'d');
  await pool.shutdown();
});

test('settings written to process.env after the thread started reach it', async () => {
  const pool = new WorkerPool({ entry: FAKE });
  await run(pool, 'echo', { value: 'warm' });
  process.env.MECHLENS_POOL_TEST = 'set later';
  try {
    assert.equal((await run(pool, 'echo', { env: 'MECHLENS_POOL_TEST' })).env, 'set later');
    assert.equal(pool.stats.started, 1);
  } finally {
    delete process.env.MECHLENS_POOL_TEST;
    await pool.shutdown();
  }
});

test('a cancelled task that stops by itself keeps its thread; one that does not answer within the grace is abandoned and replaced', async () => {
  const clock = manualClock();
  const pool = new WorkerPool({ entry: FAKE, schedule: clock.schedule, cancelGraceMs: 200 });
  const first = await run(pool, 'echo', { value: 1 });
  // The clock stands still: the polite task answers within the grace by itself.
  await assert.rejects((await cancelled(pool, 'polite')).settled, CancelledError);
  assert.deepEqual(pool.stats, { idle: 1, busy: 0, started: 1, discarded: 0, abandoned: 0, expired: 0 });
  assert.equal((await run(pool, 'echo', { value: 2 })).threadId, first.threadId, 'reused after a clean cancel');

  const { settled } = await cancelled(pool, 'hang');
  clock.advance(199);
  assert.equal(await waitForPromise(settled.catch(() => undefined)), false, 'still within the grace');
  clock.advance(1);
  await assert.rejects(settled, CancelledError);
  assert.deepEqual(pool.stats, { idle: 0, busy: 0, started: 1, discarded: 0, abandoned: 1, expired: 0 });
  const next = await run(pool, 'echo', { value: 3 });
  assert.equal(next.value, 3);
  assert.notEqual(next.threadId, first.threadId, 'a new thread took over');
  assert.equal(pool.stats.started, 2);
  // A task that never checks the flag (a pure JS loop) is terminated after the abandon limit.
  const ended = pool.shutdown();
  clock.advance(60_000);
  await ended;
  assert.equal(activeWorkers(), 0);
});

test('an abandoned thread blocked in a call is not terminated: it ends once the call returns, and its answer is dropped', async () => {
  const clock = manualClock();
  const pool = new WorkerPool({ entry: FAKE, schedule: clock.schedule, cancelGraceMs: 200, abandonedLimitMs: 60_000 });
  const blocked = gate();
  const { settled } = await cancelled(pool, 'blocking', { gate: blocked });
  clock.advance(200);
  await assert.rejects(settled, CancelledError, 'the caller hears of the cancel after the grace, not after the call');
  assert.equal(pool.stats.abandoned, 1);
  // While the old thread is still inside its call, a new thread serves the next run.
  const meanwhile = await run(pool, 'echo', { value: 'meanwhile' });
  assert.equal(meanwhile.value, 'meanwhile');
  assert.equal(pool.stats.started, 2);
  const ended = pool.shutdown();
  assert.equal(await waitForPromise(ended), false, 'shutdown waits for the blocked call');
  open(blocked);
  await ended;
  assert.equal(Atomics.load(blocked, 1), 1, 'the blocked call returned: the thread was not terminated inside it');
  assert.equal(activeWorkers(), 0);
  assert.equal(clock.pending(), 0, 'no limit timer left behind');
});

// VS Code's Cancel and the CLI's Ctrl-C both promise a second: the default grace must be well inside it.
test('with the default grace, a cancelled run stuck in a native call is reported cancelled within a second (the panel then shows Cancelled)', async () => {
  const clock = manualClock();
  const pool = new WorkerPool({ entry: FAKE, schedule: clock.schedule });
  const blocked = gate();
  const { settled } = await cancelled(pool, 'blocking', { gate: blocked });
  clock.advance(999);
  assert.equal(await waitForPromise(settled.catch(() => undefined)), true, 'cancelled before a second had passed');
  await assert.rejects(settled, CancelledError);
  const ended = pool.shutdown();
  open(blocked);
  await ended;
  assert.equal(activeWorkers(), 0);
});

test('a crash or an uncaught error fails that run with a message, and the next run gets a new thread', async () => {
  const pool = new WorkerPool({ entry: FAKE });
  const before = await run(pool, 'echo', { value: 0 });
  await assert.rejects(run(pool, 'crash'), (err: unknown) => {
    assert.ok(err instanceof MechLensError);
    assert.match(err.message, /the crash worker stopped unexpectedly \(exit code 7\)/);
    return true;
  });
  const afterCrash = await run(pool, 'echo', { value: 1 });
  assert.notEqual(afterCrash.threadId, before.threadId);
  await assert.rejects(run(pool, 'uncaught'), /boom in the worker/);
  assert.equal((await run(pool, 'echo', { value: 2 })).value, 2);
  assert.equal(pool.stats.started, 3);
  assert.equal(pool.stats.idle, 1);
  await pool.shutdown();
});

test('messages a thread sends for an earlier run do not reach the next run', async () => {
  const pool = new WorkerPool({ entry: FAKE });
  assert.equal((await run(pool, 'late')).value, 'late first');
  const progress: string[] = [];
  const next = await run(pool, 'slow-echo', { value: 'mine' }, { onProgress: (p: { message: string }) => progress.push(p.message) });
  assert.equal(next.value, 'mine');
  assert.deepEqual(progress, [], 'the stale progress was dropped');
  await pool.shutdown();
});

test('concurrent runs get threads of their own; only maxIdle are kept afterwards', async () => {
  const pool = new WorkerPool({ entry: FAKE, maxIdle: 1 });
  const answers = await Promise.all([0, 1, 2].map((value) => run(pool, 'slow-echo', { value })));
  assert.deepEqual(answers.map((a) => a.value), [0, 1, 2]);
  assert.equal(new Set(answers.map((a) => a.threadId)).size, 3);
  assert.deepEqual(pool.stats, { idle: 1, busy: 0, started: 3, discarded: 2, abandoned: 0, expired: 0 });
  await pool.shutdown();
});

test('shutdown ends a run in progress with CancelledError at once, waits for its call to return, and ends every thread; the pool can start again', async () => {
  const pool = new WorkerPool({ entry: FAKE, maxIdle: 2 });
  await Promise.all([run(pool, 'slow-echo'), run(pool, 'slow-echo')]);
  assert.equal(pool.stats.idle, 2);
  const blocked = gate();
  let started!: () => void;
  const isStarted = new Promise<void>((r) => { started = r; });
  const stuck = run(pool, 'blocking', { gate: blocked }, { onProgress: () => started() });
  await isStarted;
  assert.equal(pool.stats.busy, 1);
  const ended = pool.shutdown();
  await assert.rejects(stuck, CancelledError);
  assert.deepEqual({ idle: pool.stats.idle, busy: pool.stats.busy }, { idle: 0, busy: 0 });
  open(blocked);
  await ended;
  assert.equal(Atomics.load(blocked, 1), 1);
  assert.equal(activeWorkers(), 0);
  assert.equal((await run(pool, 'echo', { value: 'again' })).value, 'again');
  await pool.shutdown();
});

test('a thread left idle for idleTimeoutMs is ended; the next run starts a new one', async () => {
  const clock = manualClock();
  const pool = new WorkerPool({ entry: FAKE, idleTimeoutMs: 100, schedule: clock.schedule });
  const first = await run(pool, 'echo', { value: 1 });
  clock.advance(99);
  assert.equal(pool.stats.idle, 1);
  clock.advance(1);
  assert.deepEqual(pool.stats, { idle: 0, busy: 0, started: 1, discarded: 0, abandoned: 0, expired: 1 });
  const second = await run(pool, 'echo', { value: 2 });
  assert.notEqual(second.threadId, first.threadId);
  await pool.shutdown();
});

// The real worker (src/core/worker/main.ts under tsx).
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mechlens-pool-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

async function modelCompareInput(): Promise<{ input: CompareInput; modelDir: string }> {
  const modelDir = path.join(tmp, 'gpt2-tiny');
  writeRandomGpt2Checkpoint(modelDir, { nLayer: 1, nEmbd: 16, nHead: 2, seed: 1 });
  const words = ['moon', 'star', 'planet', 'apple', 'pear', 'lemon'];
  const categories = ['space', 'space', 'space', 'fruit', 'fruit', 'fruit'];
  const wordsPath = path.join(tmp, 'single.words');
  fs.writeFileSync(wordsPath, '[space]\nmoon\nstar\nplanet\n[fruit]\napple\npear\nlemon\n');
  const [a] = syntheticSpaces(words, categories, [8], 2);
  const vectors = path.join(tmp, 'a.txt');
  await writeVectorFile(vectors, a.words, a.vectors, 'glove-text');
  return { modelDir, input: { wordsPath, a: `vectors:${vectors}`, b: `model:${modelDir}#blocks.0.attn.hook_q`, map: false, permutations: 50, seed: 1, template: 'The word is {word}' } };
}

/** The result without the fields that differ from run to run by design (time stamps). */
function stable<T extends { run: { createdAt: string; durationMs: number } }>(r: T): unknown {
  return { ...r, run: { ...r.run, createdAt: '', durationMs: 0 } };
}

test('the real worker: one thread runs successive jobs, and reads a checkpoint again when it changed between them', async () => {
  const pool = new WorkerPool();
  try {
    const { input, modelDir } = await modelCompareInput();
    const first = await pool.run('compare', input);
    assert.deepEqual(stable(first), stable(await runCompare(input)));
    // Same folder, new weights: a thread that kept the model from the first run would answer the old numbers.
    writeRandomGpt2Checkpoint(modelDir, { nLayer: 1, nEmbd: 16, nHead: 2, seed: 2 });
    const second = await pool.run('compare', input);
    assert.notDeepEqual(second.b.similarity, first.b.similarity, 'the changed weights were read');
    // This process cached the first model too; the in-process reference must read the new files as well.
    forgetLoadedModels();
    await defaultSessionCache.dispose();
    assert.deepEqual(stable(second), stable(await runCompare(input)));
    assert.deepEqual(pool.stats, { idle: 1, busy: 0, started: 1, discarded: 0, abandoned: 0, expired: 0 });
  } finally {
    await pool.shutdown();
  }
});

test('the real worker: a memory share set after the thread started reaches the guard, which refuses the load with the clear message; the thread goes on', async () => {
  const pool = new WorkerPool();
  const saved = process.env.MECHLENS_MEMORY_SHARE;
  try {
    const { input, modelDir } = await modelCompareInput();
    await pool.run('compare', input);
    // What the extension does when mechlens.memoryShare changes (extension.ts applyEnvironmentSettings).
    process.env.MECHLENS_MEMORY_SHARE = '0.000001';
    await assert.rejects(pool.run('compare', input), (err: unknown) => {
      assert.ok(err instanceof MechLensError, String(err));
      assert.equal(err.code, 'memory');
      assert.match(err.message, /needs .* but only .* of memory is free and MechLens may use 0\.0001% of it/);
      assert.ok(err.message.includes(modelDir) || err.input?.includes(modelDir), `names the model: ${err.message}`);
      assert.match(err.fix ?? '', /raise the setting mechlens\.memoryShare/);
      return true;
    });
    process.env.MECHLENS_MEMORY_SHARE = '0.8';
    assert.equal((await pool.run('compare', input)).job, 'compare');
    assert.deepEqual(pool.stats, { idle: 1, busy: 0, started: 1, discarded: 0, abandoned: 0, expired: 0 }, 'the refusal did not cost the thread');
  } finally {
    if (saved === undefined) delete process.env.MECHLENS_MEMORY_SHARE; else process.env.MECHLENS_MEMORY_SHARE = saved;
    await pool.shutdown();
  }
});
