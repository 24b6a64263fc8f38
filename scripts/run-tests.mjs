// Runs every test/**/*.test.ts under node's built-in runner, with tsx so tests import src/ directly.
// Node 20's --test takes no globs, hence this small file walk. Extra args filter by path substring.
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';

const filters = process.argv.slice(2);
const files = [];
(function walk(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (name === 'node_modules' || name.startsWith('.')) continue;
    if (statSync(p).isDirectory()) walk(p);
    else if (name.endsWith('.test.ts')) files.push(relative(process.cwd(), p));
  }
})('test');
const selected = filters.length ? files.filter((f) => filters.some((s) => f.includes(s))) : files;
selected.sort();
// dist/ is built once here, before any test file starts: the runner runs two files at once, and files
// that each rebuilt dist/ in before() overwrote it under one another (test/helpers/cli.ts reads it).
const build = spawnSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit', env: { ...process.env, NODE_OPTIONS: '' } });
if (build.status !== 0) process.exit(build.status ?? 1);
// Every test process starts with the fixed fast-check seed (test/helpers/fast-check-seed.ts).
const args = ['--import', 'tsx', '--import', './test/helpers/fast-check-seed.ts', '--test', '--test-concurrency=2', ...selected];
const r = spawnSync(process.execPath, args, { stdio: 'inherit', env: { ...process.env, NODE_OPTIONS: '', MECHLENS_TEST_BUILT: '1' } });
process.exit(r.status ?? 1);
