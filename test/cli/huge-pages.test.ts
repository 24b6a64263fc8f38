// The CLI's relaunch with glibc's huge-page tunable (src/cli/huge-pages.ts): when it applies, that the
// environment keeps the user's other tunables, and that a relaunched command passes on its exit code,
// its output and its error line once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hugePagesEnv, hugePagesSkipReason, MODEL_COMMANDS, worthHugePages } from '../../src/cli/huge-pages';
import { commandNames, loadCommand } from '../../src/cli/command-table';

const cli = join(__dirname, '../../dist/cli.js');

test('the tunable is added to the ones already set, and no relaunch happens once it is set', () => {
  assert.equal(hugePagesEnv({}).GLIBC_TUNABLES, 'glibc.malloc.hugetlb=1');
  assert.equal(hugePagesEnv({ GLIBC_TUNABLES: 'glibc.malloc.arena_max=2' }).GLIBC_TUNABLES, 'glibc.malloc.arena_max=2:glibc.malloc.hugetlb=1');
  assert.notEqual(hugePagesSkipReason(hugePagesEnv({})), null);
  assert.match(hugePagesSkipReason({ MECHLENS_HUGE_PAGES: '0' }) ?? '', process.platform === 'linux' ? /MECHLENS_HUGE_PAGES=0/ : /not Linux/);
});

test('a large input relaunches once with the tunable and gives its exit code and one error line; a small one runs in one process', { skip: hugePagesSkipReason({}) ?? false }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'mechlens-huge-'));
  try {
    // A preload that logs every process that starts: the relaunch shows as a second one, with the tunable.
    // Worker threads run the preload too (embed2d starts its worker while it reads): not logged.
    const log = join(dir, 'starts.log');
    const preload = join(dir, 'log-start.js');
    writeFileSync(preload, `if (require('worker_threads').isMainThread) require('fs').appendFileSync(${JSON.stringify(log)}, (process.env.GLIBC_TUNABLES || '-') + '\\n');`);
    const env = { ...process.env, NODE_OPTIONS: `--require ${preload}`, GLIBC_TUNABLES: '', MECHLENS_HUGE_PAGES: '' };
    const run = (matrix: string, extra: NodeJS.ProcessEnv = {}) => {
      rmSync(log, { force: true });
      const r = spawnSync(process.execPath, [cli, 'embed2d', '--matrix', matrix, '--method', 'pca', '--json', join(dir, 'out.json')], { encoding: 'utf8', env: { ...env, ...extra } });
      return { ...r, starts: readFileSync(log, 'utf8').trim().split('\n') };
    };
    const large = join(dir, 'large.npy');
    writeFileSync(large, Buffer.alloc(17 * 2 ** 20)); // not a .npy: fails after the relaunch
    const relaunched = run(large);
    assert.deepEqual(relaunched.starts, ['-', 'glibc.malloc.hugetlb=1']);
    const single = run(large, { MECHLENS_HUGE_PAGES: '0' });
    assert.deepEqual(single.starts, ['-']);
    assert.equal(relaunched.status, 1);
    assert.equal(single.status, 1);
    assert.equal(relaunched.stderr, single.stderr);
    assert.equal(relaunched.stderr.trim().split('\n').length, 1, relaunched.stderr);
    const small = join(dir, 'small.npy');
    writeFileSync(small, Buffer.alloc(1000));
    assert.deepEqual(run(small).starts, ['-']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('every command that runs a model relaunches (its Ctrl-C then always ends with exit code 130), and so does compare on a model source', async () => {
  const runsModel: string[] = [];
  for (const name of commandNames) {
    const { options } = await loadCommand(name);
    // hooks reads only config.json; match names its model in --b.
    if (name !== 'hooks' && ('model' in options || name === 'match')) runsModel.push(name);
  }
  assert.deepEqual([...MODEL_COMMANDS].filter((name) => name !== 'demo').sort(), runsModel.sort());
  for (const name of runsModel) assert.equal(worthHugePages([name, '--json', 'x.json']), true, name);
  assert.equal(worthHugePages(['compare', '--a', 'model:gpt2#blocks.0.hook_resid_post', '--b', 'glove-6B-50d']), true);
  assert.equal(worthHugePages(['compare', '--a', 'glove-6B-50d', '--b', 'vectors:b.txt']), false);
  assert.equal(worthHugePages(['lens', '--help']), false);
});
