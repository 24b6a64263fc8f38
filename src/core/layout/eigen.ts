// Eigendecomposition of a symmetric matrix: ml-matrix's EigenvalueDecomposition (JAMA's tred2 and
// tql2, with V stored transposed as ml-matrix 6.15 does) restated over one flat Float64Array. The
// same operations in the same order, so the same bits (test/layout/eigen.test.ts); what changes is
// the cost of V.get / V.set on an array of rows, which kept PCA at 0.1–0.2 s until the JIT warmed
// up — as long as the rest of a 1,000-point t-SNE.

/** Eigenvalues (ascending, as tql2 leaves them) and eigenvectors: vector j is vectors[j·n … j·n + n). */
export function symmetricEigen(symmetric: Float64Array, n: number): { values: Float64Array; vectors: Float64Array } {
  // V[a * n + b] holds the logical V(b, a), as in ml-matrix.
  const V = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) V[j * n + i] = symmetric[i * n + j];
  const d = new Float64Array(n), e = new Float64Array(n);
  tred2(n, e, d, V);
  tql2(n, e, d, V);
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

/** Rows a and b of V turned by the rotation (c, s). */
function rotate(V: Float64Array, a: number, b: number, n: number, c: number, s: number): void {
  for (let k = 0; k < n; k++) {
    const h = V[a + k];
    V[a + k] = s * V[b + k] + c * h;
    V[b + k] = c * V[b + k] - s * h;
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

/** Symmetric tridiagonal QL with implicit shifts; eigenvalues sorted ascending with their vectors. */
function tql2(n: number, e: Float64Array, d: Float64Array, V: Float64Array): void {
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
          rotate(V, (i + 1) * n, i * n, n, c, s);
        }
        p = (-s * s2 * c3 * el1 * e[l]) / dl1;
        e[l] = s * p;
        d[l] = c * p;
      } while (Math.abs(e[l]) > eps * tst1);
    }
    d[l] = d[l] + f;
    e[l] = 0;
  }
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
