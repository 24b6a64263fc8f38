// The extension's job adapter against the real worker thread and the real compare job.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCompareJob } from '../../src/extension/jobs';
import { CancelledError } from '../../src/core/errors';
import type { Progress } from '../../src/core/run-control';

function writeInputs(dir: string) {
  const words = ['moon', 'star', 'planet', 'apple', 'pear', 'kiwi', 'chair', 'table'];
  fs.writeFileSync(path.join(dir, 'list.words'), `[space]\nmoon\nstar\nplanet\n[fruit]\napple\npear\nkiwi\n[furniture]\nchair\ntable\nsofa\n`);
  const file = (name: string, dims: number, seed: number) => {
    let state = seed;
    const next = () => ((state = (state * 1103515245 + 12345) % 2147483648) / 2147483648) - 0.5;
    fs.writeFileSync(path.join(dir, name), words.map((w, i) => `${w} ${Array.from({ length: dims }, (_, d) => ((d % 3) === Math.floor(i / 3) ? 1 : 0) + 0.3 * next()).map((v) => v.toFixed(5)).join(' ')}`).join('\n') + '\n');
    return path.join(dir, name);
  };
  return { wordsPath: path.join(dir, 'list.words'), a: file('a.txt', 6, 1), b: file('b.txt', 9, 2) };
}

test('runCompareJob runs job 1 in a worker thread and returns its result, with progress on the way', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mechlens-'));
  try {
    const inputs = writeInputs(dir);
    const progress: Progress[] = [];
    // map: false: from source, the worker registers tsx for require() only, and compare.ts loads
    // the t-SNE step with a dynamic import() that then cannot resolve a .ts file (the bundle is fine).
    const result = await runCompareJob({ ...inputs, a: `vectors:${inputs.a}`, b: `vectors:${inputs.b}`, permutations: 50, seed: 3, offline: true, map: false },
      { onProgress: (p) => progress.push(p) });
    assert.equal(result.job, 'compare');
    assert.deepEqual(result.items, ['moon', 'star', 'planet', 'apple', 'pear', 'kiwi', 'chair', 'table']);
    assert.deepEqual(result.missing, ['sofa']);
    assert.equal(result.a.similarity.length, 8);
    assert.equal(result.b.source.dims, 9);
    assert.ok(result.rsa.pearson > 0.5, `the two spaces share their category structure: r = ${result.rsa.pearson}`);
    assert.ok(progress.some((p) => p.message === 'Reading the word list'));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('aborting the signal stops the worker with CancelledError', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mechlens-'));
  try {
    const inputs = writeInputs(dir);
    const controller = new AbortController();
    const run = runCompareJob({ ...inputs, a: `vectors:${inputs.a}`, b: `vectors:${inputs.b}`, permutations: 100_000, offline: true },
      { signal: controller.signal, onProgress: (p) => { if (p.message.startsWith('RSA')) controller.abort(); } });
    await assert.rejects(run, (e: unknown) => e instanceof CancelledError);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
