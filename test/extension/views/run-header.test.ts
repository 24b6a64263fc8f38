import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseRunHeader, readRunHeader } from '../../../src/extension/views/run-header';

test('the job and title come from the first 4 KB, escapes decoded; other files give nothing', () => {
  assert.deepEqual(parseRunHeader('{"schemaVersion":1,"job":"compare","title":"GloVe \\"50\\" vs GPT-2 \\u2014 a.words","items":['), { job: 'compare', title: 'GloVe "50" vs GPT-2 — a.words' });
  assert.deepEqual(parseRunHeader('{\n  "job": "contrast",\n  "title": "him vs her"'), { job: 'contrast', title: 'him vs her' });
  assert.deepEqual(parseRunHeader('not json'), { job: undefined, title: undefined });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mechlens-'));
  try {
    const file = path.join(dir, 'big.mechlens.json');
    fs.writeFileSync(file, JSON.stringify({ schemaVersion: 1, job: 'compare', title: 'big', items: Array.from({ length: 5000 }, (_, i) => `w${i}`) }));
    assert.deepEqual(readRunHeader(file), { job: 'compare', title: 'big' });
    assert.deepEqual(readRunHeader(path.join(dir, 'missing.json')), {});
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
