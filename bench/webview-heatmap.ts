// Heatmap rendering benchmark in headless Chromium: the canvas path at 2,000 × 2,000 (first draw,
// color-range change, resize, hover) against two references in the same run: the SVG path at
// 400 × 400 (what drawing cells as elements costs), and matplotlib's imshow + savefig of the same
// 2,000 × 2,000 matrix (the notebook way).
// Run: npx tsx bench/webview-heatmap.ts   (needs /usr/bin/chromium and /usr/bin/python3 with matplotlib)
import { spawnSync } from 'node:child_process';
import { launchBrowser, openChart } from '../test/helpers/chromium';

const matrix = `(spec) => {
  const n = spec.n, m = new Float32Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) m[i * n + j] = i === j ? 1 : Math.sin((i * 31 + j * 17) % 97) * 0.6;
  return { labels: Array.from({ length: n }, (_, i) => 'word-' + i), values: m, name: 'bench' };
}`;

/** Best of `runs`, in ms, of an expression timed inside the page. */
const timed = (body: string, runs: number) => `(() => {
  let best = Infinity;
  for (let r = 0; r < ${runs}; r++) { const t = performance.now(); ${body}; best = Math.min(best, performance.now() - t); }
  return best;
})()`;

async function main(): Promise<void> {
  const browser = await launchBrowser();
  try {
    const first = Date.now();
    const big = await openChart(browser, { modulePath: 'src/webview/charts/index.ts', exportName: 'heatmap', data: { n: 2000 }, prepare: matrix, width: 1000, height: 900 });
    const openMs = Date.now() - first;
    const fullDraw = await big.page.evaluate(timed('window.__chart.update(undefined, { domain: [-0.5 - r * 1e-3, 0.5] })', 5)) as number;
    const resize = await big.page.evaluate(timed('window.__chart.update()', 5)) as number;
    const hover = await big.page.evaluate(timed('window.__chart.highlight([r * 7, r * 11])', 20)) as number;
    await big.close();

    const small = await openChart(browser, {
      modulePath: 'src/webview/charts/index.ts', exportName: 'heatmap', data: { n: 400 }, prepare: matrix,
      options: { svgThreshold: 100000 }, width: 1000, height: 900,
    });
    const svg400 = await small.page.evaluate(timed('window.__chart.update(undefined, { domain: [-0.5 - r * 1e-3, 0.5] })', 3)) as number;
    await small.close();

    const py = spawnSync('/usr/bin/python3', ['-c', `
import time, numpy as np, matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
n = 2000
i, j = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
m = np.sin((i * 31 + j * 17) % 97) * 0.6
np.fill_diagonal(m, 1)
best = 1e9
for r in range(3):
    t = time.perf_counter()
    fig, ax = plt.subplots(figsize=(8, 8), dpi=100)
    ax.imshow(m, cmap="RdBu_r", vmin=-0.5, vmax=0.5)
    fig.savefig("/tmp/mechlens-bench-heatmap.png")
    plt.close(fig)
    best = min(best, time.perf_counter() - t)
print(best * 1000)
`], { encoding: 'utf8' });
    const matplotlibMs = py.status === 0 ? Number(py.stdout.trim()) : NaN;

    console.log(`opening the 2,000 × 2,000 chart page (build, matrix, first draw): ${openMs} ms`);
    console.log(`2,000 × 2,000 canvas, color-range change (repaint 4M cells): ${fullDraw.toFixed(1)} ms`);
    console.log(`2,000 × 2,000 canvas, resize (rescale the cached image, redraw axes): ${resize.toFixed(1)} ms`);
    console.log(`2,000 × 2,000 canvas, hover mark (linked highlight): ${hover.toFixed(2)} ms`);
    console.log(`reference: 400 × 400 as SVG cells (160,000 rects), full draw: ${svg400.toFixed(1)} ms`);
    console.log(`reference: matplotlib imshow + savefig of 2,000 × 2,000: ${matplotlibMs.toFixed(1)} ms${py.status === 0 ? '' : ` (failed: ${py.stderr.trim().split('\n').pop()})`}`);
  } finally {
    await browser.close();
  }
}

void main();
