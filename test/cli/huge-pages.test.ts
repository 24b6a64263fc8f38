// The CLI's relaunch with glibc's huge-page tunable (src/cli/huge-pages.ts): when it applies, that the
// environment keeps the user's other tunables, and that a relaunched command passes on its exit code,
// its output and its error line once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { hugePagesEnv, hugePagesSkipReason } from '../../src/cli/huge-pages';

const cli = join(__dirname, '../../dist/cli.js');

test('the tunable is added to the ones already set, and no relaunch happens once it is set', () => {
  assert.equal(hugePagesEnv({}).GLIBC_TUNABLES, 'glibc.malloc.hugetlb=1');
  assert.equal(hugePagesEnv({ GLIBC_TUNABLES: 'glibc.malloc.arena_max=2' }).GLIBC_TUNABLES, 'glibc.malloc.arena_max=2:glibc.malloc.hugetlb=1');
  assert.notEqual(hugePagesSkipReason(hugePagesEnv({})), null);
  assert.match(hugePagesSkipReason({ MECHLENS_HUGE_PAGES: '0' }) ?? '', process.platform === 'linux' ? /MECHLENS_HUGE_PAGES=0/ : /not Linux/);
});

test('a relaunched command gives its exit code and one error line; MECHLENS_HUGE_PAGES=0 runs in one process with the same result', () => {
  const args = [cli, 'embed2d', '--matrix', '/nonexistent/m.npy', '--method', 'pca', '--json', '/tmp/never.json'];
  const relaunched = spawnSync(process.execPath, args, { encoding: 'utf8' });
  const single = spawnSync(process.execPath, args, { encoding: 'utf8', env: { ...process.env, MECHLENS_HUGE_PAGES: '0' } });
  assert.equal(relaunched.status, 1);
  assert.equal(single.status, 1);
  assert.equal(relaunched.stderr, single.stderr);
  assert.equal(relaunched.stderr.trim().split('\n').length, 1, relaunched.stderr);
});
