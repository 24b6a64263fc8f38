// Runs every test/**/*.test.ts under node's built-in runner, with tsx so tests import src/ directly.
// Node 20's --test takes no globs, hence this small file walk. Extra args filter by path substring.
// The browser tests need Chromium: it is found (or, as root with apt-get, installed once) here,
// before any test starts. Without one, those files are not run and one line says how to get one.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';
import { ensureChromium } from './chromium.mjs';

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
let selected = filters.length ? files.filter((f) => filters.some((s) => f.includes(s))) : files;
selected.sort();

// dist/ is built once here, before any test file starts: the runner runs two files at once, and files
// that each rebuilt dist/ in before() overwrote it under one another (test/helpers/cli.ts reads it).
const build = spawnSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit', env: { ...process.env, NODE_OPTIONS: '' } });
if (build.status !== 0) process.exit(build.status ?? 1);

// Every browser test launches through test/helpers/chromium.ts's launchBrowser, itself or by usePanel.
const usesBrowser = (file) => /\b(?:launchBrowser|usePanel)\s*\(/.test(readFileSync(file, 'utf8'));
const browserFiles = selected.filter(usesBrowser);
const env = { ...process.env, NODE_OPTIONS: '', MECHLENS_TEST_BUILT: '1' };
// The tests never read the caches of the person running them: an empty hub cache and gensim-data
// folder, and none of the hub variables that would change where a model comes from.
const emptyCaches = mkdtempSync(join(tmpdir(), 'mechlens-test-caches-'));
for (const name of ['HF_HOME', 'HUGGINGFACE_HUB_CACHE', 'HF_HUB_OFFLINE', 'TRANSFORMERS_OFFLINE', 'HF_ENDPOINT', 'HF_TOKEN']) delete env[name];
env.HF_HUB_CACHE = join(emptyCaches, 'hub');
env.GENSIM_DATA_DIR = join(emptyCaches, 'gensim-data');
let notRun = '';
if (browserFiles.length) {
  const chromium = ensureChromium();
  if (chromium.path) {
    env.CHROME_PATH = chromium.path;
  } else {
    notRun = `${browserFiles.length} browser test file(s) not run. ${chromium.missing}`;
    console.error(notRun);
    selected = selected.filter((f) => !browserFiles.includes(f));
  }
}

// Every test process starts with the fixed fast-check seed (test/helpers/fast-check-seed.ts).
const args = ['--import', 'tsx', '--import', './test/helpers/fast-check-seed.ts', '--test', '--test-concurrency=2', ...selected];
const r = selected.length ? spawnSync(process.execPath, args, { stdio: 'inherit', env }) : { status: 0 };
rmSync(emptyCaches, { recursive: true, force: true });
if (notRun) console.error(notRun);
process.exit(notRun ? 1 : r.status ?? 1);
