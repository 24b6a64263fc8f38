// Where the time goes between "Done" and a drawn compare panel at 2,400 words (issue 20 item 9), in
// headless Chromium with the real webview bundle (test/helpers/chromium.ts builds it as the tests do).
// The result is made here: two spaces of 2,400 words (50 and 300 dims, 8 categories with planted
// structure), cosine matrices from core, 8 clusters on a 2-D map. It is packed as the host packs it
// (protocol/packed-matrices.ts: each matrix one Float64Array), handed to the page, and posted to the
// webview with window.postMessage, which structured-clones it as VS Code's transfer into the iframe does.
// Measured inside the page: a copy of the message alone (posted first with a type the panel ignores),
// then from the real post (buffers transferred): the handler (unpack, the page's cards, the charts of
// the first slice), the first paint (a frame after the handler), and the whole panel (data-rendered),
// with the renderer processes' CPU time to the first paint and to the whole panel (less sensitive to
// the machine's load than wall time). A CPU profile of a second run names the functions that cost most.
// Run: npx tsx bench/panel-draw.ts [words]   (needs Chromium, as the webview tests do)
import { loadavg } from 'node:os';
import { launchBrowser, openPanel, webviewAssets } from '../test/helpers/chromium';
import { createRandom } from '../src/core/random';
import { cosineSimilarityMatrix } from '../src/core/stats/similarity';
import { selectivityIndex } from '../src/core/stats/selectivity';
import { matrix, toJson } from '../src/core/matrix';
import { packMatrices } from '../src/protocol/packed-matrices';
import type { CompareResult, SpaceResult } from '../src/protocol/result';

const n = Number(process.argv[2] ?? 2400);
/** `--profiled-only`: skip the unprofiled run (each run takes minutes on a loaded machine). */
const runs = process.argv.includes('--profiled-only') ? [true] : [false, true];
const categoryCount = 8;

function space(label: string, dims: number, seed: number, items: string[], categories: string[]): SpaceResult {
  const random = createRandom(seed);
  const centres = Array.from({ length: categoryCount }, () => Array.from({ length: dims }, () => random.gaussian()));
  const data = new Float64Array(n * dims);
  for (let i = 0; i < n; i++) for (let d = 0; d < dims; d++) data[i * dims + d] = centres[i % categoryCount][d] * 0.6 + random.gaussian();
  const sim = cosineSimilarityMatrix(matrix(n, dims, data)).similarity;
  const coords = Array.from({ length: n }, (_, i) => [Math.cos(i % categoryCount) * 30 + random.gaussian() * 6, Math.sin(i % categoryCount) * 30 + random.gaussian() * 6]);
  const labels = Array.from({ length: n }, (_, i) => (i % 23 === 0 ? -1 : i % categoryCount));
  return {
    source: { spec: `vectors:${label}`, label, kind: 'vectors', dims, format: 'word2vec-binary' },
    similarity: toJson(sim, 6),
    selectivity: selectivityIndex(sim, categories),
    lowercased: [], missing: [], zeroVectors: [],
    vectors: Array.from({ length: n }, (_, i) => Array.from(data.subarray(i * dims, (i + 1) * dims), (v) => Math.round(v * 1e4) / 1e4)),
    map: {
      method: 'tsne', coords, labels, options: { perplexity: 30 },
      clusters: Array.from({ length: categoryCount }, (_, c) => ({ label: c, members: items.filter((_, i) => labels[i] === c), centroid: [0, 0] })),
    },
  } as unknown as SpaceResult;
}

function result(): CompareResult {
  const items = Array.from({ length: n }, (_, i) => `word${i}`);
  const names = Array.from({ length: categoryCount }, (_, c) => `category-${c}`);
  const categories = items.map((_, i) => names[i % categoryCount]);
  return {
    schemaVersion: 1, job: 'compare', title: `bench: ${n} words`, items, itemCategories: categories, categories: names, missing: [],
    a: space('a-50d', 50, 1, items, categories), b: space('b-300d', 300, 2, items, categories),
    rsa: { pearson: 0.5, spearman: 0.5, cosine: 0.6, pValue: 0.001, permutations: 1000, n: (n * (n - 1)) / 2 },
    rsaByCategory: names.map((category) => ({ category, pearson: 0.4, spearman: 0.4, cosine: 0.5, pValue: 0.01, permutations: 1000, n: 100 })),
    warnings: [], run: { createdAt: new Date(0).toISOString(), version: 'bench', durationMs: 0, options: {} },
    inputs: { words: 'bench.words', seed: 0 },
  } as unknown as CompareResult;
}

/** The packed result as JSON with each Float64Array replaced by a buffer id; the buffers go to the page in chunks first. */
function transportable(value: unknown, buffers: Float64Array[]): unknown {
  if (value instanceof Float64Array) { buffers.push(value); return { buffer: buffers.length - 1 }; }
  if (Array.isArray(value)) return value.map((v) => transportable(v, buffers));
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, transportable(v, buffers)]));
  return value;
}

/** Copies the buffers into the page as window.__buffers, 12 MB per call as base64 (one huge call would close the page). */
async function sendBuffers(page: import('playwright-core').Page, buffers: Float64Array[]): Promise<void> {
  await page.evaluate('window.__buffers = []');
  for (const [id, buffer] of buffers.entries()) {
    const bytes = Buffer.from(buffer.buffer, buffer.byteOffset, buffer.byteLength);
    await page.evaluate(`window.__buffers[${id}] = new Uint8Array(${bytes.length})`);
    const step = 12 * 1024 * 1024;
    for (let at = 0; at < bytes.length; at += step) {
      const chunk = bytes.subarray(at, at + step).toString('base64');
      await page.evaluate(`(() => {
        const b = window.__buffers[${id}];
        if (Uint8Array.fromBase64) { b.set(Uint8Array.fromBase64('${chunk}'), ${at}); return; }
        const s = atob('${chunk}'); for (let i = 0; i < s.length; i++) b[${at} + i] = s.charCodeAt(i);
      })()`);
    }
  }
}

/** CPU seconds of the renderer processes so far (the page's one is the only renderer open). */
async function rendererCpu(cdp: import('playwright-core').CDPSession): Promise<number> {
  const { processInfo } = await cdp.send('SystemInfo.getProcessInfo') as { processInfo: { type: string; cpuTime: number }[] };
  return processInfo.filter((p) => p.type === 'renderer').reduce((t, p) => t + p.cpuTime, 0);
}

/** The bundle's module (esbuild's "// src/..." comments) at each line, to name the profile's frames. */
function moduleAt(bundle: string): (line: number) => string {
  const starts: [number, string][] = [];
  bundle.split('\n').forEach((text, k) => { const m = /^\s*\/\/ (src\/\S+|node_modules\/\S+)/.exec(text); if (m) starts.push([k + 1, m[1]]); });
  return (line) => {
    let name = '';
    for (const [start, module] of starts) { if (start > line) break; name = module; }
    return name.replace(/^src\/webview\//, '').replace(/^node_modules\/((@[^/]+\/)?[^/]+).*/, '$1');
  };
}

const inPage = (payload: string) => `(async () => {
  const revive = (v) => {
    if (v && typeof v === 'object' && typeof v.buffer === 'number') return new Float64Array(window.__buffers[v.buffer].buffer);
    if (Array.isArray(v)) return v.map(revive);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, revive(x)]));
    return v;
  };
  const result = revive(JSON.parse(${JSON.stringify(payload)}));
  const t = {};
  // The clone alone: a message type the panel ignores, with the same result, posted first.
  const cloned = new Promise((resolve) => window.addEventListener('message', () => { t.cloneOnly = performance.now() - t.cloneStart; resolve(); }, { once: true }));
  t.cloneStart = performance.now();
  window.postMessage({ type: 'bench-clone-only', result }, '*');
  await cloned;
  await new Promise((resolve) => setTimeout(resolve, 50));
  window.__cpuMark = 'start';
  await new Promise((resolve) => { window.__cpuGo = resolve; });
  const message = { type: 'result', result };
  const handled = new Promise((resolve) => window.addEventListener('message', () => { t.handled = performance.now(); resolve(); }, { once: true }));
  const start = performance.now();
  // The matrices' buffers are transferred, not copied, as VS Code hands a message's ArrayBuffers to the webview.
  window.postMessage(message, '*', window.__buffers.map((b) => b.buffer));
  await handled;
  await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
  t.firstPaint = performance.now();
  t.heatmapsAtFirstPaint = document.querySelectorAll('.ml-heatmap canvas, .ml-heatmap svg rect.cell').length > 0;
  window.__cpuMark = 'painted';
  await new Promise((resolve) => { window.__cpuGo = resolve; });
  while (!document.querySelector('[data-rendered="true"]')) await new Promise((resolve) => setTimeout(resolve, 10));
  t.rendered = performance.now();
  return { clone: t.cloneOnly, handler: t.handled - start, firstPaint: t.firstPaint - start, rendered: t.rendered - start, heatmapsAtFirstPaint: t.heatmapsAtFirstPaint };
})()`;

/**
 * Runs the page script, reading the renderer's CPU time when the page stops at a mark: just
 * before the post, at the first paint, and after the whole panel.
 */
async function timedRun(page: import('playwright-core').Page, browserCdp: import('playwright-core').CDPSession, payload: string) {
  const cpu: Record<string, number> = {};
  const run = page.evaluate(inPage(payload)) as Promise<Record<string, number | boolean>>;
  for (const mark of ['start', 'painted']) {
    while ((await page.evaluate('window.__cpuMark')) !== mark) await new Promise((r) => setTimeout(r, 5));
    cpu[mark] = await rendererCpu(browserCdp);
    await page.evaluate('window.__cpuMark = undefined; window.__cpuGo()');
  }
  const t = await run;
  cpu.done = await rendererCpu(browserCdp);
  return { t, cpuToPaint: cpu.painted - cpu.start, cpuToDone: cpu.done - cpu.start };
}

async function main(): Promise<void> {
  const made = Date.now();
  const buffers: Float64Array[] = [];
  const payload = JSON.stringify(transportable(packMatrices(result()), buffers));
  console.log(`${n} words: result made and packed in ${Date.now() - made} ms (${(payload.length / 1e6).toFixed(1)} MB of JSON and ${buffers.length} matrices of ${(buffers.reduce((t, b) => t + b.byteLength, 0) / 1e6).toFixed(0)} MB)`);
  const browser = await launchBrowser();
  const browserCdp = await browser.newBrowserCDPSession();
  const moduleOf = moduleAt((await webviewAssets()).js);
  try {
    for (const profiled of runs) {
      const page = await openPanel(browser, { width: 1400, height: 1000 });
      await sendBuffers(page.page, buffers);
      const cdp = await page.page.context().newCDPSession(page.page);
      if (profiled) { await cdp.send('Profiler.enable'); await cdp.send('Profiler.start'); }
      const load = loadavg()[0].toFixed(1);
      const { t, cpuToPaint, cpuToDone } = await timedRun(page.page, browserCdp, payload);
      const fmt = (k: string) => `${Math.round(t[k] as number)} ms`;
      console.log(`${profiled ? 'profiled run' : 'run'} (load ${load}): clone alone ${fmt('clone')} · handler done ${fmt('handler')} · first paint ${fmt('firstPaint')} (heatmaps drawn: ${t.heatmapsAtFirstPaint}) · whole panel ${fmt('rendered')}`);
      console.log(`  renderer CPU: ${cpuToPaint.toFixed(2)} s to the first paint, ${cpuToDone.toFixed(2)} s to the whole panel`);
      if (profiled) {
        const { profile } = await cdp.send('Profiler.stop') as { profile: { nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[]; samples: number[]; timeDeltas: number[] } };
        const self = new Map<string, number>();
        const byId = new Map(profile.nodes.map((node) => [node.id, node]));
        profile.samples.forEach((id, k) => {
          const frame = byId.get(id)?.callFrame;
          const name = frame ? `${frame.functionName || '(anonymous)'}${frame.url.endsWith('webview.js') ? ` ${moduleOf(frame.lineNumber + 1)}:${frame.lineNumber + 1}` : frame.url ? ` :${frame.lineNumber + 1}` : ''}` : '?';
          self.set(name, (self.get(name) ?? 0) + (profile.timeDeltas[k] ?? 0) / 1000);
        });
        console.log('most self time (ms):');
        for (const [name, ms] of [...self].sort((x, y) => y[1] - x[1]).slice(0, 14)) console.log(`  ${ms.toFixed(0).padStart(6)}  ${name}`);
      }
      console.log(`  page errors: ${page.errors.length ? page.errors.join(' | ') : 'none'}`);
      await page.close();
    }
  } finally {
    await browser.close();
  }
  console.log(`load average: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
}

main().catch((err) => { console.error(err); process.exit(1); });
