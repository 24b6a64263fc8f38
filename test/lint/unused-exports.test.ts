// Every export of src/extension/ and src/protocol/ is imported somewhere else (src/, test/, scripts/,
// bench/): an export that only its own file uses is part of no interface and should not look like one.
// A name-based scan (ts-prune style, without a dependency): a name counts as used when it appears as
// a word in another file. The job tables' type API is kept public on purpose for new jobs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const root = path.join(__dirname, '..', '..');
const KEPT_FOR_NEW_JOBS = new Set(['IpcRequest', 'ParamsOf', 'ResponseOf', 'JobTypes', 'JobInfo', 'isJobName', 'ExtensionJob']);

function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    // test/.tmp is other tests' scratch space: its files come and go while this scan runs.
    if (name.startsWith('.') || name === 'node_modules') continue;
    const file = path.join(dir, name);
    if (statSync(file).isDirectory()) sourceFiles(file, out);
    else if (/\.(ts|mjs)$/.test(name)) out.push(file);
  }
  return out;
}

test('every export in src/extension/ and src/protocol/ is used outside its own file', () => {
  const files = ['src', 'test', 'scripts', 'bench'].flatMap((d) => sourceFiles(path.join(root, d)));
  const texts = new Map(files.map((f) => [f, readFileSync(f, 'utf8')]));
  const scanned = files.filter((f) => /[/\\]src[/\\](extension|protocol)[/\\]/.test(f));
  const onlyLocal: string[] = [];
  for (const file of scanned) {
    for (const [, name] of texts.get(file)!.matchAll(/^export (?:async )?(?:function|const|let|class|interface|type|enum) ([A-Za-z_$][\w$]*)/gm)) {
      if (KEPT_FOR_NEW_JOBS.has(name)) continue;
      const word = new RegExp(`\\b${name.replace(/\$/g, '\\$')}\\b`);
      if (!files.some((other) => other !== file && word.test(texts.get(other)!))) onlyLocal.push(`${path.relative(root, file)}: ${name}`);
    }
  }
  assert.deepEqual(onlyLocal, [], 'unexport these (or delete them when their own file does not use them either)');
});
