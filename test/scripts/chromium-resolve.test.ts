// The browser lookup of scripts/chromium.mjs with injected environments, file checks and installs:
// the real Chromium is neither used nor removed here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { canInstallWithApt, chromiumExecutable, ensureChromium, resolveChromium } from '../../scripts/chromium.mjs';

const onDisk = (...paths: string[]) => (p: string) => paths.includes(p);
const candidates = ['/usr/bin/chromium', '/usr/bin/google-chrome'];

test('CHROME_PATH comes first, then MECHLENS_CHROMIUM, then the common paths in order, then Playwright\'s cache', () => {
  const exists = onDisk('/opt/chrome', '/usr/bin/chromium', '/usr/bin/google-chrome', '/pw/chromium-1/chrome-linux/chrome');
  assert.deepEqual(resolveChromium({ env: { CHROME_PATH: '/opt/chrome', MECHLENS_CHROMIUM: '/usr/bin/google-chrome' }, exists, candidates, playwrightCache: [] }),
    { path: '/opt/chrome', from: 'CHROME_PATH' });
  assert.deepEqual(resolveChromium({ env: { MECHLENS_CHROMIUM: '/usr/bin/google-chrome' }, exists, candidates, playwrightCache: [] }),
    { path: '/usr/bin/google-chrome', from: 'MECHLENS_CHROMIUM' });
  assert.deepEqual(resolveChromium({ env: {}, exists, candidates, playwrightCache: [] }), { path: '/usr/bin/chromium', from: 'common path' });
  assert.deepEqual(resolveChromium({ env: {}, exists: onDisk('/usr/bin/google-chrome'), candidates, playwrightCache: [] }), { path: '/usr/bin/google-chrome', from: 'common path' });
  assert.deepEqual(resolveChromium({ env: { CHROME_PATH: '  ' }, exists: onDisk('/pw/chromium-1/chrome-linux/chrome'), candidates, playwrightCache: ['/pw/chromium-1/chrome-linux/chrome'] }),
    { path: '/pw/chromium-1/chrome-linux/chrome', from: 'Playwright cache' });
});

test('a CHROME_PATH that names no file is reported as such, and no other browser is picked behind the user\'s back', () => {
  const r = resolveChromium({ env: { CHROME_PATH: '/nope/chrome' }, exists: onDisk('/usr/bin/chromium'), candidates, playwrightCache: [] });
  assert.equal(r.path, undefined);
  assert.equal(r.variable, 'CHROME_PATH');
  assert.match(r.missing!, /CHROME_PATH=\/nope\/chrome does not exist/);
  let installs = 0;
  const ensured = ensureChromium({ resolve: () => r, mayInstall: () => true, install: () => { installs++; return { ok: true }; }, log: () => undefined });
  assert.equal(installs, 0, 'no apt-get install when the user named a browser');
  assert.equal(ensured.missing, r.missing);
});

test('missing everywhere: one line that names the places looked at and both fixes', () => {
  const r = resolveChromium({ env: {}, exists: () => false, candidates, playwrightCache: [] });
  assert.equal(r.path, undefined);
  assert.deepEqual(r.tried, candidates);
  assert.doesNotMatch(r.missing!, /\n/);
  assert.match(r.missing!, /looked at CHROME_PATH, \/usr\/bin\/chromium, \/usr\/bin\/google-chrome/);
  assert.match(r.missing!, /Fix: set CHROME_PATH=/);
  assert.match(r.missing!, /apt-get install chromium/);
  // The test helper throws exactly that line, with no stack trace under it.
  assert.throws(() => chromiumExecutable(() => r), (err: Error) => err.message === r.missing && err.stack === r.missing);
  assert.equal(chromiumExecutable(() => ({ path: '/usr/bin/chromium', from: 'common path' })), '/usr/bin/chromium');
});

test('as root with apt-get, a missing Chromium is installed once with one line said; elsewhere nothing is installed', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mechlens-chromium-'));
  const browser = path.join(dir, 'chromium');
  const resolve = () => resolveChromium({ env: {}, candidates: [browser], playwrightCache: [] });
  const lines: string[] = [];
  let installs = 0;
  const install = () => { installs++; fs.writeFileSync(browser, ''); return { ok: true }; };
  const r = ensureChromium({ resolve, mayInstall: () => true, install, log: (l) => lines.push(l) });
  assert.deepEqual(r, { path: browser, from: 'common path' });
  assert.equal(installs, 1);
  assert.equal(lines.length, 1);
  assert.match(lines[0], /installing Debian's chromium with apt-get/);
  // Found now: no second install, nothing said.
  ensureChromium({ resolve, mayInstall: () => true, install, log: (l) => lines.push(l) });
  assert.equal(installs, 1);
  assert.equal(lines.length, 1);

  fs.rmSync(browser);
  const refused = ensureChromium({ resolve, mayInstall: () => false, install, log: (l) => lines.push(l) });
  assert.equal(installs, 1, 'not root or no apt-get: no install');
  assert.match(refused.missing!, /Fix: set CHROME_PATH=/);
  const failed = ensureChromium({ resolve, mayInstall: () => true, install: () => ({ ok: false, output: 'E: Unable to locate package chromium' }), log: () => undefined });
  assert.match(failed.missing!, /the apt-get install failed: E: Unable to locate package chromium/);
});

test('installing needs Linux, root and apt-get', () => {
  const apt = (name: string) => name === 'apt-get';
  assert.equal(canInstallWithApt({ platform: 'linux', uid: 0, hasCommand: apt }), true);
  assert.equal(canInstallWithApt({ platform: 'linux', uid: 1000, hasCommand: apt }), false);
  assert.equal(canInstallWithApt({ platform: 'darwin', uid: 0, hasCommand: apt }), false);
  assert.equal(canInstallWithApt({ platform: 'linux', uid: 0, hasCommand: () => false }), false);
});

test('the runner without a browser: browser files are not run, the others are, one line names the fix, and it exits 1', () => {
  // A non-root-like run: CHROME_PATH names a missing file, so the runner neither installs nor launches.
  const env: NodeJS.ProcessEnv = { ...process.env, CHROME_PATH: '/nonexistent/chromium' };
  delete env.NODE_TEST_CONTEXT; // else the inner test run reports to this one instead of printing
  const r = spawnSync(process.execPath, ['scripts/run-tests.mjs', 'test/webview/heatmap.test.ts', 'test/text/word-list.test.ts'], {
    cwd: path.join(__dirname, '..', '..'), encoding: 'utf8', env,
  });
  assert.equal(r.status, 1);
  const lines = r.stderr.split('\n').filter((l) => l.includes('No Chromium'));
  assert.equal(lines.length, 2, 'said once before the tests and once after them');
  assert.match(lines[0], /^1 browser test file\(s\) not run\. No Chromium for the browser tests \(CHROME_PATH=\/nonexistent\/chromium does not exist\)\. Fix: set CHROME_PATH=/);
  assert.match(r.stdout, /# Subtest: parses categories, comments/, 'the other test files still run');
  assert.match(r.stdout, /# fail 0/);
  assert.doesNotMatch(r.stdout + r.stderr, /heatmap|browserType\.launch/);
});
