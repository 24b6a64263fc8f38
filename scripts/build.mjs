// One esbuild entry per runtime: extension host, worker threads, CLI (Node, CJS) and webview (browser, IIFE).
// Native modules stay external: onnxruntime-node ships per-platform binaries that must be loaded from node_modules.
import { build } from 'esbuild';
import { cpSync, mkdirSync, existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const production = process.argv.includes('--production');
const external = ['vscode', 'onnxruntime-node', 'sharp', '@huggingface/transformers'];
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const common = { define: { __MECHLENS_VERSION__: JSON.stringify(version) }, bundle: true, sourcemap: !production, minify: production, logLevel: 'warning', absWorkingDir: root };

const nodeEntries = [
  { in: 'src/extension/extension.ts', out: 'extension' },
  // `mechlens`: a few kilobytes that decide on the huge-pages relaunch (src/cli/launcher.ts), then the CLI.
  { in: 'src/cli/launcher.ts', out: 'cli' },
  { in: 'src/cli/main.ts', out: 'cli-main' },
  { in: 'src/core/worker/main.ts', out: 'worker' },
  // t-SNE's helper thread: the layout modules only, so it starts in a fraction of worker.js's time.
  { in: 'src/core/layout/helper-main.ts', out: 'layout-helper' },
].filter((e) => existsSync(join(root, e.in)));

await Promise.all([
  build({
    ...common,
    entryPoints: nodeEntries,
    outdir: 'dist',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external,
    banner: { js: '' },
  }),
  existsSync(join(root, 'src/webview/main.ts'))
    ? build({ ...common, entryPoints: [{ in: 'src/webview/main.ts', out: 'webview' }, { in: 'src/webview/side/main.ts', out: 'sideview' }], outdir: 'dist', platform: 'browser', format: 'iife', target: 'es2022', loader: { '.css': 'text' } })
    : Promise.resolve(),
  // The panel stylesheet: a file of its own, so the webview loads it through its CSP like codicons.
  existsSync(join(root, 'src/webview/styles.css'))
    ? build({ ...common, entryPoints: [{ in: 'src/webview/styles.css', out: 'webview' }], outdir: 'dist' })
    : Promise.resolve(),
]);

// node_modules is not shipped in the .vsix, so the codicon font travels in dist/.
mkdirSync(join(root, 'dist/codicons'), { recursive: true });
for (const f of ['codicon.css', 'codicon.ttf']) {
  cpSync(join(root, 'node_modules/@vscode/codicons/dist', f), join(root, 'dist/codicons', f));
}
