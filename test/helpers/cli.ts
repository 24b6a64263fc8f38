// The built CLI for tests that run it as a child process. scripts/run-tests.mjs builds dist/ once,
// before any test file starts, and says so in MECHLENS_TEST_BUILT; the test files only read it, so
// two files running at once never rebuild dist/ under each other. A test file run on its own
// (node --import tsx --test FILE) builds it here, once per process.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

export const repoRoot = join(__dirname, '../..');
let built = process.env.MECHLENS_TEST_BUILT === '1';

/** dist/cli.js, built if this process was not started by scripts/run-tests.mjs. */
export function builtCli(): string {
  if (!built) {
    const r = spawnSync(process.execPath, [join(repoRoot, 'scripts/build.mjs')], { encoding: 'utf8', cwd: repoRoot });
    assert.equal(r.status, 0, r.stderr);
    built = true;
  }
  return join(repoRoot, 'dist/cli.js');
}
