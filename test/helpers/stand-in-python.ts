// Runs "Copy as Python" scripts with /usr/bin/python3 against test/fixtures/transformers_stub (the
// transformers stand-in: transformers, tokenizers and regex are not installable here), all in one
// interpreter (run_scripts.py) so torch is imported once. Used by test/webview/*-python.test.ts.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const python = '/usr/bin/python3';
const stub = path.join(__dirname, '..', 'fixtures', 'transformers_stub');

/** A test's `skip` option: the reason when /usr/bin/python3 has no numpy or torch (CI has both). */
export const skipWithoutTorch: false | string = spawnSync(python, ['-c', 'import numpy, torch'], { encoding: 'utf8' }).status === 0
  ? false : 'no /usr/bin/python3 with numpy and torch';

/**
 * Writes each script to its file, runs them all with `--no-plot`, and returns each script's printed
 * numbers (the JSON of its last line), in order. A script that raises fails the assertion with its
 * traceback.
 */
export function runScripts(scripts: readonly { file: string; script: string }[]): unknown[] {
  for (const s of scripts) fs.writeFileSync(s.file, s.script);
  const r = spawnSync(python, [path.join(stub, 'run_scripts.py'), ...scripts.map((s) => s.file)],
    { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, env: { ...process.env, PYTHONPATH: stub, MPLBACKEND: 'Agg' } });
  assert.equal(r.status, 0, r.stderr);
  const results = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Record<string, { numbers?: unknown; error?: string; stdout?: string }>;
  return scripts.map(({ file }) => {
    const result = results[file];
    assert.ok(result && !result.error, `${path.basename(file)} failed:\n${result?.error}\n${result?.stdout ?? ''}`);
    return result.numbers;
  });
}
