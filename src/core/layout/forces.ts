// The attractive half of the Barnes-Hut t-SNE gradient, shared by the main thread and the helper thread.

/** Attractive forces Σ_j p_ij q_ij (y_i − y_j) for rows [from, to), into out. Top-level over typed arrays, so V8 keeps it monomorphic. */
export function attractiveForces(y: Float64Array, out: Float64Array, rowStart: Int32Array, columns: Int32Array, values: Float64Array, exaggeration: number, from: number, to: number): void {
  for (let i = from; i < to; i++) {
    const yi0 = y[2 * i], yi1 = y[2 * i + 1];
    let f0 = 0, f1 = 0;
    const end = rowStart[i + 1];
    for (let e = rowStart[i]; e < end; e++) {
      const j = columns[e];
      const d0 = yi0 - y[2 * j], d1 = yi1 - y[2 * j + 1];
      const pq = (values[e] * exaggeration) / (1 + d0 * d0 + d1 * d1);
      f0 += pq * d0; f1 += pq * d1;
    }
    out[2 * i] = f0; out[2 * i + 1] = f1;
  }
}

/**
 * Where each row's entries with column > row begin, if P is symmetric bit for bit (same columns
 * mirrored, equal values, sorted and unique columns, no diagonal), as symmetrizeKnn makes it;
 * otherwise null.
 */
export function upperStarts(rowStart: Int32Array, columns: Int32Array, values: Float64Array, n: number): Int32Array | null {
  const upper = new Int32Array(n);
  const mirrored = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const end = rowStart[i + 1];
    let e = rowStart[i];
    for (let prev = -1; e < end && columns[e] < i; e++) {
      if (columns[e] <= prev) return null;
      prev = columns[e];
    }
    if (e < end && columns[e] === i) return null;
    upper[i] = e;
    for (let prev = i; e < end; e++) {
      const j = columns[e];
      if (j <= prev || j >= n) return null;
      prev = j;
      // The mirror (j, i) must be in row j, with the same value.
      let a = rowStart[j], b = rowStart[j + 1];
      while (a < b) { const m = (a + b) >>> 1; if (columns[m] < i) a = m + 1; else b = m; }
      if (a >= rowStart[j + 1] || columns[a] !== i || values[a] !== values[e]) return null;
      mirrored[j]++;
    }
  }
  // Every lower entry is the mirror of one upper entry (columns are unique within a row).
  for (let i = 0; i < n; i++) if (mirrored[i] !== upper[i] - rowStart[i]) return null;
  return upper;
}

/**
 * Below this many points the pairwise form wins (~20 % at 1,000 to 4,000 points here): the rows it
 * updates out of order stay in cache. At 10,000 it gains nothing, and row chunks split better
 * between two threads than its single pass.
 */
export const PAIRWISE_BELOW = 5000;

/**
 * attractiveForces for all rows of a symmetric P (upper from upperStarts), bit for bit: each pair
 * is evaluated once and its force added to both rows. Rows are visited in order, so every row still
 * sums its terms in column order (the lower columns arrive first, from earlier rows), and the
 * mirrored term is exactly the negated one. Half the divisions and loads of attractiveForces.
 */
export function symmetricAttractiveForces(y: Float64Array, out: Float64Array, rowStart: Int32Array, upper: Int32Array, columns: Int32Array, values: Float64Array, exaggeration: number, n: number): void {
  out.fill(0, 0, 2 * n);
  for (let i = 0; i < n; i++) {
    const yi0 = y[2 * i], yi1 = y[2 * i + 1];
    let f0 = out[2 * i], f1 = out[2 * i + 1];
    const end = rowStart[i + 1];
    for (let e = upper[i]; e < end; e++) {
      const j = columns[e];
      const d0 = yi0 - y[2 * j], d1 = yi1 - y[2 * j + 1];
      const pq = (values[e] * exaggeration) / (1 + d0 * d0 + d1 * d1);
      const a0 = pq * d0, a1 = pq * d1;
      f0 += a0; f1 += a1;
      out[2 * j] -= a0; out[2 * j + 1] -= a1;
    }
    out[2 * i] = f0; out[2 * i + 1] = f1;
  }
}

const FLOAT32_TINY = 1.1754943508222875e-38;

/** One entry's p log(p / q) with q = w / sumQ, clamped as sklearn clamps it (FLOAT32_TINY). */
function klTerm(p: number, w: number, sumQ: number): number {
  return p * Math.log(Math.max(p, FLOAT32_TINY) / Math.max(w / sumQ, FLOAT32_TINY));
}

/**
 * For each upper entry e of a symmetric P (upper from upperStarts), the slot of its mirror (j, i)
 * in row j. Row j's lower entries are the mirrors of earlier rows' upper entries, met in column
 * order, so a cursor per row finds them.
 */
export function mirrorSlots(rowStart: Int32Array, upper: Int32Array, columns: Int32Array, n: number): Int32Array {
  const mirror = new Int32Array(columns.length);
  const cursor = rowStart.slice(0, n);
  for (let i = 0; i < n; i++) {
    for (let e = upper[i], end = rowStart[i + 1]; e < end; e++) mirror[e] = cursor[columns[e]]++;
  }
  return mirror;
}

/**
 * sklearn's Barnes-Hut KL terms p log(p / q), q normalised by sumQ, for the pairs of rows [from, to)
 * of a symmetric P: each pair's term (equal for (i, j) and (j, i)) is computed once and written to
 * both of its entries, so rows can go to different threads and the terms, summed in entry order
 * afterwards (klOfTerms), give klDivergence's value bit for bit.
 */
export function klTerms(y: Float64Array, sumQ: number, rowStart: Int32Array, upper: Int32Array, columns: Int32Array, values: Float64Array, mirror: Int32Array, exaggeration: number, terms: Float64Array, from: number, to: number): void {
  for (let i = from; i < to; i++) {
    const yi0 = y[2 * i], yi1 = y[2 * i + 1];
    for (let e = upper[i], end = rowStart[i + 1]; e < end; e++) {
      const j = columns[e];
      const d0 = yi0 - y[2 * j], d1 = yi1 - y[2 * j + 1];
      const p = values[e] * exaggeration;
      const term = klTerm(p, 1 / (1 + d0 * d0 + d1 * d1), sumQ);
      terms[e] = term;
      terms[mirror[e]] = term;
    }
  }
}

/** The KL divergence from klTerms of every row: the terms summed in entry order, as klDivergence sums them. */
export function klOfTerms(terms: Float64Array): number {
  let kl = 0;
  for (let e = 0; e < terms.length; e++) kl += terms[e];
  return kl;
}

/** sklearn's Barnes-Hut KL: Σ over the sparse P of p log(p / q), q normalised by Z (any P, one thread). */
export function klDivergence(y: Float64Array, sumQ: number, rowStart: Int32Array, columns: Int32Array, values: Float64Array, exaggeration: number): number {
  let kl = 0;
  for (let i = 0; i + 1 < rowStart.length; i++) {
    for (let e = rowStart[i], end = rowStart[i + 1]; e < end; e++) {
      const j = columns[e];
      const d0 = y[2 * i] - y[2 * j], d1 = y[2 * i + 1] - y[2 * j + 1];
      const p = values[e] * exaggeration;
      kl += klTerm(p, 1 / (1 + d0 * d0 + d1 * d1), sumQ);
    }
  }
  return kl;
}
