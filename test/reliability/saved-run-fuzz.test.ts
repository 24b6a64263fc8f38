// The saved-run reader under fuzzing: a real compare result, cut short or with any field deleted
// or replaced by any JSON value, is either read back or refused with our typed error naming the
// file; it never throws a TypeError or hangs. (Exact messages are tested in test/extension/saved-run.test.ts.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { MechLensError } from '../../src/core/errors';
import { parseSavedRun } from '../../src/extension/panels/saved-run';
import { runCompare } from '../../src/core/analyses/compare';
import { syntheticSpaces } from '../../src/core/analyses/demo-vectors';
import { writeVectorFile } from '../../src/core/vectors';

async function realResult(): Promise<unknown> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mechlens-saved-'));
  try {
    const words = ['moon', 'star', 'sun', 'apple', 'pear', 'plum'];
    const categories = ['space', 'space', 'space', 'fruit', 'fruit', 'fruit'];
    const [a, b] = syntheticSpaces(words, categories, [5, 7], 3);
    fs.writeFileSync(path.join(dir, 'w.words'), '[space]\nmoon\nstar\nsun\n[fruit]\napple\npear\nplum\n');
    await writeVectorFile(path.join(dir, 'a.txt'), words, a.vectors, 'glove-text');
    await writeVectorFile(path.join(dir, 'b.txt'), words, b.vectors, 'glove-text');
    const r = await runCompare({ wordsPath: path.join(dir, 'w.words'), a: `vectors:${dir}/a.txt`, b: `vectors:${dir}/b.txt`, permutations: 20, map: { perplexity: 2 } });
    return JSON.parse(JSON.stringify(r));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Every path to a value inside a JSON value (objects and arrays), root excluded. */
function paths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (value === null || typeof value !== 'object') return [];
  const keys = Array.isArray(value) ? value.map((_, i) => i) : Object.keys(value);
  return keys.flatMap((k) => [[...prefix, k], ...paths((value as Record<string | number, unknown>)[k], [...prefix, k])]);
}

function edit(value: unknown, at: (string | number)[], replacement: unknown, remove: boolean): unknown {
  const copy = structuredClone(value) as Record<string | number, unknown>;
  let parent = copy;
  for (const key of at.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  const last = at[at.length - 1];
  if (remove && Array.isArray(parent)) parent.splice(last as number, 1);
  else if (remove) delete parent[last];
  else parent[last] = replacement;
  return copy;
}

function readsOrRefuses(text: string): void {
  try {
    const r = parseSavedRun(text, '/runs/fuzz.mechlens.json');
    assert.ok(r && typeof r === 'object' && typeof r.job === 'string');
  } catch (e) {
    assert.ok(e instanceof MechLensError, `not our typed error: ${e instanceof Error ? e.stack : String(e)}`);
    assert.match(e.message, /^\/runs\/fuzz\.mechlens\.json: /);
  }
}

test('a real result reads back; edited, truncated or garbled copies are read or refused with MechLensError', async () => {
  const base = await realResult();
  const text = JSON.stringify(base);
  assert.deepEqual(parseSavedRun(text, 'x.mechlens.json'), base);
  const all = paths(base);
  assert.ok(all.length > 100);
  await fc.assert(fc.property(
    fc.integer({ min: 0, max: all.length - 1 }),
    fc.boolean(),
    fc.jsonValue({ maxDepth: 2 }),
    (index, remove, replacement) => readsOrRefuses(JSON.stringify(edit(base, all[index], replacement, remove))),
  ), { numRuns: 400 });
  fc.assert(fc.property(fc.integer({ min: 0, max: text.length }), (cut) => readsOrRefuses(text.slice(0, cut))), { numRuns: 100 });
  fc.assert(fc.property(fc.string({ maxLength: 200 }), (garbage) => readsOrRefuses(garbage)), { numRuns: 200 });
});
