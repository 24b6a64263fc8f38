// Which Chromium the browser tests drive, shared by scripts/run-tests.mjs (which may install one
// before the tests start) and test/helpers/chromium.ts (which launches it). Plain JavaScript so the
// runner can import it without tsx; every input (environment, file checks, the install command) is
// a parameter, so test/scripts/chromium-resolve.test.ts checks the logic without touching the system.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Where a browser usually is, after the variables: Debian/Ubuntu, Chrome packages, snap, macOS apps. */
export const COMMON_CHROMIUM_PATHS = Object.freeze([
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
  '/snap/bin/chromium',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
]);

/** The one line printed (and thrown by every browser test) when no browser can be found or installed. */
export function missingChromiumMessage(tried, reason) {
  return `No Chromium for the browser tests (${reason ?? `looked at ${tried.join(', ')}`}). ` +
    'Fix: set CHROME_PATH=/path/to/chromium-or-chrome, or install it: sudo apt-get install chromium (Debian/Ubuntu), ' +
    'brew install --cask chromium (macOS).';
}

/**
 * The browser to launch: `CHROME_PATH`, then `MECHLENS_CHROMIUM` (the older name), then the common
 * paths, then a Chromium that Playwright installed (`npx playwright install chromium`).
 * A variable that is set but names no file is an error, not a reason to pick another browser.
 * Returns `{ path, from }` or `{ missing: message, tried, variable? }`.
 */
export function resolveChromium({ env = process.env, exists = existsSync, candidates = COMMON_CHROMIUM_PATHS, playwrightCache = playwrightCacheBrowsers(env) } = {}) {
  for (const name of ['CHROME_PATH', 'MECHLENS_CHROMIUM']) {
    const value = env[name]?.trim();
    if (!value) continue;
    if (exists(value)) return { path: value, from: name };
    return { missing: missingChromiumMessage([value], `${name}=${value} does not exist`), tried: [value], variable: name };
  }
  const tried = [...candidates, ...playwrightCache];
  const found = tried.find((p) => exists(p));
  if (found) return { path: found, from: candidates.includes(found) ? 'common path' : 'Playwright cache' };
  return { missing: missingChromiumMessage(['CHROME_PATH', ...candidates]), tried };
}

/**
 * The path to launch, for the test helpers. Without a browser it throws the one line that names the
 * fix, with no stack trace, so a browser test fails fast and says only that.
 */
export function chromiumExecutable(resolve = () => resolveChromium()) {
  const found = resolve();
  if (found.path) return found.path;
  const err = new Error(found.missing);
  err.stack = found.missing;
  throw err;
}

/** Chromium builds under Playwright's browser cache, newest first. */
function playwrightCacheBrowsers(env) {
  const root = env.PLAYWRIGHT_BROWSERS_PATH?.trim() || (process.platform === 'darwin'
    ? join(homedir(), 'Library', 'Caches', 'ms-playwright')
    : join(env.XDG_CACHE_HOME?.trim() || join(homedir(), '.cache'), 'ms-playwright'));
  let names;
  try {
    names = readdirSync(root).filter((n) => /^chromium-\d+$/.test(n)).sort((a, b) => Number(b.slice(9)) - Number(a.slice(9)));
  } catch {
    return [];
  }
  return names.flatMap((n) => [join(root, n, 'chrome-linux', 'chrome'), join(root, n, 'chrome-linux64', 'chrome')]);
}

/** Whether this process may install Debian's chromium itself: Linux, root, apt-get on the PATH. */
export function canInstallWithApt({ platform = process.platform, uid = process.getuid?.(), hasCommand = commandExists } = {}) {
  return platform === 'linux' && uid === 0 && hasCommand('apt-get');
}

function commandExists(name) {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** `apt-get update` then `apt-get install chromium`, quietly; returns the last lines of output on failure. */
export function aptInstallChromium() {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update', '-qq'], ['install', '-y', '-qq', '--no-install-recommends', 'chromium']]) {
    const r = spawnSync('apt-get', args, { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    if (r.status !== 0) return { ok: false, output: `apt-get ${args.join(' ')} exited ${r.status ?? r.signal}: ${`${r.stdout ?? ''}${r.stderr ?? ''}`.trim().split('\n').slice(-3).join(' / ')}` };
  }
  return { ok: true };
}

/**
 * Before the tests: find a browser, or install Debian's chromium once when this process can
 * (printing one line that says so). Returns `{ path }` or `{ missing: message }`; `log` prints a line.
 */
export function ensureChromium({ resolve = () => resolveChromium(), mayInstall = () => canInstallWithApt(), install = aptInstallChromium, log = (line) => console.log(line) } = {}) {
  const first = resolve();
  if (first.path || !mayInstall()) return first;
  if (first.variable) return first; // CHROME_PATH names a missing file: the user chose a browser, so none is installed.
  log('Chromium not found for the browser tests: installing Debian\'s chromium with apt-get (once, as root) ...');
  const installed = install();
  const again = resolve();
  if (again.path) return again;
  return { missing: `${again.missing}${installed.ok ? '' : ` (the apt-get install failed: ${installed.output})`}`, tried: again.tried };
}
