// Screenshots of `npm run demo`'s output for the README: renders out/demo/index.html and the
// reports in headless Chromium (Debian's, or $MECHLENS_CHROMIUM) and writes docs/screenshots/demo-*.png.
// Run after `npm run demo`:  node scripts/demo-screenshots.mjs [out/demo]
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const root = resolve(import.meta.dirname, '..');
const demo = resolve(process.argv[2] ?? join(root, 'out', 'demo'));
const shots = join(root, 'docs', 'screenshots');
if (!existsSync(join(demo, 'index.html'))) {
  console.error(`${demo}/index.html not found: run npm run demo first.`);
  process.exit(1);
}
mkdirSync(shots, { recursive: true });
const browser = await chromium.launch({ executablePath: process.env.MECHLENS_CHROMIUM ?? '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, colorScheme: 'dark' });
  await page.goto(pathToFileURL(join(demo, 'index.html')).href);
  await page.screenshot({ path: join(shots, 'demo-index.png'), fullPage: true });
  // The reports: the top of each page (header, banner, first charts) at the panel's usual width.
  for (const [name, file, height] of [['1-compare', 'demo-compare.png', 1400], ['2-tokens', 'demo-tokens-random.png', 1000], ['3-match', 'demo-match.png', 1100]]) {
    await page.setViewportSize({ width: 1280, height });
    await page.goto(pathToFileURL(join(demo, `${name}.html`)).href);
    await page.waitForSelector('[data-rendered="true"]');
    await page.waitForTimeout(500);
    await page.screenshot({ path: join(shots, file) });
    console.log(join(shots, file));
  }
} finally {
  await browser.close();
}
