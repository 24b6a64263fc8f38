// mechlens cluster: DBSCAN or k-means over the rows of a matrix file (often a 2-D map written by
// embed2d), run in a worker thread. Writes labels, a summary per cluster, and coords when the
// points are 2-D.
import { mkdirSync } from 'node:fs';
import { writeJsonFileSync } from '../../core/io/json-stream';
import { dirname } from 'node:path';
import { SCHEMA_VERSION } from '../../protocol/result';
import { readMatrixFile } from '../../core/io/matrix-files';
import { runInWorker } from '../../core/worker/client';
import { summarizeClusters } from '../../core/cluster/summary';
import { toJson } from '../../core/matrix';
import { MechLensError } from '../../core/errors';
import { numberOption } from '../args';
import type { CliCommand } from '../command';
import { choice } from './embed2d';

const command: CliCommand = {
  options: {
    points: { required: true, description: 'matrix file: .npy, .csv or .tsv, one point per row' },
    method: { required: true, description: 'dbscan or kmeans' },
    eps: { description: 'DBSCAN radius (required for dbscan)' },
    'min-samples': { description: 'DBSCAN points within eps, itself included, that make a core point (default 5)' },
    k: { description: 'number of k-means clusters (required for kmeans)' },
    seed: { description: 'k-means random seed (default 0)' },
    metric: { description: 'DBSCAN metric: euclidean (default) or cosine' },
    metadata: { description: 'Embedding Projector metadata TSV whose first column names the rows' },
    json: { required: true, description: 'write the result JSON here' },
  },
  async run(args, io) {
    const name = 'cluster';
    const method = choice(args, 'method', ['dbscan', 'kmeans'], 'dbscan');
    const seed = numberOption(name, args, 'seed', 0, { integer: true });
    const metric = choice(args, 'metric', ['euclidean', 'cosine'], 'euclidean');
    if (method === 'dbscan' && args.eps === undefined) {
      throw new MechLensError('bad-argument', '--method dbscan needs --eps', { input: `mechlens ${name}`, fix: 'Add --eps E (and optionally --min-samples M).' });
    }
    if (method === 'kmeans' && args.k === undefined) {
      throw new MechLensError('bad-argument', '--method kmeans needs --k', { input: `mechlens ${name}`, fix: 'Add --k K.' });
    }
    // Every option is checked before the file is read, so a typo fails at once, not after a large read.
    const eps = method === 'dbscan' ? numberOption(name, args, 'eps', 0, { above: 0 }) : 0;
    const minSamples = numberOption(name, args, 'min-samples', 5, { integer: true, min: 1 });
    const k = method === 'kmeans' ? numberOption(name, args, 'k', 0, { integer: true, min: 1 }) : 0;
    const file = await readMatrixFile(args.points as string, { metadataPath: args.metadata as string | undefined });
    const x = file.matrix;
    io.log(`${args.points}: ${x.rows} × ${x.cols}; ${method}`);
    const started = Date.now();
    const control = { signal: io.signal };
    let labels: Int32Array;
    let extra: Record<string, unknown> = {};
    let options: Record<string, unknown>;
    if (method === 'dbscan') {
      options = { method, eps, minSamples, metric };
      labels = await runInWorker('dbscan', { x, options: { eps, minSamples, metric } }, control);
    } else {
      options = { method, k, seed };
      const result = await runInWorker('kmeans', { x, options: { k, seed } }, control);
      labels = result.labels;
      extra = { inertia: result.inertia, iterations: result.iterations, centroids: toJson(result.centroids) };
    }
    const items = file.labels ?? Array.from({ length: x.rows }, (_, i) => String(i));
    const clusters = summarizeClusters(labels, x, items).map(({ label, members, centroid }) => ({ label, size: members.length, members, centroid }));
    const found = clusters.filter((c) => c.label >= 0).length;
    io.log(`  ${found} cluster${found === 1 ? '' : 's'}${labels.includes(-1) ? `, ${labels.filter((l) => l === -1).length} noise points` : ''}`);
    const out = {
      schemaVersion: SCHEMA_VERSION,
      command: name,
      input: args.points,
      items,
      labels: Array.from(labels),
      clusters,
      ...(x.cols === 2 ? { coords: toJson(x) } : {}),
      ...extra,
      options,
      durationMs: Date.now() - started,
    };
    const json = args.json as string;
    mkdirSync(dirname(json), { recursive: true });
    writeJsonFileSync(json, out);
    io.log(`Wrote ${json}`);
  },
};

export default command;
