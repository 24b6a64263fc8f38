// Factorisations of tall, skinny matrices stored column by column (rows × b, b a dozen or so, rows
// up to the 50,257 of the GPT-2 vocabulary): the normalisers of PCA's power iterations. Each hot loop is a
// small function called once per column, so that V8 optimises it with its whole body's type
// feedback from the second call on, instead of entering and leaving one large function's loops
// by on-stack replacement (the earlier single-function LU was deoptimised at every column).
import type { Values } from './js-kernels';

/**
 * scipy.linalg.lu(A, permute_l=True)[0], P·L, of A (rows × b, b ≤ rows). A is given transposed, as
 * b columns of `rows` values each (`columns`, column-major: every loop below runs down one long
 * contiguous column), and is overwritten by the factorisation; P·L goes to `out`, row-major, in
 * its element type, every entry written. Pivots are LAPACK getrf's: the first largest |value| of
 * the column in the current row order, rows swapped as they are pivoted, so ties (a zero column
 * above all) go where scipy's do. The multipliers are scaled by the pivot's reciprocal, as
 * LAPACK's getf2 does. `perm` is scratch space of `rows` entries. With `sums`, also the column
 * sums of P·L as stored in `out` (in its element type), summed in the order of L's rows.
 */
export function permutedLowerInto(columns: Float64Array, rows: number, b: number, out: Values, perm: Int32Array = new Int32Array(rows), sums: Float64Array | null = null): void {
  identity(perm, rows);
  const steps = Math.min(b, rows), pivots = new Int32Array(steps);
  let pivotAt = firstLargest(columns, 0, rows, 0);
  for (let j = 0; j < steps; j++) {
    pivots[j] = pivotAt;
    swapRows(columns, perm, rows, b, j, pivotAt);
    pivotAt = eliminateBelow(columns, rows, b, j);
  }
  // Row p of L goes to row perm[p] of P·L. Below the first `steps` rows perm[p] = p except where a
  // pivot came from, so: those rows as they stand, then each row that moved to its place.
  sums?.fill(0);
  rowsFromColumns(columns, rows, b, out, steps, sums);
  for (let q = 0; q < steps; q++) {
    rowOfL(columns, rows, b, q, perm[q], out);
    if (sums) for (let c = 0, d = perm[q] * b; c < b; c++) sums[c] += out[d + c];
  }
  for (const q of pivots) if (q >= steps && perm[q] !== q) rowOfL(columns, rows, b, q, perm[q], out);
}

/** Row q of the factorised columns as a row of L (multipliers, 1 on the diagonal, 0 after) to row `to` of the row-major out. */
function rowOfL(columns: Float64Array, rows: number, b: number, q: number, to: number, out: Values): void {
  for (let c = 0, d = to * b; c < b; c++) out[d + c] = c < q ? columns[c * rows + q] : c === q ? 1 : 0;
}

// Its own function, as is every loop over all rows here: code after a loop that V8 entered by
// on-stack replacement has no type feedback yet, and was deoptimised on every call.
function identity(perm: Int32Array, rows: number): void {
  for (let r = 0; r < rows; r++) perm[r] = r;
}

/** The row (from `from`) of the first largest |value| in column j of the column-major matrix. */
function firstLargest(columns: Float64Array, from: number, rows: number, j: number): number {
  let at = from, best = -1;
  for (let i = from, o = j * rows + from; i < rows; i++, o++) { const v = Math.abs(columns[o]); if (v > best) { best = v; at = i; } }
  return at;
}

function swapRows(columns: Float64Array, perm: Int32Array, rows: number, b: number, i: number, k: number): void {
  if (i === k) return;
  for (let c = 0, o = 0; c < b; c++, o += rows) { const t = columns[o + i]; columns[o + i] = columns[o + k]; columns[o + k] = t; }
  const t = perm[i]; perm[i] = perm[k]; perm[k] = t;
}

/**
 * Column j's multipliers below the pivot row j (in place of the eliminated entries), and each later
 * column less multipliers × the pivot row's entry: column j + 1 in the same pass as the
 * multipliers, with its largest |value| (final then: column j + 1's pivot row, returned), the rest
 * four columns per pass over the multipliers.
 */
function eliminateBelow(columns: Float64Array, rows: number, b: number, j: number): number {
  const first = j + 1, multipliers = j * rows, p = columns[multipliers + j];
  if (first >= b) { // the last column: multipliers only
    if (p !== 0) scaleColumn(columns, multipliers + first, multipliers + rows, p);
    return first;
  }
  // A zero column's multipliers are 0, and the columns after it keep their values.
  if (p === 0) return firstLargest(columns, first, rows, first);
  const pivotAt = multipliersAndNext(columns, multipliers, first * rows, first, rows, p, columns[first * rows + j]);
  let c = first + 1;
  for (; c + 3 < b; c += 4) subtractMultiples4(columns, multipliers, c * rows, rows, first, columns[c * rows + j], columns[(c + 1) * rows + j], columns[(c + 2) * rows + j], columns[(c + 3) * rows + j]);
  if (c + 1 < b) { subtractMultiples2(columns, multipliers, c * rows, rows, first, columns[c * rows + j], columns[(c + 1) * rows + j]); c += 2; }
  if (c < b) subtractMultiple(columns, multipliers, c * rows, first, rows, columns[c * rows + j]);
  return pivotAt;
}

/** v[from … to) divided by p: times the reciprocal, or by division where the reciprocal would overflow (|p| below the smallest normal float64). */
function scaleColumn(v: Float64Array, from: number, to: number, p: number): void {
  if (Math.abs(p) < 2.2250738585072014e-308) { for (let o = from; o < to; o++) v[o] /= p; return; }
  const inverse = 1 / p;
  for (let o = from; o < to; o++) v[o] *= inverse;
}

/** v[t + i] −= v[m + i] · u for rows first … rows − 1. */
function subtractMultiple(v: Float64Array, m: number, t: number, first: number, rows: number, u: number): void {
  for (let i = first; i < rows; i++) v[t + i] -= v[m + i] * u;
}

/**
 * The multipliers (at m) divided by the pivot p, and in the same pass the next column (at t) less
 * multiplier × u; returns the row of the first largest |value| of that column, rows first … rows − 1.
 */
function multipliersAndNext(v: Float64Array, m: number, t: number, first: number, rows: number, p: number, u: number): number {
  if (Math.abs(p) < 2.2250738585072014e-308) { scaleColumn(v, m + first, m + rows, p); p = 1; }
  const inverse = 1 / p;
  let at = first, best = -1;
  for (let i = first; i < rows; i++) {
    const l = v[m + i] * inverse;
    v[m + i] = l;
    const r = v[t + i] - l * u;
    v[t + i] = r;
    const a = Math.abs(r);
    if (a > best) { best = a; at = i; }
  }
  return at;
}

/** subtractMultiple for the two columns at t and t + rows: one pass over the multipliers. */
function subtractMultiples2(v: Float64Array, m: number, t: number, rows: number, first: number, u0: number, u1: number): void {
  const t1 = t + rows;
  for (let i = first; i < rows; i++) { const l = v[m + i]; v[t + i] -= l * u0; v[t1 + i] -= l * u1; }
}

/** subtractMultiple for the four columns at t, t + rows, t + 2·rows, t + 3·rows: one pass over the multipliers. */
function subtractMultiples4(v: Float64Array, m: number, t: number, rows: number, first: number, u0: number, u1: number, u2: number, u3: number): void {
  const t1 = t + rows, t2 = t1 + rows, t3 = t2 + rows;
  for (let i = first; i < rows; i++) {
    const l = v[m + i];
    v[t + i] -= l * u0; v[t1 + i] -= l * u1; v[t2 + i] -= l * u2; v[t3 + i] -= l * u3;
  }
}

/**
 * Rows per block of the copies between row-major and column-major arrays (here and in PCA): within
 * a block, one column at a time, so every inner loop is long and simple (V8 optimises it sooner
 * and runs it faster than a b-long inner loop per row: 1.0 against 1.3 ms a copy of 50,257 × 12
 * warm, 6 against 20 ms cold), while the block's rows stay in the L1 cache across its columns.
 */
export const BLOCK_ROWS = 512;

/**
 * Rows first … rows − 1 of the column-major `columns` (b columns of `rows`) to the same rows of the
 * row-major out, in out's element type; with `sums`, each column's values as stored are added to
 * sums[j] on the way (a pass fewer for the PCA's mean share).
 */
export function rowsFromColumns(columns: Float64Array, rows: number, b: number, out: Values, first = 0, sums: Float64Array | null = null): void {
  for (let i0 = first; i0 < rows; i0 += BLOCK_ROWS) {
    const i1 = Math.min(rows, i0 + BLOCK_ROWS);
    for (let j = 0; j < b; j++) {
      const c = j * rows;
      if (!sums) { for (let i = i0, o = i0 * b + j; i < i1; i++, o += b) out[o] = columns[c + i]; continue; }
      let s = sums[j];
      for (let i = i0, o = i0 * b + j; i < i1; i++, o += b) { out[o] = columns[c + i]; s += out[o]; }
      sums[j] = s;
    }
  }
}

/**
 * Orthonormal columns in place for the column-major `columns` (b columns of `rows` values, b ≤
 * rows) with the span of its leading independent columns: classical Gram–Schmidt with each column
 * projected twice, which is enough for orthogonality to machine precision (Kahan–Parlett's "twice
 * is enough") unless the column lies in the span of the ones before it. Such a column
 * (rank-deficient input: a rank-5 X gives Q columns that are pure rounding after the fifth) keeps
 * losing most of its length at every projection; it is replaced by a unit vector orthogonal to the
 * others, as Householder QR (sklearn's) would give. Left as rounding noise, it came out not
 * orthogonal and bent PCA's top components by up to 50 %.
 */
export function orthonormalizeColumns(columns: Float64Array, rows: number, b: number): void {
  const dots = new Float64Array(b);
  for (let p = 0; p < b; p++) {
    let norm = dot(columns, p * rows, p * rows, rows);
    let independent = false;
    for (let pass = 1; pass <= 4 && norm > 0; pass++) {
      const after = projectOut(columns, rows, p, dots);
      const kept = after > 0.25 * norm;
      norm = after;
      if (kept && pass >= 2) { independent = true; break; }
    }
    if (!independent) norm = replaceByOrthogonalUnit(columns, rows, p, dots);
    scaleColumn(columns, p * rows, (p + 1) * rows, Math.sqrt(norm));
  }
}

/** Σ v[a + i] · v[c + i] for i < n, in four interleaved sums: one running sum waits on every addition's latency. */
function dot(v: Float64Array, a: number, c: number, n: number): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0, i = 0;
  for (; i + 3 < n; i += 4) {
    s0 += v[a + i] * v[c + i]; s1 += v[a + i + 1] * v[c + i + 1];
    s2 += v[a + i + 2] * v[c + i + 2]; s3 += v[a + i + 3] * v[c + i + 3];
  }
  for (; i < n; i++) s0 += v[a + i] * v[c + i];
  return (s0 + s1) + (s2 + s3);
}

/**
 * Column p less its projections on columns 0 … p − 1 (orthonormal); returns its squared norm after.
 * Four columns per pass: their four dot products with column p, then column p less all four.
 */
function projectOut(columns: Float64Array, rows: number, p: number, dots: Float64Array): number {
  const at = p * rows;
  let q = 0;
  for (; q + 3 < p; q += 4) dots4(columns, at, q * rows, rows, dots, q);
  for (; q < p; q++) dots[q] = dot(columns, at, q * rows, rows);
  for (q = 0; q + 3 < p; q += 4) subtractMultiplesFrom4(columns, at, q * rows, rows, dots[q], dots[q + 1], dots[q + 2], dots[q + 3]);
  for (; q < p; q++) subtractMultiple(columns, q * rows, at, 0, rows, dots[q]);
  return dot(columns, at, at, rows);
}

/** dots[k + r] = Σ_i v[a + i] · v[c + r·rows + i] for r < 4, each summed in order. */
function dots4(v: Float64Array, a: number, c: number, rows: number, dots: Float64Array, k: number): void {
  const c1 = c + rows, c2 = c1 + rows, c3 = c2 + rows;
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  for (let i = 0; i < rows; i++) { const x = v[a + i]; s0 += x * v[c + i]; s1 += x * v[c1 + i]; s2 += x * v[c2 + i]; s3 += x * v[c3 + i]; }
  dots[k] = s0; dots[k + 1] = s1; dots[k + 2] = s2; dots[k + 3] = s3;
}

/** v[t + i] less d0·v[c + i], d1·v[c + rows + i], … d3·v[c + 3·rows + i], subtracted in that order: four columns out of one per pass. */
function subtractMultiplesFrom4(v: Float64Array, t: number, c: number, rows: number, d0: number, d1: number, d2: number, d3: number): void {
  const c1 = c + rows, c2 = c1 + rows, c3 = c2 + rows;
  for (let i = 0; i < rows; i++) v[t + i] = v[t + i] - d0 * v[c + i] - d1 * v[c1 + i] - d2 * v[c2 + i] - d3 * v[c3 + i];
}

/** Column p becomes the first unit vector e_j that keeps a tenth of its length outside columns 0 … p − 1, projected out twice; returns its squared norm. */
function replaceByOrthogonalUnit(columns: Float64Array, rows: number, p: number, dots: Float64Array): number {
  const at = p * rows;
  for (let j = 0; j < rows; j++) {
    columns.fill(0, at, at + rows);
    columns[at + j] = 1;
    projectOut(columns, rows, p, dots);
    const norm = projectOut(columns, rows, p, dots);
    if (norm > 0.01) return norm;
  }
  throw new Error(`orthonormalizeColumns: no unit vector outside ${p} columns of length ${rows}`);
}

