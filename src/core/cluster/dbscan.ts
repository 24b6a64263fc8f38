// DBSCAN with scikit-learn's semantics: a point is core when at least minSamples points
// (itself included) lie within eps (inclusive); clusters grow depth-first from core points taken
// in index order, so a border point joins the first cluster that reaches it; the rest is noise (−1).
// Neighbourhoods come from a uniform grid for 1-3 euclidean columns (t-SNE maps) and from a
// symmetric pairwise pass otherwise.
import type { Matrix } from '../matrix';
import { MechLensError, throwIfCancelled } from '../errors';
import { requireFinite } from '../finite';
import type { RunControl } from '../run-control';
import { prepareRows } from '../layout/knn';

export interface DbscanOptions {
  eps: number;
  minSamples: number;
  metric?: 'euclidean' | 'cosine';
}

export function dbscan(x: Matrix, options: DbscanOptions, control: RunControl = {}): Int32Array {
  const { eps, minSamples } = options;
  const metric = options.metric ?? 'euclidean';
  if (!(eps > 0)) throw new MechLensError('bad-argument', `DBSCAN eps must be positive, got ${eps}`, { fix: 'Pick eps from the typical distance between close points.' });
  if (!(Number.isInteger(minSamples) && minSamples >= 1)) throw new MechLensError('bad-argument', `DBSCAN min-samples must be a whole number ≥ 1, got ${minSamples}`);
  requireFinite(x, 'DBSCAN input');
  const n = x.rows;
  const neighbours = metric === 'euclidean' && x.cols <= 3 ? gridNeighbourhoods(x, eps, control) : pairwiseNeighbourhoods(x, eps, metric, control);
  const labels = new Int32Array(n).fill(-1);
  const isCore = new Uint8Array(n);
  for (let i = 0; i < n; i++) isCore[i] = neighbours[i].length + 1 >= minSamples ? 1 : 0;
  const stack: number[] = [];
  let cluster = 0;
  for (let start = 0; start < n; start++) {
    if (labels[start] !== -1 || !isCore[start]) continue;
    let i = start;
    for (;;) {
      if (labels[i] === -1) {
        labels[i] = cluster;
        if (isCore[i]) for (const v of neighbours[i]) if (labels[v] === -1) stack.push(v);
      }
      if (stack.length === 0) break;
      i = stack.pop()!;
    }
    cluster++;
  }
  return labels;
}

/** Neighbour lists (self excluded) with distance ≤ eps, via cells of side eps. */
function gridNeighbourhoods(x: Matrix, eps: number, control: RunControl): number[][] {
  const { rows: n, cols: d, data } = x;
  const eps2 = eps * eps;
  const cellOf = (i: number, axis: number) => Math.floor(data[i * d + axis] / eps);
  const cells = new Map<string, number[]>();
  const keys: string[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const key = Array.from({ length: d }, (_, a) => cellOf(i, a)).join(',');
    keys[i] = key;
    let list = cells.get(key);
    if (!list) cells.set(key, (list = []));
    list.push(i);
  }
  const offsets: number[][] = [[]];
  for (let a = 0; a < d; a++) {
    const next: number[][] = [];
    for (const o of offsets) for (const delta of [-1, 0, 1]) next.push([...o, delta]);
    offsets.splice(0, offsets.length, ...next);
  }
  const out: number[][] = new Array(n);
  for (let i = 0; i < n; i++) {
    if (i % 4096 === 0) throwIfCancelled(control.signal);
    const base = keys[i].split(',').map(Number);
    const found: number[] = [];
    for (const o of offsets) {
      const list = cells.get(base.map((b, a) => b + o[a]).join(','));
      if (!list) continue;
      for (const j of list) {
        if (j === i) continue;
        let s = 0;
        for (let a = 0; a < d; a++) { const diff = data[i * d + a] - data[j * d + a]; s += diff * diff; }
        if (s <= eps2) found.push(j);
      }
    }
    out[i] = found.sort((a, b) => a - b);
  }
  return out;
}

/** Neighbour lists (self excluded) by one pass over pairs; cosine distance is 1 − cos. */
function pairwiseNeighbourhoods(x: Matrix, eps: number, metric: 'euclidean' | 'cosine', control: RunControl): number[][] {
  const { rows: n, cols: d } = x;
  const data = prepareRows(x, metric);
  const out: number[][] = Array.from({ length: n }, () => []);
  const eps2 = eps * eps;
  for (let i = 0; i < n; i++) {
    if (i % 256 === 0) {
      throwIfCancelled(control.signal);
      control.onProgress?.({ message: 'DBSCAN neighbourhoods', fraction: i / n });
    }
    const a = i * d;
    for (let j = i + 1; j < n; j++) {
      const b = j * d;
      let near: boolean;
      if (metric === 'cosine') {
        let dot = 0;
        for (let c = 0; c < d; c++) dot += data[a + c] * data[b + c];
        near = Math.min(2, Math.max(0, 1 - dot)) <= eps;
      } else {
        let s = 0;
        for (let c = 0; c < d; c++) { const diff = data[a + c] - data[b + c]; s += diff * diff; }
        near = s <= eps2;
      }
      if (near) { out[i].push(j); out[j].push(i); }
    }
  }
  return out;
}
