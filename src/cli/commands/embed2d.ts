// mechlens embed2d: a matrix file (.npy, CSV, TSV) to a 2-D map by t-SNE, PCA or UMAP, run in a
// worker thread. Writes an EmbeddingMap-shaped JSON: coords (N × 2), labels and clusters (from
// DBSCAN on the map when --eps is given, else one cluster of everything), items when labelled.
import { mkdirSync } from 'node:fs';
import { writeJsonFileSync } from '../../core/io/json-stream';
import { dirname } from 'node:path';
import { SCHEMA_VERSION } from '../../protocol/result';
import { readMatrixFile } from '../../core/io/matrix-files';
import { runInWorker } from '../../core/worker/client';
import { summarizeClusters } from '../../core/cluster/summary';
import { JsonRows, type Matrix } from '../../core/matrix';
import { MechLensError, throwIfCancelled } from '../../core/errors';
import type { RunControl } from '../../core/run-control';
import type { PcaOptions } from '../../core/layout/pca';
import { numberOption, type ParsedArgs } from '../args';
import type { CliCommand } from '../command';

const command: CliCommand = {
  options: {
    matrix: { required: true, description: 'matrix file: .npy, .csv or .tsv (Embedding Projector vectors TSV works)' },
    method: { description: 'tsne (default), pca or umap' },
    perplexity: { description: 't-SNE perplexity (default 30)' },
    seed: { description: 'random seed (default 0)' },
    metric: { description: 'euclidean (default) or cosine, for t-SNE' },
    metadata: { description: 'Embedding Projector metadata TSV whose first column labels the rows' },
    eps: { description: 'also cluster the map with DBSCAN at this radius (map units)' },
    'min-samples': { description: 'DBSCAN min samples on the map (default 5)' },
    json: { required: true, description: 'write the result JSON here' },
  },
  async run(args, io) {
    const name = 'embed2d';
    const method = choice(args, 'method', ['tsne', 'pca', 'umap'], 'tsne');
    const metric = choice(args, 'metric', ['euclidean', 'cosine'], 'euclidean');
    const perplexity = numberOption(name, args, 'perplexity', 30, { above: 0 });
    const seed = numberOption(name, args, 'seed', 0, { integer: true });
    const eps = args.eps === undefined ? undefined : numberOption(name, args, 'eps', 0, { above: 0 });
    const minSamples = numberOption(name, args, 'min-samples', 5, { integer: true, min: 1 });
    // t-SNE and UMAP: the worker thread starts (and loads its layout) on the other core while this
    // one reads the file; the layout then runs on that same thread, already warm. PCA: onnxruntime
    // loads on this thread between the read's chunks (see runPca). A warm-up's failure is not this
    // command's: the layout's own run reports whatever is wrong.
    const pcaModule = method === 'pca' ? await import('../../core/layout/pca') : undefined;
    const warm = pcaModule ? undefined : runInWorker('warmUp', { task: method }).catch(() => undefined);
    const whileReading = pcaModule && (() => { try { pcaModule.warmUpPca(); } catch { /* see above */ } });
    // For PCA the column statistics (means, total variance) are summed as the file's chunks land,
    // while the next chunk is read: PCA then makes no pass of its own over X.
    const file = await readMatrixFile(args.matrix as string, { metadataPath: args.metadata as string | undefined, statistics: method === 'pca', whileReading });
    await warm;
    const x = file.matrix;
    io.log(`${args.matrix}: ${x.rows} × ${x.cols}; ${method}`);
    const started = Date.now();
    let lastDecile = -1;
    const control = {
      signal: io.signal,
      onProgress: (p: { message: string; fraction?: number }) => {
        const decile = Math.floor((p.fraction ?? 0) * 10);
        if (decile !== lastDecile) { lastDecile = decile; io.log(`  ${p.message}`); }
      },
    };
    let coords: Matrix;
    let kl: number | undefined;
    const warnings: string[] = [];
    let pcaSolver: 'full' | 'randomized' | undefined;
    if (method === 'tsne') {
      const result = await runInWorker('tsne', { x, options: { perplexity, seed, metric } }, control);
      coords = result.coords; kl = result.kl;
      warnings.push(...result.warnings);
    } else if (method === 'pca') {
      if (x.cols < 2) throw new MechLensError('bad-argument', `PCA to 2-D needs at least 2 columns, ${args.matrix} has ${x.cols}`, { input: args.matrix as string });
      const result = await runPca(pcaModule!, x, { components: 2, seed, statistics: file.statistics }, control);
      coords = result.coords; pcaSolver = result.svdSolver;
    } else {
      coords = await runInWorker('umap', { x, options: { seed } }, control);
    }
    for (const w of warnings) io.log(`  warning: ${w}`);
    const items = file.labels ?? Array.from({ length: x.rows }, (_, i) => String(i));
    const labels = eps === undefined ? new Int32Array(x.rows) : await runInWorker('dbscan', { x: coords, options: { eps, minSamples } }, control);
    const json = args.json as string;
    writeEmbed2dJson(json, {
      input: args.matrix as string, items, method, coords, labels, kl, pcaSolver,
      options: { method, perplexity, seed, metric, eps: eps ?? null, minSamples },
      warnings, started,
    });
    io.log(`Wrote ${json}`);
  },
};

/** What embed2d's result JSON is made of: the layout's output and the run's settings. */
export interface Embed2dOutput {
  input: string;
  items: string[];
  method: 'tsne' | 'pca' | 'umap';
  coords: Matrix;
  labels: Int32Array;
  kl?: number;
  pcaSolver?: 'full' | 'randomized';
  options: Record<string, unknown>;
  warnings: string[];
  /** Date.now() when the layout started: durationMs counts from here to the JSON's making. */
  started: number;
}

/** Writes embed2d's result JSON (an EmbeddingMap, the CLI contract in design.md) to `file`. */
export function writeEmbed2dJson(file: string, o: Embed2dOutput): void {
  const clusters = summarizeClusters(o.labels, o.coords, o.items).map(({ label, members, centroid }) => ({ label, members, centroid }));
  const out = {
    schemaVersion: SCHEMA_VERSION,
    command: 'embed2d',
    input: o.input,
    items: o.items,
    method: o.method,
    // Both written straight from their typed arrays (json-stream.ts), to the same text as number[]s.
    coords: new JsonRows(o.coords),
    labels: o.labels,
    clusters,
    ...(o.kl === undefined ? {} : { kl: o.kl }),
    ...(o.pcaSolver === undefined ? {} : { pcaSolver: o.pcaSolver }),
    options: o.options,
    warnings: o.warnings,
    durationMs: Date.now() - o.started,
  };
  mkdirSync(dirname(file), { recursive: true });
  writeJsonFileSync(file, out);
}

/**
 * PCAs of at most this many multiply-adds (about half a second here; the GPT-2 vocabulary to two
 * components is 7.9·10⁹) run on this thread. A worker costs 0.1 s of CPU to start (an isolate,
 * worker.js, onnxruntime) on the core that is reading the file: on the GPT-2 vocabulary it was
 * ready 0.18 s after the read ended, and its PCA ran 0.1 s slower beside this thread's work
 * (bench/README.md, "linalg"). The price: Ctrl-C is seen only when the PCA returns, at most this
 * long after it. Larger ones run on a worker, where Ctrl-C stops them between passes.
 */
const PCA_HERE_BELOW = 1e10;

async function runPca(module: typeof import('../../core/layout/pca'), x: Matrix, options: PcaOptions, control: RunControl) {
  if (module.pcaPlan(x.rows, x.cols, options.components ?? 2).multiplyAdds > PCA_HERE_BELOW) {
    // X is not read again here: hand its buffer to the worker instead of copying it (154 MB for the GPT-2 vocabulary).
    return runInWorker('pca', { x, options }, { ...control, transferInput: true });
  }
  // X is this command's own and not read again: centre it in place when it must be centred.
  const result = module.pca(x, { ...options, overwriteInput: true }, control);
  // A Ctrl-C during the PCA is handled once this thread is free: let its handler run, then honour it.
  // Twice: the signal is read in the event loop's poll phase, and one setImmediate can come back in
  // the check phase that follows the poll phase this PCA ran in, before the signal was looked at.
  for (let turn = 0; turn < 2; turn++) await new Promise((resolve) => setImmediate(resolve));
  throwIfCancelled(control.signal);
  return result;
}

export function choice<T extends string>(args: ParsedArgs, option: string, allowed: readonly T[], fallback: T): T {
  const value = args[option];
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !allowed.includes(value as T)) {
    throw new MechLensError('bad-argument', `--${option} must be one of ${allowed.join(', ')}, got "${String(value)}"`, { input: `--${option}` });
  }
  return value as T;
}

export default command;
