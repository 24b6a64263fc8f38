// Soak: 20 compare analyses back to back in one process, as an extension host runs them. Memory is
// read after a forced GC once run 1 is done and again after run 20; the target is that run 20's
// level stays within 10% of run 1's. Active handles (workers, ports, timers, sockets) are counted
// too, so a leaked worker or session shows up. Paths: in-process (the CLI's analyses), the worker
// pool as the extension uses it (one long-lived thread reused by every run, src/core/worker/client.ts),
// and, as the reference, the former design of one thread per run (a pool that keeps no idle thread).
// Run: node --expose-gc --import tsx bench/soak.ts [runs] [mode]
// mode: in-process | pooled | per-run | bundle-pooled | bundle-per-run | all | all-bundle (default:
// all, which runs in-process, per-run and pooled each in a fresh child process, one after another, so
// RSS of one path does not carry into the next; all-bundle does the same with the bundle-* paths). 'bundle-*' start the built dist/worker.js (run
// node scripts/build.mjs first), as the packaged extension does; the others start
// src/core/worker/main.ts through its tsx bootstrap.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { runCompare, type CompareInput } from '../src/core/analyses/compare';
import { syntheticSpaces } from '../src/core/analyses/demo-vectors';
import { writeVectorFile } from '../src/core/vectors';
import { WorkerPool } from '../src/core/worker/client';

const RUNS = Number(process.argv[2] ?? 20);
const MODE = process.argv[3] ?? 'all';
const MODES = ['in-process', 'pooled', 'per-run', 'bundle-pooled', 'bundle-per-run'];
const WORDS = 300;
const DIMS = 100;
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('Run with node --expose-gc (see the header of bench/soak.ts).');

interface Level { rss: number; heapUsed: number; external: number; handles: Record<string, number> }

async function settle(): Promise<Level> {
  // Let terminated workers and closed ports finish, then collect twice (weak callbacks run between).
  await new Promise((r) => setTimeout(r, 300));
  gc!(); await new Promise((r) => setImmediate(r)); gc!();
  const m = process.memoryUsage();
  const handles: Record<string, number> = {};
  for (const h of process.getActiveResourcesInfo()) handles[h] = (handles[h] ?? 0) + 1;
  return { rss: m.rss, heapUsed: m.heapUsed, external: m.external + m.arrayBuffers, handles };
}

function mb(bytes: number): string { return `${(bytes / 2 ** 20).toFixed(1)} MiB`; }

async function soak(label: string, run: () => Promise<unknown>, pool?: WorkerPool): Promise<void> {
  const start = await settle();
  const started = performance.now();
  let first: Level | undefined;
  for (let i = 1; i <= RUNS; i++) {
    await run();
    if (i === 1) first = await settle();
  }
  const last = await settle();
  const seconds = (performance.now() - started) / 1000;
  console.log(`\n${label}: ${RUNS} runs in ${seconds.toFixed(1)} s`);
  for (const key of ['rss', 'heapUsed', 'external'] as const) {
    const ratio = last[key] / first![key];
    console.log(`  ${key.padEnd(8)} before ${mb(start[key])}, after run 1 ${mb(first![key])}, after run ${RUNS} ${mb(last[key])}  ratio ${ratio.toFixed(3)}${key === 'rss' ? (ratio <= 1.1 ? '  (within 10%)' : '  (ABOVE 10%)') : ''}`);
  }
  console.log(`  handles before ${JSON.stringify(start.handles)}, after run 1 ${JSON.stringify(first!.handles)}, after run ${RUNS} ${JSON.stringify(last.handles)}`);
  if (pool) console.log(`  worker threads started ${pool.stats.started}, discarded ${pool.stats.discarded}, idle at the end ${pool.stats.idle}`);
  const grew = Object.entries(last.handles).filter(([k, n]) => n > (first!.handles[k] ?? 0));
  console.log(grew.length ? `  LEAK: handles grew: ${JSON.stringify(Object.fromEntries(grew))}` : '  no handle, worker or port left behind');
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mechlens-soak-'));
  try {
    const categories = ['space', 'fruit', 'tools', 'animals', 'colors', 'music'];
    const words = Array.from({ length: WORDS }, (_, i) => `w${i}`);
    const wordCategories = words.map((_, i) => categories[i % categories.length]);
    const text = categories.map((c) => `[${c}]\n${words.filter((_, i) => wordCategories[i] === c).join('\n')}\n`).join('');
    const wordsPath = path.join(dir, 'soak.words');
    fs.writeFileSync(wordsPath, text);
    const [a, b] = syntheticSpaces(words, wordCategories, [DIMS, DIMS], 1);
    await writeVectorFile(path.join(dir, 'a.txt'), words, a.vectors, 'glove-text');
    await writeVectorFile(path.join(dir, 'b.bin'), words, b.vectors, 'word2vec-binary');
    const input: CompareInput = { wordsPath, a: `vectors:${path.join(dir, 'a.txt')}`, b: `vectors:${path.join(dir, 'b.bin')}`, permutations: 1000, seed: 0, offline: true, cacheDir: dir };
    console.log(`Soak (${MODE}): compare on ${WORDS} words × ${DIMS} dims (glove text vs word2vec binary), 1000 permutations, t-SNE + DBSCAN maps; node ${process.version}, ${os.cpus().length} CPUs`);
    if (MODE === 'in-process') { await soak('In-process runCompare (CLI path)', () => runCompare(input)); return; }
    const bundled = MODE.startsWith('bundle-');
    const entry = bundled ? { file: path.join(__dirname, '..', 'dist', 'worker.js'), bootstrap: null } : undefined;
    // maxIdle 0: every run's thread is terminated once it answers, which is exactly the former design.
    const perRun = MODE.endsWith('per-run');
    const pool = new WorkerPool({ entry, maxIdle: perRun ? 0 : 1 });
    const where = bundled ? 'dist/worker.js' : 'from source via tsx';
    await soak(perRun ? `One worker thread per run, ${where} (former extension path)` : `One long-lived worker thread reused by every run, ${where} (extension path)`,
      () => pool.run('compare', input), pool);
    await pool.shutdown();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (MODE === 'all' || MODE === 'all-bundle') {
  // Each path in a fresh process, so they start from the same RSS.
  for (const mode of MODE === 'all' ? ['in-process', 'per-run', 'pooled'] : ['in-process', 'bundle-per-run', 'bundle-pooled']) {
    const child = spawnSync(process.execPath, [...process.execArgv, __filename, String(RUNS), mode], { stdio: 'inherit' });
    if (child.status !== 0) process.exitCode = child.status ?? 1;
  }
} else if (MODES.includes(MODE)) {
  void main();
} else {
  throw new Error(`Unknown mode "${MODE}": use ${[...MODES, 'all', 'all-bundle'].join(', ')}.`);
}
