// Input-space affinities P for t-SNE, computed as scikit-learn 1.2 does: a binary search on the
// Gaussian precision of each point until the entropy of its conditional distribution equals
// log(perplexity), then P = (P + Pᵀ) / sum. Sparse (kNN) for Barnes-Hut, dense for the exact method.

const PERPLEXITY_TOLERANCE = 1e-5;
const SEARCH_STEPS = 100;
const EPSILON_SUM = 1e-8;
export const MACHINE_EPSILON = 2.220446049250313e-16;

/**
 * Conditional probabilities p(j|i) for rows of `squared` (n × m squared distances; for kNN rows
 * every entry is a neighbour, for dense rows the diagonal is skipped when `skipDiagonal`).
 */
export function binarySearchPerplexity(squared: Float64Array, n: number, m: number, perplexity: number, skipDiagonal: boolean): Float64Array {
  const P = new Float64Array(n * m);
  perplexityRows(squared, P, m, perplexity, skipDiagonal, 0, n);
  return P;
}

/** binarySearchPerplexity for rows [from, to), into P: rows are independent, so threads may split them. */
export function perplexityRows(squared: Float64Array, P: Float64Array, m: number, perplexity: number, skipDiagonal: boolean, from: number, to: number): void {
  const desiredEntropy = Math.log(perplexity);
  for (let i = from; i < to; i++) {
    const o = i * m;
    let betaMin = -Infinity, betaMax = Infinity, beta = 1;
    for (let step = 0; step < SEARCH_STEPS; step++) {
      let sumP = 0;
      for (let j = 0; j < m; j++) {
        if (skipDiagonal && j === i) continue;
        const p = Math.exp(-squared[o + j] * beta);
        P[o + j] = p;
        sumP += p;
      }
      if (sumP === 0) sumP = EPSILON_SUM;
      let sumDistP = 0;
      for (let j = 0; j < m; j++) {
        if (skipDiagonal && j === i) continue;
        P[o + j] /= sumP;
        sumDistP += squared[o + j] * P[o + j];
      }
      const entropyDiff = Math.log(sumP) + beta * sumDistP - desiredEntropy;
      if (Math.abs(entropyDiff) <= PERPLEXITY_TOLERANCE) break;
      if (entropyDiff > 0) {
        betaMin = beta;
        beta = betaMax === Infinity ? beta * 2 : (beta + betaMax) / 2;
      } else {
        betaMax = beta;
        beta = betaMin === -Infinity ? beta / 2 : (beta + betaMin) / 2;
      }
    }
    if (skipDiagonal) P[o + i] = 0;
  }
}

/** Symmetric sparse joint probabilities in CSR form, columns sorted within each row. */
export interface SparseP {
  n: number;
  rowStart: Int32Array;
  columns: Int32Array;
  values: Float64Array;
}

/**
 * P = (C + Cᵀ) / sum(C + Cᵀ) for conditional C given on a kNN graph (n × k). Linear time: row i
 * merges its own neighbours, sorted by column, with the rows that have i as a neighbour, which a
 * transpose lists in ascending order. The sum runs over the entries in the order a stable sort of
 * each row's insertion order gives (entries from earlier rows first), so it matches that sort.
 */
export function symmetrizeKnn(conditional: Float64Array, indices: Int32Array, n: number, k: number): SparseP {
  // Transpose: for each column j, the rows i with j among their neighbours, ascending, with p(j|i).
  const tStart = new Int32Array(n + 1);
  for (let e = 0; e < n * k; e++) tStart[indices[e] + 1]++;
  for (let j = 0; j < n; j++) tStart[j + 1] += tStart[j];
  const tFill = tStart.slice(0, n);
  const tRows = new Int32Array(n * k), tVals = new Float64Array(n * k);
  for (let i = 0, e = 0; i < n; i++) {
    for (let t = 0; t < k; t++, e++) { const at = tFill[indices[e]]++; tRows[at] = i; tVals[at] = conditional[e]; }
  }
  // Each row's own neighbours sorted by column: the transpose of the transpose.
  const ownFill = new Int32Array(n);
  for (let i = 0; i < n; i++) ownFill[i] = i * k;
  const ownCols = new Int32Array(n * k), ownVals = new Float64Array(n * k);
  for (let j = 0; j < n; j++) {
    for (let at = tStart[j]; at < tStart[j + 1]; at++) { const o = ownFill[tRows[at]]++; ownCols[o] = j; ownVals[o] = tVals[at]; }
  }
  const rowStart = new Int32Array(n + 1);
  const outCols = new Int32Array(2 * n * k);
  const outVals = new Float64Array(2 * n * k);
  let w = 0, total = 0;
  for (let i = 0; i < n; i++) {
    rowStart[i] = w;
    let a = i * k;
    const aEnd = a + k;
    let b = tStart[i];
    const bEnd = tStart[i + 1];
    while (a < aEnd || b < bEnd) {
      const ca = a < aEnd ? ownCols[a] : n, cb = b < bEnd ? tRows[b] : n;
      const c = Math.min(ca, cb);
      // Entries of column c in insertion order: the mirrored ones come from row c, before row i's own
      // when c < i; after them when c > i; pairwise interleaved for c = i. (kNN lists have no repeats
      // or self-loops, so this is usually one entry, or one of each.)
      let a2 = a, b2 = b;
      while (a2 < aEnd && ownCols[a2] === c) a2++;
      while (b2 < bEnd && tRows[b2] === c) b2++;
      let sum = 0, count = 0;
      if (c < i) {
        for (; b < b2; b++, count++) { const v = tVals[b]; sum = count === 0 ? v : sum + v; total += v; }
        for (; a < a2; a++, count++) { const v = ownVals[a]; sum = count === 0 ? v : sum + v; total += v; }
      } else if (c > i) {
        for (; a < a2; a++, count++) { const v = ownVals[a]; sum = count === 0 ? v : sum + v; total += v; }
        for (; b < b2; b++, count++) { const v = tVals[b]; sum = count === 0 ? v : sum + v; total += v; }
      } else {
        for (; a < a2 || b < b2; count++) {
          const v = count % 2 === 0 ? ownVals[a++] : tVals[b++];
          sum = count === 0 ? v : sum + v; total += v;
        }
      }
      outCols[w] = c; outVals[w++] = sum;
    }
  }
  rowStart[n] = w;
  const scale = 1 / Math.max(total, MACHINE_EPSILON);
  const values = outVals.slice(0, w);
  for (let e = 0; e < w; e++) values[e] *= scale;
  return { n, rowStart, columns: outCols.slice(0, w), values };
}

/** Dense joint P (n × n, zero diagonal): max((C + Cᵀ) / sum, eps) off the diagonal, as sklearn's exact method. */
export function symmetrizeDense(conditional: Float64Array, n: number): Float64Array {
  const P = new Float64Array(n * n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const v = conditional[i * n + j] + conditional[j * n + i];
      P[i * n + j] = v; P[j * n + i] = v;
      total += 2 * v;
    }
  }
  const scale = 1 / Math.max(total, MACHINE_EPSILON);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) P[i * n + j] = i === j ? 0 : Math.max(P[i * n + j] * scale, MACHINE_EPSILON);
  }
  return P;
}
