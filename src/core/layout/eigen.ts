// Eigendecomposition of a symmetric matrix: ml-matrix's EigenvalueDecomposition (JAMA's tred2 and
// tql2, with V stored transposed as ml-matrix 6.15 does) restated over one flat Float64Array. The
// same operations in the same order, so the same bits (test/layout/eigen.test.ts); what changes is
// the cost of V.get / V.set on an array of rows, which kept PCA at 0.1–0.2 s until the JIT warmed
// up — as long as the rest of a 1,000-point t-SNE. One reordering, from n = 256: tql2 records its
// rotations and they are applied at the end to the rows of Vᵀ, each entry getting the same
// operations in the same order (so still the same bits). About as fast on one thread (768 × 768:
// ~0.5 s of 1.7 s), but the rows are independent, so PCA splits them over two threads.

/** Applies the rotations to all n rows of W (n × n). */
function rotateAll(w: Float64Array, rotations: Rotations, n: number): void {
  applyRotations(w, n, rotations.index, rotations.cs, rotations.count, 0, n);
}

/**
 * Eigenvalues (ascending, as tql2 leaves them) and eigenvectors: vector j is vectors[j·n … j·n + n).
 * rotations: storage for tql2's rotations (by default from RECORD_FROM, else V turns as tql2 goes);
 * applyAll: applies them to W = Vᵀ (n × n), by default on this thread.
 */
export function symmetricEigen(symmetric: Float64Array, n: number, rotations?: Rotations, applyAll: (w: Float64Array, rotations: Rotations, n: number) => void = rotateAll): { values: Float64Array; vectors: Float64Array } {
  // V[a * n + b] holds the logical V(b, a), as in ml-matrix.
  const V = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) V[j * n + i] = symmetric[i * n + j];
  const d = new Float64Array(n), e = new Float64Array(n);
  tred2(n, e, d, V);
  // Small matrices turn V as they go: the recorded rotations' loops would run before V8 optimises them.
  if (!rotations && n >= RECORD_FROM) rotations = new Rotations();
  tql2(n, e, d, V, rotations ?? null);
  if (rotations) {
    // W = Vᵀ: tql2's rotations turn entries of W's rows, one row at a time.
    transposeSquare(V, n);
    applyAll(V, rotations, n);
    transposeSquare(V, n);
  }
  sortAscending(n, d, V);
  return { values: d, vectors: V };
}

function hypotenuse(a: number, b: number): number {
  let r = 0;
  if (Math.abs(a) > Math.abs(b)) {
    r = b / a;
    return Math.abs(a) * Math.sqrt(1 + r * r);
  }
  if (b !== 0) {
    r = a / b;
    return Math.abs(b) * Math.sqrt(1 + r * r);
  }
  return 0;
}

// The innermost loops as small functions: called thousands of times per decomposition, V8 optimises
// them within the first run, where the two big functions would run unoptimised until a later call.

/** Returns g + Σ_{k ∈ [from, to)} V[o + k]·d[k], adding V[o + k]·f to e[k] on the way. */
function dotAndAxpy(V: Float64Array, o: number, from: number, to: number, d: Float64Array, e: Float64Array, g: number, f: number): number {
  for (let k = from; k < to; k++) {
    g += V[o + k] * d[k];
    e[k] += V[o + k] * f;
  }
  return g;
}

function rankTwoUpdate(V: Float64Array, o: number, from: number, to: number, f: number, e: Float64Array, g: number, d: Float64Array): void {
  for (let k = from; k < to; k++) V[o + k] = V[o + k] - (f * e[k] + g * d[k]);
}

function dot(V: Float64Array, a: number, b: number, count: number): number {
  let g = 0;
  for (let k = 0; k < count; k++) g += V[a + k] * V[b + k];
  return g;
}

function subtractScaled(V: Float64Array, o: number, g: number, d: Float64Array, count: number): void {
  for (let k = 0; k < count; k++) V[o + k] = V[o + k] - g * d[k];
}

/**
 * The plane rotations of tql2, recorded in order: rotation t turns (V row i + 1, V row i) by (c, s)
 * with i = index[t]. tql2 never reads V, so they can all be applied at the end (applyRotations).
 */
export class Rotations {
  count = 0;
  /** Storage may be given (shared memory, for applying on two threads); it grows into new arrays when full. */
  constructor(public index: Int32Array<ArrayBufferLike> = new Int32Array(1024), public cs: Float64Array<ArrayBufferLike> = new Float64Array(2 * index.length)) {}

  add(i: number, c: number, s: number): void {
    if (this.count === this.index.length) {
      const index = new Int32Array(Math.max(1024, 2 * this.count)); index.set(this.index); this.index = index;
      const cs = new Float64Array(2 * index.length); cs.set(this.cs.subarray(0, 2 * this.count)); this.cs = cs;
    }
    this.index[this.count] = i;
    this.cs[2 * this.count] = c; this.cs[2 * this.count + 1] = s;
    this.count++;
  }
}

const ROTATION_ROWS = 32, ROTATION_BATCH = 2048;
/** From this size symmetricEigen records the rotations by default. */
const RECORD_FROM = 256;

/**
 * Rows [k0, k1) of W = Vᵀ (w[k·n + j] = V[j·n + k]) turned by every rotation in order. Each entry
 * gets the same operations as in rotate-as-you-go QL (h = V(i+1); V(i+1) = s·V(i) + c·h;
 * V(i) = c·V(i) − s·h), so the same bits. Rows are independent: any split works; groups of 32
 * rows take batches of 2,048 rotations, so both stay in cache.
 */
export function applyRotations(w: Float64Array, n: number, index: Int32Array, cs: Float64Array, count: number, k0: number, k1: number): void {
  for (let g0 = k0; g0 < k1; g0 += ROTATION_ROWS) {
    const g1 = Math.min(k1, g0 + ROTATION_ROWS);
    for (let t0 = 0; t0 < count; t0 += ROTATION_BATCH) {
      const t1 = Math.min(count, t0 + ROTATION_BATCH);
      let k = g0;
      // Consecutive rotations of a QL sweep chain through one entry: four rows at a time overlap four chains.
      for (; k + 3 < g1; k += 4) rotateFourRows(w, k * n, n, index, cs, t0, t1);
      for (; k < g1; k++) rotateRow(w, k * n, index, cs, t0, t1);
    }
  }
}

function rotateRow(w: Float64Array, o: number, index: Int32Array, cs: Float64Array, t0: number, t1: number): void {
  for (let t = t0; t < t1; t++) {
    const a = o + index[t];
    const c = cs[2 * t], s = cs[2 * t + 1];
    const h = w[a + 1];
    w[a + 1] = s * w[a] + c * h;
    w[a] = c * w[a] - s * h;
  }
}

/** Rows a and b of V turned by the rotation (c, s). */
function rotate(V: Float64Array, a: number, b: number, n: number, c: number, s: number): void {
  for (let k = 0; k < n; k++) {
    const h = V[a + k];
    V[a + k] = s * V[b + k] + c * h;
    V[b + k] = c * V[b + k] - s * h;
  }
}

function rotateFourRows(w: Float64Array, o: number, n: number, index: Int32Array, cs: Float64Array, t0: number, t1: number): void {
  const o1 = o + n, o2 = o1 + n, o3 = o2 + n;
  for (let t = t0; t < t1; t++) {
    const i = index[t];
    const c = cs[2 * t], s = cs[2 * t + 1];
    const a0 = o + i, a1 = o1 + i, a2 = o2 + i, a3 = o3 + i;
    const h0 = w[a0 + 1], h1 = w[a1 + 1], h2 = w[a2 + 1], h3 = w[a3 + 1];
    const v0 = w[a0], v1 = w[a1], v2 = w[a2], v3 = w[a3];
    w[a0 + 1] = s * v0 + c * h0; w[a1 + 1] = s * v1 + c * h1; w[a2 + 1] = s * v2 + c * h2; w[a3 + 1] = s * v3 + c * h3;
    w[a0] = c * v0 - s * h0; w[a1] = c * v1 - s * h1; w[a2] = c * v2 - s * h2; w[a3] = c * v3 - s * h3;
  }
}

/** V (n × n, row j = vector j) transposed in place. */
export function transposeSquare(v: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) { const t = v[i * n + j]; v[i * n + j] = v[j * n + i]; v[j * n + i] = t; }
  }
}

/** Householder reduction to tridiagonal form. */
function tred2(n: number, e: Float64Array, d: Float64Array, V: Float64Array): void {
  let f: number, g: number, h: number, hh: number, scale: number;
  for (let j = 0; j < n; j++) d[j] = V[j * n + n - 1];
  for (let i = n - 1; i > 0; i--) {
    scale = 0;
    h = 0;
    for (let k = 0; k < i; k++) scale = scale + Math.abs(d[k]);
    if (scale === 0) {
      e[i] = d[i - 1];
      for (let j = 0; j < i; j++) {
        d[j] = V[j * n + i - 1];
        V[j * n + i] = 0;
        V[i * n + j] = 0;
      }
    } else {
      for (let k = 0; k < i; k++) {
        d[k] /= scale;
        h += d[k] * d[k];
      }
      f = d[i - 1];
      g = Math.sqrt(h);
      if (f > 0) g = -g;
      e[i] = scale * g;
      h = h - f * g;
      d[i - 1] = f - g;
      for (let j = 0; j < i; j++) e[j] = 0;
      for (let j = 0; j < i; j++) {
        f = d[j];
        V[i * n + j] = f;
        e[j] = dotAndAxpy(V, j * n, j + 1, i, d, e, e[j] + V[j * n + j] * f, f);
      }
      f = 0;
      for (let j = 0; j < i; j++) {
        e[j] /= h;
        f += e[j] * d[j];
      }
      hh = f / (h + h);
      for (let j = 0; j < i; j++) e[j] -= hh * d[j];
      for (let j = 0; j < i; j++) {
        f = d[j];
        g = e[j];
        rankTwoUpdate(V, j * n, j, i, f, e, g, d);
        d[j] = V[j * n + i - 1];
        V[j * n + i] = 0;
      }
    }
    d[i] = h;
  }
  for (let i = 0; i < n - 1; i++) {
    V[i * n + n - 1] = V[i * n + i];
    V[i * n + i] = 1;
    h = d[i + 1];
    if (h !== 0) {
      for (let k = 0; k <= i; k++) d[k] = V[(i + 1) * n + k] / h;
      for (let j = 0; j <= i; j++) {
        g = dot(V, (i + 1) * n, j * n, i + 1);
        subtractScaled(V, j * n, g, d, i + 1);
      }
    }
    for (let k = 0; k <= i; k++) V[(i + 1) * n + k] = 0;
  }
  for (let j = 0; j < n; j++) {
    d[j] = V[j * n + n - 1];
    V[j * n + n - 1] = 0;
  }
  V[(n - 1) * n + n - 1] = 1;
  e[0] = 0;
}

/** Symmetric tridiagonal QL with implicit shifts: eigenvalues into d; the rotations turn V, or are recorded into rotations. */
function tql2(n: number, e: Float64Array, d: Float64Array, V: Float64Array, rotations: Rotations | null): void {
  let g: number, h: number, m: number, p: number, r: number, dl1: number, c: number, c2: number, c3: number, el1: number, s: number, s2: number;
  for (let i = 1; i < n; i++) e[i - 1] = e[i];
  e[n - 1] = 0;
  let f = 0;
  let tst1 = 0;
  const eps = Number.EPSILON;
  for (let l = 0; l < n; l++) {
    tst1 = Math.max(tst1, Math.abs(d[l]) + Math.abs(e[l]));
    m = l;
    while (m < n) {
      if (Math.abs(e[m]) <= eps * tst1) break;
      m++;
    }
    if (m > l) {
      do {
        g = d[l];
        p = (d[l + 1] - g) / (2 * e[l]);
        r = hypotenuse(p, 1);
        if (p < 0) r = -r;
        d[l] = e[l] / (p + r);
        d[l + 1] = e[l] * (p + r);
        dl1 = d[l + 1];
        h = g - d[l];
        for (let i = l + 2; i < n; i++) d[i] -= h;
        f = f + h;
        p = d[m];
        c = 1;
        c2 = c;
        c3 = c;
        el1 = e[l + 1];
        s = 0;
        s2 = 0;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e[i];
          h = c * p;
          r = hypotenuse(p, e[i]);
          e[i + 1] = s * r;
          s = e[i] / r;
          c = p / r;
          p = c * d[i] - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]);
          if (rotations) rotations.add(i, c, s);
          else rotate(V, (i + 1) * n, i * n, n, c, s);
        }
        p = (-s * s2 * c3 * el1 * e[l]) / dl1;
        e[l] = s * p;
        d[l] = c * p;
      } while (Math.abs(e[l]) > eps * tst1);
    }
    d[l] = d[l] + f;
    e[l] = 0;
  }
}

/** Eigenvalues sorted ascending with their vectors (selection sort, as JAMA). */
function sortAscending(n: number, d: Float64Array, V: Float64Array): void {
  let p: number;
  for (let i = 0; i < n - 1; i++) {
    let k = i;
    p = d[i];
    for (let j = i + 1; j < n; j++) {
      if (d[j] < p) {
        k = j;
        p = d[j];
      }
    }
    if (k !== i) {
      d[k] = d[i];
      d[i] = p;
      for (let j = 0; j < n; j++) {
        p = V[i * n + j];
        V[i * n + j] = V[k * n + j];
        V[k * n + j] = p;
      }
    }
  }
}
