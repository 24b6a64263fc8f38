// The three head detectors of the heads job, on one text's attention patterns. For a text of T tokens
// and a head's pattern A[q,k]:  score = (1/T) Σ_q Σ_k A[q,k]·D[q,k], where D is 1 exactly when
//   previous-token:  k = q − 1
//   duplicate-token: k < q and tok[k] = tok[q]
//   induction:       1 ≤ k < q and tok[k−1] = tok[q]
// The key sets depend only on the tokens, so they are found once per text and every head is summed
// over them together: the pattern is laid out head-major, and the inner loop runs over heads.

export const HEAD_DETECTORS = Object.freeze(['previousToken', 'duplicateToken', 'induction'] as const);
export type HeadDetectorName = typeof HEAD_DETECTORS[number];

/** One text's score of every head under each detector (length = heads). */
export type DetectorScores = Record<HeadDetectorName, Float64Array>;

/** The keys D marks for each query: offsets[q]..offsets[q + 1] index `keys`. */
export interface KeySets {
  offsets: Int32Array;
  keys: Int32Array;
}

/** The keys each detector marks, for the token sequence `tokens`. */
export function detectorKeySets(tokens: ArrayLike<number>): Record<HeadDetectorName, KeySets> {
  const T = tokens.length;
  return {
    previousToken: keySets(T, (q, k) => k === q - 1),
    duplicateToken: keySets(T, (q, k) => tokens[k] === tokens[q]),
    induction: keySets(T, (q, k) => k >= 1 && tokens[k - 1] === tokens[q]),
  };
}

/** Every k < q where `marks(q, k)`. */
function keySets(T: number, marks: (q: number, k: number) => boolean): KeySets {
  const offsets = new Int32Array(T + 1);
  const keys: number[] = [];
  for (let q = 0; q < T; q++) {
    for (let k = 0; k < q; k++) if (marks(q, k)) keys.push(k);
    offsets[q + 1] = keys.length;
  }
  return { offsets, keys: Int32Array.from(keys) };
}

/**
 * The detector scores of every head of one layer for one text.
 * `pattern` is heads × T × T, row-major (A[h][q][k] at (h·T + q)·T + k), as softmax left it.
 */
export function scoreHeads(pattern: Float32Array | Float64Array, nHead: number, tokens: ArrayLike<number>, sets = detectorKeySets(tokens)): DetectorScores {
  const T = tokens.length;
  if (pattern.length !== nHead * T * T) {
    throw new RangeError(`pattern has ${pattern.length} values, expected ${nHead} heads × ${T} × ${T}`);
  }
  const out = {} as DetectorScores;
  const plane = T * T;
  for (const name of HEAD_DETECTORS) {
    const { offsets, keys } = sets[name];
    const sums = new Float64Array(nHead);
    for (let q = 0; q < T; q++) {
      for (let i = offsets[q]; i < offsets[q + 1]; i++) {
        const at = q * T + keys[i];
        for (let h = 0, j = at; h < nHead; h++, j += plane) sums[h] += pattern[j];
      }
    }
    for (let h = 0; h < nHead; h++) sums[h] /= T;
    out[name] = sums;
  }
  return out;
}
