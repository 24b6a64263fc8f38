// Cluster summaries as the notebook prints them: members, centroid, and the mean of a per-point
// value (mean t and mean |t| per cluster).
import type { Matrix } from '../matrix';
import { MechLensError } from '../errors';

export interface ClusterInfo {
  /** Cluster label; −1 collects DBSCAN noise. */
  label: number;
  /** Names of the member points, in input order. */
  members: string[];
  /** Row indices of the members. */
  indices: number[];
  /** Mean of the members' rows in x. */
  centroid: number[];
  /** Mean of values over members, when values are given. */
  meanValue?: number;
  /** Mean of |values| over members, when values are given. */
  meanAbsValue?: number;
}

/** One entry per label, ordered by label (noise first when present). */
export function summarizeClusters(labels: Int32Array | ArrayLike<number>, x: Matrix, names: readonly string[], values?: ArrayLike<number>): ClusterInfo[] {
  checkLengths(labels, x, names, values);
  const order = labelsInOrder(labels);
  const groups = order.length === 1 ? [everyPoint(x.rows, names)] : groupPoints(labels, names, order);
  return order.map((label, g) => {
    const { indices, members } = groups[g];
    const info: ClusterInfo = { label, members, indices, centroid: meanRow(x, indices) };
    if (values) {
      let sum = 0, abs = 0;
      for (let k = 0; k < indices.length; k++) { const v = values[indices[k]]; sum += v; abs += Math.abs(v); }
      info.meanValue = sum / indices.length;
      info.meanAbsValue = abs / indices.length;
    }
    return info;
  });
}

function checkLengths(labels: ArrayLike<number>, x: Matrix, names: readonly string[], values?: ArrayLike<number>): void {
  const n = x.rows;
  if (labels.length !== n || names.length !== n || (values && values.length !== n)) {
    throw new MechLensError('bad-argument', `cluster summary needs one label, name${values ? ' and value' : ''} per point (${n} points; got ${labels.length} labels, ${names.length} names${values ? `, ${values.length} values` : ''})`);
  }
}

/**
 * The distinct labels, ascending. Points are grouped by counting, with no closure or Map lookup per
 * point while the label stays the same: this runs once per CLI process, cold, and embed2d's one
 * cluster of all 50,257 GPT-2 tokens took 32 ms the old way (a Map of pushes, indices.map(names)).
 * The sums still run over the members in input order, so every centroid and mean is the same double.
 */
function labelsInOrder(labels: ArrayLike<number>): number[] {
  const seen = new Set<number>();
  let run = labels[0];
  if (labels.length > 0) seen.add(run);
  for (let i = 1; i < labels.length; i++) {
    const label = labels[i];
    if (label !== run) {
      run = label;
      seen.add(label);
    }
  }
  return [...seen].sort((a, b) => a - b);
}

type Group = { indices: number[]; members: string[] };

function everyPoint(n: number, names: readonly string[]): Group {
  const indices: number[] = [];
  for (let i = 0; i < n; i++) indices.push(i);
  return { indices, members: names.slice(0, n) };
}

function groupPoints(labels: ArrayLike<number>, names: readonly string[], order: number[]): Group[] {
  const slotOf = new Map<number, number>();
  order.forEach((label, slot) => slotOf.set(label, slot));
  const groups: Group[] = order.map(() => ({ indices: [], members: [] }));
  let run = NaN, group = groups[0];
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i];
    if (label !== run) { run = label; group = groups[slotOf.get(label)!]; }
    group.indices.push(i);
    group.members.push(names[i]);
  }
  return groups;
}

/** The mean of the given rows of x, summed in the order given. */
function meanRow(x: Matrix, indices: number[]): number[] {
  const { cols, data } = x;
  const count = indices.length;
  const centroid = new Array<number>(cols).fill(0);
  for (let k = 0; k < count; k++) {
    const base = indices[k] * cols;
    for (let c = 0; c < cols; c++) centroid[c] += data[base + c];
  }
  for (let c = 0; c < cols; c++) centroid[c] /= count;
  return centroid;
}
