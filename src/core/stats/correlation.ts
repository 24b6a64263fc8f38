// Correlations between two equally long vectors, as RSA compares upper triangles.
// Undefined cases (fewer than 2 values, a constant vector, all zeros) return null, never NaN.
import { MechLensError } from '../errors';
import type { Matrix } from '../matrix';

export type Vector = ArrayLike<number>;

/** Entries above the diagonal of a square matrix, row by row (numpy's m[np.triu_indices(n, 1)]). */
export function upperTriangle(m: Matrix): Float64Array {
  requireSquare(m, 'upperTriangle');
  const n = m.rows;
  const out = new Float64Array((n * (n - 1)) / 2);
  let t = 0;
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) out[t++] = m.data[i * n + j];
  return out;
}

/** Pearson r (scipy.stats.pearsonr's statistic); null when undefined. */
export function pearson(x: Vector, y: Vector): number | null {
  requireSameLength(x, y, 'pearson');
  const n = x.length;
  if (n < 2) return null;
  const mx = mean(x), my = mean(y);
  let sxy = 0, sxx = 0, syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i] - mx, dy = y[i] - my;
    sxy += dx * dy; sxx += dx * dx; syy += dy * dy;
  }
  if (!(sxx > 0 && syy > 0)) return null;
  return clampUnit(sxy / (Math.sqrt(sxx) * Math.sqrt(syy)));
}

/** Spearman ρ with average ranks for ties (scipy.stats.spearmanr); null when undefined. */
export function spearman(x: Vector, y: Vector): number | null {
  requireSameLength(x, y, 'spearman');
  return pearson(averageRanks(x), averageRanks(y));
}

/** S_c = Σxy / √(Σx² Σy²), the uncentered cosine of the two vectors; null when either is all zeros. */
export function cosineAgreement(x: Vector, y: Vector): number | null {
  requireSameLength(x, y, 'cosineAgreement');
  let sxy = 0, sxx = 0, syy = 0;
  for (let i = 0; i < x.length; i++) { sxy += x[i] * y[i]; sxx += x[i] * x[i]; syy += y[i] * y[i]; }
  if (!(sxx > 0 && syy > 0)) return null;
  return clampUnit(sxy / (Math.sqrt(sxx) * Math.sqrt(syy)));
}

/** 1-based ranks, ties get the mean of the ranks they span (scipy.stats.rankdata 'average'). */
export function averageRanks(x: Vector): Float64Array {
  const n = x.length;
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    if (Number.isNaN(x[i])) {
      throw new MechLensError('bad-argument', `averageRanks: value ${i} is NaN`, { fix: 'Remove NaN values before ranking.' });
    }
    values[i] = x[i] + 0; // -0 becomes +0, so the two tie as they compare equal
  }
  const order = sortedOrder(values);
  const ranks = new Float64Array(n);
  for (let start = 0; start < n;) {
    let end = start + 1;
    while (end < n && values[order[end]] === values[order[start]]) end++;
    const rank = (start + end + 1) / 2; // mean of 1-based ranks start+1 … end
    for (let k = start; k < end; k++) ranks[order[k]] = rank;
    start = end;
  }
  return ranks;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Indices that sort `values` ascending (stable): an LSD radix sort on the IEEE-754 bits, four
 * 16-bit passes. Spearman over 2,000 items ranks 2 million pair values, where sorting indices with
 * a comparator function is several times slower.
 */
function sortedOrder(values: Float64Array): Uint32Array {
  const n = values.length;
  const words = new Uint32Array(values.buffer, values.byteOffset, 2 * n);
  const [loWord, hiWord] = LITTLE_ENDIAN ? [0, 1] : [1, 0];
  const hi = new Uint32Array(n), lo = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const h = words[2 * i + hiWord], l = words[2 * i + loWord];
    // Negative numbers: flip every bit (larger magnitude sorts first); others: set the sign bit.
    if (h & 0x80000000) { hi[i] = ~h >>> 0; lo[i] = ~l >>> 0; } else { hi[i] = (h | 0x80000000) >>> 0; lo[i] = l; }
  }
  let order = new Uint32Array(n), next = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  const buckets = new Uint32Array(65536);
  for (let pass = 0; pass < 4; pass++) {
    const key = pass < 2 ? lo : hi, shift = (pass & 1) * 16;
    buckets.fill(0);
    for (let i = 0; i < n; i++) buckets[(key[order[i]] >>> shift) & 0xffff]++;
    let sum = 0;
    for (let b = 0; b < 65536; b++) { const c = buckets[b]; buckets[b] = sum; sum += c; }
    for (let i = 0; i < n; i++) { const o = order[i]; next[buckets[(key[o] >>> shift) & 0xffff]++] = o; }
    [order, next] = [next, order];
  }
  return order;
}

export function mean(x: Vector): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i];
  return s / x.length;
}

function clampUnit(r: number): number {
  return r > 1 ? 1 : r < -1 ? -1 : r;
}

export function requireSquare(m: Matrix, what: string): void {
  if (m.rows !== m.cols) {
    throw new MechLensError('bad-argument', `${what}: expected a square similarity matrix, got ${m.rows} × ${m.cols}`, {
      fix: 'Pass an items × items similarity matrix.',
    });
  }
}

function requireSameLength(x: Vector, y: Vector, what: string): void {
  if (x.length !== y.length) {
    throw new MechLensError('bad-argument', `${what}: vectors have lengths ${x.length} and ${y.length}`, {
      fix: 'Compare vectors of the same length (upper triangles of matrices over the same items).',
    });
  }
}
