// Token-map rendering benchmark in headless Chromium: the cluster map as the token panel draws it
// for the whole GPT-2 vocabulary (50,257 points on canvas, ~300 groups, centroid lines off above
// 5,000 points), timed for a full draw, one wheel-zoom frame, and hover (the first hover builds the
// Delaunay index on the data coordinates, later ones, after zooms too, only query it). References in the same run: the SVG path at 1,500 points (the
// largest map drawn as SVG), and matplotlib's scatter + savefig of the same 50,257 points (the
// notebook way, which has no zoom or hover at all).
// Run: npx tsx bench/webview-token-map.ts   (needs /usr/bin/chromium and /usr/bin/python3 with matplotlib)
import { spawnSync } from 'node:child_process';
import { launchBrowser, openChart } from '../test/helpers/chromium';

/** Points in ~300 blobs on a spiral plus uniform noise, with a seeded generator; the same in Python below. */
const points = `(spec) => {
  const n = spec.n, k = 300, coords = new Float64Array(2 * n), clusters = new Int32Array(n), labels = [];
  let s = 1;
  const rand = () => { s = (s * 16807) % 2147483647; return s / 2147483647; };
  for (let i = 0; i < n; i++) {
    const c = i % (k + 1);
    labels.push('tok' + i);
    if (c === k) { coords[2 * i] = rand() * 400 - 200; coords[2 * i + 1] = rand() * 400 - 200; clusters[i] = -1; }
    else { const a = c * 2.399; coords[2 * i] = Math.cos(a) * c * 0.6 + rand() * 2; coords[2 * i + 1] = Math.sin(a) * c * 0.6 + rand() * 2; clusters[i] = c; }
  }
  return { labels, coords, clusters };
}`;

/** Best of `runs`, in ms, of a statement timed inside the page (`r` is the run number). */
const timed = (body: string, runs: number) => `(() => {
  let best = Infinity;
  for (let r = 0; r < ${runs}; r++) { const t = performance.now(); ${body}; best = Math.min(best, performance.now() - t); }
  return best;
})()`;

const overlay = `document.querySelector('.ml-cluster-map rect.overlay')`;
const wheel = `(() => { const o = ${overlay}; const b = o.getBoundingClientRect();
  o.dispatchEvent(new WheelEvent('wheel', { deltaY: r % 2 ? 120 : -120, clientX: b.x + b.width / 2, clientY: b.y + b.height / 2, bubbles: true, cancelable: true })); })()`;
const hover = `(() => { const o = ${overlay}; const b = o.getBoundingClientRect();
  o.dispatchEvent(new MouseEvent('mousemove', { clientX: b.x + b.width / 2 + (r % 10) * 3, clientY: b.y + b.height / 2, bubbles: true })); })()`;

async function measure(browser: Awaited<ReturnType<typeof launchBrowser>>, n: number, options: Record<string, unknown>) {
  const page = await openChart(browser, {
    modulePath: 'src/webview/charts/cluster-map.ts', exportName: 'clusterMap', data: { n }, prepare: points,
    options: { height: 620, memberLists: false, ...options }, width: 1200, height: 800, containerWidth: 1160,
  });
  try {
    const mode = await page.page.evaluate('window.__chart.mode') as string;
    const full = await page.page.evaluate(timed('window.__chart.update()', 3)) as number;
    const zoom = await page.page.evaluate(timed(wheel, 10)) as number;
    const firstHover = await page.page.evaluate(timed(hover, 1)) as number;
    const nextHover = await page.page.evaluate(timed(hover, 20)) as number;
    // A zoom, then a hover: the index is kept across zooms, so this is a query, not a rebuild.
    const zoomThenHover = await page.page.evaluate(timed(`${wheel}; ${hover}`, 5)) as number;
    return { mode, full, zoom, firstHover, nextHover, zoomThenHover };
  } finally {
    await page.close();
  }
}

async function main(): Promise<void> {
  const browser = await launchBrowser();
  try {
    const vocab = await measure(browser, 50257, {});
    const svg = await measure(browser, 1500, { canvasThreshold: 1e9 });
    const py = spawnSync('/usr/bin/python3', ['-c', `
import time, numpy as np, matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
n, k = 50257, 300
s = 1
xy = np.zeros((n, 2)); lab = np.zeros(n, dtype=int)
def rand():
    global s
    s = (s * 16807) % 2147483647
    return s / 2147483647
for i in range(n):
    c = i % (k + 1)
    if c == k: xy[i] = (rand() * 400 - 200, rand() * 400 - 200); lab[i] = -1
    else:
        a = c * 2.399; xy[i] = (np.cos(a) * c * 0.6 + rand() * 2, np.sin(a) * c * 0.6 + rand() * 2); lab[i] = c
best = 1e9
for r in range(3):
    t = time.perf_counter()
    fig, ax = plt.subplots(figsize=(12, 6.2), dpi=100)
    ax.scatter(xy[:, 0], xy[:, 1], c=lab, s=4, cmap="tab20")
    fig.savefig("/tmp/mechlens-bench-token-map.png")
    plt.close(fig)
    best = min(best, time.perf_counter() - t)
print(best * 1000)
`], { encoding: 'utf8' });
    const matplotlibMs = py.status === 0 ? Number(py.stdout.trim()) : NaN;
    console.log(`50,257 points (${vocab.mode}): full draw ${vocab.full.toFixed(1)} ms, wheel-zoom frame ${vocab.zoom.toFixed(1)} ms, first hover (builds Delaunay) ${vocab.firstHover.toFixed(1)} ms, next hovers ${vocab.nextHover.toFixed(2)} ms, zoom frame + hover ${vocab.zoomThenHover.toFixed(1)} ms`);
    console.log(`reference: 1,500 points (${svg.mode}): full draw ${svg.full.toFixed(1)} ms, wheel-zoom frame ${svg.zoom.toFixed(1)} ms, first hover ${svg.firstHover.toFixed(1)} ms, next hovers ${svg.nextHover.toFixed(2)} ms, zoom frame + hover ${svg.zoomThenHover.toFixed(1)} ms`);
    console.log(`reference: matplotlib scatter + savefig of 50,257 points: ${matplotlibMs.toFixed(1)} ms${py.status === 0 ? '' : ` (failed: ${py.stderr.trim().split('\n').pop()})`}`);
  } finally {
    await browser.close();
  }
}

void main();
