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
  const desiredEntropy = Math.log(perplexity);
  for (let i = 0; i < n; i++) {
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
  return P;
}

/** Symmetric sparse joint probabilities in CSR form, columns sorted within each row. */
export interface SparseP {
  n: number;
  rowStart: Int32Array;
  columns: Int32Array;
  values: Float64Array;
}

/** P = (C + Cᵀ) / sum(C + Cᵀ) for conditional C given on a kNN graph (n × k). */
export function symmetrizeKnn(conditional: Float64Array, indices: Int32Array, n: number, k: number): SparseP {
  // Each entry (i, j) appears once from i's list and once as (j, i); count both, then merge.
  const counts = new Int32Array(n + 1);
  for (let e = 0; e < n * k; e++) { counts[Math.floor(e / k) + 1]++; counts[indices[e] + 1]++; }
  for (let i = 0; i < n; i++) counts[i + 1] += counts[i];
  const fill = counts.slice(0, n);
  const cols = new Int32Array(2 * n * k);
  const vals = new Float64Array(2 * n * k);
  for (let i = 0; i < n; i++) {
    for (let t = 0; t < k; t++) {
      const e = i * k + t, j = indices[e], p = conditional[e];
      cols[fill[i]] = j; vals[fill[i]++] = p;
      cols[fill[j]] = i; vals[fill[j]++] = p;
    }
  }
  const rowStart = new Int32Array(n + 1);
  const outCols = new Int32Array(2 * n * k);
  const outVals = new Float64Array(2 * n * k);
  let w = 0, total = 0;
  const order: number[] = [];
  for (let i = 0; i < n; i++) {
    rowStart[i] = w;
    order.length = 0;
    for (let e = counts[i]; e < counts[i + 1]; e++) order.push(e);
    order.sort((a, b) => cols[a] - cols[b]);
    for (let t = 0; t < order.length; t++) {
      const e = order[t];
      if (w > rowStart[i] && outCols[w - 1] === cols[e]) outVals[w - 1] += vals[e];
      else { outCols[w] = cols[e]; outVals[w++] = vals[e]; }
      total += vals[e];
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
