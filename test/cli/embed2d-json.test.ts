// embed2d's result JSON (a stable CLI contract, design.md) is written by fast paths since issue 18:
// coords and labels straight from their typed arrays, the one cluster's members as the items' own
// text. The file must be byte for byte what JSON.stringify gave of the plain object before.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeEmbed2dJson, type Embed2dOutput } from '../../src/cli/commands/embed2d';
import { summarizeClusters } from '../../src/core/cluster/summary';
import { toJson } from '../../src/core/matrix';
import { createRandom } from '../../src/core/random';
import { SCHEMA_VERSION } from '../../src/protocol/result';

/** The JSON as embed2d wrote it before: every part a plain array, one JSON.stringify. */
function plainJson(o: Embed2dOutput, durationMs: number): string {
  return JSON.stringify({
    schemaVersion: SCHEMA_VERSION,
    command: 'embed2d',
    input: o.input,
    items: o.items,
    method: o.method,
    coords: toJson(o.coords),
    labels: Array.from(o.labels),
    clusters: summarizeClusters(o.labels, o.coords, o.items).map(({ label, members, centroid }) => ({ label, members, centroid })),
    ...(o.kl === undefined ? {} : { kl: o.kl }),
    ...(o.pcaSolver === undefined ? {} : { pcaSolver: o.pcaSolver }),
    options: o.options,
    warnings: o.warnings,
    durationMs,
  });
}

test('embed2d writes the same bytes as JSON.stringify of its plain result, with one cluster or several', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mechlens-embed2d-json-'));
  try {
    const random = createRandom(11);
    const cases: { rows: number; clusters: number; kl?: number; pcaSolver?: 'full' | 'randomized'; method: Embed2dOutput['method'] }[] = [
      { rows: 50257, clusters: 1, pcaSolver: 'randomized', method: 'pca' }, // the GPT-2 vocabulary: many slices
      { rows: 9000, clusters: 7, kl: 1.2345678901234567, method: 'tsne' }, // DBSCAN's clusters and noise
      { rows: 3, clusters: 1, method: 'umap' },
    ];
    for (const c of cases) {
      const data = Float64Array.from({ length: c.rows * 2 }, () => 4 * random.gaussian());
      data[5] = -0;
      if (c.rows > 100) data[101] = NaN; // written as null, as JSON.stringify does
      const labels = Int32Array.from({ length: c.rows }, (_, i) => (c.clusters === 1 ? 0 : i % 31 === 0 ? -1 : random.int(c.clusters)));
      const o: Embed2dOutput = {
        input: 'in "dir"/vocab.npy', items: Array.from({ length: c.rows }, (_, i) => (i % 1000 === 7 ? `é"\\\u2028${i}` : String(i))),
        method: c.method, coords: { rows: c.rows, cols: 2, data }, labels, kl: c.kl, pcaSolver: c.pcaSolver,
        options: { method: c.method, perplexity: 30, seed: 0, metric: 'euclidean', eps: c.clusters === 1 ? null : 0.5, minSamples: 5 },
        warnings: c.clusters === 1 ? [] : ['a warning'], started: Date.now(),
      };
      const file = join(dir, `${c.method}.json`);
      writeEmbed2dJson(file, o);
      const text = readFileSync(file, 'utf8');
      const durationMs = Number(/"durationMs":(\d+)}$/.exec(text)?.[1]);
      assert.ok(Number.isInteger(durationMs), 'durationMs is written last');
      assert.equal(text, plainJson(o, durationMs), `${c.rows} rows, ${c.clusters} cluster(s)`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
