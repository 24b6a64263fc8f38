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
  const n = x.rows;
  if (labels.length !== n || names.length !== n || (values && values.length !== n)) {
    throw new MechLensError('bad-argument', `cluster summary needs one label, name${values ? ' and value' : ''} per point (${n} points; got ${labels.length} labels, ${names.length} names${values ? `, ${values.length} values` : ''})`);
  }
  const byLabel = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const list = byLabel.get(labels[i]);
    if (list) list.push(i); else byLabel.set(labels[i], [i]);
  }
  return [...byLabel.keys()].sort((a, b) => a - b).map((label) => {
    const indices = byLabel.get(label)!;
    const centroid = new Array<number>(x.cols).fill(0);
    for (const i of indices) for (let c = 0; c < x.cols; c++) centroid[c] += x.data[i * x.cols + c];
    for (let c = 0; c < x.cols; c++) centroid[c] /= indices.length;
    const info: ClusterInfo = { label, members: indices.map((i) => names[i]), indices, centroid };
    if (values) {
      let sum = 0, abs = 0;
      for (const i of indices) { sum += values[i]; abs += Math.abs(values[i]); }
      info.meanValue = sum / indices.length;
      info.meanAbsValue = abs / indices.length;
    }
    return info;
  });
}
