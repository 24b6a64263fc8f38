// The end-to-end suite in real VS Code (code-server), driven by Chromium through playwright-core:
//   1. package the linux-x64 .vsix (typecheck + production build inside scripts/package.mjs),
//   2. set up code-server (cached by scripts/setup-code-server.sh),
//   3. install the .vsix into a fresh extensions folder with --install-extension,
//   4. run test/e2e/*.e2e.ts under node's test runner, one file at a time (each starts its own
//      code-server and browser; two at once would fight over the two CPU cores).
//
//   node scripts/run-e2e.mjs [--skip-package] [--update-screenshots] [name-substring ...]
// Screenshots go to out/e2e/screenshots/ (ignored); --update-screenshots copies those of a passing
// run into docs/screenshots/, the README's pictures, which a plain run never touches.
// The *.e2e.ts names keep these files out of scripts/run-tests.mjs (which takes *.test.ts).
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const skipPackage = args.includes('--skip-package');
const updateScreenshots = args.includes('--update-screenshots');
const filters = args.filter((a) => !a.startsWith('--'));
const e2eDir = join(root, 'out', 'e2e');
const started = Date.now();
const timings = [];

function step(name, fn) {
  const t0 = Date.now();
  const value = fn();
  timings.push(`${name}: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return value;
}

function run(command, commandArgs, options = {}) {
  const result = spawnSync(command, commandArgs, { cwd: root, stdio: 'inherit', ...options });
  if (result.status !== 0) {
    console.error(`run-e2e: ${command} ${commandArgs.join(' ')} failed (exit ${result.status ?? result.signal}).`);
    process.exit(result.status || 1);
  }
  return result;
}

const vsixDir = join(e2eDir, 'vsix');
if (!skipPackage) {
  step('package .vsix', () => run(process.execPath, ['scripts/package.mjs', '--target', 'linux-x64', '--out', vsixDir]));
}
const vsix = existsSync(vsixDir) ? readdirSync(vsixDir).filter((f) => /^mechlens-linux-x64-.*\.vsix$/.test(f)).map((f) => join(vsixDir, f))[0] : undefined;
if (!vsix) {
  console.error(`run-e2e: no linux-x64 .vsix in ${relative(root, vsixDir)}; run without --skip-package.`);
  process.exit(1);
}

const codeServer = step('set up code-server', () => {
  const result = run('bash', ['scripts/setup-code-server.sh'], { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
  return result.stdout.trim().split('\n').pop();
});

const extensionsDir = join(e2eDir, 'extensions');
step('install .vsix', () => {
  rmSync(extensionsDir, { recursive: true, force: true });
  mkdirSync(extensionsDir, { recursive: true });
  const userData = join(e2eDir, 'install-user-data');
  rmSync(userData, { recursive: true, force: true });
  run(process.execPath, [join(codeServer, 'out/node/entry.js'), '--user-data-dir', userData, '--extensions-dir', extensionsDir,
    '--install-extension', vsix, '--force']);
});

const testFiles = readdirSync(join(root, 'test/e2e'))
  .filter((f) => f.endsWith('.e2e.ts'))
  .map((f) => `test/e2e/${f}`)
  .filter((f) => !filters.length || filters.some((s) => f.includes(s)))
  .sort();
const shotsDir = join(e2eDir, 'screenshots');
rmSync(shotsDir, { recursive: true, force: true });
const status = step('run suite', () => {
  const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', ...testFiles], {
    cwd: root,
    stdio: 'inherit',
    env: {
      ...process.env,
      NODE_OPTIONS: '',
      MECHLENS_CODE_SERVER: codeServer,
      MECHLENS_E2E_EXTENSIONS: extensionsDir,
      MECHLENS_E2E_VSIX: vsix,
    },
  });
  return result.status ?? 1;
});
if (updateScreenshots) {
  const shots = existsSync(shotsDir) ? readdirSync(shotsDir).filter((f) => f.endsWith('.png')) : [];
  if (status !== 0) console.error('run-e2e: the suite failed, so docs/screenshots/ was left as it was.');
  else {
    for (const f of shots) copyFileSync(join(shotsDir, f), join(root, 'docs', 'screenshots', f));
    console.log(`run-e2e: copied ${shots.length} screenshot(s) to docs/screenshots/.`);
  }
} else {
  console.log(`run-e2e: screenshots in ${relative(root, shotsDir)}/ (--update-screenshots copies them to docs/screenshots/).`);
}
console.log(`run-e2e: ${timings.join(', ')}; total ${((Date.now() - started) / 1000).toFixed(1)} s`);
process.exit(status);
