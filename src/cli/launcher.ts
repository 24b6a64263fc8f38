#!/usr/bin/env node
// `mechlens` (dist/cli.js): decides whether the CLI runs again with huge pages (huge-pages.ts) before
// loading it. The relaunched child pays node's start-up a second time; the parent should pay nothing
// more. Loading the CLI's bundle first (0.9 MB, as this entry did) cost it another 30–40 ms on every
// large input, a tenth of the GPT-2 vocabulary's whole PCA. This entry holds only the decision and
// the relaunch; the CLI itself is dist/cli-main.js (main.ts), loaded here when there is no relaunch.
import { join } from 'node:path';
import { relaunchWithHugePages, worthHugePages } from './huge-pages';

function runHere(): void {
  // A path built at run time: esbuild leaves the require alone instead of bundling main.ts in here.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require(join(__dirname, 'cli-main.js'));
}

const relaunched = worthHugePages(process.argv.slice(2)) ? relaunchWithHugePages() : null;
if (!relaunched) runHere();
// -1: the child could not start; run here instead.
else void relaunched.then((code) => { if (code === -1) runHere(); else process.exitCode = code; });
