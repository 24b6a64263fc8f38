// Issue 19, defect 5: every file MechLens writes goes through src/core/io/atomic-write.ts (a temporary
// file beside the target, then a rename), so a kill or a Ctrl-C midway never truncates a result and a
// forced exit can delete what it left (removeOpenTempFilesSync). This scans src/ for the ways Node
// writes a file directly; each place allowed to do so is listed with its reason, so a new direct
// write fails here until it is made atomic or explained.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

const root = path.join(__dirname, '..', '..');
const DIRECT_WRITE = /\b(?:writeFileSync|appendFileSync|createWriteStream|promises\.writeFile|promises\.appendFile)\s*\(|\bopenSync\([^)]*['"][wa]\+?['"]/;

/** file -> why it may write directly. */
const allowed: Record<string, string> = {
  'src/core/io/file-lock.ts': 'a lock is made by an exclusive create (wx) or a hard link of a temporary file: atomic by itself',
  'src/core/models/random-checkpoint.ts': 'test and demo checkpoints written into a fresh folder nobody reads yet',
  'src/core/vectors/write.ts': 'streams to PATH.tmp-PID and renames it (gzip needs a stream); used for the demo\'s PCA file and tests',
  'src/core/vectors/packaged-glove.ts': 'streams the cache conversion to DEST.PID.tmp and renames it; its header is rewritten in place before the rename',
  'src/core/io/json-stream.ts': 'names writeFileSync only in a comment',
};

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const p = path.join(dir, entry.name);
    return entry.isDirectory() ? sourceFiles(p) : /\.tsx?$/.test(entry.name) ? [p] : [];
  });
}

test('no file under src/ writes a file directly except the listed ones (atomic writes only)', () => {
  const direct = sourceFiles(path.join(root, 'src'))
    .map((file) => path.relative(root, file).split(path.sep).join('/'))
    .filter((file) => fs.readFileSync(path.join(root, file), 'utf8').split('\n').some((line) => DIRECT_WRITE.test(line)));
  assert.deepEqual(direct.filter((file) => !(file in allowed)), [], 'write these through src/core/io/atomic-write.ts (or list them here with the reason)');
  // An entry whose file no longer writes directly is stale.
  assert.deepEqual(Object.keys(allowed).filter((file) => !direct.includes(file)), []);
});
